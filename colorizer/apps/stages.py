"""The stages a photo goes through in a batch, shared by the local engine and Ray's workers.

    read      load the file; skip it when its manifest entry says it is done from the same
              input and settings; steps 1-3 of the pipeline (context, guidance)
    generate  step 4 for many photos at once: the generator on the device
    encode    steps 5-6 and the encoded files (the image with its provenance, the report)

Each stage records a photo's failure on its item and the batch goes on. Writing (the manifest
and the files) is not a stage: it stays with the one process that owns OUTDIR
(`colorizer.apps.batch.BatchColorizer`), whichever engine computed the files.

`Lanes` runs read and encode inline (the default on a CPU, where threads only compete for
the cores) or on threads, so the next photos are read and the last ones encoded while the
device runs the generator.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colorizer.apps.collection_inputs import with_trust_fix
from colorizer.apps.outputs import FileData, Signer, encode_outputs
from colorizer.apps.service.fetch import AddressRefused, FetchConfig, SafeFetcher
from colorizer.apps.service.iiif import fetch_iiif_image
from colorizer.apps.source import Source
from colorizer.apps.vanished_inputs import vanished
from colorizer.apps.write_errors import OutputDiskError
from colorizer.errors import ChronochromeError, ImageLoadError, ImageNotFoundError
from colorizer.pipeline.batching import PreparedPhoto
from colorizer.pipeline.captions import CatalogueCaption, sidecar_captions
from colorizer.pipeline.color_hints import Hint, hint_key
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.deep_pixels import more_than_8_bits, output_depth
from colorizer.pipeline.exemplar_step import Prediction
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import LoadedImage, load_image, shown_notes
from colorizer.pipeline.photo_list import PER_PHOTO
from colorizer.pipeline.provenance import IMAGE_FORMATS, normalize_format

_log = logging.getLogger(__name__)


def settings_key(pipeline: ColorizationPipeline, hints: str | None, caption: str | None,
                 fmt: str, report: bool, exemplars: Sequence[UserExemplar],
                 color_hints: Sequence[Hint] = (), signed: bool = False) -> dict[str, Any]:
    """Everything that changes what a run writes: the pipeline's fingerprint (weights, model
    config, operating point, precision, every setting that changes colors) and this run's
    inputs and formats. A manifest entry with other settings is re-done; one with the report
    is done for a run without it (`same_work`). `signed`: C2PA-signed (an unsigned output is
    not "done" for a run that signs)."""
    return {"fingerprint": pipeline.fingerprint, "hints": hints, "caption": caption,
            "format": fmt, "report": report, "exemplars": [e.sha256 for e in exemplars],
            # Only with hints, so outputs written before hints existed stay "done".
            **({"color_hints": [hint_key(h) for h in color_hints]} if color_hints else {}),
            **({"c2pa": True} if signed else {})}


def deep_output_setting(loaded: LoadedImage, fmt: str) -> dict[str, Any]:
    """{"bits": 16} when the output is written at 16 bits a channel (a 16-bit master as PNG
    or TIFF), else nothing: an output an earlier version wrote at 8 bits from the master is
    not "already done", and 8-bit photos keep the settings they had."""
    deep = more_than_8_bits(loaded)
    bits, _ = output_depth(deep, IMAGE_FORMATS[normalize_format(fmt)][0], None)
    return {"bits": 16} if bits == 16 else {}


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


def same_work(entry: dict[str, Any] | None, input_sha256: str, sidecar_sha256: str | None,
              settings: dict[str, Any]) -> bool:
    """A finished ("done") manifest entry from the same input bytes, sidecar captions
    (`sidecar_digest`) and settings, that wrote every file `settings` asks for: a run with
    the report covers one without it (asking for fewer files than exist is a skip)."""
    return bool(entry and entry.get("state", "done") == "done"
                and entry.get("input_sha256") == input_sha256
                and entry.get("sidecar_sha256") == sidecar_sha256
                and _covers(entry.get("settings"), settings))


def _covers(done: Any, wanted: dict[str, Any]) -> bool:
    """`done` settings colored the photo as `wanted` would and wrote at least its files."""
    if not isinstance(done, dict):
        return False
    same = {k: v for k, v in done.items() if k != "report"} == {
        k: v for k, v in wanted.items() if k != "report"}
    return same and (bool(done.get("report")) or not wanted.get("report"))


@dataclass
class Work:
    """One photo on its way through the stages. `item` is a `BatchItem`: its status, message,
    captions and seconds are filled in here; `entry` is its manifest entry when every file
    the entry lists is still there (else None: nothing to skip)."""

    item: Any
    entry: dict[str, Any] | None = None
    pipeline: ColorizationPipeline | None = None
    prepared: PreparedPhoto | None = None
    prediction: Prediction | None = None
    input_sha256: str = ""
    sidecar_sha256: str | None = None  # sidecar_digest: the manifest entry keeps it
    settings: dict[str, Any] = field(default_factory=dict)  # settings_key of this photo
    fetched: dict[str, Any] = field(default_factory=dict)  # a remote photo: what was fetched
    files: list[FileData] = field(default_factory=list)  # encoded, not yet written

    @property
    def active(self) -> bool:
        return self.item.status == "pending"


def fail(work: Work, exc: BaseException) -> None:
    """Record why a photo failed, in words a user can act on; the batch goes on. An error we
    did not raise on purpose keeps its traceback in the log (`-v` prints it)."""
    source = work.item.source
    if isinstance(exc, ChronochromeError):  # named by its photo, once (most name it already;
        # a disk that stops the batch is the batch's, not the photo's)
        message = (str(exc) if isinstance(exc, OutputDiskError) or _names(str(exc), str(source))
                   else f"{source}: {exc}")
    elif isinstance(exc, MemoryError):
        message = (f"{source}: not enough memory for this photo; downscale it or lower "
                   "--render-size")
    elif isinstance(exc, PER_PHOTO):
        message = f"{source}: {_what(exc)}"
    else:
        message = (f"{source}: could not be colorized (internal error: {_what(exc)}); the "
                   "other photos went on. Please report it with the traceback that -v prints")
    if not isinstance(exc, ChronochromeError):
        _log.debug("%s failed", source, exc_info=exc)
    work.item.status, work.item.message = "failed", message + _listed_at(work.item.plan)


def _names(message: str, source: str) -> bool:
    """Whether `message` names the photo `source` (its path, or its file name)."""
    return source in message or source.replace("\\", "/").rsplit("/", 1)[-1] in message


def _what(exc: BaseException) -> str:
    """"KeyError: 'x'", or the type alone when the error says nothing more."""
    said = str(exc)
    return f"{type(exc).__name__}: {said}" if said else type(exc).__name__


def _listed_at(plan: Any) -> str:
    """" (row N of LIST)" for a CSV list's photo, whose own problems (`Source.problem`)
    already name their row: every failure of a row says which row to fix."""
    source = plan.source if plan is not None else None
    origin = dict(source.origin) if source is not None else {}
    if "row" not in origin or "list" not in origin or source.problem:
        return ""
    return f" (row {origin['row']} of {origin['list']})"


# What counts as one photo's failure (a batch goes on past it): what the Python API's list
# call catches (colorizer.pipeline.photo_list.PER_PHOTO) and any other Exception. A bug that
# one damaged file sets off (a KeyError in a decoder plugin, a TypeError on a field of an odd
# type) ended a whole night's batch with a traceback; now it costs that photo, said as an
# internal error (`fail`). Ctrl-C and SystemExit are no Exceptions: they still stop it.
CAUGHT = (Exception,)


class PhotoStages:
    """The stages of one run: one pipeline, one format, one set of exemplars and of color
    hints for all; the run's hint and caption unless a photo has its own (a CSV column, a
    canvas label). `fetch`: the limits on fetching remote photos; `signer`: C2PA-signs each
    output (a photo whose signature fails is that photo's failure)."""

    def __init__(self, pipeline: ColorizationPipeline, fmt: str, report: bool,
                 exemplars: Sequence[UserExemplar], hints: str | None, caption: str | None,
                 color_hints: Sequence[Hint] = (), fetch: FetchConfig | None = None,
                 signer: Signer | None = None):
        self.pipeline, self.fmt, self.report, self.signer = pipeline, fmt, report, signer
        self.exemplars, self.hints, self.caption = list(exemplars), hints, caption
        self.color_hints = tuple(color_hints)
        self.fetch = fetch
        self._fetcher: SafeFetcher | None = None  # made at the first remote photo
        # OUTDIR, where images are written beside their targets as encoded (staged_image.py):
        # the local batch, which writes it itself; a Ray worker sends bytes to the driver.
        self.stage_under: Path | None = None

    def settings_for(self, source: Source) -> dict[str, Any]:
        """The photo's `settings_key`: its own hint and caption, else the run's."""
        return settings_key(self.pipeline, source.hint or self.hints, self.caption_for(source),
                            self.fmt, self.report, self.exemplars, self.color_hints,
                            signed=self.signer is not None)

    def caption_for(self, source: Source) -> str | None:
        """The photo's caption: its own (a CSV row's, a canvas's), else the run's; a row's
        date and place columns without a caption column go with the run's caption (they
        replaced it, and the run's caption was not read)."""
        own = source.caption
        if isinstance(own, CatalogueCaption) and not own.replaces and self.caption:
            return own.with_caption(self.caption)
        return own or self.caption

    def read(self, work: Work) -> Work:
        start, source = time.perf_counter(), work.item.plan.source
        work.settings = self.settings_for(source)
        try:
            if source.problem:
                raise ImageNotFoundError(source.label, source.problem, source.fix)
            loaded = self._load(work)
            work.input_sha256 = loaded.sha256
            work.sidecar_sha256 = sidecar_digest(loaded)
            work.settings |= deep_output_setting(loaded, self.fmt)
            if same_work(work.entry, loaded.sha256, work.sidecar_sha256, work.settings):
                work.item.status = "skipped"
                work.item.message = "already colorized from the same input and model"
            else:
                # A render size above a small photo is lowered where every interface's is, in
                # `prepare` (render_size_rule.py); its note comes back in the result's notes.
                work.pipeline = self.pipeline
                work.prepared = work.pipeline.prepare(
                    loaded, source.hint or self.hints, self.caption_for(source),
                    self.exemplars, self.color_hints)
        except CAUGHT as exc:
            fail(work, exc)
        work.item.seconds += time.perf_counter() - start
        return work

    def _load(self, work: Work) -> LoadedImage:
        """The photo's pixels: its file, or its URL fetched (size-capped, public addresses
        only; from its IIIF Image API service at the largest size within the pixel cap)."""
        source, max_pixels = work.item.plan.source, self.pipeline.config.max_pixels
        if not source.url:
            try:
                return load_image(source.path, max_pixels=max_pixels)
            except ImageLoadError as exc:  # gone since the plan found it: say so
                gone = vanished(source.path, exc)
                if gone is None:
                    raise
                raise gone from exc
        if self._fetcher is None:
            self._fetcher = SafeFetcher(self.fetch)
        try:
            if source.service:
                data, work.fetched = fetch_iiif_image(source.service, self._fetcher, max_pixels)
            else:
                got = self._fetcher.get(source.url, accept="image/*")
                data, work.fetched = got.data, {"kind": "url", "url": source.url,
                                                "fetched": got.url}
        except AddressRefused as exc:  # a batch's fetches are the CLI's: name its flag
            raise with_trust_fix(exc) from exc
        return load_image(data, max_pixels=max_pixels, name=source.url)

    def generate(self, works: Sequence[Work]) -> None:
        """The generator on every active photo, batched per pipeline; a batch that fails is
        retried photo by photo, so one photo's failure is its own."""
        start = time.perf_counter()
        active = [w for w in works if w.active and w.prepared is not None]
        for pipeline in {id(w.pipeline): w.pipeline for w in active}.values():
            group = [w for w in active if w.pipeline is pipeline]
            try:
                predictions = pipeline.predict([w.prepared for w in group])
            except CAUGHT:
                predictions = [self._predict_one(w) for w in group]
            for work, prediction in zip(group, predictions):
                work.prediction = prediction
        share = (time.perf_counter() - start) / max(1, len(active))
        for work in active:
            work.item.seconds += share

    def _predict_one(self, work: Work) -> Prediction | None:
        try:
            return work.pipeline.predict([work.prepared])[0]
        except CAUGHT as exc:
            fail(work, exc)
            return None

    def encode(self, work: Work) -> Work:
        start = time.perf_counter()
        try:
            if work.active and work.prediction is not None:
                result = work.pipeline.finish(work.prepared, work.prediction)
                loaded_notes = work.prepared.loaded.notes
                # The input's pixels (108 MB of uint8, or 216 MB of uint16 for a 16-bit
                # scan of 108 MP) and its tensors are not read again: let go before encoding.
                work.prepared = work.prediction = None
                work.files = encode_outputs(result, work.item.plan.image, self.fmt,
                                            report=self.report, signer=self.signer,
                                            stage_under=self.stage_under).files
                work.item.captions = result.context.captions
                notes = [*shown_notes(loaded_notes), *result.notes]  # what was read first
                work.item.message = "; ".join(notes)
        except CAUGHT as exc:
            fail(work, exc)
        work.prepared = work.prediction = None  # the photo's tensors are no longer needed
        work.item.seconds += time.perf_counter() - start
        return work


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """torch's intra-op threads set to `count` (None: unchanged) while the block runs."""
    import torch

    before = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Lanes:
    """Where read and encode run: inline (`threads=0`) or on threads (`readers` for read,
    `threads` for encode). Context and retrieval components are not thread-safe (OCR), so a
    pipeline with them gets one reader thread."""

    def __init__(self, threads: int, readers: int | None = None):
        self.threaded = threads > 0
        self._read = (ThreadPoolExecutor(readers or threads, thread_name_prefix="read")
                      if self.threaded else None)
        self._encode = (ThreadPoolExecutor(threads, thread_name_prefix="encode")
                        if self.threaded else None)

    def read(self, fn: Callable[[Work], Work], work: Work) -> Future:
        return self._submit(self._read, fn, work)

    def encode(self, fn: Callable[[Work], Work], work: Work) -> Future:
        return self._submit(self._encode, fn, work)

    @staticmethod
    def _submit(pool: ThreadPoolExecutor | None, fn: Callable[[Work], Work],
                work: Work) -> Future:
        if pool is not None:
            return pool.submit(fn, work)
        done: Future = Future()
        done.set_result(fn(work))  # inline: Ctrl-C reaches the caller at once
        return done

    def close(self, cancel: bool = False) -> None:
        for pool in (self._read, self._encode):
            if pool is not None:
                pool.shutdown(wait=not cancel, cancel_futures=cancel)
