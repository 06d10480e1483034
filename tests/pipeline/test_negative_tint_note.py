"""A color input of several hues (a hand-tinted print) is told how its colors are kept (its
own exemplar); a toned print of one hue is not; the pixels are the same either way
(colorizer/pipeline/tint_note.py). Beside the negative work: both are notes on how a scan
should be read."""

from __future__ import annotations

import glob
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.apps.cli import main
from colorizer.model.colorspace import lab_to_rgb
from colorizer.pipeline.imageio import COLOR_INPUT_NOTE, load_image
from colorizer.pipeline.tint_note import SEVERAL_HUES_NOTE


def _scene(height: int = 64, width: int = 96) -> np.ndarray:
    """L* (0-100) of a scene whose every part holds light and dark tones, as a face, a sky or
    a field does: what a hand-tinter's hues overlap in."""
    rng = np.random.default_rng(0)
    across = np.linspace(30.0, 85.0, width)[None].repeat(height, 0)
    return np.clip(across + rng.normal(0, 4, (height, width)), 0, 100)


def _rgb(lightness: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lab = torch.from_numpy(np.stack([lightness, a, b]).astype(np.float32))[None]
    return (lab_to_rgb(lab)[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255).round().astype(
        np.uint8)


def _hand_tinted() -> np.ndarray:
    """A print tinted by hand: a blue sky, a pink face, a green field."""
    lightness = _scene()
    a, b = np.zeros_like(lightness), np.zeros_like(lightness)
    a[:32], b[:32] = -5.0, -22.0  # sky
    a[32:], b[32:] = -18.0, 16.0  # field
    a[16:44, 30:60], b[16:44, 30:60] = 16.0, 12.0  # face
    return _rgb(lightness, a, b)


def _toned(hue_dark: float, hue_light: float, chroma: float) -> np.ndarray:
    """A toned print: one toner whose hue drifts with density (sepia's shadows redder)."""
    lightness = _scene()
    hue = np.radians(hue_dark + (hue_light - hue_dark) * (lightness - 30) / 55)
    return _rgb(lightness, chroma * np.cos(hue), chroma * np.sin(hue))


def _save(tmp_path: Path, name: str, rgb: np.ndarray) -> Path:
    path = tmp_path / name
    Image.fromarray(rgb).save(path)
    return path


def test_a_hand_tinted_print_is_told_to_be_its_own_exemplar(tmp_path):
    path = _save(tmp_path, "tinted.png", _hand_tinted())
    loaded = load_image(path)
    assert loaded.notes[-2:] == (COLOR_INPUT_NOTE, SEVERAL_HUES_NOTE)
    assert "--exemplar SAME_FILE" in SEVERAL_HUES_NOTE
    assert np.array_equal(loaded.pixels, np.asarray(Image.open(path)))  # pixels as they were


@pytest.mark.parametrize("toner", [(40.0, 80.0, 20.0), (250.0, 265.0, 25.0),
                                   (10.0, 50.0, 12.0)], ids=["sepia", "cyanotype", "selenium"])
def test_a_print_toned_in_one_hue_gets_the_plain_note(tmp_path, toner):
    loaded = load_image(_save(tmp_path, "toned.png", _toned(*toner)))
    assert COLOR_INPUT_NOTE in loaded.notes and SEVERAL_HUES_NOTE not in loaded.notes


def test_the_cli_prints_the_note_for_a_hand_tinted_print(tiny_weights, tmp_path, capsys):
    path = _save(tmp_path, "tinted.png", _hand_tinted())
    code = main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", "--no-context", "--no-exemplars", str(path),
                 "-o", str(tmp_path / "out")])
    assert code == 0
    err = capsys.readouterr().err
    assert f"note: {path}: {COLOR_INPUT_NOTE}; {SEVERAL_HUES_NOTE}" in err


@pytest.mark.slow
def test_no_toned_photo_of_historical_bw_gets_the_longer_note(shared_datasets):
    """107 of its 194 photos load as color (sepia and other tones); none is of several hues."""
    photos = sorted(p for p in glob.glob(str(shared_datasets / "historical-bw" / "*"))
                    if not p.endswith(".csv"))
    assert len(photos) == 194
    loaded = [load_image(p).notes for p in photos]
    assert sum(COLOR_INPUT_NOTE in notes for notes in loaded) == 107
    assert not [p for p, notes in zip(photos, loaded) if SEVERAL_HUES_NOTE in notes]


def test_a_color_negative_of_a_tinted_print_is_not_told_to_be_its_own_exemplar(tmp_path):
    """Its orange film base holds its hues together: it is told to be read as a negative."""
    density = 1.0 - _hand_tinted() / 255.0
    film = np.rint(255 * (0.08 + 0.9 * density) * np.array([0.95, 0.62, 0.38]))
    loaded = load_image(_save(tmp_path, "film.png", film.astype(np.uint8)))
    assert COLOR_INPUT_NOTE in loaded.notes and SEVERAL_HUES_NOTE not in loaded.notes
