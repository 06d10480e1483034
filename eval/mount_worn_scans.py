"""Worn and ornamented mounts, as scanned: the cards eval/mount_scans.py's clean ones become.

    scan = WORN_MOUNTS["gilt-imprint"](photo, rng)   # -> MountScan(image, photo, mount)

Each builder pastes a gray photo on a toned card and marks the card as an old one is marked:

    gilt-imprint     a cabinet card: the studio's name in large gilt letters under the photo,
                     its town above, a double ruled line round the print
    embossed-border  an embossed frame (a lit ridge and its shadow) with corner ornaments
    foxed-stained    foxing (small brown spots) and water stains with a darker tide line
    torn-corner      a corner torn off (the dark album page behind shows), a crease
    tilted-on-bed    a card with its imprint, scanned 2.5 degrees askew on a white bed

The letters use Pillow's own font (`ImageFont.load_default(size=...)`), so the scans are the
same on every machine. The mount mask is all but the print and a band along its outline: the
marks on the card (letters, lines, stains) are the mount's, and keep the scan's chroma too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter

from eval.mount_scans import MountScan, _masks, _paste_askew, _surface, _toned

_CARD = (600, 860)  # (width, height) px of a cabinet card as scanned
_PRINT = (70, 110, 530, 680)  # (left, top, right, bottom) of the print on it
_INK = (128, 100, 52)  # gilt letters and rules as scanned: a dull gold-brown


def _card(rng: np.random.Generator, stains: int = 1) -> np.ndarray:
    """(H, W) L* of a toned card with grain and `stains` soft darker blotches."""
    width, height = _CARD
    card = _surface(_CARD, 76.0, rng, grain=1.0, sheen=5.0)
    y, x = np.mgrid[0:height, 0:width]
    for _ in range(stains):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(40, 110)
        card -= 6 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    return card


def _text(draw: ImageDraw.ImageDraw, centre_x: int, top: int, text: str, size: int) -> None:
    font = ImageFont.load_default(size=size)
    width = draw.textlength(text, font=font)
    draw.text((centre_x - width / 2, top), text, fill=_INK, font=font)


def _imprint(image: Image.Image, studio: str = "J. WEBSTER & SONS",
             town: str = "PORTLAND, ME.") -> None:
    """A studio's imprint: its name large under the print, its town small below that."""
    draw = ImageDraw.Draw(image)
    _text(draw, _CARD[0] // 2, 730, studio, 44)
    _text(draw, _CARD[0] // 2, 800, town, 24)


def _rule(draw: ImageDraw.ImageDraw, inset: int, width: int, fill: tuple) -> None:
    left, top, right, bottom = _PRINT
    draw.rectangle((left - inset, top - inset, right + inset, bottom + inset), outline=fill,
                   width=width)


def gilt_imprint(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    image = _toned(_card(rng), 5.0, 18.0)
    window = _paste_askew(image, photo, _PRINT, angle=0.4)
    draw = ImageDraw.Draw(image)
    _rule(draw, 22, 3, _INK)
    _rule(draw, 30, 2, _INK)
    _text(draw, _CARD[0] // 2, 26, "CABINET PORTRAIT", 30)
    _imprint(image)
    return MountScan(image, *_masks(window))


def embossed_border(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    card = _card(rng)
    left, top, right, bottom = _PRINT
    ridge = Image.new("L", _CARD, 0)
    shade = Image.new("L", _CARD, 0)
    for layer, shift in ((ridge, 0), (shade, 3)):  # the lit ridge, its shadow 3 px below-right
        draw = ImageDraw.Draw(layer)
        draw.rectangle((left - 24 + shift, top - 24 + shift, right + 24 + shift,
                        bottom + 24 + shift), outline=255, width=3)
        for cx, cy in ((left - 24, top - 24), (right + 24, top - 24), (left - 24, bottom + 24),
                       (right + 24, bottom + 24)):  # a rosette on each corner of the frame
            draw.ellipse((cx - 14 + shift, cy - 14 + shift, cx + 14 + shift, cy + 14 + shift),
                         outline=255, width=3)
    card += 9 * np.asarray(ridge, np.float64) / 255 - 9 * np.asarray(shade, np.float64) / 255
    image = _toned(card, 2.0, 9.0)
    window = _paste_askew(image, photo, _PRINT, angle=-0.5)
    _imprint(image, "THE ART STUDIO", "BRIGHTON")
    return MountScan(image, *_masks(window))


def foxed_stained(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    width, height = _CARD
    card = _card(rng, stains=0)
    y, x = np.mgrid[0:height, 0:width]
    for cx, cy, r in ((110, 800, 90), (560, 45, 38)):  # water stains with a tide line
        d = np.hypot(x - cx, y - cy)
        card -= 5 * (d < r) + 7 * np.exp(-((d - r) / 3.0) ** 2)
    for _ in range(40):  # foxing: small brown spots, a few px across
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(1.5, 5)
        card -= 14 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    image = _toned(gaussian_filter(card, 0.7), 6.0, 20.0)
    window = _paste_askew(image, photo, _PRINT, angle=0.6)
    _imprint(image)
    return MountScan(image, *_masks(window))


def torn_corner(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    width, height = _CARD
    image = _toned(_card(rng), 4.0, 15.0)
    window = _paste_askew(image, photo, _PRINT, angle=0.3)
    _imprint(image)
    tear = [(width - 130, height)] + [(width - 130 + 13 * i + rng.integers(-6, 7),
                                       height - 13 * i + rng.integers(-6, 7)) for i in range(1, 10)]
    tear += [(width, height - 130), (width, height)]
    backing = _toned(_surface(_CARD, 22.0, rng, grain=0.8, sheen=2.0), 1.0, 3.0)
    cut = Image.new("L", _CARD, 0)
    ImageDraw.Draw(cut).polygon(tear, fill=255)
    image.paste(backing, (0, 0), cut)  # the album page behind the torn-off corner
    ImageDraw.Draw(image).line([(0, 40), (140, 0)], fill=(150, 130, 100), width=2)  # a crease
    return MountScan(image, *_masks(window))


def tilted_on_bed(photo: Image.Image, rng: np.random.Generator) -> MountScan:
    card = _toned(_card(rng), 5.0, 17.0)
    window = Image.fromarray(_paste_askew(card, photo, _PRINT, angle=0.0))
    _imprint(card)
    width, height = _CARD
    bed = _toned(_surface((width + 160, height + 140), 95.0, rng, grain=0.5, sheen=1.5), 0, 0)
    turned = card.rotate(2.5, expand=True, resample=Image.Resampling.BICUBIC)
    cover = Image.new("L", card.size, 255).rotate(2.5, expand=True)
    at = (80 - (turned.width - width) // 2, 70 - (turned.height - height) // 2)
    bed.paste(turned, at, cover)
    photo_window = Image.new("L", bed.size, 0)
    photo_window.paste(window.convert("L").point(lambda v: 255 * (v > 0)).rotate(2.5, expand=True),
                       at)
    return MountScan(bed, *_masks(np.asarray(photo_window) > 127))


WORN_MOUNTS: dict[str, Callable[[Image.Image, np.random.Generator], MountScan]] = {
    "gilt-imprint": gilt_imprint,
    "embossed-border": embossed_border,
    "foxed-stained": foxed_stained,
    "torn-corner": torn_corner,
    "tilted-on-bed": tilted_on_bed,
}
