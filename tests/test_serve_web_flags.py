"""`serve` and `web` take the colorize flags that change the colors or what is retrieved, with
the same names, checks and one-line errors (exit 2, before the port and the model).

An archive operator tuned a run with `chronochrome colorize --temperature 0.5 --chroma-scale
1.5 --no-exemplars` and wanted the service and the workbench to colorize the same way: serve
had no --no-exemplars, web no --library, neither --temperature, --chroma-scale or
--retrieved-transfer; a bad --weights was told in other words, after the port was taken.
Every command runs as a real subprocess; a good value is read back from what each answers
(the service's provenance, the workbench's downloaded PNG)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.service.serve_process import (
    CLI,
    REPO,
    answering,
    free_port,
    new_key,
    start_serve,
    web_download,
)
from tests.test_ways_in_parity import _photo

# The colorize settings the operator tuned, given to every way in.
TUNED = ["--temperature", "0.5", "--chroma-scale", "1.5", "--retrieved-transfer", "0.25",
         "--no-exemplars"]


def _refusal(command: str, flags: list[str], tmp_path: Path) -> str:
    """What `command` with `flags` prints when it refuses them (it must, at once: exit 2,
    one line, no traceback, no port taken)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    extra = {"web": ["--port", "0"],
             "serve": ["--port", "0", "--data-dir", str(tmp_path / "svc")],
             "colorize": [str(_photo(tmp_path)), "-o", str(tmp_path / "out")]}[command]
    try:
        run = subprocess.run([sys.executable, "-c", CLI, command, *flags, *extra], check=False,
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{command} {' '.join(flags)}` started instead of refusing")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "svc").exists(), "serve made its data folder before refusing"
    return run.stderr.strip()


@pytest.mark.slow  # three commands in subprocesses: ~11 s
@pytest.mark.parametrize(("flags", "said"), [
    (["--temperature", "-1"],
     "bad setting --temperature: temperature must be positive, got -1.0"),
    (["--chroma-scale", "-1"],
     "bad setting --chroma-scale: chroma_scale must not be negative, got -1.0"),
    (["--retrieved-transfer", "2"],
     "bad setting --retrieved-transfer: retrieved_transfer must be within [0, 1], got 2.0"),
    (["--weights", "/nonexistent-weights"],
     ("weights folder /nonexistent-weights: no such folder; give a folder written by "
      "save_pretrained")),
    (["--weights", "{empty}"],  # a folder, with no weights in it
     ("--weights {empty}: not a folder holding model.safetensors; give a folder written by "
      "save_pretrained")),
    (["--library", "/nonexistent-library"],
     ("--library /nonexistent-library: not an exemplar library (no such folder); give a "
      "folder written by `chronochrome library build`")),
    (["--no-exemplars", "--render-size", "8"],
     "bad setting --render-size: render_size must be at least 64, got 8")])
def test_a_bad_value_is_the_same_line_in_colorize_serve_and_web(flags, said, tmp_path):
    """Was: serve and web refused --temperature, --chroma-scale and --retrieved-transfer as
    unknown (serve --no-exemplars and web --library too); a --weights folder without
    model.safetensors was told by colorize alone, by serve and web only after the port."""
    empty = tmp_path / "empty"
    empty.mkdir()
    flags = [flag.format(empty=empty) for flag in flags]
    told = {command: _refusal(command, flags, tmp_path / command)
            for command in ("colorize", "serve", "web")}
    assert told == dict.fromkeys(told, f"error: {said.format(empty=empty)}")


@pytest.mark.slow  # two commands in subprocesses: ~7 s on a loaded machine
def test_a_number_that_is_not_finite_is_refused_by_its_flag(tmp_path):
    for command in ("serve", "web"):
        said = _refusal(command, ["--temperature", "nan"], tmp_path / command)
        assert said.endswith(f"chronochrome {command}: error: argument --temperature: 'nan' "
                             "must be a finite number, e.g. 0.5"), said


def _settings_in_xmp(data: bytes) -> dict:
    found = re.search(rb"<chronochrome:Settings>(.*?)</chronochrome:Settings>", data, re.DOTALL)
    assert found, "the PNG carries no chronochrome:Settings in its XMP"
    return json.loads(found.group(1).decode().replace("&quot;", '"'))


def _tuned(settings: dict) -> dict:
    return {k: settings[k] for k in ("temperature", "chroma_scale", "exemplars",
                                     "render_size")}


@pytest.mark.slow  # a served model in a subprocess: ~15 s
def test_serve_colorizes_with_the_tuned_settings(tmp_path, tiny_weights):
    port = free_port()
    server = start_serve(tmp_path / "svc", tiny_weights, port, tmp_path / "serve.log", *TUNED)
    try:
        auth = {"Authorization": f"Bearer {new_key(tmp_path / 'svc', 'archive')}"}
        photo = _photo(tmp_path)
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/colorize?response=json",
                            headers=auth, timeout=120,
                            files=[("file", (photo.name, photo.read_bytes(), "image/png"))])
        assert answer.status_code == 200, answer.text
        settings = answer.json()["provenance"]["settings"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Was: exit 2, "unrecognized arguments: --temperature 0.5 --chroma-scale 1.5 ...".
    assert _tuned(settings) == {"temperature": 0.5, "chroma_scale": 1.5, "exemplars": False,
                                "render_size": 64}


def _start_web(port: int, weights: Path, log: Path, *flags: str) -> subprocess.Popen:
    command = [sys.executable, "-c", CLI, "web", "--port", str(port), "--weights",
               str(weights), "--device", "cpu", "--no-context", "--render-size", "64", *flags]
    web = subprocess.Popen(command, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return answering(web, f"http://127.0.0.1:{port}/api/info", log, "the workbench")


@pytest.mark.slow  # a workbench in a subprocess: ~15 s
def test_web_colorizes_with_the_tuned_settings(tmp_path, tiny_weights):
    port = free_port()
    web = _start_web(port, tiny_weights, tmp_path / "web.log", *TUNED)
    base = f"http://127.0.0.1:{port}"
    try:
        png = web_download(base, _photo(tmp_path))
    finally:
        web.terminate()
        web.wait(timeout=30)
    assert _tuned(_settings_in_xmp(png)) == {
        "temperature": 0.5, "chroma_scale": 1.5, "exemplars": False, "render_size": 64}
