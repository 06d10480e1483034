"""The manifest's journal as a user meets it through `chronochrome colorize`: a batch killed
mid-way (SIGKILL: no `finally` runs) leaves its record in the journal, and the same command
run again skips what was finished and replaces nothing of the user's; a damaged journal is
one clear line, with nothing written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from batch_helpers import FLAGS, PAUSING_CLI, noise_photo, photo_folder, run_colorize

REPO = Path(__file__).resolve().parent.parent
MANIFEST, JOURNAL = ".chronochrome-manifest.json", ".chronochrome-manifest.jsonl"


def _colorize(weights, src: Path, out: Path, child: str | None = None):
    start = [sys.executable, "-c", child] if child else [str(REPO / ".venv/bin/chronochrome")]
    return [*start, "colorize", "--weights", str(weights), *FLAGS, str(src), "-o", str(out)]


@pytest.mark.slow
def test_a_killed_batch_resumes_from_its_journal_and_keeps_the_users_files(tiny_weights,
                                                                           tmp_path):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    child = subprocess.Popen(_colorize(tiny_weights, src, out, PAUSING_CLI), cwd=REPO, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == "SECOND PHOTO\n", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    # The first photo is recorded in the journal alone: the base is as the run's start wrote it.
    assert json.loads((out / MANIFEST).read_text()) == {}
    lines = [json.loads(line) for line in (out / JOURNAL).read_text().splitlines()]
    assert [(c["set"], c["entry"]["state"]) for c in lines] == [("p0.png", "pending"),
                                                               ("p0.png", "done")]
    done = (out / "p0.png").read_bytes()
    with (out / JOURNAL).open("ab") as journal:  # a crash in the middle of the next line
        journal.write(b'{"set": "p1.png", "entry": {"input": "/in/p1.png", "sta')
    users = noise_photo(out / "p2.png", seed=7).read_bytes()  # the user's, at a planned name

    rerun = subprocess.run(_colorize(tiny_weights, src, out), cwd=REPO, text=True,
                           capture_output=True, timeout=300, check=False)
    assert rerun.returncode == 1, rerun.stderr
    assert "1 colorized, 1 skipped (already done), 1 failed" in rerun.stdout
    assert f"{out / 'p2.png'} exists and was not written by chronochrome" in rerun.stderr
    assert "Traceback" not in rerun.stderr
    assert (out / "p2.png").read_bytes() == users and (out / "p0.png").read_bytes() == done
    # The end of a run writes the manifest whole: an old-style folder again.
    assert not (out / JOURNAL).exists()
    entries = json.loads((out / MANIFEST).read_text())
    assert {key: e["state"] for key, e in entries.items()} == {"p0.png": "done",
                                                              "p1.png": "done"}


def test_a_damaged_journal_line_stops_the_run_in_one_line_and_writes_nothing(
        tiny_weights, tmp_path, capsys):
    src, out = photo_folder(tmp_path / "in", 1), tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text("{}")
    damaged = b'{"set": "p9.png", "entry": {}}\n\x00\x00\x00\n{"remove": "p9.png"}\n'
    (out / JOURNAL).write_bytes(damaged)
    assert run_colorize(tiny_weights, src, "-o", out) == 2
    err = capsys.readouterr().err
    assert err == (f"error: cannot read {out / JOURNAL}, where the batch records what it has "
                   "done: line 2 is damaged; delete that line (or the file) and run the same "
                   "command again (a photo it recorded is then refused as not chronochrome's: "
                   "pass --overwrite to redo it)\n")
    assert (out / JOURNAL).read_bytes() == damaged and (out / MANIFEST).read_text() == "{}"
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, JOURNAL]
