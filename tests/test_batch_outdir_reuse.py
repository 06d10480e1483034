"""One output folder used by several runs, as an archivist does: `-o out` for one box of scans
today and another box tomorrow. What an earlier run wrote is the user's result: a later run
must never replace it with another photo, and a run that cannot write must say so at once."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

from batch_helpers import FLAGS, noise_photo, run_colorize, visible_files

from colorizer.pipeline.colorization import ColorizationPipeline

REPO = Path(__file__).resolve().parent.parent
# The CLI as a user starts it, saying afterwards whether torch was imported (~1.5 s).
CHILD = ("import sys; from colorizer.apps.cli import main; code = main(sys.argv[1:]); "
         "print('torch' in sys.modules); sys.exit(code)")





def _inputs(out: Path) -> dict[str, str]:
    manifest = json.loads((out / ".chronochrome-manifest.json").read_text())
    return {key: entry["input"] for key, entry in manifest.items()}


def test_a_later_run_never_replaces_an_earlier_runs_photo_of_the_same_name(
        tiny_weights, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    noise_photo(tmp_path / "a" / "dg20.jpg", 1), noise_photo(tmp_path / "b" / "dg20.tif", 2)
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, "a/dg20.jpg", "-o", out) == 0
    first = (out / "dg20.png").read_bytes()
    capsys.readouterr()
    assert run_colorize(tiny_weights, "b/dg20.tif", "-o", out) == 0
    err = capsys.readouterr().err
    assert (out / "dg20.png").read_bytes() == first  # run 1's result is kept
    assert visible_files(out) == {"dg20.png", "dg20-2.png"}
    assert _inputs(out) == {"dg20.png": "a/dg20.jpg", "dg20-2.png": "b/dg20.tif"}
    assert ("note: b/dg20.tif: dg20.png in the output folder is a/dg20.jpg, colorized by an "
            "earlier run; written as dg20-2.png") in err
    # Each photo keeps its name in later runs, alone or together: skipped, nothing moved.
    for inputs in (["b/dg20.tif"], ["a/dg20.jpg"], ["a/dg20.jpg", "b/dg20.tif"]):
        assert run_colorize(tiny_weights, *inputs, "-o", out) == 0
        captured = capsys.readouterr()
        assert f"0 colorized, {len(inputs)} skipped" in captured.out
        assert "note:" not in captured.err
    assert visible_files(out) == {"dg20.png", "dg20-2.png"}
    assert (out / "dg20.png").read_bytes() == first


def test_the_same_photo_from_another_folder_or_an_edited_scan_keeps_its_name(
        tiny_weights, tmp_path, capsys):
    src, out = noise_photo(tmp_path / "box" / "dg20.png", 1), tmp_path / "out"
    assert run_colorize(tiny_weights, src, "-o", out) == 0
    moved = tmp_path / "renamed-box" / "dg20.png"
    moved.parent.mkdir()
    src.rename(moved)  # the same bytes, moved since: the same photo, skipped
    assert run_colorize(tiny_weights, moved, "-o", out) == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    noise_photo(moved, 5)  # the scan edited in place: re-done under its own name
    assert run_colorize(tiny_weights, moved, "-o", out) == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
    assert visible_files(out) == {"dg20.png"}


def test_a_busy_output_folder_is_refused_before_the_model_loads(tiny_weights, tmp_path,
                                                               monkeypatch, capsys):
    src, out = noise_photo(tmp_path / "in" / "p.png", 1), tmp_path / "out"
    out.mkdir()
    loaded = []
    original = ColorizationPipeline.from_pretrained
    monkeypatch.setattr(ColorizationPipeline, "from_pretrained",
                        classmethod(lambda cls, *a, **k: loaded.append(1)
                                    or original.__func__(cls, *a, **k)))
    other_run = os.open(out, os.O_RDONLY)  # the lock another run holds
    try:
        fcntl.flock(other_run, fcntl.LOCK_EX)
        assert run_colorize(tiny_weights, src, "-o", out) == 2
        # As a user starts it: the answer comes before torch is even imported.
        child = subprocess.run(
            [sys.executable, "-c", CHILD, "colorize", "--weights", str(tiny_weights), *FLAGS,
             str(src), "-o", str(out)],
            check=False, capture_output=True, text=True, cwd=REPO, timeout=60)
    finally:
        os.close(other_run)
    assert not loaded and not visible_files(out)
    assert f"error: {out} is being written by another chronochrome run" in \
        capsys.readouterr().err
    assert child.returncode == 2 and child.stdout.strip() == "False"
    assert "being written by another chronochrome run" in child.stderr
    assert run_colorize(tiny_weights, src, "-o", out) == 0 and loaded  # once the other run is done
    assert visible_files(out) == {"p.png"}


def test_a_folder_colorized_before_input_paths_were_recorded(tiny_weights, tmp_path,
                                                             monkeypatch, capsys):
    """Manifests written before `input_path` name the input as given (relative to the folder
    the run started in): the photo is still known, by its bytes, from anywhere."""
    monkeypatch.chdir(tmp_path)
    noise_photo(tmp_path / "a" / "dg20.jpg", 1), noise_photo(tmp_path / "b" / "dg20.tif", 2)
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, "a/dg20.jpg", "-o", out) == 0
    manifest = out / ".chronochrome-manifest.json"
    entries = json.loads(manifest.read_text())
    del entries["dg20.png"]["input_path"]
    manifest.write_text(json.dumps(entries))
    first = (out / "dg20.png").read_bytes()
    monkeypatch.chdir(tmp_path / "b")  # "a/dg20.jpg" no longer names it
    assert run_colorize(tiny_weights, "dg20.tif", "-o", out) == 0
    assert run_colorize(tiny_weights, tmp_path / "a" / "dg20.jpg", "-o", out) == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out.splitlines()[-1]
    assert (out / "dg20.png").read_bytes() == first
    assert visible_files(out) == {"dg20.png", "dg20-2.png"}
