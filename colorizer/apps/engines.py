"""Where a batch runs: the local engine (this process; the default) or Ray (`--engine ray`).

Both plan with `colorizer.apps.planner`, decide "already done" with the same fingerprint,
encode with `colorizer.apps.outputs` and write through `BatchColorizer.publish`: a folder
colorized by one engine is resumed by the other.

    spec = PipelineSpec(weights=None, device="auto", context=True, exemplars=True)
    batch = make_batch(spec, outdir, engine="ray", address="ray://head:10001")
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from colorizer.apps.spec import PipelineSpec
from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from colorizer.apps.batch import BatchColorizer
    from colorizer.apps.outputs import Signer
    from colorizer.apps.service.fetch import FetchConfig
    from colorizer.pipeline.color_hints import Hint
    from colorizer.pipeline.guidance import UserExemplar

__all__ = ["ENGINES", "PipelineSpec", "add_engine_arguments", "check_engine_arguments",
           "make_batch"]

ENGINES = ("local", "ray")


def _thread_count(text: str) -> int:
    """An argparse type for --threads: 0 (read and encode inline, the CPU default) or more. A
    negative count was once taken as 0 in silence."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, e.g. 2") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (read and encode inline) or more, got "
                                         f"{value}")
    return value


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """The colorize command's options for batches, devices and engines."""
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: this process (default); ray: a Ray cluster (pip install "
                        "'chronochrome[ray]'), a local one unless --address")
    p.add_argument("--address", help="with --engine ray: the cluster's address: HOST:6379 "
                                     "(its head), auto (the one running here), or "
                                     "ray://head:10001 (needs pip install 'ray[client]'); "
                                     "default: start a local one")
    p.add_argument("--workers", type=int, default=None,
                   help="with --engine ray: model replicas (default: one per GPU, else 2)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="photos read, colorized and written together (default 8 on a GPU; "
                        "on the CPU 1, or 4 per Ray call); those of one render shape go "
                        "through the generator in one pass")
    p.add_argument("--trust-host", action="append", default=[], metavar="HOST",
                   help="fetch the photos of CSV lists and IIIF manifests from HOST even if it "
                        "is not on the public internet (an intranet IIIF server; repeatable)")
    p.add_argument("--threads", type=_thread_count, default=None,
                   help="threads reading and encoding photos beside the generator (default "
                        "2 on a GPU, 0 on the CPU)")
    p.add_argument("--torch-threads", type=int, default=None,
                   help="threads torch uses for each photo (default 1 on the CPU: two spin "
                        "for a core when the machine has other work; on a GPU, torch's own)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"],
                   help="the generator's arithmetic: auto = bf16 on a GPU, fp32 on the CPU")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the generator (GPU, long runs: each new photo shape "
                        "waits for a compile)")


def check_engine_arguments(engine: str = "local", address: str | None = None,
                           workers: int | None = None, batch_size: int | None = None,
                           torch_threads: int | None = None) -> None:
    """The engine options' errors, before the output folder is made or a model loaded."""
    if batch_size is not None and batch_size < 1:
        raise ChronochromeError(f"--batch-size {batch_size}: give 1 or more photos")
    if workers is not None and workers < 1:
        raise ChronochromeError(f"--workers {workers}: give 1 or more workers")
    if torch_threads is not None and torch_threads < 1:
        raise ChronochromeError(f"--torch-threads {torch_threads}: give 1 or more threads")
    if engine == "ray" and torch_threads is not None:
        raise ChronochromeError("--torch-threads is for --engine local: a Ray worker runs "
                                "torch on the one CPU it is given")
    if engine != "ray" and (address is not None or workers is not None):
        raise ChronochromeError("--address and --workers are for --engine ray")


def make_batch(spec: PipelineSpec, outdir: Path, fmt: str = "png", report: bool = False,
               overwrite: bool = False, exemplars: list[UserExemplar] | None = None,
               engine: str = "local", address: str | None = None,
               workers: int | None = None, batch_size: int | None = None,
               threads: int | None = None, color_hints: Sequence[Hint] = (),
               fetch: FetchConfig | None = None, torch_threads: int | None = None,
               signer: Signer | None = None) -> BatchColorizer:
    """The batch writer for `engine`; its `run(sources, hints, caption, on_item)` is the
    same for both. `exemplars` and `color_hints` are used for every photo; `fetch` limits
    fetching the remote photos of CSV lists and IIIF manifests. `batch_size` photos go
    through the generator in one pass (every engine's pipeline: `PipelineSpec.max_batch`).
    `signer` C2PA-signs every output (`colorizer.apps.c2pa_cli`; Ray's workers sign with the
    chain and key it read, `C2paSigner.from_keys`)."""
    check_engine_arguments(engine, address, workers, batch_size, torch_threads)
    if batch_size is not None:  # not cut into the runner's default passes of 16
        spec = replace(spec, max_batch=batch_size)
    if engine == "ray":
        from colorizer.apps.ray_engine import RayBatchColorizer

        return RayBatchColorizer(spec, outdir, fmt, report, overwrite, exemplars or [],
                                 address=address, workers=workers, batch_size=batch_size,
                                 color_hints=color_hints, fetch=fetch, signer=signer)
    from colorizer.apps.batch import BatchColorizer

    return BatchColorizer(spec.build(), outdir, fmt, report, overwrite, exemplars or [],
                          batch_size=batch_size, threads=threads, color_hints=color_hints,
                          fetch=fetch, torch_threads=torch_threads, signer=signer)
