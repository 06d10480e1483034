"""`--no-context` with a hint: the hint's place and time still choose the exemplars (user audit:
`colorize --no-context --hint "Crimea 1975" --library DIR` also retrieved the archive's
Khabarovsk, Ararat and Baku slides: with context off the pipeline's context was empty, and the
hint reached retrieval as search words alone). `--no-context` skips what is inferred from the
photo (OCR, scene cues; its help and the README say so); a hint is the user's own word. A hint
with no year, period or place is not used, as with context on."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.pipeline.components import default_components
from context.types import SceneContext
from retrieval.retriever import RetrieverConfig

REPO = Path(__file__).resolve().parents[1]
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`
ROWS = [("crimea_75.jpg", "Koktebel, the beach", "1975", "Crimea"),
        ("crimea_73.jpg", "Yalta embankment", "1973", "Crimea"),
        ("khabarovsk.jpg", "Amur embankment", "1974", "Khabarovsk"),
        ("ararat.jpg", "Ararat from Yerevan", "1969-1986", "Armenian SSR"),
        ("baku.jpg", "Baku, the boulevard", "1979", "Baku")]
CRIMEA = {"crimea_75", "crimea_73"}


@pytest.fixture(scope="module")
def slide_library(tmp_path_factory) -> Path:
    """A library built by the CLI (MiniLM and the ImageNet luminance encoder, as colorize
    loads them)."""
    root = tmp_path_factory.mktemp("slides")
    photos = root / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for name, *_ in ROWS:
        Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(photos / name)
    with (root / "list.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "date", "place"), *ROWS])
    done = subprocess.run([sys.executable, "-c", CLI, "library", "build", str(photos),
                           "--metadata", str(root / "list.csv"), "--out", str(root / "lib")],
                          check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return root / "lib"


@pytest.mark.slow  # builds a library with MiniLM, then one colorize run: about 40 s
def test_colorize_no_context_keeps_the_hints_place(slide_library, tmp_path,
                                                   shared_tiny_weights):
    photo = tmp_path / "slide.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (48, 64), dtype=np.uint8)
                    ).save(photo)
    done = subprocess.run([sys.executable, "-c", CLI, "colorize", str(photo), "-o",
                           str(tmp_path / "out"), "--weights", str(shared_tiny_weights),
                           "--device", "cpu", "--no-context", "--hint", "Crimea 1975",
                           "--library", str(slide_library), "--report"],
                          check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "slide.json").read_text())
    exemplars = report["exemplars"]
    assert {e["id"] for e in exemplars} == CRIMEA
    assert all([r["name"] for r in e["regions"]] == ["Crimea"] for e in exemplars)
    # Context inference stays off: the report's context is the switched-off one.
    assert report["context"]["era"] is None and report["context"]["region"] is None


@pytest.mark.slow  # the library above, MiniLM and the ImageNet encoder in this process
def test_the_retrieval_step_reads_the_hint_when_context_is_off(slide_library):
    _, exemplar_fn, _ = default_components(
        torch.device("cpu"), context=False, exemplars=True,
        retriever_config=RetrieverConfig(library=str(slide_library)))
    off = SceneContext.empty("context inference switched off for this pipeline")
    gray = Image.new("L", (64, 48), 128)
    found = lambda hint: [hit.exemplar.id for hit in exemplar_fn(off, gray, hint)]
    assert set(found("Crimea 1975")) == CRIMEA
    assert found("Khabarovsk, 1970s") == ["khabarovsk"]
    assert found("asdfgh qwerty") == []  # no year, period or place: not used
    assert found(None) == [] and found("  ") == []
