"""Colorizing many files into a folder: skipping finished work, safe writes.

Rules that protect a user's data:
- every name is planned before any photo is computed (`colorizer.apps.planner`): no two
  outputs share a name, none is an input;
- an output or side file never replaces a file chronochrome did not write (unless
  `overwrite=True`): what we wrote is listed in `OUTDIR/.chronochrome-manifest.json`;
- the output folder is written to (the manifest) before the first photo is computed, so an
  unwritable folder fails at once;
- each photo's manifest entry is written as "pending", with every file it will write, before
  the files, and as "done" after them: a crash at any point leaves files the next run knows
  as its own and re-does (never refuses);
- side files an earlier run wrote that this run does not (`--report` dropped) are removed,
  only when the manifest says we wrote them;
- outputs go to a temporary name and are renamed (`colorizer.apps.outputs`), created with
  the permissions the user's umask gives;
- one bad file is recorded as a failure and the batch goes on; Ctrl-C ends the batch with
  the summary of what was done (`BatchSummary.interrupted`);
- a file already colorized from the same input bytes, model and settings is skipped.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colorizer.apps.outputs import default_file_mode, encode_outputs, write_files
from colorizer.apps.planner import (
    PlannedOutput,
    Source,
    find_sources,
    plan_outputs,
    real_path,
)
from colorizer.errors import ChronochromeError, ImageNotFoundError
from colorizer.pipeline.captions import sidecar_captions
from colorizer.pipeline.color_hints import Hint, hint_key
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.image_pixels import NONFINITE_NOTE
from colorizer.pipeline.imageio import LoadedImage, load_image
from context.types import Caption

MANIFEST = ".chronochrome-manifest.json"
FORMATS = ("jpg", "png", "tif")  # what a batch writes; suffixes and encoders: apps.outputs


class OutputConflictError(ChronochromeError):
    """Writing the output would destroy an input or a file we did not make."""

    reason = "conflict"


@dataclass
class BatchItem:
    source: Path
    output: Path
    status: str = "pending"  # done | skipped | failed (pending: not reached)
    message: str = ""
    seconds: float = 0.0
    captions: tuple[Caption, ...] = ()  # the captions the context read, with their sources
    plan: PlannedOutput | None = field(default=None, repr=False)


@dataclass
class BatchSummary:
    items: list[BatchItem] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C stopped the batch; items not reached stay "pending"

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    @property
    def failed(self) -> list[BatchItem]:
        return [item for item in self.items if item.status == "failed"]


class Manifest:
    """What chronochrome wrote into one folder: output key -> entry (input, settings, files)."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.entries: dict[str, dict[str, Any]] = _read_json(outdir / MANIFEST)

    def files_of(self, key: str) -> list[str]:
        entry = self.entries.get(key) or {}
        return list(entry.get("files", [key]))  # manifests before "files" listed the image

    def owned(self) -> set[str]:
        return {name for key in self.entries for name in self.files_of(key)}

    def owned_paths(self) -> set[Path]:
        return {real_path(self.outdir / name) for name in self.owned()}

    def save(self) -> None:
        text = json.dumps(self.entries, indent=1, ensure_ascii=False).encode("utf-8")
        write_files([(self.outdir / MANIFEST, text)], mode=default_file_mode())


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError, UnicodeDecodeError):
        return {}  # a damaged manifest only costs re-doing work, never data
    return data if isinstance(data, dict) else {}


def sidecar_digest(loaded: LoadedImage) -> str | None:
    """SHA-256 of what the photo's sidecar files (NAME.txt/.json/.xmp) say, None without any:
    an edited caption changes the colors (context), so it must undo "already done"."""
    if loaded.path is None:
        return None
    captions, notes = sidecar_captions(Path(loaded.path))
    if not captions and not notes:
        return None  # as manifests written before sidecars counted: those stay done
    text = json.dumps([[c.text, c.source] for c in captions] + notes, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def already_done(entry: dict[str, Any] | None, loaded: LoadedImage, settings: dict[str, Any],
                 outdir: Path) -> bool:
    """The one place that decides "already colorized, skip": the manifest `entry` was
    finished ("done") from the same input bytes and sidecar captions with the same `settings`
    (`BatchColorizer._settings_key`), and every file it lists is still there."""
    return bool(entry and entry.get("state", "done") == "done"
                and entry.get("input_sha256") == loaded.sha256
                and entry.get("sidecar_sha256") == sidecar_digest(loaded)
                and entry.get("settings") == settings
                and all((outdir / name).is_file() for name in entry.get("files", [])))


def prepare_outdir(outdir: Path) -> Manifest:
    """Create OUTDIR and write its manifest: an unusable folder fails here, before any work."""
    if outdir.exists() and not outdir.is_dir():
        raise ChronochromeError(f"-o {outdir} is a file; -o takes a folder (new or existing)")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        manifest = Manifest(outdir)
        manifest.save()
    except OSError as exc:
        raise ChronochromeError(
            f"cannot write into {outdir} ({exc.strerror or exc}); choose a folder you can "
            "write to with -o") from exc
    return manifest


class BatchColorizer:
    """Runs a pipeline over files, writing into one folder."""

    def __init__(self, pipeline: ColorizationPipeline, outdir: Path, fmt: str = "png",
                 report: bool = False, overwrite: bool = False,
                 exemplars: Sequence[UserExemplar] = (), color_hints: Sequence[Hint] = ()):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {list(FORMATS)}")
        self.pipeline = pipeline
        self.outdir = outdir
        self.fmt = fmt
        self.report = report
        self.overwrite = overwrite
        self.exemplars = list(exemplars)  # the user's reference photos, used for every input
        self.color_hints = tuple(color_hints)  # the colors the user knows, for every input

    def _settings_key(self, hints: str | None, caption: str | None) -> dict[str, Any]:
        """Everything that changes what a run writes: the pipeline's fingerprint (weights,
        model config, operating point, every setting that changes colors) and this run's
        inputs and formats."""
        return {"fingerprint": self.pipeline.fingerprint, "hints": hints, "caption": caption,
                "format": self.fmt, "report": self.report,
                "exemplars": [e.sha256 for e in self.exemplars],
                # Only with hints, so outputs written before hints existed stay "done".
                **({"color_hints": [hint_key(h) for h in self.color_hints]}
                   if self.color_hints else {})}

    def plan(self, sources: Iterable[Path | Source], manifest: Manifest) -> list[BatchItem]:
        given = list(sources)
        paths = [s for s in given if not isinstance(s, Source)]
        found = find_sources(paths, skip=manifest.owned_paths()) if paths else []
        plans = plan_outputs([s for s in given if isinstance(s, Source)] + found,
                             self.outdir, self.fmt)
        return [BatchItem(p.source.path, p.image, plan=p) for p in plans]

    def run(self, sources: Iterable[Path | Source], hints: str | None = None,
            caption: str | None = None,
            on_item: Callable[[BatchItem], None] | None = None) -> BatchSummary:
        """Colorize `sources` (files, folders or planned `Source`s) into the folder."""
        manifest = prepare_outdir(self.outdir)
        summary = BatchSummary(self.plan(sources, manifest))
        settings = self._settings_key(hints, caption)
        try:
            for item in summary.items:
                self._process(item, manifest, settings, hints, caption)
                if on_item:
                    on_item(item)
        except KeyboardInterrupt:
            summary.interrupted = True  # what was written is complete and in the manifest
        return summary

    def _process(self, item: BatchItem, manifest: Manifest, settings: dict[str, Any],
                 hints: str | None, caption: str | None) -> None:
        start, plan = time.perf_counter(), item.plan
        try:
            if plan.source.problem:
                raise ImageNotFoundError(str(item.source), plan.source.problem,
                                         "fix or remove the link")
            loaded = load_image(item.source, max_pixels=self.pipeline.config.max_pixels)
            if already_done(manifest.entries.get(plan.key), loaded, settings, self.outdir):
                item.status, item.message = "skipped", "already colorized from the same input and model"
                return
            sides = [plan.sides[".json"], plan.sides[".uncertainty.png"]] if self.report else []
            self._check_targets([plan.image, *sides], manifest)  # before the work
            pipeline, size_note = self._pipeline_for(loaded)
            result = pipeline(loaded, hints=hints, caption=caption, exemplars=self.exemplars,
                              color_hints=self.color_hints)
            files = encode_outputs(result, plan.image, self.fmt, report=self.report).files
            self._check_targets([path for path, _ in files], manifest)
            self._write(plan, files, manifest, {"input": str(item.source),
                                                "input_sha256": loaded.sha256,
                                                "sidecar_sha256": sidecar_digest(loaded),
                                                "settings": settings})
            item.status = "done"
            item.captions = result.context.captions
            notes = [*result.notes, *(n for n in loaded.notes if NONFINITE_NOTE in n)]
            item.message = "; ".join(notes + ([size_note] if size_note else []))
        except ChronochromeError as exc:
            item.status, item.message = "failed", str(exc)
        except MemoryError:
            item.status, item.message = "failed", (
                f"{item.source}: not enough memory for this photo; downscale it or lower "
                "--render-size")
        except (OSError, ValueError, RuntimeError) as exc:
            item.status, item.message = "failed", f"{item.source}: {type(exc).__name__}: {exc}"
        finally:
            item.seconds = time.perf_counter() - start

    def _pipeline_for(self, loaded: LoadedImage) -> tuple[ColorizationPipeline, str]:
        """The pipeline for this photo: a render size above both the photo's long side and
        the model's operating point would only upsample it (slower, more memory, no detail)."""
        pipe, long_side = self.pipeline, max(loaded.size)
        limit = max(long_side, pipe.saved_decoding.render_size)
        if pipe.render_size <= limit:
            return pipe, ""
        note = (f"render size lowered from {pipe.render_size} to {limit} px "
                f"(the photo's long side is {long_side} px)")
        return pipe.with_config(render_size=limit), note

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
        """Pending entry, files, stale side files removed, done entry (module docstring)."""
        new = [path.relative_to(self.outdir).as_posix() for path, _ in files]
        old = manifest.files_of(plan.key) if plan.key in manifest.entries else []
        manifest.entries[plan.key] = {**record, "state": "pending",
                                      "files": sorted(set(old) | set(new))}
        manifest.save()
        for path, _ in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_files(files, mode=default_file_mode())
        for stale in sorted(set(old) - set(new)):
            (self.outdir / stale).unlink(missing_ok=True)
        manifest.entries[plan.key] = {**record, "state": "done", "files": new}
        manifest.save()
