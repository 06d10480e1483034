"""Helpers for the workbench tests: a test photo, a tiny pipeline that reads hints, a server
in a thread on a free port."""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")


def browser_api():
    """playwright's sync API, or the calling test module skipped with the reason (only where
    Debian's chromium or playwright is absent: scripts/install.sh installs both)."""
    import pytest

    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (scripts/install.sh does)",
                    allow_module_level=True)
    return pytest.importorskip("playwright.sync_api",
                               reason="playwright is absent: pip install -e '.[dev]'")
# Debian's chromium, headless, talking to nothing but the test server.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def gray_photo(width: int = 128, height: int = 96) -> bytes:
    """A gray PNG with clear regions: a light sky, a dark field, a mid-gray square."""
    pixels = np.full((height, width), 200, dtype=np.uint8)
    pixels[height // 2:, :] = 70
    pixels[20:50, 30:70] = 130
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="PNG")
    return buffer.getvalue()


def tiny_pipeline(weights: Path) -> Any:
    """The tiny generator with the real context encoder on hints and captions (no OCR, no
    embedding, no scene classifier: milliseconds) and no retrieval."""
    from colorizer.model.generator import ColorGenerator
    from colorizer.pipeline.colorization import ColorizationPipeline, PipelineConfig
    from colorizer.pipeline.result import ModelInfo
    from context import ContextEncoder
    from context.config import ContextConfig

    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))

    def context_fn(image, hints, captions):
        return encoder(image, hint=hints, captions=captions)

    info = ModelInfo("tiny", "test", "0" * 64, str(weights))
    return ColorizationPipeline(ColorGenerator.from_pretrained(weights), info,
                                PipelineConfig(render_size=64), device="cpu",
                                context_fn=context_fn, components={"context": "hints only"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadServer:
    """uvicorn serving `app` on 127.0.0.1 in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
