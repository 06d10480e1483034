"""What the spreadsheet tests share: photos on disk and what a run wrote (the output
folder's manifest)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image


def photo(path: Path, seed: int = 0) -> Path:
    """A small noise photo at `path` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random((40, 56)) * 255).astype(np.uint8)).save(path)
    return path


def manifest(out: Path) -> dict:
    return json.loads((out / ".chronochrome-manifest.json").read_text(encoding="utf-8"))
