"""Qualified place names: "Norfolk, Virginia", "Alexandria, Virginia", "Paris, Texas".

A place name followed by the name of a region, state or country ("X, Y", or "X Y") names the
place called X *inside* Y, not the best-known X elsewhere: "Norfolk, Virginia 1943" is the
city in Virginia, not the English county, "Alexandria, Virginia 1860" not the Egyptian city.
The place inside Y is looked up among the curated places (by their `within` chain) and the
GeoNames cities (through the curated subdivision or country they are linked to, or their
GeoNames admin1 code read as the ISO 3166-2 province: a US state's postal code, Canada's,
Australia's and Mexico's numbers, context/admin1_codes.py). Where no place of that name
is known inside a US state ("Madrid, Iowa": 2,500 people, under the index's population
floor) the state is read and X's reading in another country dropped: a "Town, State" pair
is how American places are written, and every old-world name has its American town. Outside
the US a town X missing from the index is left as read ("Lviv, Galicia 1900" names the
historical region, not Spain's Galicia).

In a typed hint the pair may have no comma ("Norfolk Virginia 1943"): the broad linker
leaves both words out, as a person's name ("Walt Whitman"), so the pair is looked for among
the words no mention covers, and read only when X is a place inside Y; "Virginia Woolf" has
no such pair. Archive captions keep the comma rule: their capitalised pairs are mostly names.

A GeoNames town named like a curated state that has no bare alias (Virginia: "Virginia
Woolf" is a person) reads as the state when the name stands as a place (the broad linker's
context rules already left "Virginia Woolf" and "Virginia City" out): "Virginia 1863" is
the US state, not the town in South Africa.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from context.admin1_codes import admin1_iso, province_names
from context.broad_places import BroadLinker
from context.gazetteer_types import BROAD_PREFIXES, Mention, Place
from context.geonames import BIG_CITY, fold_name

_SEPARATOR = re.compile(r"([ \t]*,[ \t]*|[ \t]+)")
_WORD = re.compile(r"[^\W\d_]+")
_MAX_QUALIFIER_WORDS = 3  # "New South Wales", "District of Columbia"
_CONTAINER_KINDS = frozenset({"country", "state", "region", "island"})
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")


def qualify(text: str, mentions: list[Mention], linker: BroadLinker,
            typed: bool = False) -> list[Mention]:
    """`mentions` with each "X, Y" pair read as the place X inside Y (module docstring),
    and a town named like a curated state read as the state. In a typed hint, a pair
    written without a comma that no mention covers ("Norfolk Virginia") is read too."""
    names = _NameTables.of(linker)
    out = list(mentions)
    if typed:  # a mention inside Y ("Australia" of "Western Australia") gives way to Y
        pairs = _pairs_without_comma(text, out, names)
        out = [k for k in out if not any(_inside(k.span, p.span) for p in pairs)] + pairs
    for m in sorted(mentions, key=lambda m: m.span[0]):
        if m not in out or m.kind not in ("place", "polity"):
            continue
        pair = _qualified_pair(text, m, out, names)
        if pair is not None:
            out = [k for k in out if k is not m and not _inside(k.span, pair[1].span)]
            out += [p for p in pair if p is not None]
    return [_state_for_town(m, names) for m in out]


def _qualified_pair(text: str, m: Mention, mentions: list[Mention], names: _NameTables
                    ) -> tuple[Mention | None, Mention] | None:
    """(X as the place inside Y, or None to drop X; Y) for mention `m` followed by a
    qualifier Y, None when nothing follows that contains a place named X."""
    for span, comma, containers in _qualifiers(text, m.span[1], names):
        if any(_overlaps(k.span, span) and not _inside(k.span, span) for k in mentions):
            continue  # the words are part of a longer name ("Virginia City")
        for container in containers:
            outer = Mention("place", container, text[span[0]:span[1]], span,
                            source=names.places[container].source)
            inner = names.named_inside(m.text, container)
            if inner == m.id or m.kind == "place" and (
                    names.contains(container, m.id) or names.same_place(m.id, inner)):
                return m, outer  # X already reads inside Y: Y is the container
            if inner is not None:
                return Mention("place", inner, m.text, m.span,
                               source=names.places[inner].source), outer
            if comma and m.kind == "place" and names.us_state(container) and (
                    names.modern_country(m.id) != "US"):
                return None, outer  # a US town the index lacks ("Madrid, Iowa")
    return None


def _pairs_without_comma(text: str, mentions: list[Mention], names: _NameTables
                         ) -> list[Mention]:
    """The places X and Y of each "X Y" (spaces only between) where X is a place inside the
    region Y and no mention covers either: the broad linker leaves both out, each name
    having a capitalised word beside it, as in a person's name. A person's name has no such
    pair ("Virginia Woolf", "Georgia O'Keeffe", "Jordan Peterson": the second word is no
    region a place of the first name lies in); a name with a capitalised word before X or
    after Y is a longer name and left as it is."""
    out: list[Mention] = []
    for match in names.linker.index.find(text, typed=True):
        taken = mentions + out
        if any(_overlaps(k.span, match.span) for k in taken) or (
                _capitalised(_WORD_BEFORE.search(text[:match.span[0]]))):
            continue
        for span, comma, containers in _qualifiers(text, match.span[1], names):
            if comma or any(_overlaps(k.span, span) and not _inside(k.span, span)
                            for k in taken) or (
                    _capitalised(_WORD_AFTER.match(text[span[1]:]))):
                continue
            inner = next(((c, i) for c in containers
                          if (i := names.named_inside(match.text, c)) is not None), None)
            if inner is not None:
                container, place = inner
                out += [Mention("place", place, match.text, match.span,
                                source=names.places[place].source),
                        Mention("place", container, text[span[0]:span[1]], span,
                                source=names.places[container].source)]
                break
    return out


def _capitalised(word: re.Match[str] | None) -> bool:
    return word is not None and word.group(1)[0].isupper()


def _qualifiers(text: str, end: int, names: _NameTables
                ) -> Iterator[tuple[tuple[int, int], bool, list[str]]]:
    """(span, after a comma, container place ids) of the names right after `end`, longest
    first: one to `_MAX_QUALIFIER_WORDS` capitalised words."""
    sep = _SEPARATOR.match(text, end)
    if sep is None:
        return
    words, pos = [], sep.end()
    while len(words) < _MAX_QUALIFIER_WORDS:
        w = _WORD.match(text, pos)
        if w is None or not w.group(0)[0].isupper():
            break
        words.append(w.span())
        gap = re.match(r"[ \t]", text[w.end():w.end() + 1])
        if gap is None:
            break
        pos = w.end() + 1
    for n in range(len(words), 0, -1):
        span = (words[0][0], words[n - 1][1])
        containers = names.containers(text[span[0]:span[1]])
        if containers:
            yield span, "," in sep.group(0), containers


def _state_for_town(m: Mention, names: _NameTables) -> Mention:
    """A GeoNames town read for the main name of a curated state or region with no bare
    alias (Virginia) is that state, unless the town is a big city or in the same country."""
    if m.kind != "place" or not m.id.startswith("gn:"):
        return m
    town = names.linker.index.by_id(m.id)
    state = names.bare_states.get(fold_name(m.text))
    if town is None or state is None or town.population >= BIG_CITY or (
            names.modern_country(state) == town.country):
        return m
    return Mention("place", state, m.text, m.span, source=names.places[state].source)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


class _NameTables:
    """The names a qualifier and a place inside it are looked up by, for one linker."""

    def __init__(self, linker: BroadLinker):
        self.linker, self.places = linker, linker.places
        self.curated: dict[str, list[str]] = {}  # folded name -> curated/pycountry place ids
        for place in list(dict.values(self.places)):
            for name in {place.name, *linker.aliases.get(place.id, ())}:
                self.curated.setdefault(fold_name(name), []).append(place.id)
        self.bare_states = {
            fold_name(p.name): p.id for p in dict.values(self.places)
            if p.kind in ("state", "region") and p.iso and "-" in p.iso
            and p.name not in linker.aliases.get(p.id, ())}
        self.provinces: dict[str, list[str]] = {}  # folded name -> "iso:US-ME"
        for name, code in province_names():
            if code not in linker.curated_iso and linker.place_of(f"iso:{code}") is not None:
                self.provinces.setdefault(fold_name(name), []).append(f"iso:{code}")

    @staticmethod
    @lru_cache(maxsize=8)
    def of(linker: BroadLinker) -> _NameTables:
        return _NameTables(linker)

    def containers(self, written: str) -> list[str]:
        """Ids of the regions, states and countries named `written`, curated first."""
        key = fold_name(written)
        out = [i for i in self.curated.get(key, ()) if self.places[i].kind in _CONTAINER_KINDS]
        out += [b.id for b in self.linker.index.named(written) if b.kind == "region"
                and b.subdivision not in self.linker.curated_iso and fold_name(b.name) == key]
        return out + [i for i in self.provinces.get(key, ()) if i not in out]

    def named_inside(self, written: str, container: str) -> str | None:
        """The place named `written` inside `container`: curated first, then the largest
        GeoNames place."""
        key = fold_name(written)
        for ident in self.curated.get(key, ()):
            if ident != container and self.contains(container, ident):
                return ident
        for broad in self.linker.index.named(written):
            province = admin1_iso(broad.country, broad.admin1)  # "CA-ON" for Canada's "08"
            if broad.id != container and (self.contains(container, broad.id) or (
                    province is not None and province == self.places[container].iso)):
                return broad.id
        return None

    def same_place(self, read: str, inner: str | None) -> bool:
        """Whether the place `read` is `inner`, the place of its name inside the qualifier:
        the same id, inside it by the curated tables, or a curated city linked to its country
        alone (Chicago, USA) that is the country's largest place of the name (Chicago, IL)."""
        if inner is None or read == inner:
            return inner is not None
        place = self.places[read]
        if read.startswith(BROAD_PREFIXES) or place.within not in self.linker.countries.values():
            return False
        country = self.places[place.within].iso
        largest = next((b.id for b in self.linker.index.named(place.name)
                        if b.country == country), None)
        return largest == inner

    def contains(self, outer: str, inner: str) -> bool:
        place: Place | None = self.places.get(inner)
        while place is not None and place.id != outer:
            place = self.places.get(place.within) if place.within else None
        return place is not None

    def modern_country(self, ident: str) -> str | None:
        place = self.places[ident]
        while place.within:
            place = self.places[place.within]
        return (place.iso or "").split("-")[0] or None

    def us_state(self, ident: str) -> bool:
        iso = self.places[ident].iso or ""
        return iso.startswith("US-") and self.places[ident].kind in ("state", "region")
