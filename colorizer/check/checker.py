"""ColorizationChecker: check someone else's colorization against our model and knowledge.

    checker = ColorizationChecker.from_pretrained()
    report = checker("colorized.jpg", original="scan.tif", hint="USSR 1950")  # CheckReport

Steps (the pipeline's own steps 1-4 on the photo's gray, then the comparisons):
1. Load the colorization (it must have color) and the original, if given; refuse mix-ups
   (same file, swapped); the luminance check compares their L* (the original resized,
   turned, or registered where it was cropped, framed or mirrored, with a note: lineup.py).
2. Context from the gray (the original's, else the colorization's L*) and the hint; the
   facts retrieved for it (flags, banners, ensigns, uniforms within `fact_margin` of the best).
3. The generator's distribution over a*b* bins for that L* (no context: what the photo
   alone says), and the flag finder's cloth probability from the same encoder maps.
4. Findings: knowledge, likelihood, skin, blobs (analysis.py), luminance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.check import analysis, lineup, thumbnails, tints
from colorizer.check.composite import Composite, find_composite
from colorizer.check.config import CheckConfig
from colorizer.check.findings import (
    LUMINANCE,
    CheckReport,
    FactUse,
    Finding,
    LuminanceMatch,
)
from colorizer.check.knowledge import CLOTH_KINDS
from colorizer.check.likelihood import (
    likelihood_ratio,
    observed_ab,
    pooled,
    skin_mass,
    window_matrix,
)
from colorizer.check.lineup import CheckInputError
from colorizer.check.local_change import LARGE
from colorizer.check.reduce import MAX_WORK_PIXELS
from colorizer.model.colorspace import rgb_to_lab
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.luminance import render_shape
from context.types import SceneContext

# The check's own flag finder (trained by colorizer.training.train_flag_finder; kept apart
# from the colorizer's weights, where it would change every colorization).
CHECK_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "check"

ImageInput = str | Path | bytes | Image.Image | LoadedImage


@dataclass(frozen=True, eq=False)
class Analysis:
    """What the check read from one colorization, before any threshold applies."""

    maps: analysis.Maps
    cloth: np.ndarray | None  # (rh, rw) flag finder's cloth probability; None: no finder
    facts: list[FactUse]
    luminance: LuminanceMatch | None
    context: SceneContext
    notes: tuple[str, ...]
    # A before/after composite: its colorization panel was analysed (the maps are its),
    # and the findings are placed in the whole image's pixels (composite.py).
    composite: Composite | None = None


class ColorizationChecker:
    """The pipeline (context, retrieval, generator) and a flag finder, used to judge colors."""

    def __init__(self, pipeline: ColorizationPipeline,
                 flag_finder: FlagFinder | str | None = "default",
                 config: CheckConfig | None = None):
        """`flag_finder`: "default" loads the check's own (CHECK_WEIGHTS); None switches the
        knowledge check off (a note says so); tests pass a stub module."""
        if isinstance(flag_finder, str):
            if flag_finder != "default":
                raise ValueError(f"flag_finder must be a FlagFinder, None or 'default', not "
                                 f"{flag_finder!r}")
            flag_finder = default_flag_finder(pipeline)
        self.pipeline = pipeline
        # A copy with its own edit cache, which the check never fills: a photo the pipeline
        # colorized just before would come from the pipeline's cache without its facts.
        self._reader = pipeline.with_config()
        # The check's finder and thresholds were fitted on photos read with their frames.
        self._reader.decoding = replace(self._reader.decoding, frame_fill=False)
        self.flag_finder = flag_finder.eval() if flag_finder is not None else None
        self.config = config or CheckConfig()
        generator = pipeline.generator
        self.bins = generator.ab_bins.detach().float().cpu()
        self.window = window_matrix(self.bins)

    @classmethod
    def from_pretrained(cls, weights: str | Path | None = None, device: str = "auto",
                        config: CheckConfig | None = None, finder: str | Path | None = None,
                        **settings: Any) -> ColorizationChecker:
        """The default pipeline (context and retrieval on) and the check's flag finder."""
        pipeline = ColorizationPipeline.from_pretrained(weights, device=device, **settings)
        return cls(pipeline, default_flag_finder(pipeline, finder), config)

    @torch.inference_mode()
    def __call__(self, colorized: ImageInput, original: ImageInput | None = None,
                 hint: str | None = None, caption: str | None = None,
                 gray_ok: bool = False) -> CheckReport:
        """`gray_ok`: a colorization without color is checked (only its lightness can be
        found wrong) rather than refused as a likely mix-up of the two images; for our own
        output, which is gray where the model found no evidence for any color."""
        seen = self.analyse(colorized, original, hint, caption, gray_ok)
        composite, likelihood = seen.composite, seen.maps.ratio
        if composite is not None:  # the whole image's frame, where pages draw the boxes
            likelihood = composite.placed_map(likelihood, outside=1.0)
        return CheckReport(tuple(self.findings(seen)), seen.context, tuple(seen.facts),
                           seen.luminance, composite.size if composite else seen.maps.size,
                           hint, self.settings(), seen.notes, likelihood,
                           composite=composite.to_dict() if composite else None)

    @torch.inference_mode()
    def analyse(self, colorized: ImageInput, original: ImageInput | None = None,
                hint: str | None = None, caption: str | None = None,
                gray_ok: bool = False) -> Analysis:
        """Steps 1-3: everything the findings are made of (eval.check sweeps thresholds
        over it without running the model again)."""
        color = _load(colorized, "COLORIZED", self.pipeline.config.max_pixels)
        composite = find_composite(color)
        if composite is not None:  # "before | after": the colorization is one panel
            color = composite.panel(color)
        gray, luminance, notes = color, None, [composite.note()] if composite else []
        if not color.is_color and not gray_ok and original is None:
            raise CheckInputError(f"{color.name}: has no color, so there is nothing to check; "
                                  + (_other_frames(color) or
                                     "give the colorized image (the gray original goes to "
                                     "--original), or, for a colorization that came out gray, "
                                     "its original too, to check its lightness"))
        if original is not None:
            # A gray colorization beside a color "original" is not refused as a swap: a
            # sepia or tinted scan reads as color (eval.check_reports: 1 of 194 photos).
            gray = _load(original, "--original", self.pipeline.config.max_pixels)
            notes.extend(_compared_inputs(color, gray, gray_ok))
            lined = lineup.line_up(color, gray, self.config)
            gray, luminance = lined.gray, lined.match
            if composite is not None:
                luminance = composite.placed_match(luminance)
            notes.extend(lined.notes)
            del lined  # its `gray` is let go below, once the model has read it
        notes.extend(_colorization_notes(color, gray_ok))
        # From here the colorization is read at the render size only (`_maps`): an
        # archive-size one is reduced now, so that its full-size pixels can go before the
        # model reads the original (with --original; without, they are the gray it reads).
        size, colors = color.size, _ReducedColors.of(color.pixels, render_shape(
            *color.size, self._reader.render_size))
        del color
        photo = self._reader.prepare(gray, hint, caption)
        prediction = self._reader.predict([photo])[0]
        # What the findings need of the prepared photo; the rest (its full-size L*, 432 MB
        # for 108 MP) is let go before the colorization is read at the render size.
        facts, context, caption_notes = (self.facts(photo.retrieved), photo.context,
                                         list(photo.captions.notes))
        del photo, gray
        maps = self._maps(colors, size, prediction)
        cloth = self._cloth(prediction.features, maps.lab.shape[:2])
        if cloth is None:
            notes.append("no flag finder weights: flag, banner and uniform colors were not "
                         "compared with the retrieved facts")
        return Analysis(maps, cloth, facts, luminance, context, tuple(notes + caption_notes),
                        composite)

    def findings(self, seen: Analysis, config: CheckConfig | None = None) -> list[Finding]:
        """Step 4: the findings of one analysis at these thresholds, most severe first."""
        config = config or self.config
        findings = [*analysis.knowledge_findings(seen.maps, seen.cloth, seen.facts, config),
                    *analysis.likelihood_findings(seen.maps, config),
                    *analysis.skin_findings(seen.maps, config),
                    *analysis.blob_findings(seen.maps, config)]
        whole = (0, 0, *seen.maps.size)
        if seen.composite is not None:  # the panel's findings, placed in the whole image
            findings = [seen.composite.placed_finding(f) for f in findings]
            whole = seen.composite.color_box
        if (seen.luminance is not None and not seen.luminance.matches
                and not seen.luminance.detail_only):
            findings.insert(0, _luminance_finding(seen.luminance, whole))
        order = {"high": 0, "medium": 1, "low": 2}
        return sorted(findings, key=lambda f: order[f.severity])

    def settings(self) -> dict[str, Any]:
        return {**self.config.to_dict(), "model": self.pipeline.model_info.to_dict(),
                "fingerprint": self.pipeline.fingerprint,
                "flag_finder": self.flag_finder is not None}

    def luminance(self, color: LoadedImage, gray: LoadedImage) -> LuminanceMatch:
        """|delta L*| between the colorization and the original (resized to it if needed;
        the two must have the same aspect: lineup.line_up lines up the others)."""
        return lineup.plain(color, gray, self.config)

    def facts(self, retrieved: list) -> list[FactUse]:
        """Retrieved flags, banners, ensigns and uniforms scoring at least `min_fact_score`,
        within `fact_margin` of the best."""
        cloth = [r for r in retrieved if r.kind in CLOTH_KINDS
                 and r.score >= self.config.min_fact_score]
        if not cloth:
            return []
        best = max(r.score for r in cloth)
        return [FactUse(r.id, r.title, r.kind, r.score,
                        tuple({"name": c.name, "srgb": c.srgb, "role": c.role}
                              for c in r.exemplar.colors),
                        r.exemplar.source, (r.exemplar.start, r.exemplar.end))
                for r in cloth if r.score >= best - self.config.fact_margin]

    def _maps(self, colors: _ReducedColors, size: tuple[int, int], prediction: Any
              ) -> analysis.Maps:
        """The colorization's L*a*b* at the render size and the model's view of its colors;
        `size`: the colorization's (w, h)."""
        rh, rw = prediction.small.shape[-2:]
        rgb = colors.at((rw, rh))
        tensor = torch.from_numpy(np.asarray(rgb, dtype=np.float64) / 255.0)
        lab = rgb_to_lab(tensor.permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
        logits, _ = self.pipeline.generator.logits_from_features(prediction.features)
        corrected = self.pipeline.generator.corrected_logits(
            logits, self.pipeline.decoding.prior_correction)
        probs = torch.softmax(corrected.float(), dim=1)[0].cpu()  # (Q, h, w)
        pool = pooled(probs, self.window)
        ratio = likelihood_ratio(pool, self.bins, observed_ab(lab[..., 1:], probs.shape[-2:]))
        skin = skin_mass(probs, self.bins)
        ours = prediction.ab[0].float().cpu().numpy()  # (2, h, w): the model's own colors
        decoded = np.stack([analysis.upsample(c, (rh, rw)) for c in ours], axis=-1)
        return analysis.Maps(lab, analysis.upsample(ratio, (rh, rw)),
                             analysis.upsample(skin, (rh, rw)), pool, self.bins, size,
                             decoded)

    def _cloth(self, features: dict[int, torch.Tensor], shape: tuple[int, int]
               ) -> np.ndarray | None:
        if self.flag_finder is None:
            return None
        probability = self.flag_finder(features).float()  # (1, 1, h8, w8)
        return F.interpolate(probability, size=shape, mode="bilinear",
                             align_corners=False)[0, 0].cpu().numpy()


def default_flag_finder(pipeline: ColorizationPipeline, folder: str | Path | None = None
                        ) -> FlagFinder | None:
    """The check's flag finder (`folder`, default CHECK_WEIGHTS) on the pipeline's device;
    None where its weights are absent (the knowledge check is then skipped, with a note)."""
    folder = Path(folder) if folder else CHECK_WEIGHTS
    if not (folder / FLAG_FINDER_FILE).is_file():
        return None
    return FlagFinder.from_pretrained(folder).to(pipeline.device)


def _load(image: ImageInput, label: str, max_pixels: int) -> LoadedImage:
    return image if isinstance(image, LoadedImage) else load_image(image, max_pixels=max_pixels)


def _compared_inputs(color: LoadedImage, gray: LoadedImage, gray_ok: bool) -> list[str]:
    """Refuse the mix-ups the pixels show (the same colorized file twice; a gray colorization
    beside an original of several hues: swapped); notes on an original that is a color
    photo."""
    if color.sha256 is not None and color.sha256 == gray.sha256:
        if not color.is_color:  # a gray result saved unchanged: allowed, but say so
            return [(f"COLORIZED {color.name} and --original {gray.name} are the same "
                     "file: its lightness matches by construction")]
        raise CheckInputError(f"COLORIZED {color.name} and --original {gray.name} are the "
                              "same file: give the colorized image first and the "
                              "black-and-white original it was made from to --original")
    tint = tints.tint_of(gray)
    if tint is None or not tint.several_hues:
        return []  # gray, or one tint (a sepia or toned scan)
    if not color.is_color and not gray_ok:
        raise CheckInputError(f"COLORIZED {color.name} has no color and --original "
                              f"{gray.name} is a color image: they look swapped; give the "
                              "colorized image first and the black-and-white original to "
                              "--original")
    return [(f"the original {gray.name} is a color image ({100 * tint.other_share:.0f}% of "
             "it in several hues), not a black-and-white or single-tint scan: only its "
             "lightness was used; check that it is the original the colorization was made "
             "from")]


def _other_frames(color: LoadedImage) -> str:
    """For a gray frame of a file of several (an animated GIF "before/after": the gray frame
    first, the colorization after it), what to do; "" for a file of one frame. Only the
    first frame was read, and the check said only that the colorization had no color."""
    if color.frames <= 1 or color.is_color:
        return ""
    return (f"the file has {color.frames} frames and only one was read, which is gray: if "
            "another frame is the colorization (a before/after animation), save that frame "
            "as an image of its own and check it")


def _colorization_notes(color: LoadedImage, gray_ok: bool) -> list[str]:
    """What a colorization without color, or of one tint, means for its findings."""
    if not color.is_color:
        return [*([frames] if (frames := _other_frames(color)) else []),
                "the colorization has no color (gray where the model found no evidence for "
                "any): only its lightness was checked" if gray_ok else
                "the colorization has no color: only its lightness was checked"]
    tint = tints.tint_of(color)
    if tint is None or not tint.toned:
        return []
    seen = (f"the colorization is one {tint.hue_name} tint throughout (median chroma "
            f"{tint.median_chroma:.0f}, {100 * tint.other_share:.0f}% in other hues): ")
    if not tint.strong_cast:  # a sepia print passed off as a colorization passed unremarked
        return [seen + "a sepia or toned print, or one tint laid over the whole photo, "
                "rather than a colorization of each object; no object was given a color of "
                "its own"]
    return [seen + "a uniform color cast or a toned print rather than a colorization of "
            "each object; findings on its colors come from that cast"]


@dataclass(frozen=True, eq=False)
class _ReducedColors:
    """The colorization as `_maps` reads it: an archive-size one (over MAX_WORK_PIXELS)
    reduced by whole factors `factor`, band by band (thumbnails.py: no full-size PIL copy,
    432 MB for 108 MP), leaving the Lanczos filter to the render size at least 3x, which
    PIL documents as indistinguishable from the direct resize; smaller ones kept whole and
    resized directly, as before."""

    pixels: np.ndarray | Image.Image  # the loaded pixels, or their reduced PIL copy
    size: tuple[int, int]  # (w, h) of the colorization
    factor: tuple[int, int] | None  # None: not reduced

    @classmethod
    def of(cls, pixels: np.ndarray, render: tuple[int, int]) -> _ReducedColors:
        """`pixels` ready for the render size `render` (w, h) the pipeline will use."""
        h, w = pixels.shape[:2]
        if h * w <= MAX_WORK_PIXELS:
            return cls(pixels, (w, h), None)
        factor = (int(w / render[0] / 3) or 1, int(h / render[1] / 3) or 1)
        return cls(thumbnails.reduced(pixels, factor), (w, h), factor)

    def at(self, render: tuple[int, int]) -> Image.Image:
        """The colorization at `render` (w, h), Lanczos (thumbnails.resized's result)."""
        if self.factor is None:
            return Image.fromarray(thumbnails.as_uint8(self.pixels)).resize(render,
                                                                            Image.LANCZOS)
        (w, h), (fx, fy) = self.size, self.factor
        return self.pixels.resize(render, Image.LANCZOS, box=(0, 0, w / fx, h / fy))


def _luminance_finding(match: LuminanceMatch, whole: tuple[int, int, int, int]) -> Finding:
    # Which way the tones moved tells a historian what was done: most of the change in one
    # direction is a brightening or darkening; both ways, a contrast or curve change.
    # `whole`: the box of the whole colorization (of its panel in a composite).
    box = whole
    if match.local_box is not None:
        box = match.local_box
        how = (f"the difference is local: {100 * match.local_share:.1f}% of the image (box "
               f"{box}) differs by over {LARGE:.0f} L* while the rest keeps its tones (a "
               "watermark, caption, stamp or local retouch added there)")
    elif abs(match.mean_signed) >= 0.7 * match.mean_abs:
        lighter = match.mean_signed > 0
        how = (f"it is {'lighter' if lighter else 'darker'} overall by "
               f"{abs(match.mean_signed):.1f} L* ({'brightened' if lighter else 'darkened'})")
    else:
        how = ("its tones moved both ways (contrast or curves changed, retouched, or "
               "another scan)")
    return Finding(
        LUMINANCE, "high" if match.mean_abs > 3 * 2.5 else "medium",
        f"The colorization's lightness does not match the original's: mean |delta L*| "
        f"{match.mean_abs:.1f}, 99th percentile {match.p99_abs:.1f}; {how}. A colorization "
        "should keep the original's tones.",
        match.to_dict(), box, match.local_share if match.local_box else 1.0)
