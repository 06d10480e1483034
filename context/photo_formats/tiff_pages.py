"""Which page of a multi-page TIFF is read, and the note that names the others: by colorize's
loader (colorizer/pipeline/imageio.py), `python -m context` (context/photo_reading.py) and
`library build` (retrieval/exemplar_photo.py), so that all three read the same page (context
and the library read page 1, which may be a preview).

A scanner or an archive's software may store a small preview beside the scan: libtiff's
writers put it after the full image (NewSubfileType 1, "reduced resolution"), but some put it
first. The loader used page 1 whatever it was, so such a file came back as a colorized
thumbnail, with only "first of 2 frames used" said. Now the full-size page is used: the
largest page not marked reduced-resolution (the first of equal ones), and the note names
every other page, and says how to colorize pages that are photos of their own.
"""

from __future__ import annotations

from PIL import Image

_NEW_SUBFILE_TYPE = 254
_REDUCED = 0x1  # NewSubfileType bit 0: a reduced-resolution copy of another page
_MOST_PAGES_WEIGHED = 64  # a document of hundreds of pages: its first 64 are weighed
_NAMED = 3  # other pages named one by one; more are counted
# A page of at most this share of the used page's pixels is a preview of it.
_PREVIEW_SHARE = 0.25
_SPLIT_FIX = ("split the pages into files to colorize each (libtiff's `tiffsplit FILE`, or "
              "ImageMagick's `magick FILE page-%d.tif`)")


def use_main_frame(image: Image.Image, frames: int, from_file: bool) -> str | None:
    """Seek a multi-page TIFF read from a file to its main page; return the note on the
    frame used (None for a single frame). A PIL image given by a caller, and any other
    format's frames (a GIF's first frame is its picture), keep the frame they are at."""
    if frames < 2:
        return None
    if not from_file or image.format != "TIFF":
        index = image.tell()
        return (f"first of {frames} frames used" if index == 0 else
                f"frame {index + 1} of {frames} used")
    pages = page_sizes(image, frames)
    used = main_page(pages)
    image.seek(used)
    return pages_note(used, frames, pages)


def main_page(pages: list[tuple[tuple[int, int], bool]]) -> int:
    """The largest page that is not marked as a reduced-resolution copy (the first of equal
    ones)."""
    full = [k for k, (_, reduced) in enumerate(pages) if not reduced] or list(range(len(pages)))
    return max(full, key=lambda k: (_pixels(pages[k][0]), -k))


def page_sizes(image: Image.Image, frames: int) -> list[tuple[tuple[int, int], bool]]:
    """(size, marked reduced-resolution) of the first pages, read from their headers."""
    pages = []
    for index in range(min(frames, _MOST_PAGES_WEIGHED)):
        image.seek(index)
        subfile = image.tag_v2.get(_NEW_SUBFILE_TYPE, 0) if hasattr(image, "tag_v2") else 0
        pages.append((image.size, bool(int(subfile or 0) & _REDUCED)))
    return pages


def pages_note(used: int, frames: int, pages: list[tuple[tuple[int, int], bool]]) -> str:
    """What was colorized of a multi-page TIFF, naming the pages that were not."""
    size = pages[used][0]
    head = (f"first of {frames} frames used" if used == 0 else
            f"page {used + 1} of {frames} used, the full-size one ({size[0]}x{size[1]})")
    previews, photos = [], []
    for index, (other, reduced) in enumerate(pages):
        if index == used:
            continue
        preview = reduced or _pixels(other) <= _PREVIEW_SHARE * _pixels(size)
        (previews if preview else photos).append(f"page {index + 1} ({other[0]}x{other[1]})")
    unweighed = frames - len(pages)
    parts = [head]
    if previews:
        verb = "is a preview" if len(previews) == 1 else "are previews"
        parts.append(f"{_listed(previews)} {verb} of it, left out")
    if photos or unweighed:
        more = [f"{unweighed} more page{'s' if unweighed > 1 else ''}"] if unweighed else []
        parts.append(f"{_listed(photos + more)} not colorized: {_SPLIT_FIX}")
    return "; ".join(parts)


def _listed(names: list[str]) -> str:
    if len(names) > _NAMED:
        names = [*names[:_NAMED], f"{len(names) - _NAMED} more"]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def _pixels(size: tuple[int, int]) -> int:
    return size[0] * size[1]
