"""A gazetteer of places, polities and named periods with their date ranges.

Data lives in `configs/context/` (one `source` per row):
- `polities.csv`: states with Wikidata QID, ISO 3166 code (3166-3 for dissolved ones), years
  and parent polity (Tatar ASSR -> Russian SFSR -> USSR).
- `places.csv`: cities, regions and countries with aliases (English, Russian, historical
  names), QID, modern ISO code and the place that contains them.
- `place_periods.csv`: which polity held a place when (Kazan 1910 -> Russian Empire).
- `place_names.csv`: names that were only in use for a while (Leningrad 1924-1991).
- `periods.csv`: named periods and wars (WWII, Meiji, Victorian, ...).
pycountry adds the ISO countries and historic countries not in the curated tables.

`Gazetteer.find(text)` returns the mentions in a text; `Gazetteer.resolve(place_id, era)`
returns the hierarchy of the place under the polity that held it during `era`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from context.types import PlaceRef

PRESENT_YEAR = 2026
_SEP = r"[\s\-_.,'’]*"
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_CYR_ENDINGS = "аяьыиеоуюй"
_COMMON_WORDS = {"us", "in", "as", "is", "it", "on", "at", "me", "he", "we", "am", "an", "no"}


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
class PlacePeriod:
    place_id: str
    start: int
    end: int | None
    polity: str
    unit: str | None
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
    note: str | None  # e.g. "ambiguous: East Germany / West Germany"
    source: str  # the table row (URL) that gave the polity


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise FileNotFoundError(
            f"gazetteer table {path} is missing; ContextConfig.data_dir must point at "
            "configs/context/ of a chronochrome checkout"
        )
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _alias_pattern(alias: str) -> re.Pattern[str]:
    tokens = [t for t in re.split(r"[\s\-_.,'’]+", alias) if t]
    letters = sum(ch.isalpha() for ch in alias)
    acronym = alias.upper() == alias and letters <= 3 and not any(c.isdigit() for c in alias)
    # Acronyms that spell a common word ("US" / "us") match only as written.
    case_sensitive = acronym and "".join(filter(str.isalpha, alias)).lower() in _COMMON_WORDS
    last = tokens[-1]
    suffix = ""
    if _CYRILLIC.search(last) and len(last) >= 4 and not acronym:
        # Russian/Tatar inflection: Москва -> Москве, Москвы; Казань -> Казани.
        stem = last.rstrip(_CYR_ENDINGS)
        if len(stem) >= 3:
            tokens[-1] = stem
            suffix = r"\w{0,4}"
    elif not acronym and re.fullmatch(r"[A-Za-z]+", last):
        suffix = r"(?:['’]?s)?"  # possessive: "Londons Smallest Shop", "Paris's"
    body = _SEP.join(re.escape(t) for t in tokens) + suffix
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<![\w])" + body + r"(?![\w])", flags)


class Gazetteer:
    """Places, polities and periods loaded from `data_dir`, plus pycountry's countries."""

    def __init__(self, data_dir: str | Path, use_pycountry: bool = True):
        data_dir = Path(data_dir)
        self.polities: dict[str, Polity] = {}
        self.places: dict[str, Place] = {}
        self.periods: dict[str, Period] = {}
        self.place_periods: dict[str, list[PlacePeriod]] = {}
        self._patterns: list[tuple[re.Pattern[str], str, str, int | None, int | None]] = []

        for r in _read(data_dir / "polities.csv"):
            p = Polity(r["id"], r["name"], r["wikidata"] or None, r["iso"] or None,
                       _int(r["start"]), _int(r["end"]), r["parent"] or None, r["source"])
            self.polities[p.id] = p
            for alias in r["aliases"].split(";"):
                self._add("polity", p.id, alias, p.start, p.end)
        for r in _read(data_dir / "places.csv"):
            p = Place(r["id"], r["name"], r["kind"], r["wikidata"] or None, r["iso"] or None,
                      r["within"] or None, r["source"])
            self.places[p.id] = p
            for alias in r["aliases"].split(";"):
                self._add("place", p.id, alias, None, None)
        for r in _read(data_dir / "place_periods.csv"):
            pp = PlacePeriod(r["place_id"], int(r["start"]), _int(r["end"]), r["polity"],
                             r["unit"] or None, r["source"])
            self.place_periods.setdefault(pp.place_id, []).append(pp)
        for r in _read(data_dir / "place_names.csv"):
            # A dated historical name: matching it says the place and a validity window.
            self._add("place", r["place_id"], r["name"], int(r["start"]), int(r["end"]),
                      first=True)
        for r in _read(data_dir / "periods.csv"):
            p = Period(r["id"], r["name"], int(r["start"]), int(r["end"]), r["place"] or None,
                       r["source"])
            self.periods[p.id] = p
            for alias in r["aliases"].split(";"):
                self._add("period", p.id, alias, p.start, p.end)
        if use_pycountry:
            self._add_pycountry()
        self._check_references()

    def _add(self, kind: str, ident: str, alias: str, start: int | None, end: int | None,
             first: bool = False) -> None:
        alias = alias.strip()
        if not alias:
            return
        entry = (_alias_pattern(alias), kind, ident, start, end)
        if first:
            self._patterns.insert(0, entry)
        else:
            self._patterns.append(entry)

    def _add_pycountry(self) -> None:
        import pycountry

        known_iso = {p.iso for p in self.places.values() if p.iso}
        known_iso |= {p.iso for p in self.polities.values() if p.iso}
        for c in pycountry.countries:
            if c.alpha_2 in known_iso:
                continue
            pid = f"iso_{c.alpha_2.lower()}"
            name = getattr(c, "common_name", None) or c.name
            self.places[pid] = Place(pid, name, "country", None, c.alpha_2, None,
                                     f"pycountry ISO 3166-1 {c.alpha_2}")
            for alias in {c.name, name, getattr(c, "official_name", None)}:
                if alias:
                    self._add("place", pid, alias, None, None)
        for c in pycountry.historic_countries:
            if c.alpha_4 in known_iso:
                continue
            end = int(c.withdrawal_date[:4]) if getattr(c, "withdrawal_date", None) else None
            pid = f"iso_{c.alpha_4.lower()}"
            self.polities[pid] = Polity(pid, c.name, None, c.alpha_4, None, end, None,
                                        f"pycountry ISO 3166-3 {c.alpha_4}")
            for alias in {c.name, c.name.split(",")[0]}:  # "Zaire, Republic of" -> "Zaire"
                self._add("polity", pid, alias, None, end)

    def _check_references(self) -> None:
        for p in self.polities.values():
            if p.parent and p.parent not in self.polities:
                raise ValueError(f"polity {p.id} names unknown parent {p.parent!r} in polities.csv")
        for p in self.places.values():
            if p.within and p.within not in self.places:
                raise ValueError(f"place {p.id} is within unknown place {p.within!r} in places.csv")
        for rows in self.place_periods.values():
            for r in rows:
                if r.polity not in self.polities:
                    raise ValueError(f"place_periods.csv row {r} names unknown polity {r.polity!r}")

    # -- lookup -------------------------------------------------------------------------

    def find(self, text: str) -> list[Mention]:
        """All non-overlapping mentions in `text`, longest match first, in text order."""
        found: list[Mention] = []
        for pattern, kind, ident, start, end in self._patterns:
            for m in pattern.finditer(text):
                found.append(Mention(kind, ident, m.group(0), m.span(), start, end,
                                     self._source(kind, ident)))
        found.sort(key=lambda m: (-(m.span[1] - m.span[0]), m.span[0]))
        kept: list[Mention] = []
        for m in found:
            if all(m.span[1] <= k.span[0] or m.span[0] >= k.span[1] for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.span[0])

    def _source(self, kind: str, ident: str) -> str:
        table = {"place": self.places, "polity": self.polities, "period": self.periods}[kind]
        return table[ident].source

    def place_depth(self, place_id: str) -> int:
        """0 for a top-level country, larger for places nested deeper (cities)."""
        depth, place = 0, self.places[place_id]
        while place.within:
            depth, place = depth + 1, self.places[place.within]
        return depth

    def contains(self, outer: str, inner: str) -> bool:
        """Whether place `inner` lies within place `outer` (or is it)."""
        place: Place | None = self.places[inner]
        while place is not None:
            if place.id == outer:
                return True
            place = self.places[place.within] if place.within else None
        return False

    def modern_country(self, place_id: str) -> str | None:
        place = self.places[place_id]
        while place.within:
            place = self.places[place.within]
        return place.iso

    def polity_chain(self, polity_id: str, era: tuple[int, int] | None) -> list[Polity]:
        chain, seen = [], set()
        polity: Polity | None = self.polities[polity_id]
        while polity is not None and polity.id not in seen:
            seen.add(polity.id)
            chain.append(polity)
            parent = self.polities.get(polity.parent) if polity.parent else None
            if parent and era and not _overlaps((parent.start, parent.end), era):
                parent = None  # e.g. Russian SFSR in 1918 had no USSR above it yet
            polity = parent
        return chain

    def resolve_polity(self, polity_id: str, era: tuple[int, int] | None) -> Resolution:
        chain = self.polity_chain(polity_id, era)
        refs = tuple(PlaceRef(p.name, "polity", p.wikidata, p.iso) for p in chain)
        names = _unique([chain[0].name, chain[-1].name])
        iso = next((p.iso for p in chain if p.iso), None)
        modern = iso if iso and len(iso) == 2 else None
        return Resolution(", ".join(names), chain[0].wikidata, iso, refs, modern, None,
                          chain[0].source)

    def resolve(self, place_id: str, era: tuple[int, int] | None) -> Resolution:
        """The place under the polity that held it during `era` (or today when era is None)."""
        chain: list[Place] = []
        place: Place | None = self.places[place_id]
        owner: Place | None = None
        while place is not None:
            if place.id in self.place_periods:
                owner = place
                break
            chain.append(place)
            place = self.places[place.within] if place.within else None
        if owner is not None and owner.id == place_id:
            chain.append(owner)  # a place with its own polity table (Berlin, Ireland)
        refs = [PlaceRef(p.name, p.kind, p.wikidata, p.iso) for p in chain]
        modern = self.modern_country(place_id)
        if owner is None:  # no dated polity table: the modern hierarchy is all we know
            iso = next((r.iso for r in refs if r.iso), None)
            names = _unique([refs[0].name, refs[-1].name])
            return Resolution(", ".join(names), refs[0].wikidata, iso, tuple(refs), modern,
                              None, self.places[place_id].source)
        rows = self.place_periods[owner.id]
        picked, note = _pick_rows(rows, era)
        if not picked:
            refs.append(PlaceRef(owner.name, owner.kind, owner.wikidata, owner.iso))
            note = f"no polity on record for {owner.name} in {era[0]}-{era[1]}" if era else None
            iso = next((r.iso for r in refs if r.iso), None)
            return Resolution(", ".join(_unique([refs[0].name, refs[-1].name])),
                              refs[0].wikidata, iso, tuple(refs), modern, note, owner.source)
        row = picked[0]
        polities = self.polity_chain(row.polity, era)
        if len(picked) > 1:  # e.g. divided Berlin: report both, commit to neither
            names = _unique(([chain[0].name] if chain else [])
                            + [" / ".join(self.polities[r.polity].name for r in picked)])
            refs += [PlaceRef(self.polities[r.polity].name, "polity",
                              self.polities[r.polity].wikidata, self.polities[r.polity].iso)
                     for r in picked]
            wikidata = chain[0].wikidata if chain else None
            return Resolution(", ".join(names), wikidata, None, tuple(refs), modern, note,
                              row.source)
        if row.unit:
            refs.append(PlaceRef(row.unit, "region", None, None))
        refs += [PlaceRef(p.name, "polity", p.wikidata, p.iso) for p in polities]
        names = _unique(([chain[0].name] if chain else []) + ([row.unit] if row.unit else [])
                        + [polities[0].name, polities[-1].name])
        iso = next((r.iso for r in refs if r.iso), None)
        wikidata = chain[0].wikidata if chain else polities[0].wikidata
        return Resolution(", ".join(names), wikidata, iso, tuple(refs), modern, note, row.source)


def _overlaps(a: tuple[int | None, int | None], b: tuple[int, int]) -> bool:
    start = a[0] if a[0] is not None else -10_000
    end = a[1] if a[1] is not None else PRESENT_YEAR
    return start <= b[1] and b[0] <= end


def _pick_rows(rows: list[PlacePeriod], era: tuple[int, int] | None
               ) -> tuple[list[PlacePeriod], str | None]:
    """Rows with the largest overlap with `era`; ties go to the latest start (the newest
    change of rule in that year: Berlin 1945 -> Allied occupation). Rows that share the
    same start and overlap equally are reported together (divided Berlin)."""
    if era is None:
        current = [r for r in rows if r.end is None]
        return (current or sorted(rows, key=lambda r: r.start)[-1:]), None

    def overlap(r: PlacePeriod) -> int:
        end = r.end if r.end is not None else PRESENT_YEAR
        return min(end, era[1]) - max(r.start, era[0]) + 1

    scored = [(overlap(r), r.start, r) for r in rows if overlap(r) > 0]
    if not scored:
        return [], None
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    best = [r for o, s, r in scored if (o, s) == scored[0][:2]]
    others = [r for o, s, r in scored if (o, s) != scored[0][:2]]
    note = None
    if len(best) > 1:
        note = "ambiguous: " + " / ".join(r.polity for r in best)
    elif others:
        note = "era also overlaps " + ", ".join(r.polity for r in others)
    return best, note


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: str) -> Gazetteer:
    """A cached gazetteer for `data_dir` (parsing the tables and patterns takes ~0.1 s)."""
    return Gazetteer(data_dir)
