"""Screenshots of the workbench for the README (docs/workbench*.png: the page, a placed hint,
the check panel), taken by headless Chromium from the page served with the default weights
on a sample photo:

    python scripts/workbench_screenshots.py [--photo PATH] [--hint TEXT]

Needs Debian's chromium and playwright (scripts/install.sh installs both); takes a minute on
a CPU (context inference, retrieval, three colorizations of a 1280 px photo and a check).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve(app, port: int):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    return server


def brightened(page, folder: Path) -> str:
    """The shown colorization with every channel raised by 40, saved as a PNG."""
    import numpy as np
    from PIL import Image

    data = page.evaluate("""async () => {
      const r = await fetch(document.getElementById('colorized').src);
      return Array.from(new Uint8Array(await r.arrayBuffer()));
    }""")
    pixels = np.asarray(Image.open(io.BytesIO(bytes(data))).convert("RGB"), dtype=int)
    path = folder / "someone-elses.png"
    Image.fromarray(np.clip(pixels + 40, 0, 255).astype(np.uint8)).save(path)
    return str(path)


def arguments() -> argparse.Namespace:
    from colorizer.apps.samples import SOLVAY

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", type=Path, default=SOLVAY)
    parser.add_argument("--hint", default="Solvay conference")
    parser.add_argument("--era", default="1927")
    parser.add_argument("--region", default="Belgium")
    parser.add_argument("--point", default="0.37,0.62", help="a hint at x,y (shares of the size)")
    parser.add_argument("--color", default="#1f3a68")
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--port", type=int, default=8799)
    return parser.parse_args()


def main() -> int:
    args = arguments()
    from playwright.sync_api import sync_playwright

    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig
    from colorizer.pipeline.colorization import ColorizationPipeline

    app = create_app(ColorizationPipeline.from_pretrained(device="cpu"),
                     WebConfig(local=True, path_roots=(args.photo.parent,)))
    server = serve(app, args.port)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(300_000)
        page.goto(f"http://127.0.0.1:{args.port}/")
        args.out.mkdir(parents=True, exist_ok=True)
        shoot_colorized(page, args)
        shoot_hints(page, args)
        shoot_check(page, args.out)
        browser.close()
    server.should_exit = True
    print(f"wrote workbench.png, workbench-hints.png and workbench-check.png in {args.out}")
    return 0


def shoot_colorized(page, args: argparse.Namespace) -> None:
    """The photo colorized with its hint, era and region, the split at 62%, the card open."""
    page.set_input_files("#file", str(args.photo))
    page.wait_for_selector('body[data-version="1"][data-state="ready"]')
    page.fill("#edit-hint", args.hint)
    page.fill("#edit-era", args.era)
    page.fill("#edit-region", args.region)
    page.click("#rerun")
    page.wait_for_selector('body[data-version="2"][data-state="ready"]')
    page.locator("#split").fill("62")
    page.dispatch_event("#split", "input")
    for field in ("era", "region"):  # what the card says and why
        page.click(f'.field[data-field="{field}"] summary')
    page.screenshot(path=str(args.out / "workbench.png"), full_page=True)


def shoot_hints(page, args: argparse.Namespace) -> None:
    """One color point with its source, and the uncertainty shown."""
    px, py = (float(v) for v in args.point.split(","))
    page.locator("#hint-color").fill(args.color)
    page.fill("#hint-source", "a note on the photo's back")
    stage = page.locator("#stage").bounding_box()
    page.mouse.click(stage["x"] + stage["width"] * px, stage["y"] + stage["height"] * py)
    page.wait_for_selector('body[data-version="3"][data-state="ready"]')
    page.check("#show-uncertainty")
    page.screenshot(path=str(args.out / "workbench-hints.png"), full_page=True)


def shoot_check(page, out: Path) -> None:
    """The check panel: our own colorization checked, then "someone else's"."""
    page.click("#check-own")
    page.wait_for_selector('body[data-checks="1"][data-state="ready"]')
    # "Someone else's" colorization: ours, brightened (the colors kept, the tones not).
    with tempfile.TemporaryDirectory() as folder:
        page.click("#check-other-box summary")
        page.set_input_files("#check-file", brightened(page, Path(folder)))
        page.check("#check-use-open")
        page.click("#check-other button[type=submit]")
        page.wait_for_selector('body[data-checks="2"][data-state="ready"]')
    if page.locator("#check-boxes .finding-box").count():  # a box highlighted, as on hover
        page.hover("#finding-list li:has-text('knowledge'), #finding-list li >> nth=0")
    page.locator("#check-panel").screenshot(path=str(out / "workbench-check.png"))


if __name__ == "__main__":
    sys.exit(main())
