"""`chronochrome web --c2pa-cert/--c2pa-key`: the workbench's downloads carry the C2PA content
credentials `chronochrome colorize` signs for the same photo and settings, run as an archive
runs it: the workbench in a real subprocess, the download over real HTTP, real certificates
(tests/service/c2pa_certs.py), each file read back with c2pa's own Reader under the test root.

Before, `chronochrome web` took no such flags ("unrecognized arguments: --c2pa-cert"), and a
curator's download of the photo the batch signed was unsigned ("no JUMBF data found"). The
refusals need no c2pa; the signed downloads need the c2pa extra (skipped without it)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from web_helpers import c2pa_certs, free_port, gray_photo

from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
HINT = "Paris 1925"
PIPELINE = ("--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars")
CERT = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def chain(tmp_path):
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    return c2pa_certs().make_chain(tmp_path / "pki")


def _cli(command: str, *args) -> list[str]:
    return [sys.executable, "-m", "colorizer.apps.cli", command, *map(str, args)]


def _refused(run: subprocess.CompletedProcess) -> str:
    """The one `error:` line of a workbench that did not start (exit 2)."""
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_missing_key_file_is_refused_before_the_port(tmp_path):
    (tmp_path / "chain.pem").write_bytes(CERT)
    missing = tmp_path / "key.pem"
    with socket.socket() as taken:  # the port busy: a check after taking it would name it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(_cli("web", "--port", port, "--c2pa-cert", tmp_path / "chain.pem",
                                  "--c2pa-key", missing), cwd=tmp_path, env=ENV,
                             capture_output=True, text=True, timeout=120, check=False)
    assert _refused(run) == (
        f"error: the C2PA private key (private_key, --c2pa-key) {missing} does not exist: "
        "give the path of its PEM file, or remove the c2pa settings")


def test_half_the_c2pa_flags_is_refused_as_colorize_refuses_it(tmp_path):
    run = subprocess.run(_cli("web", "--port", free_port(), "--c2pa-cert", "chain.pem"),
                         cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120,
                         check=False)
    assert _refused(run) == "error: C2PA signing needs both --c2pa-cert and --c2pa-key"


@pytest.mark.slow
def test_a_key_of_another_certificate_stops_the_workbench(tmp_path, chain):
    run = subprocess.run(_cli("web", "--port", free_port(), "--c2pa-cert", chain.chain,
                              "--c2pa-key", chain.other_key), cwd=tmp_path, env=ENV,
                         capture_output=True, text=True, timeout=120, check=False)
    assert (f"private key {chain.other_key} does not belong to the signing certificate"
            in _refused(run))


def _wait_until_up(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/info", timeout=5).close()
            return
        except OSError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "the workbench did not start"
            time.sleep(0.2)


def _colorized_on_the_workbench(url: str, photo: Path) -> str:
    """The photo uploaded and colorized with the hint, as the page does it; its id."""
    boundary = "c2pa"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{photo.name}\"\r\nContent-Type: image/png\r\n\r\n").encode()
    form += photo.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    with urllib.request.urlopen(urllib.request.Request(
            f"{url}/api/photos", form,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})) as answer:
        photo_id = json.loads(answer.read())["id"]
    urllib.request.urlopen(urllib.request.Request(
        f"{url}/api/photos/{photo_id}/colorize", json.dumps({"hint": HINT}).encode(),
        {"Content-Type": "application/json"})).close()
    return photo_id


def _download(url: str, photo_id: str, fmt: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(f"{url}/api/photos/{photo_id}/download?format={fmt}") as answer:
        return answer.read(), answer.headers["Content-Type"]


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def _claims(manifest: dict) -> dict:
    """What the manifest says of the colorization: its actions (c2pa.opened, then the color
    change with its digital source type, agent, model and hint), its one ingredient, the
    provenance assertion's prompt and model. Not its title (the file's name) or time."""
    (actions,) = [a["data"]["actions"] for a in manifest["assertions"]
                  if a["label"].startswith("c2pa.actions")]
    (ours,) = [a["data"] for a in manifest["assertions"]
               if a["label"] == "dev.chronochrome.provenance"]
    (parent,) = manifest["ingredients"]
    return {"actions": [{k: v for k, v in a.items() if k not in ("when", "parameters")}
                        | {"parameters": {k: v for k, v in (a.get("parameters") or {}).items()
                                          if k not in ("ingredients", "ingredientIds")}}
                        for a in actions],
            "ingredient": {k: parent.get(k) for k in ("title", "relationship", "instance_id",
                                                      "format")},
            "prompt": ours["prompt"], "model": ours["model"],
            "source_sha256": ours["source_sha256"]}


@pytest.mark.slow  # a workbench process and a colorize process with the model: 15 s
def test_downloads_are_signed_as_colorize_signs_the_same_photo(tmp_path, chain,
                                                              shared_tiny_weights):
    photo = tmp_path / "street.png"
    photo.write_bytes(gray_photo(320, 200))
    signing = ("--c2pa-cert", chain.chain, "--c2pa-key", chain.key)
    done = subprocess.run(_cli("colorize", photo, "-o", tmp_path / "cli", "--weights",
                               shared_tiny_weights, *PIPELINE, "--hint", HINT, "-q", *signing),
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    certs = c2pa_certs()
    cli_png = (tmp_path / "cli" / "street.png").read_bytes()
    cli = _claims(certs.signed_manifest(cli_png, "image/png", chain, photo))
    opened, adjusted = cli["actions"]
    assert (opened["action"], adjusted["action"]) == ("c2pa.opened", "c2pa.color_adjustments")
    assert adjusted["digitalSourceType"] == DIGITAL_SOURCE_TYPE
    assert adjusted["parameters"]["hint"] == HINT
    assert adjusted["parameters"]["model"]["name"] == "tiny-model"

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(_cli("web", "--port", port, "--weights", shared_tiny_weights,
                                   *PIPELINE, *signing),
                              cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_up(server, url)
        photo_id = _colorized_on_the_workbench(url, photo)
        for fmt, mime, suffix in (("png", "image/png", "png"), ("jpeg", "image/jpeg", "jpg"),
                                  ("webp", "image/webp", "webp"),
                                  ("tiff", "image/tiff", "tif")):
            data, sent_as = _download(url, photo_id, fmt)
            assert sent_as == mime
            # Trusted under the test root, the original photo its parent (signed_manifest).
            manifest = certs.signed_manifest(data, mime, chain, photo)
            assert manifest["title"] == f"street.colorized.{suffix}"
            assert _claims(manifest) == cli, fmt
            if fmt == "png":  # signing adds the manifest; the pixels are colorize's
                assert np.array_equal(_pixels(data), _pixels(cli_png))
    finally:
        server.terminate()
        server.wait(timeout=30)
    said = f"workbench: every download is C2PA-signed with the certificate in {chain.chain}"
    assert said in server.stderr.read().splitlines()


def test_a_signature_failing_later_answers_503_and_sends_nothing_unsigned(tmp_path, chain,
                                                                         shared_tiny_weights):
    """The certificate ran out while the workbench was up (c2pa's credentials swapped for an
    expired chain's, as tests/service/test_colorize_c2pa.py does): the download is refused in
    words, not sent unsigned; renewed, it is signed again."""
    import c2pa
    from web_helpers import ThreadServer, tiny_pipeline

    from colorizer.apps.c2pa_config import C2paConfig
    from colorizer.apps.c2pa_signing import C2paSigner
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    signer = C2paSigner(C2paConfig(chain.chain, chain.key))
    old = c2pa_certs().make_chain(tmp_path / "old", expired=True)
    valid = signer._info
    signer._info = c2pa.C2paSignerInfo(b"es256", old.chain.read_bytes(), old.key.read_bytes(),
                                       None)
    photo = tmp_path / "street.png"
    photo.write_bytes(gray_photo())
    server = ThreadServer(create_app(tiny_pipeline(shared_tiny_weights), WebConfig(), signer))
    try:
        photo_id = _colorized_on_the_workbench(server.url, photo)
        with pytest.raises(urllib.error.HTTPError) as refused:
            _download(server.url, photo_id, "png")
        assert refused.value.code == 503
        error = json.loads(refused.value.read())["error"]
        assert error["reason"] == "signing_failed"
        assert error["message"].startswith(
            f"C2PA signing failed: the C2PA signing certificate in {chain.chain} is not "
            "valid now")
        assert error["message"].endswith("the download was not sent unsigned")
        signer._info = valid
        data, _ = _download(server.url, photo_id, "png")
        c2pa_certs().signed_manifest(data, "image/png", chain, photo)
    finally:
        server.close()
