"""The spreadsheet tests' fixture: the real CLI on tiny weights."""

from __future__ import annotations

import pytest

from colorizer.apps.cli import main

FLAGS = ["--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars", "-q"]


@pytest.fixture
def colorize(shared_tiny_weights, capsys):
    """Runs `chronochrome colorize ARGS` on tiny weights: (exit code, stdout, stderr)."""

    def run(*args) -> tuple[int, str, str]:
        code = main(["colorize", "--weights", str(shared_tiny_weights), *FLAGS,
                     *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
