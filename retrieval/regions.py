"""Region matching with containment, on top of the context gazetteer.

A query region is the context's hierarchy, most specific first (Kazan, Tatar ASSR, Russian
SFSR, USSR). An exemplar region matches when one of its keys (Wikidata QID, ISO code or name)
appears at some level of that hierarchy: the exemplar's region *is or contains* the place
("region USSR contains Tatar ASSR"). An exemplar whose region lies *inside* the query's place
(a Tatar ASSR flag for a query about the USSR) matches more weakly; the gazetteer's parent
polities and `within` places tell that.

A place with no date names no state: its levels are the place and then every polity that
held it (`Region.candidates`), so exemplars of any of them match and no others do.
"""

from __future__ import annotations

from dataclasses import dataclass

from context.gazetteer import Gazetteer
from context.types import SceneContext
from retrieval.types import RegionRef


@dataclass(frozen=True)
class QueryLevel:
    name: str
    codes: tuple[str, ...]  # QID, "iso:XX", "name:..." (RegionRef.match_keys)


def ref_keys(name: str, wikidata: str | None, iso: str | None) -> tuple[str, ...]:
    return RegionRef(name, wikidata, iso).match_keys()


def query_levels(context: SceneContext | None) -> list[QueryLevel]:
    """The region hierarchy of a scene context, most specific first (none without a region)."""
    region = context.region if context else None
    if region is None:
        return []
    levels = [QueryLevel(p.name, ref_keys(p.name, p.wikidata, p.iso)) for p in region.hierarchy]
    if not levels:
        levels = [QueryLevel(region.name, ref_keys(region.name, region.wikidata, region.iso))]
    if context.era is None:  # undated: the polities that held the place are the levels above it
        seen = {code for level in levels for code in level.codes}
        for cand in region.candidates:
            for p in cand.hierarchy:
                codes = ref_keys(p.name, p.wikidata, p.iso)
                if not set(codes) & seen:
                    levels.append(QueryLevel(p.name, codes))
                    seen |= set(codes)
    return levels


class RegionResolver:
    """Gazetteer ids and free text -> RegionRef; a region's ancestors for containment."""

    def __init__(self, gazetteer: Gazetteer):
        self.g = gazetteer

    def ref(self, ident: str, kind: str | None = None) -> RegionRef:
        """RegionRef for a polity or place id of configs/context/ (polities first unless
        `kind` is "place")."""
        if ident in self.g.polities and kind != "place":
            p = self.g.polities[ident]
            return RegionRef(p.name, p.wikidata, p.iso, ident)
        if ident in self.g.places:
            p = self.g.places[ident]
            return RegionRef(p.name, p.wikidata, p.iso, ident)
        raise ValueError(f"unknown region id {ident!r}: use an id of configs/context/"
                         "polities.csv or places.csv (e.g. 'ussr', 'tatar_assr', 'france')")

    def find(self, text: str) -> RegionRef:
        """The polity or place named in `text` ("Russian Empire", "Kazan")."""
        mentions = [m for m in self.g.find(text) if m.kind in ("polity", "place")]
        if not mentions:
            raise ValueError(f"no place or polity found in {text!r}; name one the gazetteer "
                             "knows (configs/context/polities.csv, places.csv), e.g. "
                             "'Russian Empire'")
        best = max(mentions, key=lambda m: m.span[1] - m.span[0])
        return self.ref(best.id, best.kind)

    def ancestors(self, region: RegionRef, era: tuple[int, int]) -> list[QueryLevel]:
        """The places and polities that contain `region` during `era` (not itself)."""
        ident = region.gazetteer or self._by_qid(region.wikidata)
        if ident is None:
            return []
        out: list[QueryLevel] = []
        if ident in self.g.polities:
            chain = self.g.polity_chain(ident, era)[1:]
            out = [QueryLevel(p.name, ref_keys(p.name, p.wikidata, p.iso)) for p in chain]
        elif ident in self.g.places:
            place = self.g.places[ident]
            while place.within:
                place = self.g.places[place.within]
                out.append(QueryLevel(place.name, ref_keys(place.name, place.wikidata, place.iso)))
        return out

    def _by_qid(self, qid: str | None) -> str | None:
        if not qid:
            return None
        for table in (self.g.polities, self.g.places):
            for ident, item in table.items():
                if item.wikidata == qid:
                    return ident
        return None


def match_reason(regions: tuple[RegionRef, ...], levels: list[QueryLevel],
                 decay: float) -> tuple[float, str] | None:
    """Best 'is or contains' match of an exemplar's regions with the query hierarchy."""
    best: tuple[float, str] | None = None
    for i, level in enumerate(levels):
        for r in regions:
            if set(r.match_keys()) & set(level.codes):
                score = 1.0 - decay * i
                if i == 0:
                    why = f"region {r.name} matches {levels[0].name}"
                else:
                    why = f"region {r.name} contains {levels[0].name}"
                if best is None or score > best[0]:
                    best = (score, why)
    return best
