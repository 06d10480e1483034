"""worst10.png: gray input and output side by side, isolated blobs outlined in cyan."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage as ndi

from colorizer.check.blobs import EIGHT_CONNECTED, Blob, blob_mask
from eval import metrics

SHEET_MAX_BYTES = 3_000_000
SHEET_THUMB = 300  # long side (px) of each image on the sheet, shrunk if the PNG is too big
OUTLINE = (0, 255, 255)  # cyan
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class SheetEntry:
    """One photo on the sheet: its gray input, the colorized output and its isolated blobs."""

    name: str
    gray: np.ndarray  # (H, W) uint8
    output: np.ndarray  # (H, W, 3) uint8
    blobs: tuple[Blob, ...]
    score: float


def outlined(output: np.ndarray, mask: np.ndarray, size: tuple[int, int]) -> Image.Image:
    """The output resized to `size` (w, h) with the mask's outline drawn in cyan, 2 px wide
    (one in, one out: 1 px is lost on a busy photo).

    The outline is drawn after resizing, so it stays thin on a thumbnail.
    """
    image = Image.fromarray(output).resize(size, Image.Resampling.LANCZOS)
    small = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(
        size, Image.Resampling.BILINEAR)) >= 128
    edge = (ndi.binary_dilation(small, structure=EIGHT_CONNECTED)
            & ~ndi.binary_erosion(small, structure=EIGHT_CONNECTED, border_value=0))
    pixels = np.array(image)
    pixels[edge] = OUTLINE
    return Image.fromarray(pixels)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default()


def _fit_text(draw: ImageDraw.ImageDraw, text: str,
              font: ImageFont.ImageFont | ImageFont.FreeTypeFont, width: int) -> str:
    """`text`, elided in the middle until it fits `width` pixels (long archive file names)."""
    if draw.textlength(text, font=font) <= width:
        return text
    keep = len(text)
    while keep > 4:
        keep -= 2
        short = text[: keep // 2] + "…" + text[-(keep - keep // 2):]
        if draw.textlength(short, font=font) <= width:
            return short
    return text[:4]


def contact_sheet(entries: Sequence[SheetEntry], thumb: int = SHEET_THUMB,
                  columns: int = 2) -> Image.Image:
    """Pairs (gray | output with blobs outlined) on a grid, file name and score under each."""
    font = _font(max(10, thumb // 22))
    caption = font.size * 2 + 10 if hasattr(font, "size") else 30
    pad = 8
    cell_w, cell_h = 2 * thumb + pad, thumb + caption
    rows = max(1, math.ceil(len(entries) / columns))
    sheet = Image.new("RGB", (columns * (cell_w + pad) + pad, rows * (cell_h + pad) + pad),
                      "white")
    draw = ImageDraw.Draw(sheet)
    if not entries:
        draw.text((pad, pad), "no photo has an isolated blob", fill="black", font=font)
    for index, entry in enumerate(entries):
        x = pad + (index % columns) * (cell_w + pad)
        y = pad + (index // columns) * (cell_h + pad)
        height, width = entry.gray.shape
        scale = thumb / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        offset = ((thumb - size[0]) // 2, thumb - size[1])  # bottom-aligned, above the text
        gray = Image.fromarray(entry.gray).convert("RGB").resize(size, Image.Resampling.LANCZOS)
        sheet.paste(gray, (x + offset[0], y + offset[1]))
        sheet.paste(outlined(entry.output, blob_mask((height, width), entry.blobs), size),
                    (x + thumb + pad + offset[0], y + offset[1]))
        lines = (f"#{index + 1} {entry.name}",
                 (f"score {entry.score:.2f} · {len(entry.blobs)} blob"
                  f"{'s' if len(entry.blobs) != 1 else ''}"))
        for line_no, line in enumerate(lines):
            draw.text((x, y + thumb + 3 + line_no * (caption // 2 - 2)),
                      _fit_text(draw, line, font, cell_w), fill="black", font=font)
    return sheet


def save_sheet(entries: Sequence[SheetEntry], path: Path,
               max_bytes: int = SHEET_MAX_BYTES) -> Path:
    """Write the sheet as PNG, shrinking the thumbnails until the file fits `max_bytes`."""
    thumb = SHEET_THUMB
    while True:
        contact_sheet(entries, thumb).save(path, optimize=True)
        if path.stat().st_size <= max_bytes or thumb <= 64:
            return path
        thumb = int(thumb * 0.85)


def gray_of(output: np.ndarray) -> np.ndarray:
    """The output's L* as an 8-bit gray image: the input's luminance (the pipeline keeps it)."""
    from colorizer.model.colorspace import gray_rgb_from_lightness

    lightness = torch.from_numpy(metrics.lightness_of(output.astype(np.float64) / 255.0))
    gray = gray_rgb_from_lightness(lightness[None, None])[0, 0].numpy()
    return (gray * 255.0 + 0.5).astype(np.uint8)
