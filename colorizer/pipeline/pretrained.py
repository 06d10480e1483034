"""A pipeline built from a saved weights folder: `ColorizationPipeline.from_pretrained`.

The folder's generator, its optional heads (balance, flag finder, hint field: weights saved
before one existed work without it) and its operating point (`decoding.json`), with the
default context and retrieval components; the pipeline remembers how it was loaded
(pipeline_recipe.py), which is how it pickles.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch

from colorizer.model.balance import BALANCE_FILE, BalancePredictor
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.model.hint_field import HINT_FIELD_FILE, HintField
from colorizer.pipeline import pipeline_recipe as recipes
from colorizer.pipeline.components import default_components
from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.device import resolve_device
from colorizer.pipeline.fingerprint import file_sha256, fingerprint_components, weights_version
from colorizer.pipeline.result import ModelInfo
from colorizer.pipeline.weights_folder import DEFAULT_WEIGHTS, readable_weights
from context.config import ContextConfig
from context.config_io import config_from_dict

Pipeline = TypeVar("Pipeline")


def load_pretrained(build: Callable[..., Pipeline], path: str | Path | None, device: str,
                    context: bool, exemplars: bool, context_config: ContextConfig | None,
                    retriever_config: Any, precision: str, settings: dict[str, Any]
                    ) -> Pipeline:
    """`build` (the pipeline class, given its constructor's arguments) on the weights at
    `path` (None: the embedded default ones); `settings` are `PipelineConfig` fields."""
    folder = readable_weights(Path(path) if path else DEFAULT_WEIGHTS)
    config = config_from_dict(PipelineConfig, settings)  # unknown keys: a clear error
    # Building the models draws their initial weights from torch's global generator
    # before the saved ones replace them: the caller's seeded stream is kept as it was.
    with torch.random.fork_rng(devices=[]):
        generator = ColorGenerator.from_pretrained(folder)
        info = ModelInfo(name=folder.name if path else "chronochrome-default",
                         version=weights_version(folder),
                         sha256=file_sha256(folder / WEIGHTS_FILE), path=str(folder))
        torch_device = resolve_device(device)
        context_fn, exemplar_fn, lookup = default_components(torch_device, context, exemplars,
                                                             context_config, retriever_config)
        # Heads are optional: weights saved before one existed work without it.
        balance, flag_finder, hint_field = (
            kind.from_pretrained(folder) if (folder / name).is_file() else None
            for kind, name in ((BalancePredictor, BALANCE_FILE), (FlagFinder, FLAG_FINDER_FILE),
                               (HintField, HINT_FIELD_FILE)))
        components = fingerprint_components(context, exemplars, context_config,
                                            retriever_config)
        pipeline = build(generator, info, config, device=torch_device, context_fn=context_fn,
                         exemplar_fn=exemplar_fn, balance=balance, flag_finder=flag_finder,
                         decoding=DecodingConfig.load(folder), components=components,
                         precision=precision, exemplar_lookup=lookup, hint_field=hint_field)
    return recipes.remember_recipe(pipeline, recipes.PipelineRecipe(
        str(folder.resolve()) if path else None, str(torch_device), context, exemplars,
        context_config, retriever_config, precision))
