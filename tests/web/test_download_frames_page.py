"""The workbench's download frames go once their files arrived: in headless Chromium, three
downloads leave no hidden frame behind, a refused one is still said in the error box, and a
file still streaming when its frame goes arrives whole.

Each download is asked for in a hidden frame of its own (static/downloads.js): a refusal loads
in it and is read, a file arrives as a download and the frame never loads. Before, nothing
removed the frames of files that arrived: fifty downloads left fifty hidden frames. Now the
page sends a token with each download, the file's answer sets a cookie named for it
(colorizer/apps/web/download_arrival.py), and the page removes the frame once it sees it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest
from PIL import Image
from web_helpers import (
    ThreadServer,
    browser_api,
    gray_photo,
    http_post,
    page_with_photo,
    tiny_pipeline,
    upload_photo,
)

sync_api = browser_api()
PNG_START = b"\x89PNG\r\n\x1a\n"
FRAMES_GONE = "() => !document.querySelector('iframe')"


@pytest.fixture(scope="module")
def one_photo_server(shared_tiny_weights):
    """A workbench that keeps one photo open: another one opened closes the page's (a refusal
    to download it)."""
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), WebConfig(max_photos=1)))
    yield server
    server.close()


def _colorized(url: str) -> str:
    """A photo opened and colorized on the server: its download's address."""
    photo = upload_photo(url, "street.png", gray_photo(), "image/png")
    base = f"{url}/api/photos/{photo['id']}"
    http_post(f"{base}/colorize", b"{}")
    return f"{base}/download"


def _answer(url: str) -> tuple[int, list[str], bytes]:
    """Status, Set-Cookie headers and body of a GET (an error answer included)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.headers.get_all("Set-Cookie") or [], answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get_all("Set-Cookie") or [], refused.read()


def test_a_files_answer_sets_the_cookie_named_for_its_token(one_photo_server):
    download = _colorized(one_photo_server.url)
    status, cookies, body = _answer(f"{download}?format=png&token=0a1b2c3d")
    assert status == 200 and body.startswith(PNG_START)
    assert len(cookies) == 1
    parts = [part.strip().lower() for part in cookies[0].split(";")]
    assert parts[0] == "chronochrome-download-0a1b2c3d=arrived"
    assert {"path=/", "max-age=600", "samesite=strict"} <= set(parts)
    assert "httponly" not in parts  # the page reads it
    status, cookies, body = _answer(download)  # no token: a file as before, no cookie
    assert status == 200 and body.startswith(PNG_START) and cookies == []


def test_a_refused_download_sets_no_cookie(one_photo_server):
    download = _colorized(one_photo_server.url)
    upload_photo(one_photo_server.url, "other.png", gray_photo(), "image/png")  # closes it
    status, cookies, body = _answer(f"{download}?token=0a1b2c3d")
    assert status == 404 and cookies == []
    assert "closed to make room" in json.loads(body)["error"]["message"]


@pytest.mark.parametrize("token", ["", "a;b", "a" * 65, "chronochrome download"])
def test_a_token_the_page_could_not_have_made_is_refused_in_words(one_photo_server, token):
    download = _colorized(one_photo_server.url)
    status, cookies, body = _answer(f"{download}?token={urllib.parse.quote(token)}")
    error = json.loads(body)["error"]
    assert (status, error["reason"], cookies) == (422, "invalid_download_token", [])
    assert error["message"] == ("the download's token must be 1 to 64 letters or digits (the "
                                "page makes one): leave `token` out of the address to "
                                "download without one")


@pytest.mark.slow  # a photo colorized, three downloads, one refused: 3 s
def test_three_downloads_leave_no_frame_and_a_refusal_is_still_said(browser, one_photo_server,
                                                                    photo_file):
    page = page_with_photo(browser, one_photo_server.url, photo_file)
    try:
        for fmt, start in (("png", PNG_START), ("jpeg", b"\xff\xd8\xff"), ("webp", b"RIFF")):
            page.select_option("#download-format", fmt)
            with page.expect_download() as download:
                page.click("#download-colorized")
            assert download.value.failure() is None
            with open(download.value.path(), "rb") as file:
                assert file.read(len(start)) == start
        page.wait_for_function(FRAMES_GONE, timeout=5_000)  # before: three frames, for good
        assert "chronochrome-download-" not in page.evaluate("document.cookie")  # read, deleted
        upload_photo(one_photo_server.url, "other.png", gray_photo(), "image/png")
        page.click("#download-colorized")
        page.wait_for_selector("#error:not([hidden])", timeout=10_000)
        said = page.inner_text("#error-text")
        assert said.startswith(f"The WebP download of {photo_file.name} failed: "), said
        assert "it was closed to make room for newer ones" in said
        assert page.evaluate("document.querySelectorAll('iframe').length") == 0
    finally:
        page.close()


@pytest.mark.slow  # a 1.4 MB file at 300 kB/s: 7 s
def test_a_file_still_streaming_when_its_frame_goes_arrives_whole(browser, one_photo_server,
                                                                  tmp_path):
    """The frame goes once the answer's headers came, while its body still streams (the
    browser's downloads hold it then): the file arrives whole, not cancelled."""
    noise = np.random.default_rng(0).integers(0, 256, (600, 800), dtype=np.uint8)
    photo = tmp_path / "noise.png"
    Image.fromarray(noise, "L").save(photo)
    page = page_with_photo(browser, one_photo_server.url, photo)
    try:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                 "downloadThroughput": 300_000, "uploadThroughput": -1})
        with page.expect_download() as download:
            page.click("#download-colorized")
        page.wait_for_function(FRAMES_GONE, timeout=10_000)
        frame_gone = time.monotonic()
        saved = download.value.path()  # waits for the whole file
        assert time.monotonic() - frame_gone > 1  # it was still streaming when the frame went
        assert download.value.failure() is None
        with Image.open(saved) as image:
            image.load()  # whole: a cut PNG does not decode
            assert image.size == (800, 600)
    finally:
        page.close()
