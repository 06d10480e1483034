"""The EXIF an output carries from its input says who wrote the output and when: a
colorization of an EPSON scan said "Software: EPSON Scan" and a ModifyDate of 2019 on a file
made today. The scan's own dates (DateTimeOriginal, DateTimeDigitized) and camera stay."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from colorizer.pipeline import provenance
from colorizer.pipeline.colorization import ColorizationPipeline

SOFTWARE, DATETIME, MAKE, EXIF_IFD = 0x0131, 0x0132, 0x010F, 0x8769
ORIGINAL, DIGITIZED, OFFSET, OFFSET_ORIGINAL = 0x9003, 0x9004, 0x9010, 0x9011
SCAN_DAY = "2019:03:04 10:11:12"
NOW = "2026-12-06T20:30:05+00:00"


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(provenance, "_now", lambda: NOW)


def _scan_exif() -> Image.Exif:
    exif = Image.Exif()
    exif.update({SOFTWARE: "EPSON Scan", DATETIME: SCAN_DAY, MAKE: "EPSON"})
    exif[EXIF_IFD] = {ORIGINAL: SCAN_DAY, DIGITIZED: SCAN_DAY, OFFSET: "+01:00",
                      OFFSET_ORIGINAL: "+01:00"}
    return exif


def _scan_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    Image.fromarray((rng.random((24, 40)) * 255).astype(np.uint8), "L").save(
        buffer, format="JPEG", exif=_scan_exif().tobytes())
    return buffer.getvalue()


def _assert_written_by_chronochrome(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as out:
        exif = out.getexif()
        sub = exif.get_ifd(EXIF_IFD)
    assert exif[SOFTWARE] == f"chronochrome {provenance.software_version()}"
    assert exif[DATETIME] == "2026:12:06 20:30:05" and sub[OFFSET] == "+00:00"
    # When the photo was scanned stays, with its own offset, and so does the scanner.
    assert sub[ORIGINAL] == SCAN_DAY and sub[DIGITIZED] == SCAN_DAY
    assert sub[OFFSET_ORIGINAL] == "+01:00" and exif[MAKE] == "EPSON"


@pytest.mark.parametrize("fmt", ["png", "jpg", "tif", "webp"])
def test_output_exif_names_chronochrome_and_the_time_it_was_written(pipe, frozen_now, fmt):
    result = pipe(_scan_jpeg())
    _assert_written_by_chronochrome(provenance.encode_image(result, fmt))
    # The Python API's result still describes the input as it was read.
    carried = Image.Exif()
    carried.load(result.carried.exif)
    assert carried[SOFTWARE] == "EPSON Scan" and carried[DATETIME] == SCAN_DAY


def test_a_16bit_master_is_stamped_too(pipe, frozen_now, tmp_path):
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[SOFTWARE], tags[DATETIME], tags[MAKE] = "EPSON Scan", SCAN_DAY, "EPSON"
    tags[EXIF_IFD] = {ORIGINAL: SCAN_DAY, DIGITIZED: SCAN_DAY, OFFSET_ORIGINAL: "+01:00"}
    ramp = (np.arange(24 * 40, dtype=np.uint16).reshape(24, 40) * 61).astype(np.uint16)
    Image.fromarray(ramp).save(tmp_path / "master.tif", tiffinfo=tags)
    result = pipe(tmp_path / "master.tif")
    assert result.image16 is not None
    for fmt in ("png", "tif"):
        _assert_written_by_chronochrome(provenance.encode_image(result, fmt))


def test_the_cli_output_says_chronochrome_wrote_it(shared_tiny_weights, frozen_now, tmp_path):
    from colorizer.apps.cli import main

    (tmp_path / "scan.jpg").write_bytes(_scan_jpeg())
    assert main(["colorize", str(tmp_path / "scan.jpg"), "-o", str(tmp_path / "out"),
                 "--weights", str(shared_tiny_weights), "--device", "cpu", "--no-context",
                 "--no-exemplars", "--format", "jpg", "-q"]) == 0
    _assert_written_by_chronochrome((tmp_path / "out" / "scan.jpg").read_bytes())


def test_a_photo_without_exif_gets_no_exif_block(pipe):
    buffer = io.BytesIO()
    Image.new("L", (40, 24), 90).save(buffer, format="PNG")
    data = provenance.encode_image(pipe(buffer.getvalue()), "jpg")
    with Image.open(io.BytesIO(data)) as out:
        assert SOFTWARE not in out.getexif()  # the XMP names the writer (xmp:CreatorTool)
