"""The second reader: PP-OCR's Latin look-alike readings of Cyrillic titles, on rendered lines."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from context.config import DEFAULT_DATA_DIR
from context.lookalike_reader import (
    LineReading,
    LookalikeConfig,
    LookalikeReader,
    as_cyrillic,
    letterwise,
    small_caps,
    spelled,
    year_in,
)
from context.writing import place_names

pytest.importorskip("rapidocr_onnxruntime", reason="pip install rapidocr-onnxruntime")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"
BOX = (0, 0, 520, 90)
NAMES = place_names(str(DEFAULT_DATA_DIR))


def _title(text: str) -> Image.Image:
    img = Image.new("RGB", BOX[2:], (235, 235, 235))
    ImageDraw.Draw(img).text((12, 18), text, font=ImageFont.truetype(FONT, 40), fill=(20, 20, 20))
    return img


@pytest.fixture(scope="module")
def reader():
    return LookalikeReader()


@pytest.mark.parametrize("raw, want", [
    ("Xope3m-1984", "Xopeзm-1984"),  # 3 inside a word is з; the year stays digits
    ("dopo2a", "dopoгa"),
    ("B03epaweHue", "BозepaweHue"),
    ("KaBKa31979", "KaBKaз 1979"),  # a year glued to the word is set apart
    ("Budapest1956", "Budapest 1956"),
    ("1975200", "1975200"),  # digits alone stay digits
    ("DeHb5.", "DeHb5."),  # 5 disguises no letter
])
def test_spelled_turns_digits_inside_words_into_letters(raw, want):
    assert spelled(raw) == want


def test_as_cyrillic_turns_lookalikes_and_leaves_latin_writing():
    assert as_cyrillic("Xope3m-1984", NAMES) == "Хорезм-1984"
    assert as_cyrillic("ApMeHua", NAMES) == "Армения"
    assert as_cyrillic("Helsinki", NAMES) is None  # a Latin place name read as itself
    assert as_cyrillic("Budapest1956", NAMES) is None
    assert as_cyrillic("1984", NAMES) is None


def test_year_in_takes_one_year_standing_alone():
    assert year_in("Xopeзm-1984") == 1984
    assert year_in("1984 1985") is None  # two years: no one year
    assert year_in("19845") is None


def test_reader_reads_a_rendered_cyrillic_title_as_lookalikes(reader):
    (text, conf), = reader.read(_title("Хорезм 1984"), [BOX], {})
    assert conf > 0.6
    assert as_cyrillic(spelled(text), NAMES).startswith("Хорезм")
    assert year_in(spelled(text)) == 1984


def test_merge_replaces_a_reading_that_names_no_place(reader):
    img = _title("Хорезм 1984")
    tesseract = [LineReading("мар", BOX, 0.5, "Cyrl", 1.0)]
    out = reader.merge(img, [BOX], tesseract, {}, NAMES, floor=0.35)
    assert [r.script for r in out] == ["Cyrl"]
    assert out[0].text.startswith("Хорезм") and year_in(out[0].text) == 1984
    assert out[0].reader.startswith("PP-OCR") and "Xope" in out[0].reader  # what it read


def test_merge_keeps_a_reading_that_names_a_place_unless_told(reader):
    img = _title("Хорезм 1984")
    tesseract = [LineReading("Хорезм 1994", BOX, 0.8, "Cyrl", 1.0)]
    kept = LookalikeReader(LookalikeConfig(year_override=False))
    assert kept.merge(img, [BOX], tesseract, {}, NAMES) == tesseract
    out = reader.merge(img, [BOX], tesseract, {}, NAMES)
    assert [r.text for r in out] == ["Хорезм 1984"]  # the more confident year
    sure = [LineReading("Хорезм 1994", BOX, 0.99, "Cyrl", 1.0)]
    assert reader.merge(img, [BOX], sure, {}, NAMES) == sure


def test_merge_leaves_latin_writing_alone(reader):
    img = _title("Budapest 1956")
    tesseract = [LineReading("Budapest 1956", BOX, 0.9, "Latn", 1.0)]
    assert reader.merge(img, [BOX], tesseract, {}, NAMES) == tesseract


def test_merge_takes_a_latin_place_name_tesseract_misread(reader):
    img = _title("Budapest 1956")
    misread = [LineReading("Buddpest 1956", BOX, 0.8, "Latn", 1.0)]
    out = reader.merge(img, [BOX], misread, {}, NAMES)
    assert [(r.text, r.script) for r in out] == [("Budapest 1956", "Latn")]


def test_merge_counts_readings_under_the_floor_as_none(reader):
    img = _title("Хорезм 1984")
    weak = [LineReading("Хорезм", BOX, 0.2, "Cyrl", 1.0)]  # the encoder would drop it
    kept = reader.merge(img, [BOX], weak, {}, NAMES, floor=0.0)
    assert [r.text for r in kept] == ["Хорезм", "1984"]  # its name stays; the year is added
    assert "Xope" in kept[1].reader  # what PP-OCR read, as it read it
    out = reader.merge(img, [BOX], weak, {}, NAMES, floor=0.35)
    assert len(out) == 1 and out[0].confidence > 0.6 and year_in(out[0].text) == 1984


def test_switched_off_reader_is_not_built():
    from context.ocr import TextReader, tesseract_models
    from context.script import load_scripts

    if "Latin" not in tesseract_models():
        pytest.skip("apt-get install tesseract-ocr-script-latn")
    off = TextReader(load_scripts(str(DEFAULT_DATA_DIR)), lookalike=LookalikeConfig(False))
    on = TextReader(load_scripts(str(DEFAULT_DATA_DIR)), lookalike=LookalikeConfig())
    assert off.lookalike is None and isinstance(on.lookalike, LookalikeReader)


def test_small_capital_tells_and_letterwise_turning():
    assert small_caps("DeHb5.,AHcuickoe") == 1  # "eH": д-е-н, н a small capital
    assert small_caps("TfyTeuecTBueno") == 2
    assert small_caps("Budapest Helsinki") == 0
    # "Sofia" has a letter with no look-alike: the others are turned one by one
    assert letterwise("DeHb5. Sofia") == "ДеНв5. Sоfла"


def test_merge_takes_a_line_with_a_tell_as_cyrillic(reader):
    img = _title("Монастыри")
    latin = [LineReading("Deto nalmsü", BOX, 0.5, "Latn", 1.0)]
    (text, _), = reader.read(img, [BOX], {})
    out = reader.merge(img, [BOX], latin, {}, NAMES)
    assert small_caps(spelled(text)) >= 1
    assert [r.script for r in out] == ["Cyrl"] and out[0].consistency > 0.5
    off = LookalikeReader(LookalikeConfig(script_tells=0, fill_empty=False))
    assert off.merge(img, [BOX], latin, {}, NAMES) == latin


def test_merge_leaves_a_line_tesseract_settled(reader):
    """A sure reading in its model's letters stays, whatever PP-OCR makes of the line (its
    small capitals would have turned a printed Greek sign Cyrillic)."""
    img = _title("Монастыри")
    greek = [LineReading("Μοναστήρια", BOX, 0.92, "Grek", 1.0)]
    assert reader.merge(img, [BOX], greek, {}, NAMES) == greek
    unsure = [LineReading("Μοναστήρια", BOX, 0.6, "Grek", 1.0)]
    assert [r.script for r in reader.merge(img, [BOX], unsure, {}, NAMES)] == ["Cyrl"]
