"""OCR on rendered signs; skipped when Tesseract or the text detector is not installed."""

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from context.config import ContextConfig
from context.ocr import tesseract_models

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
pytest.importorskip("rapidocr_onnxruntime", reason="pip install rapidocr-onnxruntime")
needs = pytest.mark.skipif(not {"Cyrillic", "Latin", "Greek"} <= tesseract_models(),
                           reason="apt-get install tesseract-ocr-script-cyrl/-latn/-grek")


def _sign(text: str) -> Image.Image:
    """A textured 'photo' with a light sign carrying `text`."""
    img = Image.effect_noise((640, 420), 40).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    font = ImageFont.truetype(FONT, 34)
    draw = ImageDraw.Draw(img)
    w = draw.textlength(text, font=font)
    draw.rectangle((40, 150, 60 + w, 200), fill=(230, 225, 210))
    draw.text((50, 154), text, font=font, fill=(25, 25, 25))
    return img


@pytest.fixture(scope="module")
def encoder():
    from context import ContextEncoder

    return ContextEncoder.from_default(ContextConfig(embed=False))


@needs
def test_tatar_sign_gives_script_language_and_place(encoder):
    ctx = encoder(_sign("Казан шәһәре урамы 1952 ел"))
    assert ctx.script.code == "Cyrl" and ctx.script.confidence > 0.8
    assert ctx.language == "tat"
    assert "Казан" in ctx.text[0].text
    x0, y0, _, y1 = ctx.text[0].box
    assert 30 <= x0 <= 60 and 140 <= y0 <= 160 and y1 <= 215
    assert ctx.region.wikidata == "Q900"  # Kazan, read from the sign
    assert ctx.region.source == "ocr"


@needs
def test_greek_sign_and_conflict_with_hint(encoder):
    ctx = encoder(_sign("Καλημέρα Αθήνα οδός Ερμού"), hint="Detroit 1920")
    assert ctx.script.code == "Grek"
    assert ctx.region.name.startswith("Detroit")  # the hint outranks the sign
    assert any(c.field == "script" for c in ctx.conflicts)


@needs
def test_photo_without_text_has_no_script(encoder):
    img = Image.effect_noise((320, 240), 30).convert("RGB")
    ctx = encoder(img)
    assert ctx.script is None and ctx.text == ()
    assert ctx.unknown["script"] == "no writing found in the image"
