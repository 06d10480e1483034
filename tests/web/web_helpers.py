"""Helpers for the workbench tests: a test photo, a tiny pipeline that reads hints, a server
in a thread on a free port, a stand-in for the HTTP service's job routes."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


# The colorized image's pixel at (x, y), read through a canvas as the page shows it.
PIXEL_JS = """([x, y]) => {
  const img = document.getElementById('colorized');
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3));
}"""

# Debian's chromium, headless, talking to nothing but the test server.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def launch_chromium(pw: Any) -> Any:
    """Debian's chromium, headless, from a running `sync_playwright()`."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def page_with_photo(browser: Any, url: str, photo: Path, width: int = 1280,
                    height: int = 860) -> Any:
    """A new page of the workbench at `url` with `photo` opened (version 1, ready)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(20_000)
    page.goto(url)
    page.set_input_files("#file", str(photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    return page


def gray_photo(width: int = 128, height: int = 96) -> bytes:
    """A gray PNG with clear regions: a light sky, a dark field, a mid-gray square."""
    pixels = np.full((height, width), 200, dtype=np.uint8)
    pixels[height // 2:, :] = 70
    pixels[20:50, 30:70] = 130
    buffer = io.BytesIO()
    Image.fromarray(pixels, "L").save(buffer, format="PNG")
    return buffer.getvalue()


def color_print() -> bytes:
    """A color print of gray_photo's street, for a reference photo: a blue sky, a green
    field, a red square."""
    rgb = np.zeros((96, 128, 3), np.uint8)
    rgb[:48], rgb[48:], rgb[20:50, 30:70] = (40, 90, 220), (60, 160, 40), (200, 30, 30)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def orange_negative() -> bytes:
    """gray_photo() as a color negative on an orange film base, scanned as it is (the film's
    clearest parts, the print's shadows, the brightest and most orange)."""
    gray = np.asarray(Image.open(io.BytesIO(gray_photo())), dtype=np.float64)
    density = 1.0 - gray[..., None] / 255.0
    rgb = np.rint(255 * (0.08 + 0.9 * density) * np.array([0.95, 0.62, 0.38]))
    buffer = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(buffer, format="PNG")
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


# The color hints of the fake service's item 0, as a client submitted them (a 64 x 48 photo).
JOB_HINTS = [{"point": [10, 12], "color": "#00c000", "source": "regimental history, p. 12"},
             {"box": [40, 30, 60, 44], "color": "navy"}]


def big_job_page(query: str) -> bytes:
    """Job "big" of 600 items, paged as the service pages them (at most 500 an answer, from
    `offset`); item 550 alone was uploaded."""
    asked = dict(urllib.parse.parse_qsl(query))
    offset, limit = int(asked.get("offset", 0)), min(int(asked.get("limit", 500)), 500)
    items = [{"index": i, "status": "done", "hint": "Kazan 1950s",
              "source": ({"kind": "upload", "name": "plate-550.png"} if i == 550 else
                         {"kind": "url", "url": f"https://archive.example/{i}.jpg"})}
             for i in range(offset, min(offset + limit, 600))]
    return json.dumps({"id": "big", "items": items,
                       "page": {"offset": offset, "limit": limit, "total": 600}}).encode()


class FakeService:
    """The routes of `chronochrome serve` the workbench reads, for key "good": job "j1" with an
    uploaded item 0 (a hint and `JOB_HINTS`, at its own address: the job's view says only how
    many) and a URL item 1; job "j0" as a service before that showed them, inline."""

    def __init__(self) -> None:
        photo = gray_photo(64, 48)
        item = {"index": 0, "status": "done", "hint": "Paris 1920", "color_hints_count": 2,
                "color_hints_url": "http://public.example/v1/jobs/j1/items/0/color_hints",
                "source": {"kind": "upload", "name": "scan.png"}}
        job = {"id": "j1", "items": [item, {
            "index": 1, "status": "done", "hint": None,
            "source": {"kind": "url", "url": "https://archive.example/x.jpg"}}]}
        older = {"id": "j0", "items": [{
            "index": 0, "status": "done", "hint": "Paris 1920", "color_hints": JOB_HINTS,
            "source": {"kind": "upload", "name": "scan.png"}}]}
        routes = {"/v1/jobs/j1": json.dumps(job).encode(), "/v1/jobs/j1/items/0/original": photo,
                  "/v1/jobs/j1/items/0/color_hints": json.dumps(JOB_HINTS).encode(),
                  "/v1/jobs/j0": json.dumps(older).encode(), "/v1/jobs/j0/items/0/original": photo,
                  "/v1/jobs/big/items/550/original": photo}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")  # j0 and j1 ignore the query
                body = big_job_page(query) if path == "/v1/jobs/big" else routes.get(path)
                ok = self.headers.get("Authorization") == "Bearer good"
                self.send_response(401 if not ok else 200 if body else 404)
                self.end_headers()
                self.wfile.write(body if ok and body else b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# axe-core (MPL-2.0, vendor/README.md), run in the page: its violations, each with the nodes
# it names and why, in a form an assertion message can print.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary) }));
}"""


def axe_violations(page: Any) -> list[dict]:
    """axe-core's violations of the page as it is now (every rule axe runs by default:
    WCAG 2.x A and AA, and its best practices)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)


# The element that has focus, and whether a focus ring shows on it (for the file input, which
# is out of sight, on its label, the "Open a photo" button a person sees).
FOCUS_JS = """(selector) => {
  const e = document.activeElement;
  if (!e || e === document.body) return { matches: false, ring: false, at: "body" };
  const shown = e.id === "file" ? document.querySelector("label[for=file]") : e;
  const style = getComputedStyle(shown);
  return { matches: e.matches(selector), at: e.id || e.tagName,
           ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
}"""


def tab_to(page: Any, selector: str, back: bool = False, limit: int = 80) -> None:
    """Presses Tab (Shift+Tab with `back`) until the focus is on `selector`, as a person
    without a mouse would, and asserts that a focus ring shows there."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focus = page.evaluate(FOCUS_JS, selector)
        if focus["matches"]:
            assert focus["ring"], f"no visible focus ring on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector} (last on {focus['at']})")


def touch_page(browser: Any, width: int = 390, height: int = 844, scale: int = 3,
               timeout_ms: int = 20_000, **context_options: Any) -> tuple[Any, Any]:
    """A page as a phone or tablet shows it (an iPhone 13 unless told: 390 x 844, scale 3),
    touch on and the pointer coarse, and its DevTools session for fingers (finger_drag)."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=scale, is_mobile=True, has_touch=True,
                                  **context_options)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    return page, cdp


def finger_drag(cdp: Any, points: list[tuple[float, float]]) -> None:
    """A finger down at the first of `points` (CSS px of the viewport), moved through the
    others, lifted at the last: touch events through the page's CDP session."""
    (x, y), *moves = points
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for x, y in moves:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                              "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


# A workbench server in its own process, for tests that read its memory: argv is the tiny
# weights, the port, and the folder holding web_helpers.py.
BIG_PHOTO_SERVER = """
import sys
sys.path.insert(0, sys.argv[3])
import uvicorn
from web_helpers import tiny_pipeline
from colorizer.apps.web.app import create_app
from colorizer.apps.web.config import WebConfig
app = create_app(tiny_pipeline(sys.argv[1]), WebConfig(max_pixels=100_000_000,
                 max_upload_bytes=200_000_000))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def process_megabytes(pid: int, key: str = "VmRSS") -> float:
    """A process's /proc status figure `key` (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/{pid}/status")


def http_get(url: str, timeout: float = 600) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


def http_post(url: str, body: bytes, content_type: str = "application/json",
              timeout: float = 600) -> dict:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())


def upload_photo(url: str, name: str, data: bytes, content_type: str) -> dict:
    """POST /api/photos with one file, as the page's file input sends it."""
    boundary = "webhelpersboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return http_post(f"{url}/api/photos", body, f"multipart/form-data; boundary={boundary}")


def c2pa_certs() -> Any:
    """tests/service/c2pa_certs.py (test certificate chains and the check of a signed file),
    imported as tests/test_ray_c2pa.py imports it: tests/service is not on this folder's path.
    Needs `cryptography` (the caller skips without it)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "c2pa_certs", Path(__file__).resolve().parents[1] / "service" / "c2pa_certs.py")
    module = sys.modules.setdefault("c2pa_certs", importlib.util.module_from_spec(spec))
    if not hasattr(module, "make_chain"):
        spec.loader.exec_module(module)
    return module
