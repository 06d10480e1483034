"""Where training photos come from: folders and uncompressed tars, each with a sampling share.

A source is read in place (a tar is never unpacked to disk). Its train/val/test split uses the
same file-name hash as `data.split_of`, so a photo's split never depends on which other
sources a config lists, and `photos-train`'s validation and held-out photos stay the same.
"""

from __future__ import annotations

import fnmatch
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.errors import TrainingDataError
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES, load_image
from colorizer.training.data import PhotoBank, split_of


@dataclass(frozen=True)
class PhotoSource:
    """One place photos come from, and the share of training samples drawn from it."""

    path: str  # a folder of photos, or an uncompressed .tar of them
    pattern: str = "*"  # which file names to take (fnmatch on the base name)
    share: float = 1.0  # relative share of samples; split evenly over the source's photos

    def __post_init__(self) -> None:
        if self.share <= 0:
            raise ValueError(f"source {self.path!r}: share must be > 0, got {self.share}")


def _names_and_bytes(path: Path, wanted: Callable[[str], bool]) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of the photos whose names are `wanted`; others are never read."""
    def take(name: str) -> bool:
        return Path(name).suffix.lower() in SUPPORTED_SUFFIXES and wanted(name)

    if path.is_dir():
        for file in sorted(path.iterdir()):
            if take(file.name):
                yield file.name, file.read_bytes()
    elif path.is_file() and tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            for member in tar:
                name = Path(member.name).name
                if member.isfile() and take(name):
                    yield name, tar.extractfile(member).read()
    else:
        raise TrainingDataError(f"training source {path} is neither a folder nor a tar of "
                                "photos: fix its path in the train config's sources")


def _shrunk(rgb: np.ndarray, short_side: int) -> np.ndarray:
    """uint8 (H, W, 3), scaled down so the short side is at most `short_side` (never up:
    a 64-px photo stays 64 px and is only enlarged by the crop, at its own resolution)."""
    img = Image.fromarray(rgb)
    scale = short_side / min(img.size)
    if scale < 1:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.BICUBIC)
    return np.array(img)


def load_sources(sources: list[PhotoSource], root: Path, split: str, val_fraction: float,
                 short_side: int, limit: int | None = None) -> PhotoBank:
    """The `split` photos of every source as one bank whose sampling follows the shares."""
    images, paths, weights = [], [], []
    for source in sources:
        folder = Path(source.path) if Path(source.path).is_absolute() else root / source.path
        start = len(images)
        wanted = (lambda name, pattern=source.pattern: fnmatch.fnmatch(name, pattern)
                  and split_of(Path(name), val_fraction) == split)
        for name, data in _names_and_bytes(folder, wanted):
            if limit and len(images) - start >= limit:
                break
            loaded = load_image(data, name=name)
            if not loaded.is_color:
                continue  # a gray photo teaches nothing about color
            images.append(_shrunk((loaded.rgb * 255 + 0.5).astype(np.uint8), short_side))
            paths.append(folder / name)
        count = len(images) - start
        if count == 0:
            raise TrainingDataError(f"training source {folder} (pattern {source.pattern!r}) has "
                                    f"no {split} photos: check its path and pattern")
        weights += [source.share / count] * count
    return PhotoBank(images=images, paths=paths, weights=weights)
