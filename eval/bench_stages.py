"""Where a photo's time goes with context on (#21): wall and CPU seconds per stage.

    python -m eval.bench_stages --photos-from ../shared/datasets/historical-bw --photos 12

The photos (gray, shrunk to `--size` px long side; synthetic without `--photos-from`) go
through the local batch engine with context and retrieval (hint "USSR 1950"); each stage's
calls are timed in wall seconds and in this process's CPU seconds (`time.process_time`, all
threads: the text detector's and Tesseract's count). On a shared, loaded machine the wall
figures measure the other work as much as ours; the CPU figures are what holds. Stages nest:
"context" holds "ocr" and "scene", "ocr" holds "detector". The first photo (start-up: models
loading, Tesseract's models) is left out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eval.bench_throughput import HINT, write_photos

Totals = dict[str, list[float]]  # stage -> [wall s, cpu s, calls]


def _stages() -> list[tuple[object, str, str]]:
    """(owner, method, stage name) of every timed call."""
    import colorizer.model.visual_embedder as visual
    from colorizer.apps import stages
    from colorizer.pipeline.colorization import ColorizationPipeline
    from context import encoder, ocr
    from retrieval import retriever

    return [(ocr.RapidTextDetector, "__call__", "context/ocr/detector"),
            (ocr.TextReader, "__call__", "context/ocr (detector + Tesseract)"),
            (ocr.TextReader, "read_with", "context/ocr/language models"),
            (encoder.ContextEncoder, "_text_cues", "context/hint and caption cues"),
            (encoder.ContextEncoder, "_scene", "context/scene classifier"),
            (encoder.ContextEncoder, "_embed", "context/text embedding"),
            (encoder.ContextEncoder, "__call__", "context"),
            (visual.LuminanceEncoderEmbedder, "__call__", "retrieval/visual embedding"),
            (retriever.ExemplarRetriever, "__call__", "retrieval"),
            (ColorizationPipeline, "predict", "generator"),
            (ColorizationPipeline, "finish", "merge (exemplar transfer, full size)"),
            (stages, "encode_outputs", "encode")]


@contextmanager
def timed(totals: Totals) -> Iterator[None]:
    """Every stage's calls timed into `totals` while the block runs."""
    saved = []
    for owner, name, stage in _stages():
        original = getattr(owner, name)
        saved.append((owner, name, original))

        def wrapper(*args, _fn=original, _stage=stage, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return _fn(*args, **kwargs)
            finally:
                entry = totals[_stage]
                entry[0] += time.perf_counter() - wall
                entry[1] += time.process_time() - cpu
                entry[2] += 1

        setattr(owner, name, wrapper)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_stages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--size", type=int, default=640)
    parser.add_argument("--photos-from", type=Path, default=None, metavar="DIR")
    parser.add_argument("--torch-threads", type=int, default=None)
    args = parser.parse_args(argv)
    import os

    from colorizer.apps.engines import PipelineSpec, make_batch

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        photos = write_photos(Path(tmp) / "in", args.photos + 1, args.size, args.photos_from)
        batch = make_batch(PipelineSpec(None, "cpu"), Path(tmp) / "out", "jpg",
                           torch_threads=args.torch_threads)
        first = sorted(photos.iterdir())
        batch.run(first[:1], hints=HINT)  # start-up: not counted
        totals: Totals = defaultdict(lambda: [0.0, 0.0, 0])
        wall, cpu = time.perf_counter(), time.process_time()
        with timed(totals):
            summary = batch.run(first[1:], hints=HINT)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if summary.failed:
        raise SystemExit(f"{summary.failed[0].message}")
    n = args.photos
    print(f"{n} photos of {args.size} px with context, local engine, torch threads "
          f"{batch.torch_threads} (load average before: {load:.1f} on {os.cpu_count()} cores)")
    print(f"{'stage':40s} {'wall s/photo':>13s} {'CPU s/photo':>12s}")
    for stage, (w, c, _) in sorted(totals.items()):
        print(f"{stage:40s} {w / n:13.3f} {c / n:12.3f}")
    print(f"{'all (read to written)':40s} {wall / n:13.3f} {cpu / n:12.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
