"""The CLI on rendered signs in Georgian and Armenian that name no place: the script names
the country, in its time (context/script_place.py). Before, such a sign gave no region, and
only a sign naming თბილისი or Երևան gave one: the city."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from context.ocr import tesseract_models

BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _sign(path: Path, text: str) -> Path:
    img = Image.new("L", (900, 260), 200)
    draw = ImageDraw.Draw(img)
    draw.rectangle([30, 60, 870, 200], fill=245)
    draw.text((60, 95), text, fill=20, font=ImageFont.truetype(BOLD, 56))
    img.save(path)
    return path


def _context(photo: Path, hint: str | None = None) -> dict:
    args = [sys.executable, "-m", "context", str(photo), "--no-embedding",
            "--no-filename-caption"] + (["--hint", hint] if hint else [])
    run = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.slow
@pytest.mark.skipif(not {"Georgian", "Armenian"} <= tesseract_models()
                    or not Path(BOLD).exists(),
                    reason="tesseract-ocr-script-geor/-armn, fonts-dejavu-core")
def test_a_sign_in_georgian_or_armenian_names_the_country_in_its_time(tmp_path):
    """The CLI on rendered signs that name no place: Georgia (the Georgian SSR in 1960),
    Armenia less surely; before, no region at all."""
    georgian = _sign(tmp_path / "hotel.png", "სასტუმრო ორიანტი")  # "Hotel Oriant"
    armenian = _sign(tmp_path / "church.png", "Սուրբ Գրիգոր եկեղեցի")  # "St Gregory church"
    region = _context(georgian, "1960")["region"]
    assert (region["name"], region["modern_iso"]) == ("Georgia, Georgian SSR, USSR", "GE")
    assert 0.7 < region["confidence"] < 0.9
    region = _context(armenian, "1905")["region"]
    assert region["name"] == "Armenia, Erivan Governorate, Russian Empire"
    assert 0.4 < region["confidence"] < 0.5
    undated = _context(georgian)["region"]  # no year: the country, its states listed
    assert undated["name"] == "Georgia" and undated["confidence"] <= 0.3
    assert [c["polity"] for c in undated["candidates"]] == [
        "Russian Empire", "Georgian SSR", "Georgia"]
