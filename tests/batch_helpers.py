"""What the batch CLI's tests share: a noise photo on disk, the CLI run on tiny weights, and
the files a folder holds (hidden ones, the manifest and lock, left out)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.apps.cli import main

FLAGS = ["--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars"]


def noise_photo(path: Path, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random((40, 56)) * 255).astype(np.uint8)).save(path)
    return path


def run_colorize(weights, *args) -> int:
    return main(["colorize", "--weights", str(weights), *FLAGS, *map(str, args)])


def visible_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and not p.name.startswith(".")}


def photo_folder(folder: Path, count: int = 3) -> Path:
    """A new folder of `count` noise photos, p0.png, p1.png, ..."""
    folder.mkdir(parents=True)
    for i in range(count):
        noise_photo(folder / f"p{i}.png", seed=i)
    return folder


# The CLI (`python -c PAUSING_CLI colorize ...`), whose second photo waits a minute after
# saying SECOND PHOTO on stdout: a signal or a kill sent then lands mid-batch.
PAUSING_CLI = """
import sys, time
from colorizer.apps.cli import main
from colorizer.pipeline.colorization import ColorizationPipeline
original, calls = ColorizationPipeline.prepare, []
def prepare(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        print("SECOND PHOTO", flush=True)
        time.sleep(60)
    return original(self, *args, **kwargs)
ColorizationPipeline.prepare = prepare
sys.exit(main(sys.argv[1:]))
"""
