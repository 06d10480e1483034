"""The broad gazetteer's cache file (`context/geonames.py`) as plain arrays in a NumPy .npz,
read with `allow_pickle=False`: loading it runs no code, whoever wrote the file.

It used to be a pickle, and unpickling runs whatever code the file names: a cache folder
another account can write (a shared CHRONOCHROME_CACHE, a group-writable home) made a file
someone else put there code this account ran. A file that is not such an archive, or not a
whole index, reads as None and is rebuilt.

Layout (every array numeric or a UTF-8 byte string; strings each ended by NUL, None as ""):
    version                  the index's version key
    places/<column>          id, name, kind, country, admin1, subdivision (text), population
    <table>/keys             the names of a table (exact, stems, stopped), one per row
    <table>/counts, /values  how many packed ints each name has, and all of them in order

Tables and places stay packed in their arrays and a row is made when it is looked up
(`PackedTable`, `PlaceRows`): building 250,000 tuples and 74,000 rows at load had made it
slower than the pickle.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping

import numpy as np

TABLES = ("exact", "stems", "stopped")
_TEXT_COLUMNS = ("id", "name", "kind", "country", "admin1", "subdivision")
_SEP = "\x00"


class PackedTable(Mapping):
    """name -> tuple of packed ints, over the arrays of the file: a name's ints are made
    into a tuple when it is looked up (a text looks up a few dozen)."""

    def __init__(self, keys: list[str], counts: np.ndarray, values: np.ndarray):
        self._row = dict(zip(keys, range(len(keys))))
        self._ends = np.cumsum(counts, dtype=np.int64)
        self._values = values

    def __getitem__(self, key: str) -> tuple[int, ...]:
        row = self._row[key]
        start = int(self._ends[row - 1]) if row else 0
        return tuple(self._values[start:int(self._ends[row])].tolist())

    def get(self, key: str, default=None):  # type: ignore[override]
        return default if key not in self._row else self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


class PlaceRows:
    """The index's places as rows (id, name, kind, country, admin1, subdivision, population),
    each made when asked for, over the columns of the file."""

    def __init__(self, columns: list[list[str]], population: np.ndarray):
        self.ids = columns[0]
        self._columns, self._population = columns, population

    def __getitem__(self, index: int) -> tuple:
        c = self._columns
        return (c[0][index], c[1][index], c[2][index], c[3][index], c[4][index] or None,
                c[5][index] or None, int(self._population[index]))

    def __len__(self) -> int:
        return len(self.ids)


def _text(strings: list[str]) -> np.ndarray:
    """Each string ended by NUL: no strings and one empty string differ."""
    return np.frombuffer("".join(s + _SEP for s in strings).encode("utf-8"), dtype=np.uint8)


def _strings(array: np.ndarray) -> list[str]:
    return array.tobytes().decode("utf-8").split(_SEP)[:-1]


def encode(data: dict) -> bytes:
    """The .npz bytes of an index dict (`geonames._Builder.finish()` plus "version")."""
    arrays: dict[str, np.ndarray] = {"version": _text([data["version"]])}
    places = data["places"]
    for i, column in enumerate(_TEXT_COLUMNS):
        arrays[f"places/{column}"] = _text([row[i] or "" for row in places])
    arrays["places/population"] = np.array([row[6] for row in places], dtype=np.int64)
    for table in TABLES:
        rows = data[table]
        arrays[f"{table}/keys"] = _text(list(rows))
        arrays[f"{table}/counts"] = np.array([len(v) for v in rows.values()], dtype=np.int64)
        arrays[f"{table}/values"] = np.array([x for v in rows.values() for x in v],
                                             dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(source) -> dict | None:
    """The index dict of an .npz file (a path or a file object), None when it is not one
    that `encode` wrote whole: absent, cut short, another format (an old pickle)."""
    try:
        with np.load(source, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        columns = [_strings(arrays[f"places/{c}"]) for c in _TEXT_COLUMNS]
        population = arrays["places/population"]
        out: dict = {"version": _strings(arrays["version"])[0],
                     "places": PlaceRows(columns, population)}
        for table in TABLES:
            keys = _strings(arrays[f"{table}/keys"])
            counts, values = arrays[f"{table}/counts"], arrays[f"{table}/values"]
            if len(keys) != len(counts) or int(counts.sum()) != len(values):
                return None
            out[table] = PackedTable(keys, counts, values)
    except (OSError, EOFError, ValueError, KeyError, IndexError, UnicodeDecodeError, TypeError,
            zipfile.BadZipFile, MemoryError):
        return None
    return out if all(len(c) == len(population) for c in columns) else None
