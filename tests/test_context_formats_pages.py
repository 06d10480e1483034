"""`python -m context` reads a photo's pixels as `chronochrome colorize` does, upright and at
the right page: a JPEG stored sideways with EXIF Orientation 6 was read sideways (160x520
where colorize reads 520x160), so OCR found no writing in it, and a multi-page TIFF whose
page 1 is a preview was read as the preview (52x16: no writing either). Both pieces
(context/photo_formats/orientation.py, tiff_pages.py) moved down from colorizer/pipeline/,
whose old paths still import them. Every file is made here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.imageio import load_image
from context.photo_reading import PhotoTooLarge, read_photo

REPO = Path(__file__).resolve().parents[1]
ORIENTATION_TAG = 0x0112


def _caption_print() -> Image.Image:
    """A gray print with a caption OCR reads ("KAZAN 1950": a place and a year)."""
    image = Image.new("L", (520, 160), 235)
    ImageDraw.Draw(image).text((20, 50), "KAZAN 1950", fill=20,
                               font=ImageFont.load_default(size=40))
    return image


def _sideways_jpeg(path: Path, upright: Image.Image) -> Path:
    """`upright` stored as a phone stores a photo taken turned: its pixels turned a quarter
    and EXIF Orientation 6 saying so."""
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=95)
    return path


def _preview_first_tiff(path: Path, photo: Image.Image) -> Path:
    """A TIFF whose page 1 is a small preview and page 2 the photo, as some scanners'
    software writes it."""
    photo.resize((photo.width // 10, photo.height // 10)).save(
        path, save_all=True, append_images=[photo])
    return path


def _context(path: Path) -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    run = subprocess.run([sys.executable, "-m", "context", str(path), "--no-embedding",
                          "--no-filename-caption"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return json.loads(run.stdout), run.stderr


@pytest.mark.slow  # two `python -m context` runs with OCR: ~15 s on a busy 2-core machine
@pytest.mark.parametrize("stored", ["sideways", "preview_first"])
def test_python_m_context_reads_the_caption_colorize_sees(tmp_path, stored):
    upright = _caption_print()
    path = (_sideways_jpeg(tmp_path / "photo.jpg", upright) if stored == "sideways"
            else _preview_first_tiff(tmp_path / "scan.tif", upright))
    report, stderr = _context(path)
    # Was "no writing found in the image": OCR read the caption sideways, or the preview.
    assert report["era"]["start"] == report["era"]["end"] == 1950
    assert report["region"]["name"].startswith("Kazan")
    note = ("note: EXIF orientation 6 applied" if stored == "sideways" else
            "note: page 2 of 2 used, the full-size one (520x160); page 1 (52x16) is a "
            "preview of it, left out")
    assert note in stderr.splitlines()


def test_a_sideways_jpeg_is_read_upright_as_colorize_reads_it(tmp_path):
    path = _sideways_jpeg(tmp_path / "photo.jpg", _caption_print())
    read = read_photo(path)
    colorize_reads = load_image(path)
    assert read.image.size == colorize_reads.size == (520, 160)  # was (160, 520)
    np.testing.assert_array_equal(np.asarray(read.image),
                                  np.asarray(context_gray(colorize_reads)))
    assert read.note == "EXIF orientation 6 applied"


def test_a_preview_first_tiff_is_read_at_its_full_page_as_colorize_reads_it(tmp_path):
    path = _preview_first_tiff(tmp_path / "scan.tif", _caption_print())
    read = read_photo(path)
    colorize_reads = load_image(path)
    assert read.image.size == colorize_reads.size == (520, 160)  # was (52, 16)
    np.testing.assert_array_equal(np.asarray(read.image),
                                  np.asarray(context_gray(colorize_reads)))


def test_a_tiffs_size_limit_is_checked_on_the_page_read(tmp_path):
    path = _preview_first_tiff(tmp_path / "scan.tif", _caption_print())
    # Page 1 (52x16) is under 10,000 pixels; page 2, the one read, is 83,200.
    with pytest.raises(PhotoTooLarge, match=r"scan.tif is 520x160 = 83,200 pixels, above "
                                            r"the limit of 10,000"):
        read_photo(path, max_pixels=5_000, gray_max_pixels=10_000, whole_max_pixels=10_000)


def test_a_huge_photo_read_in_gray_is_turned_upright_too(tmp_path):
    upright = _caption_print()
    jpeg = _sideways_jpeg(tmp_path / "photo.jpg", upright)
    # Over max_pixels and gray_max_pixels: decoded in gray at 1/2 scale, then turned.
    reduced = read_photo(jpeg, max_pixels=10_000, gray_max_pixels=30_000)
    assert (reduced.scale, reduced.image.size) == (2, (260, 80))
    assert reduced.note.endswith("; EXIF orientation 6 applied")
    png = tmp_path / "photo.png"
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    upright.convert("RGB").transpose(Image.Transpose.ROTATE_90).save(png, exif=exif)
    whole = read_photo(png, max_pixels=10_000)  # a PNG: decoded whole, gray, then turned
    assert (whole.scale, whole.image.mode) == (1, "L")
    np.testing.assert_array_equal(np.asarray(whole.image), np.asarray(upright))


def test_the_moved_pieces_keep_their_old_import_paths():
    from colorizer.pipeline import orientation, tiff_pages
    from context.photo_formats.orientation import turned
    from context.photo_formats.tiff_pages import use_main_frame

    assert orientation.turned is turned
    assert tiff_pages.use_main_frame is use_main_frame
