"""An album page (several prints on paper) has each print colorized alone, the paper neutral;
an ordinary photo is colorized exactly as before (colorizer.pipeline.album_page)."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage import data as skdata

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.album_page import crop_of, find_prints, print_mask
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.photo_input import load_photo

PAPER = 22  # near-black album paper (8-bit gray)
PRINT_SIZE = (150, 110)  # each print with its white border, before turning
ANGLES = (3.0, -2.5, -4.0, 2.0)


def _expected_corners(center: tuple[float, float], angle: float) -> np.ndarray:
    """(4, 2) corners of a print of PRINT_SIZE turned by `angle` degrees (PIL: anticlockwise)."""
    w, h = PRINT_SIZE
    t = math.radians(angle)
    offsets = np.array([(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)])
    rot = np.array([[math.cos(t), math.sin(t)], [-math.sin(t), math.cos(t)]])
    return offsets @ rot.T + np.array(center)


def album_page() -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """A gray page: 4 turned prints with white borders on dark paper, a caption between
    them; and each print's expected bounding box (left, top, right, bottom)."""
    photos = [skdata.astronaut(), skdata.coffee(), skdata.chelsea(), skdata.rocket()]
    page = Image.new("L", (380, 320), PAPER)
    boxes = []
    for index, (photo, angle) in enumerate(zip(photos, ANGLES)):
        framed = Image.new("L", PRINT_SIZE, 245)
        framed.paste(Image.fromarray(photo).convert("L").resize((138, 98)), (6, 6))
        turned = framed.rotate(angle, Image.BICUBIC, expand=True)
        shape = Image.new("L", PRINT_SIZE, 255).rotate(angle, Image.BILINEAR, expand=True)
        left, top = 20 + (index % 2) * 190, 15 + (index // 2) * 160
        page.paste(turned, (left, top), shape)
        corners = _expected_corners((left + turned.width / 2, top + turned.height / 2), angle)
        boxes.append((*corners.min(0), *corners.max(0)))
    ImageDraw.Draw(page).text((150, 142), "Kazan 1958", fill=230,
                              font=ImageFont.load_default())
    return page, boxes


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights) -> ColorizationPipeline:
    # Chroma scaled up: the tiny random generator's colors are faint.
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False).with_config(chroma_scale=4.0)


def _chroma(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB"), np.float32) / 255.0
    import torch

    lab = rgb_to_lab(torch.from_numpy(rgb).permute(2, 0, 1)[None])[0]
    return np.hypot(lab[1].numpy(), lab[2].numpy())


def test_four_prints_are_found_within_a_few_pixels():
    page, expected = album_page()
    found = find_prints(load_photo(page, 10**8))
    assert len(found) == 4
    for print_found, box in zip(found, expected):
        assert np.abs(np.array(print_found.box) - np.array(box)).max() <= 3, (print_found, box)


def test_paper_is_neutral_and_each_print_is_its_crop_colorized_alone(pipe):
    page, _ = album_page()
    result = pipe(page)
    prints = find_prints(load_photo(page, 10**8))
    inside_any = np.zeros(page.size[::-1], bool)
    alone_pipe = pipe.with_config(split_page=False)
    for index, page_print in enumerate(prints):
        left, top, right, bottom = page_print.box
        inside = print_mask(page_print)
        inside_any[top:bottom, left:right] |= inside
        alone = alone_pipe(crop_of(load_photo(page, 10**8), page_print, index)).image
        got = np.asarray(result.image)[top:bottom, left:right][inside].astype(int)
        want = np.asarray(alone)[inside].astype(int)
        assert np.abs(got - want).max() <= 1
    assert float(_chroma(result.image)[~inside_any].mean()) < 0.3
    # The page's L* is kept everywhere, the paper's too.
    gray = np.asarray(result.image.convert("L"), int)
    assert np.abs(gray[~inside_any] - np.asarray(page, int)[~inside_any]).max() <= 1
    report = result.to_dict()
    assert len(report["settings"]["album_page"]) == 4
    assert any("album page: 4 prints found" in note for note in report["notes"])


def test_no_split_page_gives_the_whole_page_colorized_as_one_photo(pipe):
    page, _ = album_page()
    whole = pipe.with_config(split_page=False)(page)
    split = pipe(page)
    assert "album_page" not in whole.settings
    assert not np.array_equal(np.asarray(whole.image), np.asarray(split.image))
    assert pipe.with_config(split_page=False).fingerprint != pipe.fingerprint


def _ordinary_photos(shared: Path) -> list[Path]:
    bw = sorted((shared / "historical-bw").rglob("*.jpg"))[:5]
    color = sorted((shared / "real-color-dev").glob("*.png"))[:3]
    color += sorted((shared / "real-color-dev").glob("*.jpg"))[:2]
    return bw + color


@pytest.mark.slow
def test_ordinary_photos_are_never_split(pipe, shared_datasets):
    photos = _ordinary_photos(shared_datasets)
    assert len(photos) == 10
    whole = pipe.with_config(split_page=False)
    for path in photos:
        assert find_prints(load_photo(str(path), 10**8)) == (), path
        split_on = hashlib.sha256(np.asarray(pipe(str(path)).image).tobytes()).hexdigest()
        split_off = hashlib.sha256(np.asarray(whole(str(path)).image).tobytes()).hexdigest()
        assert split_on == split_off, path


@pytest.mark.slow
def test_cli_splits_a_page_and_no_split_page_colorizes_it_whole(tmp_path, shared_tiny_weights):
    page, _ = album_page()
    source = tmp_path / "page.png"
    page.save(source)
    base = [sys.executable, "-m", "colorizer.apps.cli", "colorize", str(source), "--weights",
            str(shared_tiny_weights), "--no-context", "--no-exemplars", "--device", "cpu",
            "--chroma-scale", "4", "--report"]
    split = subprocess.run([*base, "-o", str(tmp_path / "split")], check=False,
                           capture_output=True, text=True, timeout=300)
    assert split.returncode == 0, split.stderr
    whole = subprocess.run([*base, "-o", str(tmp_path / "whole"), "--no-split-page"],
                           check=False, capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    report = json.loads((tmp_path / "split" / "page.json").read_text())
    assert [len(p["box"]) for p in report["settings"]["album_page"]] == [4, 4, 4, 4]
    assert "album_page" not in json.loads((tmp_path / "whole" / "page.json").read_text())[
        "settings"]
    split_pixels = np.asarray(Image.open(tmp_path / "split" / "page.png").convert("RGB"))
    whole_pixels = np.asarray(Image.open(tmp_path / "whole" / "page.png").convert("RGB"))
    # The CLI lowers the render size to the page's long side: its pixels are not the API's
    # at the tiny model's 512, but split and whole differ only where prints are.
    assert not np.array_equal(split_pixels, whole_pixels)
    paper = np.ones(split_pixels.shape[:2], bool)
    for record in report["settings"]["album_page"]:
        left, top, right, bottom = record["box"]
        paper[top:bottom, left:right] = False
    assert float(_chroma(Image.fromarray(split_pixels))[paper].max()) < 0.5
    assert np.array_equal(split_pixels.max(-1)[paper], split_pixels.min(-1)[paper])
