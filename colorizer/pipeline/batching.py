"""Running the generator on many photos at once: grouping, precision, memory layout, compile.

The pipeline's steps 1-3 (load, context, guidance) and 5-6 (exemplar transfer, merge) are per
photo; step 4, the generator, is where a GPU wants batches. Photos are batched when they can
share one forward pass without changing any photo's colors:
- the same render shape (convolutions see no padding another photo would bring) and the same
  conditioning length (the user's exemplars, the same for a whole run); a small photo's
  render size lowered by render_size_rule.py gives it another shape, so another batch;
- the same chroma scale, so the batch decodes in one call.
Every layer of the generator is per-sample at inference (batch norm uses frozen statistics),
so a photo's colors in a batch equal its colors alone within float tolerance
(tests/test_batching.py).

Precision: "auto" is bf16 autocast on a CUDA device that supports it and fp32 elsewhere (on
the 2-core CPU bf16 is slower, not faster). Logits and feature maps leave the autocast region
as float32: decoding, the balance head and the exemplar transfer always run in fp32.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from colorizer.model.generator import ColorGenerator
from colorizer.pipeline.captions import PhotoCaptions
from colorizer.pipeline.color_hints import Hint
from colorizer.pipeline.edits import BaseRun
from colorizer.pipeline.exemplar_step import Prediction
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.guidance import Guidance, UserExemplar
from colorizer.pipeline.imageio import LoadedImage
from context.types import SceneContext
from retrieval.types import RetrievedExemplar

log = logging.getLogger(__name__)

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
# Photos per forward pass unless the caller says (GPU memory: ~0.1 GB each at 512 px): a list
# given to the Python API runs in passes of at most this many; the command line's --batch-size
# sets the pass instead (PipelineSpec.max_batch, colorizer.apps.engines.make_batch).
DEFAULT_MAX_BATCH = 16


@dataclass
class PreparedPhoto:
    """One photo after steps 1-3: what the generator needs and what the result reports."""

    loaded: LoadedImage
    # (1, 1, H, W) L* at full resolution, on the CPU: `lightness`; let go for the merge
    full_lightness: FullLightness
    small: torch.Tensor  # (1, 1, rh, rw) L* at the render size, on the CPU
    context: SceneContext
    captions: PhotoCaptions
    user: list[UserExemplar]
    retrieved: list[RetrievedExemplar]
    guidance: Guidance
    chroma_scale: float
    hints: str | None = None
    caption: str | None = None
    hint_note: str | None = None  # a hint with no era or place in it: reported, not used
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage so far
    color_hints: tuple[Hint, ...] = ()  # checked against the photo (color_hints.check_hints)
    references: dict[int, UserExemplar] = field(default_factory=dict)  # reference hints' photos
    edit_key: str = ""  # what steps 2-6 depend on (colorizer.pipeline.edits)
    fingerprint: str = ""  # the pipeline's at `render_size`, when prepared (`fingerprint_at`)
    # The long side `small` was rendered at: the pipeline's render size, lowered for a photo
    # smaller than it and the operating point (render_size_rule.py), which `render_note` says.
    render_size: int = 0
    render_note: str = ""
    base: BaseRun | None = None  # steps 2-6 from the edit cache: steps 3-6 are not re-run

    @property
    def lightness(self) -> torch.Tensor:
        return self.full_lightness.tensor


class Stopwatch:
    """Seconds per pipeline stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self._last = now - self._last, now


def resolve_precision(precision: str, device: torch.device) -> str:
    """'auto' -> 'bf16' on a CUDA device with bf16, else 'fp32'; an explicit one is checked."""
    if precision == "auto":
        cuda_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
        return "bf16" if cuda_bf16 else "fp32"
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: use auto, fp32, bf16 or fp16")
    if precision == "fp16" and device.type != "cuda":
        raise ValueError("precision fp16 needs a CUDA device; use fp32 or bf16 on the CPU")
    return precision


def groups(count: int, key: Callable[[int], Hashable]) -> list[list[int]]:
    """Indices 0..count-1 grouped by `key`, groups in order of first appearance."""
    found: dict[Hashable, list[int]] = {}
    for i in range(count):
        found.setdefault(key(i), []).append(i)
    return list(found.values())


class GeneratorRunner:
    """The generator's forward pass on a batch, in the pipeline's precision and layout, and
    optionally compiled (`compile`). One per pipeline's generator; pipelines made by
    `with_config` share it."""

    def __init__(self, generator: ColorGenerator, device: torch.device, precision: str,
                 max_batch: int = DEFAULT_MAX_BATCH):
        self.generator = generator
        self.device = device
        self.precision = resolve_precision(precision, device)
        # cuDNN's fastest convolutions on tensor cores want NHWC; on the CPU it is slower.
        self.memory_format = (torch.channels_last if device.type == "cuda"
                              else torch.contiguous_format)
        if device.type == "cuda":
            generator.to(memory_format=torch.channels_last)
        self._encode = generator.encode
        self._logits = generator.logits_from_features
        self.compiled = False
        self.max_batch = max_batch  # photos per forward pass (DEFAULT_MAX_BATCH; --batch-size)
        self.batches: Counter[int] = Counter()  # batch size -> forward passes run (benchmarks)

    def compile(self, mode: str | None = None) -> bool:
        """Compile the encoder and decoder with torch.compile (compiled at the first batch of
        each new render shape and batch size). Guarded: where torch.compile is missing or a
        compiled call fails, a warning is logged and the generator runs eagerly, as before."""
        try:
            encode = torch.compile(self.generator.encode, mode=mode, dynamic=False)
            logits = torch.compile(self.generator.logits_from_features, mode=mode,
                                   dynamic=False)
        except Exception as exc:  # noqa: BLE001 - any backend failure means: stay eager
            self._eager(exc)
            return False
        self._encode, self._logits, self.compiled = encode, logits, True
        return True

    def _eager(self, exc: Exception) -> None:
        log.warning("torch.compile failed here (%s: %s); running eagerly",
                    type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        self._encode, self._logits = self.generator.encode, self.generator.logits_from_features
        self.compiled = False

    def _autocast(self):
        dtype = PRECISIONS[self.precision]
        return torch.autocast(self.device.type, dtype=dtype or torch.float32,
                              enabled=dtype is not None)

    def __call__(self, small: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor,
                 attend: bool) -> tuple[dict[int, torch.Tensor], torch.Tensor, tuple]:
        """(B, 1, rh, rw) L* -> (feature maps by stride, logits (B, Q, h, w), attention),
        all float32."""
        small = small.to(self.device).contiguous(memory_format=self.memory_format)
        self.batches[small.shape[0]] += 1
        try:
            features, logits, weights = self._forward(small, tokens, mask, attend)
        except MemoryError:
            raise
        except Exception as exc:
            if not self.compiled:
                raise
            self._eager(exc)
            features, logits, weights = self._forward(small, tokens, mask, attend)
        features = {s: f.float() for s, f in features.items()}
        return features, logits.float(), tuple(w.float() for w in weights)

    def _forward(self, small: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor,
                 attend: bool) -> tuple[dict[int, torch.Tensor], torch.Tensor, tuple]:
        with self._autocast():
            features = self._encode(small)
            logits, weights = self._logits(features, tokens, mask, return_attention=attend)
        return features, logits, weights


def split_features(features: dict[int, torch.Tensor], j: int) -> dict[int, torch.Tensor]:
    """Photo `j`'s feature maps from a batch's (each (1, C, h, w))."""
    return {s: f[j:j + 1] for s, f in features.items()}


def concat_tokens(parts: Sequence[tuple[torch.Tensor, torch.Tensor]]
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-photo (tokens (1, N, D), mask (1, N)) of equal N -> one batch's (B, N, D), (B, N)."""
    return torch.cat([t for t, _ in parts]), torch.cat([m for _, m in parts])


def predict_batched(photos: Sequence[PreparedPhoto], generator: ColorGenerator,
                    runner: GeneratorRunner, decode: Callable[..., tuple[torch.Tensor, Any]]
                    ) -> list[Prediction]:
    """Step 4 for many photos: those that can share a forward pass run together, at most
    `runner.max_batch` at a time; `decode(logits, features, chroma_scale)` is the pipeline's
    decoding. A photo from the edit cache (`base`) reuses its prediction."""
    start = time.perf_counter()
    fresh = [p for p in photos if p.base is None]
    tokens = [generator.encode_conditioning(p.guidance.conditioning, 1) for p in fresh]
    out: list[Prediction] = []
    for group in groups(len(fresh), lambda i: (tuple(fresh[i].small.shape),
                                              tokens[i][0].shape[1],
                                              fresh[i].guidance.attended > 0,
                                              fresh[i].chroma_scale)):
        for at in range(0, len(group), runner.max_batch):
            chunk = group[at:at + runner.max_batch]
            out.extend(zip(chunk, _predict_batch([fresh[i] for i in chunk],
                                                 [tokens[i] for i in chunk], generator,
                                                 runner, decode)))
    if runner.device.type == "cuda" and fresh:
        torch.cuda.synchronize(runner.device)  # the time belongs to this step, not the next
    share = (time.perf_counter() - start) / max(1, len(fresh))
    for photo in fresh:
        photo.timings["generator"] = share
    made = iter(prediction for _, prediction in sorted(out, key=lambda pair: pair[0]))
    return [p.base.prediction if p.base is not None else next(made) for p in photos]


def _predict_batch(photos: list[PreparedPhoto], tokens: list[tuple], generator: ColorGenerator,
                   runner: GeneratorRunner, decode: Callable[..., tuple[torch.Tensor, Any]]
                   ) -> list[Prediction]:
    """One forward pass and one decoding for photos of one render shape and conditioning."""
    small = torch.cat([p.small for p in photos])  # (B, 1, rh, rw)
    batch_tokens, mask = concat_tokens(tokens)
    attend = photos[0].guidance.attended > 0
    features, logits, weights = runner(small, batch_tokens, mask, attend)
    ab, uncertainty = decode(logits, features, photos[0].chroma_scale)
    predictions = []
    for j, photo in enumerate(photos):
        attention = generator.exemplar_attention(tuple(w[j:j + 1] for w in weights),
                                                 photo.guidance.conditioning,
                                                 tuple(logits.shape[-2:]))
        predictions.append(Prediction(small[j:j + 1].to(runner.device),
                                      split_features(features, j), attention,
                                      ab[j:j + 1], uncertainty[j:j + 1], logits[j:j + 1]))
    return predictions
