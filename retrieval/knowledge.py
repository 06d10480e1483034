"""The curated knowledge base (configs/retrieval/*.json) and the default library built from it.

The default library ships as data: the JSON facts are authored in `configs/retrieval/` and
read as package data of `retrieval` (`retrieval/data` links to `configs/retrieval` in a
checkout; a wheel carries a copy), so an installed chronochrome has them without a
checkout. The rendered images and the indexes are built on first use (a few seconds) into a
cache folder, `$CHRONOCHROME_CACHE/library/<version>/<embedders>/` (default
`~/.cache/chronochrome`), keyed on the content hash of the curated files and of the renderer,
so an edit rebuilds it.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image

from retrieval import flag_elements, render
from retrieval.embedders import TextEmbedder, VisualEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.regions import RegionResolver
from retrieval.types import Exemplar, NamedColor

# configs/retrieval as package data (a filesystem path: pip unpacks wheels)
DEFAULT_DATA_DIR = Path(str(importlib.resources.files("retrieval").joinpath("data")))
CURATED_FILES = ("flags.json", "uniforms.json")
_ENTRY_KEYS = {"id", "kind", "title", "start", "end", "regions", "colors", "source", "note",
               "description", "design", "swatch"}


def curated_records(resolver: RegionResolver, data_dir: str | Path = DEFAULT_DATA_DIR
                    ) -> list[tuple[Exemplar, Callable[[], Image.Image]]]:
    """Every curated entry as an Exemplar and the function that renders its image."""
    out = []
    for name in CURATED_FILES:
        path = Path(data_dir) / name
        if not path.exists():
            raise FileNotFoundError(f"curated exemplar data {path} is missing: data_dir must "
                                    "hold flags.json and uniforms.json (configs/retrieval/ of a "
                                    "checkout, retrieval/data/ of an installed chronochrome; "
                                    "reinstall it if that is gone)")
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            unknown = set(entry) - _ENTRY_KEYS
            if unknown:
                raise ValueError(f"{path.name} entry {entry.get('id')}: unknown keys "
                                 f"{sorted(unknown)}; valid keys: {sorted(_ENTRY_KEYS)}")
            colors = tuple(NamedColor.from_dict(c) for c in entry["colors"])
            exemplar = Exemplar(
                id=entry["id"], kind=entry["kind"], title=entry["title"],
                start=int(entry["start"]), end=int(entry["end"]),
                regions=tuple(resolver.ref(r) for r in entry["regions"]),
                colors=colors, source=entry["source"], license=data["license"], image="",
                description=entry.get("description", ""), note=entry.get("note", ""))
            if "design" in entry:
                make = partial(render.render_flag, entry["design"], colors, entry["id"])
            elif "swatch" in entry:
                make = partial(render.render_swatch, entry["swatch"], colors, entry["id"])
            else:
                raise ValueError(f"{path.name} entry {entry['id']}: give a `design` (flags) or "
                                 "a `swatch` (uniform cloth)")
            out.append((exemplar, make))
    return out


def curated_version(data_dir: str | Path = DEFAULT_DATA_DIR) -> str:
    """Content hash of the curated files and of the renderer's source (both its modules)."""
    h = hashlib.sha256()
    for name in CURATED_FILES:
        h.update((Path(data_dir) / name).read_bytes())
    for module in (render, flag_elements):
        h.update(Path(module.__file__).read_bytes())
    return "curated-" + h.hexdigest()[:12]


def cache_root() -> Path:
    return Path(os.environ.get("CHRONOCHROME_CACHE") or Path.home() / ".cache" / "chronochrome")


def _slug(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-") if name else "none"


def default_library_dir(text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
                        data_dir: str | Path = DEFAULT_DATA_DIR) -> Path:
    key = f"{_slug(text_embedder.name)}__{_slug(visual_embedder.name if visual_embedder else None)}"
    return cache_root() / "library" / curated_version(data_dir) / key


def default_library(text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
                    resolver: RegionResolver, folder: str | Path | None = None,
                    rebuild: bool = False, data_dir: str | Path = DEFAULT_DATA_DIR
                    ) -> ExemplarLibrary:
    """The curated library for these embedders: loaded from the cache, built when absent."""
    if folder is None and visual_embedder is None and not rebuild:
        # Text-only search can use a library built with any visual embedder.
        built = sorted(default_library_dir(text_embedder, None, data_dir).parent.glob(
            f"{_slug(text_embedder.name)}__*/library.json"))
        if built:
            return ExemplarLibrary.load(built[-1].parent, text_embedder, None)
    folder = Path(folder) if folder else default_library_dir(text_embedder, visual_embedder,
                                                              data_dir)
    if rebuild or not (folder / "library.json").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        return ExemplarLibrary.build(folder, curated_records(resolver, data_dir), text_embedder,
                                     visual_embedder, name="chronochrome-curated",
                                     version=curated_version(data_dir))
    return ExemplarLibrary.load(folder, text_embedder, visual_embedder)
