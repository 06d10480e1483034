"""PIL's "DecompressionBombWarning" is not printed where our own pixel cap has been checked,
and a file over our cap, or a real decompression bomb, is still refused with our one-line
error, before any pixel is decoded.

PIL warns past `Image.MAX_IMAGE_PIXELS` (89 MP by default) and refuses past twice that.
Decoding a 100 MP photo in a test takes GBs, so these tests lower PIL's limit to 3000 pixels
(a 64 x 64 photo, 4096 pixels, then draws the warning, as a 100 MP scan does by default).
"""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.item_files import image_mime_of
from colorizer.errors import ImageTooLargeError
from colorizer.pipeline import pil_settings as colorizer_pil_settings
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.xmp_read import xmp_packet
from context import photo_reading
from tests.bomb_files import bomb_png

REPO = Path(__file__).resolve().parents[1]
PIL_WARNS_PAST = 3000  # PIL's lowered limit: 64 x 64 warns, 2 x 3000 would be refused


def _pixels(size: int = 64) -> Image.Image:
    ramp = np.add.outer(np.arange(size), np.arange(size)).astype(np.uint8) * 2
    return Image.fromarray(np.stack([ramp, ramp // 2, 255 - ramp], axis=-1))


def _photo(path: Path, size: int = 64) -> Path:
    _pixels(size).save(path)
    return path


def _bomb_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught
            if issubclass(w.category, Image.DecompressionBombWarning)]


@pytest.fixture
def pil_warns_early(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", PIL_WARNS_PAST)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def test_one_settings_instance_serves_colorizer_and_context():
    from context import pil_settings as context_pil_settings

    # Two reference counts would restore each other's saved values.
    assert colorizer_pil_settings.PIL_SETTINGS is context_pil_settings.PIL_SETTINGS


def _run_context(*args: str, pil_limit: int | None = PIL_WARNS_PAST
                 ) -> subprocess.CompletedProcess:
    """`python -m context ARGS` in a real process, PIL's limit lowered first."""
    code = ("import sys\nfrom PIL import Image\n"
            + (f"Image.MAX_IMAGE_PIXELS = {pil_limit}\n" if pil_limit else "")
            + "from context.cli import main\nsys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)


def test_python_m_context_reads_a_photo_over_pils_limit_without_its_warning(tmp_path):
    photo = _photo(tmp_path / "Kazan_1950.png")
    done = _run_context(str(photo), "--no-ocr", "--no-embedding")
    assert done.returncode == 0, done.stderr
    assert "DecompressionBomb" not in done.stderr
    assert "caption (filename): Kazan_1950.png" in done.stderr
    assert '"era"' in done.stdout


def test_python_m_context_refuses_a_bomb_in_one_line_without_decoding(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    done = _run_context(str(bomb), "--no-ocr", "--no-embedding", pil_limit=None)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [(
        "error: bomb.png is 50000x50000 = 2,500,000,000 pixels, but a file of 74 bytes cannot "
        "hold that many pixels, so its header is most likely damaged: re-export or "
        "re-download the file")]


def test_python_m_context_refuses_a_jpeg_bomb_it_would_read_as_blank(tmp_path):
    small = io.BytesIO()
    Image.new("L", (8, 8)).save(small, "JPEG")
    data = bytearray(small.getvalue())
    frame = data.index(b"\xff\xc0")  # the JPEG's frame header: height, width at +5
    data[frame + 5:frame + 9] = (60000).to_bytes(2, "big") * 2
    (tmp_path / "bomb.jpg").write_bytes(bytes(data))
    done = _run_context(str(tmp_path / "bomb.jpg"), "--no-ocr", "--no-embedding",
                        pil_limit=None)
    assert done.returncode == 2, done.stdout
    assert done.stderr.strip() == (
        f"error: bomb.jpg is 60000x60000 = 3,600,000,000 pixels, but a file of {len(data)} "
        "bytes cannot hold that many pixels, so its header is most likely damaged: re-export "
        "or re-download the file")


def test_python_m_context_says_so_for_a_file_that_is_not_a_photo(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a photo")
    done = _run_context(str(text), "--no-ocr", "--no-embedding", pil_limit=None)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {text}: the photo cannot be read (")


def test_a_huge_png_is_read_in_gray_and_one_over_the_whole_limit_refused(tmp_path,
                                                                        pil_warns_early):
    photo = _photo(tmp_path / "scan.png")
    read = photo_reading.read_photo(photo, max_pixels=1000, gray_max_pixels=2000, whole_max_pixels=5000)
    assert (read.image.mode, read.image.size, read.scale) == ("L", (64, 64), 1)
    assert np.array_equal(np.asarray(read.image), np.asarray(_pixels().convert("L")))
    assert read.note.startswith("scan.png is 64x64 (0 MP): read in gray to bound memory")
    with pytest.raises(photo_reading.PhotoTooLarge, match=r"scan.png is 64x64 = 4,096 pixels, above the "
                       r"limit of 4,000: save it as JPEG .* or downscale it"):
        photo_reading.read_photo(photo, max_pixels=1000, gray_max_pixels=2000, whole_max_pixels=4000)
    # A photo under `max_pixels` is read whole, in color, as before.
    assert photo_reading.read_photo(photo).image.mode == "RGB"
    assert _bomb_warnings(pil_warns_early) == []


def test_a_huge_jpeg_is_still_read_reduced_without_pils_warning(tmp_path, pil_warns_early):
    photo = tmp_path / "scan.jpg"
    _pixels().save(photo, quality=95)
    read = photo_reading.read_photo(photo, max_pixels=1000, gray_max_pixels=1100)
    assert (read.image.mode, read.image.size, read.scale) == ("L", (32, 32), 2)
    assert _bomb_warnings(pil_warns_early) == []


def test_the_loader_still_refuses_over_our_cap_and_a_bomb(tmp_path, pil_warns_early):
    photo = _photo(tmp_path / "scan.png")
    assert load_image(photo, max_pixels=5000).size == (64, 64)
    with pytest.raises(ImageTooLargeError, match=r"above the limit of 4,000.*--max-pixels 4096"):
        load_image(photo, max_pixels=4000)
    with pytest.raises(ImageTooLargeError, match="74 bytes cannot hold that many pixels"):
        load_image(bomb_png(tmp_path / "bomb.png"))
    assert _bomb_warnings(pil_warns_early) == []


def test_header_readers_do_not_print_pils_warning(tmp_path, pil_warns_early):
    # `check` reads a colorization's XMP, the service sniffs an original's MIME type: both
    # read the header only, of files our cap has accepted.
    data = (_photo(tmp_path / "colorized.png")).read_bytes()
    assert xmp_packet(data) is None
    assert image_mime_of(io.BytesIO(data)) == "image/png"
    assert _bomb_warnings(pil_warns_early) == []
    assert Image.MAX_IMAGE_PIXELS == PIL_WARNS_PAST  # given back after each read


def test_chronochrome_context_takes_the_max_pixels_its_refusal_names(tmp_path):
    photo = _photo(tmp_path / "scan.png")
    command = [sys.executable, "-m", "colorizer.apps.cli", "context", str(photo), "--no-ocr",
               "--no-embedding"]
    refused = subprocess.run([*command, "--max-pixels", "4000"], cwd=REPO, capture_output=True,
                             text=True, timeout=180, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"error: {photo}: image is 64x64 = 4,096 pixels, above the limit of 4,000. downscale "
        "it first, or raise the limit with --max-pixels 4096 (CLI) or max_pixels=4096 (Python)")
    read = subprocess.run([*command, "--max-pixels", "4096"], cwd=REPO, capture_output=True,
                          text=True, timeout=180, check=False)
    assert read.returncode == 0, read.stderr
    assert '"era"' in read.stdout


def test_library_search_refuses_a_bomb_image_in_one_line(tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "library", "search",
                           "--image", str(bomb)], cwd=REPO, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().endswith(
        "bomb.png is 50000x50000 = 2,500,000,000 pixels, but a file of 74 bytes cannot hold "
        "that many pixels, so its header is most likely damaged: re-export or re-download "
        "the file")
