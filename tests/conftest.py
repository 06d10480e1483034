"""Shared fixtures: tiny real components, and paths to ../shared when present."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "datasets"

TINY = {"width16": 16, "width8": 16, "width4": 16, "heads": 2, "cond_dim": 8, "grid_samples": 24}


@pytest.fixture
def tiny_generator():
    """A 2-block generator with random weights, small enough to train in a test."""
    from colorizer.model.generator import ColorGenerator, GeneratorConfig

    torch.manual_seed(0)
    return ColorGenerator(GeneratorConfig(**TINY))


@pytest.fixture
def tiny_weights(tmp_path, tiny_generator) -> Path:
    """A saved tiny model folder, as save_pretrained writes it."""
    folder = tmp_path / "tiny-model"
    tiny_generator.save_pretrained(folder, metadata={"version": "test"})
    return folder


@pytest.fixture(scope="session")
def shared_tiny_weights(tmp_path_factory) -> Path:
    """The same tiny model folder as `tiny_weights`, saved once per session: for module-scoped
    fixtures whose tests only read it."""
    from colorizer.model.generator import ColorGenerator, GeneratorConfig

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("shared") / "tiny-model"
    ColorGenerator(GeneratorConfig(**TINY)).save_pretrained(folder, metadata={"version": "test"})
    return folder


def tiny_weights_at(source: Path, folder: Path, render_size: int) -> Path:
    """A copy of the tiny model folder `source` in `folder`, its operating point (the render
    size saved in decoding.json) set to `render_size`."""
    import shutil

    from colorizer.pipeline.decoding import DecodingConfig

    shutil.copytree(source, folder)
    DecodingConfig(render_size=render_size).save(folder)
    return folder


@pytest.fixture
def shared_datasets() -> Path:
    """../shared/datasets, or a skip on machines that do not have it."""
    if not SHARED.is_dir():
        pytest.skip("../shared/datasets is absent")
    return SHARED


@pytest.fixture
def web(tmp_path):
    """A local HTTP server for the folder `tmp_path/web`; yields (folder, base URL)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    folder = tmp_path / "web"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
