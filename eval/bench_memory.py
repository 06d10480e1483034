"""Peak memory of large photos under the default pixel cap: colorize, check and OCR.

    python -m eval.bench_memory [--side 7000] [--ocr-side 6000] [--no-service] [--weights DIR]
                                [--big 12000x9000]

A `side` x `side` 8-bit gray PNG (7000 x 7000 = 49 MP, under the 50 MP default cap) is made
here: a gradient with a few shapes, a few hundred KB. It is then

- colorized by `chronochrome colorize --report` (the default command: context and retrieval
  on), in a subprocess whose peak RSS is read from wait4;
- checked by `chronochrome check` as the original of a colored copy of itself (warm left
  half, cool right half; --original, so the two are lined up too), peak RSS from wait4;
- read for writing by `python -m context` (text detector and Tesseract) at `ocr-side` px
  with a title written on it, peak RSS from wait4;
- colorized by `chronochrome serve` (as eval/bad_http starts it), as an uploaded job; the
  server's peak RSS is its VmHWM once the job is done.

- with `--big WxH` (a 108 MP photo, over the default cap: `--max-pixels` raised for it),
  colorized by `chronochrome colorize --report` and its colored copy checked by
  `chronochrome check` (no --original: the scene classifier sees the whole colored photo);
  then the same photo as a 16-bit gray PNG (a scanner's master), colorized the same way.

Printed: seconds and peak RSS of each, against the 2 GB limit of issue #17 (before the banded
loading and merge: 7.8 GB and 116 s through the CLI). Exits 1 above the limit. The check
and OCR rows came with the check's banded reading of the colorization (colorizer/check/
thumbnails.py), the text detector's 2000-px copy and Tesseract models loaded as needed:
1812 -> 1749 MB and 1438 -> 1423 MB on 2026-12-06 (2 shared cores; the OCR row is the
detector's network on a 2000 x 2000 copy, ~650 MB of it).
The `--big 12000x9000` rows came with the report's figures computed band by band
(colorizer/pipeline/map_stats.py), the merge's RGB pasted into its image band by band, a
context region that is zero everywhere left untouched (colorizer/pipeline/full_size.py) and the
scene classifier's input reduced before its float copy (colorizer/model/scene.py). On
2026-12-06 (2 shared cores), this benchmark's gradient photo: colorize --report 2999 -> 2358 MB,
check 2473 -> 2050 MB; a real photo (bopb__old_g of real-color-dev upscaled to 12000 x 9000,
/usr/bin/time): colorize --report 3232 -> 2630 MB, check 2765 -> 2340 MB. Output pixels and
reports identical.
On 2026-12-07 the merge stopped holding the photo's whole L* (colorizer/pipeline/
full_lightness.py: each band read from the pixels) and 16-bit gray was scaled a band at a time
(image_pixels.scaled_gray). bopb__old_g upscaled to 12000 x 9000 (2 shared cores, 8 sessions),
colorize --report: 8-bit gray JPEG 2584 -> 2140 MB, 16-bit gray PNG (dithered) 4078 -> 3650 MB.
The 16-bit row's peak was then its 16-bit PNG being encoded in memory (deep_encode.py: the
compressed rows held, then joined). Output pixels identical.
Then 16-bit PNG and TIFF outputs were written to their file as they are encoded (deep_encode
write_png16/write_tiff16, colorizer/apps/staged_image.py): a grainy 12000 x 9000 16-bit scan
(a 475 MB PNG) 3241 -> 2492 MB, as a TIFF 3205 -> 2604 MB, files byte-identical. What remains
is the full-size merge (full_size.py: the 16-bit and 8-bit images and the float uncertainty
map at once). The OCR row's detector reads a photo over 1216 px in 1024-px tiles since
2026-12-07 (context/detector_tiles.py: `python -m context` on a 2000-px photo 1155 -> 928 MB).
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
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
LIMIT_MB = 2048
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def big_photo(side: int, height: int | None = None) -> bytes:
    """A gray PNG, `side` wide and `height` (default: `side`) high: a diagonal gradient with
    dark and light shapes (compresses well)."""
    height = height or side
    across = np.linspace(40, 220, side, dtype=np.float32)
    down = np.linspace(40, 220, height, dtype=np.float32)
    pixels = ((across[None, :] + down[:, None]) / 2).astype(np.uint8)
    image = Image.fromarray(pixels, "L")
    draw = ImageDraw.Draw(image)
    for n in range(6):
        x, y = (n * side) // 7, (n * height) // 9
        draw.ellipse((x, y, x + side // 6, y + height // 8), fill=30 + 35 * n)
        draw.rectangle((side - x - side // 5, y, side - x, y + height // 10), fill=220 - 30 * n)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def colored(data: bytes) -> bytes:
    """The gray PNG as a colorization: its left half warm, its right half cool (PNG)."""
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    rgb = np.repeat(gray[..., None], 3, axis=2)
    half = gray.shape[1] // 2
    rgb[:, :half, 2] = (gray[:, :half] * 0.75).astype(np.uint8)  # warm: less blue
    rgb[:, half:, 0] = (gray[:, half:] * 0.75).astype(np.uint8)  # cool: less red
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def titled(side: int) -> bytes:
    """A `side`-px gray PNG (`big_photo`'s) with a title on a light band near its foot."""
    image = Image.open(io.BytesIO(big_photo(side)))
    draw = ImageDraw.Draw(image)
    size = max(12, side // 40)
    top = side * 4 // 5
    draw.rectangle((side // 12, top, side * 2 // 3, top + 2 * size), fill=235)
    font = ImageFont.truetype(FONT, size) if Path(FONT).is_file() else None
    draw.text((side // 10, top + size // 3), "MOSKVA 1937", font=font, fill=20)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def peak_of(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of `argv` run from the repository."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def cli_peak(photo: Path, out: Path, weights: Path | None,
             extra: tuple[str, ...] = ()) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of the default colorize command on `photo`."""
    argv = [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--device", "cpu",
            str(photo), "-o", str(out), "--report", *extra]
    return peak_of(argv + (["--weights", str(weights)] if weights else []))


def big_rows(size: str, folder: Path, weights: Path | None) -> list[tuple[str, float, float, int]]:
    """(name, seconds, peak RSS MB, exit code) of colorize --report and check (of a colored
    copy) on a `size` ("WxH") photo, with --max-pixels raised to its pixel count."""
    width, height = (int(n) for n in size.lower().split("x"))
    data = big_photo(width, height)
    photo, color = folder / "huge.png", folder / "huge-color.png"
    photo.write_bytes(data)
    color.write_bytes(colored(data))
    cap = ("--max-pixels", str(width * height))
    rows = [(f"CLI colorize --report, {size}", *cli_peak(photo, folder / "huge-out", weights, cap))]
    argv = [sys.executable, "-m", "colorizer.apps.cli", "check", "--device", "cpu", str(color),
            "--json", str(color.with_suffix(".json")), *cap]
    seconds, peak, code = peak_of(argv + (["--weights", str(weights)] if weights else []))
    rows.append((f"CLI check (colored copy), {size}", seconds, peak,
                 0 if code in (0, 1) else code))
    deep = folder / "huge16.png"  # the same photo at 16 bits: float gray, 16-bit output
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L")).astype(np.uint16) * 257
    Image.fromarray(gray).save(deep, format="PNG")
    del gray
    rows.append((f"CLI colorize --report 16-bit, {size}",
                 *cli_peak(deep, folder / "huge16-out", weights, cap)))
    return rows


def check_peak(color: Path, gray: Path, weights: Path | None) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of `chronochrome check COLOR --original GRAY`
    (exit 0 or 1: no finding or findings)."""
    argv = [sys.executable, "-m", "colorizer.apps.cli", "check", "--device", "cpu",
            str(color), "--original", str(gray), "--json", str(color.with_suffix(".json"))]
    return peak_of(argv + (["--weights", str(weights)] if weights else []))


def ocr_peak(photo: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of `python -m context PHOTO` (OCR and cues)."""
    return peak_of([sys.executable, "-m", "context", str(photo)])


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
    parser.add_argument("--ocr-side", type=int, default=6000, help="long side of the OCR photo")
    parser.add_argument("--weights", type=Path, default=None, help="default: embedded weights")
    parser.add_argument("--no-service", action="store_true")
    parser.add_argument("--big", metavar="WxH", default=None,
                        help="also colorize and check a photo this size, over the default cap")
    args = parser.parse_args(argv)
    data = big_photo(args.side)
    rows = []

    def row(name: str, seconds: float, peak: float, status: str, capped: bool = True) -> None:
        # The 2 GB limit is for photos under the default cap; a --big photo is reported only.
        rows.append((name, seconds, peak if capped else 0.0, status))
        print(f"{name:40s} {seconds:7.1f} s  peak RSS {peak:6.0f} MB  {status}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        photo, color, text = Path(tmp) / "big.png", Path(tmp) / "color.png", Path(tmp) / "ocr.png"
        photo.write_bytes(data)
        color.write_bytes(colored(data))
        text.write_bytes(titled(args.ocr_side))
        print(f"photo: {args.side}x{args.side} gray PNG, {len(data) / 1024:.0f} KB", flush=True)
        seconds, peak, code = cli_peak(photo, Path(tmp) / "out", args.weights)
        row("CLI colorize --report (context on)", seconds, peak, f"exit {code}")
        seconds, peak, code = check_peak(color, photo, args.weights)
        row("CLI check --original (colored copy)", seconds, peak,
            "exit 0" if code in (0, 1) else f"exit {code}")
        seconds, peak, code = ocr_peak(text)
        row(f"OCR context, {args.ocr_side}-px titled photo", seconds, peak, f"exit {code}")
        if args.big:
            for name, seconds, peak, code in big_rows(args.big, Path(tmp), args.weights):
                row(name, seconds, peak, f"exit {code}", capped=False)
        if not args.no_service:
            (Path(tmp) / "svc").mkdir()
            seconds, peak, status = service_peak(data, Path(tmp) / "svc", args.weights)
            row("service job (upload, context on)", seconds, peak, status)
    worst = max(r[2] for r in rows)
    print(f"\nmax peak RSS {worst:.0f} MB (limit {LIMIT_MB} MB)")
    ok = worst <= LIMIT_MB and all(r[3] in ("exit 0", "done") for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
