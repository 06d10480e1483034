"""The album-page switch in the workbench: the API's `split_page` splits an album page into
its prints or colorizes it whole, the page's "Album page: colorize each print on its own"
checkbox starts as the server splits (ticked; clear under --no-split-page), is sent with the
run, re-colorizes when changed, and the page says into how many prints a photo was split."""

from __future__ import annotations

import pytest
from web_helpers import ThreadServer, browser_api, launch_chromium, tiny_pipeline

from tests.album_page_images import album_page_png

CHECKBOX = "Album page: colorize each print on its own"


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("album") / "album-page.png"
    path.write_bytes(album_page_png())
    return path


def _open(client, data: bytes) -> str:
    r = client.post("/api/photos", files={"file": ("album-page.png", data, "image/png")})
    assert r.status_code == 200, r.text
    return f"/api/photos/{r.json()['id']}"


@pytest.mark.slow
def test_split_page_splits_or_keeps_the_page_whole(client):
    url = _open(client, album_page_png())
    server = client.post(f"{url}/colorize", json={}).json()
    whole = client.post(f"{url}/colorize", json={"split_page": False}).json()
    split = client.post(f"{url}/colorize", json={"split_page": True}).json()
    assert server["album_prints"] == split["album_prints"] == 2  # the server splits
    assert whole["album_prints"] == 0
    assert not any("album page" in note for note in whole["notes"])
    assert client.get("/api/info").json()["split_page"] is True


def test_a_split_page_that_is_not_a_boolean_is_refused(client):
    url = _open(client, album_page_png())
    for value in ("yes", "1", 1):
        r = client.post(f"{url}/colorize", json={"split_page": value})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["message"].startswith("body.split_page: ")


@pytest.mark.slow
def test_the_checkbox_is_sent_and_recolorizes_saying_how_many_prints(web_server, page_file):
    sync_api = browser_api()  # here, not at the top: the API tests run without Chromium
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(20_000)
        page.goto(web_server.url)
        box = page.get_by_role("checkbox", name=CHECKBOX)
        page.wait_for_function("() => document.readyState === 'complete'")
        assert box.is_checked() and box.is_enabled()  # the server splits
        page.set_input_files("#file", str(page_file))
        page.wait_for_selector('body[data-version="1"][data-state="ready"]')
        assert page.is_hidden("#error"), page.inner_text("#error-text")
        assert page.inner_text("#album-note") == ("This photo was split into 2 prints, each "
                                                  "colorized on its own.")
        box.focus()
        page.keyboard.press("Space")  # from the keyboard, as a person without a mouse would
        page.wait_for_selector('body[data-version="2"][data-state="ready"]')
        assert page.is_hidden("#error"), page.inner_text("#error-text")
        assert not box.is_checked() and page.is_hidden("#album-note")
        assert "Re-colorized as one photo." in page.inner_text("#status")
        browser.close()


@pytest.mark.slow
def test_the_checkbox_starts_clear_where_the_server_does_not_split(shared_tiny_weights,
                                                                  page_file):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    unsplit = tiny_pipeline(shared_tiny_weights).with_config(split_page=False)
    server = ThreadServer(create_app(unsplit, WebConfig(max_photos=2)))  # --no-split-page
    sync_api = browser_api()
    try:
        with sync_api.sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.set_default_timeout(20_000)
            page.goto(server.url)
            box = page.get_by_role("checkbox", name=CHECKBOX)
            page.wait_for_function("() => !document.getElementById('edit-split-page').checked")
            page.set_input_files("#file", str(page_file))
            page.wait_for_selector('body[data-version="1"][data-state="ready"]')
            assert page.is_hidden("#album-note") and not box.is_checked()
            box.check()  # ticked: the page's prints are colorized each on its own
            page.wait_for_selector('body[data-version="2"][data-state="ready"]')
            assert page.is_hidden("#error"), page.inner_text("#error-text")
            assert "split into 2 prints" in page.inner_text("#album-note")
            browser.close()
    finally:
        server.close()
