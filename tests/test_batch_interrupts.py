"""A batch stopped half-way, as a user meets it: Ctrl-C's siblings SIGTERM and SIGHUP (the
terminal closed), a second run into the same folder, a full disk, a killed writer's leftovers.
What was done must be kept and said, what was not must be redone by the next run."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_helpers import FLAGS, PAUSING_CLI, photo_folder, run_colorize

from colorizer.apps import outputs
from colorizer.apps.stop_signals import stop_on_signals
from colorizer.pipeline.colorization import ColorizationPipeline

REPO = Path(__file__).resolve().parent.parent


def _child_args(weights, src: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", PAUSING_CLI, "colorize", "--weights", str(weights), *FLAGS,
            str(src), "-o", str(out)]


def _visible(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}


def _states(out: Path) -> dict[str, str]:
    manifest = json.loads((out / ".chronochrome-manifest.json").read_text())
    return {key: entry["state"] for key, entry in manifest.items()}


def _assert_resumable(weights, src: Path, out: Path, capsys) -> None:
    """What the stopped run did is kept (the first photo) and a re-run does only the rest."""
    assert _visible(out) == {"p0.png"} and _states(out) == {"p0.png": "done"}
    assert not list(out.glob(".*.tmp"))
    assert run_colorize(weights, src, "-o", out) == 0
    assert "2 colorized, 1 skipped" in capsys.readouterr().out


@pytest.mark.slow
def test_sigterm_mid_batch_keeps_the_done_photos_and_says_so(tiny_weights, tmp_path, capsys):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    child = subprocess.Popen(_child_args(tiny_weights, src, out), cwd=REPO, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline() == "SECOND PHOTO\n"
    child.send_signal(signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 128 + signal.SIGTERM, stderr  # not killed: it stopped itself
    assert "Traceback" not in stderr
    assert "stopped by SIGTERM: 2 not colorized yet; run the same command again" in stderr
    assert "1 colorized, 0 skipped (already done), 0 failed" in stdout
    _assert_resumable(tiny_weights, src, out, capsys)


@pytest.mark.slow
def test_a_closed_terminal_stops_the_batch_cleanly(tiny_weights, tmp_path, capsys):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    pid, terminal = pty.fork()  # the batch on a terminal, with its progress bar
    if pid == 0:
        os.chdir(REPO)
        # A terminal's shell starts commands with SIGHUP at its default; a test run started
        # under `nohup` would pass its "ignored" on, which the batch rightly keeps.
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        os.execv(sys.executable, _child_args(tiny_weights, src, out))
    seen, deadline = b"", time.monotonic() + 60
    while b"SECOND PHOTO" not in seen and time.monotonic() < deadline:
        try:
            seen += os.read(terminal, 4096)
        except OSError:
            break
    os.close(terminal)  # the window closed: the kernel sends SIGHUP
    _, status = os.waitpid(pid, 0)
    assert b"SECOND PHOTO" in seen
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGHUP  # not killed by it
    _assert_resumable(tiny_weights, src, out, capsys)


def test_a_signal_ignored_at_start_stays_ignored():
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as `nohup chronochrome ...`
    try:
        with stop_on_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_second_run_into_a_busy_folder_stops_before_writing(tiny_weights, tmp_path,
                                                              capsys):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    assert run_colorize(tiny_weights, src / "p0.png", "-o", out) == 0
    manifest = (out / ".chronochrome-manifest.json").read_bytes()
    other_run = os.open(out, os.O_RDONLY)  # the lock another run would hold
    try:
        fcntl.flock(other_run, fcntl.LOCK_EX)
        assert run_colorize(tiny_weights, src, "-o", out) == 2
    finally:
        os.close(other_run)
    err = capsys.readouterr().err
    assert f"error: {out} is being written by another chronochrome run" in err
    assert (out / ".chronochrome-manifest.json").read_bytes() == manifest  # its entries kept
    assert _visible(out) == {"p0.png"}
    assert run_colorize(tiny_weights, src, "-o", out) == 0  # once the other run is done
    assert "2 colorized, 1 skipped" in capsys.readouterr().out


@pytest.mark.parametrize("code, stops", [(errno.ENOSPC, True), (errno.EROFS, True),
                                         (errno.EACCES, False)])
def test_a_write_that_fails_names_the_output_and_a_full_disk_stops_the_batch(
        tiny_weights, tmp_path, monkeypatch, capsys, code, stops):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    computed, original_prepare = [], ColorizationPipeline.prepare
    original_stage = outputs.stage_file

    def prepare(self, *args, **kwargs):
        computed.append(1)
        return original_prepare(self, *args, **kwargs)

    def stage_file(path, data, mode=None):
        if path.name != "p0.png" and path.suffix == ".png":
            raise OSError(code, os.strerror(code), str(path.parent / f".{path.name}.x.tmp"))
        return original_stage(path, data, mode)

    monkeypatch.setattr(ColorizationPipeline, "prepare", prepare)
    monkeypatch.setattr(outputs, "stage_file", stage_file)
    assert run_colorize(tiny_weights, src, "-o", out) == 1
    captured = capsys.readouterr()
    assert f"error: cannot write {out / 'p1.png'} ({os.strerror(code)})" in captured.err
    assert "Traceback" not in captured.err and "OSError" not in captured.err
    assert _visible(out) == {"p0.png"} and not list(out.glob(".*.tmp"))
    if stops:  # every later photo would fail the same way: not computed
        assert "stopped: 1 not colorized yet" in captured.err and len(computed) == 2
        assert "1 colorized, 0 skipped (already done), 1 failed" in captured.out
    else:  # one folder's permissions: the batch goes on
        assert len(computed) == 3 and "2 failed" in captured.out


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tiny_weights, tmp_path):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    assert run_colorize(tiny_weights, src / "p0.png", "-o", out) == 0
    # What kill -9 leaves in the middle of writing p1's files and the manifest.
    left = [outputs.stage_file(out / name, b"half a file") for name in
            ("p1.png", "p1.json", ".chronochrome-manifest.json")]
    users = [out / ".notes.tmp", out / ".holiday.png.abcd1234.tmp"]  # not names we plan
    for path in users:
        path.write_text("the user's")
    assert run_colorize(tiny_weights, src, "-o", out) == 0
    assert not any(path.exists() for path in left)
    assert all(path.read_text() == "the user's" for path in users)
    assert _visible(out) == {"p0.png", "p1.png", "p2.png"}
