"""A CSV list as spreadsheets export it, read into named columns and numbered rows.

What office tools write, and how each is read (`read_sheet`):
- the encoding: UTF-8 with or without a byte-order mark, UTF-16 ("Unicode text" from Excel),
  or a Windows, DOS or Mac code page, told by its words with a note saying which
  (`context.text_encoding`);
- the delimiter: a comma, a semicolon (Excel where the decimal mark is a comma), a tab
  (Excel's "Unicode text", .tsv) or a bar: the one that splits the header row into a
  photo column, the most fields where several do, or the one a first line "sep=;" names;
- line ends CRLF, LF or CR; quoted fields holding the delimiter, quotes or line breaks;
- header names in any case, with spaces around or inside ("File Name", " Date ", "file_name")
  and a trailing colon (`column_key`); empty columns and empty cells after the last named
  column (Excel pads every row to the widest) are dropped;
- columns chronochrome does not read are named in a note, so a "Title" column is not
  silently left out; a first row that names a photo instead of columns is refused, saying
  to add a header row.
A row's number is the one the spreadsheet shows it under (the header is row 1).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from colorizer.errors import ChronochromeError
from colorizer.pipeline.imageio import SUPPORTED_SUFFIXES
from context.sheet_text import key_delimiter, read_sheet_file
from context.text_encoding import decode_user_text

# Other spellings of the photo columns, as catalogue exports name them.
ALIASES = {"file name": "file", "filename": "file", "file path": "path", "filepath": "path",
           "image url": "url", "photo url": "url"}


@dataclass(frozen=True)
class Sheet:
    header: list[str]  # column keys (`column_key`), "" for an unnamed column
    rows: list[tuple[int, list[str]]]  # (row number, cells), blank rows left out
    encoding: str  # the codec the file was read with
    notes: tuple[str, ...] = ()  # what was assumed or left unread, for the user


def column_key(name: str) -> str:
    """A header cell as compared: any case, spaces and underscores as one space, a trailing
    colon dropped, the photo columns' other spellings (`ALIASES`) as theirs."""
    key = " ".join(name.replace("_", " ").casefold().split()).rstrip(" :")
    return ALIASES.get(key, key)


def read_sheet(path: Path, photo_columns: tuple[str, ...], known: Collection[str]) -> Sheet:
    """The rows of the CSV list at `path` (module docstring). `photo_columns`: the names of
    which the header must hold one; `known`: every column read (the others get a note)."""
    decoded = read_sheet_file(path, lambda cell: column_key(cell) in photo_columns, "CSV list")
    records = decoded.records
    header = [column_key(cell) for cell in records[0]] if records else []
    while header and not header[-1]:
        header.pop()  # empty columns after the last named one
    if not any(name in photo_columns for name in header):
        raise ChronochromeError(_no_photo_column(path, records[0] if records else [],
                                                 photo_columns))
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        while len(cells) > len(header) and not cells[-1].strip():
            cells = cells[:-1]  # padding past the last column, not a misaligned field
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
    notes = [decoded.note] if decoded.note else []
    unread = [name for name in dict.fromkeys(header) if name and name not in known]
    if unread:
        notes.append(f"{path.name}: column{'s' * (len(unread) > 1)} "
                     f"{', '.join(map(repr, unread))} not read (the columns read: the photo's "
                     "path, file or url, caption, hint, id, and a date or place)")
    return Sheet(header, rows, decoded.encoding, tuple(notes))


def names_photo_column(path: Path, photo_columns: tuple[str, ...]) -> bool:
    """Whether the first row of the text file at `path` names a photo column (a list saved
    as .txt, not a caption); reads at most its first 64 KiB."""
    try:
        with path.open("rb") as handle:
            data = handle.read(64 * 1024)
    except OSError:
        return False  # not a list we can read: the loader reports it as the photo it is given as
    for cut in range(4):  # the 64 KiB may end inside a character
        try:
            text = decode_user_text(data[:len(data) - cut], str(path)).text
        except ChronochromeError:
            continue
        return key_delimiter(text, lambda cell: column_key(cell) in photo_columns) != ""
    return False


def _no_photo_column(path: Path, first: list[str], photo_columns: tuple[str, ...]) -> str:
    """Why the list cannot be read: its first row is a photo (no header), or names no photo
    column."""
    quoted = [repr(c) for c in photo_columns]
    names = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
    if any(_looks_like_photo(cell) for cell in first):
        return (f"{path}: the first row ({', '.join(first)}) names a photo, not the columns; "
                f"add a header row naming them, e.g. path,caption (the photo column is {names})")
    shown = ", ".join(column_key(cell) for cell in first) or "empty"
    return (f"{path}: no {names} column in the header row ({shown}); the first row names the "
            "columns, e.g. path,caption")


def _looks_like_photo(cell: str) -> bool:
    text = cell.strip().replace("\\", "/")
    return (text.lower().startswith(("http://", "https://"))
            or PurePosixPath(text).suffix.lower() in SUPPORTED_SUFFIXES)

