"""Photos a folder holds that chronochrome cannot read, named in the batch's summary.

The folder walk (`colorizer.apps.planner`) takes files by suffix. A digitisation project's
folder of 40 DNGs and 2 TIFFs was "2 colorized" without a word about the 40, and a folder of
DNGs alone "no image files found" (what now?). A file the walk leaves out is named here when
it is a photo in a form we cannot read: a camera raw, a PDF of scans, a Photoshop or JPEG XL
file, an image under a suffix the walk does not take (.jfif), or an image with no suffix.
One line a kind, with a count, the first names and the fix (`-v` logs every file); nothing
about sidecars (.xmp, .json, .txt), hidden files or any other file. Which files are
colorized does not change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from colorizer.apps.progress import one_line
from colorizer.pipeline.camera_raw import RAW_SUFFIXES

log = logging.getLogger("chronochrome.unread_files")

NAMES_SHOWN = 2  # names a summary line gives before "and N more"
_HEAD_BYTES = 12  # read of a file without a suffix, to tell an image by its first bytes


@dataclass(frozen=True)
class UnreadKind:
    """A kind of photo file the walk leaves out, and what to do with such files."""

    one: str  # "camera raw file"
    many: str  # "camera raw files": the summary says "40 camera raw files"
    fix: str  # what to do, worded for one file or many


RAW = UnreadKind("camera raw file", "camera raw files", "develop raw files into 16-bit TIFFs "
                 "first (darktable, RawTherapee, Lightroom or Camera Raw; or `dcraw -T -4 "
                 "FILE`), then colorize the TIFFs")
PDF = UnreadKind("PDF", "PDFs", "a PDF is not a photo format: export its scanned pages as "
                 "TIFFs (`pdfimages -tiff FILE.pdf page` keeps the scans' own pixels), then "
                 "colorize the TIFFs")
PHOTOSHOP = UnreadKind("Photoshop document", "Photoshop documents", "save a flattened copy "
                       "as a 16-bit TIFF, then colorize the TIFF")
JPEG_XL = UnreadKind("JPEG XL file", "JPEG XL files", "convert to PNG (`djxl FILE.jxl "
                     "FILE.png`), then colorize the PNG")
OTHER_SUFFIX = UnreadKind("image under a suffix folders are not searched for",
                          "images under a suffix folders are not searched for",
                          "rename (.jfif and .jpe to .jpg, .jpf, .jpx and .j2c to .jp2, .dib to "
                          ".bmp, .hif to .heic), or name the file on the command line")
# A video given by name with the photo of its name (colorizer.apps.live_photos).
LIVE_PHOTO_VIDEO = UnreadKind("Live Photo video", "Live Photo videos", "the moving part of "
                              "a Live Photo, given with its photo: the photo of its name is "
                              "colorized; nothing else to do")
NO_SUFFIX = UnreadKind("image file without a suffix", "image files without a suffix",
                       "add the suffix of its format (photo -> photo.png), or name the file "
                       "on the command line")

_BY_SUFFIX: dict[str, UnreadKind] = {
    **dict.fromkeys(RAW_SUFFIXES, RAW), ".pdf": PDF, ".psd": PHOTOSHOP, ".psb": PHOTOSHOP,
    ".jxl": JPEG_XL,
    # What the loader reads by its contents, under names the walk does not take: Windows
    # saves a JPEG from the web as .jfif.
    **dict.fromkeys((".jfif", ".jpe", ".mpo", ".jpf", ".jpx", ".j2c", ".dib", ".hif"),
                    OTHER_SUFFIX)}
# The first bytes of the formats the loader reads (`image_opening._SIGNATURES`, and WebP's); not
# BMP's, PNM's or PCX's, whose two bytes ("BM", "P6") start text files as well.
_IMAGE_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"II+\x00",
                 b"MM\x00+", b"GIF87a", b"GIF89a", b"\x00\x00\x00\x0cjP  ", b"\xffO\xffQ")


def unread_kind(path: Path) -> UnreadKind | None:
    """The kind of photo `path` is that the folder walk leaves out; None for any other file
    (a sidecar, a document, a file the walk takes)."""
    suffix = path.suffix.lower()
    kind = _BY_SUFFIX.get(suffix) if suffix else NO_SUFFIX
    # Only plain files: a FIFO would block the read, a dead link is no photo.
    if kind is None or not path.is_file():
        return None
    return None if kind is NO_SUFFIX and not _starts_like_an_image(path) else kind


def _starts_like_an_image(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:  # unreadable: not ours to report here (it is not colorized either way)
        return False
    return head.startswith(_IMAGE_STARTS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


@dataclass
class _Found:
    count: int = 0
    first: list[Path] = field(default_factory=list)  # NAMES_SHOWN of them: memory stays small
    suffixes: set[str] = field(default_factory=set)


class UnreadFiles:
    """What one folder walk left out that is a photo we cannot read: per kind, a count and
    the first names (every name goes to the debug log, `-v`)."""

    def __init__(self) -> None:
        self.found: dict[UnreadKind, _Found] = {}

    def add(self, path: Path) -> bool:
        """Record `path` if it is such a photo; whether it was."""
        kind = unread_kind(path)
        if kind is None:
            return False
        self.add_as(path, kind)
        return True

    def add_as(self, path: Path, kind: UnreadKind) -> None:
        """Record `path` as a file of `kind` (one the caller told apart: a Live Photo's
        video given with its photo)."""
        found = self.found.setdefault(kind, _Found())
        found.count += 1
        if len(found.first) < NAMES_SHOWN:
            found.first.append(path)
        if path.suffix:
            found.suffixes.add(path.suffix.lower())
        log.debug("not colorized, a %s: %s", kind.one, path)

    def lines(self) -> list[str]:
        """One line a kind: "40 camera raw files (.dng) not colorized (a.dng, b.dng and 38
        more): <fix>"."""
        return [_line(kind, found) for kind, found in self.found.items()]

    def nothing_read(self, inputs: list[str]) -> str:
        """The error of a run that found no photo to colorize in `inputs`: what it found
        that it cannot read, with the fixes, or what a folder should hold."""
        given = ", ".join(map(str, inputs))
        if not self.found:
            return (f"no image files found in {given}; give image files (.jpg, .png, .tif, "
                    "...) or folders holding them")
        return f"no photo chronochrome reads in {given}: " + "; ".join(self.lines())


def _line(kind: UnreadKind, found: _Found) -> str:
    noun = kind.one if found.count == 1 else kind.many
    suffixes = f" ({', '.join(sorted(found.suffixes))})" if found.suffixes else ""
    names = ", ".join(one_line(str(path)) for path in found.first)  # a newline in a name
    more = found.count - len(found.first)
    if more:
        names += f" and {more} more; -v names each"
    return f"{found.count} {noun}{suffixes} not colorized ({names}): {kind.fix}"
