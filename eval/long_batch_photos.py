"""The varied photos of eval.bench_long_batch: sizes, gray and RGB, PNG and JPEG, captions.

Every photo is different (its own seed, size and, where it has one, caption number), so a
cache keyed by a photo's bytes, size or text sees a new key each time, as over an archive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from eval.bench_speed import synthetic_gray

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
# Printed captions with a place and a year, so OCR reads them and the context and retrieval
# stages have something to look up (a place, a polity, a year) for every third photo.
CAPTIONS = ("MOSKVA 1937", "PARIS 1925", "BERLIN 1936", "LENINGRAD 1941", "ROMA 1950",
            "LONDON 1945", "KIEV 1961", "PRAHA 1948", "WARSZAWA 1956", "NEW YORK 1929")
ASPECTS = ((1, 1), (4, 3), (3, 4), (3, 2))
# (mode, format): gray scans and RGB (sepia-toned) scans, as PNG and JPEG.
KINDS = (("L", "PNG"), ("L", "JPEG"), ("RGB", "JPEG"), ("RGB", "PNG"))


@dataclass(frozen=True)
class PhotoSet:
    """The photos written: their paths, bytes in all and how many carry a caption."""

    paths: list[Path]
    total_bytes: int
    captioned: int


def photo_size(index: int, side: int) -> tuple[int, int]:
    """(width, height) of photo `index`: long side from side/2 to side, one of four aspects."""
    long_side = side // 2 + (index * 37) % (side // 2 + 1)
    across, down = ASPECTS[index % len(ASPECTS)]
    if across >= down:
        return long_side, max(16, long_side * down // across)
    return max(16, long_side * across // down), long_side


def caption_of(index: int) -> str | None:
    """The printed caption of photo `index` (every third photo), numbered so each differs."""
    if index % 3:
        return None
    return f"{CAPTIONS[(index // 3) % len(CAPTIONS)]} No {index}"


def photo_bytes(index: int, side: int) -> tuple[bytes, str]:
    """(encoded bytes, file suffix) of photo `index`."""
    width, height = photo_size(index, side)
    gray = synthetic_gray(max(width, height), seed=index).crop((0, 0, width, height))
    caption = caption_of(index)
    if caption:
        draw = ImageDraw.Draw(gray)
        size = max(14, width // 18)
        top = height - 3 * size
        draw.rectangle((width // 20, top - size // 3, width - width // 20, top + 3 * size // 2),
                       fill=235)
        font = ImageFont.truetype(FONT, size) if Path(FONT).is_file() else None
        draw.text((width // 12, top), caption, font=font, fill=20)
    mode, fmt = KINDS[index % len(KINDS)]
    image = gray if mode == "L" else sepia(gray)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 88} if fmt == "JPEG" else {}))
    return buffer.getvalue(), ".png" if fmt == "PNG" else ".jpg"


def sepia(gray: Image.Image) -> Image.Image:
    """A gray image as an RGB sepia-toned scan (what many old prints scan as)."""
    return Image.merge("RGB", (gray.point(lambda v: min(255, int(v * 1.07))),
                               gray.point(lambda v: int(v * 0.95)),
                               gray.point(lambda v: int(v * 0.78))))


def write_photos(folder: Path, count: int, side: int) -> PhotoSet:
    """`count` varied photos (photo_bytes) written into `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, total = [], 0
    for index in range(count):
        data, suffix = photo_bytes(index, side)
        path = folder / f"photo-{index:05d}{suffix}"
        path.write_bytes(data)
        paths.append(path)
        total += len(data)
    captioned = sum(caption_of(index) is not None for index in range(count))
    return PhotoSet(paths, total, captioned)
