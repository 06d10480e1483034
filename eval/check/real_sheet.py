"""The contact sheet of `python -m eval.check.real`: each finding on a true color photo, the
whole photo with the finding's box drawn beside the box's crop, labelled, to judge by eye."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

TILE = 180  # px: the long side of the photo and of the crop
LABEL = 28  # px of text under each pair
COLUMNS = 3
BOX_COLOR = (255, 0, 255)  # magenta: rarely a photo's own color, seen on any cast


def _fitted(image: Image.Image) -> Image.Image:
    scale = TILE / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.LANCZOS)


def _pair(name: str, image: Image.Image, finding: Any) -> Image.Image:
    """The photo with the box, the crop (15% margin), and two lines of label."""
    tile = Image.new("RGB", (2 * TILE + 6, TILE + LABEL), "white")
    x0, y0, x1, y1 = finding.box or (0, 0, *image.size)
    whole = _fitted(image)
    s = whole.width / image.width
    ImageDraw.Draw(whole).rectangle((x0 * s, y0 * s, x1 * s - 1, y1 * s - 1), outline=BOX_COLOR,
                                    width=2)
    tile.paste(whole, (0, 0))
    mx, my = (x1 - x0) * 0.15, (y1 - y0) * 0.15
    crop = image.crop((max(0, int(x0 - mx)), max(0, int(y0 - my)),
                       min(image.width, int(x1 + mx)), min(image.height, int(y1 + my))))
    tile.paste(_fitted(crop), (TILE + 6, 0))
    draw = ImageDraw.Draw(tile)
    draw.text((2, TILE + 2), name[:58], fill="black")
    draw.text((2, TILE + 14), f"{finding.kind} {finding.severity} {finding.share:.1%} "
              f"{_seen(finding)}", fill="black")
    return tile


def _seen(finding: Any) -> str:
    evidence = finding.evidence or {}
    return str(evidence.get("seen") or evidence.get("color") or "")[:24]


def contact_sheet(flagged: list[tuple[str, dict[str, Any]]], path: Path) -> int:
    """Write the sheet of every finding of `flagged` ((name, {"image", "findings"})) to
    `path` as a 256-color PNG (a few hundred KB); returns how many findings it shows. With
    none, a small sheet that says so."""
    pairs = [_pair(name, kept["image"], f) for name, kept in flagged for f in kept["findings"]]
    if not pairs:
        sheet = Image.new("RGB", (2 * TILE, LABEL), "white")
        ImageDraw.Draw(sheet).text((2, 8), "no finding on any true photo", fill="black")
        sheet.save(path)
        return 0
    w, h = pairs[0].size
    rows = (len(pairs) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * (w + 8), rows * (h + 8)), "white")
    for k, pair in enumerate(pairs):
        sheet.paste(pair, ((k % COLUMNS) * (w + 8), (k // COLUMNS) * (h + 8)))
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return len(pairs)
