"""Scene cues from an ImageNet classifier head (military uniform, streetcar, mosque, ...).

The context package never imports the colorizer, so the classifier is injected: anything
matching `SceneClassifier` -- a callable taking a PIL image and returning
`(imagenet_class_index, probability)` pairs (the top-k is enough; probabilities of a softmax
over the 1000 ImageNet-1k classes, indices in the standard order of
configs/context/imagenet_classes.txt). The colorizer passes one built on its
EfficientNet-Lite0 encoder.

configs/context/scene_cues.csv says what a class suggests: an earliest/latest year (a
streetcar is not before 1880) and/or a place (a kimono suggests Japan), with a weight and
a source per row.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from PIL import Image


@runtime_checkable
class SceneClassifier(Protocol):
    """Callable: PIL image -> [(imagenet_class_index, probability), ...]."""

    def __call__(self, image: Image.Image) -> Sequence[tuple[int, float]]: ...


@dataclass(frozen=True)
class SceneCue:
    class_index: int
    label: str
    cue: str
    not_before: int | None
    not_after: int | None
    place: str | None
    weight: float
    note: str
    source: str


@lru_cache(maxsize=4)
def imagenet_labels(data_dir: str) -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names, index = class id."""
    path = Path(data_dir) / "imagenet_classes.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    labels = tuple(ln for ln in lines if ln and not ln.startswith("#"))
    if len(labels) != 1000:
        raise ValueError(f"{path} must list 1000 class names, found {len(labels)}")
    return labels


@lru_cache(maxsize=4)
def scene_cues(data_dir: str) -> dict[int, SceneCue]:
    path = Path(data_dir) / "scene_cues.csv"
    labels = imagenet_labels(data_dir)
    cues = {}
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            idx = int(r["class_index"])
            if labels[idx] != r["label"]:
                raise ValueError(
                    f"{path}: class {idx} is {labels[idx]!r} in imagenet_classes.txt, "
                    f"not {r['label']!r}; fix the index or the label"
                )
            cues[idx] = SceneCue(idx, r["label"], r["cue"], int(r["not_before"] or 0) or None,
                                 int(r["not_after"] or 0) or None, r["place"] or None,
                                 float(r["weight"]), r["note"], r["source"])
    return cues


def readable(label: str) -> str:
    return label.replace("_", " ")
