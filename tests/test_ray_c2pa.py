"""`chronochrome colorize --engine ray --c2pa-cert/--c2pa-key`: an archive's large batch on Ray,
every output C2PA-signed as the local engine signs it. It was refused ("--c2pa-cert is for
--engine local"). The driver checks the files and reads them once; its workers get the chain
and key as bytes (`SigningKeys`), never through a file, and a photo whose signature fails in a
worker is that photo's failure. Outputs are read back with c2pa's own Reader."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("c2pa", reason="C2PA signing is an extra: pip install '.[c2pa]'")
pytest.importorskip("cryptography", reason="the test certificates need cryptography")

from colorizer.apps.c2pa_config import C2paConfig
from colorizer.apps.c2pa_signing import C2paSigner, read_c2pa

REPO = Path(__file__).resolve().parent.parent
NAMES = ("a 1931", "b", "c")


def _certs():
    """tests/service/c2pa_certs.py: the chain (root, intermediate, ES256 leaf) and the check
    of a signed file."""
    spec = importlib.util.spec_from_file_location(
        "c2pa_certs", REPO / "tests" / "service" / "c2pa_certs.py")
    module = sys.modules.setdefault("c2pa_certs", importlib.util.module_from_spec(spec))
    if not hasattr(module, "make_chain"):  # not imported yet by tests/service
        spec.loader.exec_module(module)
    return module


def _make_chain(folder: Path):
    return _certs().make_chain(folder)


@pytest.fixture
def chain(tmp_path):
    return _make_chain(tmp_path / "pki")


@pytest.fixture
def scans(tmp_path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in NAMES:
        Image.fromarray((rng.random((30, 40)) * 255).astype(np.uint8)).save(
            folder / f"{name}.png")
    return folder


def _flags(weights: Path, *args) -> list[str]:
    return ["colorize", "--weights", str(weights), "--device", "cpu", "--render-size", "64",
            "--no-context", "--no-exemplars", "-q", *map(str, args)]


def _key_body(key: Path) -> bytes:
    """The base64 lines of a PEM key: what would show it was written somewhere."""
    return b"".join(line for line in key.read_bytes().splitlines() if b"-----" not in line)


def _files_holding(folder: Path, secret: bytes) -> list[Path]:
    return [path for path in folder.rglob("*")  # PEM lines joined, as `secret` is
            if path.is_file() and not path.is_symlink()
            and secret in b"".join(path.read_bytes().split())]


def test_signing_keys_travel_pickled_without_showing_the_key(chain, tmp_path):
    """What a Ray worker is sent: the chain and key read once by the checked signer; a signer
    made from them (no file read) signs as the original does."""
    signer = C2paSigner(C2paConfig(chain.chain, chain.key))
    keys = pickle.loads(pickle.dumps(signer.keys))
    assert keys.key == chain.key.read_bytes() and keys.chain == chain.chain.read_bytes()
    assert "PRIVATE KEY" not in repr(keys) and _key_body(chain.key)[:20].decode() not in repr(
        keys)  # a log line or an error with the settings in it does not show the key
    shutil.move(chain.key, tmp_path / "moved.pem")  # a worker's node need not have the file
    image = tmp_path / "photo.png"
    Image.new("RGB", (8, 8), "tan").save(image)
    signed = C2paSigner.from_keys(keys).sign(image.read_bytes(), "image/png", {}, "photo.png")
    store = read_c2pa(signed, "image/png", trust_anchors=chain.root.read_text())
    assert store["validation_state"] == "Trusted", store.get("validation_status")


@pytest.mark.slow  # ~40-90 s: a local Ray instance starts in the child, two workers load
def test_a_ray_batch_signs_every_output(shared_tiny_weights, scans, tmp_path, chain):
    from colorizer.apps.cli import main

    local = tmp_path / "local"  # unsigned, this process: the colors to compare with
    assert main(_flags(shared_tiny_weights, scans, "-o", local)) == 0
    out = tmp_path / "out"
    ray_tmp = Path(tempfile.mkdtemp(prefix="rc2pa", dir="/tmp"))  # short: Ray's sockets
    try:
        run = subprocess.run(
            [sys.executable, "-m", "colorizer.apps.cli",
             *_flags(shared_tiny_weights, scans, "-o", out, "--report", "--engine", "ray",
                     "--workers", "2", "--batch-size", "2", "--c2pa-cert", chain.chain,
                     "--c2pa-key", chain.key)],
            cwd=REPO, capture_output=True, text=True, timeout=400, check=False,
            env={**os.environ, "RAY_TMPDIR": str(ray_tmp)})
        assert run.returncode == 0, run.stderr[-3000:]
        # The run's private Ray folder is removed (test_ray_c2pa_private.py looks inside it
        # while it runs: the key is in no file another user can open).
        assert list(ray_tmp.iterdir()) == []
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert "3 colorized, 0 skipped (already done), 0 failed" in run.stdout
    for name in NAMES:
        data = (out / f"{name}.png").read_bytes()
        _certs().signed_manifest(data, "image/png", chain, scans / f"{name}.png")
        assert json.loads((out / f"{name}.json").read_text())["c2pa_signed"] is True
        ours = np.asarray(Image.open(out / f"{name}.png")).astype(np.int16)
        assert np.abs(ours - np.asarray(Image.open(local / f"{name}.png"))).max() <= 1


@pytest.fixture
def local_ray():
    ray = pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO)}})
    yield
    ray.shutdown()


@pytest.mark.slow  # ~30-60 s: Ray starts here, and a worker
def test_a_signature_failing_in_a_worker_fails_that_photo(local_ray, shared_tiny_weights,
                                                          scans, tmp_path, chain):
    """Keys that cannot sign reach the workers (a key of no certificate here: what a
    certificate ending mid-run does to every later photo): each photo fails, saying why and
    what to fix, nothing is written for it, and the batch ends with its summary."""
    from colorizer.apps.c2pa_config import SigningKeys
    from colorizer.apps.engines import PipelineSpec
    from colorizer.apps.ray_engine import RayBatchColorizer

    config = C2paConfig(chain.chain, chain.other_key)
    signer = C2paSigner.from_keys(SigningKeys(config, chain.chain.read_bytes(),
                                              chain.other_key.read_bytes()))
    (scans / "broken.png").write_bytes(b"not a png at all")
    spec = PipelineSpec(shared_tiny_weights, "cpu", context=False, exemplars=False,
                        settings={"render_size": 64})
    out = tmp_path / "out"
    summary = RayBatchColorizer(spec, out, "png", report=True, workers=1, batch_size=2,
                                signer=signer).run([scans])
    assert (summary.count("done"), summary.count("failed")) == (0, 4)
    messages = {Path(str(item.source)).name: item.message for item in summary.failed}
    assert "broken.png" in messages["broken.png"]
    for name in NAMES:
        assert (f"C2PA signing failed: the C2PA private key {chain.other_key} does not "
                "belong to the signing certificate") in messages[f"{name}.png"]
        assert not (out / f"{name}.png").exists() and not (out / f"{name}.json").exists()
