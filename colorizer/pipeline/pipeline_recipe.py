"""A pipeline sent to another process (multiprocessing's spawn, a ProcessPoolExecutor,
`pool.map(work, [(pipe, photo), ...])`) travels as how it was loaded, not as its objects.

Its context and retrieval components are closures over models loaded once per process
(components.py), which pickle cannot carry: pickling one raised "Can't pickle local object
'default_components.<locals>.context_fn'", which says nothing of what to do. A pipeline from
`from_pretrained` is pickled as its `PipelineRecipe` (weights folder, device, switches,
component configs, precision) with its run-time `PipelineConfig` and its fingerprint; the
receiving process loads it again from the same weights, and refuses, naming the folder, when
the weights there no longer give the same fingerprint.

Loading takes seconds (the generator, then the context models at the first photo), and a
task given `(pipe, photo)` unpickles the pipeline once per task: so a process keeps the
pipelines it rebuilt, by recipe, and hands the same one to every later task. At most
`KEPT_PIPELINES`: each holds its models (the default generator and context models, about
300 MB), and a worker serves one pipeline, or two when a script alternates settings.

A pipeline built from its components (`ColorizationPipeline(generator, ...)`, or one whose
components were replaced after loading) has no recipe: pickling it raises
`PipelinePickleError`, which says to create the pipeline in each worker instead.
What a recipe does not carry: `compile()` (call it again in the worker) and the caches of
earlier calls (edits, exemplar cells), which a worker fills for itself.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from colorizer.errors import ChronochromeError
from context.config import ContextConfig

if TYPE_CHECKING:
    from colorizer.pipeline.config import PipelineConfig
    from retrieval import RetrieverConfig

# colorization.ColorizationPipeline, named not imported: it imports this module (no cycle)
Pipeline = Any
KEPT_PIPELINES = 2  # rebuilt pipelines a process keeps (each holds ~300 MB of models)

WORKER_ADVICE = (
    "create the pipeline in each worker instead: multiprocessing.Pool(initializer=load) "
    "where load() sets a global PIPE = ColorizationPipeline.from_pretrained(...) that the "
    "tasks use (README: Using the pipeline from threads and processes)")


class PipelinePickleError(ChronochromeError, TypeError):
    """A pipeline that cannot be sent to another process; the message says what to do. A
    TypeError too, which is what pickle raises for objects it cannot carry."""

    reason: ClassVar[str] = "not_picklable"


@dataclass(frozen=True)
class PipelineRecipe:
    """How a pipeline was loaded: `ColorizationPipeline.from_pretrained`'s arguments."""

    path: str | None  # the weights folder; None: the embedded default weights
    device: str  # as resolved where it was loaded ("cpu", "cuda:0")
    context: bool  # the default context encoder on
    exemplars: bool  # exemplars retrieved from the library
    context_config: ContextConfig | None
    retriever_config: RetrieverConfig | None
    precision: str  # as asked for ("auto", "fp32", ...)


@dataclass(frozen=True)
class LoadedRecipe:
    """A recipe and the components it made: replacing one (a user's own `context_fn` set
    on the loaded pipeline) makes the recipe no longer describe the pipeline."""

    recipe: PipelineRecipe
    parts: tuple[Any, ...]


def _parts(pipeline: Pipeline) -> tuple[Any, ...]:
    return (pipeline.generator, pipeline.context_fn, pipeline.exemplar_fn,
            pipeline.exemplar_lookup, pipeline.balance, pipeline.flag_finder,
            pipeline.hint_field)


def remember_recipe(pipeline: Pipeline, recipe: PipelineRecipe) -> Pipeline:
    """`pipeline`, pickled from now on as `recipe` (while its components stay the same)."""
    pipeline.recipe = LoadedRecipe(recipe, _parts(pipeline))
    return pipeline


def reduce_pipeline(pipeline: Pipeline) -> tuple[Any, tuple[Any, ...]]:
    """`pipeline.__reduce__`: rebuilt from its recipe, or a `PipelinePickleError`."""
    kept = pipeline.recipe
    if kept is None:
        raise PipelinePickleError(
            "this ColorizationPipeline was built from its components, not loaded with "
            "ColorizationPipeline.from_pretrained, so it cannot be sent to another process; "
            + WORKER_ADVICE)
    if any(a is not b for a, b in zip(_parts(pipeline), kept.parts, strict=True)):
        raise PipelinePickleError(
            "this ColorizationPipeline's components were replaced after from_pretrained "
            "(its context_fn, exemplar_fn, generator or a head), so another process could "
            "not load the same pipeline; " + WORKER_ADVICE)
    return rebuilt_pipeline, (type(pipeline), kept.recipe, pipeline.config,
                              pipeline.fingerprint, os.getpid())


# The pipelines this process rebuilt, by (recipe, run-time settings); those of one recipe
# share its models (`with_config`).
_kept: OrderedDict[tuple[PipelineRecipe, PipelineConfig], Any] = OrderedDict()
_kept_pid = os.getpid()  # a forked child does not share its parent's models' threads
_kept_lock = threading.Lock()  # threads unpickling together load one pipeline


def rebuilt_pipeline(cls: type[Pipeline], recipe: PipelineRecipe, config: PipelineConfig,
                     fingerprint: str, sender: int | None = None) -> Pipeline:
    """The pipeline `recipe` loads (`cls.from_pretrained`, the pickled pipeline's class), with the run-time `config`; the same object for every
    task of this process that sends the same ones (the last `KEPT_PIPELINES`). In a worker
    of the `sender` process, torch runs on one thread there, as in a forked worker
    (fork_guard.py): a spawn Pool(2) on 2 cores ran 4 torch threads."""
    global _kept_pid
    key = (recipe, config)
    with _kept_lock:
        if _kept_pid != os.getpid():
            _kept.clear()
            _kept_pid = os.getpid()
        pipeline = _kept.get(key)
        if pipeline is None:
            pipeline = _configured(cls, recipe, config)
            _kept[key] = pipeline
            while len(_kept) > KEPT_PIPELINES:
                _kept.popitem(last=False)
        _kept.move_to_end(key)
        if sender is not None and sender != os.getpid():
            pipeline._loaded_in = sender  # torch on one thread there (fork_guard.py)
    if pipeline.fingerprint != fingerprint:
        folder = recipe.path or "the embedded default weights"
        raise ChronochromeError(
            f"the pipeline sent to this process was loaded from {folder}, whose weights or "
            "settings here no longer give the same colors (its fingerprint differs): the "
            "files changed or another chronochrome version is installed; give every process "
            f"the same weights and version, or {WORKER_ADVICE}")
    return pipeline


def _configured(cls: type[Pipeline], recipe: PipelineRecipe, config: PipelineConfig
                ) -> Pipeline:
    """`recipe`'s pipeline with `config`: from one already kept with the same recipe when
    there is one (its models shared), else loaded."""
    same_models = next((kept for (kept_recipe, _), kept in _kept.items()
                        if kept_recipe == recipe), None)
    base = same_models or _load(cls, recipe)
    if base.config == config:
        return base
    return base.with_config(**{f.name: getattr(config, f.name) for f in fields(config)})


def _load(cls: type[Pipeline], recipe: PipelineRecipe) -> Pipeline:
    return cls.from_pretrained(
        recipe.path, device=recipe.device, context=recipe.context, exemplars=recipe.exemplars,
        context_config=recipe.context_config, retriever_config=recipe.retriever_config,
        precision=recipe.precision)
