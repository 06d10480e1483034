"""Lines of a very large photo are cut and binarized in bounded memory, and read as before.

A sign 700 px tall in a 12000 x 9000 photo was cut at full resolution, and every view of it
(line_images.py) made float copies of that crop; Otsu's histogram added clipped and int64
copies of it (8 bytes a pixel). Now a line is cut shrunk to `MAX_LINE_SIDE` across
(context/regions.py) and the histogram is counted in bands (context/gray_histogram.py)."""

import tracemalloc

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from context.gray_histogram import gray_histogram
from context.line_images import LineView, build_strip, otsu
from context.regions import MAX_LINE_SIDE, crop_line
from context.tesseract import TesseractEngine, tesseract_models

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MB = 2**20


def _peak(fn, *args):
    """(result, tracemalloc peak in bytes) of fn(*args)."""
    tracemalloc.start()
    try:
        out = fn(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _sign(width: int, height: int, size: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A gray photo with 'KAZAN 1952' in dark letters `size` px tall on a light panel; the
    panel's box, as the detector pads it."""
    image = Image.linear_gradient("L").resize((width, height)).point(lambda v: 60 + v // 2)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, size)
    x0, y0, x1, y1 = draw.textbbox((size // 2, size // 2), "KAZAN 1952", font=font)
    box = (x0 - size // 4, y0 - size // 4, x1 + size // 4, y1 + size // 4)
    draw.rectangle(box, fill=235)
    draw.text((size // 2, size // 2), "KAZAN 1952", font=font, fill=20)
    return image, box


def test_otsu_of_a_large_float_array_counts_in_bands_and_finds_the_same_threshold():
    rng = np.random.default_rng(3)
    arr = np.concatenate([rng.normal(60, 20, (1000, 1500)), rng.normal(190, 25, (1000, 1500))]
                         ).astype(np.float32)  # 2000 x 1500: 12 MB
    threshold, peak = _peak(otsu, arr)
    # Before: a clipped float copy (12 MB) and its int64 copy (24 MB), 36 MB over the input.
    assert peak < 4 * MB, peak / MB
    reference = np.bincount(np.clip(arr, 0, 255).astype(np.int64).ravel(), minlength=256)
    assert (gray_histogram(arr) == reference).all()
    assert 110 <= threshold <= 140, threshold


def test_uint8_histogram_is_counted_without_an_int64_copy():
    arr = np.random.default_rng(4).integers(0, 256, (3000, 2000), dtype=np.uint8)  # 6 MB
    hist, peak = _peak(gray_histogram, arr)
    assert peak < 4 * MB, peak / MB  # np.bincount alone copies it to int64: 48 MB
    assert (hist == np.bincount(arr.ravel(), minlength=256)).all()


def test_a_tall_line_is_cut_at_most_max_line_side_across_and_its_views_stay_small():
    image, box = _sign(5000, 1400, 600)  # a line 754 px tall, 3.4 MP as cut before
    crop = crop_line(image, box)
    assert crop.height == MAX_LINE_SIDE
    assert abs(crop.width / crop.height - (box[2] - box[0]) / (box[3] - box[1])) < 0.02
    for view in (LineView(), LineView(binarized=True), LineView(cleaned_for="dark")):
        (strip, tops), peak = _peak(build_strip, image, [box], view)
        # Before: 19 MB (plain) and 78 MB (cleaned) for this line; now 2 and 8 MB.
        assert peak < 12 * MB, (view, peak / MB)
        assert strip.height == 2 * 14 + view.height and tops == [14]


def test_a_line_no_taller_than_max_line_side_is_cut_as_it_is():
    image, box = _sign(1600, 400, 120)
    assert box[3] - box[1] <= MAX_LINE_SIDE
    assert crop_line(image, box).tobytes() == image.crop(box).tobytes()


@pytest.mark.skipif("Latin" not in tesseract_models(), reason="needs tesseract-ocr-script-latn")
def test_the_tall_line_cut_shrunk_reads_as_the_same_line_drawn_small():
    engine = TesseractEngine()
    read = []
    for width, height, size in ((5000, 1400, 600), (800, 300, 60)):
        image, box = _sign(width, height, size)
        for view in (LineView(), LineView(cleaned_for="dark")):
            strip, _ = build_strip(image, [box], view)
            read.append(" ".join(w for w, *_ in engine.words(strip, "Latin")))
    assert read == ["KAZAN 1952"] * 4, read


def test_a_tall_box_reaching_off_the_photo_is_cut_with_black_beyond_its_edge():
    image = Image.new("L", (1000, 800), 200)
    crop = crop_line(image, (-100, 0, 900, 1000))  # 1000 x 1000 box, its left 100 px off
    assert crop.size == (MAX_LINE_SIDE, MAX_LINE_SIDE)
    arr = np.asarray(crop)
    assert arr[:, :20].max() == 0 and arr[:150, 40:].min() == 200 and arr[-40:].max() == 0


def test_a_tall_tilted_line_is_levelled_at_the_shrunk_size():
    image = Image.new("L", (6000, 3000), 128)
    box = (100, 100, 5100, 1600)  # a line 821 px tall tilted by 8 degrees (line_size)
    crop = crop_line(image, box, 8.0)
    pad = MAX_LINE_SIDE // 6  # the margin kept above and below a levelled line
    assert crop.size == (round(4934 * MAX_LINE_SIDE / 821), MAX_LINE_SIDE + 2 * pad)
