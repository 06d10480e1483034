"""The service's HTML pages (`/docs`, `/v1/check?report=html`) carry a Content-Security-Policy
that allows what they use (data: pictures, inline style) and nothing else, and still render as
before in headless Chromium (Debian's `chromium`), with no CSP violation in its console.

Before: neither had a Content-Security-Policy."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from threaded_serve import served

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from tests.service.service_helpers import loopback_fetch_config
from tests.web.web_helpers import launch_chromium

pytestmark = pytest.mark.slow  # Chromium started for the module

POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _color_png() -> bytes:
    rng = np.random.default_rng(0)
    gray = rng.integers(40, 220, (32, 48), dtype=np.uint8)
    rgb = np.stack([gray, (gray * 0.85).astype(np.uint8), (gray * 0.7).astype(np.uint8)], -1)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_tiny_weights) -> Iterator[tuple[str, dict[str, str]]]:
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                    context=False, exemplars=False,
                                                    render_size=64)
    config = ServiceConfig(data_dir=tmp_path_factory.mktemp("csp") / "svc", worker_threads=0,
                           fetch=loopback_fetch_config())
    app = create_app(pipeline, config)
    _, key = app.state.service.store.create_key("archive")
    with served(app) as base:
        yield base, {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


def _watched_page(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page()
    page.set_default_timeout(20_000)
    said: list[str] = []
    page.on("console", lambda message: said.append(message.text))
    return page, said


def test_docs_page_has_the_policy_and_renders_without_violations(site, browser):
    base, _ = site
    answer = httpx.get(f"{base}/docs", timeout=30)
    assert answer.status_code == 200
    assert answer.headers.get("content-security-policy") == POLICY
    page, said = _watched_page(browser)
    page.goto(f"{base}/docs")
    assert page.locator("a[href^='#']").count() > 5  # its index of operations
    # Its <style> applies: the page's own font, not the browser's default (Times).
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == "sans-serif"
    assert not [text for text in said if "Content Security Policy" in text], said
    page.close()


def test_check_report_has_the_policy_and_shows_its_pictures(site, browser):
    base, auth = site
    answer = httpx.post(f"{base}/v1/check?report=html", headers=auth, timeout=60,
                        files={"file": ("c.png", _color_png(), "image/png")})
    assert answer.status_code == 200, answer.text
    assert answer.headers.get("content-security-policy") == POLICY
    page, said = _watched_page(browser)
    # The browser is handed the service's answer as it came (a POST it cannot make itself).
    page.route(f"{base}/report", lambda route: route.fulfill(
        status=200, headers=dict(answer.headers), body=answer.content))
    page.goto(f"{base}/report")
    assert "Plausibility report" in page.title()
    widths = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth)")
    assert widths and all(width > 0 for width in widths), widths
    # Its <style> applies (body 13px, h1 20px), as without the policy.
    sizes = page.evaluate("[getComputedStyle(document.body).fontSize, "
                          "getComputedStyle(document.querySelector('h1')).fontSize]")
    assert sizes == ["13px", "20px"], sizes
    assert not [text for text in said if "Content Security Policy" in text], said
    page.close()
