"""Exemplars from an archive's own color holdings: a folder of photos + a metadata CSV.

Each CSV row names an image file and may give its title, era, region, source and license;
the CSV is read as office tools save it (`retrieval.archive_csv`: Excel's Windows code page,
semicolons, UTF-16), columns are recognised by common names in any case (`ARCHIVE_COLUMNS`),
and `ArchiveDefaults` fill what a row lacks (the Prokudin-Gorsky manifest has titles and
links, not eras: pass `era=(1905, 1915), region="Russian Empire"`). Each photo's named colors
are its dominant colors, measured from the photo itself (k-means in RGB), so the colors'
source is the photo.

Where a row's image is read from: its file cell is a path relative to the photo folder
(`sub/a.jpg` included), or, failing that, to the CSV's own folder (a CSV beside the folder that
names `photos/a.jpg`); an absolute path is taken as it is. Either way the file must lie in the
photo folder (judged on the path as written, so a link the archivist put in the folder is
followed): a cell `../x.jpg` or `/home/.../x.jpg` would otherwise copy a file from anywhere
the account can read into a library that may be shared. `outside_ok` (`library build
--allow-outside-folder`) lifts this for a catalogue that names files in several places.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from context.photo_reading import MAX_PIXELS, PhotoTooLarge
from retrieval.archive_csv import read_metadata
from retrieval.exemplar_photo import NotAnExemplar, read_exemplar_photo
from retrieval.regions import RegionResolver
from retrieval.types import Exemplar, NamedColor, RegionRef

ARCHIVE_COLUMNS = {  # field -> CSV column names tried in order
    "file": ("file", "filename", "file_name", "image", "image_path"),
    "title": ("title", "caption", "title_hint_unverified", "description"),
    "start": ("start", "year_start"),
    "end": ("end", "year_end"),
    "era": ("era", "year", "date"),
    "region": ("region", "place", "location", "country", "polity"),
    "source": ("source", "source_url", "loc_link", "url"),
    "license": ("license", "rights", "photo_rights", "repo_license"),
    "kind": ("kind",),
}
REPO_COLUMNS = ("source_repo", "path", "commit")  # read together (`_repo_source`)
BASIC_COLORS = {  # names for measured colors (sRGB)
    "black": (20, 20, 20), "dark gray": (70, 70, 70), "gray": (128, 128, 128),
    "light gray": (190, 190, 190), "white": (240, 240, 240), "red": (180, 30, 30),
    "dark red": (110, 20, 20), "orange": (220, 120, 40), "brown": (110, 75, 45),
    "tan": (190, 160, 120), "yellow": (220, 200, 60), "olive": (110, 110, 50),
    "green": (60, 130, 60), "dark green": (30, 70, 35), "teal": (40, 120, 120),
    "sky blue": (130, 170, 210), "blue": (40, 70, 160), "navy": (25, 35, 80),
    "purple": (100, 50, 120), "pink": (220, 150, 160),
}


@dataclass(frozen=True)
class ArchiveDefaults:
    era: tuple[int, int] | None = None  # used when a row gives no years
    region: str | None = None  # place or polity name, resolved with the gazetteer
    kind: str = "photo"
    source: str | None = None  # used when a row gives no source
    license: str | None = None  # used when a row gives no license
    id_prefix: str = ""  # prepended to ids (file stems) to keep them unique across archives


def parse_era(text: str) -> tuple[int, int] | None:
    """'1905-1915', '1910', 'ca. 1910', '1905–1915' -> (start, end); None if no year."""
    years = [int(y) for y in re.findall(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", text or "")]
    if not years:
        return None
    return min(years), max(years)


def _get(row: dict[str, str], field: str) -> str:
    for column in ARCHIVE_COLUMNS[field]:
        value = (row.get(column) or "").strip()
        if value:
            return value
    return ""


def dominant_colors(image: Image.Image, n: int = 5, seed: int = 0) -> tuple[NamedColor, ...]:
    """The `n` dominant colors (k-means on a 64 px thumbnail), largest share first."""
    px = np.asarray(image.convert("RGB").resize((64, 64), Image.BILINEAR),
                    dtype=np.float32).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    centers = px[rng.choice(len(px), n, replace=False)]
    for _ in range(12):
        assign = np.argmin(((px[:, None] - centers[None]) ** 2).sum(-1), axis=1)
        centers = np.stack([px[assign == j].mean(0) if np.any(assign == j) else centers[j]
                            for j in range(n)])
    shares = np.bincount(assign, minlength=n) / len(px)
    names = np.array(list(BASIC_COLORS.values()), dtype=np.float32)
    keys = list(BASIC_COLORS)
    out = []
    for j in np.argsort(-shares):
        rgb = np.clip(np.round(centers[j]), 0, 255).astype(int)
        name = keys[int(np.argmin(((names - rgb) ** 2).sum(1)))]
        out.append(NamedColor(name, "#{:02X}{:02X}{:02X}".format(*rgb),
                              f"dominant {shares[j]:.0%}"))
    return tuple(out)


def _repo_source(row: dict[str, str]) -> str:
    """'owner/repo:path@commit' when the manifest says where the file came from."""
    repo, path, commit = (row.get(k, "").strip() for k in REPO_COLUMNS)
    return f"{repo}:{path}@{commit[:12]}" if repo and path else ""


class RowProblem(ValueError):
    """One metadata row that cannot become an exemplar; the message names the row's file."""


def archive_records(folder: str | Path, metadata: str | Path, resolver: RegionResolver,
                    defaults: ArchiveDefaults = ArchiveDefaults(),
                    on_note: Callable[[str], None] | None = None,
                    on_skip: Callable[[str], None] | None = None, outside_ok: bool = False,
                    max_pixels: int = MAX_PIXELS, color_only: bool = False
                    ) -> Iterator[tuple[Exemplar, Callable[[], Image.Image]]]:
    """Exemplars for the rows of `metadata` whose image exists in `folder`. The CSV is read as
    office tools save it (`retrieval.archive_csv`); `on_note` gets what reading it assumed
    (a code page, columns not read), before the first record. A row's file must lie in
    `folder` unless `outside_ok` (module docstring). A photo over `max_pixels` is that row's
    problem (`retrieval.exemplar_photo`: colorize's limit, and a huge photo read reduced);
    so is a black-and-white photo where `color_only` (`library build`: a color-exemplar
    library for colorize, whose gray exemplars would gray the photos they match).

    A row that cannot become an exemplar (no file, a file missing or not an image, a year or
    place not understood, an id taken by an earlier row) raises a `RowProblem` naming
    "CSV:row" and the fix; with `on_skip` it is passed that line instead and the rows after
    it are still read (one bad row of an archive never stops the build)."""
    folder, metadata = Path(folder), Path(metadata)
    files = _FileNames(folder, metadata.parent, outside_ok)
    sheet = read_metadata(metadata, ARCHIVE_COLUMNS, REPO_COLUMNS)
    for note in sheet.notes if on_note else ():
        on_note(note)
    default_region = _default_region(resolver, defaults.region)
    regions = _RegionLookup(resolver, default_region)
    taken: dict[str, int] = {}  # exemplar id -> the row that gave it
    read_photo = partial(read_exemplar_photo, max_pixels=max_pixels, color_only=color_only)
    for n, row in sheet.rows:
        try:
            exemplar, image = _row_exemplar(files, row, regions, defaults, read_photo)
            if exemplar.id in taken:
                raise RowProblem(f"id {exemplar.id!r} is already row {taken[exemplar.id]}'s "
                                 "(the same file name stem); rename one of the files")
        except RowProblem as e:
            message = f"{metadata}:{n}: {e}"
            if on_skip is None:
                raise RowProblem(message) from e
            on_skip(message)
            continue
        taken[exemplar.id] = n
        yield exemplar, partial(lambda im: im, image)


def _default_region(resolver: RegionResolver, name: str | None) -> RegionRef | None:
    if not name:
        return None
    try:
        return resolver.find(name)
    except ValueError as e:  # every row would use it: the whole build's input is wrong
        raise ValueError(f"--region {name!r}: {e}") from e


class _RegionLookup:
    """A row's region cell -> its regions, each distinct cell resolved once."""

    def __init__(self, resolver: RegionResolver, default: RegionRef | None) -> None:
        self.resolver = resolver
        self.default = default
        self.found: dict[str, RegionRef | None] = {}  # cell -> region, None: not known

    def __call__(self, text: str) -> tuple[RegionRef, ...]:
        if not text:
            return (self.default,) if self.default else ()
        if text not in self.found:
            try:
                self.found[text] = self.resolver.find(text)
            except ValueError:  # no place or polity in the text
                self.found[text] = None
        found = self.found[text]
        if found is None:
            raise RowProblem(f"place {text!r} is not one the gazetteer knows; name a country, "
                             "region or city it knows (configs/context/polities.csv, "
                             "places.csv), e.g. 'Russian Empire', or leave the cell empty")
        return (found,)


def _row_era(row: dict[str, str], defaults: ArchiveDefaults) -> tuple[int, int]:
    """The row's years (start/end columns, else an era column), else the default era. A
    cell that holds no year ("19x5") is the row's problem, not a reason to use the default."""
    start_text, end_text, era_text = _get(row, "start"), _get(row, "end"), _get(row, "era")
    for text in (start_text, end_text, era_text):
        if text and parse_era(text) is None:
            raise RowProblem(f"{text!r} is not a year; write e.g. 1910, 1905-1915 or ca. 1910")
    if start_text:
        start = parse_era(start_text)[0]
        end = parse_era(end_text)[1] if end_text else start
        if end < start:
            raise RowProblem(f"end year {end} is before start year {start}; swap them")
        return start, end
    era = parse_era(era_text) if era_text else defaults.era
    if era is None:
        raise RowProblem("no year; fill its year or start/end cells, or give a default for "
                         "rows without one (--era 1905-1915)")
    return era


class _FileNames:
    """A row's file cell -> the image's path, or a `RowProblem` (module docstring)."""

    def __init__(self, folder: Path, csv_folder: Path, outside_ok: bool) -> None:
        self.folder = folder
        self.bases = (folder, csv_folder) if csv_folder != folder else (folder,)
        self.outside_ok = outside_ok
        # The folder as the user named it and as links resolve: an absolute cell may use
        # either (a catalogue exported with /mnt/archive/... where photos/ links there).
        self.roots = {Path(os.path.abspath(folder)), folder.resolve()}

    def __call__(self, name: str) -> Path:
        if not name:
            raise RowProblem("no image file named in this row; fill its file cell or remove "
                             "the row")
        # A catalogue made on Windows writes subfolders with backslashes ("sub\\a.jpg").
        spellings = dict.fromkeys((name, name.replace("\\", "/")))
        found = [base / cell for cell in spellings for base in self.bases
                 if _is_file(base / cell)]
        if not found:
            raise RowProblem(self._not_found(name, spellings))
        inside = [path for path in found if self._inside(path)]
        if inside or self.outside_ok:
            return (inside or found)[0]
        plain = Path(name.replace("\\", "/")).name
        rename = f" and write its cell as {plain!r}" if plain != name else ""
        raise RowProblem(
            f"image {name!r} lies outside the photo folder {self.folder}; copy it into "
            f"{self.folder}{rename}, or pass --allow-outside-folder to read files outside it")

    def _not_found(self, name: str, spellings: dict[str, None]) -> str:
        """Why no file answers `name`: a link in the folder that leads nowhere (a loop, a
        target moved away) was reported as "not in" the folder it is in."""
        links = [base / cell for cell in spellings for base in self.bases
                 if os.path.islink(base / cell)]
        if links:
            return (f"image {name!r} in {links[0].parent} is a link that leads to no file "
                    "(a loop of links, or its target was moved or deleted); point it at the "
                    "photo or put the photo in its place")
        return f"image {name!r} is not in {self.folder}"

    def _inside(self, path: Path) -> bool:
        """Whether `path`, with its `..` taken as written (links not followed), lies in
        the folder."""
        written = Path(os.path.normpath(os.path.abspath(path)))
        return any(root in written.parents for root in self.roots)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as e:  # a cell too long for a file name (a pasted caption)
        raise RowProblem(f"{str(path)[:60]!r}... is not a file name the system can look up "
                         f"({e.strerror}); put the image's file name in its file cell") from e


def _row_exemplar(files: _FileNames, row: dict[str, str], regions: _RegionLookup,
                  defaults: ArchiveDefaults, read_photo: Callable[[Path], Image.Image]
                  ) -> tuple[Exemplar, Image.Image]:
    """The row's exemplar and its (resized) image, or a `RowProblem` saying what to fix."""
    name = _get(row, "file")
    path = files(name)
    folder = files.folder
    era = _row_era(row, defaults)
    row_regions = regions(_get(row, "region"))
    try:
        image = read_photo(path)
    except (PhotoTooLarge, NotAnExemplar) as e:  # their messages name the file and the fix
        raise RowProblem(str(e)) from e
    except PermissionError as e:
        raise RowProblem(f"{path} cannot be read (permission denied); give your account read "
                         "access to it (chmod a+r) or remove the row") from e
    except (OSError, SyntaxError, ValueError) as e:
        # PIL.UnidentifiedImageError (a text file named .jpg) and a truncated file are
        # OSErrors; a broken PNG chunk is a SyntaxError.
        raise RowProblem(f"{path} is not a readable image ({e}); fix the file or remove "
                         "the row") from e
    source = _get(row, "source") or _repo_source(row) or defaults.source \
        or f"{folder.name}/{name}"
    license_ = _get(row, "license") or defaults.license or "unknown (see the archive)"
    title = _get(row, "title") or f"{folder.name}: {path.stem}"
    try:
        exemplar = Exemplar(
            id=defaults.id_prefix + path.stem, kind=_get(row, "kind") or defaults.kind,
            title=title, start=era[0], end=era[1], regions=row_regions,
            colors=dominant_colors(image), source=source, license=license_, image="",
            description=f"Color photograph from the {folder.name} archive.",
            note="colors measured from the photo (dominant colors)")
    except ValueError as e:  # a kind cell that names no kind
        raise RowProblem(str(e)) from e
    return exemplar, image
