"""The curated knowledge base (configs/retrieval/*.json) and the default library built from it.

The default library ships as data: the JSON facts are authored in `configs/retrieval/` and
read as package data of `retrieval` (`retrieval/data` links to `configs/retrieval` in a
checkout; a wheel carries a copy), so an installed chronochrome has them without a
checkout. The rendered images and the indexes are built on first use (a few seconds) into a
cache folder, `<cache>/library/<version>/<embedders>/` (`context.user_cache.cache_root`:
$CHRONOCHROME_CACHE, $XDG_CACHE_HOME/chronochrome or ~/.cache/chronochrome), keyed on the
content hash of the curated files and of the renderer, so an edit rebuilds it. One process
builds it while the others wait (a lock file beside it); one that does not load is rebuilt.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image

from context import user_cache
from retrieval import flag_elements, render
from retrieval.embedders import TextEmbedder, VisualEmbedder
from retrieval.library import ExemplarLibrary, is_library
from retrieval.regions import RegionResolver
from retrieval.types import Exemplar, NamedColor

# configs/retrieval as package data (a filesystem path: pip unpacks wheels)
DEFAULT_DATA_DIR = Path(str(importlib.resources.files("retrieval").joinpath("data")))
CURATED_FILES = ("flags.json", "uniforms.json")
log = logging.getLogger(__name__)
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
    """$CHRONOCHROME_CACHE, else $XDG_CACHE_HOME/chronochrome, else ~/.cache/chronochrome."""
    return user_cache.cache_root()


def _slug(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-") if name else "none"


def _key(text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
         data_dir: str | Path) -> Path:
    """The library's place below the cache root: library/<version>/<embedders>."""
    visual = _slug(visual_embedder.name if visual_embedder else None)
    return Path("library", curated_version(data_dir), f"{_slug(text_embedder.name)}__{visual}")


def default_library_dir(text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
                        data_dir: str | Path = DEFAULT_DATA_DIR) -> Path:
    return cache_root() / _key(text_embedder, visual_embedder, data_dir)


def default_library(text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
                    resolver: RegionResolver, folder: str | Path | None = None,
                    rebuild: bool = False, data_dir: str | Path = DEFAULT_DATA_DIR
                    ) -> ExemplarLibrary:
    """The curated library for these embedders: loaded from the cache, built when absent.

    Accounts and processes sharing the cache build it once: the first takes a lock, the
    others wait and load what it built. A cached library that does not load (a file cut
    short, a crash mid-copy) is built again; a cache this account cannot write is built in a
    private temporary folder for the run (`context.user_cache.private_folder`)."""
    if folder is not None:
        folder = Path(folder)
        if not rebuild and (folder / "library.json").exists():
            return ExemplarLibrary.load(folder, text_embedder, visual_embedder)
        return _build(folder, text_embedder, visual_embedder, resolver, data_dir)
    key = _key(text_embedder, visual_embedder, data_dir)
    if not rebuild:
        library = _load_any(cache_root() / key, text_embedder, visual_embedder)
        if library is not None:
            return library
    folder = cache_root() / key.parent
    problem = user_cache.write_problem(folder)
    if problem and rebuild:
        # `library build --default` asked for the cache itself: a temporary copy would vanish.
        raise ValueError(f"cannot write the cache folder {folder} ({problem}); "
                         f"{user_cache.FIX} (or give --out)")
    if problem:
        folder = user_cache.private_folder(key.parent, f"{folder} ({problem})")
    target = folder / key.name
    with user_cache.build_lock(target.parent / f".{target.name}.lock"):
        if not rebuild:  # another process may have built it while this one waited
            library = _load_cached(target, text_embedder, visual_embedder, quiet=True)
            if library is not None:
                return library
        _remove_dead_builds(target)
        if not _clear_broken(target):
            why = f"{target} (another account's, not replaceable by this one)"
            if rebuild:
                raise ValueError(f"cannot replace the cache folder {why}; {user_cache.FIX}")
            target = user_cache.private_folder(key.parent, why) / key.name
        return _build(target, text_embedder, visual_embedder, resolver, data_dir)


def _build(folder: Path, text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
           resolver: RegionResolver, data_dir: str | Path) -> ExemplarLibrary:
    folder.parent.mkdir(parents=True, exist_ok=True)
    return ExemplarLibrary.build(folder, curated_records(resolver, data_dir), text_embedder,
                                 visual_embedder, name="chronochrome-curated",
                                 version=curated_version(data_dir))


def _load_any(folder: Path, text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None
              ) -> ExemplarLibrary | None:
    """The library at `folder`; for text-only search, any built with this text embedder."""
    if visual_embedder is None:
        # Text-only search can use a library built with any visual embedder.
        for built in sorted(folder.parent.glob(f"{folder.name.split('__')[0]}__*/library.json"),
                            reverse=True):
            library = _load_cached(built.parent, text_embedder, None)
            if library is not None:
                return library
    return _load_cached(folder, text_embedder, visual_embedder)


def _load_cached(folder: Path, text_embedder: TextEmbedder,
                 visual_embedder: VisualEmbedder | None, quiet: bool = False
                 ) -> ExemplarLibrary | None:
    """The cached library at `folder`, None when there is none or it does not load."""
    try:
        if not (folder / "library.json").is_file():
            return None
        return ExemplarLibrary.load(folder, text_embedder, visual_embedder)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        # ValueError: JSON cut short, a mismatched index; RuntimeError: faiss reading a
        # truncated index; OSError: a folder another account keeps to itself.
        if not quiet:
            log.warning("the cached exemplar library %s does not load (%s); building it "
                        "again", folder, exc)
        return None


def _remove_dead_builds(folder: Path) -> None:
    """Remove what builds of `folder` killed midway left (`ExemplarLibrary.build`'s
    `.NAME.building-*`): every build of it holds the lock this caller holds now."""
    for left in folder.parent.glob(f".{folder.name}.building-*"):
        shutil.rmtree(left, ignore_errors=True)


def _clear_broken(folder: Path) -> bool:
    """Make way for a build at `folder`: remove a cache folder whose library did not load (the
    build refuses a folder that is not a library). Only the cache's own folder is removed:
    its path is the content key, and nothing else is written there. False when it stays, or
    is a library this account cannot replace (another account's, in a shared cache)."""
    if folder.is_dir() and not is_library(folder):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        return not folder.exists() or (is_library(folder) and os.access(folder, os.W_OK))
    except OSError:
        return False
