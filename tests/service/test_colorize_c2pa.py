"""`chronochrome colorize --c2pa-cert/--c2pa-key`: a batch signed as the service signs
(colorizer.apps.c2pa_signing), run as an archive runs it: a real subprocess, real certificates
(c2pa_certs), each output read back with c2pa's own Reader. The checks that need no c2pa run
everywhere; the others need the c2pa extra (c2pa-python and cryptography)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, software_version

REPO = Path(__file__).resolve().parents[2]
CERT = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = b"-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def scans(tmp_path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a 1931.png", "b.png", "c.png"):
        Image.fromarray((rng.random((30, 40)) * 255).astype(np.uint8)).save(folder / name)
    return folder


@pytest.fixture
def chain(tmp_path):
    pytest.importorskip("c2pa")
    pytest.importorskip("cryptography")
    from c2pa_certs import make_chain  # needs cryptography: after the skip

    return make_chain(tmp_path / "pki")


def _flags(weights: Path, *args) -> list[str]:
    return ["colorize", "--weights", str(weights), "--device", "cpu", "--render-size", "64",
            "--no-context", "--no-exemplars", "-q", *map(str, args)]


def _colorize(weights: Path, *args) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "colorizer.apps.cli", *_flags(weights, *args)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)


def _refused(run: subprocess.CompletedProcess, out: Path) -> str:
    """The one error line of a run stopped before any photo (exit 2, no folder made)."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == "" and not out.exists()
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_half_the_c2pa_flags_is_refused(tiny_weights, scans, tmp_path):
    run = _colorize(tiny_weights, scans, "-o", tmp_path / "out", "--c2pa-cert", "x.pem")
    line = _refused(run, tmp_path / "out")
    assert line == "error: C2PA signing needs both --c2pa-cert and --c2pa-key"


def test_a_missing_certificate_is_told_before_any_photo(tiny_weights, scans, tmp_path):
    nope = tmp_path / "nope.pem"
    run = _colorize(tiny_weights, scans, "-o", tmp_path / "out", "--c2pa-cert", nope,
                    "--c2pa-key", tmp_path / "key.pem")
    assert f"certificate chain (cert_chain, --c2pa-cert) {nope} does not exist" in _refused(
        run, tmp_path / "out")


def test_without_the_c2pa_extra_it_says_what_to_install(tiny_weights, scans, tmp_path):
    try:
        import c2pa  # noqa: F401
        pytest.skip("c2pa is installed")
    except ImportError:
        pass
    (tmp_path / "cert.pem").write_bytes(CERT)
    (tmp_path / "key.pem").write_bytes(KEY)
    run = _colorize(tiny_weights, scans, "-o", tmp_path / "out", "--c2pa-cert",
                    tmp_path / "cert.pem", "--c2pa-key", tmp_path / "key.pem")
    assert "c2pa-python is not installed: pip install 'chronochrome[c2pa]'" in _refused(
        run, tmp_path / "out")


def test_a_key_of_another_certificate_is_told_before_any_photo(tiny_weights, scans,
                                                               tmp_path, chain):
    run = _colorize(tiny_weights, scans, "-o", tmp_path / "out", "--c2pa-cert", chain.chain,
                    "--c2pa-key", chain.other_key)
    assert (f"private key {chain.other_key} does not belong to the signing certificate"
            in _refused(run, tmp_path / "out"))


def test_an_expired_certificate_is_told_before_any_photo(tiny_weights, scans, tmp_path, chain):
    from c2pa_certs import make_chain

    old = make_chain(tmp_path / "old", expired=True)
    run = _colorize(tiny_weights, scans, "-o", tmp_path / "out", "--c2pa-cert", old.chain,
                    "--c2pa-key", old.key)
    line = _refused(run, tmp_path / "out")
    assert f"certificate in {old.chain} is not valid now (valid from" in line
    assert "renew it" in line


def _actions(manifest: dict) -> list[dict]:
    (assertion,) = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    return assertion["data"]["actions"]


@pytest.mark.slow
def test_a_signed_batch_validates_with_the_c2pa_reader(tiny_weights, scans, tmp_path, chain):
    from c2pa_certs import signed_manifest

    from colorizer.apps.cli import main

    out = tmp_path / "out"  # colorized unsigned first (in this process: one start less)
    assert main(_flags(tiny_weights, scans, "-o", out, "--report", "--hint", "Kazan 1950s")) == 0
    assert json.loads((out / "b.json").read_text())["c2pa_signed"] is False
    before = np.asarray(Image.open(out / "b.png"))
    # The same folder signed later: not "already done", every photo signed again.
    run = _colorize(tiny_weights, scans, "-o", out, "--report", "--hint", "Kazan 1950s",
                    "--c2pa-cert", chain.chain, "--c2pa-key", chain.key)
    assert run.returncode == 0, run.stderr
    assert "3 colorized, 0 skipped (already done), 0 failed" in run.stdout
    for name in ("a 1931", "b", "c"):
        data = (out / f"{name}.png").read_bytes()
        manifest = signed_manifest(data, "image/png", chain, scans / f"{name}.png")
        opened, adjusted = _actions(manifest)
        assert opened["action"] == "c2pa.opened"
        assert adjusted["action"] == "c2pa.color_adjustments"
        assert adjusted["digitalSourceType"] == DIGITAL_SOURCE_TYPE
        assert adjusted["softwareAgent"] == {"name": "chronochrome",
                                             "version": software_version()}
        assert adjusted["parameters"]["model"]["name"] == "tiny-model"
        assert adjusted["parameters"]["hint"] == "Kazan 1950s"
        (ours,) = [a["data"] for a in manifest["assertions"]
                   if a["label"] == "dev.chronochrome.provenance"]
        assert ours["prompt"]["hint"] == "Kazan 1950s" and "era" in ours["context"]
        assert json.loads((out / f"{name}.json").read_text())["c2pa_signed"] is True
    assert np.array_equal(np.asarray(Image.open(out / "b.png")), before)  # no pixel changed


def test_a_photo_whose_signature_fails_fails_alone(tiny_pipeline, scans, tmp_path, chain,
                                                   capsys):
    """The certificate runs out after the first photo and is renewed after the second
    (c2pa's credentials swapped between photos): the second fails, saying why; the others
    are written and signed."""
    import c2pa
    from c2pa_certs import make_chain

    from colorizer.apps.batch import BatchColorizer
    from colorizer.apps.c2pa_config import C2paConfig
    from colorizer.apps.c2pa_signing import C2paSigner, read_c2pa
    from colorizer.apps.colorize_command import print_summary

    signer = C2paSigner(C2paConfig(chain.chain, chain.key))
    old = make_chain(tmp_path / "old", expired=True)
    credentials = [c2pa.C2paSignerInfo(b"es256", old.chain.read_bytes(),
                                       old.key.read_bytes(), None), signer._info]

    def next_credentials(item) -> None:
        if credentials:
            signer._info = credentials.pop(0)

    out = tmp_path / "out"
    batch = BatchColorizer(tiny_pipeline, out, "png", report=True, signer=signer)
    summary = batch.run([scans], on_item=next_credentials)
    assert print_summary(summary, out) == 1
    printed = capsys.readouterr()
    assert "2 colorized, 0 skipped (already done), 1 failed" in printed.out
    (error,) = [line for line in printed.err.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: {scans / 'b.png'}: C2PA signing failed: the C2PA signing "
                            f"certificate in {chain.chain} is not valid now")
    assert not (out / "b.png").exists() and not (out / "b.json").exists()
    for name in ("a 1931", "c"):
        store = read_c2pa((out / f"{name}.png").read_bytes(), "image/png")
        assert store["validation_state"] == "Valid"
        assert json.loads((out / f"{name}.json").read_text())["c2pa_signed"] is True
