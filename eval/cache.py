"""Where benchmarks keep what they compute between runs (our colorizations of their scenes).

    versioned_cache("check-cases", pipe.fingerprint)
      -> ~/.cache/chronochrome/eval/check-cases/<version>/    ($CHRONOCHROME_CACHE moves it)

The version is a digest of everything that decides the cached values: the caller's parts
(the pipeline's fingerprint: weights, model and pipeline config, components), the source of
the code that colorizes (CODE: a change to the transfer or the context encoder changes the
colors without changing any config) and the torch version. A run under another version gets
another folder, so it never reads a stale colorization, and the folders of other versions of
that cache are removed then, so they do not pile up. Digesting CODE takes ~10 ms.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import torch

from eval.common import REPO
from retrieval.knowledge import cache_root

# What produces a colorization, relative to the repository (not eval/, apps, check, training).
CODE = ("colorizer/model", "colorizer/pipeline", "context", "retrieval", "configs")


def code_digest(root: Path = REPO, folders: tuple[str, ...] = CODE) -> str:
    """SHA-256 of the files under `folders` (names and bytes; caches of Python left out)."""
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def versioned_cache(name: str, *parts: str, code: str | None = None) -> Path:
    """The folder of cache `name` for this version (created), the other versions' removed."""
    h = hashlib.sha256()
    for part in (*parts, code_digest() if code is None else code, torch.__version__):
        h.update(part.encode() + b"\0")
    base = cache_root() / "eval" / name
    folder = base / h.hexdigest()[:16]
    if base.is_dir():
        for other in base.iterdir():
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
