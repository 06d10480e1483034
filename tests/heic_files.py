"""HEIC files as phones write them, made at test time with pillow-heif's own encoder: EXIF
orientation 6 (an iPhone held upright), a Display P3 profile, a burst's several images, 10-bit
color. The P3 profile is written by hand (Pillow's ImageCms makes only sRGB, Lab and XYZ)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.pipeline.gray_profile import D50, desc_tag, icc_v2_profile, xyz_tag

ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110  # EXIF tags
# Display P3's primaries, adapted to D50 as ICC profiles store them (Apple's profile).
DISPLAY_P3 = ((0.51512, 0.24119, -0.00105), (0.29198, 0.69225, 0.04189),
              (0.15710, 0.06657, 0.78407))
ORANGE_P3, GREEN_P3 = (200, 100, 50), (30, 200, 90)


def display_p3() -> bytes:
    """An ICC v2 "Display P3" matrix profile (gamma 2.2 curves)."""
    tags = {b"desc": desc_tag("Display P3"), b"wtpt": xyz_tag(*D50)}
    for signature, primary in zip((b"rXYZ", b"gXYZ", b"bXYZ"), DISPLAY_P3, strict=True):
        tags[signature] = xyz_tag(*primary)
    for signature in (b"rTRC", b"gTRC", b"bTRC"):
        tags[signature] = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256))
    return icc_v2_profile(b"RGB ", tags)


def stored_photo(width: int = 48, height: int = 32) -> Image.Image:
    """An orange field with a green patch at the stored top left, to tell the turn by."""
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[...] = ORANGE_P3
    pixels[:8, :8] = GREEN_P3
    return Image.fromarray(pixels)


def iphone_exif(orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION], exif[MAKE], exif[MODEL] = orientation, "Apple", "iPhone 13"
    return exif.tobytes()


def write_heic(path: Path, images: list[Image.Image], primary: int = 0,
               **save_options: object) -> Path:
    """Save `images` as one HEIC (lossless, 4:4:4: pixel values survive) with pillow-heif."""
    import pillow_heif

    heif = pillow_heif.from_pillow(images[0])
    for image in images[1:]:
        heif.add_from_pillow(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    heif.save(path, quality=-1, chroma=444, primary_index=primary, **save_options)
    return path


def iphone_heic(path: Path, photo: Image.Image | None = None) -> Path:
    """A HEIC as an iPhone saves it: turned by EXIF orientation 6, in Display P3."""
    return write_heic(path, [photo or stored_photo()], exif=iphone_exif(6),
                      icc_profile=display_p3())


def ten_bit_heic(path: Path) -> Path:
    """A 10-bit HEIC (an HDR phone photo's depth): a gray ramp stored at 16 bits a channel."""
    import pillow_heif

    ramp = np.linspace(0, 65535, 48 * 32).reshape(32, 48).astype(np.uint16)
    rgb = np.repeat(ramp[..., None], 3, axis=2)
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(48, 32), data=rgb.tobytes())
    heif.save(path, quality=-1, chroma=444)
    return path
