"""Training batches that teach the generator to use its conditioning tokens.

Each sample of a batch is one of (shares set in TrainConfig):

    flag    a curated flag, waved and shaded like cloth by retrieval.render, pasted into the
            photo; the exemplars hold the same flag rendered with other folds (and maybe a
            distractor flag or uniform swatch), the context its era and description. Some
            flag samples get only distractors: then the flag's color cannot be known and the
            model learns not to copy from an exemplar that does not match.
    self    another crop of the same photo as exemplar (color copied from a matching view),
            maybe with a distractor photo beside it
    other   a different photo only (nothing to copy)
    none    no exemplars
Context tokens are dropped at random, and given at random to photos they do not describe,
so the model works without them and does not take "context present" for "flag present".

Most flags are recolored before pasting: their hues are rotated by one random angle in the
a*b* plane (L* kept), and the matching exemplar by the same angle. Curated flags are mostly
red; without recoloring the model learns "flag-like cloth is red" and paints every flag red
with no context at all. With it, a flag's color can only be known from a matching exemplar,
which is the skill to learn; a flag without one gets a low-chroma, uncertain guess.

Augmentations stay geometric (crop, scale, flip, paste): input and target share one color
image, so the color relation between them never changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb_keep_luminance, rgb_to_lab
from colorizer.model.conditioning import Conditioning, exemplar_tensor
from colorizer.training.data import PhotoBank

if TYPE_CHECKING:  # retrieval is imported when the source is built, not with this module
    from retrieval import Exemplar, NamedColor, TextEmbedder

FLAG_VARIANTS = 4  # renders per flag with different folds
SWATCH_VARIANTS = 2


@dataclass
class FlagRender:
    record: int  # index into ExemplarSource.records
    rgb: np.ndarray  # (h, w, 3) float32 waved flag cropped to its cloth
    mask: np.ndarray  # (h, w) float32 in [0, 1], 1 on the cloth
    exemplar: torch.Tensor  # (3, S, S) the whole render as the library shows it


@dataclass
class ExemplarSource:
    """The curated knowledge base rendered for training: flags with masks, swatches, text."""

    records: list[Exemplar]  # the curated records (flags and uniforms)
    flags: list[FlagRender]
    swatches: list[torch.Tensor]  # (3, S, S) uniform swatches (distractors)
    eras: torch.Tensor  # (R, 2) start/end years per record
    texts: torch.Tensor  # (R, D) sentence embeddings of the record texts

    @classmethod
    def build(cls, exemplar_size: int, text_embedder: TextEmbedder | None = None
              ) -> ExemplarSource:
        from context.config import ContextConfig
        from context.gazetteer import load_gazetteer
        from retrieval import render
        from retrieval.knowledge import curated_records
        from retrieval.regions import RegionResolver

        resolver = RegionResolver(load_gazetteer(ContextConfig().data_dir))
        records, flags, swatches = [], [], []
        for exemplar, make in curated_records(resolver):
            index = len(records)
            records.append(exemplar)
            design = make.args[0]  # the flag design or the swatch spec
            if make.func is render.render_flag:
                for v in range(FLAG_VARIANTS):
                    flags.append(_flag_render(index, design, exemplar.colors,
                                              f"{exemplar.id}#train{v}", exemplar_size))
            else:
                for v in range(SWATCH_VARIANTS):
                    swatch = render.render_swatch(design, exemplar.colors, f"{exemplar.id}#t{v}")
                    swatches.append(exemplar_tensor(swatch, exemplar_size))
        if text_embedder is None:
            from context.embedding import MiniLMEmbedder

            text_embedder = MiniLMEmbedder()
        # Phrased like a context description (where and when), not like the record: at
        # inference the text token holds the photo's context, which names no colors.
        phrases = [f"A photo from {r.start}-{r.end} in "
                   f"{', '.join(g.name for g in r.regions) or 'an unknown place'}."
                   for r in records]
        texts = torch.from_numpy(text_embedder.embed(phrases))
        eras = torch.tensor([[r.start, r.end] for r in records], dtype=torch.float32)
        return cls(records=records, flags=flags, swatches=swatches, eras=eras, texts=texts)


def _flag_render(record: int, design: dict, colors: tuple[NamedColor, ...], key: str,
                 size: int) -> FlagRender:
    """Wave the flag, and wave a white flag of the same size with the same folds: where that
    one is bright is the cloth (the ground is mid gray), which gives the paste mask."""
    from retrieval import render

    flat = render.draw_flag(design, colors)
    waved = np.asarray(render.wave(flat, key), dtype=np.float32) / 255.0
    white = Image.new("RGB", flat.size, (255, 255, 255))
    probe = np.asarray(render.wave(white, key), dtype=np.float32).mean(-1) / 255.0
    mask = np.clip((probe - 0.58) / 0.08, 0, 1)
    ys, xs = np.nonzero(mask > 0.5)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    exemplar = exemplar_tensor(Image.fromarray((waved * 255).astype(np.uint8)), size)
    return FlagRender(record, waved[top:bottom, left:right].copy(),
                      mask[top:bottom, left:right].copy(), exemplar)


@dataclass(frozen=True)
class ExemplarMix:
    """Shares of the sample kinds and the number of exemplar slots per sample."""

    flag: float = 0.4
    self_view: float = 0.3
    other: float = 0.1  # the rest: no exemplars
    slots: int = 3
    context_keep: float = 0.5  # chance a flag sample keeps each context token
    context_noise: float = 0.25  # chance a photo sample gets an unrelated context token
    recolor: float = 0.85  # chance a flag (and its matching exemplar) is hue-rotated


class ConditionedBatches:
    """Batches of (sRGB targets, Conditioning) for training with exemplars and context."""

    def __init__(self, bank: PhotoBank, source: ExemplarSource, mix: ExemplarMix,
                 exemplar_size: int):
        self.bank, self.source, self.mix, self.size = bank, source, mix, exemplar_size

    def batch(self, size: int, crop: int,
              g: torch.Generator) -> tuple[torch.Tensor, Conditioning, torch.Tensor]:
        """(sRGB targets (B, 3, c, c), conditioning, pasted-flag masks (B, 1, c, c))."""
        mix, src = self.mix, self.source
        rgbs, slots, slot_masks, flag_masks = [], [], [], []
        eras = torch.zeros(size, 2)
        texts = torch.zeros(size, src.texts.shape[1])
        era_mask = torch.zeros(size, dtype=torch.bool)
        text_mask = torch.zeros(size, dtype=torch.bool)
        for i in range(size):
            idx = self.bank.pick(g)
            rgb = self.bank.crop(idx, crop, g)
            u = _rand(g)
            chosen: list[torch.Tensor] = []
            record = None
            flag_mask = torch.zeros(1, *rgb.shape[-2:])
            if u < mix.flag:
                flag = src.flags[_randint(len(src.flags), g)]
                angle = _angle(g) if _rand(g) < mix.recolor else 0.0
                rgb, flag_mask = _paste(rgb, flag, g, angle)
                record = flag.record
                same = [f for f in src.flags if f.record == record and f is not flag]
                if same and _rand(g) < 0.85:
                    chosen.append(rotate_hue(same[_randint(len(same), g)].exemplar, angle))
                if _rand(g) < 0.5:
                    others = [f for f in src.flags if f.record != record]
                    other_angle = _angle(g) if _rand(g) < mix.recolor else 0.0
                    chosen.append(rotate_hue(others[_randint(len(others), g)].exemplar,
                                             other_angle))
                if src.swatches and _rand(g) < 0.3:
                    chosen.append(src.swatches[_randint(len(src.swatches), g)])
            elif u < mix.flag + mix.self_view:
                chosen.append(self.bank.crop(idx, self.size, g))
                if _rand(g) < 0.3:
                    chosen.append(self.bank.crop(_randint(len(self.bank), g), self.size, g))
            elif u < mix.flag + mix.self_view + mix.other:
                chosen.append(self.bank.crop(_randint(len(self.bank), g), self.size, g))
            chosen = [chosen[j] for j in torch.randperm(len(chosen), generator=g).tolist()]
            chosen = chosen[: mix.slots]
            present = torch.zeros(mix.slots, dtype=torch.bool)
            present[: len(chosen)] = True
            pad = [torch.zeros(3, self.size, self.size)] * (mix.slots - len(chosen))
            slots.append(torch.stack(chosen + pad))
            slot_masks.append(present)
            rgbs.append(rgb)
            flag_masks.append(flag_mask)
            # Context: the flag's own era and description, or noise for a photo.
            keep = mix.context_keep if record is not None else mix.context_noise
            ctx = record if record is not None else _randint(len(src.records), g)
            if _rand(g) < keep:
                eras[i], era_mask[i] = src.eras[ctx], True
            if _rand(g) < keep:
                texts[i], text_mask[i] = src.texts[ctx], True
        cond = Conditioning(exemplars=torch.stack(slots), exemplar_mask=torch.stack(slot_masks),
                            era=eras, era_mask=era_mask, text=texts, text_mask=text_mask)
        return torch.stack(rgbs).clamp(0, 1), cond, torch.stack(flag_masks)


def _rand(g: torch.Generator) -> float:
    return float(torch.rand(1, generator=g))


def _randint(n: int, g: torch.Generator) -> int:
    return int(torch.randint(n, (1,), generator=g))


def _angle(g: torch.Generator) -> float:
    return 2 * math.pi * _rand(g)


def rotate_hue(rgb: torch.Tensor, angle: float) -> torch.Tensor:
    """(3, H, W) sRGB with every a*b* rotated by `angle` radians; L* kept exactly."""
    if angle == 0.0:
        return rgb
    lab = rgb_to_lab(rgb[None])
    cos, sin = math.cos(angle), math.sin(angle)
    a, b = lab[:, 1:2], lab[:, 2:3]
    ab = torch.cat([a * cos - b * sin, a * sin + b * cos], dim=1)
    return lab_to_rgb_keep_luminance(lab[:, :1], ab)[0].clamp(0, 1)


def _paste(rgb: torch.Tensor, flag: FlagRender, g: torch.Generator,
           angle: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Paste the waved flag (hue-rotated by `angle`) at a random place and scale (25-75% of
    the crop's width); returns the photo and the cloth's mask (1, H, W) in it."""
    _, h, w = rgb.shape
    fh, fw = flag.mask.shape
    width = max(8, int(w * (0.25 + 0.5 * _rand(g))))
    height = max(6, min(h, round(width * fh / fw)))
    cloth = torch.from_numpy(flag.rgb).permute(2, 0, 1)[None]
    mask = torch.from_numpy(flag.mask)[None, None]
    # Shrunk first, then recolored: the hue rotation's gamut bisection is most of a batch's
    # cost, and the pasted cloth has a tenth of the render's pixels.
    cloth = F.interpolate(cloth, size=(height, width), mode="bilinear", antialias=True,
                          align_corners=False)[0]
    cloth = rotate_hue(cloth.clamp(0, 1), angle)
    mask = F.interpolate(mask, size=(height, width), mode="bilinear", align_corners=False)[0]
    if _rand(g) < 0.5:
        cloth, mask = cloth.flip(-1), mask.flip(-1)
    top = _randint(h - height + 1, g)
    left = _randint(w - width + 1, g)
    out = rgb.clone()
    region = out[:, top : top + height, left : left + width]
    out[:, top : top + height, left : left + width] = region * (1 - mask) + cloth * mask
    placed = torch.zeros(1, h, w)
    placed[:, top : top + height, left : left + width] = mask
    return out, placed
