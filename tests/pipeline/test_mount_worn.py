"""Worn and ornamented mounts are found and kept: a studio's imprint in large letters, ruled
and embossed frames round the print, foxing and water stains, a torn corner, a card lying
askew on the scanner bed (colorizer/pipeline/mount.py reads the flat card through its marks;
the scans: eval/mount_worn_scans.py)."""

from __future__ import annotations

import numpy as np
import pytest
from mount_cases import textured_scene
from PIL import Image, ImageDraw

from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of
from colorizer.pipeline.mount import measure_mount, photo_region
from eval.mount_worn_scans import WORN_MOUNTS


def _region(image: Image.Image) -> np.ndarray | None:
    """The photo's region at the scan's own size, or None when no mount was found."""
    region = photo_region(lightness_of(load_image(image))[0, 0].numpy())
    if region is None:
        return None
    return np.asarray(Image.fromarray(region).resize(image.size, Image.Resampling.NEAREST))


@pytest.mark.parametrize("kind", sorted(WORN_MOUNTS))
def test_a_worn_or_ornamented_card_is_found_and_nearly_all_of_it_kept(kind):
    scan = WORN_MOUNTS[kind](Image.fromarray(textured_scene(580, 460, 3)),
                             np.random.default_rng(0))
    region = _region(scan.image)
    assert region is not None, kind
    assert region[scan.photo].all()  # every photo pixel keeps the generator's colors
    # The card, its letters and frames keep the scan's chroma (before: none, or 42% of the
    # card on the scanner bed, 71% of a card with a ruled frame).
    assert 1.0 - region[scan.mount].mean() > 0.9, kind


def test_a_print_on_a_card_with_a_large_imprint_and_a_close_frame_is_found():
    card = Image.new("L", (480, 600), 190)
    card.paste(Image.fromarray(textured_scene(400, 380, 5)), (50, 40))
    draw = ImageDraw.Draw(card)
    draw.rectangle((34, 24, 446, 456), outline=120, width=3)  # a ruled frame 16 px out
    draw.text((60, 490), "W. NOTMAN & SON", fill=110, font=_font(44))  # a wide imprint
    measured = measure_mount(lightness_of(load_image(card))[0, 0].numpy())
    assert measured is not None and measured[0].found, measured
    window = np.zeros((600, 480), bool)
    window[40:440, 50:430] = True
    grown = np.asarray(Image.fromarray(measured[1]).resize((480, 600),
                                                           Image.Resampling.NEAREST))
    assert grown[window].all()
    assert not grown[470:].any()  # the imprint is the mount's
    assert not grown[22:28, 40:440].any()  # and so is the frame (before: inside the photo)


def test_ordinary_photos_with_lettering_or_a_line_on_them_are_not_mounts():
    scene = Image.fromarray(textured_scene(400, 480))
    ImageDraw.Draw(scene).text((40, 330), "PARIS 1900", fill=250, font=_font(40))
    assert _region(scene) is None
    page = np.full((400, 700), 190, np.uint8)  # two photos side by side, a rule between them
    page[50:350, 40:330] = textured_scene(300, 290, 1)
    page[50:350, 370:660] = textured_scene(300, 290, 2)
    page[40:360, 349:351] = 90
    assert _region(Image.fromarray(page)) is None


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def test_a_real_bordered_print_with_marks_on_its_border_is_found(shared_datasets):
    """historical-bw's cafe scene: a white border whose marks (a scratch, dust) and a faint
    print edge along the sky split it from the image's edge in the flat pixels alone."""
    path = shared_datasets / "historical-bw" / "deoldify__CafeParis1928.jpg"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    scan = Image.open(path)
    region = _region(scan)
    assert region is not None
    assert 0.8 < region.mean() < 0.97  # the photo, its border outside
