"""Small heads on the generator's encoder maps (balance predictor, flag finder) saved as one
safetensors file each, their frozen config carried as JSON in the file's metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn


def save_head(module: nn.Module, config: dict[str, Any], path: Path, config_key: str,
              metadata: dict | None = None) -> Path:
    """Write the module's weights to `path` with `config` (JSON) and `metadata` (strings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in module.state_dict().items()}
    meta = {k: str(v) for k, v in (metadata or {}).items()}
    meta[config_key] = json.dumps(config)
    save_file(state, str(path), metadata=meta)
    return path


def read_head(path: Path, config_key: str, writer: str, how_to_make: str
              ) -> tuple[dict[str, Any], dict]:
    """(config dict, state dict) of a file written by `save_head`; a missing file or one
    without its config is an error saying how to make one."""
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}: {how_to_make}")
    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata() or {}
    if config_key not in meta:
        raise ValueError(f"{path} has no '{config_key}' metadata: it was not written by "
                         f"{writer}")
    return json.loads(meta[config_key]), load_file(str(path))
