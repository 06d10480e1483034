"""`chronochrome context PATH [PATH ...]`: the context of a whole collection, one row a photo.

Photos and folders are found as `colorize` finds them (`colorizer.apps.planner.find_sources`:
folders recursively, hidden files and system folders skipped, a CSV list's rows), each read
by the project's loader as the single-photo form reads it, and its context written at once
(`colorizer.apps.context_table`: JSON Lines, or CSV with `--format csv`) to stdout or `-o FILE`.
The models load once, for the first photo; one photo is in memory at a time.

A photo that cannot be read (corrupt, too large, a camera raw) is a row whose `error` names
it, and the run goes on; the exit code is 1 when any photo failed, 0 otherwise (as colorize's
batch), 2 for a run that cannot start (no photo found, `-o FILE` exists without --overwrite),
128 + the signal for one stopped part-way (Ctrl-C, SIGTERM; the rows written are whole).
The single-photo form (`chronochrome context photo.jpg`, no table option) prints what it
always printed: `context/cli.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from colorizer.apps.collection_inputs import is_collection
from colorizer.apps.progress import one_line
from colorizer.apps.stop_signals import exit_code, stop_on_signals, stopped_by
from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from colorizer.apps.archive_captions import ArchiveCaptions
    from colorizer.apps.context_table import ContextTable
    from colorizer.apps.source import Source
    from context.encoder import ContextEncoder


def is_batch(args: argparse.Namespace) -> bool:
    """Whether `chronochrome context` writes a table: several paths, a folder or a CSV list,
    or a table option; one photo alone keeps the single-photo form."""
    paths = args.image or []
    return (len(paths) > 1 or args.format is not None or args.output is not None
            or args.captions is not None
            or any(Path(p).is_dir() or (is_collection(p) and Path(p).is_file()) for p in paths))


@dataclass
class BatchTally:
    """What the run did, for the summary line."""

    total: int
    read: int = 0
    failed: int = 0
    started: float = 0.0
    loaded_at: float = 0.0  # when the photo that loaded the models was done
    done_then: int = 0  # photos done by then (a corrupt first file loads nothing)

    def line(self) -> str:
        now = time.perf_counter()
        done = self.read + self.failed
        said = (f"context: {done} of {self.total} photos, {self.read} read"
                f"{f', {self.failed} failed' if self.failed else ''} in "
                f"{now - self.started:.1f} s")
        if not self.loaded_at or done <= self.done_then:
            return said
        # The models load once, at the first photo read (OCR, scene classifier, embedder):
        # the rate is the photos' after it.
        rate = (done - self.done_then) / max(now - self.loaded_at, 1e-9)
        return (f"{said} ({rate:.2f} photos/s once the models were loaded, in "
                f"{self.loaded_at - self.started:.1f} s)")


def run_context_batch(args: argparse.Namespace) -> int:
    """The table of every photo `args.image` names (module docstring)."""
    from colorizer.apps.planner import UnreadFiles, find_sources
    from colorizer.pipeline.text_inputs import check_text

    if not args.image:
        raise ChronochromeError("no photos: give image files or folders, e.g. "
                                "chronochrome context scans/ --format csv -o table.csv")
    check_text(hints=args.hint, caption=args.caption)
    _refuse_existing(args.output, args.overwrite)
    captions = _archive_captions(args.captions)
    sources = find_sources(args.image, unread=(unread := UnreadFiles()))
    if not sources:
        raise ChronochromeError(unread.nothing_read(args.image))
    for line in (*(captions.notes if captions else ()), *unread.lines()):
        print(one_line(f"note: {line}"), file=sys.stderr)
    tally = BatchTally(len(sources))
    with _table_stream(args.output, args.overwrite, args.format) as stream, \
            stop_on_signals():
        table = _make_table(args.format, stream, args.hint is not None)
        try:
            _run(args, sources, captions, table, tally)
        except KeyboardInterrupt as exc:
            print(f"{stopped_by(exc)}; {tally.line()}; the rows written are whole",
                  file=sys.stderr)
            return exit_code(exc)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            _quiet_stdout()
            return 1
    if captions and (note := captions.unused_note()):
        print(one_line(f"note: {note}"), file=sys.stderr)
    print(tally.line(), file=sys.stderr)
    return 1 if tally.failed else 0


def _run(args: argparse.Namespace, sources: list[Source], captions: ArchiveCaptions | None,
         table: ContextTable, tally: BatchTally) -> None:
    """Each photo's row, in order, with a progress bar on a terminal."""
    reader = PhotoContextReader(args)
    tally.started = time.perf_counter()
    with _progress(len(sources)) as advance:
        for source in sources:
            own = captions.caption_for(source) if captions else None
            path = source.url or str(source.path)
            try:
                context = reader.read(source, own)
            except Exception as exc:  # noqa: BLE001 - one photo's failure (stages.CAUGHT)
                tally.failed += 1
                message = _failure(path, exc)
                table.write(path, None, message)
                print(one_line(f"error: {message}"), file=sys.stderr)
            else:
                tally.read += 1
                table.write(path, context)
            if not tally.loaded_at and reader.loaded:
                tally.loaded_at, tally.done_then = time.perf_counter(), tally.read + tally.failed
            advance()


class PhotoContextReader:
    """One encoder for the run (OCR, scene classifier and text embedder loaded once, at
    the first photo), reading each photo as the single-photo form reads it."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._encoder: ContextEncoder | None = None

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def encoder(self) -> ContextEncoder:
        if self._encoder is None:
            from colorizer.model.scene import ImageNetSceneClassifier
            from context.cli import LETTER_SHAPES_WEIGHT
            from context.config import ContextConfig
            from context.encoder import ContextEncoder

            args = self.args
            config = ContextConfig(use_ocr=not args.no_ocr,
                                   clip_checkpoint=args.clip_checkpoint,
                                   embed=not args.no_embedding,
                                   shape_weight=LETTER_SHAPES_WEIGHT if args.letter_shapes
                                   else 0.0)
            self._encoder = ContextEncoder.from_default(
                config, scene_classifier=ImageNetSceneClassifier())
        return self._encoder

    def read(self, source: Source, archive_caption: str | None) -> dict[str, Any]:
        """The photo's context as the single-photo form prints it (`SceneContext.to_dict()`)."""
        from colorizer.errors import ImageNotFoundError
        from colorizer.pipeline.captions import photo_captions
        from colorizer.pipeline.context_gray import context_gray
        from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS, load_image

        if source.problem:  # a dead link, a CSV list's row naming no file
            raise ImageNotFoundError(source.label, source.problem, source.fix)
        if source.url:
            raise ChronochromeError(f"{source.url}: context reads photos on this machine; "
                                    "download it and give the file")
        args = self.args
        loaded = load_image(source.path, max_pixels=args.max_pixels or DEFAULT_MAX_PIXELS)
        caption = archive_caption or source.caption or args.caption
        found = photo_captions(loaded, caption, not args.no_filename_caption)
        for note in found.notes:
            print(one_line(f"note: {source.path}: {note}"), file=sys.stderr)
        image = context_gray(loaded)
        del loaded  # the gray photo is all the encoder reads (a 16-bit master: 100s of MB)
        hint = source.hint or args.hint
        return self.encoder(image, hint=hint, captions=found.captions).to_dict()


def _quiet_stdout() -> None:
    """stdout to /dev/null, so Python's flush at exit raises no second BrokenPipeError (the
    Python documentation's recipe for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _failure(path: str, exc: Exception) -> str:
    """One line naming the photo and what to do, as colorize's batch says it."""
    text = str(exc)
    if isinstance(exc, ChronochromeError):
        return text if path in text or Path(path).name in text else f"{path}: {text}"
    if isinstance(exc, MemoryError):
        return f"{path}: not enough memory for this photo; downscale it"
    said = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return (f"{path}: could not be read (internal error: {said}); the other photos went on. "
            "Please report it")


def _refuse_existing(output: Path | None, overwrite: bool) -> None:
    """An existing -o FILE is the user's, as colorize's outputs are (batch.py's words)."""
    if output is None:
        return
    if output.is_dir():
        raise ChronochromeError(f"-o {output} is a folder; -o takes the table's file name, "
                                "e.g. -o table.csv")
    if (output.exists() or output.is_symlink()) and not overwrite:
        raise ChronochromeError(f"{output} exists; move it away or pass --overwrite")


def _archive_captions(path: Path | None) -> ArchiveCaptions | None:
    if path is None:
        return None
    from colorizer.apps.archive_captions import ArchiveCaptions

    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise ChronochromeError(f"--captions {path}: {what}; give the archive's CSV file "
                                "(a filename column and a caption column)")
    return ArchiveCaptions(path)


@contextlib.contextmanager
def _table_stream(output: Path | None, overwrite: bool, fmt: str | None) -> Iterator[TextIO]:
    """stdout, or the -o file: created only if new unless `overwrite` (another run may have
    made it since the check). A CSV file starts with a byte-order mark, so Excel reads its
    UTF-8 ("Kraków", not "KrakÃ³w")."""
    if output is None:
        yield sys.stdout
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    try:
        # Closed by the `with` below: only the open's own errors are told here.
        stream = open(output, "w" if overwrite else "x",  # noqa: SIM115
                      encoding=encoding, newline="")
    except FileExistsError:
        raise ChronochromeError(f"{output} exists; move it away or pass --overwrite") from None
    except OSError as exc:
        raise ChronochromeError(f"-o {output}: cannot write it ({exc.strerror}); give a "
                                "file in a folder you can write") from exc
    with stream:
        yield stream


def _make_table(fmt: str | None, stream: TextIO, hint_given: bool) -> ContextTable:
    from colorizer.apps.context_table import CsvTable, JsonLinesTable

    return CsvTable(stream, hint_given) if fmt == "csv" else JsonLinesTable(stream)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A bar on stderr when it is a terminal (more than one photo); else nothing (the
    summary line says what was done)."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress

    with Progress(*Progress.get_default_columns(), MofNCompleteColumn(),
                  console=Console(file=sys.stderr), transient=False) as progress:
        task = progress.add_task("context", total=total)
        yield lambda: progress.advance(task)
