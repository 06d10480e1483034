"""The plausibility report: a self-contained HTML page with every section, printed to PDF
(rendered back to PNG with pdftoppm and looked at: pages, not blank, A4)."""

from __future__ import annotations

import html
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from colorizer.check.findings import CheckReport, FactUse, Finding, LuminanceMatch
from colorizer.check.report import ReportError, find_browser, write_report
from colorizer.check.report_html import STATEMENT, report_html
from context.types import SceneContext


def _report() -> tuple[CheckReport, Image.Image, Image.Image]:
    rng = np.random.default_rng(0)
    gray = Image.fromarray(rng.integers(60, 200, (120, 160), dtype=np.uint8), "L")
    color = Image.merge("RGB", (gray, gray.point(lambda v: v // 2), gray.point(lambda v: v // 3)))
    mask = np.zeros((120, 160), bool)
    mask[20:60, 30:90] = True
    finding = Finding("knowledge", "high", "Cloth is blue over 90% of it, but the documented "
                      "colors of Flag of the Soviet Union (1923-1991) are red.",
                      {"seen_color": "#2040A0", "sources": ["https://example.org/ussr"]},
                      (30, 20, 90, 60), 0.125, mask)
    fact = FactUse("ussr_state_flag", "Flag of the Soviet Union", "flag", 0.63,
                   ({"name": "red", "srgb": "#CC0000", "role": "field"},),
                   "https://example.org/ussr", (1923, 1991))
    report = CheckReport((finding,), SceneContext.empty("test"), (fact,),
                         LuminanceMatch(0.1, 0.4, True, False), (160, 120), "USSR 1950",
                         {"model": {"name": "m", "version": "v", "sha256": "0" * 8}},
                         likelihood=np.full((30, 40), 0.5, np.float32))
    return report, color, gray


def test_html_has_every_section_and_no_external_resource():
    report, color, gray = _report()
    page = report_html(report, color, gray, name="moscow-1950.jpg")
    for section in ("Images", "Findings", "Context and its evidence",
                    "Facts, exemplars and hints, with their sources", "Provenance"):
        assert f"<h2>{section}</h2>" in page
    assert html.escape(STATEMENT) in page and "reconstruction" in page
    assert page.count("data:image/png;base64,") == 4  # original, colorized, marked, likelihood
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert "https://example.org/ussr" in page and "USSR 1950" in page
    assert "Flag of the Soviet Union (1923-1991)" in page


def test_bad_report_name_is_one_clear_error(tmp_path):
    report, color, _ = _report()
    with pytest.raises(ReportError, match=r"\.html or \.pdf"):
        write_report(tmp_path / "r.docx", report, color)
    with pytest.raises(ReportError, match="does not exist"):
        write_report(tmp_path / "nope" / "r.html", report, color)


@pytest.mark.skipif(find_browser() is None or shutil.which("pdftoppm") is None,
                    reason="needs chromium and poppler-utils (scripts/install.sh)")
def test_pdf_renders_to_png_pages(tmp_path):
    report, color, gray = _report()
    pdf = write_report(tmp_path / "report.pdf", report, color, gray, name="moscow-1950.jpg")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert 1 <= len(pages) <= 4
    first = np.asarray(Image.open(pages[0]).convert("L"), dtype=np.float32)
    # A4 at 40 dpi: 331 x 468 px; the page holds text and images, so it is far from blank.
    assert abs(first.shape[1] - 331) <= 3 and abs(first.shape[0] - 468) <= 3
    assert first.std() > 20 and (first < 128).mean() > 0.02


def test_a_rejected_flag_is_listed_with_its_reason_not_as_used():
    from types import SimpleNamespace

    from colorizer.check.report_html import _sources
    from colorizer.pipeline.exemplar_report import ExemplarUse

    def exemplar(title, kind):
        return SimpleNamespace(title=title, kind=kind, id=title,
                               to_dict=lambda: {"source": "https://example.org/flags"})

    why = ("cloth identity: the flag finder sees cloth (evidence 1.000), but no piece of it "
           "shows this design's field")
    result = SimpleNamespace(color_regions=None, exemplars=[
        ExemplarUse(exemplar("Street, 1950", "photo"), True, 0.1, 0.2, 0.3, 0.8),
        ExemplarUse(exemplar("Flag of the Soviet Union", "flag"), True, 0.0, 0.0, 0.0, 0.0,
                    why)])
    report, _, _ = _report()
    text = _sources(report, result)
    used, rest = text.split("<h3>Exemplars used by the colorization</h3>")[1].split(
        "<h3>Exemplars retrieved but not used</h3>")
    assert "Street, 1950" in used and "Soviet Union" not in used
    assert f"Flag of the Soviet Union (flag): {html.escape(why)}" in rest


def test_the_context_says_what_was_not_understood_not_inferred_and_disagreed():
    """A historian reads why a field is empty, that a hint was not used, what disagreed and
    which captions were read; the colorization's own notes (a gray output) lead the page."""
    from dataclasses import replace
    from types import SimpleNamespace

    from context.types import Caption, Conflict

    report, color, gray = _report()
    context = replace(
        SceneContext.empty("no writing found in the image"),
        unknown={"hint": "no year, period or place found in the hint 'asdfgh'",
                 "hint_words": "not read as a date or place: '19500' (a year is written 1950)",
                 "script": "no writing found in the image"},
        conflicts=(Conflict("era", "1960 (hint)", "1909 (caption)",
                            'year "1909" in caption (filename) does not fit the era 1960'),),
        captions=(Caption("Chicago 1909", "filename"),))
    report = replace(report, context=context)
    result = SimpleNamespace(color_regions=None, exemplars=[], render_size=(320, 240),
                             input=SimpleNamespace(sha256="ab" * 8),
                             notes=("nearly gray (mean chroma C* 0.3): the model found ...",))
    page = html.unescape(report_html(report, color, gray, result, name="p.jpg"))
    assert "Hint not understood, so not used: no year, period or place found" in page
    assert "Part of the hint was not read as a date or place: '19500'" in page
    assert "script</td><td colspan=3>not inferred: no writing found in the image" in page
    assert "language</td><td colspan=3>not inferred" in page
    assert 'Disagreement (era): year "1909" in caption (filename)' in page
    assert "Chicago 1909 <small>(filename)</small>" in page
    assert page.index("Colorization note: nearly gray") < page.index("<h2>Images</h2>")


def test_a_language_is_named_where_a_person_reads_it():
    """The report, the workbench's context card and the provenance show the language by its
    name with its confidence and evidence (`language_detail`), not only its ISO code."""
    from dataclasses import replace
    from types import SimpleNamespace

    from colorizer.apps.web.context_card import context_card
    from colorizer.pipeline.provenance import _CONTEXT_FIELDS
    from context.types import Evidence, Language

    report, color, gray = _report()
    language = Language("rus", "Russian", 0.83,
                        (Evidence("ocr", 'letters of "Ленинград" favour Russian', 0.83),))
    context = replace(SceneContext.empty("test"), language="rus", language_detail=language)
    result = SimpleNamespace(color_regions=None, exemplars=[], render_size=(320, 240),
                             input=SimpleNamespace(sha256="ab" * 8), notes=())
    page = html.unescape(report_html(replace(report, context=context), color, gray, result,
                                     name="p.jpg"))
    assert "language</td><td>Russian</td><td>0.83</td>" in page
    assert 'letters of "Ленинград" favour Russian (ocr)' in page
    card = {f["field"]: f for f in context_card(context)["fields"]}["language"]
    assert card["value"] == "Russian (rus)" and card["confidence"] == 0.83
    assert card["evidence"][0]["what"] == 'letters of "Ленинград" favour Russian'
    assert "language_detail" in _CONTEXT_FIELDS
