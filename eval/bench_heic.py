"""How long a phone's HEIC takes to load, and the memory it takes, at 8, 10 and 12 bits.

    python -m eval.bench_heic                       # 3024 x 2016 HEICs made in a temp folder
    python -m eval.bench_heic --folder DIR --runs 5 # HEICs made once into DIR, kept, reused
    python -m eval.bench_heic --code /tmp/head      # the loader of another checkout (a
                                                    # `git archive HEAD` copy), to compare

Four HEICs as an iPhone writes them (lossy, 4:2:0) are made with pillow-heif's encoder, a
smooth photo-like scene with grain: 10-bit in Display P3, 10-bit with no profile, 8-bit in
Display P3, and 12-bit in Display P3 (about 30 s each on 2 cores; --folder keeps them). Each
is loaded by `colorizer.pipeline.imageio.load_image` in a fresh process, `--runs` times: the
fastest load (imports not counted) and the peak RSS above the process's RSS before the load
are printed, with the pixels' type and a hash of them (to tell two checkouts' reads apart).

On 2026-12-07 (2 shared cores under a load of ~19; bopb__old_a of real-color-dev upscaled to
3024 x 2016, same four kinds; fastest of 3 loads, interleaved), before 10/12-bit kept its
depth (8-bit pixels) -> decoded twice (the plugin at 8 bits, heif_depth at 16) -> decoded
once (heif_deep_plugin.py, with table lookups and in-place float32 in heif_depth/icc_matrix):
10-bit P3 3.76 s +106 MB -> 7.58 s +247 MB -> 4.64 s +195 MB; 10-bit no profile 3.58 s +82 MB
-> 5.48 s +214 MB -> 3.95 s +190 MB; 12-bit P3 3.65 s +106 MB -> 7.60 s +247 MB -> 4.29 s
+195 MB; 8-bit P3 (read as before throughout) 3.09 / 4.05 / 3.78 s, +106 MB. The float32
pixels themselves are 73 MB of the deep reads' memory. The pixels were identical (hashes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_REPO = Path(__file__).resolve().parent.parent
# (file name, bit depth, Display P3 profile)
_HEICS = (("p3_10bit.heic", 10, True), ("plain_10bit.heic", 10, False),
          ("p3_8bit.heic", 8, True), ("p3_12bit.heic", 12, True))
_LOAD = """
import hashlib, json, resource, sys, time
from colorizer.pipeline.imageio import load_image
import pillow_heif
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
before, start = rss(), time.perf_counter()
pixels = load_image(sys.argv[1]).pixels
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": (peak - before) / 1024,
                  "dtype": str(pixels.dtype),
                  "sha": hashlib.sha256(pixels.tobytes()).hexdigest()[:12]}))
"""


def scene(width: int, height: int) -> np.ndarray:
    """(H, W, 3) float in [0, 1]: a sky-to-ground gradient, soft discs, film grain."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    t = (y / height)[..., None]
    rgb = (1 - t) * np.array([0.55, 0.70, 0.90]) + t * np.array([0.45, 0.35, 0.20])
    rng = np.random.default_rng(0)
    for cx, cy, r, color in zip(rng.uniform(0, width, 12), rng.uniform(0, height, 12),
                                rng.uniform(0.03, 0.15, 12) * width, rng.random((12, 3)),
                                strict=True):
        weight = np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))[..., None]
        rgb = rgb * (1 - weight) + color * weight
    return np.clip(rgb + rng.normal(0, 0.006, rgb.shape), 0, 1)


def make_heics(folder: Path, width: int, height: int) -> list[Path]:
    """The four HEICs of the module docstring, made into `folder` where not there yet."""
    import pillow_heif

    from tests.heic_files import display_p3

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name, _, _ in _HEICS]
    if all(path.exists() for path in paths):
        return paths
    rgb = scene(width, height)
    for path, (_, depth, p3) in zip(paths, _HEICS, strict=True):
        top = (1 << depth) - 1
        values = np.round(rgb * top).astype(np.uint16)
        mode = "RGB" if depth == 8 else "RGB;16"
        data = values.astype(np.uint8) if depth == 8 else values << (16 - depth)
        heif = pillow_heif.from_bytes(mode=mode, size=(width, height), data=data.tobytes())
        pillow_heif.options.SAVE_HDR_TO_12_BIT = depth == 12
        heif.save(path, quality=90, **({"icc_profile": display_p3()} if p3 else {}))
    pillow_heif.options.SAVE_HDR_TO_12_BIT = False
    return paths


def load_figures(path: Path, code: Path, runs: int) -> dict:
    """The fastest of `runs` loads in fresh processes, and the largest peak above the start."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _LOAD, str(path)], env=env, cwd=code,
                              capture_output=True, text=True, timeout=600, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"seconds": min(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results),
            "dtype": results[0]["dtype"], "sha": results[0]["sha"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_heic", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="make the HEICs here once, and reuse them")
    parser.add_argument("--size", default="3024x2016", help="WxH of the HEICs made")
    parser.add_argument("--runs", type=int, default=3, help="loads of each file")
    parser.add_argument("--code", type=Path, default=_REPO, help="checkout whose loader runs")
    args = parser.parse_args(argv)
    width, height = (int(side) for side in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        paths = make_heics(args.folder or Path(scratch), width, height)
        print(f"loader: {args.code}  ({args.runs} runs, fastest load, largest peak)")
        for path in paths:
            figures = load_figures(path, args.code.resolve(), args.runs)
            print(f"{path.name:18} {figures['seconds']:6.2f} s  +{figures['peak_mb']:5.0f} MB"
                  f"  {figures['dtype']:8} pixels {figures['sha']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
