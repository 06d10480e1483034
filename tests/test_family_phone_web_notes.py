"""A phone photo of a hand-tinted print, opened in the workbench over real HTTP and in
headless Chromium: the notes say what to do on the page (a color hint is a click), not which
command-line flag to type. Before, the page told the user to give `--exemplar SAME_FILE`
and `--point X,Y=#RRGGBB; Python: color_hints=[...]`, on a page with no exemplar field and
no command line."""

from __future__ import annotations

import io
import json
import urllib.request
import uuid

import numpy as np
import pytest
from PIL import Image

from tests.web.web_helpers import ThreadServer, browser_api, launch_chromium, tiny_pipeline

COMMAND_LINE_WORDS = ("--point", "--chroma-scale", "--exemplar SAME_FILE", "Python:")


def hand_tinted_print() -> bytes:
    """A gray print tinted by hand: a rose band at the top, a blue one at the bottom, each
    across all its tones (two hues at each lightness: the pipeline's "several hues" note)."""
    ramp = np.tile(np.linspace(60, 220, 96), (64, 1))  # (H, W) a gray print's tones
    rgb = np.repeat(ramp[..., None], 3, axis=2)
    rgb[:24] *= (1.0, 0.7, 0.6)  # rose
    rgb[40:] *= (0.6, 0.75, 1.0)  # blue
    buffer = io.BytesIO()
    Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(url: str, name: str, data: bytes) -> dict:
    """POST the photo as the page's file input does (multipart), then colorize it."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}/api/photos", body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        photo = json.load(answer)
    request = urllib.request.Request(f"{url}/api/photos/{photo['id']}/colorize", b"{}",
                                     method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def server(shared_tiny_weights, tmp_path_factory):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    folder = tmp_path_factory.mktemp("phone")
    # Chroma scaled to nearly nothing: the result is nearly gray, as the default model's
    # colorization of a faded print often is, and gets the "nearly gray" note's advice.
    pipe = tiny_pipeline(shared_tiny_weights).with_config(chroma_scale=0.01)
    app = create_app(pipe,
                     WebConfig(max_photos=3, local=True, path_roots=(folder,)))
    running = ThreadServer(app)
    yield running
    running.close()


def test_a_hand_tinted_prints_notes_say_what_to_do_on_the_page(server):
    view = upload(server.url, "grandma tinted.png", hand_tinted_print())
    notes = view["notes"]
    assert "color input reduced to luminance" in notes
    several_hues = [note for note in notes if note.startswith("its colors are of several hues")]
    assert several_hues and "place color hints with them" in several_hues[0]
    assert "chronochrome colorize PHOTO --exemplar PHOTO" in several_hues[0]
    for note in notes:
        for words in COMMAND_LINE_WORDS:
            assert words not in note, note
    nearly_gray = [note for note in notes if note.startswith("nearly gray (mean chroma C* ")]
    assert nearly_gray and nearly_gray[0].endswith(
        "the model found little evidence for any color in this photo; color hints set the "
        "colors you know: pick a color under Color hints, then click or tap the photo where "
        "that color belongs")


def test_the_page_shows_the_notes_in_its_own_words(server, tmp_path):
    photo = tmp_path / "IMG_2041.png"
    photo.write_bytes(hand_tinted_print())
    with browser_api().sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(server.url)
            page.set_input_files("#file", str(photo))
            page.wait_for_selector('body[data-version="1"][data-state="ready"]')
            shown = page.inner_text("#context-notes")
        finally:
            browser.close()
    assert "place color hints with them" in shown
    assert "click or tap the photo where that color belongs" in shown
    assert "SAME_FILE" not in shown and "--point" not in shown
