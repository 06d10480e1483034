"""Who held a place in a single year it changed hands on a known day: the rule that held it
for most of that year's days decides.

`holdings.pick_rows` weighs rows by the whole years they overlap the era, and a tie goes to
the newest rule: right for "Berlin 1945" (Allied from 8 May), but "Kyiv 1943" read as the
Ukrainian SSR, which took the city back on 6 November after ten months of German rule. Where
the table dates the change to the month or day, a single year (no month named) is weighed by
the days each rule held in it; a tie, and rows dated only by the year (each then holds the
whole year), still go to the newest rule, so those readings do not change. A place held by
several at once (shares: Crimea since 2014, France 1940-44; or rows that overlap: divided
Berlin) is left to `pick_rows`.
"""

from __future__ import annotations

import calendar
from datetime import date
from itertools import pairwise

from context.holdings import Day, PlacePeriod, pick_rows


def pick_rows_by_days(rows: list[PlacePeriod], era: tuple[int, int] | None, present: int,
                      month: int | None = None
                      ) -> tuple[list[PlacePeriod], list[PlacePeriod]]:
    """`holdings.pick_rows`, except that in a single year without a month, over whole-place
    rows, the rows holding the place for the most days of that year decide."""
    picked, touching = pick_rows(rows, era, present, month)
    if (era is None or era[0] != era[1] or month is not None or len(touching) < 2
            or any(r.share for r in touching) or _concurrent(touching)):
        return picked, touching
    held = {id(r): days_held(r, era[0]) for r in touching}
    best = max((held[id(r)], r.start_on) for r in touching)
    return [r for r in touching if (held[id(r)], r.start_on) == best], touching


def _concurrent(rows: list[PlacePeriod]) -> bool:
    """Whether two of `rows` held the place at once (divided Berlin 1949-90): `pick_rows`
    names both sides, which no count of days should undo."""
    spans = sorted((_day(r.start_on), _day(r.end_on) if r.end_on else date.max) for r in rows)
    return any(b[0] < a[1] for a, b in pairwise(spans))


def days_held(row: PlacePeriod, year: int) -> int:
    """Days of `year` in which the polity of `row` held the place (both ends counted)."""
    first = max(_day(row.start_on), date(year, 1, 1))
    last = min(_day(row.end_on) if row.end_on else date.max, date(year, 12, 31))
    return max((last - first).days + 1, 0)


def _day(day: Day) -> date:
    """A table's day as a date; its month's last day where the table wrote a month only
    (`holdings.parse_when` gives 31)."""
    year, month, dom = day
    year = min(max(year, 1), 9999)
    return date(year, month, min(dom, calendar.monthrange(year, month)[1]))
