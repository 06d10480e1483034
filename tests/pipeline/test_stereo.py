"""A stereo card's mount stays gray; the views keep their colors; ordinary photos are not
touched (colorizer/pipeline/stereo.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.stereo import clear_stereo_mount, stereo_views

VIEWS = ((30, 330, 40, 340), (30, 330, 360, 660))  # (top, bottom, left, right) on 700 x 360


def _scene(seed: int = 0) -> np.ndarray:
    """A gray scene with detail at every scale (blurred noise and blocks), 600 x 320."""
    rng = np.random.default_rng(seed)
    small = rng.random((40, 75))
    scene = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize((600, 320),
                                                                             Image.BICUBIC))
    return np.clip(scene.astype(np.float64) * 0.7 + rng.random((320, 600)) * 60, 0, 255)


def _card(scene: np.ndarray, shift: int = 12) -> np.ndarray:
    """Two views of `scene` `shift` px apart on a flat light-gray mount, 700 x 360."""
    card = np.full((360, 700), 175.0)
    (top, bottom, left, right), (_, _, left2, right2) = VIEWS
    card[top:bottom, left:right] = scene[:300, 100:400]
    card[top:bottom, left2:right2] = scene[:300, 100 + shift:400 + shift]
    return card.astype(np.uint8)


def _lightness(gray: np.ndarray) -> np.ndarray:
    return lightness_of(load_image(Image.fromarray(gray)))[0, 0].numpy()


def test_the_two_views_are_found_on_a_card():
    boxes = stereo_views(_lightness(_card(_scene())))
    assert boxes is not None and len(boxes) == 2
    for found, (top, bottom, left, right) in zip(boxes, VIEWS, strict=True):
        px = (found[0] * 360, found[1] * 360, found[2] * 700, found[3] * 700)
        assert np.allclose(px, (top, bottom, left, right), atol=8), px


def test_ordinary_wide_photos_and_album_pages_are_no_cards():
    scene = _scene()
    assert stereo_views(_lightness(scene.astype(np.uint8))) is None  # wide, one view
    page = np.full((360, 700), 20.0)  # two different photos on a page
    page[30:330, 40:340], page[30:330, 360:660] = _scene(1)[:300, :300], _scene(2)[:300, :300]
    assert stereo_views(_lightness(page.astype(np.uint8))) is None
    ab = torch.ones(1, 2, 320, 600)
    assert clear_stereo_mount(ab, torch.from_numpy(_lightness(scene.astype(np.uint8)))[None, None]
                              ) is ab


def test_a_card_colorized_keeps_its_mount_gray_and_its_views_colored(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128,
                                                chroma_scale=200.0)
    out = np.asarray(pipe(Image.fromarray(_card(_scene()))).image.convert("RGB"))
    lab = rgb_to_lab(torch.from_numpy(out / 255.0).permute(2, 0, 1)[None])[0].numpy()
    chroma = np.hypot(lab[1], lab[2])
    mount = np.ones(chroma.shape, dtype=bool)
    for top, bottom, left, right in VIEWS:
        mount[top - 10:bottom + 10, left - 10:right + 10] = False
    inner = np.zeros(chroma.shape, dtype=bool)
    for top, bottom, left, right in VIEWS:
        inner[top + 10:bottom - 10, left + 10:right - 10] = True
    assert chroma[mount].mean() < 0.5  # was as colored as the views: the mount read as sky
    assert chroma[inner].mean() > 2.0


CARD_PHOTOS = ("historical-bw/deoldify__1899NycBlizzard.jpg", "prokudin-gorsky/pg_camel.jpg")
# The widest ordinary photos, and the one whose halves correlate most (0.54, gate aside).
WIDE = ("real-color-dev/sokirko__Part1__Pechora-Onega.jpg",
        "historical-bw/deoldify__1880sBrooklynBridge.jpg",
        "historical-bw/deoldify__AppalachianLoggers1901.jpg")


def test_cards_of_real_photos_are_found_and_ordinary_photos_are_not(shared_datasets):
    for name in CARD_PHOTOS:
        scene = np.asarray(Image.open(shared_datasets / name).convert("L").resize((600, 400)),
                           np.float64)
        assert stereo_views(_lightness(_card(scene))) is not None, name
    for name in WIDE:
        if not (shared_datasets / name).is_file():
            pytest.skip(f"{name} is absent")
        lightness = lightness_of(load_image(shared_datasets / name))[0, 0].numpy()
        assert stereo_views(lightness) is None, name
