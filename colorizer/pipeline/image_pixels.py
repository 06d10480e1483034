"""Steps 4-6 of the image loader (`imageio.load_image`): a decoded frame's pixels brought to
sRGB (EXIF orientation; 16/32-bit grayscale scaled, never clipped at 255; alpha composited on
white; palette, CMYK and embedded ICC profiles converted with littleCMS), and whether the source
had real color. Each step that changes the pixels returns a note.

Pixels are kept compact (`to_srgb`), one of three dtypes (`LoadedImage.pixels`):
- uint8: 8-bit gray and 1-bit pages (H, W), 8-bit color (H, W, 3);
- uint16: 16-bit gray (H, W), its values 0..65535 (a 108 MP scan's 216 MB, where the float32
  it once was held 432 MB for the whole run: peak RSS colorize 2447 -> 2277 MB, check
  3693 -> 3473, the web's open 1308 -> 1099), and 16-bit RGB as its levels, (H, W) for a
  gray scan, (H, W, 3) for color, where no profile or alpha changes them (deep_color.py: a
  108 MP 16-bit colorization is 648 MB, not 1.3 GB of float32); a 16-bit gray negative read
  as a negative stays its levels, read inverted (inverted_levels.InvertedLevels);
- float32 in [0, 1]: other high-bit-depth gray (H, W) (32-bit, float, a gray profile's
  curve, HEIF at 10-12 bits) and other 16-bit color (H, W, 3) (a profile, alpha, a 12-bit
  PPM's white of 4095).
Code that reads values in [0, 1] takes them through `unit_pixels`, a band of rows at a time
(the floats the loader once made, to the bit). Float RGB of a 49 MP photo is 588 MB (and was
the start of a 7.8 GB peak); `float_rgb` makes it on demand for code that wants it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from colorizer.errors import UnsupportedImageError
from colorizer.pipeline.gray_profile import gray_profile_table
from colorizer.pipeline.inverted_levels import InvertedLevels, inverted_unit
from context.photo_formats.icc import convert_to_srgb
from context.photo_formats.jp2_header import jpeg2000_precision
from context.photo_formats.orientation import exif_orientation, turned

_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
# The loader's note for NaN/inf pixels (a note the batch CLI shows, not only the report).
NONFINITE_NOTE = "pixel values were not finite (NaN or infinite) and were set to black"
# Resampling (bicubic, Lanczos) takes [0, 1] float data a few percent past 1: such data is
# still [0, 1], not 0-255 data so dark that it peaks at 1.05 (which came back all but black).
FLOAT_OVERSHOOT = 0.05
_HIGH_DEPTH_GRAY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
# Channels differing by more than 3 of 255 levels count as color: exact gray survives JPEG and
# ICC round trips within 1-2 levels, while sepia or hand-tinted prints differ by far more.
_COLOR_TOLERANCE = 3.0 / 255.0
# `pixel_array` copies a big image this many bytes of rows at a time.
_BAND_BYTES = 16 << 20


def apply_orientation(image: Image.Image) -> tuple[Image.Image, int | None]:
    """Rotate/flip as the EXIF Orientation tag says; return the tag when it changed anything."""
    orientation = exif_orientation(image)
    if orientation is None:
        return image, None
    return turned(image, orientation), orientation


def to_srgb(
    image: Image.Image, icc_profile: bytes | None, label: str, sixteen_bits: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Any supported mode -> compact sRGB pixels (see the module docstring), plus notes.
    `sixteen_bits`: an "I" image whose values are 16-bit (`pnm_16bit`)."""
    if image.mode in _HIGH_DEPTH_GRAY_MODES:
        return _high_depth_gray(image, icc_profile, sixteen_bits)
    if image.mode == "1" and not icc_profile and not _has_alpha(image):
        return bilevel_gray(image), []  # (H, W) uint8
    notes = []
    if image.mode == "LAB":  # Pillow's LAB -> RGB is colorimetric already; the "Lab identity"
        icc_profile = None  # profile it attaches fits no RGB pixels ("does not fit", shown)
    if _has_alpha(image):
        image, translucent = _composite_on_white(image)
        if translucent:
            notes.append("alpha composited on white")
    elif image.mode not in ("RGB", "L", "CMYK"):  # "1", "P", "YCbCr", ... (ICC needs RGB)
        image = _convert(image, "RGB", label)
    if image.mode == "CMYK":
        notes.append("CMYK converted to sRGB")
    if icc_profile:
        image, note = convert_to_srgb(image, icc_profile)  # as `python -m context` does
        notes.append(note)
    if image.mode == "L":
        return pixel_array(image), notes  # (H, W) uint8
    if image.mode != "RGB":
        image = _convert(image, "RGB", label)
    return pixel_array(image), notes  # (H, W, 3) uint8


def pixel_array(image: Image.Image) -> np.ndarray:
    """`np.asarray(image)`, the same array, made a band of rows at a time. `np.asarray` goes
    through `tobytes`, which joins its encoded chunks: the whole image is held twice for a
    moment, when the loader peaks (1297 MB there on a 108 MP RGB photo, 1037 MB in bands).
    Each band's chunks here are at most about `_BAND_BYTES`."""
    width, height = image.size
    rows = max(1, _BAND_BYTES // max(1, width * _bytes_per_pixel(image)))
    if height <= rows:  # one band: nothing to gain, and the exact old array
        return np.asarray(image)
    first = np.asarray(image.crop((0, 0, width, rows)))
    pixels = np.empty((height, *first.shape[1:]), dtype=first.dtype)
    pixels[:rows] = first
    del first
    for top in range(rows, height, rows):
        bottom = min(height, top + rows)
        pixels[top:bottom] = np.asarray(image.crop((0, top, width, bottom)))
    return pixels


def bilevel_gray(image: Image.Image) -> np.ndarray:
    """A 1-bit frame (a fax-coded page) -> (H, W) uint8, its black and white gray levels 0
    and 255, converted a band of rows at a time. It was RGB: 3 bytes a pixel held (Pillow's
    RGB copy 4 more) where 1 does; `load_image` of a 20000 x 15000 page peaked at
    2711 MB RSS, now 954 MB. The L* (luminance.py), and so the output, is the same to the bit."""
    width, height = image.size
    gray = np.empty((height, width), dtype=np.uint8)
    rows = max(1, _BAND_BYTES // max(1, width))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        gray[top:bottom] = np.asarray(image.crop((0, top, width, bottom)).convert("L"))
    return gray


def _bytes_per_pixel(image: Image.Image) -> int:
    # Sizes the bands only, so roughly is enough: 16/32-bit gray counted as 4 bytes.
    return max(1, len(image.getbands())) * (4 if image.mode in _HIGH_DEPTH_GRAY_MODES else 1)


def float_rgb(pixels: np.ndarray) -> np.ndarray:
    """Compact pixels (uint8, uint16 or float32, (H, W) or (H, W, 3)) -> (H, W, 3) float32
    in [0, 1]."""
    values = unit_pixels(pixels)
    if values.ndim == 2:
        values = np.repeat(values[..., None], 3, axis=-1)  # (H, W) -> (H, W, 3)
    return np.ascontiguousarray(values)


def _high_depth_gray(image: Image.Image, icc_profile: bytes | None, sixteen_bits: bool
                     ) -> tuple[np.ndarray, list[str]]:
    """16/32-bit grayscale read as [0, 1], never clipped at 255. "I;16*" declares 16 bits: its
    uint16 values, read / 65535 (`unit_pixels`), or float32 through its embedded gray profile
    (gray_profile.py). Mode "I" (32-bit int) and "F"
    (float) declare no range, and a JPEG turned gray "I" (`.convert("L").convert("I")`) holds
    0..255: the range is read from the values instead (`_assumed_range`), so the photo keeps
    its lightness."""
    if image.mode.startswith("I;16") or sixteen_bits:
        notes = ["16-bit grayscale scaled to [0,1]"]
        table = None
        if icc_profile:
            table, note = gray_profile_table(icc_profile)
            notes.append(note)
        return _scaled_16bit(image, table), notes
    values = pixel_array(image)  # (H, W): int32 for I, float32 for F
    notes = []
    if image.mode == "F":
        finite = np.isfinite(values)
        if not finite.all():  # one NaN would make the peak NaN and the whole photo black
            notes.append(f"{int((~finite).sum()):,} {NONFINITE_NOTE}")
            values = np.where(finite, values, 0.0).astype(np.float32)
    scale, note = _assumed_range(image.mode, float(values.max(initial=0)))
    notes.append(note)
    if values.min(initial=0) < 0:
        notes.append("negative grayscale values clipped to black")
    if icc_profile:
        notes.append("embedded ICC profile ignored for 32-bit grayscale")
    return scaled_gray(values, scale), notes  # (H, W)


def scaled_gray(values: np.ndarray, scale: float) -> np.ndarray:
    """`np.clip(values.astype(np.float32) / np.float32(scale), 0, 1)`, the same float32 array,
    made a band of rows at a time: at once, the cast, the quotient and the clipped copy were
    three whole float32 arrays (1.3 GB more on a 108 MP 16-bit scan than the result)."""
    gray = np.empty(values.shape, dtype=np.float32)
    rows = max(1, (1 << 20) // max(1, values.shape[1] if values.ndim > 1 else 1))
    for top in range(0, values.shape[0], rows):
        band = values[top:top + rows].astype(np.float32)
        np.divide(band, np.float32(scale), out=band)
        np.clip(band, 0.0, 1.0, out=gray[top:top + rows])
    return gray


def unit_pixels(pixels: np.ndarray) -> np.ndarray:
    """Compact pixels (module docstring) as float32 in [0, 1], same shape: uint8 / 255, 16-bit
    gray's uint16 / 65535 (`scaled_gray`: the float32 the loader kept before, to the bit),
    float32 as it is (not copied). Callers pass a band of rows where the photo may be large:
    a whole float copy of a 16-bit scan is what keeping it as uint16 saves. A gray
    negative's levels (`InvertedLevels`) give their positive, 1 - u / 65535."""
    if isinstance(pixels, InvertedLevels):
        return inverted_unit(pixels)
    if pixels.dtype == np.uint8:
        return pixels.astype(np.float32) / np.float32(255.0)
    if pixels.dtype == np.uint16:
        return scaled_gray(pixels, 65535.0)
    return pixels.astype(np.float32, copy=False)


def _scaled_16bit(image: Image.Image, table: np.ndarray | None = None) -> np.ndarray:
    """A 16-bit gray frame ("I;16*", or a 16-bit PGM's "I") -> (H, W) uint16, its values
    (`unit_pixels` makes the [0, 1] floats where they are read: as float32, a 108 MP scan held
    432 MB for the whole run where 216 MB do), or float32 in [0, 1] looked up in a gray
    profile's `table` (gray_profile.py), made from Pillow's image a band of about a million
    pixels at a time.
    No whole copy of the values is made: the uint16 copy (`pixel_array`) was 216 MB of a
    108 MP scan held beside Pillow's pixels and the float result (`load_image`'s peak RSS
    1235 -> 1027 MB; with a gray profile 1206 -> 1008 MB), and a PGM's "I" -> "I;16"
    conversion 216 MB more (1472 -> 1271 MB). The pixels are the same to the bit."""
    width, height = image.size
    gray = np.empty((height, width), dtype=np.uint16 if table is None else np.float32)
    rows = max(1, (1 << 20) // max(1, width))  # 2 MB of uint16 (4 MB of int32) a band
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        band = np.asarray(image.crop((0, top, width, bottom)))  # (rows, W) uint16 or int32
        # A PGM's "I" is clamped to 0..65535, as its old "I;16" conversion did (the table's
        # indexes too).
        if table is None:
            gray[top:bottom] = band if band.dtype == np.uint16 else np.clip(band, 0, 65535)
        else:  # (np.take(..., mode="clip") made an 8-byte index copy of the band)
            gray[top:bottom] = table[band if band.dtype == np.uint16
                                     else np.clip(band, 0, 65535)]
    return gray


def _assumed_range(mode: str, peak: float) -> tuple[float, str]:
    """The full-scale value of "I"/"F" pixels, from their peak, and the note saying which was
    assumed: float data up to 1.0 is [0, 1] already; up to 255 is 8-bit; up to 65535 16-bit;
    above that no range fits, and the peak is taken as white."""
    kind = "32-bit float" if mode == "F" else "32-bit integer"
    if mode == "F" and peak <= 1.0:
        return 1.0, f"{kind} grayscale taken as [0,1] (its values are at most 1.0)"
    if mode == "F" and peak <= 1.0 + FLOAT_OVERSHOOT:  # resampled [0, 1] data, not a black
        return 1.0, (f"{kind} grayscale taken as [0,1], its values up to {peak:g} "  # 0-255
                     "clipped to white")
    if peak <= 255:
        return 255.0, f"{kind} grayscale taken as 8-bit (values at most 255) and scaled by 255"
    if peak <= 65535:
        return 65535.0, (f"{kind} grayscale taken as 16-bit (values at most 65535) and "
                         "scaled by 65535")
    return peak, (f"{kind} grayscale above the 16-bit range scaled by its maximum "
                  f"({peak:g} taken as white)")


def _has_alpha(image: Image.Image) -> bool:
    # P, L and RGB carry transparency as a palette index or a single color in info.
    return image.mode in _ALPHA_MODES or "transparency" in image.info


def _composite_on_white(image: Image.Image) -> tuple[Image.Image, bool]:
    """Flatten onto white; also report whether any pixel was not fully opaque."""
    # Pillow has no La -> RGBA conversion ("conversion from La to L not supported"); La -> LA
    # un-premultiplies it, and RGBa / PA convert directly.
    rgba = (image.convert("LA") if image.mode == "La" else image).convert("RGBA")
    translucent = rgba.getchannel("A").getextrema()[0] < 255
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB"), translucent


def _convert(image: Image.Image, mode: str, label: str) -> Image.Image:
    try:
        return image.convert(mode)
    except ValueError as exc:
        raise UnsupportedImageError(
            label,
            f"pixel mode {image.mode!r} is not supported ({exc})",
            "save it as 8-bit RGB or grayscale, or 16-bit grayscale, first",
        ) from exc


def has_color(pixels: np.ndarray) -> bool:
    """True if any pixel's channels differ by more than `_COLOR_TOLERANCE` (gray pixels never:
    they have one channel). Checked a band of rows at a time, so no full-size copy is made."""
    if pixels.ndim == 2:
        return False
    rows = max(1, (1 << 20) // max(1, pixels.shape[1]))
    for top in range(0, pixels.shape[0], rows):
        band = pixels[top: top + rows]
        if band.dtype == np.uint8:  # 8-bit levels: more than 3 of 255
            band, tolerance = band.astype(np.int16), round(_COLOR_TOLERANCE * 255)
        else:  # 16-bit levels read as the floats they stand for (uint16 would wrap below 0)
            band, tolerance = unit_pixels(band), _COLOR_TOLERANCE
        # max - min of the three channels is the largest of their pairwise differences:
        # reducing over the last axis (of 3) took 3.4 s on a 24 MP photo, these 0.2 s.
        red, green, blue = band[..., 0], band[..., 1], band[..., 2]
        if any((np.abs(a - b) > tolerance).any()
               for a, b in ((red, green), (green, blue), (red, blue))):
            return True
    return False


def is_deep_color(image: Image.Image) -> bool:
    """More than 8 bits a channel of color (RGB/RGBA PNG or TIFF at 16, a PPM whose maxval
    is above 255, a JPEG 2000 of more than 8-bit precision): Pillow decodes them to 8 bits.
    Asked of the opened frame, before it is decoded (decoding empties its tiles)."""
    tiles = getattr(image, "tile", None) or []
    args = tiles[0].args if tiles else None
    rawmode = args if isinstance(args, str) else args[0] if args else ""
    if image.mode not in ("RGB", "RGBA"):
        return False
    if tiles and tiles[0].codec_name in ("ppm", "ppm_plain") and isinstance(args, tuple):
        return int(args[-1]) > 255  # (rawmode, maxval)
    if image.format == "JPEG2000" and getattr(image, "fp", None) is not None:
        return (jpeg2000_precision(image.fp) or 8) > 8  # the header, read from the file
    return isinstance(rawmode, str) and ";16" in rawmode


def pnm_16bit(image: Image.Image, source_format: str | None) -> bool:
    """Whether `image` is a PGM with a maxval above 255 (scanimage --depth 16): Pillow's 32-bit
    "I", its values scaled to 0..65535 whatever the maxval, to be read as the 16-bit gray it
    is (`to_srgb(..., sixteen_bits=True)`, by bands), not as 32-bit integers whose range is
    guessed from the brightest pixel. It was converted to a whole "I;16" copy (216 MB on
    108 MP, beside Pillow's 432 MB "I")."""
    return source_format == "PPM" and image.mode == "I"
