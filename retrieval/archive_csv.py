"""An archive's metadata CSV (`library build --metadata`) as office tools save it, read into
rows keyed by column.

What is read, as the colorizer's CSV lists are (`colorizer/apps/sheet_reader.py`):
- the encoding: UTF-8 with or without a byte-order mark, UTF-16 (Excel's "Unicode text"), or a
  Windows, DOS or Mac code page told by its words, with a note saying which
  (`context.text_encoding`): Excel's "CSV (comma delimited)" on Windows is Windows-1252;
- the delimiter: a comma, a semicolon (Excel where the decimal mark is a comma), a tab or a
  bar: the one that splits the header row into an image column, the most fields where several
  do, or the one a first line "sep=;" names;
- header names in any case, with spaces or underscores ("File Name", " Title ", "IMAGE_PATH")
  and a trailing colon; blank rows (Excel's ";;;") are skipped; columns not read get a note.
A row's number is the one the spreadsheet shows it under (the header is row 1).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from context.errors import ChronochromeError
from context.sheet_text import read_sheet_file

MAX_NAMED = 8  # unread columns named in the note (a scraped manifest has dozens)


class MetadataError(ChronochromeError, ValueError):
    """A metadata CSV that cannot be read; the message says how to fix it. Both the library
    CLI (ValueError) and `chronochrome` (ChronochromeError) report it as one line."""


@dataclass(frozen=True)
class MetadataRows:
    rows: list[tuple[int, dict[str, str]]]  # (row number, {column key: cell}), blank rows left out
    notes: tuple[str, ...] = ()  # what was assumed or left unread, for the user


def column_key(name: str) -> str:
    """A header cell as compared: lower case, spaces and underscores as one "_", a trailing
    colon dropped ("File Name:" -> "file_name")."""
    return "_".join(name.replace("_", " ").casefold().strip().rstrip(":").split())


def read_metadata(path: Path, fields: Mapping[str, tuple[str, ...]],
                  also_read: Collection[str] = ()) -> MetadataRows:
    """The rows of the CSV at `path` (module docstring). `fields`: field -> the column keys
    read for it, the header must name one of "file"'s; a column neither there nor in
    `also_read` is named in a note, with the names each field is read under."""
    file_columns = fields["file"]
    decoded = read_sheet_file(path, lambda cell: column_key(cell) in file_columns, "CSV",
                              MetadataError)
    records = decoded.records
    header = [column_key(cell) for cell in records[0]] if records else []
    if not any(name in file_columns for name in header):
        shown = ", ".join(header) or "empty"
        raise MetadataError(f"{path}: no image column in the header row ({shown}); name the "
                            f"column of image file names one of {', '.join(file_columns)} "
                            "(the first row names the columns)")
    rows = [(number, dict(zip(header, cells)))
            for number, cells in enumerate(records[1:], start=2)
            if any(cell.strip() for cell in cells)]
    notes = [decoded.note] if decoded.note else []
    notes += _unread_note(path, header, fields, also_read)
    return MetadataRows(rows, tuple(notes))


def _unread_note(path: Path, header: list[str], fields: Mapping[str, tuple[str, ...]],
                 also_read: Collection[str]) -> list[str]:
    """A note naming the columns not read (a "Town" column is no region column), with the
    names each field is read under, so the user can rename one; none where all are read."""
    known = {name for names in fields.values() for name in names} | set(also_read)
    unread = [name for name in dict.fromkeys(header) if name and name not in known]
    if not unread:
        return []
    more = f" and {len(unread) - MAX_NAMED} more" if len(unread) > MAX_NAMED else ""
    read = "; ".join(f"{field}: {', '.join(names)}" for field, names in fields.items())
    columns = f"column{'s' * (len(unread) > 1)} {', '.join(map(repr, unread[:MAX_NAMED]))}"
    return [f"{path.name}: {columns}{more} not read; the columns read are named ({read})"]
