"""A photo's mount (a card, a mat, a white border) keeps the scan's own chroma; the photo inside
keeps its colors; ordinary photos are not touched (colorizer/pipeline/mount.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from mount_cases import CARD_TONE, ab_of, masks, printed_card, textured_scene
from PIL import Image

from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.mount import keep_mount, photo_region


def _lightness(image: Image.Image) -> np.ndarray:
    return lightness_of(load_image(image))[0, 0].numpy()


@pytest.mark.parametrize("oval", [False, True])
def test_a_print_on_a_card_is_found_and_its_window_kept(oval):
    card, window = printed_card(oval=oval)
    region = photo_region(_lightness(card))
    assert region is not None
    grown = np.asarray(Image.fromarray(region).resize((480, 400), Image.Resampling.NEAREST))
    photo, mount = masks(window)
    assert grown[photo].all()  # every photo pixel is inside the region kept
    assert not grown[mount].any()


def test_ordinary_photos_and_two_photos_on_a_page_are_not_mounts():
    assert photo_region(_lightness(Image.fromarray(textured_scene(400, 480)))) is None
    sky = textured_scene(400, 480)
    sky[:150] = 200  # a flat sky along the top and down both sides: not all around
    assert photo_region(_lightness(Image.fromarray(sky))) is None
    page = np.full((400, 700), 190, np.uint8)  # two photos side by side (a stereo card)
    page[50:350, 40:330] = textured_scene(300, 290, 1)
    page[50:350, 370:660] = textured_scene(300, 290, 2)
    assert photo_region(_lightness(Image.fromarray(page))) is None
    ab = torch.ones(1, 2, 400, 480)
    photo = Image.fromarray(textured_scene(400, 480))
    assert keep_mount(ab, torch.from_numpy(_lightness(photo))[None, None],
                      load_image(photo)) is ab


def test_keep_mount_puts_the_scans_chroma_on_the_mount_and_leaves_the_photo_alone():
    card, window = printed_card(CARD_TONE)
    ab = torch.randn(1, 2, 400, 480) * 20
    kept = keep_mount(ab, torch.from_numpy(_lightness(card))[None, None], load_image(card))
    photo, mount = masks(window)
    assert torch.equal(kept[0][:, photo], ab[0][:, photo])  # the photo: exactly as it was
    scanned = ab_of(card)
    assert np.abs(kept[0].numpy()[:, mount] - scanned[:, mount]).max() < 0.5



def test_a_deep_color_scan_keeps_its_mounts_tone_as_an_8_bit_one_does():
    # A 10-bit HEIC is read at its depth as float pixels: its toned card had been kept gray.
    import dataclasses

    card, window = printed_card(CARD_TONE)
    loaded = load_image(card)
    deep = dataclasses.replace(loaded, pixels=loaded.pixels.astype(np.float32) / 255.0)
    ab = torch.zeros(1, 2, 400, 480)
    lightness = torch.from_numpy(_lightness(card))[None, None]
    eight_bit, from_deep = keep_mount(ab, lightness, loaded), keep_mount(ab, lightness, deep)
    _, mount = masks(window)
    assert np.abs(eight_bit[0].numpy()[:, mount]).mean() > 5  # the card's tone, not gray
    assert np.abs((from_deep - eight_bit)[0].numpy()[:, mount]).max() < 0.5

MOUNTED = ("historical-bw/deoldify__1867MusicianConstantinople.jpg",
           "historical-bw/deoldify__LibraryOfCongress1910.jpg")
# Ordinary photos with a flat sky or wall along three edges (the detector's nearest misses).
ORDINARY = ("real-color-dev/bopb__old_h.png", "prokudin-gorsky/pg_bird.jpg",
            "real-color-dev/sokirko__Part3__Dzhan_Tugan.jpg")


def test_real_mounted_scans_are_found_and_ordinary_photos_are_not(shared_datasets):
    for name in MOUNTED + ORDINARY:
        if not (shared_datasets / name).is_file():
            pytest.skip(f"{name} is absent")
        found = photo_region(lightness_of(load_image(shared_datasets / name))[0, 0].numpy())
        assert (found is not None) == (name in MOUNTED), name
