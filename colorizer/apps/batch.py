"""Colorizing many files into a folder: skipping finished work, safe writes.

Rules that protect a user's data:
- every name is planned before any photo is computed (`colorizer.apps.planner`): no two
  outputs share a name, none is an input;
- an output or side file never replaces a file chronochrome did not write (unless
  `overwrite=True`): what we wrote is listed in `OUTDIR/.chronochrome-manifest.json` and the
  journal of its changes beside it (`colorizer.apps.output_manifest`);
- the output folder is written to (the manifest) before the first photo is computed, so an
  unwritable folder fails at once; one run at a time writes into it
  (`colorizer.apps.outdir_lock`): each keeps the whole manifest in memory and writes it
  whole now and then, so two would undo each other's entries;
- each photo's manifest entry is written as "pending", with every file it will write, before
  the files, and as "done" after them: a crash at any point leaves files the next run knows
  as its own and re-does (never refuses);
- a run that asks for fewer files than a finished entry with the same fingerprint wrote
  (`--report` dropped) skips the photo and keeps them all; a run that re-does a photo (other
  input, model or settings) removes the side files of the earlier run it does not write, and
  only those the manifest says we wrote: a report beside an image it does not describe
  would mislead an archive;
- outputs go to a temporary name and are renamed (`colorizer.apps.outputs`), created with
  the permissions the user's umask gives; the temporary files of a killed run are removed
  by the next (`colorizer.apps.outdir_lock.remove_left_temporaries`);
- one bad file is recorded as a failure and the batch goes on; Ctrl-C (and SIGTERM, SIGHUP:
  `colorizer.apps.stop_signals`) ends the batch with the summary of what was done
  (`BatchSummary.interrupted`), and so does a full or read-only output disk, an output
  folder gone mid-run or made unwritable for this user (`colorizer.apps.write_errors`: every
  later photo would fail the same way);
- a file already colorized from the same input bytes, model and settings is skipped
  (`colorizer.apps.stages.same_work`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from colorizer.apps.batch_summary import BatchItem, BatchSummary
from colorizer.apps.earlier_outputs import MANIFEST, EarlierOutputs, photo_identity
from colorizer.apps.outdir_lock import outdir_lock, remove_left_temporaries
from colorizer.apps.output_manifest import Manifest
from colorizer.apps.outputs import Signer, default_file_mode, write_files
from colorizer.apps.planner import PlannedOutput, find_sources, plan_outputs
from colorizer.apps.service.fetch import FetchConfig
from colorizer.apps.source import Source
from colorizer.apps.staged_image import discard_staged
from colorizer.apps.stages import (
    CAUGHT,
    Lanes,
    PhotoStages,
    Work,
    fail,
    same_work,
    sidecar_digest,
    torch_threads,
)
from colorizer.apps.unread_files import UnreadFiles
from colorizer.apps.write_errors import DISK_FIXES, OutputDiskError, write_error
from colorizer.errors import ChronochromeError
from colorizer.pipeline.color_hints import Hint
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import LoadedImage
from context.heap import release_freed_memory

FORMATS = ("jpg", "png", "tif", "webp")  # what a batch writes; suffixes, encoders: apps.outputs
# torch's threads for a batch on the CPU. One: two threads on the 2-core machine shared with
# other work spent 6.1 s of CPU (16 s wall) per 640-px photo with context, one thread 0.72 s
# (OpenMP threads spin-wait for a core); a Ray worker runs on one too, so the engines agree.
CPU_TORCH_THREADS = 1


class OutputConflictError(ChronochromeError):
    """Writing the output would destroy an input or a file we did not make."""

    reason = "conflict"


def already_done(entry: dict[str, Any] | None, loaded: LoadedImage, settings: dict[str, Any],
                 outdir: Path) -> bool:
    """The one place that decides "already colorized, skip": the manifest `entry` was
    finished ("done") from the same input bytes and sidecar captions with the same `settings`
    (`colorizer.apps.stages.settings_key`), and every file it lists is still there."""
    return (same_work(entry, loaded.sha256, sidecar_digest(loaded), settings)
            and all((outdir / name).is_file() for name in entry.get("files", [])))


def prepare_outdir(outdir: Path) -> Manifest:
    """Create OUTDIR and write its manifest: an unusable folder fails here, before any work."""
    try:
        create_outdir(outdir)
        manifest = Manifest(outdir)
        manifest.save()
    except OutputDiskError as exc:  # the manifest's own words are for a batch under way
        raise _unwritable(outdir, exc.__cause__) from exc.__cause__
    except OSError as exc:
        raise _unwritable(outdir, exc) from exc
    return manifest


def create_outdir(outdir: Path) -> None:
    """OUTDIR and its parents, made where missing (nothing written into it)."""
    if outdir.exists() and not outdir.is_dir():
        raise ChronochromeError(f"-o {outdir} is a file; -o takes a folder (new or existing)")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(outdir, exc) from exc


def _unwritable(outdir: Path, exc: OSError) -> ChronochromeError:
    # A full disk is not fixed by permissions: say which it is ("choose a folder you can
    # write to" sent people after their rights on a folder whose disk was full).
    fix = f"{DISK_FIXES[exc.errno]}, or " if exc.errno in DISK_FIXES else ""
    return ChronochromeError(f"cannot write into {outdir} ({exc.strerror or exc}); {fix}"
                             "choose a folder you can write to with -o")


class BatchColorizer:
    """Runs a pipeline over files, writing into one folder.

    `batch_size` photos go through the generator together and `threads` read and encode
    beside it (colorizer.apps.stages); None: 8 and 2 on a GPU, 1 and 0 (all in this thread,
    as fast on a 2-core CPU and the first photo soonest) on the CPU. `torch_threads`: torch's
    threads while the batch runs; None: 1 on the CPU (`CPU_TORCH_THREADS`), as set on a GPU."""

    prepared: Manifest | None = None  # `start_from`'s, for the next `run` (every engine)

    def __init__(self, pipeline: ColorizationPipeline, outdir: Path, fmt: str = "png",
                 report: bool = False, overwrite: bool = False,
                 exemplars: Sequence[UserExemplar] = (), batch_size: int | None = None,
                 threads: int | None = None, color_hints: Sequence[Hint] = (),
                 fetch: FetchConfig | None = None, torch_threads: int | None = None,
                 signer: Signer | None = None):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {list(FORMATS)}")
        self.pipeline = pipeline
        self.outdir = outdir
        self.fmt = fmt
        self.report = report
        self.overwrite = overwrite
        self.exemplars = list(exemplars)  # the user's reference photos, used for every input
        self.color_hints = tuple(color_hints)  # the colors the user knows, for every input
        self.fetch = fetch  # limits on fetching remote photos (CSV URLs, IIIF manifests)
        self.signer = signer  # C2PA-signs every output (colorizer.apps.c2pa_signing)
        gpu = pipeline.device.type == "cuda"
        self.batch_size = max(1, batch_size or (8 if gpu else 1))
        self.threads = (2 if gpu else 0) if threads is None else max(0, threads)
        self.torch_threads = torch_threads or (None if gpu else CPU_TORCH_THREADS)

    def start_from(self, manifest: Manifest) -> None:
        """Have the next `run` use `manifest`, which `prepare_outdir` wrote for it under the
        `outdir_lock` its caller holds until that run ends. The CLI prepares the folder before
        the model loads (one it cannot write is told at once); the run then wrote the base
        again, a second rewrite at the start of a manifest that may be megabytes."""
        if manifest.outdir != self.outdir:
            raise ValueError(f"the manifest of {manifest.outdir} given for {self.outdir}")
        self.prepared = manifest

    def plan(self, sources: Iterable[Path | str | Source], manifest: Manifest,
             unread: UnreadFiles | None = None) -> list[BatchItem]:
        """The items of `sources`, each output named; `unread` gathers the raws and PDFs the
        folders among them hold (`colorizer.apps.unread_files`)."""
        given = list(sources)
        paths = [s for s in given if not isinstance(s, Source)]
        found = find_sources(paths, manifest.owned_paths(), self.fetch, unread) if paths else []
        earlier = EarlierOutputs(self.outdir, manifest.entries)
        plans = plan_outputs([s for s in given if isinstance(s, Source)] + found,
                             self.outdir, self.fmt, earlier)
        moved = [p for p in plans if earlier.moved.get(p.key) is p.source]
        for p in moved:  # the photo lives here now: an edit of it later is still this photo
            manifest.set(p.key, {**manifest.entries[p.key], "input": str(p.source.path),
                                 "input_path": photo_identity(p.source)})
        return [BatchItem(p.source.url or p.source.path, p.image, plan=p) for p in plans]

    def run(self, sources: Iterable[Path | str | Source], hints: str | None = None,
            caption: str | None = None,
            on_item: Callable[[BatchItem], None] | None = None) -> BatchSummary:
        """Colorize `sources` (files, folders, CSV lists, IIIF manifests or planned
        `Source`s) into the folder. The raws, PDFs and suffixless images the folders hold
        are named in the summary (`BatchSummary.unread`, and its `notes()`)."""
        create_outdir(self.outdir)  # what the lock is taken on
        with outdir_lock(self.outdir) as held:  # read, updated and saved by this run alone
            manifest, self.prepared = self.prepared or prepare_outdir(self.outdir), None
            items = self.plan(sources, manifest, unread := UnreadFiles())
            summary = BatchSummary(items, unread=tuple(unread.lines()))
            if held:  # no run of ours writes here now: what a killed one left can go
                remove_left_temporaries(self.outdir, self._planned_names(summary.items))
            try:
                self._execute(summary.items, manifest, hints, caption, on_item)
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (apps.stop_signals)
                # What was written is complete and in the manifest; no traceback kept.
                summary.interrupted = exc.with_traceback(None)
            except OutputDiskError:  # its photo failed, saying so; the rest stay "pending"
                summary.stopped = True
            finally:  # written whole, its journal gone (a killed run's: the next run's start)
                manifest.finish()
        return summary

    def _planned_names(self, items: list[BatchItem]) -> list[str]:
        """The manifest and every file the plan may write, as paths under OUTDIR."""
        return [MANIFEST, *(path.relative_to(self.outdir).as_posix() for item in items
                            for path in (item.plan.image, *item.plan.sides.values()))]

    def _execute(self, items: list[BatchItem], manifest: Manifest, hints: str | None,
                 caption: str | None, on_item: Callable[[BatchItem], None] | None) -> None:
        """Compute and publish every item (this process; `RayBatchColorizer` overrides it)."""
        stages = PhotoStages(self.pipeline, self.fmt, self.report, self.exemplars, hints,
                             caption, self.color_hints, self.fetch, self.signer)
        stages.stage_under = self.outdir  # images encoded straight into it (staged_image.py)
        components = self.pipeline.context_fn or self.pipeline.exemplar_fn
        lanes = Lanes(self.threads, readers=1 if components else None)
        try:
            with torch_threads(self.torch_threads):
                self._flow(items, manifest, stages, lanes, on_item)
        except (KeyboardInterrupt, OutputDiskError):  # the photos not started never will be
            lanes.close(cancel=True)
            raise
        finally:
            lanes.close()

    def _flow(self, items: list[BatchItem], manifest: Manifest, stages: PhotoStages,
              lanes: Lanes, on_item: Callable[[BatchItem], None] | None) -> None:
        """Read, generate, encode and write, `batch_size` photos at a time. On threads the
        next batch is read and the last one encoded while the device runs this one."""
        chunks = [items[i:i + self.batch_size] for i in range(0, len(items), self.batch_size)]

        def read(chunk: list[BatchItem]) -> list[Future]:
            return [lanes.read(stages.read, self.work(item, manifest)) for item in chunk]

        reading, encoding = (read(chunks[0]) if chunks else []), []
        for n, _ in enumerate(chunks):
            works = [future.result() for future in reading]
            if lanes.threaded:
                reading = read(chunks[n + 1]) if n + 1 < len(chunks) else []
            stages.generate(works)
            self._publish(encoding, manifest, on_item)
            encoding = [lanes.encode(stages.encode, work) for work in works]
            if not lanes.threaded:  # inline: this batch is written before the next is read
                self._publish(encoding, manifest, on_item)
                encoding = []
                reading = read(chunks[n + 1]) if n + 1 < len(chunks) else []
        self._publish(encoding, manifest, on_item)

    def work(self, item: BatchItem, manifest: Manifest) -> Work:
        """An item's work, with its manifest entry when that entry's files are all there; an
        output that would replace a file we did not write fails it before any work."""
        entry = manifest.entries.get(item.plan.key)
        complete = entry and all((self.outdir / name).is_file()
                                 for name in entry.get("files", []))
        work = Work(item, entry if complete else None)
        try:
            sides = ([item.plan.sides[".json"], item.plan.sides[".uncertainty.png"]]
                     if self.report else [])
            self._check_targets([item.plan.image, *sides], manifest)
        except OutputConflictError as exc:
            fail(work, exc)
        return work

    def _publish(self, encoding: list[Future], manifest: Manifest,
                 on_item: Callable[[BatchItem], None] | None) -> None:
        """Write each encoded photo (in input order) and report every item."""
        for future in encoding:
            self.publish_one(future.result(), manifest, on_item)

    def publish_one(self, work: Work, manifest: Manifest,
                    on_item: Callable[[BatchItem], None] | None) -> None:
        """`publish`, then report the photo; a full or read-only disk stops the batch once the
        photo that met it is reported (every later one would fail the same way)."""
        try:
            self.publish(work, manifest)
        except OutputDiskError:
            if on_item:
                on_item(work.item)
            raise
        # The photo's buffers are freed by now, but glibc keeps them in its heap: after an
        # 8000x6000 photo the CLI stayed 300-400 MB above its small-photo level for the rest
        # of the batch (context/heap.py; tests/test_free_memory.py).
        release_freed_memory()
        if on_item:
            on_item(work.item)

    def publish(self, work: Work, manifest: Manifest) -> None:
        """Write a photo's encoded files with its manifest entry; the one writer of OUTDIR
        for every engine. A photo from a CSV list or a IIIF manifest records where it came
        from (`origin`: list and row, manifest and canvas, URL; what was fetched). A write
        that fails names the output (`write_errors`); a full or read-only disk raises
        `OutputDiskError` once the photo is marked failed."""
        item, start, stop = work.item, time.perf_counter(), None
        if not (work.active and work.files):
            discard_staged(work.files)  # a photo that failed once its image was staged
            return
        try:
            self._check_targets([path for path, _ in work.files], manifest)
            origin = {**dict(item.plan.source.origin), **work.fetched}
            self._write(item.plan, work.files, manifest,
                        {"input": str(item.source),
                         "input_path": photo_identity(item.plan.source),
                         "input_sha256": work.input_sha256,
                         "sidecar_sha256": work.sidecar_sha256, "settings": work.settings,
                         **({"origin": origin} if origin else {})})
            item.status = "done"
        except CAUGHT as exc:
            error = (write_error(exc, item.output, self.outdir) if isinstance(exc, OSError)
                     else exc)
            fail(work, error)
            stop = error if isinstance(error, OutputDiskError) else None
        discard_staged(work.files)  # what a conflict or a failed write left staged
        work.files = []
        item.seconds += time.perf_counter() - start
        if stop is not None:
            raise stop

    def _check_targets(self, paths: list[Path], manifest: Manifest) -> None:
        owned = manifest.owned()
        for path in paths:
            key = path.relative_to(self.outdir).as_posix()
            if (path.exists() or path.is_symlink()) and key not in owned and not self.overwrite:
                raise OutputConflictError(
                    f"{path} exists and was not written by chronochrome; move it away or pass "
                    "--overwrite")

    def _write(self, plan: PlannedOutput, files: list[tuple[Path, bytes]], manifest: Manifest,
               record: dict[str, Any]) -> None:
        """Pending entry, files, the earlier run's side files this one does not write (they
        describe another colorization) removed, done entry (module docstring)."""
        new = [path.relative_to(self.outdir).as_posix() for path, _ in files]
        old = manifest.files_of(plan.key) if plan.key in manifest.entries else []
        manifest.set(plan.key, {**record, "state": "pending",
                                "files": sorted(set(old) | set(new))})
        for path, _ in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_files(files, mode=default_file_mode())
        for stale in sorted(set(old) - set(new)):
            (self.outdir / stale).unlink(missing_ok=True)
        manifest.set(plan.key, {**record, "state": "done", "files": new})
