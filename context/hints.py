"""Era and place cues read from a piece of text: a user hint, an archive caption or a file
name, or the writing found in the photo.

`read_cues(text, source, gazetteer)` returns `TextCues`: era candidates (years, decades,
circa, centuries, named periods; validity windows of polities and historical place names)
and place candidates (cities, countries, polities), each with its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from context.ambiguous_names import AMBIGUOUS_CONFIDENCE, alternatives
from context.gazetteer import PRESENT_YEAR, Gazetteer, Mention
from context.person_ages import MAYBE_AGE_CONFIDENCE, find_possible_ages
from context.temporal import FIRST_PHOTO_YEAR, DateMention, find_ages, find_dates
from context.types import Evidence

# How much a cue from each source is trusted, before the cue's own precision.
SOURCE_TRUST = {"hint": 1.0, "caption": 0.9, "ocr": 0.6}
_IMAGE_EXT = re.compile(r"\.(jpe?g|png|tiff?|gif|bmp|webp)$", re.IGNORECASE)


@dataclass(frozen=True)
class EraCandidate:
    start: int
    end: int
    confidence: float
    source: str
    # "estimate": says when the photo was taken (a year, a decade, a war);
    # "constraint": a window the photo must fall in (a polity or place name that existed then,
    # an object that was not made before a year).
    kind: str
    evidence: Evidence
    month: int | None = None  # 1-12 when the cue named the month of a single year


@dataclass(frozen=True)
class PlaceCandidate:
    ident: str  # place id or polity id in the gazetteer
    kind: str  # "place" | "polity"
    confidence: float
    source: str
    evidence: Evidence
    depth: int  # 0 = country or polity; larger = more specific (region, city)
    # Years the cue holds for (a pickelhaube says Germany only until 1918); None = any.
    window: tuple[int, int] | None = None


@dataclass(frozen=True)
class TextCues:
    text: str  # the normalised text that was read
    eras: tuple[EraCandidate, ...]
    places: tuple[PlaceCandidate, ...]
    # Words with digits that were read as no date and no place ("Paris, 3O-е" with a letter
    # O), and words that name a time but gave none ("Kriegszeit"): a date the reader may
    # have missed, for the caller to report rather than drop.
    unread: tuple[str, ...] = ()


def normalize_caption(text: str) -> str:
    """Turn an archive file name into words: 'deoldify__1860sSamauris.jpg' -> '1860s Samauris'.

    Removes an image extension and a leading 'collection__' tag, turns underscores into
    spaces, and splits CamelCase and letter/digit runs ('Paris1880' -> 'Paris 1880').
    Free text without such features passes through unchanged apart from whitespace.
    """
    name = _IMAGE_EXT.sub("", text.strip())
    name = re.sub(r"^[A-Za-z0-9]+__", "", name)
    name = name.replace("_", " ")
    name = re.sub(r"(?<=[a-z]{4})c(?=1[6-9]\d\d)", " c. ", name)  # "Opiumc1880" -> circa 1880
    name = re.sub(r"(?<=\d)s(?=[A-Z])", "s ", name)  # '1860sSamauris'
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)  # 'CafeParis'
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", name)  # 'NYStreet'
    name = re.sub(r"(?<=[A-Za-z])(?=\d)", " ", name)  # 'Paris1880'
    # '1880Paris', '1890surfer'; not a decade's ending ('1930er_Jahre', '1940ies')
    name = re.sub(r"(?<=\d)(?!(?:ern?|ies)(?![a-z]))(?=[A-Z]|[a-z]{2,})", " ", name)
    name = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", name)  # 'civil-war'
    return re.sub(r"\s+", " ", name).strip()


SIGN_YEARS_AFTER = 15  # a photo of a dated sign: from its year to this many years later
SIGN_LIKELY_YEARS = 5  # ... most likely within the first of those years


def read_cues(text: str, source: str, gazetteer: Gazetteer, circa_years: int = 5,
              box: tuple[int, int, int, int] | None = None, origin: str | None = None,
              title: bool = False) -> TextCues:
    """Era and place cues in `text`; `source` is "hint", "caption" or "ocr". `origin` is a
    caption's own source ("filename", "exif:ImageDescription", ...): every evidence names it.
    `title`: writing in the image lettered as a title ("Крым 1973 г." across a slide), whose
    year is the photographer's date, not a sign's.
    """
    if source == "caption":
        text = normalize_caption(text)
    trust = SOURCE_TRUST[source]
    where = (("in the image, lettered as a title" if title else "in the image")
             if source == "ocr" else
             f"in {source} ({origin})" if origin else f"in {source}")
    eras: list[EraCandidate] = []
    places: list[PlaceCandidate] = []

    dates = find_dates(text, circa_years, typed=source != "ocr")
    # "Uncle Jim, late 30s, Kyiv 1943": a decade that may be an age, beside a date of other
    # years, is the age (the date says when); alone it is read, as maybe an age, below.
    ages = _ages_beside_dates(dates, text) if source != "ocr" else []
    dates = [d for d in dates if all(d is not a for a in ages)]
    # A typed or captioned date says which names were in use (a sign's year does not).
    years = ((min(d.start for d in dates), max(d.end for d in dates))
             if dates and source != "ocr" else None)
    mentions = gazetteer.find(text, typed=source == "hint", years=years)
    # An era's name inside a longer date ("Showa" of "Showa 30") says where, not when: the
    # date's year is the era's narrower reading.
    named = {id(m) for m in mentions if m.kind == "period" and any(
        d.span[0] <= m.span[0] and m.span[1] <= d.span[1] and d.span != m.span for d in dates)}
    taken = [m.span for m in mentions if m.kind == "period" and id(m) not in named]
    for d in dates:
        if any(d.span[0] < b and a < d.span[1] for a, b in taken):
            continue  # "revolution 1917" is read as the named period
        eras.append(_era_from_date(d, text, source, trust, where, box, title))

    # A place named alone in a hint or caption ("Victoria 1952") may be one of several.
    alone = [m for m in mentions if m.kind in ("place", "polity")]
    for m in mentions:
        if id(m) not in named:
            eras += _era_from_mention(m, source, trust, where, box)
        others = (_other_readings(m, gazetteer)
                  if source != "ocr" and alone == [m] and m.kind == "place" else ())
        places += _place_from_mention(m, source, trust, where, box, gazetteer, others)
    if origin:
        eras = [replace(c, evidence=replace(c.evidence, origin=origin)) for c in eras]
        places = [replace(c, evidence=replace(c.evidence, origin=origin)) for c in places]
    read = [d.span for d in dates] + [m.span for m in mentions]
    dated = any(e.kind == "estimate" for e in eras)
    said = tuple(f"{a.text} (an age beside the date)" for a in ages)
    return TextCues(text, tuple(eras), tuple(places), said + _unread(text, read + [
        a.span for a in ages], dated))


# Words that say when but were read as no date ("Kriegszeit", "wartime", "the war", "era"):
# said as unread like a stray number (issue #14), so a hint is never half-used unsaid.
_TIME_WORD = re.compile(
    r"(?:(?:pre|post|inter)-?)?(?:eras?|epochs?|wartime|wars?|centur(?:y|ies)|decades?"
    r"|(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)ies|\w*kriegs?\w*|epoche|ära"
    r"|jahrhunderts?|guerres?|avant-guerre|siècles?|guerra|[ée]poca|siglos?|secolo"
    r"|\w*войн\w*|\w*війн\w*|эпох\w*|епох\w*|век[аеу]?|столітт\w*)",
    re.IGNORECASE)


def _unread(text: str, read: list[tuple[int, int]], dated: bool) -> tuple[str, ...]:
    """A person's age written like a decade ("her mid-50s (an age)", always: it is no
    date, `temporal.find_ages`), then words holding a digit, and words that name a time
    (`_TIME_WORD`), that no date or name read covers. A time word is said only when the
    text gave no estimate of when (`dated`): "war memorial, 1925" is dated by its year,
    "post-war era" by its period."""
    ages = find_ages(text)
    out = [f"{text[a:b]} (an age)" for a, b in ages]
    for m in re.finditer(r"[^\s,;]+", text):
        word = m.group(0).strip(".,;:()[]'\"’")
        if any(a < m.end() and m.start() < b for a, b in read + ages):
            continue
        if any(c.isdigit() for c in word) or not dated and _TIME_WORD.fullmatch(word):
            out.append(word)
    return tuple(out)


def _era_from_date(d: DateMention, text: str, source: str, trust: float, where: str,
                   box: tuple[int, int, int, int] | None, title: bool) -> EraCandidate:
    """The era cue of date `d` read in `text` (`read_cues`' arguments)."""
    if d.kind in ("before", "after"):  # typed text only: a sign's "since 1946" is a year
        # "before 1910", "после 1945": a window the photo falls in, not when it was taken
        start, end, conf, kind = d.start, d.end, d.confidence, "constraint"
    elif source == "ocr":
        # A year written on a sign dates the sign (founding years, anniversaries), not
        # the exposure: the photo is from that year or later, most likely soon after. A
        # title's year ("Хорезм-1984" across a slide) is when the photographer was there.
        start, end = d.start, d.end if title else min(d.end + SIGN_YEARS_AFTER,
                                                      PRESENT_YEAR)
        conf, kind = 0.5, "estimate"
    else:
        start, end, conf, kind = d.start, d.end, d.confidence, "estimate"
    what = f'{d.kind} "{d.text}" {where}'
    who = _person_before(d, text) if source != "ocr" else None
    if who:  # "my mum, early 50s": the 1950s, or mum in her fifties
        conf = min(conf, MAYBE_AGE_CONFIDENCE)
        what += (f'; may be an age (after "{who}"): write "the {d.start // 10 * 10}s" '
                 f'for the decade or "aged {d.start % 100 // 10 * 10}s" for an age')
    ev = Evidence(source, what, round(conf * trust, 3),
                  f"{start}-{end}", box, None if box else d.span)
    month = d.month if source != "ocr" else None
    return EraCandidate(start, end, conf * trust, source, kind, ev, month)


def _ages_beside_dates(dates: list[DateMention], text: str) -> list[DateMention]:
    """The decades that may be a person's age (`_person_before`) in a text that also has a
    date of other years, which says when the photo was taken."""
    maybe = [d for d in dates if _person_before(d, text)]
    others = [d for d in dates if d.kind not in ("before", "after") and d not in maybe]
    return [d for d in maybe
            if others and all(e.end < d.start or e.start > d.end for e in others)]


def _person_before(d: DateMention, text: str) -> str | None:
    """The person word right before decade `d` when its words may be that person's age
    (`context/person_ages.py`), else None."""
    if d.kind != "decade":
        return None
    return next((who for span, who in find_possible_ages(text)
                 if span[0] <= d.span[0] and d.span[1] <= span[1]), None)


Box = tuple[int, int, int, int]


def places_across_lines(lines: list[tuple[str, Box]], gazetteer: Gazetteer
                        ) -> list[PlaceCandidate]:
    """Place cues of names that run from one line of writing onto the next, as a title
    breaks "Дальний Восток" into "Дальний" / "Восток": each line and the one right below it
    (the next in reading order, overlapping it across and less than a line height under
    it) are read as one text, and only names that start on the first and end on the second
    are taken (each line's own names came from the line alone)."""
    out: list[PlaceCandidate] = []
    for (a, box_a), (b, box_b) in pairwise(lines):
        if not _stacked(box_a, box_b):
            continue
        box = (min(box_a[0], box_b[0]), box_a[1], max(box_a[2], box_b[2]), box_b[3])
        for m in gazetteer.find(f"{a} {b}"):
            if m.span[0] < len(a) < m.span[1]:
                out += _place_from_mention(m, "ocr", SOURCE_TRUST["ocr"], "in the image "
                                           "(across two lines)", box, gazetteer)
    return out


def _stacked(upper: Box, lower: Box) -> bool:
    """`lower` is the line right under `upper`: they overlap across, and the gap between
    them is less than the taller line's height."""
    height = max(upper[3] - upper[1], lower[3] - lower[1])
    gap = lower[1] - upper[3]  # below 0 where padded boxes overlap a little
    across = min(upper[2], lower[2]) > max(upper[0], lower[0])
    return across and -height // 4 <= gap < height


def _span(m: Mention, box: tuple[int, int, int, int] | None) -> tuple[int, int] | None:
    return None if box else m.span


def _era_from_mention(m: Mention, source: str, trust: float, where: str,
                      box: tuple[int, int, int, int] | None) -> list[EraCandidate]:
    if m.start is None and m.end is None:
        return []
    start = m.start if m.start is not None else FIRST_PHOTO_YEAR
    end = m.end if m.end is not None else PRESENT_YEAR
    if m.kind == "period":
        conf, kind, what = 0.8, "estimate", f'period "{m.text}" {where}'
    elif m.kind == "polity":
        conf, kind, what = 0.9, "constraint", f'polity "{m.text}" {where} (existed {start}-{end})'
    else:
        conf, kind, what = 0.9, "constraint", f'place name "{m.text}" {where} (used {start}-{end})'
    if start <= FIRST_PHOTO_YEAR and end >= PRESENT_YEAR:
        return []  # valid across the whole history of photography: says nothing
    ev = Evidence(source, what, round(conf * trust, 3), f"{start}-{end}", box, _span(m, box))
    return [EraCandidate(start, end, conf * trust, source, kind, ev)]


def _other_readings(m: Mention, gazetteer: Gazetteer) -> tuple[str, ...]:
    return alternatives(m.text, m.id, gazetteer.modern_country(m.id), gazetteer.broad_index(),
                        str(gazetteer.data_dir))


def _place_from_mention(m: Mention, source: str, trust: float, where: str,
                        box: tuple[int, int, int, int] | None, gazetteer: Gazetteer,
                        others: tuple[str, ...] = ()) -> list[PlaceCandidate]:
    """`others`: the other places the name may be (`ambiguous_names`), said in the
    evidence, and the cue trusted at AMBIGUOUS_CONFIDENCE."""
    if m.kind == "place":
        ident, kind, depth, conf = m.id, "place", 1 + gazetteer.place_depth(m.id), 0.9
        what = f'place "{m.text}" {where}'
        if others:
            conf = AMBIGUOUS_CONFIDENCE
            what += (f"; ambiguous: also {'; '.join(others)} (read as "
                     f"{gazetteer.places[m.id].name}, {gazetteer.modern_country(m.id)}; "
                     "add the country to choose)")
    elif m.kind == "polity":
        ident, kind, depth, conf = m.id, "polity", 0, 0.8
        what = f'polity "{m.text}" {where}'
    else:
        period = gazetteer.periods[m.id]
        if not period.place:
            return []
        ident, kind, conf = period.place, "place", 0.5
        depth = 1 + gazetteer.place_depth(period.place)
        what = f'period "{m.text}" {where} took place in {gazetteer.places[period.place].name}'
    ev = Evidence(source, what, round(conf * trust, 3), ident, box, _span(m, box))
    return [PlaceCandidate(ident, kind, conf * trust, source, ev, depth)]
