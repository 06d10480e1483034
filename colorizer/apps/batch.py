"""Colorizing many files into a folder: naming, skipping finished work, safe writes.

Rules that protect a user's data:
- an output never replaces an input file, nor a file chronochrome did not write (unless
  `overwrite=True`);
- outputs are written to a temporary name and renamed, so a crash never leaves half a file
  (`colorizer.apps.outputs`, the same writer the HTTP service uses);
- one bad file is recorded as a failure and the batch goes on;
- a file already colorized from the same input bytes, model and settings is skipped, which
  is recorded in `OUTDIR/.chronochrome-manifest.json`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colorizer.apps.outputs import encode_outputs, image_suffix, write_files
from colorizer.errors import ChronochromeError
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.guidance import UserExemplar
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
    status: str = "pending"  # done | skipped | failed
    message: str = ""
    seconds: float = 0.0
    captions: tuple[Caption, ...] = ()  # the captions the context read, with their sources


@dataclass
class BatchSummary:
    items: list[BatchItem] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    @property
    def failed(self) -> list[BatchItem]:
        return [item for item in self.items if item.status == "failed"]


def plan_outputs(sources: list[Path], outdir: Path, fmt: str) -> list[BatchItem]:
    """One output path per source; sources sharing a stem keep their suffix in the name."""
    suffix = image_suffix(fmt)
    stems: dict[str, int] = {}
    for src in sources:
        stems[src.stem] = stems.get(src.stem, 0) + 1
    items = []
    for src in sources:
        stem = src.stem if stems[src.stem] == 1 else f"{src.stem}_{src.suffix.lstrip('.')}"
        items.append(BatchItem(source=src, output=outdir / f"{stem}{suffix}"))
    return items


def _read_manifest(outdir: Path) -> dict[str, Any]:
    path = outdir / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, OSError):
        return {}  # a damaged manifest only costs re-doing work, never data


def already_done(entry: dict[str, Any] | None, loaded: LoadedImage, settings: dict[str, Any],
                 output: Path) -> bool:
    """The one place that decides "already colorized, skip": the manifest `entry` of `output`
    was made from the same input bytes with the same `settings` (`BatchColorizer._settings_key`),
    and the output is still there."""
    return bool(entry and entry.get("input_sha256") == loaded.sha256
                and entry.get("settings") == settings and output.is_file())


class BatchColorizer:
    """Runs a pipeline over files, writing into one folder."""

    def __init__(self, pipeline: ColorizationPipeline, outdir: Path, fmt: str = "png",
                 report: bool = False, overwrite: bool = False,
                 exemplars: Sequence[UserExemplar] = ()):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {list(FORMATS)}")
        self.pipeline = pipeline
        self.outdir = outdir
        self.fmt = fmt
        self.report = report
        self.overwrite = overwrite
        self.exemplars = list(exemplars)  # the user's reference photos, used for every input

    def _settings_key(self, hints: str | None, caption: str | None) -> dict[str, Any]:
        """Everything that changes what a run writes: the pipeline's fingerprint (weights,
        model config, operating point, every setting that changes colors) and this run's
        inputs and formats."""
        return {"fingerprint": self.pipeline.fingerprint, "hints": hints, "caption": caption,
                "format": self.fmt, "report": self.report,
                "exemplars": [e.sha256 for e in self.exemplars]}

    def run(self, sources: Iterable[Path], hints: str | None = None, caption: str | None = None,
            on_item: Callable[[BatchItem], None] | None = None) -> BatchSummary:
        sources = list(sources)
        self.outdir.mkdir(parents=True, exist_ok=True)
        manifest = _read_manifest(self.outdir)
        inputs = {p.resolve() for p in sources}
        summary = BatchSummary(plan_outputs(sources, self.outdir, self.fmt))
        settings = self._settings_key(hints, caption)
        for item in summary.items:
            self._process(item, inputs, manifest, settings, hints, caption)
            if item.status == "done":
                write_files([(self.outdir / MANIFEST, json.dumps(manifest, indent=1).encode())])
            if on_item:
                on_item(item)
        return summary

    def _process(self, item: BatchItem, inputs: set[Path], manifest: dict[str, Any],
                 settings: dict[str, Any], hints: str | None, caption: str | None) -> None:
        start = time.perf_counter()
        try:
            loaded = load_image(item.source, max_pixels=self.pipeline.config.max_pixels)
            entry = manifest.get(item.output.name)
            if already_done(entry, loaded, settings, item.output):
                item.status, item.message = "skipped", "already colorized from the same input and model"
                return
            self._check_target(item.output, inputs, made_by_us=entry is not None)
            result = self.pipeline(loaded, hints=hints, caption=caption, exemplars=self.exemplars)
            write_files(encode_outputs(result, item.output, self.fmt, report=self.report).files)
            manifest[item.output.name] = {"input": str(item.source), "input_sha256": loaded.sha256,
                                          "settings": settings}
            item.status = "done"
            item.captions = result.context.captions
            item.message = "; ".join(result.notes)  # e.g. a hint that was not understood
        except ChronochromeError as exc:
            item.status, item.message = "failed", str(exc)
        except (OSError, ValueError, RuntimeError) as exc:
            item.status, item.message = "failed", f"{item.source}: {type(exc).__name__}: {exc}"
        finally:
            item.seconds = time.perf_counter() - start

    def _check_target(self, output: Path, inputs: set[Path], made_by_us: bool) -> None:
        if output.resolve() in inputs:
            raise OutputConflictError(
                f"{output}: writing here would overwrite an input photo; choose another -o folder"
            )
        if output.exists() and not made_by_us and not self.overwrite:
            raise OutputConflictError(
                f"{output} exists and was not written by chronochrome; move it away or pass "
                "--overwrite"
            )
