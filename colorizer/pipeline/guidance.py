"""How the context and the exemplars guide one colorization, and what they contributed.

The pipeline turns the user's own reference photos into a `Conditioning` with a fixed token
layout, so that afterwards the cross-attention weights can be read back per exemplar:

    token 0       the learned null token (inside CrossAttention)
    token 1       era            (always masked: see `build_guidance`)
    token 2       context text   (always masked)
    tokens 3...   exemplar k owns tokens 3 + k*n ... 3 + (k+1)*n - 1 (n cells each)

Retrieved exemplars (flags for "USSR 1950") are not tokens: they reach the photo only through
the direct transfer, where they are found in it.

An exemplar's *attention share* is the mean, over the image, of the stride-8 cross-attention
mass on its tokens: the share of the image's color that was looked up in that exemplar. Where
the direct transfer (colorizer.pipeline.correspondence) applies, its match mass counts instead,
weighted by how strongly the transfer was blended in: the *color share*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from colorizer.errors import ChronochromeError
from colorizer.model.conditioning import Conditioning, exemplar_tensor
from colorizer.pipeline.imageio import load_image
from retrieval.types import RetrievedExemplar


class ExemplarError(ChronochromeError):
    """A reference photo given with --exemplar cannot guide colorization."""


@dataclass(frozen=True)
class UserExemplar:
    """A reference color photo the user gave (e.g. `--exemplar family_color_print.jpg`)."""

    name: str
    image: Image.Image
    sha256: str | None

    @classmethod
    def load(cls, source: str | Path | bytes | Image.Image, max_pixels: int | None = None
             ) -> UserExemplar:
        loaded = (load_image(source) if max_pixels is None
                  else load_image(source, max_pixels=max_pixels))
        if not loaded.is_color:
            raise ExemplarError(
                f"exemplar {loaded.name}: the image is grayscale, so it has no color to lend; "
                "give a color photo of a similar scene or object")
        rgb = Image.fromarray((loaded.rgb * 255 + 0.5).astype(np.uint8), "RGB")
        return cls(name=loaded.name, image=rgb, sha256=loaded.sha256)

    # The same reading as RetrievedExemplar's, so the pipeline treats both alike.
    @property
    def id(self) -> str:
        return f"user:{Path(self.name).name}"

    @property
    def title(self) -> str:
        return Path(self.name).name

    @property
    def kind(self) -> str:
        return "user"

    @property
    def score(self) -> None:
        return None  # not ranked: the user's word decides

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "kind": self.kind, "score": self.score,
                "why": ["given by the user (--exemplar)"], "sha256": self.sha256,
                "image_path": self.name}


# An exemplar guiding one photo: one of the user's own, or one retrieved from the library.
GuidingExemplar = UserExemplar | RetrievedExemplar


@dataclass(frozen=True)
class Guidance:
    conditioning: Conditioning  # tokens: the user's exemplars only
    used: tuple[GuidingExemplar, ...]  # in slot order (the user's, then retrieved ones)
    images: tuple[Image.Image, ...]  # the exemplar images, same order

    @property
    def attended(self) -> int:
        """How many of `used` (the first ones, the user's) are cross-attention tokens."""
        return self.conditioning.num_exemplars


def build_guidance(retrieved: Sequence[RetrievedExemplar], user: list[UserExemplar],
                   exemplar_size: int, text_dim: int, max_exemplars: int,
                   score_margin: float = 0.15) -> Guidance:
    """Conditioning for one photo; user exemplars take the first slots, and only they enter
    cross-attention (`Guidance.attended`); retrieved ones follow for the direct transfer.

    Retrieved exemplars scoring more than `score_margin` below the best one are left out:
    a weak match (a Soviet flag for "Republic of China 1935") would lend its colors to
    whatever in the photo looks like it.
    """
    records: list[GuidingExemplar] = list(user)
    images: list[Image.Image] = [ex.image for ex in user]
    best = max((float(r.score) for r in retrieved), default=0.0)
    for rec in retrieved:
        if len(records) >= max_exemplars:
            break
        if float(rec.score) < best - score_margin:
            continue
        path = rec.image_path
        if not path or not Path(path).is_file():
            continue  # a library entry without its rendered image cannot lend color
        with Image.open(path) as img:
            # Keep a rendered flag's alpha (its cloth): the direct transfer matches only there.
            images.append(img.convert("RGBA" if "A" in img.getbands() else "RGB"))
        records.append(rec)
    records, images = records[:max_exemplars], images[:max_exemplars]

    # Do no harm: the era and context-sentence tokens stay masked. The generator learned them
    # from synthetic pairs (a flag scene and "... from 1950 in the Soviet Union"), never from a
    # real photo of a real era or place, and on real photos they only moved colors (the right
    # hint made real-color-dev worse: 12.62 against 11.33 without, 8-photo check). Retrieved
    # exemplars stay out of cross-attention too: attention lends an exemplar's colors to
    # whatever looks a little like it (a nonsense hint's flags took 0.76 of the attention and
    # painted overalls red); they act only through the direct transfer, which colors the
    # cells where the exemplar is found (colorizer.pipeline.correspondence). Only the user's own
    # reference photos, which show the scene by the user's word, are attended to.
    era = torch.zeros(1, 2)
    text = torch.zeros(1, text_dim)
    exemplars = mask = None
    if user:
        exemplars = torch.stack([exemplar_tensor(im, exemplar_size)
                                 for im in images[:len(user)]])[None]
        mask = torch.ones(1, exemplars.shape[1], dtype=torch.bool)
    cond = Conditioning(exemplars=exemplars, exemplar_mask=mask,
                        era=era, era_mask=torch.tensor([False]),
                        text=text, text_mask=torch.tensor([False]))
    return Guidance(conditioning=cond, used=tuple(records), images=tuple(images))


def contribution_maps(attention_maps: list[np.ndarray], transfer_mass: torch.Tensor,
                      applied: torch.Tensor) -> tuple[list[np.ndarray], list[float], list[float]]:
    """Where each exemplar's color went once the direct transfer is blended in.

    attention_maps: per exemplar (h, w) cross-attention mass; transfer_mass (K, h', w'): share
    of each cell's match that went to exemplar k; applied (1, 1, h'', w''): the transfer's
    blend weight. Per pixel the generator's color counts with (1 - applied) and the transferred
    color with `applied`. Returns the combined maps, the transfer shares and the total shares.
    """
    maps, moved, total = [], [], []
    for k, attention in enumerate(attention_maps):
        size = attention.shape
        weight = F.interpolate(applied.float().cpu(), size=size, mode="bilinear",
                               align_corners=False)[0, 0].numpy()
        mass = F.interpolate(transfer_mass[k][None, None].float().cpu(), size=size,
                             mode="bilinear", align_corners=False)[0, 0].numpy()
        combined = ((1 - weight) * attention + weight * mass).astype(np.float32)
        maps.append(combined)
        moved.append(round(float((weight * mass).mean()), 4))
        total.append(round(float(combined.mean()), 4))
    return maps, moved, total


def exemplar_panel(photo: Image.Image, images: tuple[Image.Image, ...],
                   maps: tuple[np.ndarray, ...], titles: list[str], top: int = 3,
                   height: int = 192) -> Image.Image:
    """One row per top exemplar: the exemplar, and where the photo looked it up (red)."""
    order = sorted(range(len(maps)), key=lambda i: -float(maps[i].mean()))[:top]
    width = round(photo.width * height / photo.height)
    gray = np.asarray(_panel_gray(photo, (width, height)), dtype=np.float32) / 255.0
    panel = Image.new("RGB", (height + width + 12, len(order) * (height + 20) + 4), "white")
    draw = ImageDraw.Draw(panel)
    for row, i in enumerate(order):
        y = 4 + row * (height + 20)
        panel.paste(images[i].convert("RGB").resize((height, height)), (0, y))
        heat = np.asarray(Image.fromarray(maps[i]).resize((width, height), Image.BILINEAR))
        heat = np.clip(heat / max(float(heat.max()), 1e-6), 0, 1)
        over = np.stack([gray * (1 - heat) + heat, gray * (1 - heat), gray * (1 - heat)], -1)
        panel.paste(Image.fromarray((over * 255).astype(np.uint8)), (height + 12, y))
        draw.text((2, y + height + 3), f"{titles[i][:60]}  (share {float(maps[i].mean()):.3f})",
                  fill="black")
    return panel


# Photos up to this many pixels are made gray at full size and then shrunk for the panel (the
# exact panel they always had: 25 MP is a 6000x4000 camera's photo, whose gray copy is 25 MB).
PANEL_FULL_SIZE_GRAY_PIXELS = 25_000_000


def _panel_gray(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo as the panel's small grayscale image. A bigger photo is shrunk first, then
    made gray: its full-size gray copy was 108 MB on a 108 MP photo, for a 256x192 panel. The
    two orders agree within a level of rounding (the resize is linear, so is the gray)."""
    if photo.width * photo.height <= PANEL_FULL_SIZE_GRAY_PIXELS:
        return photo.convert("L").resize(size)
    return photo.resize(size).convert("L")
