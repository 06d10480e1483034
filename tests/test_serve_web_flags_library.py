"""`chronochrome web --library DIR` retrieves from the archive's own library, as `colorize
--library` and `serve --library` do (web refused the flag: "unrecognized arguments")."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.service.serve_process import CLI, REPO, free_port
from tests.test_serve_web_flags import _start_web


def _build_library(root: Path) -> Path:
    """Two Paris 1918 photos built into a library by the CLI (as serve's library test)."""
    photos = root / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for name in ("rue.jpg", "quai.jpg"):
        x = np.zeros((48, 64, 3), np.float32)
        x[:, :32], x[:, 32:] = (180, 40, 30), (40, 60, 170)
        Image.fromarray(np.clip(x + rng.normal(0, 12, x.shape), 0, 255).astype(np.uint8)
                        ).save(photos / name)
    with (root / "list.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "year", "place"),
                                 ("rue.jpg", "Rue de Rivoli", "1918", "Paris"),
                                 ("quai.jpg", "Quai d'Orsay", "1918", "Paris")])
    done = subprocess.run([sys.executable, "-c", CLI, "library", "build", str(photos),
                           "--metadata", str(root / "list.csv"), "--out", str(root / "lib")],
                          check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return root / "lib"


@pytest.mark.slow  # builds a library and starts `web`: 8 s, 40 s at a cold first MiniLM load
def test_web_retrieves_from_the_library_given(tmp_path, tiny_weights):
    library = _build_library(tmp_path)
    port = free_port()
    web = _start_web(port, tiny_weights, tmp_path / "web.log", "--library", str(library))
    base = f"http://127.0.0.1:{port}"
    try:
        gray = Image.fromarray(np.full((32, 48), 128, np.uint8))
        gray.save(tmp_path / "old.png")
        opened = httpx.post(f"{base}/api/photos", timeout=60, files={
            "file": ("old.png", (tmp_path / "old.png").read_bytes(), "image/png")})
        assert opened.status_code == 200, opened.text
        done = httpx.post(f"{base}/api/photos/{opened.json()['id']}/colorize",
                          json={"hint": "Paris 1918"}, timeout=120)
        assert done.status_code == 200, done.text
    finally:
        web.terminate()
        web.wait(timeout=30)
    # The curated library has no "rue" or "quai": these came from --library.
    assert {e["id"] for e in done.json()["exemplars"]} == {"rue", "quai"}
