"""Tesseract's confidences (context/tesseract.py); the reading tests skip without Tesseract."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from context.tesseract import TesseractEngine, tesseract_models, word_confidence

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def test_word_confidence_maps_the_letters_mean_onto_the_word_scale():
    assert word_confidence([]) == 0.0
    assert word_confidence([0.5, 0.6]) == 0.0  # below the lowest decile seen
    assert word_confidence([1.0, 1.0]) == 1.0
    got = [word_confidence([x]) for x in (0.85, 0.9, 0.95, 0.98, 0.99)]
    assert got == sorted(got) and got[0] < 0.05 and 0.6 < got[3] < 0.9


@pytest.mark.skipif("Cyrillic" not in tesseract_models(),
                    reason="apt-get install tesseract-ocr-script-cyrl")
def test_a_clear_word_is_read_with_the_confidence_of_its_letters():
    # On a generated title, Tesseract's own confidence of "Бишкек-58" read as "БИШкек-58"
    # was 0 (its least certain letter decides it) with letters at 0.80-0.99; the words'
    # confidences are now the mapped mean of their letters' (`word_confidence`).
    img = Image.new("L", (320, 70), 255)
    ImageDraw.Draw(img).text((12, 10), "Бишкек-58", font=ImageFont.truetype(FONT, 40), fill=0)
    engine = TesseractEngine()
    if engine.backend != "tesserocr":
        pytest.skip("letter confidences need tesserocr")
    engine.load(("Cyrillic",))
    words = engine.words(img, "Cyrillic")
    assert [w for w, *_ in words] and words[0][0].lower().startswith("би")
    assert all(conf >= 0.5 for _, conf, *_ in words), words
    import tesserocr

    api, lock = engine._api("Cyrillic", tesserocr.PSM.SINGLE_BLOCK)
    with lock:
        api.SetImage(img)
        api.Recognize()
        letters = [s.Confidence(tesserocr.RIL.SYMBOL) / 100.0
                   for s in tesserocr.iterate_level(api.GetIterator(), tesserocr.RIL.SYMBOL)]
    assert len(words) == 1 and words[0][1] == pytest.approx(word_confidence(letters))
