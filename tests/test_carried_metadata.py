"""The input's EXIF, IPTC and DPI reach the colorized output (issue #17), in every format."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import encode_image

ARTIST, COPYRIGHT, DESCRIPTION, ORIENTATION, DATETIME = 0x013B, 0x8298, 0x010E, 0x0112, 0x0132


def _gray(size=(40, 24)) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray((rng.random(size[::-1]) * 255).astype(np.uint8), "L")


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_exif_and_dpi_of_a_jpeg_reach_every_output_format(pipe, fmt):
    exif = Image.Exif()
    exif.update({ARTIST: "A. Petrov", COPYRIGHT: "(c) City Archive",
                 DATETIME: "1968:08:21 10:00:00", DESCRIPTION: "Wenceslas Square",
                 ORIENTATION: 6})
    buffer = io.BytesIO()
    _gray().save(buffer, format="JPEG", exif=exif.tobytes(), dpi=(600, 600))
    result = pipe(buffer.getvalue())
    assert result.image.size == (24, 40)  # Orientation 6 applied to the pixels
    with Image.open(io.BytesIO(encode_image(result, fmt))) as out:
        got = out.getexif()
        assert got[ARTIST] == "A. Petrov" and got[COPYRIGHT] == "(c) City Archive"
        assert got[DESCRIPTION] == "Wenceslas Square" and got[DATETIME].startswith("1968")
        assert got.get(ORIENTATION, 1) == 1  # not turned a second time by a viewer
        if fmt != "webp":  # WebP has no resolution field
            assert round(out.info["dpi"][0]) == 600


def test_iptc_byline_and_copyright_become_exif_in_the_output(pipe):
    def dataset(number: int, text: bytes) -> bytes:
        return b"\x1c\x02" + bytes([number]) + len(text).to_bytes(2, "big") + text

    iptc = dataset(80, b"Ivan Ivanov") + dataset(116, b"State Archive") + dataset(120, b"Kazan")
    ifd = TiffImagePlugin.ImageFileDirectory_v2()
    ifd[33723] = iptc
    ifd.tagtype[33723] = 7  # UNDEFINED
    buffer = io.BytesIO()
    _gray().save(buffer, format="TIFF", tiffinfo=ifd)
    result = pipe(buffer.getvalue())
    with Image.open(io.BytesIO(encode_image(result, "png"))) as out:
        got = out.getexif()
    assert (got[ARTIST], got[COPYRIGHT], got[DESCRIPTION]) == ("Ivan Ivanov", "State Archive",
                                                              "Kazan")


def test_a_photo_without_metadata_gets_none(pipe):
    buffer = io.BytesIO()
    _gray().save(buffer, format="PNG")
    with Image.open(io.BytesIO(encode_image(pipe(buffer.getvalue()), "jpg"))) as out:
        assert ARTIST not in out.getexif()
