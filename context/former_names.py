"""Whether a curated former name ("Breslau", Wrocław until 1945) found in a text gives way to a
broad-gazetteer town that bears the name today (Breslau, Ontario).

The rule, in order:

1. The text also names a subdivision of another country than the former name's place today
   ("Breslau, Ontario 1960", "Gold Coast, Queensland 1950", "Canton, Ohio 1930"), or any
   place of another country right after the name ("Canton of Bern"), or a country that a
   town of the name is in ("Breslau, Canada"): a town there is meant, whatever the year,
   even one the index leaves out (Canton, Ohio: a common word).
   A city named elsewhere in the text is too weak a sign ("Victoria" is also a first name),
   and a country is only one where a town of the name is ("Breslau 1930, Germany" is
   Wrocław).
2. The text's years fall in the name's period ("Breslau 1930"), or the text gives no year: the
   former name stands.
3. In the RENAME_YEARS after the rename, a city's former name stays that city when the city is
   at least SIZE_RATIO times as big as every town abroad called so today, and no town of the
   name is in the city's own country. People go on writing the name they knew: expellees'
   photos and German captions say "Breslau 1960" of Wrocław (672,545 people) and hardly ever
   mean Breslau, Ontario (5,053); likewise Posen, Memel, Smyrna, Madras, Batavia. A town
   nearly as big keeps the name ("Port Arthur 1990": Lüshunkou has 82,345 people, Port
   Arthur, Texas 55,340), and so does a town in the city's own country, where the old name
   was dropped ("Kuybyshev 2000" is the town in Novosibirsk Oblast, not Samara). A country's
   former name is no city's: "Gold Coast 1990" is Queensland's.
4. Otherwise, out of its period, the town is meant ("Gold Coast 1990", "Port Arthur 1990").

A former name with no town of that main name today always stands ("Leningrad 2000" stays a
mismatch the era reports).
"""

from __future__ import annotations

import re

from context.gazetteer_types import Mention, Place
from context.geonames import BroadIndex, BroadMatch, BroadPlace, fold_name

RENAME_YEARS = 50  # about the generation that grew up with the old name
SIZE_RATIO = 10
_FOLLOWS = re.compile(r"\s*,?\s*(?:(?:of|de|du|des|in|bei|near)\s+)?")


class FormerNames:
    """The rule of the module docstring over the curated places and the broad index."""

    def __init__(self, index: BroadIndex, places: dict[str, Place],
                 aliases: dict[str, list[str]]):
        self.index, self.places, self.aliases = index, places, aliases
        self._sizes: dict[str, int] = {}

    def gives_way(self, mention: Mention, text: str, years: tuple[int, int] | None,
                  matches: list[BroadMatch], others: list[Mention]) -> bool:
        """Whether `mention` in `text` is read as the town of that name today (`matches`: the
        broad names of the text; `others`: the curated mentions of the text)."""
        if mention.kind != "place" or (mention.start is None and mention.end is None):
            return False
        own = self._country(mention.id)
        if self._abroad(mention, matches, text, own):
            return True
        towns = _towns_named(mention, matches)
        if not towns or years is None:
            return False
        if any(t.country in self._countries_named(mention, others) for t in towns):
            return True
        if (mention.start is None or mention.start <= years[1]) and (
                mention.end is None or years[0] <= mention.end):
            return False
        return not self._stays_the_city(mention, years, towns)

    def _stays_the_city(self, mention: Mention, years: tuple[int, int],
                        towns: list[BroadPlace]) -> bool:
        place = self.places[mention.id]
        if (place.kind != "city" or mention.end is None or years[0] <= mention.end
                or years[0] > mention.end + RENAME_YEARS):
            return False
        own = self._country(mention.id)
        size = self._size(mention.id, own)
        return all(t.country != own and size >= SIZE_RATIO * t.population for t in towns)

    @staticmethod
    def _abroad(mention: Mention, matches: list[BroadMatch], text: str, own: str | None
                ) -> bool:
        """Whether the text names a subdivision of a country other than `own`, or any place
        there right after the mention ("Canton, Ohio", "Canton of Bern")."""
        for m in matches:
            countries = {p.country for p in m.places if p.kind == "region"}
            if m.span[0] >= mention.span[1] and _FOLLOWS.fullmatch(
                    text[mention.span[1]:m.span[0]]):
                countries = {p.country for p in m.places}
            if m.span != mention.span and countries - {own}:
                return True
        return False

    def _countries_named(self, mention: Mention, others: list[Mention]) -> set[str]:
        """The countries of the text's other curated places, but the mention's own."""
        named = {self._country(m.id) for m in others
                 if m.kind == "place" and m.span != mention.span}
        return named - {self._country(mention.id), None}

    def _country(self, place_id: str) -> str | None:
        place = self.places[place_id]
        while place.within:
            place = self.places[place.within]
        return place.iso

    def _size(self, place_id: str, country: str | None) -> int:
        """The people of the place's biggest GeoNames city of one of its names, in its
        country (0 when none: a country, a region)."""
        if place_id not in self._sizes:
            self._sizes[place_id] = max(
                (b.population for name in self.aliases.get(place_id, ())
                 for b in self.index.named(name) if b.kind == "city" and b.country == country),
                default=0)
        return self._sizes[place_id]


def _towns_named(mention: Mention, matches: list[BroadMatch]) -> list[BroadPlace]:
    """The broad places whose main name is the words of `mention` (the same span)."""
    return [p for m in matches if m.span == mention.span
            for p in m.places if fold_name(p.name) == fold_name(m.text)]
