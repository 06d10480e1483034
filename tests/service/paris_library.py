"""A tiny exemplar library built by `chronochrome library build`, as an archivist builds one:
two Paris 1918 photos with a metadata CSV (serve's and web's --library tests)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from tests.service.serve_process import CLI, REPO


def build_paris_library(root: Path) -> Path:
    """The library folder (`root`/lib), built by the CLI (MiniLM, the ImageNet luminance
    encoder, as serve and web load them) from rue.jpg and quai.jpg."""
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
