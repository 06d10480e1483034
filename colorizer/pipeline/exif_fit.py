"""The carried EXIF block, rewritten so that every output format can store it.

- Values Pillow cannot write back are left out, each named: a damaged block holds a rational
  where text belongs, or text where a number does, and Pillow's rewrite of the whole block
  raised (AttributeError, struct.error) through the loader, a traceback that ended a CLI batch.
- The block is held to what a JPEG stores: one APP1 segment of at most 65,533 bytes. An input
  whose EXIF was larger (a PNG or TIFF may hold megabytes; a 50 MB ImageDescription was found)
  failed its JPEG output with Pillow's bare "EXIF data is too long", and made a PNG output
  50 MB of metadata. The largest values are left out until the block fits, each named.
"""

from __future__ import annotations

import struct
from typing import Any

from PIL import ExifTags, Image

# Below the JPEG limit by the room Pillow's segment header and a few entries' rounding take.
MAX_CARRIED_EXIF_BYTES = 60_000
_ENTRY_BYTES = 12  # an IFD entry: tag, type, count, value or offset
_NAMES = {0x8825: ExifTags.GPSTAGS}
# What Pillow's writer raises on a value of the wrong type or range.
_WRITE_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, struct.error, KeyError,
                 IndexError, OSError)


def fitted_exif(exif: Image.Exif) -> tuple[bytes | None, str | None]:
    """`exif` as bytes for Pillow's save (None: nothing left), with the values it cannot
    write or that do not fit MAX_CARRIED_EXIF_BYTES removed (in place), and a note naming
    them (None when all were kept)."""
    notes = []
    try:
        block = exif.tobytes()
    except _WRITE_ERRORS:
        unwritable = _drop_unwritable(exif)
        notes.append(f"EXIF {_listed(unwritable)} not copied to the output: damaged (a value "
                     "of the wrong type)")
        block = exif.tobytes() if len(exif) else None
    if block is not None and len(block) > MAX_CARRIED_EXIF_BYTES:
        block, note = _fitted(exif, len(block))
        notes.append(note)
    if notes and block:
        notes[-1] += "; the rest copied"
    return block, "; ".join(notes) or None


def _fitted(exif: Image.Exif, size: int) -> tuple[bytes | None, str]:
    excess, dropped = size - MAX_CARRIED_EXIF_BYTES, []
    # Sizes are counted once and the block rebuilt once: a block of many small tags would
    # otherwise be rebuilt once a tag.
    for value_size, _, ifd, tag, name in sorted(_values(exif), key=lambda item: -item[0]):
        if excess <= 0:
            break
        del ifd[tag]
        dropped.append(f"{name} ({value_size:,} bytes)")
        excess -= value_size + _ENTRY_BYTES
    _drop_empty(exif)
    block = exif.tobytes() if len(exif) else None
    if block is not None and len(block) > MAX_CARRIED_EXIF_BYTES:  # many entries, none big
        return None, (f"the input's EXIF is above {MAX_CARRIED_EXIF_BYTES:,} bytes, the most "
                      "an output can carry, in many small values; not copied to the output")
    return block, (f"EXIF {_listed(dropped)} not copied to the output: above the "
                   f"{MAX_CARRIED_EXIF_BYTES:,} bytes an output's EXIF can hold")


def _drop_unwritable(exif: Image.Exif) -> list[str]:
    """Remove (in place) each value Pillow cannot write alone; their names."""
    dropped = []
    for _, parent, ifd, tag, name in _values(exif):
        probe = Image.Exif()
        if parent is None:
            probe[tag] = ifd[tag]
        else:
            probe[parent] = {tag: ifd[tag]}
        try:
            probe.tobytes()
        except _WRITE_ERRORS:
            del ifd[tag]
            dropped.append(name)
    _drop_empty(exif)
    return dropped


def _drop_empty(exif: Image.Exif) -> None:
    for tag in [t for t, v in exif.items() if isinstance(v, dict) and not v]:
        del exif[tag]


def _listed(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _values(exif: Image.Exif) -> list[tuple[int, int | None, Any, int, str]]:
    """(stored size, the sub-IFD's tag or None, the mapping holding it, tag, name) of every
    value, sub-IFDs' included."""
    found = []
    for tag, value in exif.items():
        if isinstance(value, dict):
            names = _NAMES.get(tag, ExifTags.TAGS)
            found += [(_size(v), tag, value, t, names.get(t, f"tag {t:#06x}"))
                      for t, v in value.items()]
        else:
            found.append((_size(value), None, exif, tag, ExifTags.TAGS.get(tag, f"tag {tag:#06x}")))
    return found


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes)):
        return len(value) + 1
    if isinstance(value, tuple):
        return 8 * len(value)  # rationals, the widest numbers
    return 4
