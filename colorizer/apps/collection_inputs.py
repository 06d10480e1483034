"""Collections given as one input: a CSV list of photos, or a IIIF Presentation manifest.

Each becomes planned `Source`s (`colorizer.apps.planner` gives them their output names, as it
does for the files of a folder). What they add to a file found in a folder:

- a CSV list (`photos.csv`, `.tsv`, or a `.txt` whose first row names a photo column; read
  as spreadsheets export it, `colorizer.apps.sheet_reader`): a header row, then one photo
  per row. The photo is the `path`, `file` or `url` column (the first of these the header
  has): a path, relative to the CSV's folder unless absolute (spellings from other
  machines: `colorizer.apps.list_paths`), or an http(s) URL. Optional columns: `caption`, `hint` (or
  `hints`), `id` (or `output`), the output name (sub-folders allowed, never outside the
  output folder), and the photo's date and place as a catalogue records them (`date`,
  `year`, `place`, `location`, `city`, `country`, and the other names of
  context.catalogue_fields: `datum`, `ort`, ...), each read by the context as its own field
  ("csv:date"), beside the caption if there is one, else beside the file's own captions;
  trailing columns may be left out of a row. A row that cannot be used (an
  empty or missing file, more fields than the header) becomes that photo's failure, with
  the row's number; a CSV without a photo column stops the run with a one-line error.
- a IIIF manifest (Presentation 2 or 3; a local .json file or an http(s) URL): one photo per
  canvas with an image, its label as the caption and as the output name (the canvas id's
  last part when it has no label); the canvas's `navDate`, date and place `metadata` and
  `summary` (the manifest's where the canvas has none) are read by the context too, each
  naming its field ("iiif:navDate", "iiif:metadata:Date", "iiif:manifest:summary"). Images
  are fetched when a worker reads them, through the service's fetcher
  (`colorizer.apps.service.fetch`: public addresses only, size-capped), from the Image API
  service at the largest size within the pixel cap when the canvas has one.

Where a photo came from (the list and its row, the manifest and canvas, the URL) is its
`origin`, recorded in the output folder's manifest entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from colorizer.apps.list_paths import RowPaths, readable
from colorizer.apps.service.canvas_captions import canvas_caption, label_text
from colorizer.apps.service.fetch import AddressRefused, FetchConfig, SafeFetcher
from colorizer.apps.service.iiif import canvases_of
from colorizer.apps.service.json_documents import JSONDocumentError, load_json
from colorizer.apps.sheet_reader import names_photo_column, read_sheet
from colorizer.apps.source import Source
from colorizer.errors import ChronochromeError
from colorizer.pipeline.captions import CatalogueCaption
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES
from context.catalogue_fields import CSV_COLUMNS
from context.text_encoding import CODE_PAGES
from context.types import Caption

PHOTO_COLUMNS = ("path", "file", "url")
CAPTION_COLUMNS = ("caption",)
HINT_COLUMNS = ("hint", "hints")
NAME_COLUMNS = ("id", "output")
_UNSAFE = re.compile(r"[^\w\-+ .,()'&]+")  # what an output name keeps of a label


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def is_collection(entry: str | Path) -> bool:
    """A CSV list (.csv, .tsv, or a .txt whose first row names a photo column: Excel's
    "Unicode text"), a local .json manifest or a manifest URL (not a photo, not a folder)."""
    text = str(entry)
    suffix = Path(text).suffix.lower()
    return (is_url(text) or suffix in (".csv", ".tsv", ".json")
            or (suffix == ".txt" and names_photo_column(Path(text), PHOTO_COLUMNS)))


def collection_sources(entry: str | Path, fetch: FetchConfig | None = None) -> list[Source]:
    """The photos of a CSV list or a IIIF manifest (module docstring)."""
    text = str(entry)
    if is_url(text) or Path(text).suffix.lower() == ".json":
        return manifest_sources(text, fetch)
    return csv_sources(Path(text))


def csv_sources(path: Path) -> list[Source]:
    """One `Source` per row of a CSV list (`colorizer.apps.sheet_reader` reads it as
    spreadsheets write it); a row that cannot be used carries its problem, and every row
    what was assumed reading the list."""
    known = {*PHOTO_COLUMNS, *CAPTION_COLUMNS, *HINT_COLUMNS, *NAME_COLUMNS, *CSV_COLUMNS}
    sheet = read_sheet(path, PHOTO_COLUMNS, known)
    column = next(c for c in PHOTO_COLUMNS if c in sheet.header)
    paths = RowPaths(path, sheet.encoding if sheet.encoding in CODE_PAGES else "cp1252")
    sources = []
    for number, row in sheet.rows:
        fields = {}
        for name, cell in zip(sheet.header, row):
            if name and not fields.get(name):  # a column named twice: its first filled cell
                fields[name] = cell.strip()
        source = _csv_row(path, number, fields, column, len(row) - len(sheet.header), paths)
        note = "; ".join(filter(None, (*sheet.notes, source.note)))
        sources.append(replace(source, note=note))
    return sources


def _csv_row(csv_path: Path, number: int, fields: dict[str, str], column: str,
             extra: int, paths: RowPaths) -> Source:
    where = f"row {number}"  # messages read "<csv or photo>: row N ...: what. fix row N"
    value = fields.get(column, "")
    origin = (("list", str(csv_path)), ("row", str(number)))
    named = _first(fields, NAME_COLUMNS)
    common = {"caption": _row_caption(fields), "hint": _first(fields, HINT_COLUMNS),
              "fix": f"fix row {number} of {csv_path.name}"}
    if extra > 0:  # fewer fields are the trailing columns left empty; more are misaligned
        count = f"{extra} more field" + "s" * (extra > 1)
        problem = (f"has {count} than the header (a comma inside a caption needs the caption "
                   "in double quotes)")
        # Its fields are misaligned: no column of it names the output.
        return Source(csv_path, _relative(f"row-{number}", ""), f"{where} {problem}",
                      origin=origin, **common)
    if not value:
        return Source(csv_path, _relative(named or f"row-{number}", ""),
                      f"{where}: the {column} column is empty", origin=origin, **common)
    if is_url(value):
        url_name = unquote(PurePosixPath(urlsplit(value).path).name) or f"row-{number}"
        return Source(csv_path, _relative(named or url_name, _suffix(url_name)), url=value,
                      origin=(*origin, ("url", value)), **common)
    if "://" in value:
        return Source(csv_path, _relative(named or f"row-{number}", ""),
                      f"{where}: {value!r} is neither a file nor an http(s) URL",
                      origin=origin, **common)
    photo, problem, note = paths.find(value)
    own = readable(_under(photo, csv_path.parent), paths.code_page)
    relative = _relative(named or own, photo.suffix)
    if problem:
        return Source(photo, relative, f"{problem} ({where} of {csv_path})", origin=origin,
                      **common)
    note = note and f"{where} of {csv_path.name} {note}"
    return Source(photo, relative, origin=origin, note=note, **common)


def manifest_sources(where: str, fetch: FetchConfig | None = None) -> list[Source]:
    """One `Source` per canvas with an image of a IIIF manifest (a .json file or a URL)."""
    try:
        if is_url(where):
            fetcher = SafeFetcher(fetch)
            try:
                data = fetcher.get(where, accept="application/ld+json, application/json").data
            finally:
                fetcher.close()
        else:
            data = Path(where).read_bytes()
        document = load_json(data, where)
        meta, canvases = canvases_of(document if isinstance(document, dict) else {})
    except (OSError, JSONDocumentError, KeyError, TypeError, AttributeError) as exc:
        # KeyError and the like: a canvas without an id, a list where an object belongs.
        raise ChronochromeError(f"{where}: cannot read this IIIF manifest ({exc!r}); give a "
                                "Presentation 2 or 3 manifest (.json file or http(s) URL)"
                                ) from exc
    except ChronochromeError as exc:  # fetch refused or failed; not a manifest
        raise ChronochromeError(f"{where}: {with_trust_fix(exc)}") from exc
    path = Path() if is_url(where) else Path(where)
    manifest_id = str(meta.get("id") or where)
    sources = []
    for canvas in canvases:
        label = label_text(canvas.label)
        label = "" if label == canvas.canvas_id else label  # no label: canvases_of gave the id
        named = label or _last_part(canvas.canvas_id)
        image = canvas.image_url
        origin = (("manifest", manifest_id), ("canvas", canvas.canvas_id), ("url", image))
        problem = "" if is_url(image) else (
            f"the image of canvas {canvas.canvas_id} in {where} is not an http(s) URL")
        sources.append(Source(path, _relative(named, _suffix(image) or ".jpg"), problem,
                              url=image, service=canvas.service or "",
                              caption=canvas_caption(canvas.label, canvas.canvas_id,
                                                     canvas.described),
                              origin=origin,
                              fix="ask the manifest's publisher"))
    return sources


def with_trust_fix(exc: Exception) -> Exception:
    """A private address refused, with the CLI's fix (the service's words name no flag)."""
    if isinstance(exc, AddressRefused):
        return exc.with_fix(f"pass --trust-host {exc.host} to fetch from it")
    return exc


def _row_caption(fields: dict[str, str]) -> str | None:
    """A row's caption: its `caption` column as it was (the only caption read, as a
    --caption), or with the row's date and place columns, a `CatalogueCaption` of them."""
    own = _first(fields, CAPTION_COLUMNS)
    record = [Caption(value, f"csv:{name}") for name, value in fields.items()
              if value and name in CSV_COLUMNS]
    if not record:
        return own
    return CatalogueCaption.of(([Caption(own, "user")] if own else []) + record,
                               replaces=own is not None)


def _first(fields: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((fields[n] for n in names if fields.get(n)), None)


def _last_part(uri: str) -> str:
    parts = [p for p in urlsplit(uri).path.split("/") if p]
    return unquote(parts[-1]) if parts else "canvas"


def _suffix(name: str) -> str:
    suffix = PurePosixPath(urlsplit(name).path).suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else ""


def _under(photo: Path, folder: Path) -> str:
    """The photo's path under the CSV's folder (kept as sub-folders), else its name."""
    try:
        return photo.relative_to(folder).with_suffix("").as_posix()
    except ValueError:
        return photo.stem


def _relative(name: str, suffix: str) -> PurePosixPath:
    """An output name from a user's or an archive's text: sub-folders kept, never '..' or an
    absolute path (nothing is written outside the output folder), no hidden names, an image
    suffix given in the name dropped (the output format decides it). Composed Unicode, as a
    Mac's decomposed "o" + accent was "o_" (the accent is no word character); a folder's
    name cut to the file system's 255 bytes (the planner fits the file's own name)."""
    name = unicodedata.normalize("NFC", name)
    parts = [_UNSAFE.sub("_", part).strip(" .") for part in name.replace("\\", "/").split("/")]
    parts = [p for p in parts if p] or ["photo"]
    parts = [_cut(p, 255) for p in parts[:-1]] + parts[-1:]
    stem = PurePosixPath(*parts)
    if stem.suffix.lower() in SUPPORTED_SUFFIXES:
        stem = stem.with_suffix("")
    # The suffix only tells apart two photos of one name (planner); ".img" when unknown.
    return PurePosixPath(f"{stem}{suffix or '.img'}")


def _cut(part: str, limit: int) -> str:
    """`part` cut to `limit` bytes of UTF-8 at a character (a surrogate-escaped byte is one)."""
    while len(part.encode("utf-8", "surrogateescape")) > limit:
        part = part[:-1]
    return part
