"""A notebook's session with one pipeline: results shown with a caption, calls stopped part-way
(the stop button's KeyboardInterrupt) leaving the pipeline's colors as a fresh one's, and, where
Jupyter is installed, a real notebook executed by a kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

WALK = Path(__file__).with_name("notebook_walk.py")
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_pipeline_stopped_anywhere_in_a_call_gives_the_same_colors_after(
        shared_tiny_weights):
    run = subprocess.run([sys.executable, str(WALK), str(shared_tiny_weights), "150"],
                         check=False, capture_output=True, text=True, timeout=900,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    walk = json.loads(run.stdout.strip().splitlines()[-1])
    assert walk["interrupts"] >= 20  # every step of three calls got a Ctrl-C
    assert walk["wrong_after"] == []  # [call, at] after which colors differed from a fresh pipe
    assert walk["bundle"] == ["image/jpeg", "text/html"]
    assert walk["repr"].startswith("ColorizationResult(image=<RGB 64x48>, input='<image>'")
    assert walk["context_repr"].startswith("SceneContext(era=None, region=None")


NOTEBOOK_CELLS = [
    ("from colorizer import ColorizationPipeline\nfrom PIL import Image\n"
     "pipe = ColorizationPipeline.from_pretrained({weights!r}, device='cpu', context=False, "
     "exemplars=False, render_size=64)"),
    "result = pipe(Image.linear_gradient('L').resize((96, 64)))\nresult",
    "print(result)\nprint(result.context)",
    "pipe('no-such-photo.jpg')",
]


@pytest.mark.slow
def test_a_real_notebook_shows_results_with_captions_and_errors_that_say_the_fix(
        shared_tiny_weights):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [nbformat.v4.new_code_cell(src.replace("{weights!r}", repr(str(shared_tiny_weights))))
             for src in NOTEBOOK_CELLS]
    notebook = nbformat.v4.new_notebook(cells=cells)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    shown = notebook.cells[1].outputs[0]["data"]
    assert set(shown) == {"text/plain", "text/html", "image/jpeg"}  # no PNG copy
    assert "<figcaption>&lt;image&gt; \u00b7 96\u00d764</figcaption>" in shown["text/html"]
    printed = notebook.cells[2].outputs[0]["text"].splitlines()
    assert printed[0].startswith("ColorizationResult(image=<RGB 96x64>") and len(printed) == 2
    assert printed[1].startswith("SceneContext(era=None") and len(printed[1]) < 300
    error = notebook.cells[3].outputs[0]
    assert error["ename"] == "ImageNotFoundError" and "check the path" in error["evalue"]
