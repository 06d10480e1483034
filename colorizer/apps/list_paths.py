"""The photo a CSV list's path cell names, as lists are written on other machines.

A path is read relative to the list's folder unless absolute (`~` is the home folder).
Where no file has that exact name (`RowPaths.find`):
- a relative path with Windows backslashes (`scans\\1950\\a.tif`) is read with slashes;
- a name spelled in the other Unicode form (a list in composed "ó" naming a file a Mac stored
  decomposed, "o" + accent) or with bytes that are not UTF-8 (a Latin-1 name from an old
  disk, read as the list's code page or Windows-1252) is the file of that name;
- a name that differs only in case (a list written on Windows, whose disks ignore case) is
  the one file matching it, with a note; two such files are an error naming both;
- a Windows drive or network path (`C:\\Scans\\a.tif`, `\\\\server\\share`) and a path that
  exists only from the current folder are refused with the path to write instead.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


class RowPaths:
    """Finds the photos of one list; each folder is listed at most once."""

    def __init__(self, list_path: Path, code_page: str = "cp1252"):
        self.list_path = list_path
        self.folder = list_path.parent
        self.code_page = code_page  # how a name on disk that is not UTF-8 is read
        self.listings: dict[Path, dict[str, list[str]]] = {}

    def find(self, value: str) -> tuple[Path, str, str]:
        """(photo, problem, note): the file `value` names, why it cannot be used ("" when it
        can) and a note on a spelling taken as it ("" when exact)."""
        if _WINDOWS_ABSOLUTE.match(value):
            return (Path(value), ("is a Windows path; give the photo's path on this machine, "
                    f"or relative to the list's folder ({self.folder})"), "")
        given = Path(value).expanduser()
        photo = given if given.is_absolute() else self.folder / given
        if "\\" in value and not photo.exists():
            given = Path(value.replace("\\", "/")).expanduser()
            photo = given if given.is_absolute() else self.folder / given
        if photo.exists():
            return photo, _not_a_file(photo), ""
        found, problem = self._spelled(photo)
        if found is not None:
            case = (_key(str(found), self.code_page, fold=False)
                    != _key(str(photo), self.code_page, fold=False))
            note = (f"names {value!r}: read as {found.name!r}, the only file of that name in "
                    "another case") if case else ""
            return found, problem or _not_a_file(found), note
        if problem:
            return photo, problem, ""
        here = Path.cwd() / given
        if not given.is_absolute() and here.exists():
            return photo, (f"no such file in the list's folder ({self.folder}); paths in a list "
                           "are read from its folder, and this one is in the current folder: "
                           f"write {os.path.relpath(here, self.folder)!r}"), ""
        return photo, "no such file", ""

    def _spelled(self, photo: Path) -> tuple[Path | None, str]:
        """The file whose path is `photo` spelled otherwise (module docstring), or None; the
        problem when two files match."""
        current = Path(photo.anchor) if photo.is_absolute() else Path()
        changed = False
        for part in photo.parts[1 if photo.is_absolute() else 0:]:
            if part in ("..", ".") or (current / part).exists():
                current = current / part
                continue
            matches = self._listing(current).get(_key(part, self.code_page), [])
            if len(matches) != 1:
                both = " and ".join(repr(m) for m in matches)
                return None, (f"no such file; {both} in {current} both match {part!r} ignoring "
                              "case: write the exact name") if matches else ""
            current, changed = current / matches[0], True
        return (current if changed else None), ""

    def _listing(self, folder: Path) -> dict[str, list[str]]:
        if folder not in self.listings:
            try:
                names = os.listdir(folder)
            except OSError:
                names = []
            listing: dict[str, list[str]] = {}
            for name in sorted(names):
                listing.setdefault(_key(name, self.code_page), []).append(name)
            self.listings[folder] = listing
        return self.listings[folder]


def readable(name: str, code_page: str) -> str:
    """A name from the disk as text: its bytes read as UTF-8, else as `code_page` (a name
    that is not UTF-8 holds escaped bytes, which no output name should show as "_")."""
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # text the file system's encoding cannot hold (LC_ALL=C)
        return name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(code_page, "replace")


def _key(name: str, code_page: str, fold: bool = True) -> str:
    """A name as compared: `readable`, in Unicode's composed form, and any case unless `fold`
    is False."""
    text = unicodedata.normalize("NFC", readable(name, code_page))
    return text.casefold() if fold else text


def _not_a_file(photo: Path) -> str:
    if photo.is_file():
        return ""
    return "is a folder, not a photo" if photo.is_dir() else "no such file"
