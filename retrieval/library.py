"""`ExemplarLibrary`: exemplar records, their images and their FAISS indexes, in one folder.

Folder layout (`FORMAT_VERSION` 1):

    library.json        what the folder is: format, name, version, count, embedders, timing
    exemplars.jsonl     one `Exemplar.to_dict()` per line; `image` relative to the folder
    images/<id>.png     the exemplar images (rendered, or resized copies of archive photos)
    text.faiss/.json    FAISS index over text embeddings of `Exemplar.text()`
    visual.faiss/.json  FAISS index over visual embeddings of the images (optional)

`build` writes only into a new or empty folder or over a library (`is_library`), never over
other files, and replaces only `LIBRARY_ENTRIES`. `load` checks the embedders against what the
folder was built with and refuses a mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from context.errors import ChronochromeError
from context.user_cache import make_dir_beside
from retrieval.embedders import TextEmbedder, VisualEmbedder
from retrieval.index import METRIC, VectorIndex
from retrieval.types import Exemplar

FORMAT = "chronochrome-exemplar-library"
FORMAT_VERSION = 1
IMAGE_BATCH = 16
# What `build` writes into a library folder, manifest first: replacing a library removes these
# and nothing else (a README or notes a user keeps beside them stay).
LIBRARY_ENTRIES = ("library.json", "exemplars.jsonl", "images", "text.faiss", "text.json",
                   "visual.faiss", "visual.json")


@dataclass(frozen=True)
class LibraryInfo:
    name: str
    version: str  # content version, e.g. "curated-v1-1a2b3c4d"
    count: int
    text_embedder: str | None
    visual_embedder: str | None
    build_seconds: float = 0.0
    format: str = FORMAT
    format_version: int = FORMAT_VERSION


class ExemplarLibrary:
    """Records + indexes. Arrays `starts`/`ends` serve the era filter of the retriever."""

    def __init__(self, exemplars: list[Exemplar], text_index: VectorIndex | None,
                 visual_index: VectorIndex | None, info: LibraryInfo,
                 root: Path | None = None):
        for name, index in (("text", text_index), ("visual", visual_index)):
            if index is not None and len(index) != len(exemplars):
                raise ValueError(f"{name} index has {len(index)} vectors for "
                                 f"{len(exemplars)} exemplars")
        self.exemplars = exemplars
        self.text_index = text_index
        self.visual_index = visual_index
        self.info = info
        self.root = root
        self.starts = np.array([e.start for e in exemplars], dtype=np.int32)
        self.ends = np.array([e.end for e in exemplars], dtype=np.int32)
        self._by_id = {e.id: i for i, e in enumerate(exemplars)}
        if len(self._by_id) != len(exemplars):
            raise ValueError("exemplar ids must be unique within a library")

    def __len__(self) -> int:
        return len(self.exemplars)

    def __getitem__(self, ident: str) -> Exemplar:
        return self.exemplars[self._by_id[ident]]

    def position(self, ident: str) -> int:
        return self._by_id[ident]

    def image_path(self, exemplar: Exemplar) -> str:
        path = Path(exemplar.image)
        if not path.is_absolute() and self.root is not None:
            path = self.root / path
        return str(path.resolve())

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, folder: str | Path,
              records: Iterable[tuple[Exemplar, Callable[[], Image.Image]]],
              text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None = None,
              name: str = "library", version: str = "1") -> ExemplarLibrary:
        """Write images, records and indexes into `folder`, which must be absent, empty or a
        library (`is_library`); anything else is refused (ValueError) before any work.

        The library is built in a temporary folder beside `folder` and swapped in only when
        the build succeeded: a failed build leaves an old library as it was. Replacing one
        removes only `LIBRARY_ENTRIES`; other files in the folder stay.
        `records` pairs each exemplar with a function that makes its image (rendering or
        loading happens here, one at a time, so large archives stream).
        """
        t0 = time.perf_counter()
        folder = Path(folder)
        check_library_folder(folder)
        base = folder.resolve().parent  # beside the real folder: renames stay on one disk
        base.mkdir(parents=True, exist_ok=True)
        # The umask's permissions, not mkdtemp's 0700: the folder is renamed into place, and
        # in a cache shared by several accounts the others must be able to read it.
        tmp = make_dir_beside(base / folder.name, "building")
        try:
            library = cls._build_into(tmp, records, text_embedder, visual_embedder, name,
                                      version)
            info = replace(library.info, build_seconds=round(time.perf_counter() - t0, 2))
            (tmp / "library.json").write_text(json.dumps(info.__dict__, indent=1))
            _swap_in(tmp, folder)
        finally:
            if tmp.exists():  # ours alone (mkdtemp): a failed build leaves nothing behind
                shutil.rmtree(tmp)
        library.root, library.info = folder, info
        return library

    @classmethod
    def _build_into(cls, tmp: Path,
                    records: Iterable[tuple[Exemplar, Callable[[], Image.Image]]],
                    text_embedder: TextEmbedder, visual_embedder: VisualEmbedder | None,
                    name: str, version: str) -> ExemplarLibrary:
        """Everything but library.json, written into the empty folder `tmp`."""
        (tmp / "images").mkdir()
        exemplars: list[Exemplar] = []
        visual_rows: list[np.ndarray] = []
        batch: list[Image.Image] = []
        for exemplar, make_image in records:
            image = make_image()
            # An alpha channel (a rendered flag's cloth) is kept in the PNG; embedders see RGB.
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            rel = f"images/{exemplar.id}.png"
            image.save(tmp / rel, optimize=False)
            exemplars.append(replace(exemplar, image=rel))
            if visual_embedder is not None:
                batch.append(image.convert("RGB"))
                if len(batch) == IMAGE_BATCH:
                    visual_rows.append(_embed_images(visual_embedder, batch))
                    batch = []
        if visual_embedder is not None and batch:
            visual_rows.append(_embed_images(visual_embedder, batch))
        text_vectors = _embed_texts(text_embedder, [e.text() for e in exemplars])
        text_index = VectorIndex.build(text_vectors, text_embedder.name)
        visual_index = None
        if visual_embedder is not None:
            visual_index = VectorIndex.build(np.concatenate(visual_rows), visual_embedder.name)
        info = LibraryInfo(name, version, len(exemplars), text_embedder.name,
                           visual_embedder.name if visual_embedder else None)
        library = cls(exemplars, text_index, visual_index, info, tmp)
        library._write(tmp)
        return library

    def _write(self, folder: Path) -> None:
        with (folder / "exemplars.jsonl").open("w", encoding="utf-8") as f:
            for e in self.exemplars:
                f.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
        if self.text_index is not None:
            self.text_index.save(folder / "text")
        if self.visual_index is not None:
            self.visual_index.save(folder / "visual")

    # -- loading --------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | Path, text_embedder: TextEmbedder | None = None,
             visual_embedder: VisualEmbedder | None = None) -> ExemplarLibrary:
        """Load a library folder; the embedders given must be the ones it was built with.

        A visual embedder given for a library built without one is an error (rebuild with
        it); a library with a visual index loaded without a visual embedder searches by text
        and metadata only.
        """
        folder = Path(folder)
        manifest = folder / "library.json"
        if not manifest.exists():
            raise FileNotFoundError(f"{folder} is not an exemplar library (no library.json); "
                                    "build one with `chronochrome library build`")
        info = _read_info(manifest)
        exemplars = _read_exemplars(folder / "exemplars.jsonl")
        text_index = visual_index = None
        if text_embedder is not None:
            text_index = VectorIndex.load(folder / "text", text_embedder.name, text_embedder.dim,
                                          METRIC)
        if visual_embedder is not None:
            if info.visual_embedder is None:
                raise ValueError(f"library {folder} has no visual index; rebuild it with a "
                                 f"visual embedder ({visual_embedder.name}) to search by image")
            visual_index = VectorIndex.load(folder / "visual", visual_embedder.name,
                                            visual_embedder.dim, METRIC)
        return cls(exemplars, text_index, visual_index, info, folder)


# What a damaged record or manifest raises when read (a key missing, a value of another type).
DAMAGED = (ValueError, KeyError, TypeError, AttributeError)


def _read_info(manifest: Path) -> LibraryInfo:
    """library.json, or a ValueError saying the library is of another version or damaged."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError included
        raise ValueError(f"{manifest} is damaged ({e}); rebuild the library") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("format_version") != FORMAT_VERSION:
        got = data if not isinstance(data, dict) else \
            f"format {data.get('format')} v{data.get('format_version')}"
        raise ValueError(f"{manifest}: {got} is not {FORMAT} v{FORMAT_VERSION}; "
                         "rebuild the library with this version of chronochrome")
    try:
        return LibraryInfo(**data)
    except TypeError as e:  # a key this version does not know, or one missing
        raise ValueError(f"{manifest} is damaged ({e}); rebuild the library") from e


def _read_exemplars(path: Path) -> list[Exemplar]:
    """exemplars.jsonl, or a ValueError naming the line that is damaged."""
    exemplars = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                exemplars.append(Exemplar.from_dict(json.loads(line)))
            except DAMAGED as e:
                raise ValueError(f"{path}:{number}: not an exemplar record ({e}); the file "
                                 "is damaged: rebuild the library") from e
    return exemplars


def is_library(folder: str | Path) -> bool:
    """Whether `folder` holds a library this code wrote (its library.json names FORMAT)."""
    manifest = Path(folder) / "library.json"
    try:
        return json.loads(manifest.read_text()).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def library_digest(folder: str | Path) -> str:
    """SHA-256 of a library's manifest and records: what it retrieves from. A library rebuilt
    with --overwrite into the same folder has another, so outputs made from the first are not
    taken as done by a batch re-run (the fingerprint held the folder's path only)."""
    digest = hashlib.sha256()
    for name in ("library.json", "exemplars.jsonl"):
        try:
            digest.update((Path(folder) / name).read_bytes())
        except OSError:
            digest.update(b"missing " + name.encode())
    return digest.hexdigest()


def library_state(folder: str | Path) -> tuple:
    """What changes when a library folder is rebuilt (--overwrite puts new files in), repaired
    (a file copied back, a permission fixed) or removed: the folder's and each of its
    `LIBRARY_ENTRIES`' identity, size, times and mode. From `stat` alone, not the contents: a
    service asks at every photo whether the library it serves has changed (about 8 stat calls)."""
    state = []
    for name in ("", *LIBRARY_ENTRIES):
        try:
            st = os.stat(Path(folder) / name)
        except OSError:  # absent, or not reachable (a permission): both are a state
            state.append(None)
            continue
        state.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                      st.st_mode))
    return tuple(state)


def check_library_option(library: Path, exemplars: bool = True) -> None:
    """Refuse `colorize --library DIR` where the folder cannot serve: checked once, before any
    photo, a `ChronochromeError` (one `error:` line), not a failure at every photo."""
    if not exemplars:
        raise ChronochromeError("--library and --no-exemplars together: the library would not "
                                "be searched; give one of them")
    if not is_library(library):
        why = "no such folder" if not library.exists() else "no readable library.json"
        raise ChronochromeError(f"--library {library}: not an exemplar library ({why}); give "
                                "a folder written by `chronochrome library build`")
    try:
        info = _read_info(library / "library.json")
    except ValueError as e:  # another format version, a damaged manifest
        raise ChronochromeError(f"--library {library}: {e}") from e
    if info.visual_embedder is None:  # the colorizer ranks exemplars by their look too
        raise ChronochromeError(f"--library {library} was built without its visual index "
                                "(--no-visual), which colorize searches; rebuild it without "
                                "--no-visual (library build ... --overwrite)")


def check_library_folder(folder: str | Path) -> None:
    """Refuse (ValueError) a folder `build` must not write: a file, or a folder that is not
    empty and holds no library; replacing it would delete what is there."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file, not a folder; choose another output folder")
    if folder.is_dir() and any(folder.iterdir()) and not is_library(folder):
        raise ValueError(f"{folder} is not empty and is not an exemplar library; choose a new "
                         "or empty folder (nothing was written)")


def _swap_in(tmp: Path, folder: Path) -> None:
    """Move the library built in `tmp` into `folder`. An old library's entries go aside into
    a folder beside it first and come back if a move fails; other files are not touched."""
    if not folder.exists():
        tmp.rename(folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=tmp.parent))
    moved: list[str] = []
    try:
        for entry in LIBRARY_ENTRIES:  # library.json first: mid-swap, load refuses the folder
            if os.path.lexists(folder / entry):
                (folder / entry).rename(old / entry)
        for entry in reversed(LIBRARY_ENTRIES):  # library.json last
            if (tmp / entry).exists():
                (tmp / entry).rename(folder / entry)
                moved.append(entry)
    except OSError:
        for entry in moved:
            _remove(folder / entry)
        for entry in LIBRARY_ENTRIES:
            if os.path.lexists(old / entry):
                (old / entry).rename(folder / entry)
        old.rmdir()  # empty now; were a restore to fail, `old` keeps the old library
        raise
    shutil.rmtree(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _embed_texts(embedder: TextEmbedder, texts: list[str], batch: int = 64) -> np.ndarray:
    rows = [embedder.embed(texts[i:i + batch]) for i in range(0, len(texts), batch)]
    out = np.concatenate(rows) if rows else np.zeros((0, embedder.dim), np.float32)
    _check_rows(out, embedder.dim, embedder.name)
    return out


def _embed_images(embedder: VisualEmbedder, images: list[Image.Image]) -> np.ndarray:
    out = np.asarray(embedder(images), dtype=np.float32)
    _check_rows(out, embedder.dim, embedder.name)
    return out


def _check_rows(x: np.ndarray, dim: int, name: str) -> None:
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"embedder {name} returned shape {x.shape}, expected (N, {dim})")
