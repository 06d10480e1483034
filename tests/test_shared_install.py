"""chronochrome on a shared server: several accounts, a service account without a home, a
cache shared through CHRONOCHROME_CACHE. The caches (the exemplar library, the broad
gazetteer, the training caches) must be found where XDG_CACHE_HOME says, built once when two
runs start together, readable by the other accounts of a shared cache, rebuilt when a file in
them was cut short, and a home that cannot be written must cost a rebuild, not the run.
The installed CLI under these conditions: tests/test_shared_install_wheel.py (slow)."""

from __future__ import annotations

import json
import logging
import os
import pickle
import stat
import threading
import time
from pathlib import Path

import pytest

from colorizer.training.cache_dir import training_cache
from context import geonames, user_cache
from context.config import ContextConfig
from context.gazetteer import load_gazetteer
from retrieval.embedders import HashingTextEmbedder
from retrieval.knowledge import DEFAULT_DATA_DIR, cache_root, default_library, default_library_dir
from retrieval.library import ExemplarLibrary
from retrieval.regions import RegionResolver

IDS = ("ussr_state_flag", "france_tricolore", "french_horizon_blue")


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """The curated files cut down to three entries: a library that builds in a second."""
    folder = tmp_path / "curated"
    folder.mkdir()
    for name in ("flags.json", "uniforms.json"):
        data = json.loads((DEFAULT_DATA_DIR / name).read_text(encoding="utf-8"))
        data["entries"] = [e for e in data["entries"] if e["id"] in IDS]
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def resolver():
    return RegionResolver(load_gazetteer(ContextConfig().data_dir))


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    """No cache variable from the machine running the tests, a home of its own, and no
    private fallback folder left from another test."""
    for name in ("CHRONOCHROME_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(user_cache, "_fallback", None)


def test_xdg_cache_home_moves_every_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "xdg" / "chronochrome"
    assert cache_root() == root
    assert geonames.cache_dir(geonames.BroadConfig()) == root
    assert training_cache("balance") == root / "training" / "balance"
    assert default_library_dir(HashingTextEmbedder(64), None).is_relative_to(root / "library")
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "mine"))  # the more specific wins
    assert cache_root() == tmp_path / "mine"
    monkeypatch.delenv("CHRONOCHROME_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG spec: ignore it
    assert cache_root() == tmp_path / "home" / ".cache" / "chronochrome"


def test_no_home_at_all_is_not_a_crash(monkeypatch):
    """No HOME and no passwd entry (a container's arbitrary uid): Path.home() raises."""
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache_root() == Path("/nonexistent/.cache/chronochrome")


def test_an_unwritable_home_builds_in_a_private_folder_and_says_so(
        tmp_path, monkeypatch, caplog, data_dir, resolver):
    """HOME=/nonexistent, as a service account has it (a path under a file: unwritable even
    for root, who runs these tests)."""
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("HOME", str(tmp_path / "file" / "home"))
    with caplog.at_level(logging.WARNING):
        library = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    assert sorted(e.id for e in library.exemplars) == sorted(IDS)
    assert library.root.is_relative_to(user_cache._fallback)
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(tmp_path / "file" / "home" / ".cache" / "chronochrome") in message
    assert "set CHRONOCHROME_CACHE" in message and "\n" not in message
    again = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    assert again.root == library.root  # the same run builds it once


def test_a_library_in_the_cache_is_readable_by_the_other_accounts(
        tmp_path, monkeypatch, data_dir, resolver):
    """mkdtemp made the library folder 0700, so in a shared cache another account could not
    read what the first built (and failed rebuilding over it)."""
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "shared"))
    old_mask = os.umask(0o002)  # a group-shared cache
    try:
        library = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(library.root.stat().st_mode) == 0o775
    assert stat.S_IMODE((library.root / "library.json").stat().st_mode) == 0o664


class _SlowEmbedder(HashingTextEmbedder):
    """Counts the libraries built with it, says when a build started, and takes a second."""

    def __init__(self, builds: list[int], started: threading.Event):
        super().__init__(64)
        self.builds, self.started = builds, started

    def embed(self, texts):
        if len(texts) == len(IDS):  # a build embeds every record at once; a search one query
            self.builds.append(1)
            self.started.set()
            time.sleep(1.0)
        return super().embed(texts)


def test_two_first_runs_at_once_build_the_library_once(tmp_path, monkeypatch, data_dir,
                                                       resolver):
    """The second run starts while the first is building: it waits and loads that build
    (before, it built a second library and swapped it in over the first)."""
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "shared"))
    builds: list[int] = []
    started = threading.Event()
    results: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = default_library(_SlowEmbedder(builds, started), None, resolver,
                                         data_dir=data_dir)
        except Exception as exc:  # noqa: BLE001 - the test reports what a run raised
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    threads[0].start()
    assert started.wait(30)
    threads[1].start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, ExemplarLibrary) for r in results), results
    assert len(builds) == 1
    assert results[0].root == results[1].root
    leftovers = [p.name for p in results[0].root.parent.iterdir() if ".building-" in p.name]
    assert not leftovers


@pytest.mark.parametrize("name", ["text.faiss", "library.json", "exemplars.jsonl"])
def test_a_library_file_cut_short_is_rebuilt(tmp_path, monkeypatch, caplog, data_dir,
                                             resolver, name):
    """A run killed while copying the cache, a full disk: the next run built nothing and
    failed on every start (faiss RuntimeError, JSONDecodeError) until the folder was deleted."""
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "cache"))
    first = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    path = first.root / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with caplog.at_level(logging.WARNING):
        again = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    assert again.root == first.root and len(again) == len(IDS)
    assert any("does not load" in r.getMessage() and str(first.root) in r.getMessage()
               for r in caplog.records)
    assert ExemplarLibrary.load(first.root, HashingTextEmbedder(64)).info.count == len(IDS)


def test_a_gazetteer_cache_that_is_not_an_index_is_rebuilt(tmp_path):
    """Something else at the cache's place (another version's pickle, a stray file, an
    archive without the index) was used as the index: `data.get` on a list raised
    AttributeError in every run. Each reads as no index, to be rebuilt."""
    import io

    import numpy as np

    config = geonames.BroadConfig(cache_dir=str(tmp_path))
    path = geonames.cache_path(config)
    path.write_bytes(pickle.dumps(["not", "the", "index"]))
    assert geonames._load(path) is None
    path.write_bytes(pickle.dumps({"version": "x"}))  # a dict without the index
    assert geonames._load(path) is None
    archive = io.BytesIO()
    np.savez(archive, version=np.frombuffer(b"x\x00", dtype=np.uint8))  # no tables
    path.write_bytes(archive.getvalue())
    assert geonames._load(path) is None


def test_cache_writes_are_atomic_and_leave_no_temporary_file(tmp_path):
    target = tmp_path / "index.pkl"
    target.write_bytes(b"old")
    user_cache.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["index.pkl"]


def test_building_the_cache_on_purpose_where_it_cannot_be_written_is_an_error(
        tmp_path, monkeypatch, data_dir, resolver):
    """`library build --default` (rebuild) must not build a copy that vanishes at exit: the
    CLI prints this ValueError as one `error:` line."""
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "file" / "cache"))
    with pytest.raises(ValueError, match=r"cannot write the cache folder .*file/cache/library"
                                         r".*set CHRONOCHROME_CACHE"):
        default_library(HashingTextEmbedder(64), None, resolver, rebuild=True,
                        data_dir=data_dir)


def test_a_build_killed_midway_leaves_nothing_after_the_next_run(tmp_path, monkeypatch,
                                                                 data_dir, resolver):
    """A run killed while building left `.NAME.building-*` (megabytes of images) for good."""
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "cache"))
    folder = default_library_dir(HashingTextEmbedder(64), None, data_dir)
    dead = folder.parent / f".{folder.name}.building-12345678"
    (dead / "images").mkdir(parents=True)
    (dead / "images" / "flag.png").write_bytes(b"half")
    library = default_library(HashingTextEmbedder(64), None, resolver, data_dir=data_dir)
    assert library.root == folder
    assert sorted(p.name for p in folder.parent.iterdir()) == [f".{folder.name}.lock",
                                                                folder.name]
