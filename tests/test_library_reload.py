"""A library that failed to load is tried again once its folder changes (user audit: `serve`
remembered the failure for its whole life, so an archivist who rebuilt or repaired the
library had to restart the service), and a library replaced under a running process is
loaded again instead of served from memory (its old images were gone). A folder that has
not changed is still not retried at every photo."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.components import FailedBefore, PerProcess
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import LIBRARY_ENTRIES, ExemplarLibrary
from retrieval.types import Exemplar


def test_a_failure_is_remembered_only_while_the_state_is_the_same():
    calls, state, broken = [], ["v1"], [True]

    def build() -> str:
        calls.append(state[0])
        if broken[0]:
            raise OSError(5, "Input/output error")
        return f"library {state[0]}"

    part = PerProcess(build, state=lambda: state[0])
    with pytest.raises(OSError):
        part.get()
    for _ in range(3):  # the next photos: not tried again, the folder is as it was
        with pytest.raises(FailedBefore, match="Input/output error"):
            part.get()
    assert calls == ["v1"]
    state[0], broken[0] = "v2", False  # the archivist rebuilt the folder
    assert part.get() == "library v2" and part.get() == "library v2"
    assert calls == ["v1", "v2"]  # built once for the new state
    state[0] = "v3"  # rebuilt again while serving: the new one is taken, not the old kept
    assert part.get() == "library v3" and calls == ["v1", "v2", "v3"]


def test_without_a_state_a_part_is_built_once_as_before():
    calls = []
    part = PerProcess(lambda: calls.append(1) or len(calls))
    assert [part.get() for _ in range(3)] == [1, 1, 1]


def _library(folder: Path, ids: list[str]) -> ExemplarLibrary:
    def image() -> Image.Image:
        return Image.fromarray(np.full((8, 8, 3), 120, np.uint8))

    records = [(Exemplar(id=i, kind="photo", title=i, start=1918, end=1918, regions=(),
                         colors=(), source="s", license="l", image=""), image) for i in ids]
    return ExemplarLibrary.build(folder, records, HashingTextEmbedder(16), name="t")


def test_the_library_state_changes_when_it_is_rebuilt_repaired_or_removed(tmp_path):
    from retrieval.library import library_state

    folder = tmp_path / "lib"
    _library(folder, ["a", "b"])
    first = library_state(folder)
    assert library_state(folder) == first  # stable: nothing read but stat
    _library(folder, ["a", "b"])  # rebuilt with --overwrite: the same records, new files
    rebuilt = library_state(folder)
    assert rebuilt != first
    os.chmod(folder / "exemplars.jsonl", 0o600)  # a permission fixed
    assert library_state(folder) != rebuilt
    (folder / "text.faiss").unlink()
    assert library_state(folder)[1 + LIBRARY_ENTRIES.index("text.faiss")] is None  # 0: folder
    assert library_state(tmp_path / "nowhere") == (None,) * len(first)
