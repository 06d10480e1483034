"""The captions written on an album page's paper become the evidence of the print each was
written by; a print with none near it gets none, and a page with no writing on its paper, or
an ordinary photo, is colorized exactly as before (colorizer.pipeline.page_captions)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage import data as skdata

from colorizer.pipeline.album_page import PagePrint, crop_of, find_prints, print_mask
from colorizer.pipeline.captions import CatalogueCaption
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.page_captions import (
    PAPER_SOURCE,
    PaperCaption,
    attach,
    caption_blocks,
    captions_note,
    print_caption,
)
from colorizer.pipeline.photo_input import load_photo
from context import Caption, ContextConfig, ContextEncoder
from context.types import TextLine

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PRINT_SIZE = (160, 120)
PRINT_LEFTS = (20, 200, 380)  # three prints in a row, 20 px of paper between them
PRINT_TOP = 40
# Under the first and second prints; the third has none.
CAPTIONS = {0: "Казань 1956", 1: "Ялта 1972"}


def album_page(captions: dict[int, str]) -> Image.Image:
    """Cream paper with three prints (tiny random arrays enlarged) and `captions` (print index
    -> text) written 12 px under their prints."""
    rng = np.random.default_rng(0)
    page = Image.new("L", (560, 300), 232)
    draw, font = ImageDraw.Draw(page), ImageFont.truetype(FONT, 18)
    for index, left in enumerate(PRINT_LEFTS):
        tiny = (rng.uniform(0, 1, (12, 16)) * 180 + 20).astype(np.uint8)
        page.paste(Image.fromarray(tiny).resize(PRINT_SIZE, Image.BILINEAR), (left, PRINT_TOP))
        if index in captions:
            draw.text((left + 5, PRINT_TOP + PRINT_SIZE[1] + 12), captions[index], font=font,
                      fill=30)
    return page


@pytest.fixture(scope="module")
def reading_pipe(shared_tiny_weights) -> ColorizationPipeline:
    """The tiny generator with the real context encoder reading writing (rapidocr boxes and
    Tesseract), without CLIP, the scene model or the description's embedding."""
    encoder = ContextEncoder.from_default(ContextConfig(embed=False))
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.context_fn = lambda image, hints, captions: encoder(image, hint=hints, captions=captions)
    return pipe


# -- attaching blocks to prints (no reading) -------------------------------------------------

def _print(left: int, top: int, right: int, bottom: int) -> PagePrint:
    corners = ((left, top), (right, top), (right, bottom), (left, bottom))
    return PagePrint(tuple((float(x), float(y)) for x, y in corners), (left, top, right, bottom),
                     0.0)


def _block(text: str, box: tuple[int, int, int, int]) -> PaperCaption:
    return PaperCaption(text, box)


def test_a_caption_between_two_prints_goes_to_the_nearer():
    upper, lower = _print(0, 0, 200, 150), _print(0, 220, 200, 370)
    under_upper = _block("Kazan 1956", (20, 160, 150, 180))  # 10 px under, 40 px above
    over_lower = _block("Yalta 1972", (20, 192, 150, 212))  # 42 px under, 8 px above
    assert attach([under_upper, over_lower], [upper, lower]) == [(under_upper,), (over_lower,)]


def test_a_caption_beside_a_print_is_its_own_and_a_far_one_nobodys():
    left, right = _print(0, 0, 200, 150), _print(400, 0, 600, 150)
    beside = _block("Sochi 1961", (210, 60, 300, 80))  # 10 px right of the left print
    far = _block("Album 3", (250, 400, 350, 420))  # 250 px below both: above 0.35 x 150
    assert attach([beside, far], [left, right]) == [(beside,), ()]


def test_the_note_names_each_print_s_caption_and_those_near_none():
    given, far = _block("Kazan 1956", (20, 160, 150, 180)), _block("Album 3", (0, 0, 9, 9))
    assert captions_note([], [(), ()]) == ""
    assert captions_note([given, far], [(given,), ()]) == (
        "; captions read on the paper, each given to its print (print 1: 'Kazan 1956')"
        "; 1 caption on the paper near no print, not used")


def test_lines_one_under_another_are_one_caption_and_lines_apart_are_two():
    lines = [TextLine("Kazan", (20, 160, 90, 180), 0.9), TextLine("1956", (22, 184, 70, 204), 0.9),
             TextLine("Yalta 1972", (300, 160, 400, 180), 0.9)]
    blocks = caption_blocks(lines)
    assert blocks == [PaperCaption("Kazan 1956", (20, 160, 90, 204)),
                      PaperCaption("Yalta 1972", (300, 160, 400, 180))]


def test_the_paper_caption_is_merged_with_what_the_print_had():
    block = _block("Казань 1956", (0, 0, 10, 10))
    paper = Caption("Казань 1956", PAPER_SOURCE)
    assert print_caption(None, ()) is None and print_caption("Family", ()) == "Family"
    alone = print_caption(None, [block])
    assert isinstance(alone, CatalogueCaption)
    assert alone.fields == (paper,) and not alone.replaces  # the file's own still read
    users = print_caption("Family", [block])
    assert users.fields == (Caption("Family", "user"), paper) and users.replaces
    record = CatalogueCaption.of([Caption("1956", "csv:date")], replaces=False)
    merged = print_caption(record, [block])
    assert merged.fields == (Caption("1956", "csv:date"), paper) and not merged.replaces


# -- through the pipeline --------------------------------------------------------------------

@pytest.mark.slow  # the page's paper and each print read by OCR: ~7 s
def test_each_print_carries_the_caption_written_under_it(reading_pipe):
    page = album_page(CAPTIONS)
    result = reading_pipe(page)
    records = json.loads(json.dumps(result.to_dict()))["settings"]["album_page"]
    assert len(records) == 3
    assert [[c["text"] for c in r["paper_captions"]] for r in records] == [
        ["Казань 1956"], ["Ялта 1972"], []]
    for index, (start, place) in enumerate([(1956, "Kazan, "), (1972, "Yalta, ")]):
        context = records[index]["context"]
        assert {"text": CAPTIONS[index], "source": PAPER_SOURCE} in context["captions"]
        assert context["era"]["start"] == start
        assert context["region"]["name"].startswith(place)
    # The third print has no caption near it: none of the others' reaches it.
    third = records[2]["context"]
    assert all(c["source"] != PAPER_SOURCE for c in third["captions"])
    assert third["era"] is None and third["region"] is None


@pytest.mark.slow  # three prints and the paper read by OCR: ~6 s
def test_a_page_without_captions_is_each_print_colorized_as_before(reading_pipe):
    page = album_page({})
    result = reading_pipe(page)
    assert [r["paper_captions"] for r in result.settings["album_page"]] == [[], [], []]
    loaded = load_photo(page, 10**8)
    alone_pipe = reading_pipe.with_config(split_page=False)
    for index, page_print in enumerate(find_prints(loaded)):
        left, top, right, bottom = page_print.box
        inside = print_mask(page_print)
        alone = alone_pipe(crop_of(loaded, page_print, index))  # as split_page always did
        assert np.array_equal(np.asarray(result.image)[top:bottom, left:right][inside],
                              np.asarray(alone.image)[inside])
        assert alone.context.to_dict() == result.settings["album_page"][index]["context"]


@pytest.mark.slow  # OCR of a whole photo, twice: ~4 s
def test_an_ordinary_photo_with_writing_is_colorized_exactly_as_before(reading_pipe):
    photo = Image.fromarray(skdata.camera()).resize((256, 256))
    ImageDraw.Draw(photo).text((20, 220), "Казань 1956", font=ImageFont.truetype(FONT, 18),
                               fill=250)
    split_on = reading_pipe(photo)
    split_off = reading_pipe.with_config(split_page=False)(photo)
    assert "album_page" not in split_on.settings
    assert (hashlib.sha256(np.asarray(split_on.image).tobytes()).hexdigest()
            == hashlib.sha256(np.asarray(split_off.image).tobytes()).hexdigest())


@pytest.mark.slow  # the command with its context models: ~25 s
def test_colorize_command_reports_each_print_s_paper_caption(tmp_path, shared_tiny_weights):
    source = tmp_path / "page.png"
    album_page(CAPTIONS).save(source)
    done = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", str(source), "--weights",
         str(shared_tiny_weights), "--no-exemplars", "--device", "cpu", "--report", "-o",
         str(tmp_path / "out")], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert ("captions read on the paper, each given to its print (print 1: 'Казань 1956'; "
            "print 2: 'Ялта 1972')") in done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "page.json").read_text(encoding="utf-8"))
    records = report["settings"]["album_page"]
    assert [[c["text"] for c in r["paper_captions"]] for r in records] == [
        ["Казань 1956"], ["Ялта 1972"], []]
    assert [r["context"]["era"] and r["context"]["era"]["start"] for r in records] == [
        1956, 1972, None]


@pytest.mark.slow  # three prints colorized with the text-only context: ~3 s
def test_with_ocr_off_the_paper_is_not_read(shared_tiny_weights):
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    calls = []

    def context_fn(image, hints, captions):
        calls.append(image.size)
        return encoder(image, hint=hints, captions=captions)

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.context_fn = context_fn
    result = pipe(album_page(CAPTIONS))
    assert [r["paper_captions"] for r in result.settings["album_page"]] == [[], [], []]
    assert not any("captions read on the paper" in note for note in result.notes)
    # The page's context and each print's: no third read of the page for its paper.
    assert calls == [(560, 300), (162, 122), (162, 122), (162, 122)]
