"""The records of the gazetteer: polities, places, periods, mentions in a text and a place
resolved at an era (`context/gazetteer.py` reads and resolves them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from context.types import PlaceRef, RegionCandidate


@dataclass(frozen=True)
class Polity:
    id: str
    name: str
    wikidata: str | None
    iso: str | None
    start: int | None
    end: int | None
    parent: str | None
    source: str


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    kind: str
    wikidata: str | None
    iso: str | None
    within: str | None
    source: str


@dataclass(frozen=True)
class Period:
    id: str
    name: str
    start: int
    end: int
    place: str | None
    source: str


@dataclass(frozen=True)
class Mention:
    """A name found in a text: a place, a polity or a named period."""

    kind: str  # "place" | "polity" | "period"
    id: str
    text: str  # the matched text
    span: tuple[int, int]
    start: int | None = None  # years in which this name is valid (periods, polities,
    end: int | None = None  # historical place names); None = not dated
    source: str = ""


@dataclass(frozen=True)
class Resolution:
    """A place resolved at an era: the hierarchy most-specific first."""

    name: str
    wikidata: str | None
    iso: str | None
    hierarchy: tuple[PlaceRef, ...]
    modern_iso: str | None
    note: str | None  # e.g. "ambiguous: held at once by East Germany (East Berlin) / ..."
    source: str  # the table row (URL) that gave the polity
    # Every polity that held the place when the era is unknown; those the era overlaps when
    # it spans a change of rule; empty otherwise.
    candidates: tuple[RegionCandidate, ...] = ()


BROAD_PREFIXES = ("gn:", "iso:")  # ids of broad-index places (context/geonames.py)


class PlaceTable(dict):
    """The gazetteer's places by id: the curated and pycountry places it holds, and the
    broad-index places ("gn:616530"), made on lookup by `broad` and never stored, so the
    table never changes after loading and threads may iterate it while others read texts."""

    broad: Callable[[str], Place | None] | None = None

    def __missing__(self, key: str) -> Place:
        place = self._made(key)
        if place is None:
            raise KeyError(key)
        return place

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or self._made(key) is not None

    def get(self, key: str, default: Place | None = None) -> Place | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def _made(self, key: object) -> Place | None:
        if self.broad is None or not isinstance(key, str) or not key.startswith(BROAD_PREFIXES):
            return None
        return self.broad(key)
