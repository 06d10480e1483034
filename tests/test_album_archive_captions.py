"""An album page scanned at archive resolution (400-600 dpi) has its paper's captions read as
a small page's are: in pieces round each print (colorizer/pipeline/paper_pieces.py), each
with a line budget of its own, in memory bounded by a piece, not the page."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.album_page import find_prints
from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.inverted_levels import InvertedLevels
from colorizer.pipeline.page_captions import attach, distinct_lines, print_caption, read_paper
from colorizer.pipeline.paper_pieces import PaperPiece, paper_piece, region_gray
from colorizer.pipeline.photo_input import load_photo
from context import ContextConfig, ContextEncoder
from context.types import TextLine
from eval.archive_album_captions import archive_page, big_page

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def encoder() -> ContextEncoder:
    """The real context encoder reading writing (rapidocr boxes and Tesseract), without
    CLIP, the scene model or the description's embedding."""
    return ContextEncoder.from_default(ContextConfig(embed=False))


def _reader(encoder: ContextEncoder):
    return lambda image, hints, captions: encoder(image, hint=hints, captions=captions)


# -- the pieces (no reading) -----------------------------------------------------------------

def test_a_line_read_in_two_pieces_is_kept_once_and_whole():
    whole = TextLine("Yalta 1961", (100, 500, 400, 545), 0.9)
    cut = TextLine("Yalta 19", (100, 502, 330, 544), 0.8)  # the next piece's edge cut it
    other = TextLine("Kazan 1956", (100, 900, 400, 945), 0.9)
    assert distinct_lines([cut, whole, other]) == [whole, other]


def test_a_piece_is_the_page_s_gray_averaged_down_and_maps_back():
    rng = np.random.default_rng(0)
    page = (rng.uniform(0, 255, (40, 50, 3)).repeat(6, 0).repeat(6, 1)).astype(np.uint8)
    loaded = load_photo(page, 10**8)  # 300 x 240 RGB
    gray = region_gray(loaded, (60, 30, 240, 210), side=60)  # 180 x 180 -> 60 x 60
    assert gray.shape == (60, 60)
    whole = np.asarray(context_gray(loaded)).astype(float)
    # The same gray as the page's own, 3 x 3 blocks averaged (context_gray: L* to 8-bit).
    expected = whole[30:210, 60:240].reshape(60, 3, 60, 3).mean((1, 3))
    assert np.abs(gray.astype(float) - expected).max() <= 1.0
    piece = PaperPiece(Image.fromarray(gray), (60, 30, 240, 210), (1 / 3, 1 / 3))
    assert piece.to_page((10, 20, 30, 40)) == (90, 90, 150, 150)


def test_a_piece_of_a_16_bit_negative_is_its_positive_s_gray():
    """The page's pixels are read in bands: a 16-bit gray negative's band stays a negative
    (inverted_levels.InvertedLevels), so its piece is its positive's gray, as the whole's."""
    levels = np.random.default_rng(2).integers(0, 65535, (300, 400), dtype=np.uint16)
    for pixels in (InvertedLevels(levels), levels):
        loaded = dataclasses.replace(load_photo(np.zeros((300, 400), np.uint8), 10**8),
                                     pixels=pixels)
        whole = np.asarray(context_gray(loaded))
        assert np.array_equal(region_gray(loaded, (50, 40, 350, 280)), whole[40:280, 50:350])


# -- read at archive size --------------------------------------------------------------------

@pytest.mark.slow  # a 3500 x 5000 page's paper read: ~10 s
def test_each_print_of_a_400_dpi_page_is_given_its_caption(encoder):
    """Six prints, a two-line caption under two of them and the album's title: nine lines,
    where the page read whole kept eight (the first page of eval/archive_album_captions.py:
    "Yalta 1961" was lost). The pipeline's parts: the prints found, the paper read, each
    caption block given to its print and made the print's caption."""
    page = archive_page(3500, 5000)
    loaded = load_photo(page.gray, 10**8)
    prints = find_prints(loaded)
    assert len(prints) == 6
    attached = attach(read_paper(_reader(encoder), loaded, prints), prints)
    given = [print_caption(None, blocks) for blocks in attached]  # None: no caption
    assert [[field.text for field in caption.fields] if caption else [] for caption in given
            ] == [[text] for text, _ in page.captions]
    assert "Yalta 1961" in [text for text, _ in page.captions]


@pytest.mark.slow  # a 20000 x 20000 page built and its paper read: ~8 s
def test_a_20000_px_page_is_read_in_bounded_memory(encoder):
    """Two prints with a caption under each on a 400 MP page: the captions reach their
    prints, and the paper read takes memory of its pieces, not of the page (+291 MB on the
    2-core CPU; the page read whole, with its gray and a mask of it copied: +1060 MB)."""
    side, status = 20000, "/proc/self/status"
    page = big_page(side)  # eval/archive_album_captions.py's
    loaded = load_photo(page.gray, side * side)
    del page
    prints = find_prints(loaded)
    assert len(prints) == 2
    reader = _reader(encoder)
    reader(archive_page(875, 1250).gray, None, ())  # its models loaded before it is measured
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # the peak (VmHWM) back to what is resident now
    except OSError:
        pytest.skip("the kernel's peak memory cannot be reset here (/proc/self/clear_refs)")
    before = _status_mb(status, "VmRSS")
    read = read_paper(reader, loaded, prints)
    peak = _status_mb(status, "VmHWM") - before
    print(f"paper read of a {side} x {side} page: +{peak:.0f} MB")
    assert [[block.text for block in blocks] for blocks in attach(read, prints)] == [
        ["Kazan, 1956"], ["Yalta 1961"]]
    assert peak < 500, peak


def _status_mb(path: str, key: str) -> float:
    with open(path, encoding="ascii") as status:
        return int(next(line for line in status if line.startswith(key)).split()[1]) / 1024


def test_a_piece_paints_every_print_over():
    rng = np.random.default_rng(1)
    page = np.full((400, 600), 220, np.uint8)
    for left in (50, 350):  # two prints of random blocks
        page[50:250, left:left + 200] = np.kron(rng.integers(20, 120, (10, 10), np.uint8),
                                                 np.ones((20, 20), np.uint8))
    loaded = load_photo(page, 10**8)
    prints = find_prints(loaded)
    assert len(prints) == 2
    piece = paper_piece(loaded, (0, 0, 600, 400), prints, side=300)
    assert piece.image.size == (300, 200)
    assert set(np.unique(np.asarray(piece.image))) == {220}


# -- the eval's command ----------------------------------------------------------------------

@pytest.mark.slow  # the real OCR on two small pages in a subprocess: ~20 s
def test_the_eval_writes_its_figures(tmp_path):
    out = tmp_path / "archive.md"
    done = subprocess.run([sys.executable, "-m", "eval.archive_album_captions", "--pages", "1",
                           "--sizes", "1750x2500", "--big-side", "0", "--out", str(out)],
                          check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "1750x2500 page 0: 6/6 prints, captions 6/6 (exact 6, wrong 0)" in done.stdout
    table = [line for line in out.read_text(encoding="utf-8").splitlines()
             if line.startswith("| 1750 x 2500 |")]
    assert len(table) == 1 and table[0].startswith("| 1750 x 2500 | 6 / 6 | 6 | 0 |")


@pytest.mark.slow  # the eval's imports in a subprocess: ~4 s
def test_the_eval_refuses_a_page_size_it_cannot_build_in_one_line():
    done = subprocess.run([sys.executable, "-m", "eval.archive_album_captions", "--sizes",
                           "3500x500"], check=False, capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "python -m eval.archive_album_captions: error: argument --sizes: 3500x500 is too "
        "small for six prints and their captions: give sides of 800 px or more")
    assert "Traceback" not in done.stderr
