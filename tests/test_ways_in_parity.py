"""The same photo with the same settings gives the same output whatever the way in.

An archive uses all of them at once: the technician's `chronochrome colorize`, a developer's
Python API, the collection system's HTTP service. The service wrote WebP (`format=webp` on a
job or a /v1/colorize form) while the command line refused `--format webp`; now both write it
with the one encoder (provenance.encode_image: lossy, quality 95), and the decoded pixels and
the recorded settings are the same through the CLI (a real subprocess), the service (real
HTTP) and the Python API."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import encode_image, provenance_record
from tests.service.threaded_serve import served

REPO = Path(__file__).resolve().parent.parent
# One setting for every way in: the tiny model, no context or retrieval, 64 px.
PIPELINE = {"device": "cpu", "context": False, "exemplars": False, "render_size": 64}
CLI_FLAGS = ["--device", "cpu", "--no-context", "--no-exemplars", "--render-size", "64"]
HINT = "Detroit 1915"


def _photo(folder: Path) -> Path:
    """A gray 56x40 photo with some structure (a gradient and noise), as a scan gives."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(30, 220, 56)[None, :] + rng.normal(0, 12, (40, 56))
    path = folder / "street.png"
    Image.fromarray(np.clip(ramp, 0, 255).astype(np.uint8)).save(path)
    return path


def _pixels(data: bytes) -> tuple[str, str, tuple[int, int]]:
    """(the format PIL reads, sha256 of the decoded RGB pixels, size)."""
    image = Image.open(io.BytesIO(data))
    digest = hashlib.sha256(np.asarray(image.convert("RGB")).tobytes()).hexdigest()
    return image.format, digest, image.size


def _xmp_settings(data: bytes) -> dict:
    """The chronochrome:Settings the file's XMP records."""
    found = re.search(rb"<chronochrome:Settings>(.*?)</chronochrome:Settings>", data,
                      re.DOTALL)
    assert found, "the output carries no chronochrome:Settings in its XMP"
    return json.loads(found.group(1).decode().replace("&quot;", '"'))


def _cli(weights: Path, photo: Path, out: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", str(photo), "-o", str(out),
         "--weights", str(weights), *CLI_FLAGS, "--hint", HINT, *flags],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=300)


def _service_webp(weights: Path, photo: Path, data_dir: Path) -> tuple[bytes, dict]:
    """The photo colorized by POST /v1/colorize with format=webp: (its image, provenance)."""
    pipeline = ColorizationPipeline.from_pretrained(weights, **PIPELINE)
    app = create_app(pipeline, ServiceConfig(data_dir=data_dir, worker_threads=0))
    _, key = app.state.service.store.create_key("archive")
    auth = {"Authorization": f"Bearer {key}"}
    with served(app) as base:
        answer = httpx.post(f"{base}/v1/colorize?response=json", headers=auth, timeout=120,
                            data={"format": "webp", "hint": HINT},
                            files=[("file", (photo.name, photo.read_bytes(), "image/png"))])
        assert answer.status_code == 200, answer.text
        body = answer.json()
        image = httpx.get(body["result_url"], headers=auth, timeout=60)
        assert image.status_code == 200, image.text
    return image.content, body["provenance"]


@pytest.mark.slow  # a CLI subprocess (model load) and a served app: ~15 s
def test_cli_writes_webp_with_the_services_pixels_and_settings(tmp_path, tiny_weights):
    photo = _photo(tmp_path)
    run = _cli(tiny_weights, photo, tmp_path / "out", "--format", "webp", "--report")
    # Was: exit 2, "argument --format: invalid choice: 'webp' (choose from 'png', 'jpg', 'tif')".
    assert run.returncode == 0, run.stderr
    assert "1 colorized, 0 skipped (already done), 0 failed" in run.stdout
    written = tmp_path / "out" / "street.webp"
    cli_bytes = written.read_bytes()
    assert _pixels(cli_bytes)[0] == "WEBP" and _pixels(cli_bytes)[2] == (56, 40)

    service_bytes, provenance = _service_webp(tiny_weights, photo, tmp_path / "svc")
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, **PIPELINE)
    result = pipe(photo, hints=HINT)
    api_bytes = encode_image(result, "webp")

    # The same decoded pixels through the three ways in (the one encoder, quality 95).
    assert _pixels(cli_bytes) == _pixels(service_bytes) == _pixels(api_bytes)
    # The same settings recorded: in the file's XMP, the CLI's report, the service's record.
    report = json.loads((tmp_path / "out" / "street.json").read_text())
    assert _xmp_settings(cli_bytes) == _xmp_settings(service_bytes) == _xmp_settings(api_bytes)
    # (The record keeps the hint and caption apart, under "prompt".)
    recorded = {k: v for k, v in report["settings"].items() if k not in ("hints", "caption")}
    assert recorded == provenance["settings"] == provenance_record(result)["settings"]
    assert report["settings"]["hints"] == provenance["prompt"]["hint"] == HINT


def test_cli_webp_help_names_its_encoding():
    run = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "colorize", "--help"],
                         check=False, cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    # Was: "{png,jpg,tif}" and no word of WebP.
    assert "--format {png,jpg,tif,webp}" in text
    assert "webp (lossy, quality 95, 8-bit)" in text


@pytest.mark.parametrize(("size", "said"), [
    ("4096", ("--render-size 4096 is above the maximum 2048 px (the generator's memory "
              "grows with its square); give 2048 or less")),
    ("8", "bad setting --render-size: render_size must be at least 64, got 8")])
def test_web_and_serve_refuse_a_render_size_as_colorize_does(size, said, tmp_path):
    """Was: `web` and `serve --render-size 4096` started (colorize refuses it), and
    `--render-size 8` printed a ValueError traceback once the port was taken."""
    told = []
    for command in ("web", "serve", "colorize"):
        extra = {"web": ["--port", "0"],
                 "serve": ["--port", "0", "--data-dir", str(tmp_path / "svc")],
                 "colorize": [str(_photo(tmp_path)), "-o", str(tmp_path / "out")]}[command]
        try:
            run = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", command,
                                  "--render-size", size, *extra], check=False, cwd=REPO,
                                 capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{command} --render-size {size}` started instead of refusing it")
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        told.append(run.stderr.strip())
    assert told == [f"error: {said}"] * 3
