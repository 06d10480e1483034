"""Exemplars from an archive's own color holdings: a folder of photos + a metadata CSV.

Each CSV row names an image file and may give its title, era, region, source and license;
the CSV is read as office tools save it (`retrieval.archive_csv`: Excel's Windows code page,
semicolons, UTF-16), columns are recognised by common names in any case (`ARCHIVE_COLUMNS`),
and `ArchiveDefaults` fill what a row lacks (the Prokudin-Gorsky manifest has titles and
links, not eras: pass `era=(1905, 1915), region="Russian Empire"`). Each photo's named colors
are its dominant colors, measured from the photo itself (k-means in RGB), so the colors'
source is the photo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from retrieval.archive_csv import read_metadata
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
MAX_SIDE = 512  # archive photos are stored in the library at this long side
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


def _load_image(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    return image


def archive_records(folder: str | Path, metadata: str | Path, resolver: RegionResolver,
                    defaults: ArchiveDefaults = ArchiveDefaults(),
                    on_note: Callable[[str], None] | None = None
                    ) -> Iterator[tuple[Exemplar, Callable[[], Image.Image]]]:
    """Exemplars for the rows of `metadata` whose image exists in `folder`. The CSV is read as
    office tools save it (`retrieval.archive_csv`); `on_note` gets what reading it assumed
    (a code page, columns not read), before the first record."""
    folder, metadata = Path(folder), Path(metadata)
    sheet = read_metadata(metadata, ARCHIVE_COLUMNS, REPO_COLUMNS)
    for note in sheet.notes if on_note else ():
        on_note(note)
    default_region = resolver.find(defaults.region) if defaults.region else None
    region_cache: dict[str, RegionRef] = {}
    for n, row in sheet.rows:
        name = _get(row, "file")
        if not name:
            raise ValueError(f"{metadata}:{n}: no image file named in this row; fill its "
                             "file cell or remove the row")
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{metadata}:{n}: image {name!r} is not in {folder}")
        era = None
        if _get(row, "start"):
            era = (int(_get(row, "start")), int(_get(row, "end") or _get(row, "start")))
        era = era or parse_era(_get(row, "era")) or defaults.era
        if era is None:
            raise ValueError(f"{metadata}:{n}: no era for {name}; add start/end or era columns, "
                             "or give a default (--era 1905-1915)")
        region_text = _get(row, "region")
        if region_text:
            if region_text not in region_cache:
                region_cache[region_text] = resolver.find(region_text)
            regions = (region_cache[region_text],)
        else:
            regions = (default_region,) if default_region else ()
        try:
            image = _load_image(path)
        except OSError as e:  # PIL.UnidentifiedImageError included: a text file named .jpg
            raise ValueError(f"{metadata}:{n}: {path} is not a readable image ({e}); fix or "
                             "remove that row") from e
        source = _get(row, "source") or _repo_source(row) or defaults.source \
            or f"{folder.name}/{name}"
        license_ = _get(row, "license") or defaults.license or "unknown (see the archive)"
        title = _get(row, "title") or f"{folder.name}: {Path(name).stem}"
        exemplar = Exemplar(
            id=defaults.id_prefix + Path(name).stem, kind=_get(row, "kind") or defaults.kind,
            title=title, start=era[0], end=era[1], regions=regions,
            colors=dominant_colors(image), source=source, license=license_, image="",
            description=f"Color photograph from the {folder.name} archive.",
            note="colors measured from the photo (dominant colors)")
        yield exemplar, partial(lambda im: im, image)
