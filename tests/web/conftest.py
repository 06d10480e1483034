"""Fixtures for the workbench: a tiny real pipeline, the app served on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web_helpers import ThreadServer, browser_api, gray_photo, launch_chromium, tiny_pipeline


@pytest.fixture(scope="module")
def photo_file(tmp_path_factory) -> object:
    folder = tmp_path_factory.mktemp("photos")
    path = folder / "street.png"
    path.write_bytes(gray_photo())
    return path


@pytest.fixture(scope="module")
def web_app(shared_tiny_weights, photo_file):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_photos=3, local=True, path_roots=(photo_file.parent,))
    return create_app(tiny_pipeline(shared_tiny_weights), config)


@pytest.fixture(scope="module")
def web_server(web_app) -> Iterator[ThreadServer]:
    server = ThreadServer(web_app)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    """Headless chromium for a module's pages (its tests skipped where it is absent)."""
    with browser_api().sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def wide_photo(tmp_path_factory):
    """A 600 x 400 photo: on a phone it spans the window's width, as a scan does."""
    path = tmp_path_factory.mktemp("wide") / "wide.png"
    path.write_bytes(gray_photo(600, 400))
    return path
