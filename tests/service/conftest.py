"""Fixtures for the HTTP service: a tiny real pipeline, an app with two API keys, a server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service_helpers import LocalServer, Service, make_service


@pytest.fixture
def tiny_pipeline(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    return ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False,
                                                render_size=64)


@pytest.fixture
def service(tmp_path, tiny_pipeline) -> Iterator[Service]:
    yield from make_service(tmp_path, tiny_pipeline)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()
