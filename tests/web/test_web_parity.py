"""The workbench offers what `chronochrome colorize` and the service offer, in headless
Chromium over real HTTP: the archive's caption (`--caption`, the service's `caption`) typed on
the page reaches the context; a reference photo (`--exemplar`) chosen on the page colors the
photo, and the region map names it as the source; the download comes in the format chosen
(`--format`: PNG, JPEG, WebP, TIFF) with the pixels and the provenance XMP the command line
writes for the same photo, hint and reference photo (it ran in a real subprocess).

Before, the page had no caption field, no way to give a reference photo and downloaded PNG
only: a curator could not give the text on a photo's back, nor the color print of the same
street, and a JPEG for the archive's system had to be converted elsewhere, losing the XMP."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from web_helpers import (
    ThreadServer,
    browser_api,
    color_print,
    gray_photo,
    page_with_photo,
    tab_to,
)

from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, read_xmp

sync_api = browser_api()
REPO = Path(__file__).resolve().parents[2]
HINT = "Paris 1925"
CAPTION = "Moscow, May Day 1957: the parade on Red Square"
# The workbench's pipeline below, as flags: the tiny model at 64 px, no context inference or
# retrieval (a hint's place and time still count), bolder color so differences show.
CLI_ARGS = ("--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars",
            "--chroma-scale", "3")


def _pipeline(weights: Path):
    from colorizer import ColorizationPipeline

    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64,
                                                chroma_scale=3.0)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parity")
    (folder / "street.png").write_bytes(gray_photo(320, 200))
    (folder / "postcard.png").write_bytes(color_print())
    (folder / "gray print.png").write_bytes(gray_photo(64, 48))
    return folder


@pytest.fixture(scope="module")
def parity_server(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    # One torch thread, as colorize runs on the CPU (--torch-threads' default): two threads
    # sum in another order, and 2 of 192,000 values came out one level apart.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    server = ThreadServer(create_app(_pipeline(shared_tiny_weights), WebConfig(display_side=64)))
    yield server
    server.close()
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def page(browser, parity_server, files):
    """One curator's session, the tests in order: the photo opened, a hint typed."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(8_000)  # a control the page lacks fails in seconds
    page.goto(parity_server.url)
    page.set_input_files("#file", str(files / "street.png"))
    _ready(page, 1)
    page.fill("#edit-hint", HINT)
    page.click("#rerun")
    _ready(page, 2)
    yield page
    page.close()


def _ready(page, version: int) -> None:
    page.wait_for_selector(f'body[data-version="{version}"][data-state="ready"]',
                           timeout=30_000)
    assert page.is_hidden("#error"), page.inner_text("#error-text")


def _cli(weights: Path, photo: Path, out: Path, fmt: str, *extra: str) -> Path:
    """`chronochrome colorize` in a subprocess, as the technician runs it; its one image."""
    done = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", str(photo), "-o", str(out),
         "--weights", str(weights), *CLI_ARGS, "--hint", HINT, "--format", fmt, *extra],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (image,) = [p for p in out.iterdir() if p.suffix != ".json"]
    return image


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(_pixels(data).tobytes()).hexdigest()


def _stable(xmp: bytes) -> str:
    """The XMP without what differs between two runs: dates, document and instance ids."""
    text = xmp.decode("utf-8")
    text = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)?", "<date>", text)
    return re.sub(r"(xmp\.[id]id|uuid):[0-9a-fA-F-]+", "<id>", text)


def test_a_caption_typed_on_the_page_reaches_the_context(browser, web_server, photo_file):
    # The tests' workbench whose context encoder reads hints and captions (web_helpers).
    page = page_with_photo(browser, web_server.url, photo_file)
    page.set_default_timeout(8_000)
    tab_to(page, "#edit-caption")  # reached by Tab, a focus ring on it
    page.keyboard.type(CAPTION)
    page.click("#rerun")
    _ready(page, 2)
    era = page.locator('.field[data-field="era"]')
    assert era.locator(".value").inner_text() == "1957"
    assert 'year "1957" in caption (user)' in era.locator("details").text_content()
    # The download says which caption the colors were inferred from, as the CLI's does.
    href = page.get_attribute("#download-colorized", "href")
    with urllib.request.urlopen(f"{web_server.url}/{href}") as answer:
        xmp = read_xmp(answer.read())
    assert b"Moscow, May Day 1957" in xmp
    page.close()


def test_a_reference_photo_colors_the_photo_and_is_named_its_source(page, files):
    shown = _pixels(page.screenshot(clip=page.locator("#colorized").bounding_box()))
    page.set_input_files("#reference-file", str(files / "postcard.png"))
    _ready(page, 3)  # chosen: colorized with it at once
    assert page.inner_text("#reference-name") == "reference photo: postcard.png"
    regions = page.inner_text("#region-list")
    assert "user exemplar: postcard.png" in regions
    assert "source: the user's reference photo postcard.png" in regions
    assert "100% of the photo" in regions
    after = _pixels(page.screenshot(clip=page.locator("#colorized").bounding_box()))
    assert np.abs(after.astype(int) - shown).mean() > 5  # its colors, not the model's guess


@pytest.mark.slow
def test_the_jpeg_download_is_what_colorize_format_jpeg_writes(page, files, tmp_path,
                                                               shared_tiny_weights):
    page.select_option("#download-format", "jpeg")
    assert page.inner_text("#download-colorized") == "Download the colorization (JPEG)"
    with page.expect_download() as download:
        page.click("#download-colorized")
    assert download.value.suggested_filename == "street.colorized.jpg"
    web = Path(download.value.path()).read_bytes()
    assert web[:3] == b"\xff\xd8\xff"
    cli = _cli(shared_tiny_weights, files / "street.png", tmp_path, "jpg",
               "--exemplar", str(files / "postcard.png")).read_bytes()
    assert _pixels(web).shape == (200, 320, 3)  # full size, not the page's 64 px
    assert _sha(web) == _sha(cli)
    xmp = read_xmp(web)
    assert DIGITAL_SOURCE_TYPE.encode() in xmp and b"postcard.png" in xmp
    assert _stable(xmp) == _stable(read_xmp(cli))


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "cli_fmt", "magic"), [
    ("webp", "webp", b"RIFF"), ("tiff", "tif", b"II*\x00")])
def test_webp_and_tiff_downloads_are_what_colorize_writes(page, parity_server, files,
                                                          tmp_path, shared_tiny_weights,
                                                          fmt, cli_fmt, magic):
    page.select_option("#download-format", fmt)
    href = page.get_attribute("#download-colorized", "href")
    assert href.endswith(f"format={fmt}")
    with urllib.request.urlopen(f"{parity_server.url}/{href}") as answer:
        web = answer.read()
        assert answer.headers["Content-Disposition"].endswith(f'.colorized.{cli_fmt}"')
    assert web.startswith(magic)
    cli = _cli(shared_tiny_weights, files / "street.png", tmp_path, cli_fmt,
               "--exemplar", str(files / "postcard.png")).read_bytes()
    assert _sha(web) == _sha(cli)
    assert _stable(read_xmp(web)) == _stable(read_xmp(cli))


def test_a_gray_reference_is_refused_in_words_and_not_kept(page, files):
    page.set_input_files("#reference-file", str(files / "gray print.png"))
    page.wait_for_selector("#error:not([hidden])")
    assert "gray print.png" in page.inner_text("#error-text")
    assert "grayscale, so it has no color to lend" in page.inner_text("#error-text")
    page.click("#error-close")
    # The last reference still colors the photo; removing it re-runs without it.
    assert page.inner_text("#reference-name") == "reference photo: postcard.png"
    version = int(page.get_attribute("body", "data-version"))
    page.click("#reference-remove")
    _ready(page, version + 1)
    assert page.is_hidden("#reference-chosen")
    assert "postcard.png" not in page.inner_text("#region-list")


def test_an_unknown_format_is_refused_in_words(page, parity_server):
    href = page.get_attribute("#download-colorized", "href").split("&format=")[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{parity_server.url}/{href}&format=gif")
    assert refused.value.code == 422
    assert b"cannot download as 'gif': choose png, jpeg, webp or tiff" in refused.value.read()


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def test_the_api_takes_what_the_page_sends(web_server, photo_file, files):
    """The JSON the page sends, over HTTP alone: the caption and the reference photo reach the
    run (the old API dropped both without a word), the format reaches the download."""
    boundary = "parity"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"street.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    form += photo_file.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    with urllib.request.urlopen(urllib.request.Request(
            f"{web_server.url}/api/photos", form,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})) as answer:
        photo = json.loads(answer.read())
    data = base64.b64encode((files / "postcard.png").read_bytes()).decode()
    view = _post(f"{web_server.url}/api/photos/{photo['id']}/colorize", {
        "caption": CAPTION,
        "references": [{"name": "postcard.png", "data": f"data:image/png;base64,{data}"}]})
    era = next(f for f in view["context"]["fields"] if f["field"] == "era")
    assert era["value"] == "1957"
    sources = [r["source"] for r in view["regions"]]
    assert "the user's reference photo postcard.png" in sources
    with urllib.request.urlopen(
            f"{web_server.url}/api/photos/{photo['id']}/download?format=jpeg") as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read(3) == b"\xff\xd8\xff"
