"""A split album page through the real CLI, as an archivist runs it: `chronochrome colorize
PAGE --report` writes a file whose XMP names each print (`chronochrome:AlbumPrints`, in the
IIIF annotation's words, with its box); `chronochrome check FILE --report` and `chronochrome
report PAGE` write a report with a section on the prints (HTML and PDF); the same page
colorized whole (`--no-split-page`) has neither."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from colorizer.check.report import find_browser
from colorizer.pipeline.print_records import print_description
from colorizer.pipeline.provenance import CHRONOCHROME_NS
from colorizer.pipeline.xmp_parse import parse_xmp
from colorizer.pipeline.xmp_read import xmp_packet
from tests.album_page_images import album_page_png

CLI = Path(sys.executable).parent / "chronochrome"
CAPTION = "Family album, 1956"
TITLE = "Album page: 2 prints, each colorized on its own"
pytestmark = pytest.mark.slow  # each command loads the model and reads the page's context


def _run(*args: object) -> subprocess.CompletedProcess:
    done = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: `check` found something
    return done


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, shared_tiny_weights) -> Path:
    """The page colorized split (split/page.png) and whole (whole/page.png), with --report."""
    folder = tmp_path_factory.mktemp("album-cli")
    (folder / "page.png").write_bytes(album_page_png())
    for out, extra in (("split", ()), ("whole", ("--no-split-page",))):
        _run("colorize", folder / "page.png", "-o", folder / out, "--report", "--weights",
             shared_tiny_weights, "--device", "cpu", "--no-exemplars", "--caption", CAPTION,
             *extra)
    return folder


def _album_lines(image: Path) -> list[str] | None:
    """The AlbumPrints lines of the file's XMP (None: it has none)."""
    found = next(parse_xmp(xmp_packet(image.read_bytes())).iter(
        f"{{{CHRONOCHROME_NS}}}AlbumPrints"), None)
    return None if found is None else [li.text for li in found.iter(
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]


def _boxes(left: int, top: int, right: int, bottom: int) -> str:
    return f"Its box on the page: left {left}, top {top}, right {right}, bottom {bottom} (pixels)."


def test_the_written_file_s_xmp_names_each_print_and_the_whole_page_s_none(outputs):
    records = json.loads((outputs / "split" / "page.json").read_text())["settings"]["album_page"]
    lines = _album_lines(outputs / "split" / "page.png")
    assert lines == [f"{print_description(n, 2, record)} {_boxes(*record['box'])}"
                     for n, record in enumerate(records, start=1)]
    assert lines[0].startswith("Print 1 of 2: colorized on its own. Its context: era 1956-1956")
    assert f'Its caption: "{CAPTION}" (user).' in lines[0]
    assert lines[0].endswith(_boxes(19, 20, 157, 128))
    assert lines[1].startswith("Print 2 of 2: colorized on its own.")
    assert lines[1].endswith(_boxes(179, 20, 315, 126))
    assert _album_lines(outputs / "whole" / "page.png") is None
    assert "AlbumPrints" not in xmp_packet((outputs / "whole" / "page.png").read_bytes()).decode()


def _section(html: str) -> str:
    return html.split(f"<h2>{TITLE}</h2>")[1].split("</section>")[0]


def test_the_check_of_the_file_alone_and_the_report_list_each_print(outputs, shared_tiny_weights):
    weights = ("--weights", shared_tiny_weights, "--device", "cpu")
    _run("check", outputs / "split" / "page.png", "--report", outputs / "split.html", *weights)
    section = _section((outputs / "split.html").read_text(encoding="utf-8"))
    assert "<td>1 of 2</td><td>19, 20, 157, 128</td><td>era 1956-1956" in section
    assert "<td>2 of 2</td><td>179, 20, 315, 126</td><td>era 1956-1956" in section
    assert section.count(f"<li>{CAPTION} <small>(user)</small></li>") == 2
    _run("report", outputs / "page.png", "-o", outputs / "report.html", *weights)
    assert "<td>2 of 2</td><td>179, 20, 315, 126</td>" in _section(
        (outputs / "report.html").read_text(encoding="utf-8"))
    _run("check", outputs / "whole" / "page.png", "--report", outputs / "whole.html", *weights)
    whole = (outputs / "whole.html").read_text(encoding="utf-8")
    assert "<h2>Context and its evidence</h2>" in whole
    assert "Album page" not in whole and "colorized on its own" not in whole


@pytest.mark.skipif(find_browser() is None or shutil.which("pdftotext") is None,
                    reason="needs Chromium to print the PDF and pdftotext to read it")
def test_the_pdf_report_has_the_prints_section(outputs, shared_tiny_weights):
    _run("check", outputs / "split" / "page.png", "--report", outputs / "split.pdf",
         "--weights", shared_tiny_weights, "--device", "cpu")
    text = subprocess.run(["pdftotext", "-layout", str(outputs / "split.pdf"), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    assert TITLE in text
    assert "19, 20, 157, 128" in text and "179, 20, 315, 126" in text
