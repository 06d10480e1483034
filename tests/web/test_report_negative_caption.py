"""The workbench's HTML report captions its first image as what it shows: a photo colorized
as a scanned negative is shown as its positive gray (tones inverted), and the caption says so;
read as a print again, the caption is the photo as given.

Before, the inverted positive was captioned "The original photograph (as given).", which it
was not: the scan as given has every tone reversed."""

from __future__ import annotations

import html

import pytest
from web_helpers import gray_photo

AS_GIVEN = "The original photograph (as given)."
AS_NEGATIVE = "The original photograph, read as a negative (tones inverted)."


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


def _captions(page: str) -> list[str]:
    text = html.unescape(page)
    return [part.split("</figcaption>")[0] for part in text.split("<figcaption>")[1:]]


def test_a_negatives_report_captions_its_original_as_read_inverted(client):
    opened = client.post("/api/photos", files={"file": ("neg.png", gray_photo(), "image/png")})
    url = f"/api/photos/{opened.json()['id']}"
    assert client.post(f"{url}/colorize", json={"negative": True}).status_code == 200
    page = client.get(f"{url}/report.html")
    assert page.status_code == 200
    captions = _captions(page.text)
    assert captions[0] == AS_NEGATIVE, captions
    assert AS_GIVEN not in page.text

    # Read as a print again: the first image is the scan as given, and says so.
    assert client.post(f"{url}/colorize", json={}).status_code == 200
    captions = _captions(client.get(f"{url}/report.html").text)
    assert captions[0] == AS_GIVEN, captions
