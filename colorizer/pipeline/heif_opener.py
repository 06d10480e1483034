"""HEIC/HEIF photos (as iPhones save them, and Android phones may share them) read through
pillow-heif, whose Pillow plugin is registered only when the loader meets one.

Registering at import would load libheif (with its HEVC decoder and encoder) into every run,
and put a HEIF opener beside every `Image.open` of the process; most runs never see a HEIC.
Registered here, on the first ISO media file with HEIF brands, its "HEIF" format is offered
to that file alone (`image_opening.open_image`); the other formats are read as before.

What a phone's HEIC holds besides its photo, and what the loader makes of it (`heif_notes`):
- the rotation: libheif turns the pixels by the file's own transform and pillow-heif resets
  EXIF Orientation to 1, keeping the old value, which the note names;
- an ICC profile (Display P3 on iPhones): in `info["icc_profile"]`, converted to sRGB by the
  loader as any other file's; an nclx box alone with wider primaries is said, not converted;
- other top-level images (a burst, a Live Photo's still beside its key frame): the primary
  image is used and the others counted in a shown note;
- depth maps and auxiliary images (an HDR gain map, portrait mattes): named, not used;
- 10- or 12-bit color: decoded once at its depth where heif_depth.py reads it so (by
  heif_deep_plugin.py, the plugin the loader asks for), else to 8 bits a channel by
  pillow-heif's plugin (the note that says 8 bits stays where that cannot be done).

AVIF stays with Pillow (its own decoder, 11.2 and later): pillow-heif 1.x reads no AVIF.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util

from PIL import Image

HEIF_FORMAT = "HEIF"  # the name pillow-heif's plugin registers under
_AT_DEPTH_READER = "HEIF-AT-DEPTH"  # heif_deep_plugin's, for the loader (its format: HEIF)
# What the auxiliary images' type URNs hold, for the note (Apple's and MPEG's names).
_AUX_KINDS = (("hdrgainmap", "HDR gain map"), ("matte", "portrait matte"),
              ("auxid:1", "alpha plane"), ("depth", "depth map"))
_NCLX_PRIMARIES = {9: "BT.2020", 11: "DCI-P3", 12: "Display P3"}  # ITU-T H.273's codes


def installed() -> bool:
    """Whether pillow-heif is installed, found without importing it (start-up stays as it
    was): the loader's folder suffixes then include .heic/.heif."""
    return importlib.util.find_spec("pillow_heif") is not None


@functools.cache
def heif_reader_problem() -> str | None:
    """Register pillow-heif's opener (once, at the first HEIF file); None when HEIF can be
    read, else why not, for the error's text."""
    try:
        pillow_heif = importlib.import_module("pillow_heif")
        pillow_heif.register_heif_opener()
        _register_deep_plugin()
    except ModuleNotFoundError:
        return "pillow-heif, which reads it, is not installed"
    except (ImportError, OSError, AttributeError, RuntimeError) as exc:  # a broken install
        return f"pillow-heif, which reads it, could not be loaded ({exc})"
    return None


def heif_formats(base_formats: tuple[str, ...]) -> tuple[str, ...]:
    """The formats `Image.open` may try on a file with HEIF brands: HEIF first (Pillow's AVIF
    plugin also claims the generic `mif1` brand) where pillow-heif reads it."""
    return base_formats if heif_reader_problem() else (_AT_DEPTH_READER, *base_formats)


def _register_deep_plugin() -> None:
    """The plugin made to decode deep color once (heif_deep_plugin.py) beside pillow-heif's,
    with its check of a file's first bytes, under a name of its own: only the loader asks
    for it, and any other `Image.open` of a HEIC in the process meets pillow-heif's as
    before (its format is still "HEIF")."""
    deep_plugin = importlib.import_module("colorizer.pipeline.heif_deep_plugin")
    Image.register_open(_AT_DEPTH_READER, deep_plugin.DeepHeifImageFile,
                        Image.OPEN[HEIF_FORMAT][1])


def heif_notes(image: Image.Image, frames: int) -> list[str]:
    """The notes on an opened HEIF file: turned, other images, auxiliary images, bit depth."""
    info = image.info
    notes = []
    if (orientation := info.get("original_orientation")) in range(2, 9):
        notes.append(f"EXIF orientation {orientation} applied")
    if frames > 1:  # "frame " makes it a shown note (imageio._SHOWN_NOTE_PARTS)
        notes.append(f"frame {image.tell() + 1} of {frames} used (the primary image); the "
                     f"other {frames - 1} (a burst's or a Live Photo's images) left out: "
                     "export one as a JPEG to colorize it")
    if extra := _auxiliary_images(info):
        notes.append(f"{extra} in the file not used (the primary image is colorized)")
    if note := _nclx_note(info):
        notes.append(note)
    bit_depth = int(info.get("bit_depth") or 8)
    if bit_depth > 8 and not image.mode.startswith("I;16"):  # gray comes at 16 bits
        notes.append(eight_bit_note(bit_depth))
    return notes


def eight_bit_note(bit_depth: int) -> str:
    """The note on deep color read at 8 bits (shown: " color read at 8 bits a channel")."""
    return (f"{bit_depth}-bit color read at 8 bits a channel (pillow-heif decodes color to "
            "8 bits)")


def _nclx_note(info: dict) -> str | None:
    """A file whose colors are described by an nclx box alone (no ICC profile) with wider
    primaries than sRGB's (some Android phones' HEICs): read as sRGB, and said (shown)."""
    primaries = (info.get("nclx_profile") or {}).get("color_primaries")
    if info.get("icc_profile") or primaries in (None, 1, 2):  # 1: BT.709 = sRGB; 2: unsaid
        return None
    name = _NCLX_PRIMARIES.get(primaries, f"code {primaries}")
    return f"nclx color profile ignored ({name} primaries): colors read as sRGB"


def _auxiliary_images(info: dict) -> str:
    """"depth map, HDR gain map": what a HEIC holds besides its images, as pillow-heif lists
    it (`depth_images`: a list; `aux`: type URN -> image ids)."""
    kinds = ["depth map"] * len(info.get("depth_images") or [])
    for urn, ids in (info.get("aux") or {}).items():
        kind = next((name for key, name in _AUX_KINDS if key in urn.lower()), urn)
        kinds += [kind] * max(1, len(ids or []))
    return ", ".join(dict.fromkeys(kinds))
