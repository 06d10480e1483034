"""One render-size rule for every interface (colorizer/pipeline/render_size_rule.py).

A render size above both the photo's long side and the operating point (96 for the tiny
model here, so that the tests run small) is lowered where the photo is prepared: the Python
API, `chronochrome colorize` and the HTTP service give the same photo the same pixels, and the
result's notes say so.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from tests.conftest import tiny_weights_at

OPERATING_POINT = 96  # the tiny weights' saved render size, in this module
RAISED = 192  # above it and the small test photo's long side (56 px)
NOTE = "render size lowered from 192 to 96 px (the photo's long side is 56 px)"
REPO = Path(__file__).resolve().parent.parent


def _photo(path: Path, size: tuple[int, int] = (56, 40), seed: int = 0) -> Path:
    """A gray PNG of `size` (width, height) with some structure for the generator to see."""
    rng = np.random.default_rng(seed)
    pixels = (rng.random((size[1], size[0])) * 255).astype(np.uint8)
    Image.fromarray(pixels, "L").save(path)
    return path


def _pipe(weights: Path, **settings) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, **settings)


@pytest.fixture(scope="module")
def weights(shared_tiny_weights, tmp_path_factory) -> Path:
    """The tiny weights with the operating point OPERATING_POINT (their decoding.json)."""
    folder = tmp_path_factory.mktemp("render-size") / "tiny-model"
    return tiny_weights_at(shared_tiny_weights, folder, OPERATING_POINT)


@pytest.fixture(scope="module")
def raised(weights) -> ColorizationPipeline:
    return _pipe(weights, render_size=RAISED)


def test_the_rule_lowers_only_a_size_above_the_photo_and_the_operating_point():
    from colorizer.pipeline.render_size_rule import WorkingSize, working_size

    assert working_size(192, 96, 56) == WorkingSize(96, NOTE)
    assert working_size(1024, 512, 700) == WorkingSize(
        700, "render size lowered from 1024 to 700 px (the photo's long side is 700 px)")
    assert working_size(1024, 512, 1024) == WorkingSize(1024)  # the photo is that large
    assert working_size(512, 512, 56) == WorkingSize(512)  # the default: never lowered
    assert working_size(320, 512, 56) == WorkingSize(320)  # below the operating point


@pytest.mark.slow
def test_the_python_api_lowers_a_raised_render_size_with_a_note(raised, tmp_path):
    path = _photo(tmp_path / "small.png")
    result = raised(path)
    assert NOTE in result.notes and NOTE in result.to_dict()["notes"]  # the report's too
    assert result.settings["render_size"] == 96 and max(result.render_size) == 96
    # The same pixels and fingerprint as a pipeline set to the lowered size itself.
    lowered = raised.with_config(render_size=96)
    same = lowered(path)
    assert np.array_equal(np.asarray(result.image), np.asarray(same.image))
    assert result.settings["fingerprint"] == lowered.fingerprint == same.settings["fingerprint"]
    assert not any("render size lowered" in note for note in same.notes)
    # An edit (other color hints, steps 2-6 reused) keeps the note and the size.
    edited = raised(path, color_hints=[{"point": [28, 20], "color": "#b22222"}])
    assert NOTE in edited.notes and edited.settings["render_size"] == 96


@pytest.mark.slow
def test_at_the_operating_point_a_small_photo_is_not_lowered(weights, tmp_path):
    pipe = _pipe(weights)
    result = pipe(_photo(tmp_path / "small.png"))
    assert not any("render size lowered" in note for note in result.notes)
    assert result.settings["render_size"] == pipe.render_size == OPERATING_POINT
    assert result.settings["fingerprint"] == pipe.fingerprint


@pytest.mark.slow
def test_a_list_batches_photos_by_the_size_they_are_rendered_at(weights, tmp_path):
    pipe = _pipe(weights, render_size=RAISED)
    paths = [_photo(tmp_path / "a.png", seed=1), _photo(tmp_path / "b.png", seed=2),
             _photo(tmp_path / "c.png", size=(150, 100), seed=3)]
    pipe.runner.batches.clear()
    results = pipe(paths)
    # a and b (both lowered to 96) share a forward pass; c (lowered to 150) has its own.
    assert pipe.runner.batches == Counter({2: 1, 1: 1})
    assert [r.settings["render_size"] for r in results] == [96, 96, 150]
    assert "render size lowered from 192 to 150 px (the photo's long side is 150 px)" in (
        results[2].notes)
    fresh = pipe.with_config()  # its own edit cache: each photo colorized again, alone
    for path, result in zip(paths, results):  # batched as alone
        alone = np.asarray(fresh(path).image).astype(int)
        assert np.abs(np.asarray(result.image).astype(int) - alone).max() <= 1


@pytest.mark.slow
def test_the_cli_gives_the_python_apis_pixels_and_note(raised, weights, tmp_path):
    path = _photo(tmp_path / "small.png")
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights",
         str(weights), "--device", "cpu", "--no-context", "--no-exemplars",
         "--render-size", str(RAISED), str(path), "-o", str(out), "--report"],
        check=False, capture_output=True, text=True, cwd=REPO, env={**os.environ}, timeout=300)
    assert run.returncode == 0, run.stderr
    api = raised(path)
    with Image.open(out / "small.png") as written:
        assert np.array_equal(np.asarray(written.convert("RGB")), np.asarray(api.image))
    assert NOTE in run.stderr and run.stderr.count("render size lowered") == 1  # said once
    report = json.loads((out / "small.json").read_text())
    assert NOTE in report["notes"] and report["settings"]["render_size"] == 96
    assert report["settings"]["fingerprint"] == api.settings["fingerprint"]


@pytest.mark.slow
def test_the_service_gives_the_python_apis_pixels(raised, tmp_path):
    from tests.service.service_helpers import make_service

    path = _photo(tmp_path / "small.png")
    with contextmanager(make_service)(tmp_path, raised) as svc:
        files = [("file", ("small.png", path.read_bytes(), "image/png"))]
        answer = svc.client.post("/v1/colorize?response=json", headers=svc.headers(),
                                 files=files)
        assert answer.status_code == 200, answer.text
        image = svc.client.get(answer.json()["result_url"], headers=svc.headers())
    assert image.status_code == 200
    with Image.open(io.BytesIO(image.content)) as served:
        assert np.array_equal(np.asarray(served.convert("RGB")), np.asarray(raised(path).image))
    assert answer.json()["provenance"]["settings"]["render_size"] == 96
