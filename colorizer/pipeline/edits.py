"""Fast edits: what one colorization computed before its color hints, kept for the next call.

Adding a hint to a photo changes only step 7 (the hints) and the conversion to RGB; the
context (OCR, scene cues), retrieval, the generator's encoder features and colors, the
exemplar transfer and the edge-aware merge are the same as before. `ColorizationPipeline`
keeps the last few of those (`BaseRun`) under a key of everything they depend on: the photo's
bytes (or pixels) and name, the captions the context reads (the user's, the file's, its
sidecar's, its name), the text hint, the user's exemplars and the pipeline's fingerprint
(weights, operating point, settings). A call whose key matches reuses them.

Only small things are kept: the working-resolution colors (long side <= 1024 px) and the
generator's outputs at the render size, never full-resolution arrays, so a cached 50-megapixel
photo costs tens of megabytes, not gigabytes. The one exception is the decode of the photo
being edited, kept from its first edit on so that the next ones do not decode the file again
(edit_decode.py): one photo at most, let go with its run.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import torch

from colorizer.pipeline.edit_decode import HeldDecode, held_decode, reused_decode
from colorizer.pipeline.exemplar_cells import descriptors_of
from colorizer.pipeline.exemplar_step import ExemplarColors, Prediction
from colorizer.pipeline.guidance import Guidance, UserExemplar
from colorizer.pipeline.hint_spread import SpreadMemo
from colorizer.pipeline.imageio import LoadedImage
from context.types import Caption, SceneContext

EDIT_CACHE_SIZE = 2  # photos kept: the one being edited, and one more (a before/after pair)


@dataclass
class BaseRun:
    """Steps 2-6 of one photo: everything an edit with other color hints reuses."""

    context: SceneContext
    notes: tuple[str, ...]  # what the run did not use and why (hint, captions)
    guidance: Guidance
    prediction: Prediction
    colors: ExemplarColors
    chroma_scale: float
    ab_work: torch.Tensor  # (1, 2, h', w') merged chroma at the edge filter's working size
    guide_work: torch.Tensor  # (1, 1, h', w') L* at that size
    kept: torch.Tensor | None = None  # (h', w') bool: the surround kept as scanned (surround.py)
    _spread: SpreadMemo | None = field(default=None, repr=False)
    # The figures of the full-size maps (uncertainty, context region) that every result of this
    # run shares: hints change neither map, so an edit's report does not summarize them again
    # (ColorizationResult.map_figure).
    map_figures: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def spread(self) -> SpreadMemo:
        """What spreading color hints over this photo computed, for the next edit (built on
        the first hinted run: the descriptors at the spread grid and each point's distance
        were most of an edit's cost)."""
        if self._spread is None:
            self._spread = SpreadMemo(partial(descriptors_of, self.prediction.features))
        return self._spread


def edit_key(loaded: LoadedImage, hints: str | None, caption: str | None,
             user: Sequence[UserExemplar], fingerprint: str,
             captions: Sequence[Caption] = ()) -> str:
    """What a `BaseRun` depends on, as one hex digest (`captions`: those the context reads)."""
    digest = hashlib.sha256()
    photo = loaded.sha256 or _pixels_digest(loaded.pixels)
    # By content and name: the report names each exemplar as given, so the same picture
    # under another name is not the earlier run's (it reported the earlier name).
    exemplars = [f"{e.sha256 or hashlib.sha256(e.image.tobytes()).hexdigest()}:{e.name}"
                 for e in user]
    # The name too: the pipeline reads a file's name (and its sidecar) as a caption, so the
    # same bytes as "Paris_1925.png" after "Moscow_1950.png" took Moscow's context.
    for part in (photo, loaded.name, loaded.path or "", str(loaded.size), hints or "",
                 caption or "", *exemplars, fingerprint,
                 *(f"{c.source}:{c.text}" for c in captions)):
        digest.update(part.encode("utf-8", "surrogateescape"))  # a Latin-1 disk's names
        digest.update(b"\x00")
    return digest.hexdigest()


def _pixels_digest(pixels: np.ndarray) -> str:
    """A photo given without bytes (a PIL image, an array) by its compact pixels, read in
    place: hashing `loaded.rgb` made a float copy of the photo (588 MB at 49 MP) per call."""
    digest = hashlib.sha256(f"{pixels.dtype}{pixels.shape}".encode())
    digest.update(memoryview(np.ascontiguousarray(pixels)).cast("B"))
    return digest.hexdigest()


class EditCache:
    """The last `size` `BaseRun`s by key; safe to share between the service's threads."""

    def __init__(self, size: int = EDIT_CACHE_SIZE) -> None:
        self.size = size
        self._runs: OrderedDict[str, BaseRun] = OrderedDict()
        self._decoded: HeldDecode | None = None  # the edited photo's decode (edit_decode.py)
        self._lock = threading.Lock()

    def get(self, key: str, edited: tuple[Any, int, LoadedImage] | None = None
            ) -> BaseRun | None:
        """The run under `key`; `edited`: (the photo as given, the pixel cap, its decode),
        whose decode is kept for the next edit when the run is found (an edit)."""
        with self._lock:
            run = self._runs.get(key)
            if run is not None:
                self._runs.move_to_end(key)
                if edited is not None:
                    self._decoded = held_decode(key, *edited)
            return run

    def decoded(self, image: Any, max_pixels: int) -> LoadedImage | None:
        """The kept decode of `image` where it is the photo being edited, unchanged; else
        None, and the kept one (another photo's, or an older version's) is let go first, so
        that it is freed before this photo is decoded."""
        with self._lock:
            held = self._decoded
        reused = reused_decode(image, max_pixels, held)
        if reused is None and held is not None:
            with self._lock:
                if self._decoded is held:
                    self._decoded = None
        return reused

    @property
    def held_bytes(self) -> int:
        """Bytes of the kept decode's pixels (0: none kept)."""
        held = self._decoded
        return held.loaded.pixels.nbytes if held is not None else 0

    def clear(self) -> None:
        """Forget every run (a benchmark timing fresh runs of one photo clears it each time)."""
        with self._lock:
            self._runs.clear()
            self._decoded = None

    def put(self, key: str, run: BaseRun) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._runs[key] = run
            self._runs.move_to_end(key)
            while len(self._runs) > self.size:
                gone, _ = self._runs.popitem(last=False)
                if self._decoded is not None and self._decoded.edit_key == gone:
                    self._decoded = None
