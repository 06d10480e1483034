"""A service job's item opens in the workbench with its own album-page choice: an item sent
with `"split_page": false` (a wall of framed pictures) opens with the page's "Album page:
colorize each print on its own" box clear and is colorized whole, one sent with `true` opens
with it ticked and is split, as the job did; an item that made no choice leaves the box as
the person set it. A real service (not a stand-in) and the page in headless Chromium."""

from __future__ import annotations

import json

import httpx
import pytest
from test_split_page_web import CHECKBOX
from web_helpers import ThreadServer, browser_api, launch_chromium, tiny_pipeline

from tests.album_page_images import album_page_png


@pytest.fixture(scope="module")
def service(shared_tiny_weights, tmp_path_factory):
    """A real service (it splits album pages: the default) and jobs of the album page:
    {"false": id, "true": id, "none": id} by the item's split_page."""
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.config import ServiceConfig

    config = ServiceConfig(data_dir=tmp_path_factory.mktemp("svc"), worker_threads=0)
    app = create_app(tiny_pipeline(shared_tiny_weights), config)
    _, key = app.state.service.store.create_key("archive")
    server = ThreadServer(app)
    jobs = {}
    for name, choice in (("false", {"split_page": False}), ("true", {"split_page": True}),
                         ("none", {})):
        submitted = httpx.post(
            f"{server.url}/v1/jobs", headers={"Authorization": f"Bearer {key}"}, timeout=30,
            files=[("file", ("album-page.png", album_page_png(), "image/png"))],
            data={"request": json.dumps({"items": [{"upload": 0, **choice}]})})
        assert submitted.status_code == 202, submitted.text
        jobs[name] = submitted.json()["id"]
    yield server, key, jobs
    server.close()


def test_the_open_job_answer_carries_the_items_choice(service, web_app):
    from fastapi.testclient import TestClient

    server, key, jobs = service
    with TestClient(web_app) as client:
        opened = {name: client.post("/api/photos/open-job", json={
            "service": server.url, "job": job, "key": key}).json() for name, job in jobs.items()}
    assert opened["false"]["split_page"] is False and opened["true"]["split_page"] is True
    assert "split_page" not in opened["none"]  # it followed its server: nothing to restore


def _open_job(page, server, key: str, job: str, version: int) -> dict:
    page.click("#open-job-box summary")
    page.fill("#job-service", server.url)
    page.fill("#job-id", job)
    page.fill("#job-key", key)
    with page.expect_request(lambda r: r.url.endswith("/colorize")) as sent:
        page.click("#open-job button[type=submit]")
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]')
    assert page.is_hidden("#error"), page.inner_text("#error-text")
    return json.loads(sent.value.post_data)


@pytest.mark.slow
def test_a_job_item_opens_with_its_album_page_choice(service, web_server):
    server, key, jobs = service
    with browser_api().sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.set_default_timeout(20_000)
        page.goto(web_server.url)
        page.wait_for_load_state("networkidle")
        box = page.get_by_role("checkbox", name=CHECKBOX)
        assert box.is_checked()  # the workbench's server splits
        # Kept whole by the job: the box clear, the first run sent so, the page one photo.
        assert _open_job(page, server, key, jobs["false"], 1)["split_page"] is False
        assert not box.is_checked() and page.is_hidden("#album-note")
        # Split by the job: ticked again (it was clear), split into its two prints.
        assert _open_job(page, server, key, jobs["true"], 1)["split_page"] is True
        assert box.is_checked()
        assert "split into 2 prints" in page.inner_text("#album-note")
        # No choice of its own: the box as the person set it (cleared here), not the job's.
        box.uncheck()
        page.wait_for_selector('body[data-version="2"][data-state="ready"]')
        assert _open_job(page, server, key, jobs["none"], 1)["split_page"] is False
        assert not box.is_checked()
        browser.close()
