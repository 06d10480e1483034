"""Speed benchmark: seconds per 512-px photo on the CPU, images per second on a GPU.

    python -m eval.bench_speed                    # CPU (2 threads), plus CUDA when present
    python -m eval.bench_speed --device cuda --batch 16

CPU: the median wall time of the full pipeline (load, model, chroma upsampling and the
luminance-keeping merge; no context inference) on one gray size x size image, after one
warm-up call. CUDA: also the pipeline's median latency, and the throughput of the generator
alone (forward and decode) on batches of L* under `torch.inference_mode` and bf16 autocast.
Figures go to `<out>/speed.json`, one section per device, so a GPU run does not overwrite
the CPU figures measured on another machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator, GeneratorConfig
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, ColorizationPipeline
from colorizer.pipeline.result import ModelInfo
from eval.common import parse_eval_args
from retrieval.types import RetrievedExemplar

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "eval" / "results"
CPU_THREADS = 2  # the deployment target: a 2-core CPU
CONTEXT_HINT = "USSR 1950"  # the hint of the "with context and retrieval" case


def synthetic_gray(size: int, seed: int = 0) -> Image.Image:
    """A deterministic gray photo stand-in: smooth gradients plus texture (8-bit, 'L').

    Content barely changes the model's cost; it changes the merge's, which bisects chroma
    only where a pixel is out of gamut, so the image spans dark to bright like a photo.
    """
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    base = 0.5 + 0.35 * np.sin(3 * np.pi * x) * np.cos(2 * np.pi * y)
    noise = rng.normal(0, 0.08, (size, size))
    return Image.fromarray((np.clip(base + noise, 0, 1) * 255).astype(np.uint8), "L")


def load_pipeline(weights: Path | None, device: str) -> ColorizationPipeline:
    """The pipeline on `device`: given weights, else the default ones, else random weights."""
    if weights is not None or (DEFAULT_WEIGHTS / WEIGHTS_FILE).is_file():
        return ColorizationPipeline.from_pretrained(weights, device=device, context=False,
                                                    exemplars=False)
    # Speed does not depend on the weights' values: a random default-size model will do.
    torch.manual_seed(0)
    info = ModelInfo(name="random-init", version="none", sha256="", path="")
    return ColorizationPipeline(ColorGenerator(GeneratorConfig()), info, device=device)


def color_exemplars(count: int) -> list:
    """`count` synthetic color reference photos (as the user's --exemplar would give)."""
    from colorizer.pipeline.guidance import UserExemplar

    refs = []
    for k in range(count):
        gray = np.asarray(synthetic_gray(256, seed=k + 1), dtype=np.float32) / 255.0
        rgb = np.stack([gray, gray * 0.6 + 0.2 * (k % 2), 1 - gray], -1)
        refs.append(UserExemplar(f"synthetic-{k}", Image.fromarray((rgb * 255).astype(np.uint8)),
                                 None))
    return refs


def retrieved_flags(count: int, folder: Path) -> list[RetrievedExemplar]:
    """`count` rendered flags written to `folder`, as retrieval returns them for a hint. None
    of them is in the synthetic photo: the presence test turns each down, the common case
    for an archive's photos."""
    from retrieval.render import render_flag
    from retrieval.types import Exemplar, NamedColor

    colors = (NamedColor("red", "#CC0000"), NamedColor("white", "#FFFFFF"),
              NamedColor("blue", "#0039A6"))
    records = []
    for k in range(count):
        order = [c.name for c in colors[k % 3:] + colors[:k % 3]]
        design = {"ratio": [2, 3], "stripes": {"dir": "hv"[k % 2], "colors": order}}
        path = folder / f"flag-{k}.png"
        render_flag(design, colors, f"bench-{k}").save(path)
        exemplar = Exemplar(f"bench-flag-{k}", "flag", f"bench-flag-{k}", 1900, 2000, (),
                            colors, "synthetic", "synthetic", str(path))
        records.append(RetrievedExemplar(exemplar, 0.7, {}, (), str(path)))
    return records


def time_pipeline(pipe: ColorizationPipeline, size: int, repeats: int,
                  exemplars: list | None = None, hints: str | None = None) -> list[float]:
    """Wall seconds of `repeats` fresh pipeline calls on one size x size image (after a
    warm-up). The edit cache is emptied before each call: a re-run of the same photo would
    otherwise reuse the first run's context, retrieval and prediction (an edit's cost, not a
    photo's)."""
    image = synthetic_gray(size)
    exemplars = exemplars or []
    pipe(image, exemplars=exemplars, hints=hints)  # warm-up: allocator, lazy initialisation
    times = []
    for _ in range(repeats):
        pipe.edits.clear()
        start = time.perf_counter()
        pipe(image, exemplars=exemplars, hints=hints)
        if pipe.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


@torch.inference_mode()
def generator_throughput(generator: torch.nn.Module, size: int, batch: int, iterations: int,
                         bf16: bool) -> float:
    """Images per second of the generator alone (logits and decoded ab) on CUDA batches."""
    device = next(generator.parameters()).device
    lightness = torch.rand(batch, 1, size, size, device=device) * 100  # (B, 1, H, W) L*
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
        for _ in range(3):  # warm-up: cuDNN autotuning, allocator
            generator.decode(generator.forward_logits(lightness)[0])
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(iterations):
            generator.decode(generator.forward_logits(lightness)[0])
        torch.cuda.synchronize()
    return batch * iterations / (time.perf_counter() - start)


def bench_cpu(weights: Path | None, size: int, repeats: int, threads: int) -> dict[str, Any]:
    # Other processes on the cores make OpenMP threads wait for each other: several times
    # slower, not a little. Say so instead of reporting a figure that is not comparable.
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run: other processes share the "
              "CPU, so this figure is not comparable with one taken on an idle machine",
              file=sys.stderr)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        pipe = load_pipeline(weights, "cpu")
        times = time_pipeline(pipe, size, repeats)
        count = pipe.config.max_exemplars
        guided = time_pipeline(pipe, size, repeats, color_exemplars(count))
        with tempfile.TemporaryDirectory() as folder:
            flags = retrieved_flags(count, Path(folder))
            retrieving = ColorizationPipeline(pipe.generator, pipe.model_info, pipe.config,
                                              device="cpu",
                                              exemplar_fn=lambda context, gray, hints: flags)
            retrieved = time_pipeline(retrieving, size, repeats)
        # What a user gets by default: OCR, scene cues, the hint read, flags retrieved and
        # looked for in the photo.
        full = ColorizationPipeline.from_pretrained(weights, device="cpu")
        with_context = time_pipeline(full, size, repeats, hints=CONTEXT_HINT)
    finally:
        torch.set_num_threads(previous)  # leave a calling process (tests, the CLI) as it was
    median, median_guided = statistics.median(times), statistics.median(guided)
    median_retrieved = statistics.median(retrieved)
    median_context = statistics.median(with_context)
    print(f"cpu {size}px: median {median:.2f} s/image (n={repeats}, threads={threads})")
    print(f"cpu {size}px with {count} exemplars of the user's (direct transfer): median "
          f"{median_guided:.2f} s/image")
    print(f"cpu {size}px with {count} retrieved flags not in the photo: median "
          f"{median_retrieved:.2f} s/image")
    print(f"cpu {size}px with context and retrieval (hint {CONTEXT_HINT!r}): median "
          f"{median_context:.2f} s/image")
    return {"size": size, "threads": threads, "repeats": repeats, "median_s": median,
            "times_s": times, "median_s_with_exemplars": median_guided,
            "median_s_with_retrieved_absent": median_retrieved,
            "median_s_with_context": median_context, "context_hint": CONTEXT_HINT,
            "exemplars": pipe.config.max_exemplars, "model": pipe.model_info.to_dict(),
            "load_average_before": round(load, 2),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count()}


def bench_cuda(weights: Path | None, size: int, repeats: int, batch: int,
               bf16: bool) -> dict[str, Any]:
    pipe = load_pipeline(weights, "cuda")
    median = statistics.median(time_pipeline(pipe, size, repeats))
    rate = generator_throughput(pipe.generator, size, batch, max(5, repeats), bf16)
    dtype = "bf16" if bf16 else "fp32"
    print(f"cuda {size}px: median {median:.3f} s/image through the pipeline (n={repeats})")
    print(f"cuda {size}px: {rate:.1f} images/s (generator, batch {batch}, {dtype})")
    return {"size": size, "repeats": repeats, "pipeline_median_s": median,
            "images_per_s": rate, "batch": batch, "dtype": dtype,
            "gpu": torch.cuda.get_device_name(), "model": pipe.model_info.to_dict()}


def write_speed(sections: dict[str, dict[str, Any]], path: Path) -> None:
    """Merge the measured device sections into `path`, keeping the others it holds."""
    data = json.loads(path.read_text()) if path.is_file() else {}
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    for name, figures in sections.items():
        data[name] = {**figures, "measured_at": stamp, "torch": torch.__version__}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.bench_speed",
                                description=__doc__.split("\n")[0])
    p.add_argument("--weights", type=Path, default=None,
                   help="model folder (default: embedded weights, else a random model)")
    p.add_argument("--size", type=int, default=512, help="square image side in px")
    p.add_argument("--repeats", type=int, default=7, help="timed calls after one warm-up")
    p.add_argument("--threads", type=int, default=CPU_THREADS, help="CPU threads")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto: CPU, plus CUDA when available")
    p.add_argument("--batch", type=int, default=16, help="CUDA throughput batch size")
    p.add_argument("--no-bf16", dest="bf16", action="store_false",
                   help="CUDA throughput in fp32 instead of bf16 autocast")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="speed.json goes here")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m eval.bench_speed` and `python -m eval bench`."""
    args = parse_eval_args(build_parser(), argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda but no CUDA device is available: use --device cpu",
              file=sys.stderr)
        return 2
    sections = {}
    if args.device in ("auto", "cpu"):
        sections["cpu"] = bench_cpu(args.weights, args.size, args.repeats, args.threads)
    if args.device in ("auto", "cuda") and torch.cuda.is_available():
        sections["cuda"] = bench_cuda(args.weights, args.size, args.repeats, args.batch,
                                      args.bf16)
    write_speed(sections, args.out / "speed.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
