"""Broad-gazetteer places (`context/geonames.py`) placed inside the curated gazetteer, so they
are resolved in time by the curated tables.

A GeoNames city or ISO 3166-2 subdivision lies within its country's curated place ("AM" ->
armenia), or pycountry's country place where none is curated; a city lies within a curated
subdivision when its GeoNames admin1 area is that subdivision's. GeoNames admin1 codes are not
ISO 3166-2 codes, so the link is learnt from the curated tables themselves: a curated place
with an ISO 3166-2 code (Tatarstan RU-TA, Crimea UA-43, Nakhchivan AZ-NX), or a curated place
inside one (Kazan, Yalta), whose name GeoNames has in the same country names that admin1 area
(Kazan -> RU admin1 73 -> Tatarstan); in the US, where the admin1 code is the state's ISO
3166-2 code, a curated state is its own link (`ISO_ADMIN1`: Virginia). An area two curated
subdivisions claim is linked to neither. The place then inherits the polity history of the
first place above it with a table (`Gazetteer.resolve`): a city in Armenia in 1969 is in the
Armenian SSR, a city of admin1 area AZ "NX" in 1970 in the Nakhichevan ASSR.
"""

from __future__ import annotations

import re

from context.admin1_codes import ISO_ADMIN1
from context.former_names import FormerNames
from context.gazetteer_types import Place
from context.geonames import BIG_CITY, BroadIndex, BroadPlace, fold_name
from context.names import WORD_NAMES
from context.temporal import find_dates

# Words before a Latin-script name that say it is a place ("in Lincoln", "near Reading").
_LOCATIVE = {"in", "at", "near", "from", "outside", "around", "to", "into", "via", "toward",
             "towards", "across", "through", "by"}
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
_WORD_AFTER = re.compile(r"^[ \t]+([^\W\d_]+)")
_JOINED = re.compile(r"^[-\u2010\u2011][^\W\d_]")  # "Dzhan-Tugan", "Tugan-..."
_JOINED_BEFORE = re.compile(r"[^\W\d_][-\u2010\u2011]$")
_LANDFORM_AFTER = re.compile(
    r"^[ \t]+(river|lake|mountains?|valley|gorge|coast|sea|bay|gulf|islands?|peninsula|hills|"
    r"range|desert|forest|canal|glacier|falls|pass|река|озеро|горы?|долина|ущелье|залив|"
    r"остров|полуостров|перевал|хребет)\b", re.IGNORECASE)


# A curated state of a country whose GeoNames admin1 code is its ISO 3166-2 code (ISO_ADMIN1:
# a US state's postal code, Richmond's "VA" is US-VA) is an admin1 area without a curated city
# in it to learn the link from (Virginia, whose periods put Richmond in the Confederacy in 1863).


def _country_places(places: dict[str, Place]) -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> the place of that country, curated before pycountry's."""
    out: dict[str, str] = {}
    for p in sorted(places.values(), key=lambda p: p.id.startswith("iso_")):
        if p.kind == "country" and p.iso and len(p.iso) == 2 and p.within is None:
            out.setdefault(p.iso, p.id)
    return out


def _subdivision_of(places: dict[str, Place], place_id: str) -> Place | None:
    """The place itself or the first place above it with an ISO 3166-2 code."""
    place: Place | None = places[place_id]
    while place is not None:
        if place.iso and "-" in place.iso:
            return place
        place = places[place.within] if place.within else None
    return None


def _admin_anchors(index: BroadIndex, places: dict[str, Place],
                   aliases: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1) -> the curated subdivision that area is."""
    votes: dict[tuple[str, str], set[str]] = {}
    for place_id, names in aliases.items():
        sub = _subdivision_of(places, place_id)
        if sub is None:
            continue
        country, code = sub.iso.split("-", 1)
        for name in names:
            match = next((b for b in index.named(name)
                          if b.kind == "city" and b.country == country and b.admin1), None)
            # A letter code that differs from the ISO one is another area: the city of
            # Oregon, Ohio (US "OH") is not in the state of Oregon (US-OR).
            if match is not None and (match.admin1.isdigit() or match.admin1 == code):
                votes.setdefault((country, match.admin1), set()).add(sub.id)
        if country in ISO_ADMIN1 and place_id == sub.id:
            votes.setdefault((country, code), set()).add(sub.id)
    return {key: ids.pop() for key, ids in votes.items() if len(ids) == 1}


class BroadLinker:
    """Finds broad places in a text and makes them gazetteer places."""

    def __init__(self, index: BroadIndex, places: dict[str, Place],
                 aliases: dict[str, list[str]], cyrillic: frozenset[str] = frozenset()):
        self.index, self.places, self.aliases = index, places, aliases
        self.cyrillic = cyrillic  # countries where Cyrillic was written (ISO 3166-1)
        self.countries = _country_places(places)
        self.admin = _admin_anchors(index, places, aliases)
        self.curated_iso = {p.iso for p in places.values() if p.iso}
        self.former = FormerNames(index, places, aliases)

    def within(self, place: BroadPlace) -> str | None:
        if place.kind == "city" and place.admin1:
            parent = self.admin.get((place.country, place.admin1))
            if parent:
                return parent
        return self.countries.get(place.country)

    def place(self, place: BroadPlace) -> Place:
        return Place(place.id, place.name, place.kind, None, place.subdivision,
                     self.within(place), place.source)

    def place_of(self, ident: str) -> Place | None:
        """The gazetteer place of a broad id, None when the index has no such id."""
        found = self.index.by_id(ident)
        return None if found is None else self.place(found)

    def find(self, text: str, countries: set[str], taken: list[tuple[int, int]],
             typed: bool = False) -> list[tuple[BroadPlace, str, tuple[int, int]]]:
        """(place, text, span) for the broad names in `text` (`taken`: spans of curated
        names). With `countries` (the modern countries of the curated places the text names)
        a broad name only adds detail inside them: "Армения, Ахпат" keeps to Armenia, and a
        word that names a town elsewhere does not outrank the curated place by being more
        specific. Names that read as part of a person's or a firm's name are left out
        (`_in_context`). Of a name's places, one in a country that another name of the text
        can only be in (by its main name) comes first: "Breslau, Ontario" is the province,
        not Ontario, California (a town is called Breslau only in Canada)."""
        found = []
        for m in self.index.find(text, typed):
            if not _in_context(text, m.span, taken, typed) or (
                    (m.common or m.text.lower() in WORD_NAMES) and phrase_after(text, m.span)):
                continue
            options = [p for p in m.places
                       if not (p.subdivision and p.subdivision in self.curated_iso)]
            if countries:
                options = [p for p in options if p.country in countries]
            if _CYRILLIC_LETTER.match(m.text):  # "Истра" is Istra (RU) before Istres (FR)
                options.sort(key=lambda p: p.country not in self.cyrillic)
            options = _region_first(options, m.text)
            if options:
                found.append((options, m.text, m.span))
        sure = set()
        for options, written, _ in found:  # by main name: "Breslau" is also Wrocław's alternate
            main = {p.country for p in options if fold_name(p.name) == fold_name(written)}
            sure |= main if len(main) == 1 else set()
        return [(next((p for p in options if p.country in sure), options[0]), written, span)
                for options, written, span in found]


def _region_first(options: list[BroadPlace], written: str) -> list[BroadPlace]:
    """`options` with a region of exactly the name written first when every city of that
    name is a smaller town in another country: "Kent 1918" is the county, not Kent in
    Washington (127,000 people), "Ontario farm" the province, not Ontario, California.
    A city of the region's own country keeps its place ("Granada" the city, in the province
    of that name), and so does a big city (BIG_CITY people: what a name typed alone means)."""
    regions = [p for p in options if p.kind == "region" and fold_name(p.name) == fold_name(written)]
    if len(regions) != 1:
        return options
    cities = [p for p in options if p.kind == "city"]
    if any(p.country == regions[0].country or p.population >= BIG_CITY for p in cities):
        return options
    return regions + [p for p in options if p is not regions[0]]


def _in_context(text: str, span: tuple[int, int], taken: list[tuple[int, int]],
                typed: bool = False) -> bool:
    """Whether a broad name stands as a place in `text`.

    1. A capitalised word right beside it (only spaces between, and not a curated name) makes
       it part of a longer proper name: "Walt Whitman", "Helen Keller", "Наша Галя",
       "Lewis Tomalin".
    2. A Latin-script name also needs a word that makes it a place: a locative before it
       ("in Lincoln") or a comma and another name after it ("Lincoln, Nebraska"). Bare Latin
       names in archive captions are mostly people: of the 194 historical-bw file names, the
       broad index matched seven names, all of people (Lincoln, Whitman, Hayes, Keller, ...),
       and no town the curated table lacks. In a hint (`typed`) a capitalised name alone is
       a place: a person types there where and when ("Lyon 1950", "Kraków 1950" named no
       place; the lower-case words of a sentence still do not).
    3. A name joined by a hyphen to a word ("Dzhan-Tugan": Tugan is a town in Burkina Faso)
       or followed by a landform ("Belaya river": Belaya is also a town) is part of another
       name. (Both were read so once hints named places standing alone; a hyphen before a
       number, "Ванадзор-81", is a year.)
    """
    if _JOINED.match(text[span[1]:]) or _JOINED_BEFORE.search(text[: span[0]]) or (
            _LANDFORM_AFTER.match(text[span[1]:])):
        return False
    before = _WORD_BEFORE.search(text[: span[0]])
    after = _WORD_AFTER.search(text[span[1]:])
    for m, offset in ((before, 0), (after, span[1])):
        if m is None or not m.group(1)[0].isupper():
            continue
        start = offset + m.start(1)
        if not any(a <= start < b for a, b in taken):
            return False
    if not _LATIN_LETTER.match(text[span[0]]) or (typed and text[span[0]].isupper()):
        return True
    if before is not None and before.group(1).lower() in _LOCATIVE:
        return True
    return re.match(r"^\s*,\s*[^\W\d_]", text[span[1]:]) is not None


def phrase_after(text: str, span: tuple[int, int]) -> bool:
    """Whether a lower-case word follows the name, only spaces between, that is no date word
    ("vers 1930", "années 50", "um 1900") and no locative: the name is then a common word of
    a phrase, "Reading room 1950", "Oral history 1950", "Nice view 1950", not the city (of
    a name that is a common word, BroadMatch.common)."""
    after = _WORD_AFTER.match(text[span[1]:])
    if after is None or not after.group(1)[0].islower() or after.group(1) in _LOCATIVE:
        return False
    start = span[1] + after.start(1)
    return not any(a <= start < b for a, b in (d.span for d in find_dates(text)))

