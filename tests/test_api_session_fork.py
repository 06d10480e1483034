"""A pipeline loaded in one process and used in workers forked from it (a multiprocessing
Pool with fork, Linux's default): each worker colorizes as the parent does instead of
waiting forever on threads that fork did not copy (torch's OpenMP pool, the text reader's
thread pool)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from colorizer.pipeline import components

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's default")

SCRIPT = textwrap.dedent("""
    import hashlib, multiprocessing, sys
    import numpy as np, torch
    from PIL import Image
    from colorizer import ColorizationPipeline
    torch.set_num_threads(2)  # the parent runs torch's kernels on an OpenMP pool
    PIPE = ColorizationPipeline.from_pretrained(sys.argv[1], device="cpu", context=False,
                                                exemplars=False, render_size=64)
    def photo(i):  # large enough for torch's element-wise kernels to go parallel
        y, x = np.mgrid[0:300, 0:400]
        return Image.fromarray((np.sin(x / (7 + i)) * 80 + 128 + y % 9).astype(np.uint8))
    def work(i):
        return hashlib.sha256(PIPE(photo(i)).image.tobytes()).hexdigest()
    if __name__ == "__main__":
        serial = [work(i) for i in range(4)]
        with multiprocessing.get_context("fork").Pool(2) as pool:
            try:
                forked = pool.map_async(work, range(4)).get(timeout=90)
            except multiprocessing.TimeoutError:
                print("hung"); pool.terminate(); sys.exit(1)
        print("same" if forked == serial else f"differ {forked} {serial}")
        print("parent threads", torch.get_num_threads())
""")


@pytest.mark.slow
def test_a_forked_pool_colorizes_as_the_parent_did(shared_tiny_weights, tmp_path):
    script = tmp_path / "forked_pool.py"
    script.write_text(SCRIPT)
    run = subprocess.run([sys.executable, str(script), str(shared_tiny_weights)],
                         check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert run.stdout.splitlines() == ["same", "parent threads 2"]  # the parent keeps its 2


class _ThreadedReader:
    """Stands in for the context encoder: like context/ocr.py it reads on a thread pool."""

    def __init__(self, *args, **kwargs) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.embedder = None

    @classmethod
    def from_default(cls, *args, **kwargs) -> _ThreadedReader:
        return cls()

    def __call__(self, image, hint=None, captions=()) -> str:
        return self.pool.submit(lambda: f"read {hint}").result()


CONTEXT_FN = None  # set before the fork: the worker calls the parent's context


def _read_in_worker(hint: str) -> str:
    return CONTEXT_FN(None, hint, ())


def test_the_default_context_works_in_a_forked_worker(monkeypatch):
    import context
    from colorizer.model import scene

    monkeypatch.setattr(components, "load_imagenet_encoder",
                        lambda include_head: torch.nn.Identity())
    monkeypatch.setattr(scene, "ImageNetSceneClassifier", lambda *a, **k: None)
    monkeypatch.setattr(context, "ContextEncoder", _ThreadedReader)
    global CONTEXT_FN
    CONTEXT_FN, _, _ = components.default_components(torch.device("cpu"), context=True,
                                                     exemplars=False)
    # The parent reads first: its pool's threads start, and fork does not copy them.
    assert CONTEXT_FN(None, "USSR 1950", ()) == "read USSR 1950"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        try:
            answer = pool.map_async(_read_in_worker, ["Kazan 1960"]).get(timeout=60)
        except multiprocessing.TimeoutError:
            pool.terminate()
            pytest.fail("the forked worker waited forever on the parent's reader threads")
    assert answer == ["read Kazan 1960"]
    assert CONTEXT_FN(None, "Paris 1925", ()) == "read Paris 1925"  # the parent's still works
