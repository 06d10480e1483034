"""The same settings, given the same way, to every way in: `colorize`, `serve`, `web`, the API.

A digitisation technician tunes a run with `chronochrome colorize` and hands the same flags to
the operator of `chronochrome serve` and the curator on `chronochrome web`. `serve` refused
`--max-pixels` ("unrecognized arguments"; only `max_pixels` in --config set its cap), and a
count below one pixel was told in three ways (colorize: "bad setting --max-pixels:
max_pixels must be positive, got 0"). Now --max-pixels is one definition
(pipeline_arguments.add_max_pixels_argument): the same help, check and one-line error in all
three, and serve's is the service's cap (413 past it). Every command runs as a real
subprocess; what each used is read from the provenance it writes (the XMP of its PNG)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.provenance import encode_image
from tests.service.serve_process import (
    CLI,
    REPO,
    answering,
    free_port,
    new_key,
    web_download,
)
from tests.test_ways_in_parity import _photo, _pixels, _xmp_settings

BASE = ["--device", "cpu", "--no-context"]  # the tiny model, no OCR: seconds, not minutes
# What the technician tuned: every setting that changes colors, and the cap on pixels.
TUNED = ["--render-size", "96", "--temperature", "0.5", "--chroma-scale", "1.5",
         "--retrieved-transfer", "0.25", "--no-exemplars", "--max-pixels", "100000"]
API_TUNED = {"render_size": 96, "temperature": 0.5, "chroma_scale": 1.5,
             "retrieved_transfer": 0.25, "exemplars": False, "max_pixels": 100_000}


def _start(command: str, weights: Path, tmp_path: Path, *flags: str) -> tuple:
    """`serve` or `web` with `flags` on a free port, once it answers: (process, base URL)."""
    port = free_port()
    where = (["--data-dir", str(tmp_path / "svc")] if command == "serve" else [])
    log = tmp_path / f"{command}.log"
    process = subprocess.Popen(
        [sys.executable, "-c", CLI, command, "--port", str(port), "--weights", str(weights),
         *where, *BASE, *flags], cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    ready = "/livez" if command == "serve" else "/api/info"
    base = f"http://127.0.0.1:{port}"
    return answering(process, base + ready, log, command), base


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def _by_cli(weights: Path, photo: Path, out: Path, flags: list[str]) -> bytes:
    run = subprocess.run([sys.executable, "-c", CLI, "colorize", str(photo), "-o", str(out),
                          "--weights", str(weights), *BASE, *flags], cwd=REPO, check=False,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return (out / photo.name).read_bytes()


def _by_serve(weights: Path, photo: Path, tmp_path: Path, flags: list[str]) -> bytes:
    server, base = _start("serve", weights, tmp_path, *flags)
    try:
        auth = {"Authorization": f"Bearer {new_key(tmp_path / 'svc', 'archive')}"}
        answer = httpx.post(f"{base}/v1/colorize?response=json", headers=auth, timeout=120,
                            files=[("file", (photo.name, photo.read_bytes(), "image/png"))])
        assert answer.status_code == 200, answer.text
        image = httpx.get(answer.json()["result_url"], headers=auth, timeout=60)
        assert image.status_code == 200, image.text
        return image.content
    finally:
        _stop(server)


def _by_web(weights: Path, photo: Path, tmp_path: Path, flags: list[str]) -> bytes:
    web, base = _start("web", weights, tmp_path, *flags)
    try:
        return web_download(base, photo)
    finally:
        _stop(web)


@pytest.mark.slow  # a colorize, a serve and a web subprocess, each loading the model: ~30 s
@pytest.mark.parametrize("tuned", [False, True], ids=["no-flags", "tuned"])
def test_every_way_in_records_the_same_settings_and_pixels(tuned, tmp_path,
                                                           shared_tiny_weights):
    """Was (tuned): `serve ... --max-pixels 100000` exited 2, "unrecognized arguments"."""
    photo = _photo(tmp_path)
    flags = TUNED if tuned else []
    written = {"colorize": _by_cli(shared_tiny_weights, photo, tmp_path / "out", flags),
               "serve": _by_serve(shared_tiny_weights, photo, tmp_path, flags),
               "web": _by_web(shared_tiny_weights, photo, tmp_path, flags)}
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, **(API_TUNED if tuned else {}))
    written["api"] = encode_image(pipe(photo), "png")

    settings = {way: _xmp_settings(data) for way, data in written.items()}
    assert all(s == settings["api"] for s in settings.values()), settings
    expected = ({"render_size": 96, "temperature": 0.5, "chroma_scale": 1.5,
                 "exemplars": False} if tuned else
                {"render_size": pipe.saved_decoding.render_size,
                 "temperature": pipe.saved_decoding.temperature,
                 "chroma_scale": pipe.saved_decoding.chroma_scale, "exemplars": True})
    assert {k: settings["api"][k] for k in expected} == expected
    # The same pixels too: the same settings, as the same PNG encoder writes them.
    assert len({_pixels(data) for data in written.values()}) == 1, {
        way: _pixels(data) for way, data in written.items()}


def _gray_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((height, width), 128, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.slow  # a served model in a subprocess: ~10 s
def test_serve_max_pixels_refuses_a_larger_upload_with_413(tmp_path, shared_tiny_weights):
    """Was: exit 2, "unrecognized arguments: --max-pixels 10" (only --config set the cap)."""
    server, base = _start("serve", shared_tiny_weights, tmp_path, "--max-pixels", "10")
    try:
        auth = {"Authorization": f"Bearer {new_key(tmp_path / 'svc', 'archive')}"}
        for path in ("/v1/colorize", "/v1/jobs"):  # 4 x 4 = 16 pixels, over the cap of 10
            answer = httpx.post(base + path, headers=auth, timeout=60,
                                files={"file": ("scan.png", _gray_png(4, 4), "image/png")})
            assert answer.status_code == 413, (path, answer.text)
            assert answer.json()["reason"] == "too_large"
            assert "above the limit of 10" in answer.json()["detail"], answer.text
        # At the cap (2 x 5 = 10 pixels) it is colorized.
        fits = httpx.post(base + "/v1/colorize", headers=auth, timeout=60,
                          files={"file": ("scan.png", _gray_png(2, 5), "image/png")})
        assert fits.status_code == 200, fits.text
    finally:
        _stop(server)
