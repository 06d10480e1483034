"""The `ColorizationResult` of one photo, assembled from what its steps produced: the base run
(steps 2-6, colorizer.pipeline.edits), the color hints (step 7, hint_step.py) and the merge at
full size (full_size.py)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from colorizer.pipeline.color_regions import color_regions
from colorizer.pipeline.edits import BaseRun
from colorizer.pipeline.full_size import Merged
from colorizer.pipeline.hint_step import HintedColors
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.result import MAP_FIGURES, ColorizationResult, InputInfo, ModelInfo

NEAR_GRAY_CHROMA = 2.0  # an output whose mean C* is below this reads as a gray photo


def assemble_result(model: ModelInfo, loaded: LoadedImage, base: BaseRun, hinted: HintedColors,
                    merged: Merged,
                    timings: dict[str, float], settings: dict[str, Any]) -> ColorizationResult:
    """The result: the merged image and maps, where each region's color came from (the
    user's hints, exemplars, the model), the notes of every step, the input's metadata."""
    image, uncertainty, region, image16 = merged
    rh, rw = base.prediction.small.shape[-2:]
    colors = base.colors
    records = tuple(colors.records)
    unc_grid = F.interpolate(colors.uncertainty.float().cpu(), size=hinted.weights.shape[1:],
                             mode="bilinear", align_corners=False)[0, 0].numpy()
    regions = color_regions(hinted.uses, hinted.weights.numpy(), records, colors.maps,
                            unc_grid.clip(0, 1), loaded.size)
    notes = base.notes + hinted.notes + tuple(f"color hint {k + 1}: {note}"
                                              for k, use in enumerate(hinted.uses)
                                              for note in use.notes) + near_gray_note(
        hinted.ab, base.kept, size=loaded.size)
    result = ColorizationResult(
        image=image, image16=image16, uncertainty=uncertainty,
        input=InputInfo(name=loaded.name, size=loaded.size, mode=loaded.source_mode,
                        format=loaded.source_format, frames=loaded.frames,
                        sha256=loaded.sha256, notes=loaded.notes),
        model=model, context=base.context, exemplars=records,
        exemplar_maps=tuple(colors.maps), exemplar_images=base.guidance.images,
        render_size=(rw, rh), timings=timings, settings=settings,
        context_region=region, carried=loaded.carried, notes=notes, color_regions=regions)
    # The maps are the base run's (hints change neither): their figures are computed once for
    # the photo and its edits, whichever result is asked first.
    result.__dict__[MAP_FIGURES] = base.map_figures
    return result


def near_gray_note(ab: torch.Tensor, kept: torch.Tensor | None = None, *,
                   size: tuple[int, int]) -> tuple[str, ...]:
    """A note when the colors came out nearly gray: the model, unsure, keeps low chroma
    rather than guess a hue (DESIGN.md), and without a word the user takes it for a failure.
    The photo's chroma only: a surround kept as scanned (`kept`, surround.py: a gray mount
    or a black frame, up to half a slide) is not the model's and would dilute the mean.
    `size` (width, height) is the input's: the Python example's point lies inside it."""
    chroma = torch.hypot(ab[:, 0], ab[:, 1])
    if kept is not None and kept.shape == chroma.shape[-2:] and not bool(kept.all()):
        chroma = chroma[:, ~kept.to(chroma.device)]
    mean_chroma = float(chroma.mean())
    if mean_chroma >= NEAR_GRAY_CHROMA:
        return ()
    bolder = ("--chroma-scale 1.5 (Python: chroma_scale=1.5) makes what it found bolder, and "
              if mean_chroma >= 1.0 else "")  # below C* 1 a scale has nothing to work with
    note = (f"nearly gray (mean chroma C* {mean_chroma:.1f}): the model found little evidence "
            f"for any color in this photo; {bolder}color hints (--point X,Y=#RRGGBB; Python: "
            f"{python_hint_example(size)}) set the colors you know")
    return (note,)


def python_hint_example(size: tuple[int, int]) -> str:
    """The Python form of a color hint as `pipe(photo, color_hints=...)` takes it, with a
    point inside this photo (its center) so that the text runs when pasted: the hints
    file's dict form, which needs no import (hint_json.checked_hints)."""
    x, y = size[0] // 2, size[1] // 2
    return f"color_hints=[{{'point': [{x}, {y}], 'color': '#b22222'}}], red at the photo's center"


def run_settings(pipe: Any, photo: Any) -> dict[str, Any]:
    """What the run of `photo` (a PreparedPhoto) used, from `pipe`'s (a ColorizationPipeline)
    resolved configs (a 0.0 is reported as 0.0)."""
    decoding, config = pipe.decoding, pipe.config
    return {
        "device": str(pipe.device),
        "precision": pipe.runner.precision,
        "temperature": decoding.temperature,
        "estimator": decoding.estimator,
        "chroma_scale": photo.chroma_scale,
        **decoding.reported(),
        "balance": pipe.balance is not None,
        "exemplar_transfer": config.exemplar_transfer if photo.user else 0.0,
        "retrieved_transfer": (config.retrieved_transfer
                               if len(photo.guidance.used) > len(photo.user) else 0.0),
        "render_size": photo.render_size or pipe.render_size,  # a small photo's lowered one
        "hints": photo.hints,
        "caption": photo.caption,
        "filename_caption": config.filename_caption,
        # On or off for the run: "nothing retrieved" and "retrieval off" read alike otherwise.
        "context": pipe.context_fn is not None,
        "exemplars": pipe.exemplar_fn is not None,
        **({"negative": True} if config.negative else {}),  # absent: as before it existed
        "fingerprint": photo.fingerprint or pipe.fingerprint,
    }
