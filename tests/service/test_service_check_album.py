"""POST /v1/check?report=html of a split album page's colorization: the report lists each
print as the file's XMP records it, as `chronochrome check FILE --report` does; the page
colorized whole gets no such section."""

from __future__ import annotations

import pytest

from tests.album_page_images import album_page_png

TITLE = "Album page: 2 prints, each colorized on its own"


def _colorized(service, split: bool) -> bytes:
    """The page colorized by the service itself (/v1/colorize answers the image file)."""
    files = [("file", ("page.png", album_page_png(), "image/png"))]
    answer = service.client.post("/v1/colorize", headers=service.headers(), files=files,
                                 data={"split_page": "true" if split else "false"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    return answer.content


def _report(service, colorized: bytes) -> str:
    answer = service.client.post("/v1/check?report=html", headers=service.headers(),
                                 files={"file": ("page.png", colorized, "image/png")})
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.mark.slow
def test_the_service_s_report_of_a_split_page_lists_its_prints(service):
    split = _report(service, _colorized(service, split=True))
    section = split.split(f"<h2>{TITLE}</h2>")[1].split("</section>")[0]
    assert "<td>1 of 2</td><td>19, 20, 157, 128</td>" in section
    assert "<td>2 of 2</td><td>179, 20, 315, 126</td>" in section
    whole = _report(service, _colorized(service, split=False))
    assert "<h2>Context and its evidence</h2>" in whole
    assert "Album page" not in whole and "colorized on its own" not in whole
