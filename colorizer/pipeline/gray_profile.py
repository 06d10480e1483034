"""16-bit grayscale read through its embedded gray ICC profile, without losing bits.

Archives' gray masters are 16-bit TIFFs tagged "Dot Gain 20%" or "Gray Gamma 2.2" (what
Photoshop assigns). Pillow has no 16-bit RGB mode, so the 8-bit path (gray -> sRGB RGB with
littleCMS, `convert_to_srgb` in context/photo_formats/icc.py) would throw bits away; and taking
the values as sRGB gray put a Dot Gain 20% master's mid-gray 8 L* darker than a color-managed
viewer shows it. Here littleCMS maps the 16-bit values to 16-bit relative luminance Y (a linear
gray profile, built below: Pillow's ImageCms only makes sRGB, Lab and XYZ profiles), and the
caller gets the values as sRGB-encoded gray, as every other gray input is.
"""

from __future__ import annotations

import io
import struct
from functools import lru_cache

import numpy as np
from PIL import Image, ImageCms

D50 = (0.9642, 1.0, 0.8249)  # the ICC profile connection space's white


def gray_profile_table(icc_profile: bytes) -> tuple[np.ndarray | None, str]:
    """The 65,536-entry float32 table taking each 16-bit device value to its sRGB-encoded gray
    in [0, 1], and the note; (None, note) when the profile is unreadable or not a gray
    profile. Callers look a photo up in it a band of rows at a time (`table[band]`), so no
    whole-image copy of the 16-bit values is needed."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        description = ImageCms.getProfileDescription(source).strip() or "unnamed"
        space = source.profile.xcolor_space.strip()
    except (OSError, ImageCms.PyCMSError) as exc:
        return None, f"embedded ICC profile unreadable ({exc}); 16-bit values taken as sRGB gray"
    if space != "GRAY":
        return None, (f"embedded ICC profile {description!r} is for {space}, not gray: "
                      "profile ignored, 16-bit values taken as sRGB gray")
    # Every one of the 65,536 values goes through littleCMS once, as a 256 x 256 image, and
    # the photo is looked up in that table: fast at any size, and exact to 16 bits where
    # littleCMS's optimized transform (its own curve tables) was 12 levels off near black.
    levels = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    try:
        transform = ImageCms.buildTransform(source, _linear_gray(), "I;16", "I;16",
                                            ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                            flags=ImageCms.Flags.NOOPTIMIZE)
        luminance = ImageCms.applyTransform(Image.fromarray(levels), transform)
    except ImageCms.PyCMSError as exc:
        return None, (f"embedded ICC profile {description!r} could not be applied ({exc}); "
                      "profile ignored, 16-bit values taken as sRGB gray")
    y = np.asarray(luminance).reshape(-1) / 65535.0
    encoded = np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.power(y, 1 / 2.4) - 0.055)
    table = np.clip(encoded, 0.0, 1.0).astype(np.float32)
    return table, f"embedded ICC profile {description!r} applied to the 16-bit gray values"


@lru_cache(maxsize=1)
def _linear_gray() -> ImageCms.ImageCmsProfile:
    """A gray ICC v2 profile whose values are relative luminance Y (an identity curve)."""
    tags = {b"desc": desc_tag("linear gray"), b"wtpt": xyz_tag(*D50),
            b"kTRC": b"curv\0\0\0\0" + struct.pack(">I", 0)}  # 0 entries: the identity
    return ImageCms.ImageCmsProfile(io.BytesIO(icc_v2_profile(b"GRAY", tags)))


def xyz_tag(x: float, y: float, z: float) -> bytes:
    """An ICC 'XYZ ' tag (s15Fixed16 numbers)."""
    return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))


def desc_tag(text: str) -> bytes:
    """An ICC v2 'desc' tag holding an ASCII description."""
    ascii_text = text.encode("ascii") + b"\0"
    return b"desc\0\0\0\0" + struct.pack(">I", len(ascii_text)) + ascii_text + bytes(78)


def icc_v2_profile(space: bytes, tags: dict[bytes, bytes]) -> bytes:
    """A display-class ICC v2 profile of color space `space` (b"GRAY", b"RGB ") with `tags`
    (signature -> tag body), PCS XYZ, D50 illuminant."""
    table, data = struct.pack(">I", len(tags)), b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, body in tags.items():
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (b"none" + bytes([2, 0x10, 0, 0]) + b"mntr" + space + b"XYZ " + bytes(12)
              + b"acsp" + bytes(28) + xyz_tag(*D50)[8:] + bytes(4))
    header = struct.pack(">I", 128 + len(table) + len(data)) + header
    return header + bytes(128 - len(header)) + table + data
