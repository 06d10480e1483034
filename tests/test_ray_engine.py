"""`--engine ray` on a local Ray instance (#21): the same outputs, manifest and skips as the
local engine; a failed photo recorded without failing the batch; a worker killed midway and
a re-run that finishes every photo, none twice."""

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.engines import PipelineSpec, make_batch
from colorizer.pipeline.color_hints import Box, ColorHint

ray = pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")

from colorizer.apps.ray_engine import RayBatchColorizer

SETTINGS = {"render_size": 64}


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance for the module (starting one takes ~8 s)."""
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(Path(__file__).parent.parent)}})
    yield
    ray.shutdown()


def _photos(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for k in range(count):
        pixels = (rng.random((40 + k % 3 * 8, 56)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"p{k:02d}.png")
    return folder


def _spec(weights) -> PipelineSpec:
    return PipelineSpec(weights, "cpu", context=False, exemplars=False, settings=SETTINGS)


def _ray_batch(weights, out) -> RayBatchColorizer:
    return RayBatchColorizer(_spec(weights), out, "png", workers=2, batch_size=3)


def _pixels(folder: Path) -> dict[str, np.ndarray]:
    return {p.name: np.asarray(Image.open(p)) for p in sorted(folder.glob("*.png"))}


def _assert_same_pixels(ours: dict, theirs: dict) -> None:
    """Equal, but for a rounding flipped by float noise: a Ray worker runs torch on one
    thread, this process on several, and sums come out in another order."""
    assert sorted(ours) == sorted(theirs)
    for name, pixels in ours.items():
        diff = np.abs(pixels.astype(np.int16) - theirs[name])
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, name


def _manifest(folder: Path) -> dict:
    return json.loads((folder / ".chronochrome-manifest.json").read_text())


@pytest.mark.slow  # ~30 s on the 2-core CPU, most of it Ray starting its workers
def test_ray_writes_what_the_local_engine_writes(local_ray, shared_tiny_weights, tmp_path):
    inputs = _photos(tmp_path / "in", 7)
    (inputs / "broken.png").write_bytes(b"not a png at all")
    make_batch(_spec(shared_tiny_weights), tmp_path / "local").run([inputs])
    summary = _ray_batch(shared_tiny_weights, tmp_path / "ray").run([inputs])
    assert (summary.count("done"), summary.count("failed")) == (7, 1)
    assert "broken.png" in summary.failed[0].message  # recorded; the batch went on
    ours = _pixels(tmp_path / "ray")
    assert len(ours) == 7
    _assert_same_pixels(ours, _pixels(tmp_path / "local"))
    # One fingerprint: each engine skips what the other wrote.
    assert _manifest(tmp_path / "ray") == _manifest(tmp_path / "local")
    again = make_batch(_spec(shared_tiny_weights), tmp_path / "ray").run([inputs])
    assert (again.count("skipped"), again.count("done")) == (7, 0)


@pytest.mark.slow  # ~25 s: two Ray runs
def test_ray_keeps_color_hints_and_sidecar_captions_in_its_skip_check(
        local_ray, shared_tiny_weights, tmp_path):
    inputs = _photos(tmp_path / "in", 4)
    (inputs / "p01.txt").write_text("Kazan, 1950s")  # a sidecar caption beside one photo
    hints = [ColorHint(Box(2, 2, 30, 20), "#b22222", source="a test")]
    make_batch(_spec(shared_tiny_weights), tmp_path / "local", color_hints=hints).run([inputs])
    out = tmp_path / "ray"
    first = RayBatchColorizer(_spec(shared_tiny_weights), out, "png", workers=2, batch_size=3,
                              color_hints=hints).run([inputs])
    assert first.count("done") == 4
    _assert_same_pixels(_pixels(out), _pixels(tmp_path / "local"))
    entries = _manifest(out)
    assert entries == _manifest(tmp_path / "local")
    assert all(e["settings"]["color_hints"] for e in entries.values())
    assert [bool(e["sidecar_sha256"]) for _, e in sorted(entries.items())] == [
        False, True, False, False]
    (inputs / "p01.txt").write_text("Prague, 1968")  # the caption edited: that photo again
    again = RayBatchColorizer(_spec(shared_tiny_weights), out, "png", workers=2, batch_size=3,
                              color_hints=hints).run([inputs])
    assert [(i.source.name, i.status) for i in again.items] == [
        ("p00.png", "skipped"), ("p01.png", "done"), ("p02.png", "skipped"),
        ("p03.png", "skipped")]
    # Without the hints the settings differ: every photo is done again (here, locally).
    plain = make_batch(_spec(shared_tiny_weights), out).run([inputs])
    assert plain.count("done") == 4


@pytest.mark.slow  # ~25 s: Ray starting its workers
def test_ray_runs_csv_lists_and_iiif_manifests_as_the_local_engine(
        local_ray, shared_tiny_weights, tmp_path, web):
    from test_collections import TRUST_LOCAL, csv_list, iiif_site

    folder, base = web
    Image.fromarray(np.full((40, 56), 90, np.uint8)).save(folder / "remote.png")
    inputs = [csv_list(tmp_path, base), iiif_site(folder, base)]
    make_batch(_spec(shared_tiny_weights), tmp_path / "local", fetch=TRUST_LOCAL).run(inputs)
    out = tmp_path / "ray"
    summary = RayBatchColorizer(_spec(shared_tiny_weights), out, "png", workers=2,
                                batch_size=3, fetch=TRUST_LOCAL).run(inputs)
    assert (summary.count("done"), summary.count("failed")) == (6, 2)
    _assert_same_pixels(_pixels(out), _pixels(tmp_path / "local"))
    ours, theirs = _manifest(out), _manifest(tmp_path / "local")
    assert {k: (e["settings"], e.get("origin")) for k, e in ours.items()} == {
        k: (e["settings"], e.get("origin")) for k, e in theirs.items()}
    again = RayBatchColorizer(_spec(shared_tiny_weights), out, "png", workers=2,
                              batch_size=3, fetch=TRUST_LOCAL).run(inputs)
    assert (again.count("skipped"), again.count("done")) == (6, 0)


def _workers() -> list[int]:
    """Process ids of this machine's Ray Data actors running ColorizeWorker."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            title = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and "ray::" in title and "ColorizeWorker" in title:
            pids.append(int(entry.name))
    return pids


@pytest.mark.slow
def test_a_worker_killed_midway_a_run_stopped_then_a_rerun_finishes_all_none_twice(
        local_ray, shared_tiny_weights, tmp_path):
    inputs = _photos(tmp_path / "in", 50)
    out = tmp_path / "ray"
    written: list[str] = []
    killed: list[int] = []

    def kill_a_worker_then_stop(item):
        written.append(item.output.name)
        if len(written) == 10:  # Ray replaces the worker and re-runs its batch
            victims = _workers()
            assert victims, "no Ray worker process found to kill"
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])
        if len(written) == 25:  # then the whole run is stopped (Ctrl-C)
            raise KeyboardInterrupt

    first = _ray_batch(shared_tiny_weights, out).run([inputs], on_item=kill_a_worker_then_stop)
    assert killed and first.interrupted
    done_first = {i.output.name for i in first.items if i.status == "done"}
    second = _ray_batch(shared_tiny_weights, out).run([inputs])
    done_second = {i.output.name for i in second.items if i.status == "done"}
    skipped = {i.output.name for i in second.items if i.status == "skipped"}
    assert len(done_first) == 25
    assert skipped == done_first  # none twice
    assert done_first | done_second == {f"p{k:02d}.png" for k in range(50)}  # none lost
    assert not done_first & done_second
    assert len(written) == len(set(written))  # each photo reported once per run
    local = tmp_path / "local"
    make_batch(_spec(shared_tiny_weights), local).run([inputs])
    ours = _pixels(out)
    assert len(ours) == 50
    _assert_same_pixels(ours, _pixels(local))
    print(f"killed worker {killed[0]}; first run {len(done_first)} done, re-run "
          f"{len(done_second)} done, {len(skipped)} skipped")
