"""What the service holds of a big photo, against what the command line holds of it.

An archive POSTing 108 MP scans saw `chronochrome serve` peak about 400 MB above
`chronochrome colorize` for the same 16-bit PNG (2509 against 2116 MB, measured 2026-12-07;
now 2135 to 2172).
Two copies of the upload were the difference:
- SQLite's own copy of the uploaded bytes, which stayed bound to the API thread's cached
  INSERT after the job was queued (157 MB for that PNG, for as long as no other upload came);
  now the upload is written into its blob a piece at a time (`original_blobs.write_original`);
- the worker's copy of the stored bytes, held while the photo was colorized and encoded, and
  its decoded pixels while it was encoded; now both go as soon as they are not read again.
"""

from __future__ import annotations

import ctypes
import gc
import io
import tracemalloc
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from threaded_serve import served

from colorizer.apps.outputs import encode_outputs
from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.worker import Worker
from colorizer.pipeline.colorization import ColorizationPipeline


def _noise_png(width: int, height: int, mode: str) -> bytes:
    """A PNG of random pixels: its bytes are as many as its pixels' (PNG cannot shrink noise),
    so what holds its bytes shows in memory. "RGB": 8 bits a channel; "I;16": 16-bit gray."""
    rng = np.random.default_rng(0)
    if mode == "RGB":
        image = Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    else:
        image = Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _sqlite_heap_mb() -> float:
    """What SQLite has allocated in this process (all its connections), in MB: its own
    counter, read from the library Python's sqlite3 module is linked to."""
    import _sqlite3

    library = ctypes.CDLL(_sqlite3.__file__)
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return library.sqlite3_memory_used() / 2**20


def _post(url: str, key: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{url}/v1/jobs", headers={"Authorization": f"Bearer {key}"},
                      files={"file": (name, data, "image/png")}, timeout=120)


def test_a_queued_upload_leaves_no_copy_of_itself_in_sqlite(tmp_path, tiny_pipeline):
    # Over real HTTP, workers elsewhere (`--worker-only`): what SQLite holds once the job is
    # queued. Before, a copy of the upload stayed bound to the API thread's INSERT: this
    # 16 MB photo's 16 MB, a 108 MP 16-bit scan's 157 MB (the serve process's RSS after the
    # POST: 450 MB against 288 before; now 298).
    photo = _noise_png(2400, 2300, "RGB")
    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, max_pixels=20_000_000)
    app = create_app(tiny_pipeline, config)
    store = app.state.service.store
    _, key = store.create_key("archive")
    # SQLite's counter is the process's: what earlier tests' stores hold is not this upload's.
    gc.collect()
    before = _sqlite_heap_mb()
    with served(app) as url:
        answer = _post(url, key, "scan.png", photo)
        held = _sqlite_heap_mb() - before
    assert answer.status_code == 202, answer.text
    assert answer.json()["state"] == "queued"
    photo_mb = len(photo) / 2**20
    assert held < photo_mb / 4, f"SQLite held {held:.1f} MB after a {photo_mb:.1f} MB upload"
    # Stored whole, as it came: the worker reads the same bytes.
    assert store.upload(f"{answer.json()['id']}-0") == photo


def _peak_mb(run) -> tuple[float, object]:
    """(the peak of memory Python and numpy traced while `run()` ran, in MB, its value)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        value = run()
        return tracemalloc.get_traced_memory()[1] / 2**20, value
    finally:
        tracemalloc.stop()


@pytest.mark.slow  # tracemalloc slows the colorizing: about 20 s (a minute on a busy machine)
def test_the_worker_colorizes_an_upload_within_the_memory_of_the_command_line(
        tmp_path, tiny_weights):
    # A 16-bit gray PNG of 1 MP: 2 MB of bytes, 4 MB of decoded floats. The command line's
    # steps (stages.PhotoStages: load the file, colorize, let the input go, encode) against
    # the service's worker on the same photo POSTed over HTTP; each with a pipeline of its
    # own (one pipeline's edit cache would make the second run cheaper).
    photo = _noise_png(1200, 900, "I;16")
    path = tmp_path / "scan.png"
    path.write_bytes(photo)

    def pipeline() -> ColorizationPipeline:
        return ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                    exemplars=False, render_size=64)

    cli_pipeline = pipeline()
    (tmp_path / "cli").mkdir()

    def as_the_command_line(photo_path: Path = path) -> bool:
        # The file's bytes, gone once decoded (read here: Python's read of a path asks for
        # its whole cap at once, which tracemalloc counts though it is never touched).
        prepared = cli_pipeline.prepare(photo_path.read_bytes())
        prediction = cli_pipeline.predict([prepared])[0]
        result = cli_pipeline.finish(prepared, prediction)
        del prepared, prediction  # as stages.PhotoStages.encode lets them go
        encoded = encode_outputs(result, tmp_path / "cli" / "scan.png", "png",
                                 stage_under=tmp_path / "cli")
        encoded.image.discard()
        return True

    # A first photo, untraced: a pipeline's first call sets up what the later ones reuse.
    other = tmp_path / "other.png"
    other.write_bytes(_noise_png(64, 48, "I;16"))
    as_the_command_line(other)
    cli_peak, _ = _peak_mb(as_the_command_line)

    config = ServiceConfig(data_dir=tmp_path / "svc", worker_threads=0, max_pixels=20_000_000)
    app = create_app(pipeline(), config)
    state = app.state.service
    _, key = state.store.create_key("archive")
    with served(app) as url:
        posted = _post(url, key, "scan.png", photo)
        assert posted.status_code == 202, posted.text
        worker = Worker(state.pipeline, state.store, config, state.fetcher, state.signer,
                        webhooks=state.webhooks)
        state.pipeline(other.read_bytes())  # the same first photo, untraced
        service_peak, took = _peak_mb(worker.run_once)
        assert took is True
        job = httpx.get(f"{url}/v1/jobs/{posted.json()['id']}", timeout=30,
                        headers={"Authorization": f"Bearer {key}"}).json()
    assert job["state"] == "succeeded", job
    # Before, the worker held the PNG's bytes all along and its decoded floats while it
    # encoded: its peak was the command line's and 6 MB more (17 MB for a 3 MP photo).
    photo_mb = len(photo) / 2**20
    assert service_peak < cli_peak + photo_mb / 3, (service_peak, cli_peak, photo_mb)
