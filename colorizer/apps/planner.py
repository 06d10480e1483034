"""Planning a batch: which files to colorize and every name written, before any work starts.

Rules (each one a lost file in an earlier version):
- folders are searched recursively; hidden files, a system's folders (`SYSTEM_FOLDERS`: a
  NAS's thumbnails) and files any of our manifests says we wrote (our outputs in an input
  folder, or a colorized folder kept inside the scans) are skipped, so a run never
  colorizes outputs; a link to a folder elsewhere is followed, each folder walked once;
- a photo found in a sub-folder keeps it: `in/1950/photo.jpg` -> `OUT/1950/photo.png`;
- a photo of a CSV list or a IIIF manifest asks for the name the list gives (its `id` column,
  its canvas label; `colorizer.apps.collection_inputs`), never one outside OUTDIR, and is
  planned like any other;
- no two planned files share a name (compared case-insensitively and in Unicode's composed
  form, for macOS and Windows disks): stems met twice with different suffixes keep the suffix (`foo_jpg.png`,
  `foo_png.png`), any other clash takes `-2`, `-3`, ... in input order (`photo-2.png`); a
  list's photo renamed so carries a note naming its row or canvas (`PlannedOutput.note`);
- a name an earlier run's manifest gave another photo is taken too (with a note), and a
  photo colorized before is given its earlier name (`colorizer.apps.earlier_outputs`);
- side files (`.json`, `.uncertainty.png`, `.exemplars.png`, `.regions.png`) are reserved with
  their image, whether or not this run writes them, so names do not move between runs;
- no planned file is an input;
- names are shortened to fit the file system's 255 bytes together with a suffix tag
  (`_jpg`), a number, the longest side file ending and the writer's temporary name; a name
  that is not UTF-8 keeps its bytes.

Files that exist but that chronochrome did not write are the batch's to refuse
(`colorizer.apps.batch`), before the photo is computed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from colorizer.apps.collection_inputs import collection_sources, is_collection, is_url
from colorizer.apps.earlier_outputs import (
    JOURNAL,
    MANIFEST,
    EarlierOutputs,
    fold,
    written_files,
)
from colorizer.apps.live_photos import live_photo_videos
from colorizer.apps.outputs import image_suffix
from colorizer.apps.service.fetch import FetchConfig
from colorizer.apps.source import Source
from colorizer.apps.unread_files import LIVE_PHOTO_VIDEO, UnreadFiles
from colorizer.errors import ImageNotFoundError
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES

# A folder's photos: what the loader reads, and phones' formats it refuses with how to convert
# them (a folder of iPhone HEICs was skipped without a word, exit 0).
WALKED_SUFFIXES = SUPPORTED_SUFFIXES | {".heic", ".heif", ".avif"}
SIDE_ENDINGS = (".json", ".uncertainty.png", ".exemplars.png", ".regions.png")
# 255 bytes per name, less the writer's temporary name (".<name>.<8 random>.tmp": 14 bytes),
# the longest side ending and room for "-9999".
MAX_STEM_BYTES = 255 - 14 - max(len(e) for e in SIDE_ENDINGS) - 5


@dataclass
class PlannedOutput:
    source: Source
    key: str  # the image's path under OUTDIR, posix: the manifest's key
    image: Path
    sides: dict[str, Path] = field(default_factory=dict)  # side ending -> path
    note: str = ""  # what reading its list assumed; another name than it asked for, and why


def find_sources(inputs: Iterable[str | Path], skip: set[Path] = frozenset(),
                 fetch: FetchConfig | None = None,
                 unread: UnreadFiles | None = None) -> list[Source]:
    """Files given, the image files under folders given (recursive, sorted), and the photos
    of CSV lists and IIIF manifests given (`colorizer.apps.collection_inputs`).

    `skip`: resolved paths never taken from a folder (what our manifests say we wrote).
    `fetch`: the limits on fetching a manifest given by URL.
    `unread`: gathers the photos folders hold that cannot be read (camera raws, PDFs), for
    the summary to name (`colorizer.apps.unread_files`).
    A path that does not exist stops the run (a typo); a link given by name that leads
    nowhere or loops is kept, with its problem, so the batch reports it and goes on; so is
    a row of a CSV list that names no readable file.
    """
    sources: list[Source] = []
    inputs = list(inputs)
    # A Live Photo's video given with its photo (IMG_0008.*): named in the summary, not failed
    companions = live_photo_videos((Path(e) for e in inputs if not is_url(str(e))),
                                   WALKED_SUFFIXES)
    for entry in inputs:
        path = Path(entry)
        if path in companions:
            if unread is not None:
                unread.add_as(path, LIVE_PHOTO_VIDEO)
        elif path.is_dir():
            sources.extend(_images_under(path, skip, unread))
        elif is_url(str(entry)) or (is_collection(entry) and path.is_file()):
            sources.extend(collection_sources(str(entry), fetch))  # CSV list, IIIF manifest
        elif path.is_symlink() and not path.exists():
            sources.append(Source(path, PurePosixPath(path.name), _link_problem(path)))
        elif path.exists() or path.is_symlink():
            sources.append(Source(path, PurePosixPath(path.name)))
        else:
            raise ImageNotFoundError(str(path), "no such file or folder",
                                     f"check the path; relative paths start from {Path.cwd()}")
    return sources


# Folders a system or a copy made beside the photos, never the user's photos: a Synology
# NAS's thumbnails (@eaDir/photo.jpg/SYNOPHOTO_THUMB_XL.jpg: five per photo, each colorized
# as a photo of its own), a zip from a Mac's resource forks, the recycle bins.
SYSTEM_FOLDERS = frozenset({"@eaDir", "__MACOSX", "#recycle", "#snapshot", "$RECYCLE.BIN",
                            "System Volume Information"})


def _images_under(folder: Path, skip: set[Path], unread: UnreadFiles | None) -> list[Source]:
    """The image files under `folder`, sorted. A link to a folder outside it is followed (a
    collection gathered by links; they were skipped without a word); one into it or to a
    folder above it is not (its photos are met under their own name), and a folder is
    walked once (links that loop). The outputs another run listed
    in its manifest (a colorized folder kept inside the scans) are not photos to colorize."""
    found, top, ours = [], real_path(folder), set(skip)
    walked = {top}
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in sorted(dirs) if not d.startswith(".") and d not in SYSTEM_FOLDERS
                   and _first_visit(Path(root) / d, top, walked)]
        # Its files may be in any sub-folder, met later in the walk; a killed run's may be
        # in the journal alone (colorizer.apps.manifest_journal).
        if MANIFEST in files or JOURNAL in files:
            ours |= written_files(Path(root))
        for name in sorted(files):
            path = Path(root) / name
            if (name.startswith(".") or Path(name).suffix.lower() not in WALKED_SUFFIXES
                    or not path.is_file() or real_path(path) in ours):
                if unread is not None and not name.startswith("."):
                    unread.add(path)  # a raw, a PDF: named in the summary, not colorized
                continue  # hidden, not an image, not a plain file (FIFO, dead link), ours
            found.append(Source(path, PurePosixPath(path.relative_to(folder).as_posix())))
    return found


def _first_visit(path: Path, top: Path, walked: set[Path]) -> bool:
    """Whether to walk the sub-folder `path`: not walked yet, and not a link into `top` or
    to a folder holding it (`up -> ..` would walk the photos beside the folder given)."""
    real = real_path(path)
    if real in walked or (path.is_symlink() and (real.is_relative_to(top)
                                                  or top.is_relative_to(real))):
        return False
    walked.add(real)
    return True


def _link_problem(path: Path) -> str:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return "is a link that loops back on itself"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a link that loops back on itself"
    return f"is a link to {os.readlink(path)}, which does not exist"


def plan_outputs(sources: list[Source], outdir: Path, fmt: str,
                 earlier: EarlierOutputs | None = None) -> list[PlannedOutput]:
    """One output name per source, and its side files, none clashing (module docstring).
    `earlier`: what earlier runs wrote into `outdir` (names another photo holds are taken;
    a photo colorized before keeps its name)."""
    suffix = image_suffix(fmt)
    bases = [_base(source) for source in sources]
    counts: dict[str, set[str]] = {}
    for source, base in zip(sources, bases):
        counts.setdefault(fold(base), set()).add(source.relative.suffix.casefold())
    local = {s.path for s in sources if not s.url}  # a list's rows share its path
    inputs = _Inputs(outdir, {_key(real_path(path)) for path in local})
    taken: set[str] = set()
    # base -> the first "-n" not yet tried. Every number below it clashed when tried or was
    # given out, and still clashes (`taken` only grows), so each is tried once: 10,000 rows
    # of one stem took 81 s trying small, small-2, ... again for every row, now 0.5 s.
    # Keyed by the exact base: an input met by another spelling still counts.
    next_n: dict[str, int] = {}
    plans = []
    for source, asked in zip(sources, bases):
        stem = earlier.stem_for(source, suffix) if earlier else None
        if stem is not None and not _clashes(stem, suffix, taken, inputs):
            plans.append(_planned(source, outdir, stem, suffix, taken, ""))
            continue
        base, shared = asked, len(counts[fold(asked)]) > 1
        if shared:  # foo.jpg + foo.png: the suffix tells them apart
            base = _base(source, f"_{source.relative.suffix.lstrip('.').lower()}")
        shared = shared or _clashes(base, suffix, taken)
        n = next_n.get(base, 1)
        while (_clashes(_numbered(base, n), suffix, taken, inputs)
               or _held(earlier, _numbered(base, n), source)):
            n += 1
        next_n[base], stem = n + 1, _numbered(base, n)
        held = _held(earlier, base, source) if stem != base else None
        named = base if held else asked  # the name another photo holds, or the list's
        note = "" if stem == asked else _renamed(source, f"{named}{suffix}", f"{stem}{suffix}",
                                                 shared, held)
        plans.append(_planned(source, outdir, stem, suffix, taken, note))
    return plans


def _planned(source: Source, outdir: Path, stem: str, suffix: str, taken: set[str],
             note: str) -> PlannedOutput:
    """The plan of `stem` (its image and side files), now taken; its note after what was
    assumed reading the source (`Source.note`: its list's encoding, its path's spelling)."""
    names = [f"{stem}{suffix}", *(f"{stem}{e}" for e in SIDE_ENDINGS)]
    taken.update(fold(name) for name in names)
    return PlannedOutput(source, names[0], outdir / names[0],
                         {e: outdir / f"{stem}{e}" for e in SIDE_ENDINGS},
                         "; ".join(filter(None, (source.note, note))))


def _held(earlier: EarlierOutputs | None, stem: str, source: Source) -> str | None:
    """The input of another photo an earlier run wrote under `stem` (None: free, or ours)."""
    return earlier.other_photo(stem, source) if earlier is not None else None


def _renamed(source: Source, asked: str, given: str, shared: bool,
             held: str | None = None) -> str:
    """Why a photo is not written under the name it asked for: a list's (its `id` column, its
    canvas label), or any photo's whose name an earlier run gave another photo (`held`); ""
    for a file or a folder's photo renamed within this run (its line shows the name)."""
    origin = dict(source.origin)
    if held is not None:
        return (f"{asked} in the output folder is {held}, colorized by an earlier run; "
                f"written as {given}")
    if "row" in origin and "list" in origin:
        where = f"row {origin['row']} of {Path(origin['list']).name}"
    elif "canvas" in origin:
        where = f"canvas {origin['canvas']}"
    else:
        return ""
    why = "another photo of this run asks for it too" if shared else "an input has that name"
    return f"{where} asks for the name {asked} ({why}); written as {given}"


def _base(source: Source, tag: str = "") -> str:
    """The stem and `tag` under its sub-folder, the stem shortened so both fit the file
    system's name limit."""
    stem = _fit(source.relative.stem, MAX_STEM_BYTES - len(tag.encode())) + tag
    return str(source.relative.parent / stem) if source.relative.parent.parts else stem


def _fit(stem: str, limit: int) -> str:
    """`stem` cut to `limit` bytes, as the file system counts them, at a character. A name
    that is not UTF-8 (a Latin-1 name from an old disk) holds escaped surrogates, one byte
    each: encoding it as plain UTF-8 raised, a traceback before any photo."""
    size = 0
    for i, char in enumerate(stem):
        size += len(char.encode("utf-8", "surrogateescape"))
        if size > limit:
            return stem[:i]
    return stem


def _numbered(base: str, n: int) -> str:
    return base if n == 1 else f"{base}-{n}"


def _clashes(stem: str, suffix: str, taken: set[str], inputs: _Inputs | None = None) -> bool:
    """Whether a name of `stem` (the image's or a side file's) is planned already or, links
    followed, is an input; the file system is asked only about names not known to be taken."""
    names = [f"{stem}{suffix}", *(f"{stem}{e}" for e in SIDE_ENDINGS)]
    return any(fold(n) in taken or (inputs is not None and n in inputs) for n in names)


class _Inputs:
    """The inputs, as `_key(real_path(...))`; `name in inputs` says whether OUTDIR/name is one.

    Each folder is resolved once and then only the name itself is looked at (followed in full
    if it is a link): the same answer as `real_path(outdir / name)`, which looks at every
    folder on the way for every name (one lstat a folder: most of planning a long list).
    Same, because a name ends in an image or side ending (never "." or "..") and a folder
    whose links loop leaves the rest unresolved either way.
    """

    def __init__(self, outdir: Path, keys: set[str]):
        self.outdir, self.keys = str(outdir), keys
        self.folders: dict[str, str] = {}  # folder as joined -> its real path

    def __contains__(self, name: str) -> bool:
        if not self.keys:
            return False
        path = os.path.join(self.outdir, name)
        folder, leaf = os.path.split(path)
        if folder not in self.folders:
            self.folders[folder] = os.path.realpath(folder)
        resolved = os.path.join(self.folders[folder], leaf)
        if os.path.islink(resolved):
            resolved = os.path.realpath(path)
        return resolved.casefold() in self.keys


def real_path(path: Path) -> Path:
    """The path with links followed as far as they go (never raises on a loop)."""
    return Path(os.path.realpath(path))


def _key(path: Path) -> str:
    return str(path).casefold()
