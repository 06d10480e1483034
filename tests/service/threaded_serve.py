"""The service app served by uvicorn on 127.0.0.1 in a thread: real HTTP, in-process
components (a slow pipeline, a config a CLI flag does not reach), lifespan and workers as
`chronochrome serve` runs them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve `app` (its lifespan starts the workers); yields its base URL, stops at the end."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn-test")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=90)


def wait_for(check: Any, seconds: float = 30.0, every: float = 0.1) -> Any:
    """Poll `check()` until it returns something truthy; that value, or an AssertionError."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not reached within {seconds} s")

