"""What surrounds a photo and was kept as scanned (a card mount, a stereo card's mount, a black
frame: colorizer/pipeline/surround.py) is said in the result's notes, through the real
pipeline with a tiny generator; an ordinary photo gets no such note."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
from mount_cases import CARD_TONE, printed_card, textured_scene
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.decoding import DecodingConfig


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)


def _surround_notes(notes) -> list[str]:
    return [n for n in notes if re.search(r"\((\d+%|under 1%) of the image\) was (kept|left)", n)]


def test_a_card_mount_kept_as_scanned_is_noted_with_its_share(pipe):
    card, window = printed_card(CARD_TONE)
    result = pipe(card)
    notes = _surround_notes(result.notes)
    assert len(notes) == 1, result.notes
    assert notes[0].startswith("the mount or border around the photo (")
    assert "was kept as scanned; a color hint on it sets its color" in notes[0]
    share = int(re.search(r"\((\d+)% of the image\)", notes[0]).group(1))
    assert abs(share - round(100 * (1 - window.mean()))) <= 5  # the card outside the window
    assert notes[0] in result.to_dict()["notes"]  # the JSON report says it too
    assert notes[0] in result.to_dict(shareable=True)["notes"]


def test_an_ordinary_photo_gets_no_surround_note(pipe):
    for photo in (Image.fromarray(textured_scene(400, 480)),
                  Image.fromarray(textured_scene(300, 700, 3))):  # wide: the stereo test runs
        result = pipe(photo)
        assert _surround_notes(result.notes) == [], result.notes
        assert _surround_notes(result.to_dict()["notes"]) == []


def test_a_stereo_cards_mount_is_noted(pipe):
    scene = textured_scene(330, 620, 5).astype(np.float64)
    card = np.full((360, 700), 175.0)
    card[30:330, 40:340], card[30:330, 360:660] = scene[:300, :300], scene[:300, 12:312]
    result = pipe(Image.fromarray(card.astype(np.uint8)))
    notes = _surround_notes(result.notes)
    assert any(n.startswith("the stereo card's mount around its two views (")
               and n.endswith("was left gray; a color hint on it sets its color")
               for n in notes), result.notes


def test_a_black_frame_is_cleared_without_a_note(shared_tiny_weights, tmp_path):
    folder = tmp_path / "framed-model"
    shutil.copytree(shared_tiny_weights, folder)
    DecodingConfig(frame_fill=True).save(folder)  # as the default weights' operating point
    framed = np.zeros((400, 600), np.uint8)
    framed[:, 60:540] = textured_scene(400, 480, 7)
    result = ColorizationPipeline.from_pretrained(folder, device="cpu", context=False,
                                                  exemplars=False, render_size=128
                                                  )(Image.fromarray(framed))
    # Cleared (no chroma where the frame is), and not said: most slides have a frame, and
    # black shows no chroma; a note on every slide would be noise.
    rgb = np.asarray(result.image, dtype=np.int16)[:, :50]
    assert int(np.ptp(rgb, axis=2).max()) <= 1  # the frame stays neutral
    assert not _surround_notes(result.notes), result.notes
