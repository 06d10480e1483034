"""One fingerprint of everything that changes a pipeline's output.

The batch writer skips a photo as "already done" only when its recorded fingerprint equals
the pipeline's; the result and the provenance record carry the same value. It covers the
weights (generator file hash and the small heads' tensors), the model config, the operating
point actually used, the run-time settings that change colors, and which context and
retrieval components are on. `max_pixels` is left out: it refuses inputs, it never changes
an output.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.decoding import DecodingConfig
from retrieval.library import library_digest

NOT_OUTPUT_SETTINGS = ("max_pixels",)
# Operating-point fields added after fingerprints were first written, at the value that
# changes nothing: left out, so the fingerprints already written stay valid.
NEUTRAL_LATER_DECODING = {"frame_fill": False}
# the same for run-time settings; split_page changes no ordinary photo (album_page.py)
NEUTRAL_LATER_SETTINGS = {"negative": False, "split_page": True}


def module_digest(module: nn.Module | None) -> str | None:
    """SHA-256 of a module's tensors in key order (None for no module)."""
    if module is None:
        return None
    digest = hashlib.sha256()
    for key, value in module.state_dict().items():
        digest.update(key.encode() + b"\0")
        digest.update(value.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()


def fingerprint_components(context: bool, exemplars: bool, context_config: Any,
                           retriever_config: Any) -> dict[str, Any]:
    """Which context and retrieval components are on, as the fingerprint records them; a
    user's library (`RetrieverConfig.library`, colorize --library) by what it holds too, not
    only where it lies: rebuilt there with --overwrite, it retrieves other exemplars."""
    retriever = repr(retriever_config)
    if getattr(retriever_config, "library", None) is not None:
        retriever += " " + library_digest(retriever_config.library)
    return {"context": context, "exemplars": exemplars,
            "context_config": repr(context_config), "retriever_config": retriever}


def pipeline_fingerprint(weights_sha256: str, model_config: dict[str, Any],
                         heads: dict[str, str | None], saved: DecodingConfig,
                         config: PipelineConfig, components: dict[str, Any]) -> str:
    """Hex SHA-256 of the JSON of everything listed in the module docstring."""
    settings = {k: v for k, v in asdict(config).items() if k not in NOT_OUTPUT_SETTINGS
                and (k not in NEUTRAL_LATER_SETTINGS or NEUTRAL_LATER_SETTINGS[k] != v)}
    record = {
        "weights": weights_sha256,
        "model": model_config,
        "heads": heads,
        "decoding": {k: v for k, v in config.decoding(saved).to_dict().items()
                     if k not in NEUTRAL_LATER_DECODING or NEUTRAL_LATER_DECODING[k] != v},
        "settings": settings,
        "components": components,
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weights_version(folder: Path) -> str:
    """The `version` the weights' file says it is (its safetensors metadata)."""
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), framework="pt") as handle:
        meta = handle.metadata() or {}
    return meta.get("version", "unversioned")
