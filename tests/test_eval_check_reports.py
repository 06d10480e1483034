"""eval/check_reports.py: what counts as a rendered PDF, and failures in the table."""

import shutil

import pytest
from PIL import Image, ImageDraw

from eval.check_reports import first_page_is_drawn, markdown


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_a_blank_pdf_page_is_not_a_rendered_report(tmp_path):
    blank = Image.new("RGB", (400, 560), "white")
    blank.save(tmp_path / "blank.pdf")
    drawn = blank.copy()
    ImageDraw.Draw(drawn).rectangle((40, 40, 360, 300), fill="black")
    drawn.save(tmp_path / "drawn.pdf")
    assert not first_page_is_drawn(tmp_path / "blank.pdf")
    assert first_page_is_drawn(tmp_path / "drawn.pdf")


def test_failures_are_listed_with_their_error():
    rows = [{"photo": "a.jpg", "ok": True, "error": None, "findings": [], "seconds": 1.0},
            {"photo": "b.jpg", "ok": False, "error": "OSError: truncated", "findings": [],
             "seconds": 0.5}]
    text = markdown({"created": "now", "ok": 1, "with_findings": 0,
                     "seconds_per_photo": 0.75, "rows": rows})
    assert "1/2 photos rendered" in text
    assert "| `b.jpg` | OSError: truncated |" in text and "`a.jpg`" not in text
