"""16-bit masters come out at 16 bits a channel: a 16-bit gray scan (TIFF, PNG, one with a
"Gray Gamma 2.2" profile) colorized through the command line and the Python API gives a 16-bit
RGB PNG or TIFF whose L* is the input's to 16-bit precision, with the metadata an 8-bit output
carries; JPEG stays 8-bit with a note, `bit_depth=8` asks for 8 bits, and an 8-bit photo's
outputs are what they were. Every file is made here; 16-bit files are read back with tifffile
and OpenCV (Pillow reads 16-bit RGB at 8 bits)."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from colorizer.apps.cli import main
from colorizer.apps.service.results import write_item_outputs
from colorizer.pipeline import provenance
from colorizer.pipeline.derived_text import COLORIZED
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from tests.icc_profiles import gray_gamma

tifffile = pytest.importorskip("tifffile")  # installed with scikit-image
cv2 = pytest.importorskip("cv2")  # installed with rapidocr

HEIGHT, WIDTH = 24, 1200
# A smooth "sky": 0.15-0.55 of white across 1200 px, ~22 16-bit levels a pixel, 5 8-bit
# levels in all of a band 50 px wide.
SKY = np.round((np.linspace(0.15, 0.55, WIDTH)[None, :]
                + np.linspace(0, 0.02, HEIGHT)[:, None]) * 65535).astype(np.uint16)


def _cli(weights, *args) -> int:
    return main(["colorize", "--weights", str(weights), "--device", "cpu", "--render-size", "64",
                 "--no-context", "--no-exemplars", "--chroma-scale", "3", *map(str, args)])


def _pipe(weights):
    from colorizer import ColorizationPipeline

    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64, chroma_scale=3)


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB pixels (H, W, 3), 8 or 16 bits, with the sRGB matrix's own luminance
    row (the rounded Rec. 709 weights 0.2126, 0.7152, 0.0722 differ by 1 16-bit level)."""
    c = rgb.astype(np.float64) / np.iinfo(rgb.dtype).max
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def _gray_levels(lightness: np.ndarray) -> np.ndarray:
    """L* as the 16-bit sRGB gray level of that lightness (0-65535)."""
    y = np.where(lightness > 8, ((lightness + 16) / 116) ** 3, lightness * 27 / 24389)
    return 65535 * np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1 / 2.4) - 0.055)


def _read16(path) -> np.ndarray:
    """(H, W, 3) RGB as stored, by libpng/libtiff readers other than Pillow's."""
    if path.suffix == ".tif":
        return tifffile.imread(path)
    return cv2.imread(str(path), cv2.IMREAD_UNCHANGED)[..., ::-1]


def _masters(folder):
    folder.mkdir()
    Image.fromarray(SKY).save(folder / "sky.tif")
    Image.fromarray(SKY).save(folder / "plate.png")
    Image.fromarray(SKY).save(folder / "gamma.tif", tiffinfo={34675: gray_gamma(2.2)})
    return [folder / name for name in ("sky.tif", "plate.png", "gamma.tif")]


@pytest.mark.parametrize("fmt", ["png", "tif"])
def test_16bit_masters_come_out_16bit_with_their_lightness(tiny_weights, tmp_path, fmt):
    # Every output was 8-bit: a 16-bit master's L* came back within 127 16-bit levels (0.23
    # L*), its ~23,000 tones as ~4,000, banding in a sky after any curve.
    masters = _masters(tmp_path / "masters")
    out = tmp_path / "out"
    assert _cli(tiny_weights, *masters, "-o", out, "--format", fmt) == 0
    for master, stem in zip(masters, ("sky", "plate", "gamma"), strict=True):
        rgb = _read16(out / f"{stem}.{fmt}")
        assert rgb.dtype == np.uint16 and rgb.shape == (HEIGHT, WIDTH, 3), stem
        assert np.ptp(rgb.astype(np.int32), axis=-1).max() > 500, stem  # it has color
        expected = lightness_of(load_image(master))[0, 0].double().numpy()
        got = _lightness(rgb)
        assert np.abs(got - expected).max() < 0.0015, stem  # measured 0.0009
        # Half a level: the rounding to 16 bits itself (measured 0.496).
        assert np.abs(_gray_levels(got) - _gray_levels(expected)).max() <= 0.51, stem
        tones = len(np.unique(np.round(_gray_levels(got))))
        assert tones > 0.9 * len(np.unique(np.round(_gray_levels(expected)))), stem


def test_a_jpeg_of_a_16bit_master_is_8bit_and_says_so(tiny_weights, tmp_path, caplog):
    masters = _masters(tmp_path / "masters")
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING, logger="colorizer.apps.outputs"):
        assert _cli(tiny_weights, masters[0], "-o", out, "--format", "jpg") == 0
    assert Image.open(out / "sky.jpg").mode == "RGB"
    assert ("sky.jpg: the input's deeper-than-8-bit tones were written at 8 bits a channel: JPEG holds no "
            "more; write PNG or TIFF (--format png or tif) to keep them") in caplog.text


def test_the_python_api_gives_image16_and_saves_16_or_8_bits(tiny_weights, tmp_path):
    masters = _masters(tmp_path / "masters")
    result = _pipe(tiny_weights)(masters[0])
    deep = result.image16
    assert deep is not None and deep.dtype == np.uint16 and deep.shape == (HEIGHT, WIDTH, 3)
    assert "image16=<uint16 (H, W, 3)>" in repr(result)
    assert _pipe(tiny_weights)(SKY / np.float32(65535)).image16 is not None  # a float array
    # The 8-bit image is the 16-bit one rounded to 8 bits (within the rounding of each).
    assert np.abs(deep / 257.0 - np.asarray(result.image)).max() <= 0.51
    provenance.save_image(result, tmp_path / "a.tif")
    assert np.array_equal(_read16(tmp_path / "a.tif"), deep)
    provenance.save_image(result, tmp_path / "b.png", bit_depth=8)
    with Image.open(tmp_path / "b.png") as png:
        assert png.mode == "RGB" and np.array_equal(np.asarray(png), np.asarray(result.image))
    assert cv2.imread(str(tmp_path / "b.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint8
    with pytest.raises(ValueError, match="bit_depth must be None"):
        provenance.save_image(result, tmp_path / "c.png", bit_depth=12)
    with pytest.raises(ValueError, match="cannot tell the output format"):
        provenance.save_image(result, tmp_path / "c.dat")
    # A copy with a display-size image (the workbench's) has no 16-bit pixels of another size.
    small = replace(result, image=result.image.resize((60, 1)))
    assert small.image16 is None


def test_an_8bit_photo_is_written_as_before(tiny_weights, tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "_now", lambda: "2026-01-01T00:00:00+00:00")
    photo = tmp_path / "photo.png"
    Image.fromarray((SKY >> 8).astype(np.uint8)).save(photo)
    pipe = _pipe(tiny_weights)
    result = pipe(photo)
    assert result.image16 is None
    # 8-bit levels in a 32-bit container (a JPEG turned "I") are an 8-bit photo too.
    assert pipe(Image.open(photo).convert("I")).image16 is None
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    for fmt, pil_format in (("png", "PNG"), ("tif", "TIFF"), ("jpg", "JPEG")):
        assert (provenance.encode_image(result, fmt, xmp=xmp)
                == provenance.encode_with_xmp(result.image, pil_format, xmp, result.carried))
        assert provenance.output_bits(result, fmt) == (8, None)
    out = tmp_path / "out"
    assert _cli(tiny_weights, photo, "-o", out) == 0
    assert (out / "photo.png").read_bytes()[24] == 8  # IHDR bit depth


def _tagged_master(path) -> None:
    """A 16-bit TIFF with a caption, artist, date taken, XMP rights and 600 dpi."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[270], tags[315] = "Kazan, May Day 1950", "Ivan Petrov"
    tags[0x8769] = {0x9003: "1950:05:01 10:00:00"}
    tags[700] = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/'
                 b'1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://'
                 b'purl.org/dc/elements/1.1/"><dc:rights>State Archive</dc:rights>'
                 b"</rdf:Description></rdf:RDF></x:xmpmeta>")
    tags.tagtype[700] = 1
    Image.fromarray(SKY[:, :64]).save(path, tiffinfo=tags, dpi=(600, 600))


def test_16bit_outputs_carry_the_metadata_8bit_ones_do(tiny_weights, tmp_path):
    _tagged_master(tmp_path / "master.tif")
    result = _pipe(tiny_weights)(tmp_path / "master.tif")
    xmp = provenance.merge_xmp(provenance.build_xmp(result), result.carried.xmp)
    png16 = provenance.encode_image(result, "png", xmp=xmp)
    png8 = provenance.encode_image(result, "png", xmp=xmp, bit_depth=8)
    assert png16[24:26] == b"\x10\x02"  # IHDR: 16 bits, truecolor
    chunks = [[(kind, body) for kind, body in provenance_chunks(data)
               if kind not in (b"IHDR", b"IDAT", b"IEND")] for data in (png16, png8)]
    assert chunks[0] == chunks[1] and {k for k, _ in chunks[0]} == {b"iTXt", b"pHYs", b"eXIf"}
    tif16 = provenance.encode_image(result, "tif", xmp=xmp)
    for data in (png16, tif16):  # Pillow reads the metadata of both back
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            assert exif[270] == COLORIZED + "Kazan, May Day 1950" and exif[315] == "Ivan Petrov"
            assert exif.get_ifd(0x8769)[0x9003] == "1950:05:01 10:00:00"
            assert round(image.info["dpi"][0]) == 600
            assert b"State Archive" in image.info["xmp"] and b"DigitalSourceType" in image.info[
                "xmp"]
    with tifffile.TiffFile(io.BytesIO(tif16)) as tif:
        page = tif.pages[0]
        assert page.bitspersample == 16 and page.samplesperpixel == 3
        assert np.array_equal(page.asarray(), result.image16)


def provenance_chunks(data: bytes):
    from colorizer.pipeline.deep_encode import png_chunks

    return png_chunks(data)


def test_the_service_writes_a_16bit_result_and_records_it(tiny_weights, tmp_path):
    masters = _masters(tmp_path / "masters")
    result = _pipe(tiny_weights)(masters[2])
    outputs = write_item_outputs(result, "tif", "item1", tmp_path, {}, None, {})
    assert outputs.record["output"]["bits_per_channel"] == 16
    assert np.array_equal(_read16(outputs.image_path), result.image16)
    eight = write_item_outputs(result, "png", "item2", tmp_path, {}, None, {}, bit_depth=8)
    assert eight.record["output"]["bits_per_channel"] == 8
    assert eight.image[24] == 8
