"""A hint that is not understood is said to be unused, in the result and the CLI, the same way
with context inference on or off (issue #14). User audit: `colorize --no-context --hint
"asdfgh qwerty"` (or the misspelled "Kazna", or "my grandmother") said nothing: retrieval read
the hint, found no year, period or place, and dropped it unsaid; with context on the same hint
gave "hint not used: ...". `--no-context --no-exemplars` dropped every hint unsaid: nothing
reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.components import default_components
from context.types import SceneContext

REPO = Path(__file__).resolve().parents[1]
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`
NONSENSE = ("hint not used: no year, period or place found in the hint 'asdfgh qwerty'; "
            "write e.g. 'Kazan 1950s'")
BOTH_OFF = ("hint not used: context inference and exemplar retrieval are both off "
            "(--no-context --no-exemplars; Python: context=False, exemplars=False), so "
            "nothing reads it; leave either on to use its place and time")
OFF = SceneContext.empty("context inference switched off for this pipeline")


def _photo(folder: Path) -> Path:
    photo = folder / "grandmother.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (48, 64), dtype=np.uint8)
                    ).save(photo)
    return photo


def _colorize(tmp_path: Path, weights: Path, hint: str, *flags: str
              ) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", CLI, "colorize", str(_photo(tmp_path)), "-o",
                           str(out), "--weights", str(weights), "--device", "cpu", "--hint",
                           hint, "--report", *flags],
                          check=False, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return done, json.loads((out / "grandmother.json").read_text())


@pytest.mark.slow  # the CLI in a subprocess, with the gazetteer: 5 s of CPU, 13 s shared
def test_cli_no_context_says_a_nonsense_hint_is_not_used(tmp_path, shared_tiny_weights):
    done, report = _colorize(tmp_path, shared_tiny_weights, "asdfgh qwerty", "--no-context")
    assert NONSENSE in done.stderr  # the CLI's note line
    assert NONSENSE in report["notes"]  # the JSON report
    assert report["context"]["unknown"]["hint"].startswith("no year, period or place")
    assert report["context"]["era"] is None and report["exemplars"] == []


@pytest.mark.slow  # the CLI in a subprocess: 4 s of CPU, 12 s on a shared machine
def test_cli_without_context_and_exemplars_says_nothing_reads_the_hint(tmp_path,
                                                                       shared_tiny_weights):
    done, report = _colorize(tmp_path, shared_tiny_weights, "Kazan 1950s", "--no-context",
                             "--no-exemplars")
    assert BOTH_OFF in done.stderr and BOTH_OFF in report["notes"]


def test_api_no_context_reports_an_unread_hint_as_context_on_does(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False)
    gray = Image.new("L", (64, 48), 128)
    result = pipe(gray, hints="Kazna")  # a misspelled Kazan: no place found
    assert "hint not used: no year, period or place found in the hint 'Kazna'; write e.g. " \
           "'Kazan 1950s'" in result.notes
    assert list(result.exemplars) == []


def test_the_hint_reader_says_an_unread_part_and_nothing_for_a_used_hint():
    from colorizer.pipeline.hint_use import context_off_hint, hint_notes

    _, exemplar_fn, _ = default_components(torch.device("cpu"), context=False, exemplars=True)
    partial = context_off_hint(OFF, "Kazan 19500", exemplar_fn)
    assert hint_notes(partial.unknown) == (
        ("part of the hint not read as a date or place: '19500' (write a year, a decade or "
         "a period: 1950, 1950s, WWII)"),)
    for used in ("Kazan 1950", "1950", "Kazan", "1950s", "Victorian era"):
        assert context_off_hint(OFF, used, exemplar_fn) == OFF, used
    grandmother = context_off_hint(OFF, "my grandmother", exemplar_fn)
    assert hint_notes(grandmother.unknown) == (
        ("hint not used: no year, period or place found in the hint 'my grandmother'; "
         "write e.g. 'Kazan 1950s'"),)
    assert context_off_hint(OFF, None, exemplar_fn) == OFF
    assert context_off_hint(OFF, "   ", None) == OFF  # no hint: nothing to say


def test_a_callers_own_exemplar_function_takes_the_hint_as_it_is():
    from colorizer.pipeline.hint_use import context_off_hint, hint_notes

    def own(ctx, image, hints):  # no `read_hint`: the hint is its query, whatever it says
        return []

    assert context_off_hint(OFF, "asdfgh qwerty", own) == OFF
    assert hint_notes(context_off_hint(OFF, "asdfgh", None).unknown) == (BOTH_OFF,)


@pytest.mark.slow  # the context encoder (OCR, MiniLM, the scene model): about 30 s
def test_cli_says_it_the_same_way_with_context_on(tmp_path, shared_tiny_weights):
    done, report = _colorize(tmp_path, shared_tiny_weights, "asdfgh qwerty")
    assert NONSENSE in done.stderr and NONSENSE in report["notes"]


def test_the_provenance_summary_says_a_hint_was_not_used():
    """The service's IIIF notes and the XMP summary said "user hint: asdfgh qwerty" as if it
    had been read."""
    from colorizer.pipeline.provenance import context_summary

    unknown = {"hint": "no year, period or place found in the hint 'asdfgh qwerty'"}
    unused = context_summary({"prompt": {"hint": "asdfgh qwerty"},
                              "context": {"unknown": unknown}})
    assert unused == ("user hint: asdfgh qwerty (not used: no year, period or place found in "
                      "the hint 'asdfgh qwerty')")
    used = context_summary({"prompt": {"hint": "Kazan 1950s"}, "context": {"unknown": {}}})
    assert used == "user hint: Kazan 1950s"
