"""What an ISO media file (an `ftyp` box first: HEIC, AVIF, MP4, QuickTime) that the loader
cannot read holds, told by its brands, with the fix that fits it.

An iPhone saves its photos as HEIC, which Pillow does not read; an AVIF is read only by a
Pillow that has its AVIF decoder (11.2 and later, from its own wheels); an MP4 is a video.
One message for all three ("a HEIC/AVIF/MP4 container") sent the owner of a HEIC photo to
look for a converter for three formats.
"""

from __future__ import annotations

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm",
                          b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_IMAGE_BRANDS = frozenset({b"mif1", b"msf1"})  # a HEIF still image or sequence, codec unsaid


def is_iso_media(head: bytes) -> bool:
    """The file starts with an ISO media `ftyp` box (HEIC, AVIF, MP4, MOV, 3GP)."""
    return head[4:8] == b"ftyp"


def iso_media_problem(head: bytes, converts_to: str) -> tuple[str, str]:
    """(problem, fix) for an ISO media file the loader could not open; `head` holds at least
    the `ftyp` box (its major brand and the compatible brands after it)."""
    size = int.from_bytes(head[:4], "big")
    box = head[8:min(len(head), max(size, 16))]
    brands = {box[:4]} | {box[i:i + 4] for i in range(8, len(box) - 3, 4)}
    if brands & _AVIF_BRANDS:
        fix = ("install Pillow 11.2 or later from its own wheels, which read AVIF, or convert "
               f"it to {converts_to} first")
        return "is an AVIF image and this Pillow has no AVIF decoder", fix
    if brands & (_HEIF_BRANDS | _IMAGE_BRANDS):
        fix = ("convert it to JPEG or PNG first (macOS Preview: File > Export; Linux: "
               "heif-convert photo.heic photo.jpg; an iPhone saves JPEG with Settings > Camera "
               "> Formats > Most Compatible, an Android phone's gallery shares one as JPEG)")
        return "is a HEIC/HEIF photo (as iPhones save them), which Pillow cannot read", fix
    return ("is a video or audio file (MP4/QuickTime), not a photo",
            f"export the frame you want as {converts_to} first")
