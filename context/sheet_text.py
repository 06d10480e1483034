"""A spreadsheet's text (a CSV list, a library's metadata CSV) split into rows, with the
delimiter it was saved with.

Excel writes ";" where "," is the decimal mark (most of Europe), "Unicode text" is tab
separated, and a first line "sep=;" names the delimiter (Excel hides that line; so do we).
Otherwise the delimiter is the one whose split of the header row names a key column (the
photo's path, a library's file name), the one with the most fields where several do (a
one-column "path" header is split by none); where none does, the most frequent in the first
row, a comma on a tie (the caller's error then shows the row as it splits).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from context.errors import ChronochromeError
from context.text_encoding import decode_user_text

DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"sep=([^\r\n])\r?\n", re.IGNORECASE)


@dataclass(frozen=True)
class SheetFile:
    records: list[list[str]]  # the rows, each a list of cells, the header row first
    encoding: str  # the codec the file was read with
    note: str  # what was assumed of its encoding ("" when the file said)


def read_sheet_file(path: Path, is_key: Callable[[str], bool], what: str,
                    error: type[Exception] = ChronochromeError) -> SheetFile:
    """The spreadsheet file at `path` decoded (context.text_encoding) and split into rows
    (`sheet_records`); `what` ("CSV list") names it in an `error` that says how to fix it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read this {what} ({exc.strerror or exc}); check the path "
                    "and its permissions") from exc
    decoded = decode_user_text(data, str(path))
    try:
        records = sheet_records(decoded.text, is_key)
    except csv.Error as exc:  # a NUL byte in a text file: a binary file named .csv
        raise error(f"{path}: cannot read this {what} ({exc}); save it from the spreadsheet "
                    "as CSV text") from exc
    return SheetFile(records, decoded.encoding, decoded.note)


def sheet_records(text: str, is_key: Callable[[str], bool]) -> list[list[str]]:
    """The rows of `text`, each a list of cells; `is_key(cell)`: whether a header cell names
    a key column. Raises csv.Error on text no spreadsheet writes (a NUL byte)."""
    declared = _SEP_LINE.match(text)
    if declared:
        text = text[declared.end():]
    delimiter = declared.group(1) if declared else key_delimiter(text, is_key) or max(
        DELIMITERS, key=lambda d: (_first_row(text).count(d), d == ","))
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def key_delimiter(text: str, is_key: Callable[[str], bool]) -> str:
    """The delimiter whose split of the first row names a key column (the most fields where
    several do), "" where none does."""
    first = _first_row(text)
    fields = {}
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        if any(is_key(cell) for cell in cells):
            fields[delimiter] = len(cells)
    return max(fields, key=lambda d: (fields[d], d == ",")) if fields else ""


def _first_row(text: str) -> str:
    return next(iter(io.StringIO(text, newline="")), "").rstrip("\r\n")
