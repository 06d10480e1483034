"""Retrieval's models load at the first photo that needs them (colorizer.pipeline.components).

`--no-context` without a hint loaded MiniLM, the ImageNet encoder and the exemplar library
(130 MB, 0.5 s of CPU) that no photo used: without a place in the context or a hint,
retrieval gives no exemplars. Loaded on first use, they must still load once (two threads at
once included), again in a forked worker, and a library that does not load must be one clear
error, not a traceback. Timings: `python -m eval.bench_start`, not here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from typing import ClassVar

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.apps.cli import main
from colorizer.pipeline import components
from context.config import ContextConfig

SMALL = {"render_size": 64, "retrieved_transfer": 0.0}  # the transfer is slow, and not tested


def _photo() -> Image.Image:
    y, x = np.mgrid[0:48, 0:64]
    return Image.fromarray((np.sin(x / 5) * 60 + 120 + y).astype(np.uint8))


@pytest.fixture
def made(monkeypatch):
    """How often MiniLM, the ImageNet encoder and the default library were loaded (the real
    ones, counted)."""
    from context import embedding
    from retrieval import knowledge

    counts = {"minilm": 0, "imagenet": 0, "library": 0}

    class CountedMiniLM(embedding.MiniLMEmbedder):
        def __init__(self, *args, **kwargs):
            counts["minilm"] += 1
            super().__init__(*args, **kwargs)

    def counted(name, real):
        def load(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)
        return load

    monkeypatch.setattr(embedding, "MiniLMEmbedder", CountedMiniLM)
    monkeypatch.setattr(components, "load_imagenet_encoder",
                        counted("imagenet", components.load_imagenet_encoder))
    monkeypatch.setattr(knowledge, "default_library",
                        counted("library", knowledge.default_library))
    return counts


def test_no_context_loads_retrieval_at_the_first_hint_only(shared_tiny_weights, made):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, **SMALL)
    plain = pipe(_photo())
    assert made == {"minilm": 0, "imagenet": 0, "library": 0}
    assert plain.exemplars == ()
    hinted = pipe(_photo(), hints="USSR 1950")
    assert made == {"minilm": 1, "imagenet": 1, "library": 1}
    assert "ussr_state_flag" in [e.id for e in hinted.exemplars]
    pipe.with_config(render_size=96)(_photo(), hints="Paris 1925")  # the same components
    assert made == {"minilm": 1, "imagenet": 1, "library": 1}


def test_with_context_the_library_loads_at_the_first_place(shared_tiny_weights, made):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context_config=ContextConfig(use_ocr=False),
                                                **SMALL)
    assert made == {"minilm": 1, "imagenet": 1, "library": 0}  # the context encoder's
    assert pipe(_photo()).exemplars == ()  # no place found: nothing to search for
    assert made["library"] == 0
    hinted = pipe(_photo(), hints="USSR 1950")
    assert hinted.context.region is not None and hinted.exemplars
    # Retrieval shares the context encoder's MiniLM and ImageNet encoder.
    assert made == {"minilm": 1, "imagenet": 1, "library": 1}


class _SlowRetriever:
    """Stands in for `ExemplarRetriever.from_default`: takes a while to build, and says in
    which process it was built and whether it was built whole."""

    built: ClassVar[list[int]] = []  # the processes it was built in
    home = os.getpid()  # the test's process, where a build waits for `release`
    release = threading.Event()

    def __init__(self) -> None:
        self.whole = False
        _SlowRetriever.built.append(os.getpid())
        if os.getpid() == _SlowRetriever.home:
            _SlowRetriever.release.wait(30)
        time.sleep(0.05)
        self.pid, self.whole = os.getpid(), True

    @classmethod
    def from_default(cls, *args, **kwargs) -> _SlowRetriever:
        return cls()

    def __call__(self, context, image, query_text=None) -> list:
        return [(self.pid, self.whole, query_text)]


@pytest.fixture
def slow(monkeypatch):
    import retrieval.retriever

    _SlowRetriever.built, _SlowRetriever.home = [], os.getpid()
    _SlowRetriever.release = threading.Event()
    monkeypatch.setattr(components, "load_imagenet_encoder",
                        lambda include_head: torch.nn.Identity())
    monkeypatch.setattr(retrieval.retriever, "ExemplarRetriever", _SlowRetriever)
    _, exemplar_fn, _ = components.default_components(torch.device("cpu"), context=False)
    return exemplar_fn


def test_two_threads_at_the_first_hint_load_it_once(slow):
    assert _SlowRetriever.built == []  # nothing is loaded before a photo needs it
    assert slow(None, None, None) == []  # no hint, no place: nothing loaded
    answers = []
    threads = [threading.Thread(target=lambda h=h: answers.append(slow(None, None, h)))
               for h in ("USSR 1950", "Kazan 1960")]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # both are in: one builds, the other waits for it
    _SlowRetriever.release.set()
    for thread in threads:
        thread.join(30)
    assert _SlowRetriever.built == [os.getpid()]
    assert sorted(answers) == [[(os.getpid(), True, "Kazan 1960")],
                               [(os.getpid(), True, "USSR 1950")]]


EXEMPLAR_FN = None  # set before the fork: the worker calls the parent's


def _search_in_worker(hint: str) -> list:
    return EXEMPLAR_FN(None, None, hint)


def _forked(hint: str) -> list:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        try:
            return pool.map_async(_search_in_worker, [hint]).get(timeout=60)[0]
        except multiprocessing.TimeoutError:
            pool.terminate()
            pytest.fail("the forked worker waited forever for the parent's retriever")


@pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's default")
def test_a_forked_worker_loads_its_own(slow):
    global EXEMPLAR_FN
    EXEMPLAR_FN = slow
    parent = os.getpid()
    # A fork while a thread of the parent is loading it (its lock held): the worker loads
    # its own instead of waiting for a thread it does not have.
    loading = threading.Thread(target=lambda: slow(None, None, "USSR 1950"))
    loading.start()
    while not _SlowRetriever.built:
        time.sleep(0.01)
    [(worker, whole, hint)] = _forked("Kazan 1960")
    _SlowRetriever.release.set()
    loading.join(30)
    assert worker != parent and whole and hint == "Kazan 1960"
    assert slow(None, None, "Paris 1925") == [(parent, True, "Paris 1925")]
    [(again, _, _)] = _forked("Riga 1930")  # loaded in the parent: loaded again in the worker
    assert again not in (parent, worker)
    assert _SlowRetriever.built.count(parent) == 1


def test_a_library_that_does_not_load_is_one_clear_error(shared_tiny_weights, tmp_path,
                                                         monkeypatch, capsys):
    from retrieval import knowledge

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(knowledge, "default_library", no_space)
    photo = tmp_path / "photo.png"
    _photo().save(photo)
    run = ["colorize", str(photo), "--weights", str(shared_tiny_weights), "--no-context",
           "--render-size", "64", "-q"]
    assert main([*run, "-o", str(tmp_path / "plain")]) == 0  # no hint: no library needed
    assert (tmp_path / "plain" / "photo.png").is_file()
    capsys.readouterr()
    assert main([*run, "-o", str(tmp_path / "hinted"), "--hint", "USSR 1950"]) == 1
    err = capsys.readouterr().err
    assert (f"error: {photo}: the exemplar library did not load (OSError: [Errno 28] No space left on "
            "device); rebuild it with `chronochrome library build --default`, or colorize "
            "without retrieved exemplars (--no-exemplars") in err
    assert "Traceback" not in err and "internal error" not in err
    assert not (tmp_path / "hinted" / "photo.png").exists()
