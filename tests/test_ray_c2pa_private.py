"""A signed `--engine ray` run keeps its key private, and a node without c2pa fails clearly.

The workers get the signing key in their settings, which Ray keeps in its object store and
spills to its session folder when the store is full: by default under /tmp/ray, 0777, files
0644. A signing run's own local Ray now lives under a new 0700 folder, removed at the end; on
a cluster given by --address one warning line says its folders are the cluster's. A worker
whose node cannot import c2pa ended the run in Ray's tracebacks (exit 1); now one error line
names the fix (exit 2) and nothing is written unsigned."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("c2pa", reason="C2PA signing is an extra: pip install '.[c2pa]'")
pytest.importorskip("cryptography", reason="the test certificates need cryptography")
ray = pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")

from test_ray_c2pa import NAMES, REPO, _files_holding, _flags, _key_body, chain, scans

from colorizer.apps.c2pa_config import C2paConfig
from colorizer.apps.c2pa_signing import C2paSigner, read_c2pa
from colorizer.errors import ChronochromeError

__all__ = ["chain", "scans"]  # fixtures shared with tests/test_ray_c2pa.py
SPILL_MB = 30  # x 4 objects, in an 80 MB store: Ray must spill to its folder


@pytest.fixture
def ray_tmpdir(monkeypatch):
    """A short RAY_TMPDIR of this test (Ray's sockets lie under it: 107 bytes at most)."""
    folder = Path(tempfile.mkdtemp(prefix="rcp", dir="/tmp"))
    folder.chmod(0o755)  # others may enter, as they may /tmp: Ray's default parent
    monkeypatch.setenv("RAY_TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _readable_by_others(path: Path) -> bool:
    """Another user can open `path`: every folder above it lets others in, and it lets
    them read."""
    folders_open = all(folder.stat().st_mode & stat.S_IXOTH for folder in path.parents)
    return folders_open and bool(path.stat().st_mode & stat.S_IROTH)


@pytest.mark.slow  # ~40-90 s: a local Ray starts, a worker loads the model
def test_a_signing_run_keeps_rays_folder_private_and_removes_it(
        shared_tiny_weights, scans, chain, ray_tmpdir):
    from colorizer.apps.engines import PipelineSpec
    from colorizer.apps.ray_engine import RayBatchColorizer

    assert not ray.is_initialized()
    seen: dict[str, object] = {}

    def look_while_running(item) -> None:
        if "session" in seen:
            return
        session = Path(ray._private.worker._global_node.get_session_dir_path())
        # Fill the 80 MB store: Ray spills what it holds (the workers' settings too).
        held = [ray.put(np.full(SPILL_MB << 20, i, np.uint8)) for i in range(4)]
        ours = session.parent.parent  # ROOT/session_*: ROOT lies in the run's own folder
        seen.update(session=session, folder=ours, mode=stat.S_IMODE(ours.stat().st_mode),
                    owner=ours.stat().st_uid, spilled=[
                        p for p in ours.rglob("*") if p.is_file() and "spill" in str(p)],
                    open_files=[p for p in ours.rglob("*") if p.is_file()
                                and not p.is_symlink() and _readable_by_others(p)],
                    holding_key=_files_holding(ours, _key_body(chain.key)))
        seen["key_open"] = [path for path in seen["holding_key"] if _readable_by_others(path)]
        del held

    spec = PipelineSpec(shared_tiny_weights, "cpu", context=False, exemplars=False,
                        settings={"render_size": 64})
    init = {"num_cpus": 2, "object_store_memory": 80 << 20,
            "runtime_env": {"env_vars": {"PYTHONPATH": str(REPO)}}}
    out = ray_tmpdir.parent / f"{ray_tmpdir.name}-out"
    try:
        summary = RayBatchColorizer(
            spec, out, "png", workers=1, batch_size=2, ray_init=init,
            signer=C2paSigner(C2paConfig(chain.chain, chain.key))).run(
                [scans], on_item=look_while_running)
        assert summary.count("done") == len(NAMES), [i.message for i in summary.failed]
        for name in NAMES:
            store = read_c2pa((out / f"{name}.png").read_bytes(), "image/png",
                              trust_anchors=chain.root.read_text())
            assert store["validation_state"] == "Trusted"
    finally:
        shutil.rmtree(out, ignore_errors=True)
    folder = seen["folder"]
    assert (seen["mode"], seen["owner"]) == (0o700, os.getuid()), folder
    assert folder.parent == ray_tmpdir and folder.name.startswith("chronochrome-")
    assert seen["spilled"], "Ray did not spill: the check below saw no spilled file"
    # The key is spilled (its settings' object: run 2026-12-07 found it in a
    # ray_spilled_objects_* file); no file another user can open holds it.
    assert seen["open_files"] == []
    assert seen["key_open"] == [], seen["holding_key"]
    assert not ray.is_initialized() and not folder.exists()  # shut down, folder removed
    assert list(ray_tmpdir.iterdir()) == []


def test_a_ray_tmpdir_too_long_for_rays_sockets_is_one_error_naming_the_fix(monkeypatch):
    from colorizer.apps.ray_private import private_ray

    long = "/tmp/" + "a-long-folder-name-" * 3
    monkeypatch.setenv("RAY_TMPDIR", long)
    with pytest.raises(ChronochromeError) as caught, private_ray(ray, {"num_cpus": 1}):
        pass
    assert str(caught.value).startswith(f"Ray's temporary folder {long} (RAY_TMPDIR or TMPDIR)"
                                        " is too long for a signing run's private Ray folder")
    assert "set RAY_TMPDIR to a folder of at most 19 characters" in str(caught.value)
    assert not ray.is_initialized() and not Path(long).exists()


@pytest.mark.slow  # ~6 s: the CLI in a child process (torch's import)
def test_a_signing_run_on_a_cluster_says_once_that_its_folders_are_the_clusters(
        shared_tiny_weights, scans, chain, tmp_path):
    """Nothing listens at 127.0.0.1:9: the run ends at the probe, after the warning."""
    run = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli",
         *_flags(shared_tiny_weights, scans, "-o", tmp_path / "out", "--engine", "ray",
                 "--address", "127.0.0.1:9", "--c2pa-cert", chain.chain, "--c2pa-key",
                 chain.key)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2, run.stderr[-2000:]
    warnings = [line for line in run.stderr.splitlines() if "spill" in line]
    assert warnings == [(
        "WARNING chronochrome.ray: C2PA signing on the Ray cluster at --address 127.0.0.1:9: "
        "the workers get the signing key in their settings, which Ray may spill to disk on "
        "its nodes when its object store is full, in the folders the cluster was started "
        "with (`ray start --temp-dir`, world-readable by default); keep them private on "
        "every node, or leave --address out to sign on a local Ray this run keeps private")]
    assert run.stderr.splitlines()[-1].startswith("error: --address 127.0.0.1:9: no Ray "
                                                  "cluster answers there")


@pytest.mark.slow  # ~30-60 s: a local Ray starts in the child, a worker starts
def test_a_node_without_c2pa_ends_the_run_in_one_error_line_and_writes_nothing(
        shared_tiny_weights, scans, chain, ray_tmpdir):
    """The workers' PYTHONPATH finds a c2pa that cannot be imported (what a node without the
    extra has), given as a Ray job's runtime_env: the driver itself signs as usual."""
    hidden = ray_tmpdir.parent / f"{ray_tmpdir.name}-no-c2pa"
    hidden.mkdir()
    (hidden / "c2pa.py").write_text("raise ImportError(\"No module named 'c2pa'\")\n")
    job = json.dumps({"runtime_env": {"env_vars": {"PYTHONPATH": f"{hidden}:{REPO}"}}})
    out = hidden / "out"
    try:
        run = subprocess.run(
            [sys.executable, "-m", "colorizer.apps.cli",
             *_flags(shared_tiny_weights, scans, "-o", out, "--engine", "ray", "--workers",
                     "1", "--batch-size", "2", "--c2pa-cert", chain.chain, "--c2pa-key",
                     chain.key)],
            cwd=REPO, capture_output=True, text=True, timeout=400, check=False,
            env={**os.environ, "RAY_JOB_CONFIG_JSON_ENV_VAR": job})
        written = sorted(path.name for path in out.iterdir())
    finally:
        shutil.rmtree(hidden, ignore_errors=True)
    assert run.returncode == 2, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and run.stdout == ""
    errors = [line for line in run.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0] == run.stderr.splitlines()[-1]
    assert errors[0].startswith("error: C2PA signing is unavailable on the Ray worker node ")
    assert ("c2pa cannot be imported there (No module named 'c2pa'); install it on every "
            "node of the cluster (pip install 'chronochrome[c2pa]'), then run again") \
        in errors[0]
    assert written == [".chronochrome-manifest.json"]  # no photo, signed or not
    assert list(ray_tmpdir.iterdir()) == []  # the run's private Ray folder removed

