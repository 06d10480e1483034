"""The records of the gazetteer: polities, places, periods, mentions in a text and a place
resolved at an era (`context/gazetteer.py` reads and resolves them)."""

from __future__ import annotations

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
