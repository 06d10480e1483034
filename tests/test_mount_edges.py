"""A card whose print's outline is hard to see is still found and kept: a pale sky that meets
the card with little contrast (only the print's faint edge between them), and water stains
and foxing lying across the print's edge (colorizer/pipeline/mount_edges.py; the scans:
eval/mount_edge_scans.py). Before, the sky was read as card and the stains as photo: the
photo was not convex and nothing was kept."""

from __future__ import annotations

import numpy as np
import pytest
from mount_cases import ab_of, textured_scene
from PIL import Image
from scipy.ndimage import binary_erosion

from colorizer import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.mount import photo_region
from eval.mount_edge_scans import EDGE_MOUNTS


def pale_sky_scene(seed: int) -> Image.Image:
    """(580 x 460) gray: a textured scene under a flat pale sky with a wavy skyline."""
    scene = textured_scene(580, 460, seed).astype(np.float64)
    x = np.arange(460)
    skyline = (180 + 40 * np.sin(x / 37.0) + 25 * np.sin(x / 11.0 + 1)).astype(int)
    rows = np.arange(580)[:, None]
    scene = np.where(rows < skyline[None], 205 - 10 * rows / 580.0, scene)
    return Image.fromarray(scene.round().astype(np.uint8))


def _region(image: Image.Image) -> np.ndarray | None:
    """The photo's region at the scan's own size, or None when no mount was found."""
    region = photo_region(lightness_of(load_image(image))[0, 0].numpy())
    if region is None:
        return None
    return np.asarray(Image.fromarray(region).resize(image.size, Image.Resampling.NEAREST))


def _assert_found_and_kept(scan, label: str) -> None:
    region = _region(scan.image)
    assert region is not None, label
    assert region[scan.photo].all(), label  # the whole print, its sky too, keeps its colors
    assert 1.0 - region[scan.mount].mean() > 0.9, label  # the card keeps the scan's chroma


@pytest.mark.parametrize("kind", sorted(EDGE_MOUNTS))
@pytest.mark.parametrize("seed", [0, 1])
def test_a_card_whose_print_edge_is_faint_or_stained_is_found_and_kept(kind, seed):
    scan = EDGE_MOUNTS[kind](pale_sky_scene(seed), np.random.default_rng(seed))
    _assert_found_and_kept(scan, kind)


@pytest.mark.slow  # ~16 s: three full-size scans of a real photo
@pytest.mark.parametrize("photo", ["deoldify__SanFran1851.jpg",
                                   "deoldify__1890sTouristsEgypt.jpg"])
def test_real_photos_with_pale_skies_on_faint_or_stained_cards_are_found(shared_datasets,
                                                                        photo):
    path = shared_datasets / "historical-bw" / photo
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    for seed, kind in enumerate(sorted(EDGE_MOUNTS)):
        _assert_found_and_kept(EDGE_MOUNTS[kind](Image.open(path).convert("L"),
                                                 np.random.default_rng(seed)), kind)


@pytest.mark.slow  # ~20 s each: the pipeline on a 600 x 860 scan
@pytest.mark.parametrize("kind", ["pale-sky-card", "stain-on-edge"])
def test_a_stained_or_pale_sky_card_colorized_keeps_its_scanned_tone(shared_tiny_weights,
                                                                      kind):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128,
                                                chroma_scale=200.0)
    scan = EDGE_MOUNTS[kind](pale_sky_scene(0), np.random.default_rng(0))
    scanned, colorized = ab_of(scan.image), ab_of(pipe(scan.image).image)
    # The card's tone and its stains as scanned, 10 px past the band along the print that
    # the photo's region takes in (before: painted over, off by 19-31 at this chroma scale).
    card = binary_erosion(scan.mount, iterations=10)
    moved = (colorized - scanned)[:, card]
    assert np.abs(moved.mean(1)).max() < 1.0
    assert np.median(np.abs(moved)) < 0.5
    assert np.hypot(*colorized)[scan.photo].mean() > 2.0


def test_a_plain_backdrop_with_a_subject_that_is_no_print_is_not_a_mount():
    """A rounded subject on a flat backdrop all round: no straight sides, nothing kept."""
    backdrop = np.full((400, 480), 190.0)
    y, x = np.mgrid[0:400, 0:480]
    blob = ((y - 210) / 150.0) ** 2 + ((x - 240) / 170.0) ** 2 < 1 + 0.3 * np.sin(x / 20.0)
    backdrop[blob] = textured_scene(400, 480, 4)[blob]
    backdrop[60:130, 200:280] = 205  # a flat patch inside it (a pale sky seen through)
    assert _region(Image.fromarray(backdrop.astype(np.uint8))) is None
