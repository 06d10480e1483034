"""Peak memory of one large photo under the default pixel cap, through the CLI and the service.

    python -m eval.bench_memory [--side 7000] [--no-service] [--weights DIR]

A `side` x `side` 8-bit gray PNG (7000 x 7000 = 49 MP, under the 50 MP default cap) is made
here: a gradient with a few shapes, a few hundred KB. It is then colorized

- by `chronochrome colorize --report` (the default command: context and retrieval on), in a
  subprocess whose peak RSS is read from wait4;
- by `chronochrome serve` (as eval/bad_http starts it), as an uploaded job; the server's peak
  RSS is its VmHWM once the job is done.

Printed: seconds and peak RSS of each, against the 2 GB limit of issue #17 (before the banded
loading and merge: 7.8 GB and 116 s through the CLI). Exits 1 above the limit.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
LIMIT_MB = 2048


def big_photo(side: int) -> bytes:
    """A gray PNG: a diagonal gradient with dark and light shapes (compresses well)."""
    ramp = np.linspace(40, 220, side, dtype=np.float32)
    pixels = ((ramp[None, :] + ramp[:, None]) / 2).astype(np.uint8)
    image = Image.fromarray(pixels, "L")
    draw = ImageDraw.Draw(image)
    for n in range(6):
        x, y = (n * side) // 7, (n * side) // 9
        draw.ellipse((x, y, x + side // 6, y + side // 8), fill=30 + 35 * n)
        draw.rectangle((side - x - side // 5, y, side - x, y + side // 10), fill=220 - 30 * n)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def cli_peak(photo: Path, out: Path, weights: Path | None) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of the default colorize command on `photo`."""
    argv = [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--device", "cpu",
            str(photo), "-o", str(out), "--report"]
    argv += ["--weights", str(weights)] if weights else []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def service_peak(data: bytes, root: Path, weights: Path | None) -> tuple[float, float, str]:
    """(seconds, server peak RSS MB, item status) of `data` as an uploaded job."""
    from eval.bad_http import Service, send, settle_jobs
    from eval.bad_http_cases import Request

    service = Service(root, weights, "127.0.0.1", context=True)
    try:
        start = time.perf_counter()
        answer = send(Request("big", "POST", "/v1/jobs", {"Content-Type": "image/png"}, data),
                      service)
        items = settle_jobs(service, [answer.job_id] if answer.job_id else [], 1800)
        seconds = time.perf_counter() - start
        peak = service.peak_rss_mb()
    finally:
        service.stop()
    return seconds, peak, items[0]["status"] if items else f"refused: {answer.status}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=7000)
    parser.add_argument("--weights", type=Path, default=None, help="default: embedded weights")
    parser.add_argument("--no-service", action="store_true")
    args = parser.parse_args(argv)
    data = big_photo(args.side)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        photo = Path(tmp) / "big.png"
        photo.write_bytes(data)
        print(f"photo: {args.side}x{args.side} gray PNG, {len(data) / 1024:.0f} KB", flush=True)
        seconds, peak, code = cli_peak(photo, Path(tmp) / "out", args.weights)
        rows.append(("CLI colorize --report (context on)", seconds, peak, f"exit {code}"))
        print(f"{rows[-1][0]:40s} {seconds:7.1f} s  peak RSS {peak:6.0f} MB  {rows[-1][3]}",
              flush=True)
        if not args.no_service:
            (Path(tmp) / "svc").mkdir()
            seconds, peak, status = service_peak(data, Path(tmp) / "svc", args.weights)
            rows.append(("service job (upload, context on)", seconds, peak, status))
            print(f"{rows[-1][0]:40s} {seconds:7.1f} s  peak RSS {peak:6.0f} MB  {status}")
    worst = max(r[2] for r in rows)
    print(f"\nmax peak RSS {worst:.0f} MB (limit {LIMIT_MB} MB)")
    ok = worst <= LIMIT_MB and rows[0][3] == "exit 0" and all(
        r[3] in ("exit 0", "done") for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
