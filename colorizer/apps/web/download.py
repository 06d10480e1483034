"""The colorization as the page's "Download" button saves it: the full-size file the command
line writes for the same photo, hint, caption, reference photos and color hints
(`chronochrome colorize --format FMT`: PNG, JPEG, WebP or TIFF, encoded by the same writer,
colorizer.apps.outputs, with its quality defaults), with the same provenance XMP
(colorizer.pipeline.provenance: DigitalSourceType, the chronochrome properties, the
history), 16 bits a channel for a 16-bit master in PNG and TIFF, under the photo's own name.

The page shows a display-size copy (rendering.py); what a person keeps must not be that: a
3000x2000 family photo came back as a 1600-px file that did not say it was a colorization.

Each photo keeps its full-size pixels as uint8 RGB (uint16 for a 16-bit master), never a
float array, and the file is encoded when it is asked for, in the format asked for: a placed
color hint re-runs in a fraction of a full run and would spend seconds encoding a file nobody
downloads.

The file is written to a private temporary file as it is encoded (staged_image.py, as the
command line writes it), then sent from that file a piece at a time: built as bytes, a 24 MP
master's 115 MB PNG took 342 MB of memory to send (with the 8-bit stand-in below), a 100 MP
master's 500 MB PNG over a GB. The file's name is removed as soon as it is open, so no download,
finished or dropped, leaves one behind, and the answer starts only once the file is whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from fastapi.responses import StreamingResponse
from PIL import Image

from colorizer.apps.c2pa_signing import SigningFailedError
from colorizer.apps.outputs import Signer, encode_outputs, image_mime, image_suffix
from colorizer.apps.service.item_names import clean_name, content_disposition
from colorizer.apps.staged_image import StagedImage
from colorizer.apps.web.opening import OpenError
from colorizer.pipeline.output_formats import normalize_format

if TYPE_CHECKING:
    from colorizer.pipeline.result import ColorizationResult

STEM_ENDING = ".colorized"  # as the page named the display copy it saved before (.png)
# Bytes of a name the staged file takes as its own: its staging name adds ".", "." and a
# random part to it, and a file name has 255 bytes at most (a 120-character Cyrillic stem
# is 240 bytes); a longer name stages as "download.png" (only a C2PA title shows it).
_STAGED_NAME_BYTES = 200
_PIECE = 1 << 20  # bytes sent at a time


@dataclass(frozen=True, eq=False)
class FullSize:
    """The full-size output pixels of one colorization: `image` (RGB uint8) for an 8-bit
    input, `image16` ((H, W, 3) uint16) alone for a 16-bit one: its PNG is written from those
    16 bits, so holding the 8-bit copy too would only cost memory."""

    image: Image.Image | None
    image16: np.ndarray | None

    @classmethod
    def of(cls, result: ColorizationResult) -> FullSize:
        if result.image16 is not None:
            return cls(None, result.image16)
        image = result.image  # RGB already: kept as is, not copied
        return cls(image if image.mode == "RGB" else image.convert("RGB"), None)

    @property
    def nbytes(self) -> int:
        """The bytes held: PIL keeps an RGB image as 4 bytes a pixel (RGBX), not 3."""
        if self.image16 is not None:
            return self.image16.nbytes
        width, height = self.image.size
        return width * height * 4

    def result(self, slim: ColorizationResult) -> ColorizationResult:
        """`slim` (the display-size result the check reads) with these pixels back."""
        image = self.image
        if image is None:  # only its size matters: encode_image writes the 16 bits (an
            # 8-bit copy of them cost 9 bytes a pixel to make, 3 to keep)
            height, width = self.image16.shape[:2]
            image = Image.new("RGB", (width, height))
        return replace(slim, image=image, image16=self.image16)


def download_format(fmt: str) -> str:
    """`fmt` as the writer names it (jpeg -> jpg, tiff -> tif); an unknown one is refused in
    words naming the choices, as `colorize --format` refuses it."""
    try:
        return normalize_format(fmt)
    except ValueError:
        raise OpenError("unknown_format", f"cannot download as {fmt!r}: choose png, jpeg, "
                        "webp or tiff", 422) from None


def full_file(full: FullSize, slim: ColorizationResult, fmt: str = "png", *,
              signer: Signer | None = None, name: str = "photo") -> BinaryIO:
    """The file the command line writes in `fmt` (colorizer.apps.outputs, the batch writer's
    one path), as an open file at its start, its name already removed: close it
    (`file_answer` does). `signer`: C2PA-signed as colorize's outputs are, the manifest
    titled `download_name(name, fmt)`, the name the browser saves it under."""
    folder = None
    try:
        folder = Path(tempfile.mkdtemp(prefix="chronochrome-download-"))
        target = folder / _staged_name(name, fmt)
        try:
            staged = encode_outputs(full.result(slim), target, fmt, signer=signer,
                                    stage_under=folder).image
        except SigningFailedError as exc:  # the certificate ran out since the start
            raise OpenError("signing_failed", f"{exc}; the download was not sent unsigned",
                            503) from None
        assert isinstance(staged, StagedImage)  # stage_under was given
        written = staged.adopt()  # raises what met the write (a full disk)
        handle = written.open("rb")
    except OSError as exc:
        raise OpenError("no_room", f"the full-size file could not be written to the temporary "
                        f"folder {tempfile.gettempdir()} ({exc.strerror or exc}): make room "
                        "there, or point TMPDIR at a folder with room, and download again",
                        507) from None
    finally:
        if folder is not None:  # the open handle keeps the file's data
            shutil.rmtree(folder, ignore_errors=True)
    return handle


def _staged_name(photo_name: str, fmt: str) -> str:
    """`download_name`, where a file may take it (else "download.png", .jpg, ...)."""
    name = download_name(photo_name, fmt)
    try:
        fits = len(name.encode("utf-8")) <= _STAGED_NAME_BYTES
    except UnicodeEncodeError:  # a lone surrogate from a browser's form
        fits = False
    return name if fits else f"download{image_suffix(fmt)}"


def file_answer(photo_name: str, handle: BinaryIO, fmt: str = "png") -> StreamingResponse:
    """The download's answer: `handle` (from `full_file`, in `fmt`) sent a piece at a time,
    then closed."""
    size = os.fstat(handle.fileno()).st_size
    return StreamingResponse(_pieces(handle), media_type=image_mime(fmt), headers={
        **attachment(photo_name, fmt), "Content-Length": str(size)})


def _pieces(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while piece := handle.read(_PIECE):
            yield piece


def download_name(photo_name: str, fmt: str = "png") -> str:
    """`<the photo's stem>.colorized.png` (.jpg, .webp, .tif as `fmt` says);
    `photo.colorized.png` for a name with nothing left once its folders and control
    characters are dropped."""
    stem = PurePosixPath(clean_name(photo_name) or "photo").stem.strip()
    return (stem or "photo") + STEM_ENDING + image_suffix(fmt)


def attachment(photo_name: str, fmt: str = "png") -> dict[str, str]:
    """The download's headers: its name (RFC 6266, UTF-8 names kept) and no stale copy."""
    return {"Content-Disposition": content_disposition(download_name(photo_name, fmt)),
            "Cache-Control": "no-cache"}
