"""`chronochrome context --captions archive.csv`: an archive's captions, one row a photo.

The CSV is read as `library build --metadata` reads an archive's (`retrieval.archive_csv`:
encodings, delimiters, header names in any case). Its file column (`file`, `filename`,
`image`, ... as `library build` names it) names the photo: its path relative to the CSV's
folder, its path under a folder given, or its file name alone (any case, either Unicode
form, backslashes as slashes). A row's caption (`caption`, `title` or `description`)
replaces the captions read with the photo, as `--caption` does; its date and place columns
(`date`, `year`, `place`, ... as a CSV list's, `context.catalogue_fields`) are read beside it,
each as its own field, or beside the photo's own captions when the row has no caption (as
`colorize` reads a CSV list's row, `colorizer.apps.collection_inputs`).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from colorizer.apps.source import Source
from colorizer.pipeline.captions import CatalogueCaption
from context.catalogue_fields import CSV_COLUMNS
from context.types import Caption
from retrieval.archive import ARCHIVE_COLUMNS
from retrieval.archive_csv import column_key, read_metadata

FILE_COLUMNS = ARCHIVE_COLUMNS["file"]
CAPTION_COLUMNS = ("caption", "title", "description")
RECORD_COLUMNS = frozenset(column_key(name) for name in CSV_COLUMNS)
MAX_SHOWN = 5  # rows named in the note on rows that name no photo


class ArchiveCaptions:
    """The captions of one archive CSV, found by photo (module docstring)."""

    def __init__(self, path: Path):
        self.path = path
        sheet = read_metadata(path, {"file": FILE_COLUMNS, "caption": CAPTION_COLUMNS},
                              RECORD_COLUMNS)
        self.notes = list(sheet.notes)
        self.by_path: dict[str, int] = {}  # normalized path as the row wrote it -> row
        self.by_name: dict[str, list[int]] = {}  # normalized file name -> rows
        self.captions: dict[int, str] = {}  # row number -> its caption
        self.named: dict[int, str] = {}  # row number -> the file it names
        self.used: set[int] = set()
        for number, row in sheet.rows:
            self._add(number, row)

    def _add(self, number: int, row: dict[str, str]) -> None:
        named = next((row[c].strip() for c in FILE_COLUMNS if row.get(c, "").strip()), "")
        caption = _row_caption(row)
        if not named or caption is None:
            return  # a row without a file or without anything to read gives no caption
        key = _key(named)
        if key in self.by_path:
            first = self.by_path[key]
            self.notes.append(f"{self.path.name}: row {number} names {named!r} as row {first} "
                              f"does; row {first}'s caption is read")
            return
        self.by_path[key] = number
        self.by_name.setdefault(key.rsplit("/", 1)[-1], []).append(number)
        self.captions[number], self.named[number] = caption, named

    def caption_for(self, source: Source) -> str | None:
        """The caption of the row naming `source`'s photo; None when no row does (or two
        rows name a file of its name in different folders and neither its path)."""
        tried = [source.relative.as_posix()]
        try:
            tried.insert(0, source.path.resolve().relative_to(
                self.path.parent.resolve()).as_posix())
        except (ValueError, OSError):
            pass  # not under the CSV's folder
        number = next((self.by_path[_key(p)] for p in tried if _key(p) in self.by_path), None)
        if number is None:
            rows = self.by_name.get(_key(source.path.name), [])
            number = rows[0] if len(rows) == 1 else None
        if number is None:
            return None
        self.used.add(number)
        return self.captions[number]

    def unused_note(self) -> str:
        """A note naming the rows that named no photo of the run (a typo, a photo missing
        from the folder); "" when every row was read."""
        unused = [n for n in self.captions if n not in self.used]
        if not unused:
            return ""
        shown = ", ".join(f"row {n} {self.named[n]!r}" for n in unused[:MAX_SHOWN])
        more = f" and {len(unused) - MAX_SHOWN} more" if len(unused) > MAX_SHOWN else ""
        return (f"{self.path.name}: {len(unused)} row{'s' * (len(unused) > 1)} named no photo "
                f"given ({shown}{more}); check the file names against the photos")


def _row_caption(row: dict[str, str]) -> str | None:
    """The row's caption, or a `CatalogueCaption` of it with its date and place columns."""
    own = next((row[c].strip() for c in CAPTION_COLUMNS if row.get(c, "").strip()), None)
    record = [Caption(value.strip(), f"csv:{name}") for name, value in row.items()
              if value.strip() and name in RECORD_COLUMNS]
    if not record:
        return own
    return CatalogueCaption.of(([Caption(own, "user")] if own else []) + record,
                               replaces=own is not None)


def _key(name: str) -> str:
    """A file's path as compared: slashes, composed Unicode, any case, no leading "./"."""
    text = unicodedata.normalize("NFC", name.replace("\\", "/")).casefold()
    return text.removeprefix("./")
