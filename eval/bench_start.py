"""Start-up benchmark (#21): how soon the command line answers and the first photo is done.

    python -m eval.bench_start                 # figures printed, eval/results/start.json
    python -m eval.bench_start --photos 10 --size 640

Each figure is the wall time of a fresh `chronochrome` process (python -m colorizer.apps.cli),
as a user meets it:
- `--help` and an argument error (median of `--repeats` runs): the targets are 0.3 s on the
  2-core CPU, reached by importing neither torch nor numpy for them (tests/test_fast_start.py);
- one photo of `--size` px colorized with context and retrieval (the default) and without;
- `--photos` photos in one process: (time for N - time for 1) / (N - 1) is the cost of a photo
  after start-up (target: 1 s per 640-px photo with context);
- `chronochrome serve` and `chronochrome web` from their start to the first 200 on /readyz
  (the service loads its pipeline before it listens) and on / (the workbench page).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.common import parse_eval_args

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "eval" / "results" / "start.json"


def _wall(argv: list[str]) -> float:
    """Seconds for one fresh `chronochrome ARGV` process (its exit code is not checked here:
    an argument error exits 2 on purpose)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *argv], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _colorize(photos: list[Path], out: Path, context: bool) -> float:
    flags = [] if context else ["--no-context", "--no-exemplars"]
    seconds = _wall(["colorize", *map(str, photos), "-o", str(out), "--device", "cpu",
                     "--format", "jpg", *flags])
    written = len(list(out.glob("*.jpg")))
    if written != len(photos):
        raise RuntimeError(f"{written} of {len(photos)} photos written into {out}: run the "
                           "command by hand to see why")
    return seconds


def _first_200(argv: list[str], route: str, folder: Path) -> float:
    """Seconds from starting a `chronochrome ARGV --port P` server to its first 200 on
    `route`; the server is stopped after."""
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    with open(folder / "server.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "colorizer.apps.cli", *argv, "--port",
                                 str(port)], env=env, stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
    try:
        while proc.poll() is None and time.perf_counter() - start < 300:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{route}", timeout=5) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"chronochrome {argv[0]} gave no 200 on {route} (see "
                           f"{folder / 'server.log'})")
    finally:
        proc.terminate()
        proc.wait(30)


def _photos(folder: Path, count: int, size: int) -> list[Path]:
    from eval.bench_speed import synthetic_gray

    paths = []
    for k in range(count):
        path = folder / f"photo-{k:02d}.jpg"
        synthetic_gray(size, seed=k).crop((0, 0, size, size * 3 // 4)).save(path, quality=90)
        paths.append(path)
    return paths


def measure(repeats: int, count: int, size: int) -> dict[str, float]:
    figures = {"help_s": statistics.median(_wall(["--help"]) for _ in range(repeats)),
               "argument_error_s": statistics.median(
                   _wall(["colorize", "--format", "bmp", "x.jpg"]) for _ in range(repeats))}
    with tempfile.TemporaryDirectory() as tmp:
        photos = _photos(Path(tmp), count, size)
        for context in (False, True):
            name = "context" if context else "no_context"
            one = _colorize(photos[:1], Path(tmp) / f"one-{name}", context)
            many = _colorize(photos, Path(tmp) / f"many-{name}", context)
            figures[f"first_photo_{name}_s"] = one
            figures[f"per_photo_after_start_{name}_s"] = (many - one) / max(1, count - 1)
        figures["serve_first_200_s"] = _first_200(
            ["serve", "--data-dir", str(Path(tmp) / "service"), "--device", "cpu"], "/readyz",
            Path(tmp))
        figures["web_first_200_s"] = _first_200(["web", "--device", "cpu"], "/", Path(tmp))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_start", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="runs of --help (median)")
    parser.add_argument("--photos", type=int, default=10, help="photos in the batch run")
    parser.add_argument("--size", type=int, default=640, help="long side of each photo (px)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON written here")
    args = parse_eval_args(parser, argv, out_is_folder=False)
    load = os.getloadavg()[0]
    figures = measure(args.repeats, args.photos, args.size)
    print(f"chronochrome --help: {figures['help_s']:.2f} s (median of {args.repeats}; "
          f"target 0.3 s)")
    print(f"argument error: {figures['argument_error_s']:.2f} s")
    for name, label in (("no_context", "without context"), ("context", "with context")):
        print(f"{label}: first {args.size}-px photo {figures[f'first_photo_{name}_s']:.2f} s "
              f"from the start; then {figures[f'per_photo_after_start_{name}_s']:.2f} s per "
              f"photo ({args.photos} photos)")
    print(f"serve: first 200 on /readyz after {figures['serve_first_200_s']:.2f} s; web: "
          f"first 200 on / after {figures['web_first_200_s']:.2f} s")
    print(f"load average before the run: {load:.1f} (2 cores: above 1, figures are slower)")
    record = {**{k: round(v, 3) for k, v in figures.items()}, "photos": args.photos,
              "size": args.size, "repeats": args.repeats, "load_average_before": round(load, 2),
              "cpu_count": os.cpu_count()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
