"""Scanned negatives: `--negative` / `negative=True` inverts the tones before colorizing, and
a color negative scanned as it is gets a note saying so (colorizer/pipeline/negative.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.apps.cli import main
from colorizer.model.colorspace import luminance_of_rgb
from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.negative import (
    LOOKS_NEGATIVE_NOTE,
    NEGATIVE_NOTE,
    inverted,
    looks_like_color_negative,
)


def _scene(height: int = 48, width: int = 64) -> np.ndarray:
    """A positive gray scene (uint8): a gradient with blocks, every tone present."""
    rng = np.random.default_rng(0)
    gray = np.linspace(20, 235, width)[None].repeat(height, 0)
    for _ in range(6):
        y, x = rng.integers(0, height - 12), rng.integers(0, width - 12)
        gray[y:y + 12, x:x + 12] = rng.integers(0, 256)
    return gray.astype(np.uint8)


def _orange_negative(gray: np.ndarray) -> np.ndarray:
    """`gray` as a color negative on an orange film base, scanned as it is."""
    density = 1.0 - gray[..., None] / 255.0
    return np.rint(255 * (0.08 + 0.9 * density) * np.array([0.95, 0.62, 0.38])).astype(np.uint8)


def _lightness(rgb: np.ndarray) -> np.ndarray:
    rgb = torch.from_numpy(rgb.astype(np.float64) / 255).permute(2, 0, 1)[None]
    return luminance_of_rgb(rgb)[0, 0].numpy()


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


def test_inversion_keeps_the_dtype_and_removes_a_color_film_base():
    gray = _scene()
    assert np.array_equal(inverted(gray)[0], 255 - gray) and not inverted(gray)[1]
    deep = gray.astype(np.float32) / 255
    assert np.allclose(inverted(deep)[0], 1 - deep) and inverted(deep)[0].dtype == np.float32
    positive, base = inverted(_orange_negative(gray))
    assert base and positive.dtype == np.uint8
    # The clear film base (the scene's darkest tone) is black in every channel, not blue.
    darkest = gray == gray.min()
    assert positive[darkest].max() <= 3
    # The film's densest part (the scene's lightest) comes out light and about neutral.
    lightest = positive[gray == gray.max()].astype(int)
    assert lightest.min() > 200 and np.ptp(lightest, axis=-1).max() <= 25


def test_python_negative_true_colorizes_the_inverted_tones(pipe):
    scan = 255 - _scene()
    result = pipe.with_config(negative=True)(Image.fromarray(scan))
    out = np.asarray(result.image.convert("RGB"))
    expected = _lightness(np.repeat((255 - scan)[..., None], 3, -1))
    assert np.abs(_lightness(out) - expected).max() < 0.3  # the positive's L*, not the scan's
    assert result.settings["negative"] is True
    assert NEGATIVE_NOTE in result.to_dict()["input"]["notes"]
    plain = pipe(Image.fromarray(scan))
    assert "negative" not in plain.settings and (
        plain.settings["fingerprint"] != result.settings["fingerprint"])


def test_an_ordinary_photo_is_colorized_as_before(pipe, monkeypatch):
    from colorizer.pipeline import colorization

    photo = Image.fromarray(np.stack([_scene(), _scene() // 2 + 60, _scene()], -1))
    now = pipe(photo)
    monkeypatch.setattr(colorization, "as_positive", lambda loaded, negative: loaded)
    before = pipe(photo)
    assert np.array_equal(np.asarray(now.image), np.asarray(before.image))
    assert now.notes == before.notes and now.settings == before.settings


def test_the_fingerprint_of_a_default_config_is_as_before(monkeypatch):
    """Fingerprints already written (outputs' records, re-run skips) stay valid."""
    from dataclasses import asdict

    from colorizer.pipeline import fingerprint
    from colorizer.pipeline.decoding import DecodingConfig

    def of(config):
        return fingerprint.pipeline_fingerprint("0" * 64, {}, {}, DecodingConfig(), config, {})

    now, negative = of(PipelineConfig()), of(PipelineConfig(negative=True))
    # What asdict gave before the field existed.
    monkeypatch.setattr(fingerprint, "asdict", lambda config: {
        k: v for k, v in asdict(config).items() if k != "negative"})
    assert now == of(PipelineConfig()) and negative != now


def test_a_string_is_refused_as_negative():
    with pytest.raises(ValueError, match="negative must be True or False, got 'false'"):
        PipelineConfig(negative="false")


def test_cli_negative_writes_the_positive_and_records_it(tiny_weights, tmp_path, capsys):
    scan = 255 - _scene()
    Image.fromarray(scan).save(tmp_path / "neg.png")
    args = ["colorize", "--weights", str(tiny_weights), "--device", "cpu", "--render-size", "64",
            "--no-context", "--no-exemplars", str(tmp_path / "neg.png"), "-o",
            str(tmp_path / "out"), "--report"]
    assert main([*args, "--negative"]) == 0
    out = np.asarray(Image.open(tmp_path / "out" / "neg.png").convert("RGB"))
    expected = _lightness(np.repeat((255 - scan)[..., None], 3, -1))
    assert np.abs(_lightness(out) - expected).max() < 0.3
    report = json.loads((tmp_path / "out" / "neg.json").read_text())
    assert report["settings"]["negative"] is True
    assert NEGATIVE_NOTE in report["input"]["notes"]
    capsys.readouterr()
    assert main(args) == 0  # without --negative: another colorization, not "already done"
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
    assert "negative" not in json.loads((tmp_path / "out" / "neg.json").read_text())["settings"]


def test_cli_says_when_a_color_scan_looks_like_a_negative(tiny_weights, tmp_path, capsys):
    gray = _scene()
    Image.fromarray(_orange_negative(gray)).save(tmp_path / "orange.png")
    # A sepia print: dark brown to cream (an orange print as strong as a film base would fire).
    sepia = gray[..., None] / 255.0 * np.array([200, 200, 178]) + np.array([45, 25, 12])
    Image.fromarray(sepia.astype(np.uint8)).save(tmp_path / "sepia.png")
    assert main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", "--no-context", "--no-exemplars",
                 str(tmp_path / "orange.png"), str(tmp_path / "sepia.png"),
                 "-o", str(tmp_path / "out")]) == 0
    printed = "".join(capsys.readouterr())
    notes = [line for line in printed.splitlines() if line.startswith("note:")]
    assert any("orange.png" in n and LOOKS_NEGATIVE_NOTE in n for n in notes), printed
    assert not any("sepia.png" in n and "negative" in n for n in notes), printed


# Ordinary toned, faded and color photos the rule came closest to firing on.
CLOSEST = ("historical-bw/deoldify__1874Mexico.jpg", "historical-bw/deoldify__1890Surfer.jpg",
           "historical-bw/deoldify__LondonStreetDoctor1877.jpg",
           "historical-bw/deoldify__BreadDelivery1920sIreland.jpg",
           "real-color-dev/bopb__old_c.png", "prokudin-gorsky/pg_church.jpg")


def test_the_note_does_not_fire_on_toned_and_color_photos(shared_datasets):
    for name in CLOSEST:
        loaded = load_image(shared_datasets / name)
        assert not looks_like_color_negative(loaded.pixels), name
        made = _orange_negative(np.asarray(Image.open(shared_datasets / name).convert("L")))
        assert looks_like_color_negative(made), name
