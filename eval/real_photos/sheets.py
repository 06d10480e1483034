"""Contact sheets: truth, gray input and each condition's output, one row per photo."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from eval.real_photos.photos import CONDITIONS, RealPhoto
from eval.real_photos.scoring import PhotoScore

THUMB_HEIGHT = 150
ROWS_PER_PAGE = 15
MAX_SHEET_BYTES = 2_000_000
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class SheetRow:
    """One photo's row: thumbnails (None: condition n/a) and the label under them."""

    label: str
    cells: tuple[Image.Image | None, ...]


SHEET_COLUMNS = ("truth", "gray", "none", "right", "wrong")
SHEET_HEADERS = ("truth", "gray input", "no hint", "right hint", "wrong hint")
PAD = 6
LABEL_HEIGHT = 34
HEADER_HEIGHT = 22


def thumbnail(image: Image.Image, height: int = THUMB_HEIGHT) -> Image.Image:
    """An RGB copy `height` px tall, aspect kept (antialiased)."""
    width = max(1, round(image.width * height / image.height))
    return image.convert("RGB").resize((width, height), Image.LANCZOS)


def sheet_row(photo: RealPhoto, score: PhotoScore, images: Mapping[str, Image.Image],
              height: int = THUMB_HEIGHT) -> SheetRow:
    """The row of one photo: its thumbnails and 'file: ΔE00 per condition' (hints in quotes)."""
    cells = tuple(thumbnail(images[k], height) if k in images else None for k in SHEET_COLUMNS)
    parts = [f"gray {score.gray_ciede2000:.2f}"]
    for name in CONDITIONS:
        run = score.get(name)
        if name in score.not_applicable:
            parts.append(f"{name} n/a")
        elif run is not None:
            hint = f" '{run.hint}'" if run.hint else ""
            parts.append(f"{name}{hint} {run.ciede2000:.2f}")
    return SheetRow(f"{photo.file}\nΔE00  " + "  |  ".join(parts), cells)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default()


def render_page(rows: Sequence[SheetRow], title: str, height: int = THUMB_HEIGHT) -> Image.Image:
    """A contact-sheet page: the title, column headers, then per row the thumbnails side by
    side (each column as wide as its widest thumbnail) and the label under them."""
    widths = [max((r.cells[i].width for r in rows if r.cells[i] is not None), default=height)
              for i in range(len(SHEET_COLUMNS))]
    lefts = [PAD + sum(widths[:i]) + PAD * i for i in range(len(widths))]
    font, small = _font(14), _font(12)
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    text_w = max([measure.textbbox((0, 0), title, font=font)[2]]
                 + [measure.multiline_textbbox((0, 0), r.label, font=small, spacing=2)[2]
                    for r in rows])
    page_w = max(lefts[-1] + widths[-1], PAD + text_w) + PAD
    page_h = 2 * HEADER_HEIGHT + len(rows) * (height + LABEL_HEIGHT + PAD) + PAD
    page = Image.new("RGB", (page_w, page_h), "white")
    draw = ImageDraw.Draw(page)
    draw.text((PAD, 3), title, fill="black", font=font)
    for left, header in zip(lefts, SHEET_HEADERS):
        draw.text((left, HEADER_HEIGHT + 3), header, fill="black", font=font)
    top = 2 * HEADER_HEIGHT
    for row in rows:
        for left, width, cell in zip(lefts, widths, row.cells):
            if cell is None:
                draw.rectangle([left, top, left + width - 1, top + height - 1], fill="#dddddd")
                draw.text((left + 6, top + height // 2 - 8), "n/a", fill="black", font=font)
            else:
                page.paste(cell, (left, top))
        draw.text((PAD, top + height + 2), row.label, fill="black", font=small, spacing=2)
        top += height + LABEL_HEIGHT + PAD
    return page


def write_sheets(rows: Sequence[SheetRow], out: Path, dataset: str, title: str = "",
                 rows_per_page: int = ROWS_PER_PAGE, height: int = THUMB_HEIGHT) -> list[Path]:
    """`<dataset>-sheet-<k>.png` pages (the dataset's earlier pages removed first). A page
    over MAX_SHEET_BYTES is split in two, so every page stays quick to open and to commit."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"{dataset}-sheet-*.png"):
        stale.unlink()
    pending = [list(rows[i : i + rows_per_page]) for i in range(0, len(rows), rows_per_page)]
    pages: list[bytes] = []
    while pending:
        chunk = pending.pop(0)
        data = png_bytes(render_page(chunk, title or dataset, height))
        if len(data) > MAX_SHEET_BYTES and len(chunk) > 1:
            pending[:0] = [chunk[: len(chunk) // 2], chunk[len(chunk) // 2 :]]
            continue
        pages.append(data)
    paths = [out / f"{dataset}-sheet-{k}.png" for k in range(1, len(pages) + 1)]
    for path, data in zip(paths, pages):
        path.write_bytes(data)
    return paths


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
