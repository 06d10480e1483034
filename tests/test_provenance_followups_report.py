"""The JSON people send to colleagues names files without the local folders and URLs without
their tokens: the `--report` file beside an output (`result.to_dict(shareable=True)`) and
`chronochrome check --json`. The Python API's `result.to_dict()` keeps the paths a program on
the same machine opens."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main
from colorizer.apps.outputs import encode_outputs

SIGNED = "https://archive.example/scans/x.jpg?X-Amz-Signature=abc123&token=sekrit&page=2"


@pytest.fixture
def private(tmp_path) -> Path:
    """A user's folders: the scan, a reference photo and a color hints file citing one."""
    home = tmp_path / "home" / "alice" / "private"
    home.mkdir(parents=True)
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((40, 56)) * 255).astype(np.uint8)).save(home / "scan.png")
    Image.new("RGB", (60, 40), (180, 40, 30)).save(home / "family_print.png")
    Image.new("RGB", (30, 30), (20, 60, 200)).save(home / "cloth.png")
    (home / "hints.json").write_text(json.dumps(
        [{"box": [0, 0, 20, 20], "reference": str(home / "cloth.png"), "source": "a letter"}]))
    return home


def _leaks(text: str, home: Path) -> list[str]:
    return [s for s in (str(home), "/home/alice", "abc123", "sekrit", str(Path.cwd()))
            if s in text]


def test_the_report_beside_an_output_names_no_local_folder(shared_tiny_weights, private,
                                                           tmp_path):
    out = tmp_path / "out"
    assert main(["colorize", str(private / "scan.png"), "-o", str(out), "--report",
                 "--weights", str(shared_tiny_weights), "--device", "cpu", "--no-context",
                 "--render-size", "64", "--exemplar", str(private / "family_print.png"),
                 "--color-hints", str(private / "hints.json")]) == 0
    text = (out / "scan.json").read_text()
    assert _leaks(text, private) == [] and str(shared_tiny_weights) not in text
    report = json.loads(text)
    assert report["input"]["name"] == "scan.png"
    assert report["model"]["path"] == "tiny-model" and report["model"]["sha256"]
    assert report["exemplars"][0]["image_path"] == "family_print.png"
    reference = next(r for r in report["color_regions"]["regions"] if r["kind"] == "hint")
    assert reference["detail"]["reference"] == "cloth.png"


def test_a_signed_url_input_is_reported_without_its_tokens(shared_tiny_weights, tmp_path):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    result = pipe(Image.new("L", (40, 24), 90))
    result = replace(result, input=replace(result.input, name=SIGNED),
                     notes=(f"{SIGNED}: a note quoting the input",))
    files = dict(encode_outputs(result, tmp_path / "x.png", "png", report=True).files)
    report = json.loads(files[tmp_path / "x.json"])
    assert report["input"]["name"] == ("https://archive.example/scans/x.jpg?X-Amz-Signature="
                                       "REDACTED&token=REDACTED&page=2")
    assert "sekrit" not in json.dumps(report) and "abc123" not in json.dumps(report)
    # The Python API keeps what a program on this machine needs: the URL, the weights folder.
    assert result.to_dict()["input"]["name"] == SIGNED
    assert result.to_dict()["model"]["path"] == str(shared_tiny_weights)


def test_check_json_names_the_weights_folder_not_where_it_is(shared_tiny_weights, private,
                                                            tmp_path):
    gray = np.asarray(Image.open(private / "scan.png"))
    color = np.stack([gray, (gray * 0.9).astype(np.uint8), (gray * 0.8).astype(np.uint8)], -1)
    Image.fromarray(color).save(private / "color.png")
    code = main(["check", str(private / "color.png"), "--original", str(private / "scan.png"),
                 "--weights", str(shared_tiny_weights), "--device", "cpu",
                 "--json", str(tmp_path / "check.json")])
    assert code in (0, 1)
    text = (tmp_path / "check.json").read_text()
    assert _leaks(text, private) == [] and str(shared_tiny_weights) not in text
    assert json.loads(text)["settings"]["model"]["path"] == "tiny-model"
