"""`chronochrome web --library DIR` retrieves from the archive's own library, as `colorize
--library` and `serve --library` do (web refused the flag: "unrecognized arguments")."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.service.paris_library import build_paris_library
from tests.service.serve_process import free_port
from tests.test_serve_web_flags import _start_web


@pytest.mark.slow  # builds a library and starts `web`: 8 s, 40 s at a cold first MiniLM load
def test_web_retrieves_from_the_library_given(tmp_path, tiny_weights):
    library = build_paris_library(tmp_path)
    port = free_port()
    web = _start_web(port, tiny_weights, tmp_path / "web.log", "--library", str(library))
    base = f"http://127.0.0.1:{port}"
    try:
        gray = Image.fromarray(np.full((32, 48), 128, np.uint8))
        gray.save(tmp_path / "old.png")
        opened = httpx.post(f"{base}/api/photos", timeout=60, files={
            "file": ("old.png", (tmp_path / "old.png").read_bytes(), "image/png")})
        assert opened.status_code == 200, opened.text
        done = httpx.post(f"{base}/api/photos/{opened.json()['id']}/colorize",
                          json={"hint": "Paris 1918"}, timeout=120)
        assert done.status_code == 200, done.text
    finally:
        web.terminate()
        web.wait(timeout=30)
    # The curated library has no "rue" or "quai": these came from --library.
    assert {e["id"] for e in done.json()["exemplars"]} == {"rue", "quai"}
