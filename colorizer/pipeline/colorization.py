"""ColorizationPipeline: load -> luminance -> context -> exemplars -> chroma -> merge.

    pipe = ColorizationPipeline.from_pretrained()       # the embedded default weights
    result = pipe("photo.jpg", hints="Kazan 1950s")     # -> ColorizationResult
    result = pipe("photo.jpg", exemplars=["color_print.jpg"])  # the user's own references

Chroma is predicted at a working resolution (the operating point's `render_size`, the long
side) and upsampled onto the full-resolution L* of the input, which is kept exactly: the
output's L* equals the input's (out-of-gamut chroma is reduced, never the lightness).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.balance import BALANCE_FILE, BalancePredictor
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.pipeline.captions import PhotoCaptions, photo_captions
from colorizer.pipeline.chroma import chroma_work, hue_agreement, shift_balance
from colorizer.pipeline.color_hints import Hint, check_hints
from colorizer.pipeline.color_regions import color_regions
from colorizer.pipeline.components import ContextFn, ExemplarFn, default_components
from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.device import DeviceUnavailableError, resolve_device
from colorizer.pipeline.edits import BaseRun, EditCache, edit_key
from colorizer.pipeline.exemplar_cells import ExemplarCache, descriptors_of
from colorizer.pipeline.exemplar_step import (
    ExemplarColors,
    Prediction,
    TransferParts,
    exemplar_colors,
)
from colorizer.pipeline.fingerprint import module_digest, pipeline_fingerprint
from colorizer.pipeline.full_size import merge_full_size
from colorizer.pipeline.guidance import Guidance, UserExemplar, build_guidance
from colorizer.pipeline.hint_step import HintedColors, apply_hints, load_references, reference_fn
from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.luminance import gray_image, lightness_at, lightness_of, render_shape
from colorizer.pipeline.result import ColorizationResult, InputInfo, ModelInfo
from context.config import ContextConfig
from context.config_io import config_from_dict
from context.types import SceneContext

if TYPE_CHECKING:
    from retrieval import RetrieverConfig

__all__ = ["DEFAULT_WEIGHTS", "ColorizationPipeline", "DeviceUnavailableError", "PipelineConfig",
           "file_sha256", "gray_image", "lightness_at", "lightness_of", "render_shape",
           "resolve_device"]

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "default"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ColorizationPipeline:
    """Components go in the constructor, so tests can pass tiny ones."""

    def __init__(
        self,
        generator: ColorGenerator,
        model_info: ModelInfo,
        config: PipelineConfig | None = None,
        device: str | torch.device = "cpu",
        context_fn: ContextFn | None = None,
        exemplar_fn: ExemplarFn | None = None,
        exemplar_cache: ExemplarCache | None = None,
        balance: BalancePredictor | None = None,
        flag_finder: FlagFinder | None = None,
        decoding: DecodingConfig | None = None,
        components: dict[str, Any] | None = None,
    ):
        self.config = config or PipelineConfig()
        self.device = resolve_device(device)
        self.generator = generator.to(self.device).eval()
        self.model_info = model_info
        self.context_fn = context_fn
        self.exemplar_fn = exemplar_fn
        # The weights' operating point; `self.config` may override parts of it per run.
        self.saved_decoding = decoding or DecodingConfig()
        self.decoding = self.config.decoding(self.saved_decoding)
        # The generator's encoder matches exemplars for the direct transfer; what it made of
        # an exemplar image is kept for the next photo (a batch with one hint reuses it).
        self.exemplar_cache = exemplar_cache or ExemplarCache()
        # Reads the photo's overall color balance from the generator's encoder maps.
        self.balance = balance.to(self.device).eval() if balance is not None else None
        # Finds flag and banner cloth in the photo from the same maps: a retrieved flag is
        # transferred only onto it (colorizer.pipeline.correspondence).
        self.flag_finder = (flag_finder.to(self.device).eval() if flag_finder is not None
                            else None)
        # Steps 2-6 of the last photos, reused when only the color hints change (edits.py).
        self.edits = EditCache()
        # What the context and retrieval components are, for the fingerprint.
        self.components = dict(components or {"context": context_fn is not None,
                                               "exemplars": exemplar_fn is not None})

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path | None = None,
        device: str = "auto",
        context: bool = True,
        exemplars: bool = True,
        context_config: ContextConfig | None = None,
        retriever_config: RetrieverConfig | None = None,
        **settings: Any,
    ) -> ColorizationPipeline:
        """Load weights saved by `ColorGenerator.save_pretrained` (default: the embedded ones)
        with their operating point (`decoding.json`); `settings` are `PipelineConfig` fields.

        With `context=True` the offline context encoder (OCR, hints, scene cues, text
        embedding) runs on every photo, configured by `context_config`. With `exemplars=True`
        exemplars are retrieved from the default library (`retriever_config`: a
        `retrieval.RetrieverConfig`).
        """
        folder = Path(path) if path else DEFAULT_WEIGHTS
        config = config_from_dict(PipelineConfig, settings)  # unknown keys: a clear error
        generator = ColorGenerator.from_pretrained(folder)
        info = ModelInfo(name=folder.name if path else "chronochrome-default",
                         version=_weights_version(folder),
                         sha256=file_sha256(folder / WEIGHTS_FILE), path=str(folder))
        torch_device = resolve_device(device)
        context_fn, exemplar_fn = default_components(torch_device, context, exemplars,
                                                     context_config, retriever_config)
        # Weights saved before the balance predictor or the flag finder existed decode
        # without them.
        balance = (BalancePredictor.from_pretrained(folder)
                   if (folder / BALANCE_FILE).is_file() else None)
        flag_finder = (FlagFinder.from_pretrained(folder)
                       if (folder / FLAG_FINDER_FILE).is_file() else None)
        components = {"context": context, "exemplars": exemplars,
                      "context_config": repr(context_config),
                      "retriever_config": repr(retriever_config)}
        return cls(generator, info, config, device=torch_device, context_fn=context_fn,
                   exemplar_fn=exemplar_fn, balance=balance, flag_finder=flag_finder,
                   decoding=DecodingConfig.load(folder), components=components)

    def with_config(self, **changes: Any) -> ColorizationPipeline:
        """The same components with other run-time settings (`chroma` and `transfer` may be
        given as dicts of the fields that change)."""
        return ColorizationPipeline(self.generator, self.model_info,
                                    self.config.changed(self.saved_decoding, changes),
                                    self.device, self.context_fn, self.exemplar_fn,
                                    self.exemplar_cache, self.balance, self.flag_finder,
                                    self.saved_decoding, self.components)

    @property
    def render_size(self) -> int:
        """The long side (px) at which chroma is predicted: the caller's or the model's."""
        return self.decoding.render_size

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of everything that changes this pipeline's output (fingerprint.py)."""
        heads = {"balance": module_digest(self.balance),
                 "flag_finder": module_digest(self.flag_finder)}
        return pipeline_fingerprint(self.model_info.sha256, self.generator.config.to_dict(),
                                    heads, self.saved_decoding, self.config, self.components)

    @torch.inference_mode()
    def __call__(
        self,
        image: str | Path | bytes | Image.Image | LoadedImage,
        hints: str | None = None,
        caption: str | None = None,
        exemplars: Sequence[str | Path | bytes | Image.Image | UserExemplar] = (),
        color_hints: Sequence[Hint] = (),
    ) -> ColorizationResult:
        """Colorize one photo. `exemplars` are the user's own color reference photos; they
        take the first exemplar slots, before the retrieved ones. `color_hints` set the colors
        people know (colorizer.pipeline.color_hints); a second call on the same photo with
        other color hints reuses steps 2-6 (colorizer.pipeline.edits)."""
        _check_text(hints=hints, caption=caption)
        clock = _Stopwatch()
        # 1. Load: one loader for every input kind; color input is reduced to its L*. The
        #    user's exemplars and color hints are checked before any work: a bad one is a typo.
        loaded = image if isinstance(image, LoadedImage) else load_image(
            image, max_pixels=self.config.max_pixels)
        lightness = lightness_of(loaded)  # (1, 1, H, W)
        user = [e if isinstance(e, UserExemplar) else
                UserExemplar.load(e, max_pixels=self.config.max_pixels) for e in exemplars]
        color_hints = check_hints(color_hints, loaded.size)
        references = load_references(color_hints, self.config.max_pixels)
        clock.lap("load")
        key = edit_key(loaded, hints, caption, user, self.fingerprint)
        base = self.edits.get(key)
        if base is None:  # 2.-6. context, guidance, chroma, exemplar colors, merge
            base = self._base(loaded, lightness, hints, caption, user, clock)
            self.edits.put(key, base)

        # 7. The user's color hints over the regions the photo shows; elsewhere nothing changes.
        parts = self._parts()
        hinted = apply_hints(color_hints, references, lightness, base.ab_work, base.guide_work,
                             reference_fn(parts, lightness, base.prediction),
                             self.config.hint_spread, descriptors_of(base.prediction.features))
        clock.lap("hints")
        merged = self._finish(lightness, hinted.ab, base.colors)
        clock.lap("finish")
        return self._result(loaded, base, hinted, merged, timings=clock.laps,
                            settings=self._settings(base.chroma_scale, user, base.guidance,
                                                    hints, caption))

    def _base(self, loaded: LoadedImage, lightness: torch.Tensor, hints: str | None,
              caption: str | None, user: list[UserExemplar], clock: _Stopwatch) -> BaseRun:
        """Steps 2-6: what an edit with other color hints reuses."""
        # 2. Context (hint outranks inference); captions: the user's, else the file's own.
        captions = (photo_captions(loaded, caption, self.config.filename_caption)
                    if self.context_fn else PhotoCaptions(()))
        gray = gray_image(lightness)
        context = (self.context_fn(gray, hints, captions.captions) if self.context_fn
                   else _empty_context())
        # A hint in which no era or place was found is reported and not used: its words would
        # otherwise reach retrieval as a query ("asdfgh qwerty" retrieved three flags).
        hint_note = context.unknown.get("hint")
        clock.lap("context")

        # 3. Guidance: the user's exemplars (attended to) and retrieved ones (transfer only).
        retrieved = (list(self.exemplar_fn(context, gray, None if hint_note else hints))
                     if self.exemplar_fn else [])
        guidance = build_guidance(retrieved, user, self.generator.config.exemplar_size,
                                  self.generator.config.text_dim, self.config.max_exemplars,
                                  self.config.exemplar_score_margin)
        clock.lap("retrieval")

        # 4. Chroma at the working resolution; without the user's own exemplars this is the
        #    photo's own, no-context color.
        chroma_scale = self._chroma_scale(guided=bool(user))
        prediction = self._predict(lightness, guidance, chroma_scale)

        # 5. Exemplar colors copied where each exemplar is found (retrieved ones must be found
        #    in the photo first).
        colors = exemplar_colors(self._parts(), lightness, prediction, guidance, len(user),
                                 retrieved)
        clock.lap("generator")

        # 6. Chroma at the edge filter's working size, following the photo's edges.
        ab_work, guide_work = chroma_work(colors.ab.float().cpu(), lightness,
                                          self.decoding.chroma)
        clock.lap("merge")
        notes = ((f"hint not used: {hint_note}",) if hint_note else ()) + captions.notes
        return BaseRun(context, notes, guidance, prediction, colors, chroma_scale, ab_work,
                       guide_work)

    # -- the steps -----------------------------------------------------------------------

    def _chroma_scale(self, guided: bool) -> float:
        """The caller's override wins; else the user's own reference photo of the scene is
        trusted for bolder color (a retrieved exemplar matches only part of the photo)."""
        decoding = self.decoding
        if (self.config.chroma_scale is None and guided
                and decoding.guided_chroma_scale is not None):
            return decoding.guided_chroma_scale
        return decoding.chroma_scale

    def _predict(self, lightness: torch.Tensor, guidance: Guidance, chroma_scale: float
                 ) -> Prediction:
        small = lightness_at(lightness, self.render_size).to(self.device)
        tokens, mask = self.generator.encode_conditioning(guidance.conditioning, 1)
        features = self.generator.encode(small)  # reused by the balance and the transfer
        logits, weights = self.generator.logits_from_features(
            features, tokens, mask, return_attention=guidance.attended > 0)
        attention = self.generator.exemplar_attention(weights, guidance.conditioning,
                                                      tuple(logits.shape[-2:]))
        ab, uncertainty = self.decode(logits, features, chroma_scale)
        return Prediction(small, features, attention, ab, uncertainty)

    def decode(self, logits: torch.Tensor, features: dict[int, torch.Tensor],
               chroma_scale: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (1, Q, h, w) -> (a*b*, uncertainty) at the operating point: the annealed
        mean, toned down where the plausible hues disagree, moved to the predicted balance."""
        d = self.decoding
        scale = d.chroma_scale if chroma_scale is None else chroma_scale
        ab, uncertainty = self.generator.decode(logits, d.temperature, scale,
                                                d.prior_correction, d.confidence_weighted)
        if d.chroma.agreement_power > 0:
            probs = torch.softmax(self.generator.corrected_logits(logits, d.prior_correction),
                                  dim=1)
            ab = ab * hue_agreement(probs, self.generator.ab_bins).pow(d.chroma.agreement_power)
        if self.balance is not None and d.chroma.balance_strength > 0:
            target = self.balance(features) * d.chroma.balance_trust
            ab = shift_balance(ab, target, d.chroma.balance_strength)
        return ab, uncertainty

    def _parts(self) -> TransferParts:
        return TransferParts(self.generator, self.flag_finder, self.exemplar_cache, self.config,
                             self.device)

    def _finish(self, lightness: torch.Tensor, ab_work: torch.Tensor, colors: ExemplarColors
                ) -> tuple[Image.Image, np.ndarray, np.ndarray]:
        """(RGB image, uncertainty (H, W), context region (H, W)) at the input's full size;
        L* is kept exactly (merged a band of rows at a time: full_size.py)."""
        return merge_full_size(lightness, ab_work, colors.uncertainty.float(),
                               colors.context_weight.float())

    def _result(self, loaded: LoadedImage, base: BaseRun, hinted: HintedColors,
                merged: tuple[Image.Image, np.ndarray, np.ndarray], timings: dict[str, float],
                settings: dict[str, Any]) -> ColorizationResult:
        image, uncertainty, region = merged
        rh, rw = base.prediction.small.shape[-2:]
        colors = base.colors
        records = tuple(colors.records)
        unc_grid = F.interpolate(colors.uncertainty.float().cpu(), size=hinted.weights.shape[1:],
                                 mode="bilinear", align_corners=False)[0, 0].numpy()
        regions = color_regions(hinted.uses, hinted.weights.numpy(), records, colors.maps,
                                unc_grid.clip(0, 1), loaded.size)
        notes = base.notes + tuple(f"color hint {k + 1}: {note}"
                                   for k, use in enumerate(hinted.uses) for note in use.notes)
        return ColorizationResult(
            image=image, uncertainty=uncertainty,
            input=InputInfo(name=loaded.name, size=loaded.size, mode=loaded.source_mode,
                            format=loaded.source_format, frames=loaded.frames,
                            sha256=loaded.sha256, notes=loaded.notes),
            model=self.model_info, context=base.context, exemplars=records,
            exemplar_maps=tuple(colors.maps), exemplar_images=base.guidance.images,
            render_size=(rw, rh), timings=timings, settings=settings,
            context_region=region, carried=loaded.carried, notes=notes, color_regions=regions)

    def _settings(self, chroma_scale: float, user: list[UserExemplar], guidance: Guidance,
                  hints: str | None, caption: str | None) -> dict[str, Any]:
        """What this run used, from the resolved configs (a 0.0 is reported as 0.0)."""
        return {
            "device": str(self.device),
            "temperature": self.decoding.temperature,
            "chroma_scale": chroma_scale,
            **{k: v for k, v in self.decoding.flat().items() if k.startswith("chroma.")},
            "balance": self.balance is not None,
            "exemplar_transfer": self.config.exemplar_transfer if user else 0.0,
            "retrieved_transfer": (self.config.retrieved_transfer
                                   if len(guidance.used) > len(user) else 0.0),
            "render_size": self.render_size,
            "hints": hints,
            "caption": caption,
            "filename_caption": self.config.filename_caption,
            "fingerprint": self.fingerprint,
        }


class _Stopwatch:
    """Seconds per pipeline stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name], self._last = now - self._last, now


def _check_text(**values: object) -> None:
    """Hints and captions are one string each: a list would be read as its repr."""
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be one string such as 'USSR 1950', not "
                            f"{type(value).__name__} {value!r}; join a list first: "
                            f"{name}=' '.join(...)")


def _empty_context() -> SceneContext:
    return SceneContext.empty("context inference switched off for this pipeline")


def _weights_version(folder: Path) -> str:
    from safetensors import safe_open

    with safe_open(str(folder / WEIGHTS_FILE), framework="pt") as handle:
        meta = handle.metadata() or {}
    return meta.get("version", "unversioned")
