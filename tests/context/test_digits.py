"""The digits-only pass for a title's year (context/digits.py)."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from context.digits import (
    YearPassConfig,
    best_year,
    column_year,
    columns,
    read_year,
    shows_year,
    tails,
)
from context.tesseract import TesseractEngine, tesseract_models

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs = pytest.mark.skipif("Latin" not in tesseract_models() or not Path(FONT).exists(),
                           reason="needs Tesseract's Latin model and DejaVu Sans")


def test_a_year_standing_alone_in_a_digits_reading():
    # letters forced to digits before the hyphen do not hide the year after it
    assert best_year([("4770149-1977", [0.5] * 8 + [1.0, 1.0, 0.9, 0.9])]) == (1977, 0.95)
    assert best_year([("119771", [1.0] * 6)]) is None  # not alone: digits beside it
    assert best_year([("1234", [1.0] * 4), ("2077", [1.0] * 4)]) is None  # no photo then
    assert best_year([("1931", [0.6] * 4), ("1984", [0.99] * 4)])[0] == 1984  # most confident


def test_what_shows_a_year_already():
    assert shows_year("Молдова-81") and shows_year("Крым / 1973.")
    assert not shows_year("Україна-") and not shows_year("Хорезм 2 94")


def test_tails_cover_the_end_of_a_line_and_right_of_it():
    image = Image.new("RGB", (400, 100))
    inside, beyond = tails((10, 40, 300, 60), image, 3.0)
    assert inside == (240, 40, 300, 60)  # 3 heights from the end, inside the box
    assert beyond[0] == 290 and beyond[2] == 360  # from half a height before the end
    assert len(tails((10, 40, 390, 60), image, 3.0)) == 1  # no room right of it


def test_tall_narrow_boxes_are_columns():
    image = Image.new("RGB", (400, 300))
    boxes = [(10, 10, 200, 40, 1.0), (300, 40, 320, 200, 1.0), (330, 40, 340, 45, 1.0)]
    assert columns(boxes, image, 2) == [(298, 0, 322, 240)]  # lengthened a quarter each end


def _title(draw_year: str) -> Image.Image:
    img = Image.new("RGB", (480, 200), (250, 250, 250))
    font = ImageFont.truetype(FONT, 40)
    if draw_year == "stacked":
        ImageDraw.Draw(img).text((20, 70), "Хорезм", font=font, fill=(10, 10, 10))
        for i, d in enumerate("1979"):
            ImageDraw.Draw(img).text((300, 10 + 45 * i), d, font=font, fill=(10, 10, 10))
    else:
        ImageDraw.Draw(img).text((20, 70), "Хорезм-1984", font=font, fill=(10, 10, 10))
    return img


@needs
def test_a_year_after_a_hyphen_is_read_digits_only():
    engine = TesseractEngine()
    engine.load((), ("Latin",))
    image = _title("hyphen")
    # the detector stopped at the hyphen: the year lies right of the line's box
    end = 20 + round(ImageFont.truetype(FONT, 40).getlength("Хорезм-"))
    box = (15, 70, end, 125)
    found = read_year(engine, image, [(box, (box,))], [], YearPassConfig())
    assert found is not None and found[0] == 1984 and found[2] >= 0.9


@needs
def test_stacked_digits_are_read_as_a_column():
    engine = TesseractEngine()
    engine.load((), ("Latin",))
    image = _title("stacked")
    found = column_year(engine, image, (295, 5, 335, 195), "Latin", 40)
    assert found is not None and found[0] == 1979
