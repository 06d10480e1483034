"""`chronochrome web` as the README shows it, on a machine where its port is taken (a second
workbench, another program): it said "workbench: http://127.0.0.1:8765/" as if it were up,
then uvicorn's `[Errno 98] error while attempting to bind` and exit 3, after loading the
model. It now says which port is taken and what to pass instead, before the model loads."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_taken_port_is_one_line_naming_the_fix(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-m", "colorizer.apps.cli", "web", "--port", str(port),
             "--no-context", "--no-exemplars"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    said = (f"error: --port {port}: 127.0.0.1:{port} is already in use (another workbench or "
            f"program listens there); stop it, or pass another --port such as --port {port + 1}")
    assert done.stderr.strip().splitlines() == [said]
