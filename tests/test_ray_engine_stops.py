"""`chronochrome colorize --engine ray` as a user meets its edges: `kill` of the run (Ray's
own SIGTERM handler used to end it with status 15 and no summary) and an `--address` where no
cluster is (a hang of minutes, or a traceback)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")

from batch_helpers import photo_folder

from colorizer.apps.cli import main

REPO = Path(__file__).resolve().parent.parent
FLAGS = ["--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars",
         "--engine", "ray", "--workers", "1", "--batch-size", "1"]

# The user's process: the CLI, whose driver waits before writing the second photo (so the
# signal lands mid-run, after Ray set its handlers), after saying so on stdout.
CHILD = """
import sys, time
from colorizer.apps.cli import main
from colorizer.apps.ray_engine import RayBatchColorizer
original, calls = RayBatchColorizer.publish_one, []
def publish_one(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        print("SECOND PHOTO", flush=True)
        time.sleep(120)
    return original(self, *args, **kwargs)
RayBatchColorizer.publish_one = publish_one
sys.exit(main(sys.argv[1:]))
"""

# The same, waiting while Ray starts: its local instance is up, the driver not yet joined.
CHILD_STARTING = """
import sys, time
import ray._private.worker as worker
from colorizer.apps.cli import main
original = worker.connect
def connect(*args, **kwargs):
    print("RAY STARTING", flush=True)
    time.sleep(120)
    return original(*args, **kwargs)
worker.connect = connect
sys.exit(main(sys.argv[1:]))
"""


def _terminated(script: str, ready: str, weights, src: Path, out: Path
                ) -> tuple[int, str, str]:
    """The CLI run by `script` over `src`, sent SIGTERM once it prints `ready`: its exit
    status, stdout and stderr."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, "colorize", "--weights", str(weights), *FLAGS,
         str(src), "-o", str(out), "--quiet"],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline() == f"{ready}\n"
        child.send_signal(signal.SIGTERM)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        child.kill()
    return child.returncode, stdout, stderr


def _run_ray(weights, *args) -> int:
    return main(["colorize", "--weights", str(weights), *FLAGS, *map(str, args)])


@pytest.mark.slow  # ~20 s: a local Ray instance starts in the child
def test_sigterm_stops_a_ray_run_with_its_summary_and_a_rerun_finishes(
        tiny_weights, tmp_path, capsys):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    code, stdout, stderr = _terminated(CHILD, "SECOND PHOTO", tiny_weights, src, out)
    assert code == 128 + signal.SIGTERM, stderr  # was 15, or Ray's abort
    assert "stopped by SIGTERM: 2 not colorized yet; run the same command again" in stderr
    assert "Traceback" not in stderr
    # Ray Data's own progress and INFO lines came beside ours, --quiet too.
    assert "Running Dataset" not in stderr and " INFO " not in stderr, stderr
    assert "1 colorized, 0 skipped (already done), 0 failed" in stdout
    assert sorted(p.name for p in out.glob("*.png")) == ["p0.png"]
    # The local engine finishes what the Ray run started.
    assert main(["colorize", "--weights", str(tiny_weights), *FLAGS[:6], str(src), "-o",
                 str(out), "--quiet"]) == 0
    assert "2 colorized, 1 skipped" in capsys.readouterr().out


@pytest.mark.slow  # ~10 s: a local Ray instance starts in the child
def test_sigterm_while_ray_starts_still_stops_with_a_summary(tiny_weights, tmp_path):
    src, out = photo_folder(tmp_path / "in"), tmp_path / "out"
    code, stdout, stderr = _terminated(CHILD_STARTING, "RAY STARTING", tiny_weights, src, out)
    assert code == 128 + signal.SIGTERM, stderr  # was 1 or 15, without a word
    assert "stopped by SIGTERM: 3 not colorized yet; run the same command again" in stderr
    assert "0 colorized, 0 skipped (already done), 0 failed" in stdout
    assert not list(out.glob("*.png"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


def test_an_address_where_no_cluster_listens_is_an_error_at_once(tiny_weights, tmp_path,
                                                                 capsys):
    address = f"127.0.0.1:{_closed_port()}"  # Ray retried this one for minutes
    assert _run_ray(tiny_weights, photo_folder(tmp_path / "in"), "-o", tmp_path / "out",
                "--address", address) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --address {address}: no Ray cluster answers there "
                          "(Connection refused); start one with `ray start --head`")
    assert "Traceback" not in err
    assert not list((tmp_path / "out").glob("*.png"))


def test_a_ray_client_address_without_ray_client_says_what_to_install(tiny_weights,
                                                                      tmp_path, capsys):
    from ray._private.utils import get_ray_client_dependency_error

    if get_ray_client_dependency_error() is None:
        pytest.skip("Ray Client is installed here")
    assert _run_ray(tiny_weights, photo_folder(tmp_path / "in"), "-o", tmp_path / "out",
                "--address", "ray://127.0.0.1:10001") == 2  # was a ValueError's traceback
    err = capsys.readouterr().err
    assert err.startswith("error: --address ray://127.0.0.1:10001: a ray:// address needs "
                          "Ray Client")
    assert "pip install 'ray[client]'" in err


def test_address_auto_with_no_cluster_running_is_an_error(tiny_weights, tmp_path, capsys):
    from ray._private.services import find_gcs_addresses

    if find_gcs_addresses():
        pytest.skip("a Ray cluster runs on this machine")
    assert _run_ray(tiny_weights, photo_folder(tmp_path / "in"), "-o", tmp_path / "out",
                "--address", "auto") == 2  # was a ConnectionError's traceback, exit 1
    err = capsys.readouterr().err
    assert err.startswith("error: --address auto: no Ray cluster runs on this machine")
    assert "ray start --head" in err


def test_ray_s_messages_go_to_stderr_not_after_the_summary_on_stdout(monkeypatch, capsys):
    """A killed worker's "(raylet) ... will be retried" came on stdout, after the summary
    line a script reads there."""
    from ray._private import worker

    from colorizer.apps.ray_connect import _messages_to_stderr

    monkeypatch.setattr(worker, "print_to_stdstream", worker.print_to_stdstream)  # undone
    _messages_to_stderr(ray)
    _messages_to_stderr(ray)  # once is enough: a second run's connect adds nothing
    worker.print_to_stdstream({"lines": ["A worker died; the task will be retried."],
                               "pid": "raylet", "is_err": False}, ignore_prefix=False)
    out, err = capsys.readouterr()
    assert out == ""
    assert "(raylet)" in err and "A worker died; the task will be retried." in err
