"""A service item's notes say what the pipeline said: what `chronochrome colorize` prints as
`note:` lines for the same photo (the loader's shown notes, then the result's own: a render
size lowered for a small photo), each once, and an album page's note worded for the service.

Before, the view held the loader's notes and the page's split note only: a render size lowered
from 192 to 96 px was said by the CLI and in the provenance file, never in the item's view."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from service_helpers import make_service
from test_split_page_service import PAGE

from colorizer.pipeline.colorization import ColorizationPipeline
from tests.conftest import tiny_weights_at

OPERATING_POINT = 96  # the tiny weights' saved render size, in this module
RAISED = 192  # above it and the test scan's long side (56 px)
RENDER_NOTE = "render size lowered from 192 to 96 px (the photo's long side is 56 px)"
REPO = Path(__file__).resolve().parents[2]


def two_page_tiff() -> bytes:
    """A 56x40 gray scan with its back as page 2: the loader's note (page 1 used) and the
    result's (the render size lowered) both apply."""
    front = Image.fromarray((np.random.default_rng(0).random((40, 56)) * 255).astype(np.uint8))
    buffer = io.BytesIO()
    front.save(buffer, "TIFF", save_all=True,
               append_images=[front.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    return buffer.getvalue()


@pytest.fixture(scope="module")
def weights(shared_tiny_weights, tmp_path_factory) -> Path:
    """The tiny weights with the operating point OPERATING_POINT (their decoding.json)."""
    folder = tmp_path_factory.mktemp("result-notes") / "tiny-model"
    return tiny_weights_at(shared_tiny_weights, folder, OPERATING_POINT)


@pytest.fixture(scope="module")
def raised(weights) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=RAISED)


def _cli_notes(weights: Path, photo: Path, out: Path) -> str:
    """What the CLI printed after "note: <photo>: " for the photo (its notes joined by "; ")."""
    run = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights", str(weights),
         "--device", "cpu", "--no-context", "--no-exemplars", "--render-size", str(RAISED),
         str(photo), "-o", str(out)],
        check=False, capture_output=True, text=True, cwd=REPO, env={**os.environ}, timeout=300)
    assert run.returncode == 0, run.stderr
    prefix = f"note: {photo}: "
    lines = [line[len(prefix):] for line in run.stderr.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, run.stderr  # one line per photo
    return lines[0]


def _item(svc, location: str) -> dict:
    view = svc.client.get(location, headers=svc.headers())
    assert view.status_code == 200, view.text
    return view.json()["items"][0]


@pytest.mark.slow
def test_a_job_items_notes_are_the_clis_notes_for_the_photo(raised, weights, tmp_path):
    scan = tmp_path / "scan.tif"
    scan.write_bytes(two_page_tiff())
    cli = _cli_notes(weights, scan, tmp_path / "out")
    assert cli.startswith("first of 2 frames used") and cli.endswith("; " + RENDER_NOTE)
    with contextmanager(make_service)(tmp_path, raised) as svc:
        files = [("file", ("scan.tif", scan.read_bytes(), "image/tiff"))]
        job = svc.client.post("/v1/jobs", headers=svc.headers(), files=files)
        assert job.status_code == 202, job.text
        assert svc.drain() == 1
        queued = _item(svc, job.headers["location"])
        now = svc.client.post("/v1/colorize?response=json", headers=svc.headers(),
                              files=files)
        assert now.status_code == 200, now.text
        colorized = _item(svc, f"/v1/jobs/{now.json()['job_id']}")
    assert queued["status"] == "done"
    # The CLI's notes, in its order, each once: the job's and /v1/colorize's alike.
    assert queued["notes"][-1] == colorized["notes"][-1] == RENDER_NOTE
    assert "; ".join(queued["notes"]) == "; ".join(colorized["notes"]) == cli
    assert queued["notes"].count(RENDER_NOTE) == 1


@pytest.mark.slow
def test_a_split_pages_note_is_said_once_worded_for_the_service(tiny_pipeline, tmp_path):
    with contextmanager(make_service)(tmp_path, tiny_pipeline) as svc:
        files = [("file", ("page.png", PAGE, "image/png"))]
        job = svc.client.post("/v1/jobs", headers=svc.headers(), files=files,
                              data={"request": json.dumps({"items": [{"upload": 0,
                                                                      "split_page": True}]})})
        assert job.status_code == 202, job.text
        assert svc.drain() == 1
        notes = _item(svc, job.headers["location"])["notes"]
    pages = [note for note in notes if "album page" in note]
    assert len(pages) == 1 and pages[0].startswith("album page: 2 prints found")
    assert '"split_page": false' in pages[0] and "--no-split-page" not in " ".join(notes)
