"""A fast start (#21): `chronochrome --help` and argument errors import neither torch nor
numpy, which take most of a cold start (torch alone ~1.5 s on the 2-core CPU). Timing itself
is measured by `python -m eval.bench_start`, not here."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "numpy", "PIL", "faiss", "colorizer.pipeline.colorization")

# Runs the CLI's main in a fresh interpreter and prints which heavy modules it imported.
PROBE = """
import json, sys
from colorizer.apps.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("PROBE" + json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _probe(*argv: str) -> tuple[dict, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60,
                          check=False)
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("PROBE")][-1]
    return json.loads(line[len("PROBE"):]), done.stdout + done.stderr


@pytest.mark.parametrize("argv", [["--help"], ["colorize", "--help"], ["serve", "--help"],
                                  ["library", "search", "--help"], ["context", "--help"],
                                  ["web", "--help"], ["check", "--help"], ["report", "--help"]])
def test_help_imports_no_heavy_module(argv):
    outcome, text = _probe(*argv)
    assert outcome == {"code": 0, "heavy": []}, text
    assert "usage: chronochrome" in text


@pytest.mark.parametrize("argv, says", [
    (["colorize", "--format", "bmp", "x.jpg"], "invalid choice: 'bmp'"),
    (["colorize", "--temperature", "nan", "x.jpg", "-o", "out"], "must be a finite number"),
    (["colorize", "x.jpg"], "missing -o OUTDIR"),
    (["colorize", "-o", "out"], "no inputs"),
    (["no-such-command"], "invalid choice"),
    (["check", "missing.png"], "COLORIZED missing.png: no such file"),
])
def test_argument_errors_import_no_heavy_module(argv, says):
    outcome, text = _probe(*argv)
    assert outcome["code"] == 2 and outcome["heavy"] == [], text
    assert says in text
