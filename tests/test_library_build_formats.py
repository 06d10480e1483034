"""`chronochrome library build` keeps of each archive photo what colorize would see of it
(retrieval/exemplar_photo.py reads with context/photo_formats/, as colorize's loader does):
a DNG was kept as its small preview where colorize refuses it, a TIFF whose page 1 is a
preview was kept as the preview (50x30), and an embedded ICC profile (Adobe RGB, in a JPEG
or in a .jp2's header) was ignored, the exemplar up to 141 of 255 levels off the colors
colorize reads. A photo without a profile is kept as before, byte for byte. Every file is
made here; the build runs as a person runs it, through the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.imageio import load_image
from retrieval.exemplar_photo import MAX_SIDE, NotAnExemplar, read_exemplar_photo
from tests.icc_profiles import adobe_rgb, jp2_with_icc
from tests.raw_files import write_dng

REPO = Path(__file__).resolve().parents[1]
HEIGHT, WIDTH = 120, 200


def _photo() -> Image.Image:
    """Saturated color ramps: where Adobe RGB and sRGB differ most."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    rgb = np.stack([x * 255 // WIDTH, y * 255 // HEIGHT, 255 - x * 255 // WIDTH], -1)
    return Image.fromarray(rgb.astype(np.uint8))


def _archive(folder: Path) -> list[str]:
    """The archive's photos, written to `folder`; their file names."""
    photo = _photo()
    write_dng(folder / "camera.dng",
              np.arange(HEIGHT * WIDTH, dtype=np.uint16).reshape(HEIGHT, WIDTH) * 3,
              np.asarray(photo)[::4, ::4].copy())
    Image.new("RGB", (50, 30), (200, 40, 40)).save(  # a reddish preview first
        folder / "pages.tif", save_all=True, append_images=[photo])
    photo.save(folder / "adobe.jpg", quality=95, icc_profile=adobe_rgb())
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG2000")
    (folder / "master.jp2").write_bytes(jp2_with_icc(buffer.getvalue(), adobe_rgb()))
    exif = Image.Exif()
    exif[0x0112] = 6
    photo.transpose(Image.Transpose.ROTATE_90).save(folder / "turned.jpg", exif=exif,
                                                    quality=95)
    photo.save(folder / "plain.png")
    return ["camera.dng", "pages.tif", "adobe.jpg", "master.jp2", "turned.jpg", "plain.png"]


def _as_colorize_sees(path: Path) -> Image.Image:
    """colorize's loaded pixels at the library's size."""
    seen = Image.fromarray(load_image(path).pixels).convert("RGB")
    seen.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    return seen


def test_each_file_is_read_as_colorize_reads_it(tmp_path):
    names = _archive(tmp_path)
    with pytest.raises(NotAnExemplar, match=r"camera.dng: is a camera raw file \(DNG\)"):
        read_exemplar_photo(tmp_path / names[0])  # was its 50x30 preview
    for name in names[1:]:
        kept, seen = read_exemplar_photo(tmp_path / name), _as_colorize_sees(tmp_path / name)
        assert kept.size == seen.size == (WIDTH, HEIGHT), name  # pages.tif: was (50, 30)
        assert kept.tobytes() == seen.tobytes(), name  # adobe.*: up to 141 levels off


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """(the photo folder, the library folder, the build's run)."""
    root = tmp_path_factory.mktemp("archive")
    (root / "photos").mkdir()
    names = _archive(root / "photos")
    with (root / "list.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "year", "place"),
                                 *[(name, name, "1910", "Russian Empire") for name in names]])
    run = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "library", "build",
                          str(root / "photos"), "--metadata", str(root / "list.csv"),
                          "--out", str(root / "lib"), "--no-visual"], check=False,
                         capture_output=True, text=True, timeout=600, cwd=REPO)
    return root / "photos", root / "lib", run


@pytest.mark.slow  # the build through the CLI (MiniLM loaded): ~11 s on a busy 2-core machine
def test_a_dng_is_skipped_in_one_line_saying_how_to_develop_it(built):
    photos, _, run = built
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr  # a row skipped
    assert json.loads(run.stdout)["count"] == 5  # was 6: the DNG kept as its 50x30 preview
    skipped = [line for line in run.stderr.splitlines() if "camera.dng" in line]
    assert skipped == [(
        f"error: {photos.parent / 'list.csv'}:2: {photos / 'camera.dng'}: is a camera raw "
        "file (DNG): its sensor data must be developed into a photo first, which chronochrome "
        "does not do (it would read only the small preview that some raws carry); develop it "
        "to a TIFF or JPEG first (darktable, RawTherapee, Lightroom or Camera Raw; or `dcraw "
        "-T FILE`) and name that file in the row (row skipped)")]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pages.tif", "adobe.jpg", "master.jp2", "turned.jpg"])
def test_an_exemplar_is_the_photo_colorize_sees(built, name):
    photos, library, _ = built
    seen = _as_colorize_sees(photos / name)
    kept = Image.open(library / "images" / f"{Path(name).stem}.png")
    # Was the 50x30 preview (pages.tif), or up to 141 levels off (the Adobe RGB pair).
    assert kept.size == seen.size == (WIDTH, HEIGHT)
    np.testing.assert_array_equal(np.asarray(kept), np.asarray(seen))
    # Its pixels are sRGB now: the PNG must not call them Adobe RGB (a viewer would convert
    # them a second time).
    assert "icc_profile" not in kept.info


@pytest.mark.slow
def test_a_photo_without_a_profile_is_kept_byte_for_byte_as_before(built):
    photos, library, _ = built
    before = Image.open(photos / "plain.png").convert("RGB")  # how it was always read
    before.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    assert Image.open(library / "images" / "plain.png").tobytes() == before.tobytes()
