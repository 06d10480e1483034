"""Date expressions in English and Russian text -> inclusive year ranges.

Handles years ("1915", "1937 г.", "в 1937 году"), full dates ("December 15 1931",
"15 декабря 1931"), ranges ("1900-1915", "1941-45", "between 1900 and 1915",
"с 1941 по 1945"), decades ("1950s", "'50s", "the 50s", "1950-х", "50-х годов", "early
1950s"), centuries ("19th century", "late 1800s", "XIX век", "конец XIX века"), and "circa"
("circa 1915", "ca. 1915", "c1880", "около 1915"). Named periods and wars come from the
gazetteer (configs/context/periods.csv), not from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIRST_PHOTO_YEAR = 1826  # Niépce's View from the Window at Le Gras
LAST_YEAR = 2029

_Y = r"(1[6-9]\d\d|20[0-2]\d)"  # a plausible four-digit year
_DASH = r"\s*(?:-|–|—|to|until|till|through|по|до)\s*"
_QUAL_EN = r"(early|mid|middle|late|the early|the mid|the late)"
_QUAL_RU = r"(начал[оаеу]|середин[аыеу]|кон[е]?ц[ае]?|конце)"
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"январ[яь]|феврал[яь]|март[а]?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|август[а]?|"
    r"сентябр[яь]|октябр[яь]|ноябр[яь]|декабр[яь])"
)
# Month names -> number, for the month of a full date (the order of _MONTHS).
_MONTH_STEMS = (("jan", "январ"), ("feb", "феврал"), ("mar", "март"), ("apr", "апрел"),
                ("may", "ма"), ("jun", "июн"), ("jul", "июл"), ("aug", "август"),
                ("sep", "сентябр"), ("oct", "октябр"), ("nov", "ноябр"), ("dec", "декабр"))
_ROMAN = {"XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20, "XXI": 21}


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    span: tuple[int, int]
    text: str
    kind: str  # "year" | "date" | "range" | "decade" | "century" | "circa" | "short"
    confidence: float  # how precisely the expression dates the photo
    month: int | None = None  # 1-12 when a date names its month ("April 1945", "1945-04-20")


def _qualify(start: int, length: int, qual: str | None) -> tuple[int, int]:
    """Narrow [start, start+length) by early/mid/late to its first, middle or last third."""
    end = start + length - 1
    if not qual:
        return start, end
    q = qual.lower().replace("the ", "")
    third = length // 3
    if q.startswith(("early", "начал")):
        return start, start + third
    if q.startswith(("mid", "middle", "середин")):
        return start + third, end - third
    if q.startswith(("late", "кон")):
        return end - third, end
    return start, end


def _roman_or_int(token: str) -> int:
    return int(token) if token.isdigit() else _ROMAN[token.upper()]


def _century(n: int, qual: str | None) -> tuple[int, int]:
    return _qualify((n - 1) * 100, 100, qual)


def _decade_or_century(year: int, qual: str | None) -> tuple[int, int]:
    # "early 1900s", "late 1800s": part of a century. A bare "1800s" is the century too (no
    # photographs from 1800-1809), but a bare "1900s" caption is the decade 1900-1909.
    if year % 100 == 0 and (qual or year < 1840):
        return _qualify(year, 100, qual)
    return _qualify(year, 10, qual)


def _patterns(circa_years: int) -> list[tuple[re.Pattern[str], str, object]]:
    f = re.IGNORECASE
    pats: list[tuple[str, str, object]] = [
        # ranges
        (rf"(?:between|from|с|со)?\s*{_Y}(?:\s*(?:гг?\.?|годы?))?{_DASH}{_Y}", "range",
         lambda m: (int(m[1]), int(m[2]))),
        (rf"{_Y}\s*(?:-|–|—)\s*(\d\d)(?![\d\w])", "range",
         lambda m: (int(m[1]), int(m[1][:2] + m[2]))),
        (rf"between\s+{_Y}\s+and\s+{_Y}", "range", lambda m: (int(m[1]), int(m[2]))),
        # decade ranges "1920s-1930s", "1920-30s"
        (rf"{_Y}'?s?\s*(?:-|–|—|to)\s*{_Y}'?s", "range",
         lambda m: (int(m[1]), int(m[2]) + 9)),
        # circa
        (rf"(?<![^\W\d_])(?:circa|ca\.?|c\.?|approx\.?|около|ок\.|примерно|приблизительно|~)\s*{_Y}(?!'?s|\d|-?х|-?е\b)",
         "circa", lambda m: (int(m[1]) - circa_years, int(m[1]) + circa_years)),
        # centuries
        (rf"(?:{_QUAL_EN}[\s-]+(?:of\s+the\s+)?)?(\d{{1,2}})(?:st|nd|rd|th)[\s-]+(?:century|c\.)",
         "century", lambda m: _century(int(m[2]), m[1])),
        (rf"(?:{_QUAL_RU}\s+)?(?<![\dA-Za-z])([IVXL]{{1,6}}|\d{{2}})\s*(?:-?го\s+)?(?:век[аеу]?|в\.|вв\.)",
         "century", lambda m: _century(_roman_or_int(m[2]), m[1])),
        (r"turn of the (?:20th )?century", "century", lambda m: (1895, 1905)),
        # decades
        (rf"(?:{_QUAL_EN}\s+)?(1[6-9]\d0|20[0-2]0)'?s(?![a-z])", "decade",
         lambda m: _decade_or_century(int(m[2]), m[1])),
        (rf"(?:{_QUAL_RU}\s+)?(1[6-9]\d0|20[0-2]0)\s*-?\s*(?:х|е|ых|ые|ие|ых)(?![а-я])", "decade",
         lambda m: _decade_or_century(int(m[2]), m[1])),
        (rf"(?:{_QUAL_EN}\s+)?(?:the\s+)?'?([1-9]0)'?s(?![a-z])", "decade",
         lambda m: _qualify(1900 + int(m[2]), 10, m[1])),
        (rf"(?:{_QUAL_RU}\s+)?(?<!\d)([1-9]0)\s*-?\s*(?:х|е|ых|ые)(?![а-я])", "decade",
         lambda m: _qualify(1900 + int(m[2]), 10, m[1])),
        # full dates: the year is what counts, the month raises confidence
        (rf"{_MONTHS}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?{_Y}", "date",
         lambda m: (int(m[1]), int(m[1]))),
        (rf"\d{{1,2}}\s+{_MONTHS}\s+{_Y}", "date", lambda m: (int(m[1]), int(m[1]))),
        (rf"\d{{1,2}}[./]\d{{1,2}}[./]{_Y}", "date", lambda m: (int(m[1]), int(m[1]))),
        (rf"{_Y}-\d\d-\d\d", "date", lambda m: (int(m[1]), int(m[1]))),
        # a title's two-digit year after a dash: "Молдова-81", "Крым - 73 г." (1920-1999;
        # not after a digit or before a letter or "-х", so "Ту-154" and "50-х" stay out)
        (r"(?<=[^\W\d_])\s?[-–—]\s?([2-9]\d)(?!\d|\s*-?[^\W\d_](?<!г))(?:\s*г\.?)?",
         "short", lambda m: (1900 + int(m[1]), 1900 + int(m[1]))),
        # bare year, optionally "1937 г.", "в 1937 году"
        (rf"(?<![\d]){_Y}(?![\d])", "year", lambda m: (int(m[1]), int(m[1]))),
    ]
    return [(re.compile(p, f), kind, fn) for p, kind, fn in pats]


_CONFIDENCE = {"date": 0.95, "year": 0.9, "range": 0.85, "circa": 0.75, "decade": 0.8,
               "century": 0.6, "short": 0.6}
_CACHE: dict[int, list[tuple[re.Pattern[str], str, object]]] = {}


def find_dates(text: str, circa_years: int = 5) -> list[DateMention]:
    """Date expressions in `text`, non-overlapping, in text order."""
    patterns = _CACHE.setdefault(circa_years, _patterns(circa_years))
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for pattern, kind, fn in patterns:
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue
            try:
                start, end = fn(m)  # type: ignore[operator]
            except (ValueError, TypeError, KeyError):
                continue
            if start > end or end < FIRST_PHOTO_YEAR - 100 or start > LAST_YEAR:
                continue
            if kind == "century" and not (15 <= (start // 100) + 1 <= 21):
                continue
            text_m = m.group(0).strip()
            month = _month(text_m) if kind == "date" else None
            out.append(DateMention(start, end, span, text_m, kind, _CONFIDENCE[kind], month))
            taken.append(span)
    return sorted(out, key=lambda d: d.span[0])


def _month(text: str) -> int | None:
    """The month a full date names: 'April 20, 1945', '20 апреля 1945', '1945-04-20'; None
    for '20.04.1945' (day and month order differ between countries)."""
    iso = re.fullmatch(r"\d{4}-(\d\d)-\d\d", text)
    if iso:
        return int(iso[1]) if 1 <= int(iso[1]) <= 12 else None
    word = re.search(r"[^\W\d_]+", text)
    if word is None:
        return None
    w = word.group(0).lower()
    for number, (en, ru) in enumerate(_MONTH_STEMS, start=1):
        if w.startswith(en) or (w.startswith(ru) and (ru != "ма" or w in ("мая", "май"))):
            return number
    return None
