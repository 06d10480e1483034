"""Who held a place when: the rows of `configs/context/place_periods.csv` and how the rows
for an era (and, when the source named one, a month) are picked.

`start` and `end` are written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: a year where the change of
rule is not pinned to a day, a date where it is (Berlin: Nazi Germany until 1945-05-08,
Allied-occupied Germany from then). An empty `end` means to this day.

`share` names what a row's polity held when the place was divided between states at once:
the parts of a range that crosses borders (the Carpathians: "Polish Carpathians", "Slovak
Carpathians", ...), or the two sides of a contested rule over the same land (Crimea since
2014: "sovereignty (internationally recognised)" and "administration (de facto)"). Rows with
the same share follow one another; rows of different shares held at the same time, so every
share the era touches is reported and none is chosen silently. Empty: the whole place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Day = tuple[int, int, int]  # (year, month, day)
_DATE = re.compile(r"^(\d{3,4})(?:-(\d\d))?(?:-(\d\d))?$")


@dataclass(frozen=True)
class PlacePeriod:
    place_id: str
    start: int  # year the polity's rule began
    end: int | None  # year it ended; None = to this day
    polity: str
    unit: str | None  # the province or republic the place belonged to, when it says more
    source: str
    start_on: Day = (0, 1, 1)  # first day of the rule, as precise as the table gives it
    end_on: Day | None = None  # last day; None = to this day
    written: str = ""  # the period as written in the table, e.g. "1933-01-30 to 1945-05-08"
    share: str | None = None  # the part or side this polity held at the same time as others


def parse_when(value: str, last: bool) -> Day | None:
    """'1945-05-08' -> (1945, 5, 8); '1945' -> (1945, 1, 1), or (1945, 12, 31) when `last`."""
    value = value.strip()
    if not value:
        return None
    m = _DATE.match(value)
    if m is None:
        raise ValueError(f"place_periods.csv: {value!r} is not a date; write YYYY, YYYY-MM "
                         "or YYYY-MM-DD")
    year = int(m[1])
    month = int(m[2]) if m[2] else (12 if last else 1)
    day = int(m[3]) if m[3] else (31 if last else 1)
    return year, month, day


def place_period(row: dict[str, str]) -> PlacePeriod:
    start_on = parse_when(row["start"], last=False)
    if start_on is None:
        raise ValueError(f"place_periods.csv row {row} has no start")
    end_on = parse_when(row["end"], last=True)
    written = f"{row['start'].strip()} to {row['end'].strip() or 'today'}"
    return PlacePeriod(row["place_id"], start_on[0], end_on[0] if end_on else None,
                       row["polity"], row["unit"] or None, row["source"], start_on, end_on,
                       written, (row.get("share") or "").strip() or None)


def overlaps(a: tuple[int | None, int | None], b: tuple[int, int], present: int) -> bool:
    start = a[0] if a[0] is not None else -10_000
    end = a[1] if a[1] is not None else present
    return start <= b[1] and b[0] <= end


def held_in_month(row: PlacePeriod, year: int, month: int) -> bool:
    """Whether the polity of `row` held the place for at least part of the month."""
    end = row.end_on or (10_000, 12, 31)
    return row.start_on <= (year, month, 31) and (year, month, 1) <= end


def pick_rows(rows: list[PlacePeriod], era: tuple[int, int] | None, present: int,
              month: int | None = None) -> tuple[list[PlacePeriod], list[PlacePeriod]]:
    """(rows that decide, all rows the era overlaps).

    Without an era every row is a candidate and the current one decides. With a month of a
    single year (hint "Berlin, April 1945") the rows that held the place in that month decide,
    the newest rule first. Otherwise the rows with the largest overlap in years decide; ties
    go to the latest start (the newest change of rule in that year: Berlin 1945 -> Allied
    occupation). Rows that share the start year and overlap equally decide together (divided
    Berlin). A place divided into shares is decided share by share (`_decide`)."""
    if era is None:
        current = [r for r in rows if r.end is None]
        return (current or sorted(rows, key=lambda r: r.start_on)[-1:]), list(rows)

    def overlap(r: PlacePeriod) -> int:
        end = r.end if r.end is not None else present
        return min(end, era[1]) - max(r.start, era[0]) + 1

    touching = sorted((r for r in rows if overlap(r) > 0), key=lambda r: r.start)
    if month is not None and era[0] == era[1]:
        in_month = [r for r in touching if held_in_month(r, era[0], month)]
        if in_month:  # the newest rule that month (May 1945: from the 8th, the Allies)
            first = (era[0], month, 1)
            return _decide(in_month, lambda r: (max(r.start_on, first),)), touching
    if not touching:
        return [], []
    return _decide(touching, lambda r: (overlap(r), r.start)), touching


def _decide(rows: list[PlacePeriod], key: Callable[[PlacePeriod], tuple]
            ) -> list[PlacePeriod]:
    """The rows with the best `key`. Rows with a share are ranked within their share and every
    share decides with its best row, when the best of them beats the best whole-place row
    (Crimea 2015: both sides; Crimea 2000-2015: Ukraine, the other rows stay candidates)."""
    whole = [r for r in rows if r.share is None]
    shares: dict[str, list[PlacePeriod]] = {}
    for r in rows:
        if r.share is not None:
            shares.setdefault(r.share, []).append(r)
    best_whole = max((key(r) for r in whole), default=None)
    best_share = {s: max(key(r) for r in group) for s, group in shares.items()}
    if best_share and (best_whole is None or max(best_share.values()) > best_whole):
        return [r for s, group in shares.items() for r in group if key(r) == best_share[s]]
    return [r for r in whole if key(r) == best_whole]
