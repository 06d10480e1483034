"""Place names typed alone that name several well-known places ("Victoria 1952": Hong Kong,
British Columbia, the Australian state, the Seychelles' capital).

The gazetteer picks one reading (the curated place, else the largest GeoNames city of that
name); `alternatives` says which others a reader could have meant, so the cue is reported
as ambiguous at `AMBIGUOUS_CONFIDENCE` instead of chosen silently. Two sources, one rule:

- the broad index's places of the name (`context/geonames.py`, up to four, largest first):
  a city whose main name it is, of at least `COMPARABLE_SHARE` of the picked one's people
  and `COMPARABLE_PEOPLE` ("Springfield": Missouri 170,000, Massachusetts 154,000, Illinois
  114,000; "Valencia": Venezuela's and Spain's; not "Alexandria", whose Virginia city has
  3% of the Egyptian one's people, "Santiago", nor "Philadelphia", an old name of Amman).
  Of the 1,966 cities of eval.hint_cities at 0.1 and any alternate name, 111 were flagged,
  many by a small namesake abroad ("Athens", Georgia) or a district's alternate name ("Hong
  Kong"); at 0.2 and main names 41 are (Kansas City, Newcastle, San José, Brest, ...).
- `ambiguous_names.csv` in the data folder, for readings the index cannot hold: names it
  keeps out as common words ("Victoria"), states and countries ("Georgia": the country is
  curated under its other names). A reading in the picked place's country is left out.

A name beside another place ("Victoria, British Columbia", "Georgia, USSR") is not alone:
the other name chooses (`broad_places.BroadLinker.find` narrows to its country).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from context.geonames import BroadIndex, BroadPlace, fold_name

AMBIGUOUS_CONFIDENCE = 0.5  # a cue's own confidence when its name has other readings
COMPARABLE_SHARE = 0.2  # another city of the name with this share of the picked one's people
COMPARABLE_PEOPLE = 100_000  # ... and at least this many people is another reading
LISTED = "ambiguous_names.csv"


@lru_cache(maxsize=4)
def listed_readings(data_dir: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Folded name -> ((reading, ISO 3166-1 country), ...) of `ambiguous_names.csv`; empty
    when the data folder has no such file."""
    path = Path(data_dir) / LISTED
    if not path.exists():
        return {}
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            readings = []
            for item in row["readings"].split(";"):
                label, sep, country = item.rpartition("|")
                if not sep:
                    raise ValueError(f"{path}: reading {item!r} of {row['name']!r} needs a "
                                     "country: write 'Label|CC' (ISO 3166-1 alpha-2)")
                readings.append((label.strip(), country.strip()))
            out[fold_name(row["name"])] = tuple(readings)
    return out


def alternatives(written: str, picked_id: str, picked_country: str | None,
                 index: BroadIndex | None, data_dir: str) -> tuple[str, ...]:
    """The other places `written` may name, besides the picked place (`picked_id`, in
    `picked_country`); () when the name is as good as unique."""
    out = [label for label, country in listed_readings(data_dir).get(fold_name(written), ())
           if country != picked_country]
    options = _options(written, index)
    picked = next((p for p in options if p.id == picked_id), None) or next(
        (p for p in options if p.kind == "city" and p.country == picked_country), None)
    if picked is None or picked.kind != "city":
        return tuple(out)
    floor = max(COMPARABLE_PEOPLE, COMPARABLE_SHARE * picked.population)
    out += [_label(p) for p in options
            if p.id != picked.id and p.kind == "city" and p.population >= floor
            and fold_name(p.name) == fold_name(written)]
    return tuple(out)


def _options(written: str, index: BroadIndex | None) -> tuple[BroadPlace, ...]:
    """The index's places of exactly the name `written` (as a typed hint reads it)."""
    if index is None:
        return ()
    whole = [m for m in index.find(written, typed=True) if m.span == (0, len(written))]
    return whole[0].places if whole else ()


def _label(place: BroadPlace) -> str:
    """"Springfield (US-MA, 154,341 people)": the admin1 code where it is a letter code."""
    area = f"-{place.admin1}" if place.admin1 and place.admin1.isalpha() else ""
    return f"{place.name} ({place.country}{area}, {place.population:,} people)"
