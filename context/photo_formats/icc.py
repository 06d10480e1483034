"""A photo's embedded ICC profile converted to sRGB with littleCMS, as both loaders do it:
colorize's (colorizer/pipeline/image_pixels.py, `to_srgb`) and `python -m context`'s
(context/photo_reading.py, `srgb_photo`). A scan's pixels mean what its profile says (Adobe
RGB, a gray gamma, dot gain): read as sRGB, a gray master with a dot-gain profile was up to
11 L* off, which is what OCR and the scene cues then read.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageCms

# How `convert_to_srgb`'s note on a profile it converted from ends (colorizer's deep_color.py
# looks for it).
ICC_CONVERTED_NOTE_END = "converted to sRGB"
# The modes littleCMS converts from as they are: colorize's loader turns the others (alpha,
# palette) into these first.
_MANAGED_MODES = ("L", "RGB", "CMYK")


def convert_to_srgb(image: Image.Image, icc_profile: bytes) -> tuple[Image.Image, str]:
    """`image` (L, RGB or CMYK) converted from its embedded profile to sRGB (RGB), and the
    note saying so. A profile that cannot be read, or does not fit the pixels, is noted, not
    fatal: the image comes back as it was."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        description = ImageCms.getProfileDescription(profile).strip() or "unnamed"
    except (OSError, ImageCms.PyCMSError) as exc:
        return image, f"embedded ICC profile unreadable ({exc}); pixels taken as sRGB"
    try:
        converted = ImageCms.profileToProfile(
            image,
            profile,
            srgb_profile(),
            outputMode="RGB",
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
        )
    except ImageCms.PyCMSError as exc:
        note = f"embedded ICC profile {description!r} does not fit {image.mode} pixels ({exc})"
        return image, note + "; pixels taken as sRGB"
    return converted, f"embedded ICC profile {description!r} {ICC_CONVERTED_NOTE_END}"


def srgb_photo(image: Image.Image) -> Image.Image:
    """A decoded photo as colorize's loader sees its colors: an L, RGB or CMYK photo with an
    embedded profile (`info["icc_profile"]`) converted to sRGB, a gray one back to "L" (its
    channels are equal, so that is exact); any other photo as it is (one without a profile,
    or of a mode the loader converts first: then still read as before). A converted photo
    no longer carries the profile: `library build` saves its exemplar as PNG, which took
    the profile from `info` and so labelled sRGB pixels Adobe RGB (a viewer converted them
    twice)."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in _MANAGED_MODES:
        return image
    converted, _ = convert_to_srgb(image, profile)
    if converted is image:  # the profile did not fit: the pixels stay as they were
        return image
    converted = converted.convert("L") if image.mode == "L" else converted
    converted.info.pop("icc_profile", None)
    return converted


@lru_cache(maxsize=1)
def srgb_profile() -> ImageCms.ImageCmsProfile:
    # Built on first use, not at import.
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
