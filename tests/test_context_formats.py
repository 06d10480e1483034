"""`python -m context` reads an archive's files as `chronochrome colorize` does (one set of
format pieces, context/photo_formats/): a camera raw file (DNG) is refused in colorize's
words, where its 151x160 preview was read without a word; a .jp2 master's ICC profile is
applied, where Pillow skips it and the pixels were taken as sRGB (its L* up to 25 gray levels
off colorize's); a 48-bit PPM is decoded in a second, not by Pillow's per-sample loop.
Every file is made here."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.imageio import load_image
from context.photo_reading import read_photo
from tests.icc_profiles import dot_gain, jp2_with_icc
from tests.raw_files import write_dng

REPO = Path(__file__).resolve().parents[1]
HEIGHT, WIDTH = 64, 160


def _print_with_writing() -> Image.Image:
    """A gray print (a ramp of mid-tones, where a dot-gain profile moves them most) with a
    line of writing for OCR to read."""
    ramp = np.linspace(90, 230, WIDTH)[None, :] * np.ones((HEIGHT, 1))
    image = Image.fromarray(np.round(ramp).astype(np.uint8), "L")
    ImageDraw.Draw(image).text((8, 24), "KAZAN 1950", fill=20)
    return image


def _master_and_twin(folder: Path) -> tuple[Path, Path]:
    """The same scan as a .jp2 with a dot-gain profile in its header and as a TIFF with it."""
    image, icc = _print_with_writing(), dot_gain()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG2000")  # lossless
    master, twin = folder / "master.jp2", folder / "twin.tif"
    master.write_bytes(jp2_with_icc(buffer.getvalue(), icc))
    image.save(twin, icc_profile=icc)
    return master, twin


def _dng(path: Path, preview_first: bool) -> Path:
    mosaic = np.arange(HEIGHT * WIDTH, dtype=np.uint16).reshape(HEIGHT, WIDTH) * 6
    preview = np.repeat((mosaic[::4, ::4] >> 8).astype(np.uint8)[..., None], 3, -1)
    return write_dng(path, mosaic, preview, preview_first)


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("preview_first", [True, False])
def test_a_dng_is_refused_by_both_context_commands_in_one_line(tmp_path, preview_first):
    path = _dng(tmp_path / "IMG_0001.dng", preview_first)
    alone = _run("context", path, "--no-embedding")
    # Was exit 0 and a report on the 16x40 preview (or, mosaic first, "the photo cannot be
    # read"), where `chronochrome context` and colorize refuse it as a camera raw file.
    assert alone.returncode == 2 and alone.stdout == "", alone.stderr
    assert alone.stderr.splitlines() == [(
        f"error: {path}: is a camera raw file (DNG): its sensor data must be developed into a "
        "photo first, which chronochrome does not do (it would read only the small preview "
        "that some raws carry). develop it to a 16-bit TIFF first (darktable, RawTherapee, "
        "Lightroom or Camera Raw; or `dcraw -T -4 FILE`), then colorize the TIFF")]
    wired = _run("colorizer.apps.cli", "context", path, "--no-embedding")
    assert (wired.returncode, wired.stderr) == (alone.returncode, alone.stderr)


def test_a_raw_is_refused_by_its_tag_whatever_its_name_and_by_a_cameras_suffix(tmp_path):
    renamed = _dng(tmp_path / "scan.tif", preview_first=True)
    # PhotoRefused, a ValueError (`chronochrome library --image` reports those in one line).
    with pytest.raises(ValueError, match=r"scan.tif: is a camera raw file \(DNG\)"):
        read_photo(renamed)
    plain = tmp_path / "plain.tif"
    _print_with_writing().save(plain)
    assert read_photo(plain).image.size == (WIDTH, HEIGHT)  # a TIFF is read as before
    nikon = tmp_path / "DSC_0001.NEF"
    nikon.write_bytes(plain.read_bytes())  # a NEF is a TIFF, with no DNG tag
    with pytest.raises(ValueError, match=r"DSC_0001.NEF: is a camera raw file \(NEF\)"):
        read_photo(nikon)


def test_a_jp2s_icc_profile_gives_the_l_star_colorize_reads(tmp_path):
    master, twin = _master_and_twin(tmp_path)
    colorize_reads = np.asarray(context_gray(load_image(twin)))  # the gray context gets there
    read = read_photo(master).image
    # Was the file's own levels, taken as sRGB: up to 25 of 255 gray levels off.
    assert read.mode == "L"
    np.testing.assert_array_equal(np.asarray(read), colorize_reads)
    np.testing.assert_array_equal(np.asarray(read_photo(twin).image), colorize_reads)


@pytest.mark.slow  # two `python -m context` runs with OCR: ~15 s on a busy 2-core machine
def test_a_jp2_master_and_its_tiff_twin_give_the_same_context(tmp_path):
    master, twin = _master_and_twin(tmp_path)
    reports = []
    for path in (master, twin):
        run = _run("context", path, "--no-embedding", "--no-filename-caption")
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        reports.append(json.loads(run.stdout))
    assert reports[0] == reports[1]


def test_a_jp2s_header_is_read_without_its_codestream(tmp_path):
    from context.photo_formats.jp2_header import jpeg2000_header, jpeg2000_icc_profile

    master, _ = _master_and_twin(tmp_path)
    data = master.read_bytes()
    stream = io.BytesIO(data + b"\0" * 1_000_000)  # a master's codestream, hundreds of MB
    header = jpeg2000_header(stream)
    assert jpeg2000_icc_profile(header) == jpeg2000_icc_profile(data) == dot_gain()
    assert len(header) < 4096
    assert jpeg2000_header(io.BytesIO(data[:30])) == b""  # cut short in its header
    assert jpeg2000_header(io.BytesIO(b"II*\0" + data)) == b""  # no .jp2


def test_a_48bit_ppm_is_read_without_pillows_per_sample_loop(tmp_path, monkeypatch):
    # Pillow decodes a PNM whose maxval is not 255 with a Python loop over every sample
    # (PpmDecoder): ~10 s for these 2 MP on a busy 2-core machine; colorize's loader reads it
    # with FastPnmDecoder in 0.5 s. The speed itself is a benchmark's business: this checks
    # which decoder ran, and that its pixels are Pillow's.
    from PIL import PpmImagePlugin

    slow_calls = []
    pillow_decode = PpmImagePlugin.PpmDecoder.decode

    def counted(self, buffer):
        slow_calls.append(1)
        return pillow_decode(self, buffer)

    monkeypatch.setattr(PpmImagePlugin.PpmDecoder, "decode", counted)
    ramp = np.linspace(0, 65535, 1600 * 1250).reshape(1250, 1600, 1)
    values = np.round(np.repeat(ramp, 3, -1)).astype(">u2")
    path = tmp_path / "scan.ppm"
    path.write_bytes(b"P6\n# scanimage\n1600 1250\n65535\n" + values.tobytes())
    read = read_photo(path).image
    assert slow_calls == []
    expected = np.round(values[::97, ::89].astype(np.float64) / 257).astype(np.uint8)
    np.testing.assert_array_equal(np.asarray(read)[::97, ::89], expected)
