"""Bad inputs for the command line, generated here and run as a user would run them.

    python -m eval.bad_inputs [--jobs 2] [--timeout 120] [--only WORD]

Every case is one `python -m colorizer.apps.cli ...` subprocess on files made in a temporary
folder: truncated, garbage and empty files, headers claiming huge dimensions, odd pixel modes,
bad flags and bad paths. Printed: the number of cases, tracebacks (must be 0), hangs (past the
per-case timeout; must be 0), peak RSS of each case (max must be <= 2 GB) and each case's
exit status and message. Exits 1 when a rule is broken.
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
MAX_RSS_MB = 2048
FAST = ["--no-context", "--no-exemplars", "--device", "cpu"]


@dataclass
class Case:
    name: str
    argv: list[str]


@dataclass
class Outcome:
    case: Case
    returncode: int | None  # None: killed at the timeout
    seconds: float
    rss_mb: float
    message: str
    traceback: bool


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims the size, with one tiny IDAT: the header alone is valid."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _gray(width: int = 48, height: int = 40) -> Image.Image:
    rng = np.random.default_rng(width * 7 + height)
    return Image.fromarray((rng.random((height, width)) * 255).astype(np.uint8))


def _file_cases(root: Path) -> dict[str, bytes]:
    """name -> bytes of every bad or odd file."""
    gray = _gray()
    files: dict[str, bytes] = {}
    for fmt, suffix in (("PNG", "png"), ("JPEG", "jpg"), ("TIFF", "tif"), ("GIF", "gif"),
                        ("WEBP", "webp"), ("BMP", "bmp")):
        whole = _encoded(gray, fmt)
        for cut in (0.1, 0.5, 0.9, 0.99):
            files[f"truncated-{int(cut * 100)}.{suffix}"] = whole[: max(1, int(len(whole) * cut))]
        files[f"empty.{suffix}"] = b""
        files[f"garbage.{suffix}"] = np.random.default_rng(1).bytes(4096)
        files[f"text.{suffix}"] = b"this is not an image\n" * 20
        files[f"flipped-bytes.{suffix}"] = bytes(b ^ 0x5A if i > 40 else b
                                                 for i, b in enumerate(whole))
    files["pdf.jpg"] = b"%PDF-1.4\n" + b"0" * 200
    files["heic.jpg"] = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200
    files["zip.png"] = b"PK\x03\x04" + b"\x00" * 200
    for w, h in ((100_000, 100_000), (1, 5000), (5000, 1), (1, 60_000), (60_000, 1),
                 (2**31 - 1, 1), (65_535, 65_535), (0, 10)):
        files[f"header-{w}x{h}.png"] = _png_header(w, h)
    files["strip-1x5000-real.png"] = _encoded(Image.new("L", (1, 5000), 90), "PNG")
    files["strip-5000x2-real.png"] = _encoded(Image.new("L", (5000, 2), 90), "PNG")
    jpeg = bytearray(_encoded(gray, "JPEG"))
    sof = jpeg.find(b"\xff\xc0")
    jpeg[sof + 5: sof + 9] = struct.pack(">HH", 65_000, 65_000)
    files["header-65000x65000.jpg"] = bytes(jpeg)
    files["header-huge.gif"] = b"GIF89a" + struct.pack("<HH", 65_535, 65_535) + b"\x00" * 50
    files["header-huge.bmp"] = (b"BM" + struct.pack("<IHHI", 0, 0, 0, 54)
                                + struct.pack("<IiiHHIIiiII", 40, 60_000, 60_000, 1, 24, 0, 0,
                                              0, 0, 0, 0))
    files.update(_mode_cases(gray))
    return files


def _mode_cases(gray: Image.Image) -> dict[str, bytes]:
    rgba = Image.new("RGBA", (30, 20), (10, 20, 30, 0))
    floats = np.linspace(0, 1, 40 * 48, dtype=np.float32).reshape(40, 48)
    out = {"mode-1.png": _encoded(gray.convert("1"), "PNG"),
           "mode-P.png": _encoded(gray.convert("P"), "PNG"),
           "mode-LA.png": _encoded(gray.convert("LA"), "PNG"),
           "mode-transparent.png": _encoded(rgba, "PNG"),
           "mode-I16.png": _encoded(gray.convert("I;16"), "PNG"),
           "mode-I.tif": _encoded(gray.convert("I"), "TIFF"),
           "mode-CMYK.jpg": _encoded(gray.convert("CMYK"), "JPEG"),
           "mode-1x1.png": _encoded(Image.new("L", (1, 1), 0), "PNG"),
           "mode-2x2.png": _encoded(Image.new("L", (2, 2), 255), "PNG"),
           "mode-F.tif": _encoded(Image.fromarray(floats * 1000, "F"), "TIFF")}
    for label, bad in (("nan-one", (3, 4)), ("inf", (0, 0)), ("nan-all", None)):
        values = floats.copy()
        if bad is None:
            values[:] = np.nan
        else:
            values[bad] = np.inf if label == "inf" else np.nan
        out[f"mode-F-{label}.tif"] = _encoded(Image.fromarray(values, "F"), "TIFF")
    frames = [_gray(30, 20), _gray(31, 20)]
    out["mode-animated.gif"] = _encoded(frames[0], "GIF", save_all=True,
                                        append_images=frames[1:])
    out["mode-pages.tif"] = _encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    return out


def _path_cases(root: Path, good: Path) -> list[Case]:
    inp, out = root / "in", str(root / "out")
    (root / "empty-dir").mkdir()
    (root / "text-only-dir").mkdir()
    (root / "text-only-dir" / "readme.txt").write_text("no images")
    os.mkfifo(inp / "fifo.png")
    (inp / "zero.png").symlink_to("/dev/zero")
    (inp / "dangling.png").symlink_to(root / "gone.png")
    (inp / "loop.png").symlink_to(inp / "loop.png")
    long = inp / ("l" * 250 + ".png")
    long.write_bytes(good.read_bytes())
    odd = inp / "new\nline ünï.png"
    odd.write_bytes(good.read_bytes())
    (root / "a-file").write_text("mine")
    colorize = ["colorize", *FAST]
    return [Case(name, colorize + args) for name, args in [
        ("missing-file", [str(root / "nope.png"), "-o", out]),
        ("empty-dir", [str(root / "empty-dir"), "-o", out]),
        ("text-only-dir", [str(root / "text-only-dir"), "-o", out]),
        ("fifo", [str(inp / "fifo.png"), "-o", out]),
        ("dev-zero-link", [str(inp / "zero.png"), "-o", out]),
        ("dev-null", ["/dev/null", "-o", out]),
        ("dangling-link", [str(inp / "dangling.png"), str(good), "-o", out]),
        ("looping-link", [str(inp / "loop.png"), str(good), "-o", out]),
        ("long-name", [str(long), "-o", out, "--report"]),
        ("odd-name", [str(odd), "-o", out]),
        ("outdir-is-file", [str(good), "-o", str(root / "a-file")]),
        ("outdir-under-file", [str(good), "-o", str(root / "a-file" / "sub")]),
        ("outdir-in-proc", [str(good), "-o", "/proc/chronochrome-out"]),
        ("outdir-is-input-folder", [str(good.parent), "-o", str(good.parent)]),
        ("no-inputs", ["-o", out]),
        ("no-outdir", [str(good)]),
        ("input-is-folder-file-mix", [str(good), str(root / "empty-dir"), "-o", out]),
    ]]


def _flag_cases(root: Path, good: Path, color: Path) -> list[Case]:
    base = ["colorize", *FAST, str(good), "-o", str(root / "out-flags")]
    flags = [["--render-size", v] for v in ("0", "-5", "15", "99999", "abc", "1e9")]
    flags += [["--chroma-scale", v] for v in ("-1", "nan", "inf", "x")]
    flags += [["--temperature", v] for v in ("-1", "0", "nan", "-inf")]
    flags += [["--max-pixels", v] for v in ("0", "-1", "abc", "10")]
    flags += [["--exemplar-transfer", "2"], ["--retrieved-transfer", "-1"], ["--format", "bmp"],
              ["--device", "tpu"], ["--device", "cuda"], ["--weights", str(root / "nope")],
              ["--weights", str(good)], ["--exemplar", str(root / "nope.jpg")],
              ["--exemplar", str(good)], ["--exemplar", str(root / "in" / "garbage.png")],
              ["--exemplar", str(color), "--exemplar-transfer", "nan"], ["--bogus-flag"],
              ["--hint", "\x01\x7f ' \" ; rm -rf"], ["--caption", "x" * 100_000]]
    cases = [Case("flag " + " ".join(Path(v).name if "/" in v else v[:20] for v in f),
                  base + f) for f in flags]
    bad_json = root / "bad.json"
    bad_json.write_text("{not json")
    unknown = root / "unknown.json"
    unknown.write_text('{"no_such_key": 1}')
    cases += [Case("train-missing-config", ["train", "--config", "configs/train/nope.json"]),
              Case("train-garbage-config", ["train", "--config", str(bad_json)]),
              Case("train-unknown-key", ["train", "--config", str(unknown)]),
              Case("no-command", []), Case("unknown-command", ["paint"]),
              Case("context-garbage", ["context", str(root / "in" / "garbage.png")])]
    return cases


def build_cases(root: Path) -> list[Case]:
    """Write the bad files under `root` and return every case."""
    inp = root / "in"
    inp.mkdir(parents=True)
    good = inp / "good.png"
    _gray().save(good)
    color = root / "color.jpg"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(color)
    cases = []
    for name, data in _file_cases(root).items():
        (inp / name).write_bytes(data)
        cases.append(Case(f"file {name}", ["colorize", *FAST, str(inp / name), "-o",
                                           str(root / "out-files")]))
    # The default command, context on: the scene classifier and OCR see these too.
    for name in ("strip-1x5000-real.png", "strip-5000x2-real.png", "mode-F-nan-one.tif"):
        cases.append(Case(f"context {name}", ["colorize", "--device", "cpu", str(inp / name),
                                              "-o", str(root / "out-context")]))
    return cases + _path_cases(root, good) + _flag_cases(root, good, color)


def run_case(case: Case, timeout: float) -> Outcome:
    """One subprocess; its own peak RSS from wait4, killed at `timeout` seconds."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "colorizer.apps.cli", *case.argv],
                                stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                                env=env, cwd=tempfile.gettempdir())
        status, usage = None, None
        while time.perf_counter() - start < timeout:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        else:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            status = None
        proc.returncode = 0  # reaped by wait4: keep Popen from waiting again
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    message = next((line for line in lines if "error:" in line), lines[-1] if lines else "")
    return Outcome(case, None if status is None else os.waitstatus_to_exitcode(status),
                   time.perf_counter() - start, usage.ru_maxrss / 1024, message[:160],
                   "Traceback (most recent call last)" in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per case")
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bad-inputs-") as tmp:
        cases = [c for c in build_cases(Path(tmp)) if args.only in c.name]
        outcomes = []
        with ThreadPoolExecutor(args.jobs) as pool:
            for o in pool.map(lambda c: run_case(c, args.timeout), cases):
                outcomes.append(o)
                rc = "HANG" if o.returncode is None else o.returncode
                flag = " TRACEBACK" if o.traceback else ""
                print(f"{o.case.name[:44]:44s} rc={rc!s:4s} {o.seconds:6.1f} s "
                      f"{o.rss_mb:7.0f} MB{flag}  {o.message}", flush=True)
    tracebacks = sum(o.traceback for o in outcomes)
    hangs = sum(o.returncode is None for o in outcomes)
    peak = max((o.rss_mb for o in outcomes), default=0.0)
    print(f"\ncases: {len(outcomes)}  tracebacks: {tracebacks}  hangs: {hangs}  "
          f"peak RSS: max {peak:.0f} MB, median "
          f"{float(np.median([o.rss_mb for o in outcomes] or [0])):.0f} MB "
          f"(limit {MAX_RSS_MB} MB)")
    return 1 if tracebacks or hangs or peak > MAX_RSS_MB else 0


if __name__ == "__main__":
    sys.exit(main())
