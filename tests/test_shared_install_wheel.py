"""The installed CLI on a shared server (slow: builds the wheel as
tests/test_installed_wheel.py does, and the curated library several times): the cache goes
where XDG_CACHE_HOME says, two first runs at once both work and leave one library, a cache
file cut short is rebuilt, and an account whose home cannot be written runs with one warning
line instead of a traceback. The cases one by one: tests/test_shared_install.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_installed_wheel import site  # noqa: F401 - the wheel, built and installed

CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main(sys.argv[1:]))"
SEARCH = ("library", "search", "--hint", "USSR 1950", "-k", "1", "--json")


def _env(installed: Path, home: Path, **cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CHRONOCHROME_CACHE", "XDG_CACHE_HOME")}
    return {**env, "PYTHONPATH": str(installed), "HOME": str(home), **cache}


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CLI, *SEARCH], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[str, str]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0 and "Traceback" not in err, err[-3000:]
    assert json.loads(out)["results"][0]["id"], out
    return out, err


def _libraries(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("library/*/*/library.json"))


@pytest.mark.slow
def test_xdg_cache_home_and_two_first_runs_at_once(site, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    env = _env(site, home, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    _finish(_start(env, tmp_path))
    assert len(_libraries(tmp_path / "xdg" / "chronochrome")) == 1
    assert not (home / ".cache").exists()
    shared = _env(site, home, CHRONOCHROME_CACHE=str(tmp_path / "shared"))
    runs = [_start(shared, tmp_path), _start(shared, tmp_path)]
    for run in runs:
        _finish(run)
    (library,) = _libraries(tmp_path / "shared")
    assert not [p for p in library.parent.iterdir() if ".building-" in p.name]


@pytest.mark.slow
def test_a_cut_short_cache_and_an_unwritable_home(site, tmp_path):  # noqa: F811
    env = _env(site, tmp_path / "home", CHRONOCHROME_CACHE=str(tmp_path / "cache"))
    _finish(_start(env, tmp_path))
    (library,) = _libraries(tmp_path / "cache")
    index = library / "text.faiss"
    index.write_bytes(index.read_bytes()[:100])  # a run killed while the cache was copied
    _, err = _finish(_start(env, tmp_path))
    assert "does not load" in err and str(library) in err
    # HOME=/nonexistent as a service account has it (under a file: unwritable even for root).
    (tmp_path / "file").write_text("")
    _, err = _finish(_start(_env(site, tmp_path / "file" / "home"), tmp_path))
    warnings = [line for line in err.splitlines() if "cannot use the cache folder" in line]
    assert len(warnings) == 1 and "set CHRONOCHROME_CACHE" in warnings[0], err[-3000:]
    assert str(tmp_path / "file" / "home" / ".cache" / "chronochrome") in warnings[0]
