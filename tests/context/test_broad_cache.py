"""The broad gazetteer's cache file loads as plain arrays: a file someone else put in the
cache folder runs no code when this account loads it (it was a pickle, which does)."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from context import broad_cache, geonames
from context.config import ContextConfig


class _Payload:
    """What an attacker's pickle does when loaded: here, only leave a file behind."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_a_planted_pickle_at_the_cache_runs_no_code_and_reads_as_no_index(tmp_path):
    marker = tmp_path / "ran"
    path = geonames.cache_path(geonames.BroadConfig(cache_dir=str(tmp_path)))
    path.write_bytes(pickle.dumps({"version": _Payload(marker)}))
    assert geonames._load(path) is None
    assert not marker.exists()


def test_an_index_reads_back_as_written():
    data = {"version": "v1",
            "places": [("gn:1", "Wrocław", "city", "PL", "72", None, 672545),
                       ("iso:CA-ON", "Ontario", "region", "CA", None, "CA-ON", 0)],
            "exact": {"wroclaw": (0, 2), "ontario": (3,)}, "stems": {}, "stopped": {"": (1,)}}
    back = broad_cache.decode(io.BytesIO(broad_cache.encode(data)))
    assert back["version"] == "v1"
    assert [back["places"][i] for i in range(len(back["places"]))] == data["places"]
    assert back["places"].ids == ["gn:1", "iso:CA-ON"]
    assert dict(back["exact"]) == data["exact"] and dict(back["stems"]) == {}
    assert back["stopped"][""] == (1,) and back["exact"].get("paris", ()) == ()


def test_a_file_cut_short_reads_as_no_index(tmp_path):
    whole = broad_cache.encode({"version": "v", "places": [], "exact": {"a": (1,)},
                                "stems": {}, "stopped": {}})
    path = tmp_path / "cut.npz"
    path.write_bytes(whole[: len(whole) // 2])
    assert broad_cache.decode(path) is None


@pytest.mark.slow
def test_the_pickle_of_the_version_before_is_removed_and_never_read(tmp_path):
    """A fresh cache folder with only the old pickle: a run builds the .npz beside it and
    removes the pickle (a real build of the 15000 floor, through a subprocess as a user runs
    it; no module state shared with the other tests)."""
    old = tmp_path / "broad-gazetteer-p15000-l4.pkl"
    old.write_bytes(pickle.dumps({"version": "old"}))
    code = ("import sys; from context.geonames import BroadConfig, BroadIndex; "
            "i = BroadIndex(sys.argv[1], BroadConfig(min_population=15000, cache_dir=sys.argv[2]));"
            " print(i.named('Breslau')[0].country)")
    run = subprocess.run([sys.executable, "-c", code, ContextConfig().data_dir, str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["PL"]  # cities15000 has no Breslau, Ontario: Wrocław's alias
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broad-gazetteer-p15000-l4.npz"]
