"""A scanned negative in the workbench: the API's `negative` and the page's "This is a
negative" checkbox re-colorize with the tones inverted, the download's provenance says so, and
a color scan that looks like a color negative gets its note where the other notes are."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    PIXEL_JS,
    ThreadServer,
    browser_api,
    gray_photo,
    launch_chromium,
    orange_negative,
    page_with_photo,
    tiny_pipeline,
)

from colorizer.pipeline.negative import LOOKS_NEGATIVE_NOTE, NEGATIVE_NOTE


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c



def _open(client, data: bytes, name: str) -> str:
    r = client.post("/api/photos", files={"file": (name, data, "image/png")})
    assert r.status_code == 200, r.text
    return f"/api/photos/{r.json()['id']}"


def _colorized(client, url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(client.get(f"{url}/colorized.png").content)),
                      dtype=int)


def test_negative_inverts_the_tones_and_is_recorded(client):
    url = _open(client, gray_photo(), "scan.png")
    print_view = client.post(f"{url}/colorize", json={}).json()
    as_print = _colorized(client, url)
    view = client.post(f"{url}/colorize", json={"negative": True}).json()
    as_negative = _colorized(client, url)
    assert view["negative"] is True and print_view["negative"] is False
    assert NEGATIVE_NOTE in view["notes"] and NEGATIVE_NOTE not in print_view["notes"]
    # The light sky (200) comes out dark and the dark field (70) light, and the other way
    # round as a print.
    assert as_print[5, 5].mean() > 150 > as_negative[5, 5].mean()
    assert as_print[80, 64].mean() < 110 < as_negative[80, 64].mean()
    download = Image.open(io.BytesIO(client.get(f"{url}/download").content))
    xmp = download.info["xmp"].decode()
    settings = re.search(r"<chronochrome:Settings>([^<]*)<", xmp)
    assert json.loads(unescape(settings.group(1)))["negative"] is True


def test_a_negative_that_is_not_a_boolean_is_refused(client):
    url = _open(client, gray_photo(), "scan.png")
    for value in ("yes", "1", 1):
        r = client.post(f"{url}/colorize", json={"negative": value})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["message"].startswith("body.negative: ")


def test_a_color_negatives_look_is_noted_with_the_other_notes(client):
    url = _open(client, orange_negative(), "film.png")
    view = client.post(f"{url}/colorize", json={}).json()
    assert LOOKS_NEGATIVE_NOTE in view["notes"]
    again = client.post(f"{url}/colorize", json={"negative": True}).json()
    assert LOOKS_NEGATIVE_NOTE not in again["notes"]
    assert any("film base removed" in note for note in again["notes"])


def test_the_negative_checkbox_recolorizes_from_the_keyboard(web_server, tmp_path):
    sync_api = browser_api()  # here, not at the top: the API tests run without Chromium
    film = tmp_path / "film.png"
    film.write_bytes(orange_negative())
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = page_with_photo(browser, web_server.url, film)
        assert "looks like a color negative" in page.inner_text("#context-notes")
        box = page.get_by_role("checkbox", name="This is a negative")
        assert not box.is_checked() and box.is_enabled()
        before = page.evaluate(PIXEL_JS, [5, 5])
        box.focus()
        page.keyboard.press("Space")
        page.wait_for_selector('body[data-version="2"][data-state="ready"]')
        assert page.is_hidden("#error"), page.inner_text("#error-text")
        assert box.is_checked()
        notes = page.inner_text("#context-notes")
        assert "film base removed" in notes and "looks like a color negative" not in notes
        after = page.evaluate(PIXEL_JS, [5, 5])  # the sky: dark on the film, light printed
        assert sum(after) < sum(before) - 150 or sum(after) > sum(before) + 150
        browser.close()


def test_checking_a_negatives_colorization_compares_it_with_the_positive(client):
    """The check of the open photo compared a negative's colorization with the negative as
    scanned: every tone reversed, "the lightness does not match"."""
    url = _open(client, gray_photo(), "scan.png")
    assert client.post(f"{url}/colorize", json={"negative": True}).status_code == 200
    report = client.post(f"{url}/check").json()
    assert report["luminance"]["matches"], report["luminance_verdict"]
    assert report["luminance_verdict"].startswith("The lightness matches the original")


def test_a_services_negative_item_opens_as_a_negative(shared_tiny_weights, tmp_path, client):
    """A job item the service colorized as a negative opens in the workbench as one (its
    checkbox ticked: the page colorizes it again as the job did)."""
    import httpx

    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    app = create_app(tiny_pipeline(shared_tiny_weights),
                     ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0))
    _, key = app.state.service.store.create_key("archive")
    server = ThreadServer(app)
    try:
        auth = {"Authorization": f"Bearer {key}"}
        ids = []
        for negative in (True, False):
            submitted = httpx.post(
                f"{server.url}/v1/jobs", headers=auth, timeout=30,
                files=[("file", ("scan.png", gray_photo(), "image/png"))],
                data={"negative": "true" if negative else "false"})
            assert submitted.status_code == 202, submitted.text
            ids.append(submitted.json()["id"])
        opened = [client.post("/api/photos/open-job",
                              json={"service": server.url, "job": job, "key": key}).json()
                  for job in ids]
    finally:
        server.close()
    assert [photo["negative"] for photo in opened] == [True, False]
