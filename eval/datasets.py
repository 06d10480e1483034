"""The report's ground-truth datasets: color photos in a fixed order, by name.

    DATASETS["val-split"](SHARED_DATASETS)   # -> EvalDataset
    folder_dataset("my/photos")              # any folder of color photos
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from colorizer.pipeline.imageio import iter_image_files
from colorizer.training.data import list_photos
from eval.common import TRAIN_PHOTOS, VAL_FRACTION

DEFAULT_DATASET = "prokudin-gorsky"


class DatasetUnavailableError(FileNotFoundError):
    """A named evaluation dataset is not on this machine (../shared is absent)."""


@dataclass(frozen=True)
class EvalDataset:
    """Color photos used as ground truth, in a fixed order (so --limit is reproducible)."""

    name: str
    root: Path
    files: tuple[Path, ...]
    description: str
    hint: str | None = None  # the context an archivist would give the whole set
    own_exemplar: bool = False  # add a row with each photo's augmented color as exemplar


def _image_files(folder: Path) -> list[Path]:
    """Image files in `folder`, sorted; raises ImageNotFoundError when there are none."""
    return iter_image_files([folder])


def _require(folder: Path) -> Path:
    if not folder.is_dir():
        raise DatasetUnavailableError(f"{folder} is absent (it lives in ../shared/datasets)")
    return folder


def _prokudin_gorsky(datasets: Path) -> EvalDataset:
    root = _require(datasets / "prokudin-gorsky")
    return EvalDataset("prokudin-gorsky", root, tuple(_image_files(root)),
                       "Prokudin-Gorsky color plates, Russian Empire ca. 1905-1915",
                       hint="Russian Empire 1910", own_exemplar=True)


def _val_split(datasets: Path) -> EvalDataset:
    root = _require(datasets / TRAIN_PHOTOS)
    files = list_photos(root, "val", VAL_FRACTION)
    return EvalDataset("val-split", root, tuple(files),
                       f"photos-train validation split (half of val_fraction={VAL_FRACTION}); "
                       "checkpoints and operating points are chosen on it: not a test set")


def _heldout(datasets: Path) -> EvalDataset:
    root = _require(datasets / TRAIN_PHOTOS)
    files = list_photos(root, "test", VAL_FRACTION)
    return EvalDataset("heldout", root, tuple(files),
                       f"photos-train test split (the other half of val_fraction={VAL_FRACTION}):"
                       " never trained on, never tuned on")


# A new dataset is one function here: name -> loader of the shared datasets folder.
DATASETS: dict[str, Callable[[Path], EvalDataset]] = {
    "prokudin-gorsky": _prokudin_gorsky,
    "val-split": _val_split,
    "heldout": _heldout,
}


def folder_dataset(folder: str | Path, name: str | None = None) -> EvalDataset:
    """Any folder of color photos as a dataset (named after the folder by default)."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"--data-dir {root} is not a folder of images")
    return EvalDataset(name or root.name, root, tuple(_image_files(root)), f"images in {root}")

