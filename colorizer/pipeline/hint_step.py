"""Step 7 of the pipeline: the user's color hints, blended into the merged colors.

Several point hints first correct the photo beyond their regions: the color cast they agree
on, and their own residuals over what the photo shows alike (`colorizer.pipeline.hint_balance`;
one point alone does neither). Each hint's region comes from `colorizer.pipeline.hint_spread`;
inside it the hint's a*b* (a color hint) or the reference's matched colors (a reference hint,
through the exemplar transfer of `colorizer.pipeline.correspondence`, the reference trusted as
the user's own exemplar) replace the colors, at the merge's working size. With no hint (or
one point, or areas only) the colors outside every hint are the input colors exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.errors import ChronochromeError
from colorizer.model.hint_field import HintField
from colorizer.pipeline.color_hints import (
    ColorHint,
    Hint,
    HintError,
    LibraryExemplar,
    Point,
    ReferenceHint,
    area_mask,
)
from colorizer.pipeline.components import ExemplarLookup
from colorizer.pipeline.correspondence import exemplar_transfer
from colorizer.pipeline.exemplar_step import Prediction, TransferParts, matching_view
from colorizer.pipeline.full_lightness import FullLightness
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.hint_balance import (
    BalanceConfig,
    beyond_regions,
    color_points,
    point_residuals,
)
from colorizer.pipeline.hint_learned import Distribution, learned_field
from colorizer.pipeline.hint_spread import (
    FLOOR,
    FeatureMap,
    SpreadConfig,
    SpreadMemo,
    area_weight,
    composite,
    grid_shape,
    hint_ab,
    hint_lightness,
    point_distances,
    point_weights,
    remember,
    snap,
    spread_grid,
    step_costs,
)

TONE_NOTE = 25.0  # |L*| gap between a hint's color and the photo at which the report says so
# The photo's full-size L* (1, 1, H, W): a tensor, or a `FullLightness` that computes it only
# when a step needs all of it (an edit whose spread grid is kept reads one pixel of it at most).
Lightness = torch.Tensor | FullLightness
# (1, 2, h, w) matched a*b* and (1, 1, h, w) confidence of a reference over the photo's cells
ReferenceFn = Callable[[UserExemplar], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class HintUse:
    """What one hint did: the share of the image whose color it decided, and how sure that is
    (its mean weight where it reached: 1 for a region bounded by clear edges, lower where the
    spread faded out; a reference's match confidence counts too)."""

    hint: Hint
    share: float
    confidence: float
    notes: tuple[str, ...] = ()


@dataclass
class HintedColors:
    ab: torch.Tensor  # (1, 2, h', w') the working-size colors with the hints in
    weights: torch.Tensor  # (K, h, w) effective weight of each hint on the spread grid
    uses: list[HintUse] = field(default_factory=list)
    notes: tuple[str, ...] = ()  # about all hints together (the cast several points agree on)


REFERENCE_BUDGET = 2  # the reference photos of one photo's hints: this many photos' pixels


def load_references(hints: Sequence[Hint], max_pixels: int,
                    lookup: ExemplarLookup | None = None) -> dict[int, UserExemplar]:
    """The reference photos of reference hints, by hint index, loaded before any work; a
    library exemplar's through `lookup` (its id -> its image's path)."""
    out, total = {}, 0
    for n, hint in enumerate(hints):
        if isinstance(hint, ReferenceHint):
            label = f"color hint {n + 1} ({hint.where.describe()})"
            reference = hint.reference
            if isinstance(reference, LibraryExemplar):
                reference = _library_image(reference.id, lookup, label)
            try:
                out[n] = UserExemplar.load(reference, max_pixels=max_pixels)
            except ChronochromeError as exc:
                raise HintError(f"{label}: the reference cannot lend colors: {exc}") from None
            total += out[n].image.width * out[n].image.height
            if total > REFERENCE_BUDGET * max_pixels:  # each is kept whole, 3 bytes a pixel
                raise HintError(f"{label}: the reference photos hold {total:,} pixels in all, "
                                f"over {REFERENCE_BUDGET} x the {max_pixels:,}-pixel limit; "
                                "downscale them, or use fewer")
    return out


def _library_image(ident: str, lookup: ExemplarLookup | None, label: str) -> str:
    if lookup is None:
        raise HintError(f"{label} names library exemplar {ident!r}, but this pipeline has no "
                        "exemplar library (retrieval is off): turn exemplars on, or give the "
                        "reference photo itself")
    try:
        return lookup(ident)
    except KeyError:
        raise HintError(f"{label}: the exemplar library has no exemplar {ident!r}; ids are "
                        "the records' `id` (`chronochrome library search --hint WORDS --json` "
                        "lists them)") from None


def reference_fn(parts: TransferParts, lightness: Lightness, prediction: Prediction
                 ) -> ReferenceFn:
    """Matches a reference onto the photo as the pipeline matches the user's exemplars (the
    whole L* is made at the first reference hint, once for all of them, and let go with this
    function after the hints step)."""
    held: list[torch.Tensor] = []

    def colors(reference: UserExemplar) -> tuple[torch.Tensor, torch.Tensor]:
        held[:] = held or [_whole(lightness)]
        photo, maps = matching_view(parts, held[0], prediction)
        transfer = exemplar_transfer(parts.generator.encoder, photo, [reference.image],
                                     parts.config.transfer, trusted=[True],
                                     cache=parts.exemplar_cache, photo_maps=maps)
        return transfer.ab.float().cpu(), transfer.confidence.float().cpu()

    return colors


def apply_hints(hints: Sequence[Hint], references: dict[int, UserExemplar],
                lightness: Lightness, ab_work: torch.Tensor, guide_work: torch.Tensor,
                references_fn: ReferenceFn | None, config: SpreadConfig | None = None,
                memo: SpreadMemo | None = None, balance: BalanceConfig | None = None,
                uncertainty: torch.Tensor | None = None, field: HintField | None = None,
                distribution: Distribution | None = None,
                kept: torch.Tensor | None = None) -> HintedColors:
    """Blend the (checked) hints into `ab_work` (1, 2, h', w'); `lightness` (1, 1, H, W) is
    the photo's full-resolution L* (hint coordinates are its pixels; read whole only for the
    spread grid when `memo` does not hold it yet, and for reference hints), `guide_work` its L* at
    the working size; `memo` the photo's spreading memo (the encoder's view of the photo for
    `SpreadConfig.feature` and `BalanceConfig`'s field, and the points' distances);
    `uncertainty` (1, 1, ., .) the model's own, which scales what several points correct
    beyond their regions (None: every pixel alike); `field` the learned reach of point hints
    beyond their regions (None: `BalanceConfig`'s rules).; `distribution` gives the generator's color distribution when the field reads it;
    `kept` (h', w') bool where `ab_work` is the scan's own (surround.py): what the points
    correct beyond their regions leaves it alone; a hint's own region still colors it."""
    config = config or SpreadConfig()
    if not hints:
        return HintedColors(ab_work, torch.zeros(0, *grid_shape(*lightness.shape[-2:], config)))
    # The photo's L* at the spread grid and its step costs are the same for every edit.
    grid, whole = _spread_grid(lightness, config, memo)
    features = (memo.features(tuple(grid.shape)) if memo is not None
                and config.feature > 0 else None)
    effective = torch.from_numpy(_layers(hints, lightness, grid, config, features, memo,
                                         ab_work)).float()
    size, balance = tuple(lightness.shape[-1:-3:-1]), balance or BalanceConfig()
    scanned = ab_work  # the colors before the points' correction beyond their regions
    points = color_points(hints)
    if field is not None and points and features is not None and uncertainty is not None:
        ab_work, balance_notes = learned_field(points, ab_work, grid, features, effective,
                                               size, field, memo, uncertainty, balance,
                                               distribution)
    else:
        ab_work, balance_notes = beyond_regions(hints, ab_work, grid, features, effective,
                                                size, balance, memo, uncertainty)
    if kept is not None:
        ab_work = torch.where(kept.to(ab_work.device), scanned, ab_work)
    fields, confidences, notes = _colors(hints, references, references_fn, lightness,
                                         tuple(grid.shape))
    del whole  # the whole L* made for the grid: references_fn has read it (FullLightness)
    # Premultiplied: the hints' total weight and their weighted a*b*, snapped to the photo's
    # edges together (3 channels, whatever the number of hints).
    total = effective.sum(0)[None, None]  # (1, 1, h, w)
    painted = sum(effective[k][None, None] * fields[k] for k in range(len(hints)))
    layers = snap(torch.cat([total, painted.expand(1, 2, -1, -1)], 1)[0].double().numpy(),
                  guide_work, config)  # (3, h', w')
    weight, painted = layers[:1][None], layers[1:][None]
    over = weight.clamp_min(1.0)  # the filter may overshoot 1 at an edge: renormalise there
    weight, painted = (weight / over).clamp_min(0), painted / over
    ab = ab_work * (1 - weight) + painted
    uses = []
    for k, hint in enumerate(hints):
        reached = effective[k] > FLOOR
        sure = float(effective[k][reached].mean()) if bool(reached.any()) else 0.0
        if confidences[k] is not None and bool(reached.any()):
            sure *= float((confidences[k][0, 0] * effective[k]).sum() / effective[k].sum())
        uses.append(HintUse(hint, round(float((effective[k] >= 0.5).float().mean()), 4),
                            round(sure, 4), notes[k]))
    return HintedColors(ab, effective, uses, balance_notes)


def _spread_grid(lightness: Lightness, config: SpreadConfig, memo: SpreadMemo | None
                 ) -> tuple[np.ndarray, list[torch.Tensor]]:
    """The photo's L* at the spread grid, kept in `memo` (the same for every edit), and the
    whole L* if it was made for it ([] when `memo` held the grid): the caller keeps it for
    its reference hints, so they do not make it again."""
    whole: list[torch.Tensor] = []

    def grid_of() -> np.ndarray:
        whole.append(_whole(lightness))
        return spread_grid(whole[0], config)

    return remember(memo, "grid", (config.size,), grid_of), whole


def _layers(hints: Sequence[Hint], lightness: Lightness, grid: np.ndarray,
            config: SpreadConfig, features: FeatureMap | None,
            memo: SpreadMemo | None = None, ab_work: torch.Tensor | None = None) -> np.ndarray:
    """(K, h, w) each hint's effective weight on the spread grid, in the hints' order:
    areas composited largest first, the points on top of them; `ab_work` the colors the
    points' residuals are measured on (`SpreadConfig.loosen`)."""
    height, width = lightness.shape[-2:]
    h, w = grid.shape
    points = [k for k, hint in enumerate(hints) if isinstance(hint.where, Point)]
    areas = {k: area_weight(area_mask(hints[k].where, (width, height)), (h, w))
             for k in range(len(hints)) if k not in points}
    order = sorted(areas, key=lambda k: -float(areas[k].sum()))
    stack = [areas[k] for k in order]
    point_layers = np.zeros((0, h, w))
    if points:
        seeds = [(min(h - 1, int(hints[k].where.y * h / height)),
                  min(w - 1, int(hints[k].where.x * w / width))) for k in points]
        costs = remember(memo, "costs", (grid.shape, config.smooth, config.edge),
                         lambda: step_costs(grid, config))
        residuals = None
        if ab_work is not None and config.loosen > 0:  # a reference hint: the strict scale
            residuals = [float(point_residuals([hints[k]], ab_work, (width, height)).norm())
                         if isinstance(hints[k], ColorHint) else float("inf") for k in points]
        distances = point_distances(grid, costs, seeds, config, features, memo, residuals)
        point_layers = point_weights(distances, config)
        stack.append(point_layers.sum(0))
    effective = composite(stack) if stack else np.zeros((0, h, w))
    out = np.zeros((len(hints), h, w))
    for i, k in enumerate(order):
        out[k] = effective[i]
    for i, k in enumerate(points):
        out[k] = point_layers[i]  # the points' layer is on top: nothing covers it
    return out


def _colors(hints: Sequence[Hint], references: dict[int, UserExemplar],
            references_fn: ReferenceFn | None, lightness: Lightness,
            work: tuple[int, ...]) -> tuple[list[torch.Tensor], list[torch.Tensor | None],
                                            list[tuple[str, ...]]]:
    """Per hint: its a*b* at the working size ((1, 2, 1, 1) for a color), the reference's
    match confidence there (None for a color) and notes for the report."""
    fields, confidences, notes = [], [], []
    for k, hint in enumerate(hints):
        if isinstance(hint, ColorHint):
            a, b = hint_ab(hint.rgb)
            fields.append(torch.tensor([a, b], dtype=torch.float32).reshape(1, 2, 1, 1))
            confidences.append(None)
            notes.append(_tone_note(hint, lightness))
            continue
        if references_fn is None:
            raise HintError(f"color hint {k + 1}: reference hints need a pipeline with a "
                            "generator (its encoder matches the reference)")
        ab, confidence = references_fn(references[k])
        fields.append(F.interpolate(ab, size=work, mode="bilinear", align_corners=False))
        confidences.append(F.interpolate(confidence, size=work, mode="bilinear",
                                         align_corners=False))
        notes.append(())
    return fields, confidences, notes


def _tone_note(hint: ColorHint, lightness: Lightness) -> tuple[str, ...]:
    """A point hint whose color is much lighter or darker than the photo there: said once, as
    only its hue and chroma are used."""
    if not isinstance(hint.where, Point):
        return ()
    height, width = lightness.shape[-2:]
    row, col = min(height - 1, int(hint.where.y)), min(width - 1, int(hint.where.x))
    photo = float(_row(lightness, row)[0, 0, 0, col])
    color = hint_lightness(hint.rgb)
    if abs(photo - color) < TONE_NOTE:
        return ()
    side = "lighter" if photo > color else "darker"
    note = (f"the photo is {side} there (L* {photo:.0f}) than the hinted color (L* "
            f"{color:.0f}): its hue and chroma are used, the photo's lightness is kept")
    return (note,)


def _whole(lightness: Lightness) -> torch.Tensor:
    """(1, 1, H, W) the whole L*: computed now if a `FullLightness` holds none."""
    return lightness.tensor if isinstance(lightness, FullLightness) else lightness


def _row(lightness: Lightness, row: int) -> torch.Tensor:
    """(1, 1, 1, W) one row of L*, without computing the whole of it (the same values:
    luminance.lightness_rows)."""
    band = slice(row, row + 1)
    return lightness.rows(band) if isinstance(lightness, FullLightness) else lightness[..., band, :]
