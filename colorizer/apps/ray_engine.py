"""`chronochrome colorize --engine ray [--address ADDR]`: a collection over a Ray cluster.

This process (the driver) plans every name (`colorizer.apps.planner`), fails outputs that
would replace a user's files, and is the only writer of OUTDIR: the manifest and the files go
through `BatchColorizer.publish`, as with the local engine. Ray Data streams the photos to
actors that each load the pipeline once (`ColorizeWorker`, on a GPU where the cluster has
GPUs) and run the same stages as the local engine (`colorizer.apps.stages`): read with the
skip check by fingerprint, the generator on batches, encode. A photo's outcome (its encoded
files, or its error) comes back to the driver and is written or reported at once, so what a
run finished is kept when it is stopped, and a re-run skips it.

A worker that dies is replaced and its batch re-run by Ray Data; if the run itself dies, a
re-run finishes it: what was written is skipped, nothing is written twice.

Outputs equal the local engine's within one 8-bit level: a worker runs torch on one thread,
as a CPU batch of the local engine does by default (`--torch-threads`), and another thread
count sums in another order (tests/test_ray_engine.py).

On a cluster every node reads the inputs and the weights by the driver's paths (a shared
mount); the outputs come back to the driver. A C2PA-signed run (`--c2pa-cert/--c2pa-key`) is
checked by the driver, which reads the certificate chain and key once: the workers get them
as bytes with their other settings (`SigningKeys`; no file of ours, and no node needs the
files) and sign each output as the local engine does; a photo whose signature fails is that
photo's failure. Ray Data keeps a worker's settings in Ray's object store, in memory; Ray
writes that store to its session folder only when it is full (spilling): a signing run's own
local Ray has its folders under a new 0700 folder, removed at the end (`ray_private`); on a
running cluster (`--address`) one warning line says that its folders are the cluster's. A
worker whose node cannot import c2pa reads and writes nothing: its photos come back saying so,
and the run ends in one error line naming the fix (exit 2); Ray had logged the constructor's
error three times, with its tracebacks, and the CLI ended in a fourth (exit 1).

Ray's driver still logs one line per run ("Actor ... has constructor arguments in the object
store and max_restarts > 0"): Ray Data passes its own argument to every pool's actors (Ray's
issue 57733), so no setting of ours removes it.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from colorizer.apps.batch import FORMATS, BatchColorizer, BatchItem, Manifest
from colorizer.apps.c2pa_checks import SigningUnavailableError
from colorizer.apps.c2pa_config import SigningKeys
from colorizer.apps.planner import PlannedOutput
from colorizer.apps.ray_connect import connect
from colorizer.apps.ray_private import private_ray, warn_cluster_spills
from colorizer.apps.service.fetch import FetchConfig
from colorizer.apps.spec import PipelineSpec
from colorizer.apps.stages import PhotoStages, Work
from colorizer.errors import ChronochromeError
from colorizer.pipeline.color_hints import Hint
from colorizer.pipeline.guidance import UserExemplar
from context.heap import release_freed_memory

if TYPE_CHECKING:
    from colorizer.apps.c2pa_signing import C2paSigner

CPU_WORKERS = 2  # actors when the cluster has no GPU (each loads the model: ~1 GB)
CPU_BATCH = 4  # photos per call on the CPU: enough to hide a call's overhead


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ChronochromeError("--engine ray needs Ray: pip install 'chronochrome[ray]' "
                                f"(or use the default --engine local) [{exc}]") from exc
    return ray


class RayBatchColorizer(BatchColorizer):
    """`BatchColorizer` whose photos are computed by Ray actors; `run` is the same."""

    def __init__(self, spec: PipelineSpec, outdir: Path, fmt: str = "png",
                 report: bool = False, overwrite: bool = False,
                 exemplars: list[UserExemplar] | None = None, address: str | None = None,
                 workers: int | None = None, batch_size: int | None = None,
                 ray_init: dict[str, Any] | None = None, color_hints: Sequence[Hint] = (),
                 fetch: FetchConfig | None = None,
                 signer: C2paSigner | None = None):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {list(FORMATS)}")
        self.ray = _ray()
        self.spec, self.outdir, self.fmt, self.report = spec, outdir, fmt, report
        self.overwrite, self.exemplars = overwrite, list(exemplars or [])
        self.color_hints, self.fetch = tuple(color_hints), fetch
        self.address, self.workers, self.batch_size = address, workers, batch_size
        self.ray_init = dict(ray_init or {})  # e.g. num_cpus for a local instance in tests
        self.pipeline = None  # built by each worker
        self.signer = signer  # a checked `C2paSigner`; the workers get its `keys`
        self.signing = _signing_keys(signer)

    def _execute(self, items: list[BatchItem], manifest: Manifest, hints: str | None,
                 caption: str | None, on_item) -> None:
        works = [self.work(item, manifest) for item in items]
        for work in works:
            if not work.active and on_item:  # refused before any work (a user's file)
                on_item(work.item)
        rows = [_row(i, work) for i, work in enumerate(works) if work.active]
        if not rows:
            return
        with self._session():
            for row in self._dataset(rows, hints, caption).iter_rows():
                work, outcome = works[int(row["index"])], pickle.loads(row["outcome"])
                if "unavailable" in outcome:  # nothing of it is written, unsigned or not
                    raise ChronochromeError(_unavailable_message(outcome))
                _apply(work, outcome)
                self.publish_one(work, manifest, on_item)

    @contextlib.contextmanager
    def _session(self) -> Iterator[None]:
        """A signing run's own local Ray, private (`private_ray`) and shut down at its end;
        any other instance is joined by `_dataset` (the caller's when one is running)."""
        ray = self.ray
        if self.signing is None or self.address or ray.is_initialized():
            if self.signing is not None:  # Ray's folders there are not this run's
                warn_cluster_spills(self.address)
            yield
            return
        with private_ray(ray, self.ray_init):
            yield

    def _dataset(self, rows: list[dict[str, Any]], hints: str | None, caption: str | None):
        ray = self.ray
        if not ray.is_initialized():
            connect(ray, self.address, self.ray_init)
        gpus = ray.cluster_resources().get("GPU", 0) if self.spec.device != "cpu" else 0
        workers = self.workers or (int(gpus) if gpus >= 1 else CPU_WORKERS)
        batch = self.batch_size or (8 if gpus else CPU_BATCH)
        worker_args = {"spec": self.spec, "fmt": self.fmt, "report": self.report,
                       "exemplars": self.exemplars, "hints": hints, "caption": caption,
                       "color_hints": self.color_hints, "fetch": self.fetch,
                       "device": "cuda" if gpus else "cpu", "signing": self.signing}
        _quiet_data(ray)
        blocks = max(1, len(rows) // batch)
        data = ray.data.from_items(rows, override_num_blocks=blocks)
        return data.map_batches(
            ColorizeWorker, fn_constructor_kwargs=worker_args, batch_size=batch,
            batch_format="numpy", compute=ray.data.ActorPoolStrategy(
                size=pool_size(workers, blocks)),
            # A killed worker is replaced and its batch re-run, not the run failed: Ray Data's
            # actor pools default to max_restarts=-1 and max_task_retries=-1.
            num_gpus=1 if gpus else 0, num_cpus=1)


def pool_size(workers: int, blocks: int) -> int:
    """Actors for a run of `blocks` blocks: no more than there are blocks. Each actor loads
    the model (~1 GB); one with no block to take sat idle, and Ray Data warned (a
    UserWarning of five lines) that the pool's minimum was above the run's inputs."""
    return max(1, min(workers, blocks))


def _signing_keys(signer: C2paSigner | None) -> SigningKeys | None:
    """What the workers sign with: the chain and key `signer` (a `C2paSigner`) read."""
    if signer is None:
        return None
    keys = getattr(signer, "keys", None)
    if not isinstance(keys, SigningKeys):
        raise ChronochromeError(f"--engine ray signs with a C2paSigner, not {type(signer)!r}: "
                                "give C2paSigner(C2paConfig(chain, key)) as the signer")
    return keys


def _quiet_data(ray) -> None:
    """Ray Data's own progress (bars on a terminal, beside ours; every 10 s a block of log
    lines elsewhere, `-q` too) and its INFO lines: the CLI's progress says what is done."""
    ray.data.DataContext.get_current().enable_progress_bars = False
    ray.data.DataContext.get_current().print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "disabled"


def _row(index: int, work: Work) -> dict[str, Any]:
    """What a worker needs of one photo: its planned names and source (a file, or a URL
    with its caption and hint), and its manifest entry, pickled."""
    return {"index": index, "plan": pickle.dumps(work.item.plan),
            "entry": pickle.dumps(work.entry)}


def _apply(work: Work, outcome: dict[str, Any]) -> None:
    """A worker's outcome onto the driver's item, with the settings it was computed with."""
    item = work.item
    item.status, item.message = outcome["status"], outcome["message"]
    item.captions, item.seconds = outcome["captions"], outcome["seconds"]
    work.files = [(Path(path), data) for path, data in outcome["files"]]
    work.input_sha256 = outcome["input_sha256"]
    work.sidecar_sha256 = outcome["sidecar_sha256"]
    work.settings, work.fetched = outcome["settings"], outcome["fetched"]


class ColorizeWorker:
    """A Ray Data actor: builds the pipeline once, then colorizes batches of rows."""

    def __init__(self, spec: PipelineSpec, fmt: str, report: bool,
                 exemplars: list[UserExemplar], hints: str | None, caption: str | None,
                 color_hints: Sequence[Hint], fetch: FetchConfig | None, device: str,
                 signing: SigningKeys | None = None):
        self.unavailable: dict[str, str] | None = None
        try:
            signer = _worker_signer(signing)
        except SigningUnavailableError as exc:
            # Raised from here, Ray Data logged it as its own internal error, three
            # tracebacks long: each photo says it instead, and the driver stops the run.
            self.unavailable = {"unavailable": str(exc.__cause__ or exc), "node": _node()}
            return
        self.stages = PhotoStages(spec.build(device), fmt, report, exemplars, hints, caption,
                                  color_hints, fetch, signer)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.unavailable is not None:  # no photo read, none encoded unsigned
            return {"index": np.asarray(batch["index"]), "outcome": np.asarray(
                [pickle.dumps(self.unavailable)] * len(batch["index"]), dtype=object)}
        works = self._read(batch)
        self.stages.generate(works)
        outcomes = [self._outcome(work) for work in works]
        del works  # the photos' pixels, features and encoded files
        # glibc keeps what the batch freed in this actor's heap: after an 8000x6000 photo an
        # actor stayed 100-200 MB above its small-photo level for the rest of the run, as the
        # local batch did (context/heap.py; tests/test_free_memory_ray.py).
        release_freed_memory()
        return {"index": np.asarray(batch["index"]),
                "outcome": np.asarray(outcomes, dtype=object)}

    def _read(self, batch: dict[str, np.ndarray]) -> list[Work]:
        """The batch's photos, read (a loop here left its last photo bound in `__call__`)."""
        works = [Work(_item(pickle.loads(batch["plan"][j])), pickle.loads(batch["entry"][j]))
                 for j in range(len(batch["index"]))]
        for work in works:
            self.stages.read(work)
        return works

    def _outcome(self, work: Work) -> bytes:
        """`work` encoded, and what the driver needs of it (`_apply`), pickled."""
        self.stages.encode(work)
        item = work.item
        return pickle.dumps({
            "status": item.status, "message": item.message, "captions": item.captions,
            "seconds": item.seconds, "input_sha256": work.input_sha256,
            "sidecar_sha256": work.sidecar_sha256,
            "files": [(str(path), data) for path, data in work.files],
            "settings": work.settings, "fetched": work.fetched})


def _item(plan: PlannedOutput) -> BatchItem:
    return BatchItem(plan.source.url or plan.source.path, plan.image, plan=plan)


def _worker_signer(signing: SigningKeys | None) -> C2paSigner | None:
    """The worker's signer (c2pa's handles do not pickle: made here from the bytes)."""
    if signing is None:
        return None
    from colorizer.apps.c2pa_signing import C2paSigner

    return C2paSigner.from_keys(signing)


def _node() -> str:
    """This worker's node, as `ray status` names it."""
    import ray

    return ray.util.get_node_ip_address()


def _unavailable_message(outcome: dict[str, str]) -> str:
    return (f"C2PA signing is unavailable on the Ray worker node {outcome['node']}: c2pa "
            f"cannot be imported there ({outcome['unavailable']}); install it on every node "
            "of the cluster (pip install 'chronochrome[c2pa]'), then run again: the photos "
            "written so far are signed and are skipped")
