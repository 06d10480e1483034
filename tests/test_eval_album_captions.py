"""eval.album_captions: the captions eval.album_pages writes under its prints, read from the
paper and given to their prints as the pipeline does, counted against where they were drawn."""

from __future__ import annotations

import pytest

from colorizer.pipeline.colorization import ColorizationPipeline
from eval import album_captions, album_pages
from tests.album_page_images import gradient_photo


def _iou(a, b) -> float:
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def reader():
    return album_captions.caption_reader()


@pytest.fixture
def folder(tmp_path):
    photos = tmp_path / "photos-train"
    photos.mkdir()
    for i in range(6):
        gradient_photo(photos / f"photo{i}.jpg", seed=i)
    return photos


@pytest.mark.slow  # OCR of a 3x2 page: ~3 s
def test_each_caption_reaches_the_print_it_was_written_under(folder, reader):
    _, page = list(album_pages.dataset_pages(folder, 2))[1]
    assert page.layout == "3x2" and len(page.captions) == 6
    gray = album_pages.luminance_input(page.truth)
    figures = album_captions.caption_figures(reader, gray, page.captions, page.boxes,
                                             _iou, album_pages.MATCH_IOU)
    assert figures == {"placed": 6, "attached": 6, "exact": 6, "wrong": 0}
    # Counted against where each was drawn: the same blocks against the captions' boxes
    # shifted by one print are all given to the wrong print.
    shifted = page.captions[1:] + page.captions[:1]
    wrong = album_captions.caption_figures(reader, gray, shifted, page.boxes,
                                           _iou, album_pages.MATCH_IOU)
    assert wrong["attached"] == 0 and wrong["wrong"] == 6


@pytest.mark.slow  # one page colorized three ways and read: ~10 s (a minute on busy cores)
def test_a_dataset_reports_its_captions_in_json_and_markdown(folder, reader, tmp_path,
                                                              tiny_weights):
    split = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                 exemplars=False, render_size=64)
    result = album_pages.run_dataset((split, split.with_config(split_page=False)), folder, 1,
                                     tmp_path, reader)
    assert result["pages"][0]["captions"] == {"placed": 4, "attached": 4, "exact": 4,
                                              "wrong": 0}
    assert result["summary"]["captions"] == result["pages"][0]["captions"]
    lines = album_captions.caption_lines({"photos-train": result})
    assert "| photos-train | 4 / 4 | 4 / 4 | 0 |" in lines
    # Without a reader (as before) a summary has no caption figures: no table.
    summary = {k: v for k, v in result["summary"].items() if k != "captions"}
    assert album_captions.caption_lines({"photos-train": {"summary": summary}}) == []
