"""Throughput benchmark (#21): photos per second, JPEG in to JPEG out, through the batch writer.

    python -m eval.bench_throughput                       # CPU: local and Ray (2 workers)
    python -m eval.bench_throughput --engines local --context on \
        --photos-from ../shared/datasets/historical-bw    # seconds per real 640-px photo
    python -m eval.bench_throughput --device cuda --batch-size 32 --threads 4 --engines local
    bash scripts/gpu_throughput.sh                        # the GPU run, in one command

`--photos` gray JPEGs of `--size` px long side (640 x 480 synthetic ones; or the first photos
of `--photos-from`, shrunk to that size, so that text detection and reading meet real content)
are colorized into a temporary folder by `BatchColorizer` (engine local) or
`RayBatchColorizer` (engine ray), without and with context and retrieval (hint "USSR 1950").
Figures per case:
- photos/s: the photos after the first arrival / the time from it to the last, i.e. the
  steady rate once models are loaded and the first batch is through (Ray returns photos a
  block at a time: the first block's photos are left out); end to end: N / the whole wall
  time, start-up included;
- start s: from asking for the engine to the first photo written (model loading, Ray's
  start, a compile);
- s/photo after start-up: wall seconds per photo from the first photo written to the last
  (Ray: 1 / the steady rate), and (local engine) this process's CPU seconds over the same
  photos, all threads counted.
  On a shared, loaded machine the wall figure measures the other work as much as ours; the
  CPU figure is what holds (what the photos cost a machine of their own).
Figures go to `--out` (eval/results/throughput.json), one section per device, merged with
what is there: a GPU run does not overwrite the CPU figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.common import parse_eval_args

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "eval" / "results" / "throughput.json"
HINT = "USSR 1950"


def write_photos(folder: Path, count: int, size: int, source: Path | None = None) -> Path:
    """`count` gray JPEGs of `size` px long side: synthetic, or `source`'s first photos."""
    from PIL import Image

    from eval.bench_speed import synthetic_gray

    folder.mkdir(parents=True, exist_ok=True)
    real = sorted(p for p in source.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")
                  )[:count] if source else []
    if source and len(real) < count:
        raise SystemExit(f"--photos-from {source}: {len(real)} photos, fewer than --photos "
                         f"{count}")
    for k in range(count):
        if real:
            photo = Image.open(real[k]).convert("L")
            photo.thumbnail((size, size))
        else:
            photo = synthetic_gray(size, seed=k).crop((0, 0, size, size * 3 // 4))
        photo.save(folder / f"photo-{k:04d}.jpg", quality=90)
    return folder


def steady_rate(stamps: list[float], burst_s: float = 0.05) -> float | None:
    """Photos per second after the first arrival. Ray returns photos a block at a time: the
    photos of the first burst are not counted against the time after it. None when every
    photo came in that first burst (use more photos)."""
    first = sum(t - stamps[0] <= burst_s for t in stamps)
    if first == len(stamps):
        return None
    return round((len(stamps) - first) / (stamps[-1] - stamps[0]), 3)


def run_case(engine: str, context: bool, photos: Path, args: argparse.Namespace
             ) -> dict[str, Any]:
    """Colorize every photo of `photos` once; the case's figures."""
    from colorizer.apps.engines import PipelineSpec, make_batch

    spec = PipelineSpec(args.weights, args.device, context=context, exemplars=context,
                        precision=args.precision, compile=args.compile)
    stamps: list[float] = []
    cpu: list[float] = []  # this process's CPU seconds at each photo written

    def arrived(item) -> None:
        stamps.append(time.perf_counter())
        cpu.append(time.process_time())

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        local = engine == "local"
        batch = make_batch(spec, Path(out), "jpg", engine=engine,
                           workers=None if local else args.workers,
                           batch_size=args.batch_size, threads=args.threads if local else None,
                           torch_threads=args.torch_threads if local else None)
        summary = batch.run([photos], hints=HINT if context else None, on_item=arrived)
        wall = time.perf_counter() - start
    if summary.failed:
        raise RuntimeError(f"{len(summary.failed)} photos failed: {summary.failed[0].message}")
    figures = {"engine": engine, "context": context, "photos": len(stamps),
               "photos_per_s": steady_rate(stamps), "end_to_end_photos_per_s":
               round(len(stamps) / wall, 3), "start_s": round(stamps[0] - start, 2),
               "wall_s": round(wall, 2), **per_photo(stamps, cpu if local else None)}
    if not local:  # photos come back a block at a time: the steady rate says it better
        steady = figures["photos_per_s"]
        figures["s_per_photo"] = round(1 / steady, 3) if steady else None
    pipe = getattr(batch, "pipeline", None)
    if pipe is not None:  # the local engine: what the generator ran as
        figures.update(precision=pipe.runner.precision, compiled=pipe.runner.compiled,
                       batch_size=batch.batch_size, threads=batch.threads,
                       torch_threads=batch.torch_threads,
                       batches=dict(sorted(pipe.runner.batches.items())))
    return figures


def per_photo(stamps: list[float], cpu: list[float] | None) -> dict[str, float | None]:
    """Wall (and CPU) seconds per photo after start-up: from the first photo written to the
    last. The CPU figure is this process's (all its threads); None for Ray, whose photos
    are computed in other processes."""
    n = len(stamps) - 1
    if n < 1:
        return {"s_per_photo": None, "cpu_s_per_photo": None}
    return {"s_per_photo": round((stamps[-1] - stamps[0]) / n, 3),
            "cpu_s_per_photo": round((cpu[-1] - cpu[0]) / n, 3) if cpu else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--photos", type=int, default=24, help="photos per case")
    parser.add_argument("--size", type=int, default=640, help="long side of each photo (px)")
    parser.add_argument("--photos-from", type=Path, default=None, metavar="DIR",
                        help="real photos (their first --photos, shrunk to --size) instead of "
                             "synthetic ones")
    parser.add_argument("--engines", default="local,ray", help="comma-separated: local, ray")
    parser.add_argument("--context", default="off,on", help="comma-separated: off, on")
    parser.add_argument("--workers", type=int, default=2, help="Ray workers")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="local engine's threads")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="local engine's torch threads (default: the batch's, 1 on the CPU)")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--weights", type=Path, default=None)
    parser.add_argument("--label", default=None, help="section name (default: the device)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parse_eval_args(parser, argv, out_is_folder=False)
    load = os.getloadavg()[0]
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        photos = write_photos(Path(tmp) / "in", args.photos, args.size, args.photos_from)
        for engine in args.engines.split(","):
            for context in args.context.split(","):
                try:
                    figures = run_case(engine, context == "on", photos, args)
                except Exception as exc:  # noqa: BLE001 - a case that cannot run is reported
                    figures = {"engine": engine, "context": context == "on",
                               "error": f"{type(exc).__name__}: {exc}"}
                cases.append(figures)
                print(json.dumps(figures), flush=True)
    _report(cases, args, load)
    return 0


def _report(cases: list[dict[str, Any]], args: argparse.Namespace, load: float) -> None:
    import torch

    device = args.device
    if device == "cuda" and torch.cuda.is_available():
        device = f"cuda ({torch.cuda.get_device_name()})"
    content = f"photos of {args.photos_from}" if args.photos_from else "synthetic photos"
    print(f"\nthroughput at {args.size} px, JPEG in to JPEG out, {args.photos} {content}, "
          f"device {device} (load average before: {load:.1f} on {os.cpu_count()} cores)")
    for case in cases:
        label = f"{case['engine']:5s} {'with' if case['context'] else 'without'} context"
        if "error" in case:
            print(f"  {label}: could not run: {case['error']}")
        else:
            steady = case["photos_per_s"]
            print(f"  {label}: {'n/a' if steady is None else f'{steady:.2f}'} photos/s "
                  f"steady, {case['end_to_end_photos_per_s']:.2f} end to end "
                  f"(first photo after {case['start_s']:.1f} s)")
            if case.get("s_per_photo") is not None:
                cpu = case.get("cpu_s_per_photo")
                print(f"  {'':5s} after start-up: {case['s_per_photo']:.3f} s per photo wall"
                      + (f", {cpu:.3f} s CPU (this process, all threads)" if cpu is not None
                         else ""))
    if not torch.cuda.is_available():
        print("  GPU: no GPU at hand, no GPU figures (run with --device cuda on a GPU "
              "machine: scripts/gpu_throughput.sh)")
    data = json.loads(args.out.read_text()) if args.out.is_file() else {}
    data[args.label or args.device] = {
        "cases": cases, "size": args.size, "photos": args.photos, "device": device,
        "load_average_before": round(load, 2), "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(), "torch": torch.__version__,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
