"""What an ISO media file (an `ftyp` box first: HEIC, AVIF, MP4, QuickTime) holds, told by
its brands, and the fix that fits one the loader could not read.

An iPhone saves its photos as HEIC, which Pillow reads only through pillow-heif (a dependency,
`heif_opener.py`; an install without it is told `pip install pillow-heif`); an AVIF is read
only by a Pillow that has its AVIF decoder (11.2 and later, from its own wheels); an MP4 is a
video. One message for all three ("a HEIC/AVIF/MP4 container") sent the owner of a HEIC photo
to look for a converter for three formats.
"""

from __future__ import annotations

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm",
                          b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_IMAGE_BRANDS = frozenset({b"mif1", b"msf1"})  # a HEIF still image or sequence, codec unsaid


def is_iso_media(head: bytes) -> bool:
    """The file starts with an ISO media `ftyp` box (HEIC, AVIF, MP4, MOV, 3GP)."""
    return head[4:8] == b"ftyp"


_CONVERT_HEIC = ("convert it to JPEG or PNG (macOS Preview: File > Export; Linux: heif-convert "
                 "photo.heic photo.jpg; an iPhone saves JPEG with Settings > Camera > Formats "
                 "> Most Compatible, an Android phone's gallery shares one as JPEG)")


def _brands(head: bytes) -> set[bytes]:
    """The `ftyp` box's major brand and the compatible brands after it."""
    size = int.from_bytes(head[:4], "big")
    box = head[8:min(len(head), max(size, 16))]
    return {box[:4]} | {box[i:i + 4] for i in range(8, len(box) - 3, 4)}


def is_heif(head: bytes) -> bool:
    """An ISO media file with HEIF brands and none of AVIF's (pillow-heif reads no AVIF)."""
    brands = _brands(head) if is_iso_media(head) else set()
    return bool(brands & (_HEIF_BRANDS | _IMAGE_BRANDS)) and not brands & _AVIF_BRANDS


def iso_media_problem(head: bytes, converts_to: str,
                      heif_reader: str | None = None) -> tuple[str, str]:
    """(problem, fix) for an ISO media file the loader could not open; `head` holds at least
    the `ftyp` box. `heif_reader` says why pillow-heif cannot read HEIF here (None: it can,
    and could not read this file)."""
    brands = _brands(head)
    if brands & _AVIF_BRANDS:
        fix = ("install Pillow 11.2 or later from its own wheels, which read AVIF, or convert "
               f"it to {converts_to} first")
        return "is an AVIF image and this Pillow has no AVIF decoder", fix
    if brands & (_HEIF_BRANDS | _IMAGE_BRANDS):
        photo = "is a HEIC/HEIF photo (as iPhones save them)"
        if heif_reader:
            how = "reinstall it" if "could not be loaded" in heif_reader else "install it"
            fix = (f"{how} in chronochrome's environment (pip install --upgrade pillow-heif), "
                   f"or {_CONVERT_HEIC}")
            return f"{photo}, and {heif_reader}", fix
        return (f"{photo} that pillow-heif could not read: its data is incomplete or damaged",
                f"re-export or re-download it, or {_CONVERT_HEIC}")
    return ("is a video or audio file (MP4/QuickTime), not a photo",
            f"export the frame you want as {converts_to} first")
