"""`chronochrome check` of one of our colorizations, without --hint or --caption, judges its
colors against the hint and captions the file records of its making (its XMP provenance),
and says so; an explicit --hint replaces the recorded hint. Before, the check read only the
file's gray and name: a photo colorized as "Kazan 1957" was checked as of no place or time."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main


@pytest.fixture
def colorized(shared_tiny_weights, tmp_path):
    """A gray photo named without place or date, colorized with the hint "Kazan 1957"."""
    rng = np.random.default_rng(3)
    (tmp_path / "in").mkdir()
    Image.fromarray(rng.integers(40, 220, (48, 64), dtype=np.uint8)).save(
        tmp_path / "in" / "photo.png")
    assert main(["colorize", str(tmp_path / "in" / "photo.png"), "-o", str(tmp_path / "out"),
                 "--weights", str(shared_tiny_weights), "--device", "cpu", "--no-exemplars",
                 "--render-size", "64", "--hint", "Kazan 1957", "-q"]) == 0
    return tmp_path / "out" / "photo.png", tmp_path / "in" / "photo.png"


def _check(weights, colorized, original, out, *extra):
    code = main(["check", str(colorized), "--original", str(original), "--weights",
                 str(weights), "--device", "cpu", "--json", str(out), *extra])
    assert code in (0, 1)
    return json.loads(out.read_text())


def test_check_uses_the_hint_the_colorization_recorded(shared_tiny_weights, colorized,
                                                       tmp_path, capsys):
    found = _check(shared_tiny_weights, *colorized, tmp_path / "check.json")
    assert found["hint"] == "Kazan 1957"
    assert found["context_from"]["hint"] == "provenance"
    assert found["context_from"]["recorded"]["hint"] == "Kazan 1957"
    assert "Kazan" in found["context"]["region"]["name"]
    assert found["context"]["era"]["start"] == 1957
    assert any(n.startswith("context from the colorization's provenance") and "'Kazan 1957'"
               in n for n in found["notes"])
    assert "context from the colorization's provenance" in capsys.readouterr().err


def test_an_explicit_hint_wins(shared_tiny_weights, colorized, tmp_path):
    found = _check(shared_tiny_weights, *colorized, tmp_path / "check.json",
                   "--hint", "Paris 1900")
    assert found["hint"] == "Paris 1900" and found["context_from"]["hint"] == "--hint"
    assert found["context"]["era"]["start"] == 1900
    assert not any("'Kazan 1957'" in n for n in found["notes"])


def test_a_file_not_made_by_chronochrome_records_nothing(colorized, tmp_path):
    from colorizer.check.recorded import recorded_context

    made, original = colorized
    assert recorded_context(made).hint == "Kazan 1957"
    assert recorded_context(original) is None
    (tmp_path / "junk.png").write_bytes(b"not an image")
    assert recorded_context(tmp_path / "junk.png") is None
