"""ColorizationPipeline: load -> luminance -> context -> exemplars -> chroma -> color hints
-> merge.

    pipe = ColorizationPipeline.from_pretrained()       # the embedded default weights
    result = pipe("photo.jpg", hints="Kazan 1950s")     # -> ColorizationResult
    result = pipe("photo.jpg", exemplars=["color_print.jpg"])  # the user's own references
    results = pipe(["a.jpg", "b.jpg"])                  # the generator on both at once; a
                                                        # bad photo is its ColorizationFailure
    pipe.prepare / pipe.predict / pipe.finish           # the same steps, for batch engines

Chroma is predicted at a working resolution (the operating point's `render_size`, the long
side; one above a small photo and the operating point is lowered: render_size_rule.py) and
upsampled onto the full-resolution L* of the input, which is kept exactly: the output's L*
equals the input's (out-of-gamut chroma is reduced, never the lightness).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image

from colorizer.model.balance import BalancePredictor
from colorizer.model.flag_finder import FlagFinder
from colorizer.model.generator import ColorGenerator
from colorizer.model.hint_field import HintField
from colorizer.pipeline import pipeline_recipe as recipes
from colorizer.pipeline.album_page import split_page
from colorizer.pipeline.assemble import assemble_result, run_settings
from colorizer.pipeline.batching import GeneratorRunner, PreparedPhoto, Stopwatch, predict_batched
from colorizer.pipeline.captions import PhotoCaptions, photo_captions
from colorizer.pipeline.chroma import chroma_work
from colorizer.pipeline.components import ContextFn, ExemplarFn, ExemplarLookup
from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.device import DeviceUnavailableError, resolve_device
from colorizer.pipeline.edits import BaseRun, EditCache, edit_key
from colorizer.pipeline.exemplar_cells import ExemplarCache
from colorizer.pipeline.exemplar_step import Prediction, TransferParts, exemplar_colors
from colorizer.pipeline.fingerprint import file_sha256, module_digest, pipeline_fingerprint
from colorizer.pipeline.fork_guard import fit_forked_child
from colorizer.pipeline.frame import generator_view
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.full_size import merge_photo
from colorizer.pipeline.guidance import UserExemplar, build_guidance
from colorizer.pipeline.hint_json import Hint, checked_hints
from colorizer.pipeline.hint_learned import Distribution, lazy_distribution
from colorizer.pipeline.hint_numbers import plain_numbers
from colorizer.pipeline.hint_step import apply_hints, load_references, reference_fn
from colorizer.pipeline.hint_use import context_off_hint, hint_notes
from colorizer.pipeline.imageio import LoadedImage, check_not_empty
from colorizer.pipeline.logit_decoding import decode_logits
from colorizer.pipeline.luminance import gray_image, lightness_at, lightness_of, render_shape
from colorizer.pipeline.negative import as_positive
from colorizer.pipeline.photo_input import load_photo, user_exemplars
from colorizer.pipeline.photo_list import ColorizationFailure, colorize_list
from colorizer.pipeline.pretrained import load_pretrained
from colorizer.pipeline.render_size_rule import working_size
from colorizer.pipeline.result import ColorizationResult, ModelInfo
from colorizer.pipeline.surround import keep_surround
from colorizer.pipeline.text_inputs import check_text
from colorizer.pipeline.weights_folder import DEFAULT_WEIGHTS
from context.config import ContextConfig
from context.types import SceneContext

if TYPE_CHECKING:
    from retrieval import RetrieverConfig

__all__ = ["DEFAULT_WEIGHTS", "ColorizationFailure", "ColorizationPipeline",
           "DeviceUnavailableError", "PipelineConfig", "file_sha256", "gray_image",
           "lightness_at", "lightness_of", "render_shape", "resolve_device"]

# What one photo may be given as (photo_input.py; `LoadedImage`: already read by `load_image`).
PhotoInput = str | Path | bytes | Image.Image | np.ndarray | torch.Tensor | LoadedImage


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
        precision: str = "auto",
        exemplar_lookup: ExemplarLookup | None = None,
        hint_field: HintField | None = None,
    ):
        self.config = config or PipelineConfig()
        self.device = resolve_device(device)
        self.generator = generator.to(self.device).eval()
        # The generator's forward pass on batches: precision ("auto": bf16 on CUDA, fp32 on
        # the CPU), memory layout, torch.compile (`compile`).
        self.runner = GeneratorRunner(self.generator, self.device, precision)
        self.model_info = model_info
        self.context_fn = context_fn
        self.exemplar_fn = exemplar_fn
        self.exemplar_lookup = exemplar_lookup  # a reference hint may name a library exemplar
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
        self.hint_field = hint_field  # how far point hints reach beyond their regions (CPU)
        # Steps 2-6 of the last photos, reused when only the color hints change (edits.py).
        self.edits = EditCache()
        # What the context and retrieval components are, for the fingerprint.
        self.components = dict(components or {"context": context_fn is not None,
                                               "exemplars": exemplar_fn is not None})
        self._loaded_in = os.getpid()  # a forked worker fits torch to fork (fork_guard.py)
        self.recipe: recipes.LoadedRecipe | None = None  # from_pretrained's: how it pickles

    def __repr__(self) -> str:
        return (f"ColorizationPipeline(model={self.model_info.name!r} "
                f"({self.model_info.version}), device={self.device}, "
                f"precision={self.runner.precision}, render_size={self.render_size}, "
                f"context={self.context_fn is not None}, "
                f"exemplars={self.exemplar_fn is not None})")

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path | None = None,
        device: str = "auto",
        context: bool = True,
        exemplars: bool = True,
        context_config: ContextConfig | None = None,
        retriever_config: RetrieverConfig | None = None,
        precision: str = "auto",
        **settings: Any,
    ) -> ColorizationPipeline:
        """Load weights saved by `ColorGenerator.save_pretrained` (default: the embedded ones)
        with their operating point (`decoding.json`); `settings` are `PipelineConfig` fields.

        With `context=True` the offline context encoder (OCR, hints, scene cues, text
        embedding) runs on every photo, configured by `context_config`. With `exemplars=True`
        exemplars are retrieved from the default library (`retriever_config`: a
        `retrieval.RetrieverConfig`). `precision`: auto, fp32, bf16 or fp16 (CUDA only).
        """
        return load_pretrained(cls, path, device, context, exemplars, context_config,
                               retriever_config, precision, settings)

    def with_config(self, **changes: Any) -> ColorizationPipeline:
        """The same components with other run-time settings (`chroma` and `transfer` may be
        given as dicts of the fields that change)."""
        other = ColorizationPipeline(self.generator, self.model_info,
                                     self.config.changed(self.saved_decoding, changes),
                                     self.device, self.context_fn, self.exemplar_fn,
                                     self.exemplar_cache, self.balance, self.flag_finder,
                                     self.saved_decoding, self.components,
                                     self.runner.precision, self.exemplar_lookup,
                                     self.hint_field)
        other.runner = self.runner  # one generator, compiled once
        other.recipe = self.recipe  # the same components: pickled as the same recipe
        return other

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as how it was loaded; another process loads it again (pipeline_recipe.py)."""
        return recipes.reduce_pipeline(self)

    def compile(self, mode: str | None = None) -> bool:
        """torch.compile the generator (worth it on a GPU for long runs; the first photo
        of each new render shape waits for a compile). False where it cannot be compiled:
        the pipeline then runs eagerly, as before."""
        return self.runner.compile(mode)

    @property
    def render_size(self) -> int:
        """The long side (px) at which chroma is predicted: the caller's or the model's (a
        photo smaller than it and the model's is rendered smaller: render_size_rule.py)."""
        return self.decoding.render_size

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of everything that changes this pipeline's output (fingerprint.py)."""
        return self.fingerprint_at(self.render_size)

    def fingerprint_at(self, render_size: int) -> str:
        """The fingerprint of this pipeline run at `render_size` (a small photo's lowered one:
        what `with_config(render_size=...)` would have; the same colors, the same value)."""
        config = (self.config if render_size == self.render_size
                  else replace(self.config, render_size=render_size))
        heads = {"balance": module_digest(self.balance),
                 "flag_finder": module_digest(self.flag_finder),
                 "hint_field": module_digest(self.hint_field)}
        # Reduced precision changes colors by a level or two: it counts, and fp32 (what every
        # fingerprint before it meant) keeps the fingerprints already written.
        components = (self.components if self.runner.precision == "fp32"
                      else {**self.components, "precision": self.runner.precision})
        return pipeline_fingerprint(self.model_info.sha256, self.generator.config.to_dict(),
                                    heads, self.saved_decoding, config, components)

    @torch.inference_mode()
    def __call__(
        self,
        image: PhotoInput | list[PhotoInput],
        hints: str | None = None,
        caption: str | None = None,
        exemplars: Sequence[str | Path | bytes | Image.Image | UserExemplar] | None = (),
        color_hints: Sequence[Hint] | None = (),
    ) -> ColorizationResult | list[ColorizationResult | ColorizationFailure]:
        """Colorize one photo (a bad one raises a `ChronochromeError` that says how to fix it)
        or a list of photos, the generator run on them together (photo_list.py, batching.py):
        a list with each photo's result, or its `ColorizationFailure` where it failed. A photo
        is a path, bytes, a binary file object, a PIL image, a numpy array (H, W[, C]) or a
        torch tensor (C, H, W), its values read by dtype (array_input.py). `exemplars` are the
        user's own color reference photos, for every photo; they take the first exemplar
        slots. `color_hints` set the colors people know (colorizer.pipeline.color_hints), for
        every photo; a second call on the same photo with other color hints reuses steps 2-6
        (edits.py). None for either is none."""
        check_text(hints=hints, caption=caption)
        user = user_exemplars(exemplars, self.config.max_pixels)
        if isinstance(image, list | tuple):  # one bad photo never stops the others
            return colorize_list(self, image, hints, caption, user, color_hints)
        photo = self.prepare(image, hints, caption, user, color_hints)
        return self.finish(photo, self.predict([photo])[0])

    # -- the steps -----------------------------------------------------------------------

    def user_exemplar(self, exemplar: str | Path | bytes | Image.Image | UserExemplar
                      ) -> UserExemplar:
        return user_exemplars([exemplar], self.config.max_pixels)[0]

    @torch.inference_mode()
    def prepare(self, image: PhotoInput, hints: str | None = None, caption: str | None = None,
                user: Sequence[UserExemplar] = (), color_hints: Sequence[Hint] = ()
                ) -> PreparedPhoto:
        """Steps 1-3 of one photo: everything before the generator. An edit (steps 2-6 cached:
        only the color hints changed) skips them; its `base`, set, is what the rest reuses."""
        fit_forked_child(self._loaded_in)
        clock = Stopwatch()
        # 1. Load: one loader for every input kind (an edit's unchanged photo file is not
        #    decoded again: edit_decode.py); the hints checked first (a bad one: a typo).
        cap = self.config.max_pixels
        raw = self.edits.decoded(image, cap) or load_photo(image, cap)
        loaded = as_positive(raw, self.config.negative)
        # Before its pixels are hashed (edit_key); a LoadedImage built by hand skips the loader.
        check_not_empty(loaded.pixels.shape[1::-1], loaded.name)
        edit, captions = self._photo_keys(loaded, hints, caption, user, color_hints)
        base = self.edits.get(edit["edit_key"], (image, cap, raw))
        if base is not None:  # an edit: the base run's L* (the whole one: if needed, later)
            clock.lap("load")
            return PreparedPhoto(loaded, FullLightness(loaded), base.prediction.small.cpu(),
                                 base.context, PhotoCaptions(()), list(user), [], base.guidance,
                                 base.chroma_scale, hints, caption, None, clock.laps, base=base,
                                 **edit)
        lightness = lightness_of(loaded)  # (1, 1, H, W): color input reduced to its L*
        clock.lap("load")
        small = generator_view(lightness, edit["render_size"], self.decoding.frame_fill)

        # 2. Context (hint outranks inference) from the photo's 8-bit gray and its captions;
        #    the whole L* is let go meanwhile (432 MB of a 108 MP photo), made again after.
        gray = context_gray(loaded, lightness)
        del lightness
        context = (self.context_fn(gray, hints, captions.captions) if self.context_fn
                   else context_off_hint(_empty_context(), hints, self.exemplar_fn))
        # A hint with no era or place found is said, not used ("asdfgh qwerty" found flags).
        hint_note = context.unknown.get("hint")
        clock.lap("context")

        # 3. Guidance: the user's exemplars (attended to) and retrieved ones (transfer only).
        retrieved = (list(self.exemplar_fn(context, gray, None if hint_note else hints))
                     if self.exemplar_fn else [])
        guidance = build_guidance(retrieved, list(user), self.generator.config.exemplar_size,
                                  self.generator.config.text_dim, self.config.max_exemplars,
                                  self.config.exemplar_score_margin)
        clock.lap("retrieval")
        del gray
        lightness = lightness_of(loaded)  # for steps 5-7; timed as loading
        clock.lap("reload")
        clock.laps["load"] += clock.laps.pop("reload")
        return PreparedPhoto(loaded, FullLightness(loaded, lightness), small, context, captions,
                             list(user), retrieved, guidance,
                             self.config.run_chroma_scale(self.decoding, guided=bool(user)),
                             hints, caption, hint_note, clock.laps, **edit)

    def _photo_keys(self, loaded: LoadedImage, hints: str | None, caption: str | None,
                    user: Sequence[UserExemplar], color_hints: Sequence[Hint]
                    ) -> tuple[dict[str, Any], PhotoCaptions]:
        """A photo's PreparedPhoto fields beside its pixels (its checked color hints first: a
        bad one is a typo; their references; its render size, a small photo's lowered by
        render_size_rule.py; the fingerprint and edit-cache key that follow), and its captions
        (the user's, else metadata, sidecar, name), part of that key."""
        cap = self.config.max_pixels
        checked = checked_hints(plain_numbers(color_hints), loaded.size, cap)
        size = working_size(self.render_size, self.saved_decoding.render_size, max(loaded.size))
        fingerprint = self.fingerprint_at(size.size)  # hashes the heads' weights: once a photo
        captions = (photo_captions(loaded, caption, self.config.filename_caption)
                    if self.context_fn else PhotoCaptions(()))
        return {"color_hints": checked,
                "references": load_references(checked, cap, self.exemplar_lookup),
                "edit_key": edit_key(loaded, hints, caption, user, fingerprint, captions.captions),
                "fingerprint": fingerprint, "render_size": size.size,
                "render_note": size.note}, captions

    @torch.inference_mode()
    def predict(self, photos: Sequence[PreparedPhoto]) -> list[Prediction]:
        """Step 4: chroma at the working resolution; without the user's own exemplars this is
        the photo's own, no-context color. Photos that can share a forward pass run together
        (colorizer.pipeline.batching); a photo from the edit cache reuses its prediction."""
        return predict_batched(photos, self.generator, self.runner, self.decode)

    @torch.inference_mode()
    def finish(self, photo: PreparedPhoto, prediction: Prediction) -> ColorizationResult:
        """Steps 5-7 of one photo: exemplar colors and the edge-aware chroma (`_base`, kept in
        the edit cache), the user's color hints, the merge at full resolution."""
        clock = Stopwatch()
        base = photo.base or self._base(photo, prediction, clock)

        # 7. The user's color hints over the regions the photo shows; elsewhere nothing changes.
        hinted = apply_hints(photo.color_hints, photo.references, photo.full_lightness,
                             base.ab_work, base.guide_work,
                             reference_fn(self._parts(), photo.full_lightness, base.prediction),
                             self.config.hint_spread, base.spread,
                             self.config.hint_balance, base.colors.uncertainty,
                             self.hint_field, self.distribution(base.prediction), base.kept)
        clock.lap("hints")
        # Chroma onto the full-resolution L*, a band of rows at a time; L* kept exactly, and
        # not held whole meanwhile (full_lightness.py).
        merged = merge_photo(photo.full_lightness, hinted.ab, base.colors.uncertainty.float(),
                             base.colors.context_weight.float())
        clock.lap("finish")
        laps = dict(clock.laps)
        timings = {**photo.timings, **laps}
        if "transfer" in laps:  # the exemplar transfer runs the generator's encoder
            del timings["transfer"]
            timings["generator"] = photo.timings.get("generator", 0.0) + laps["transfer"]
        return split_page(self, photo, assemble_result(  # an album page: print by print
            self.model_info, photo.loaded, base, hinted, merged, timings, run_settings(self, photo)))

    def _base(self, photo: PreparedPhoto, prediction: Prediction, clock: Stopwatch) -> BaseRun:
        """Steps 5-6, kept in the edit cache with steps 2-4: what an edit with other color
        hints reuses."""
        # 5. Exemplar colors copied where each exemplar is found (retrieved ones must be found
        #    in the photo first).
        colors = exemplar_colors(self._parts(), photo.lightness, prediction, photo.guidance,
                                 len(photo.user), photo.retrieved)
        clock.lap("transfer")

        # 6. Chroma at the edge filter's working size, following the photo's edges.
        ab_work, guide_work = chroma_work(colors.ab.float().cpu(), photo.lightness,
                                          self.decoding.chroma)
        # A frame, a stereo card's mount, a card or a mat are not the photo: kept as scanned.
        surround = keep_surround(ab_work, guide_work, photo.loaded, self.decoding.frame_fill)
        clock.lap("merge")
        notes = ((photo.render_note,) if photo.render_note else ()) + hint_notes(
            photo.context.unknown) + photo.captions.notes + surround.notes
        base = BaseRun(photo.context, notes, photo.guidance, prediction, colors,
                       photo.chroma_scale, surround.ab, guide_work, surround.kept)
        self.edits.put(photo.edit_key, base)
        return base

    def distribution(self, prediction: Prediction) -> Distribution | None:
        """A photo's color distribution at this operating point, for the hint field."""
        return lazy_distribution(self.generator, prediction.logits, self.decoding.prior_correction)

    def decode(self, logits: torch.Tensor, features: dict[int, torch.Tensor],
               chroma_scale: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (1, Q, h, w) -> (a*b*, uncertainty) at the operating point: the annealed
        mean, toned down where the plausible hues disagree, moved to the predicted balance."""
        return decode_logits(self.generator, self.decoding, self.balance, logits, features,
                             chroma_scale)

    def _parts(self) -> TransferParts:
        return TransferParts(self.generator, self.flag_finder, self.exemplar_cache, self.config,
                             self.device, self.decoding.frame_fill)


def _empty_context() -> SceneContext:
    return SceneContext.empty("context inference switched off for this pipeline")
