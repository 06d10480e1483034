"""Date expressions in text -> inclusive year ranges.

Handles years ("1915", "1937 г.", "в 1937 году", "summer of '69"), full dates ("December 15
1931", "15 декабря 1931", "1916 Aug. 3"), ranges ("1900-1915", "1941-45", "between 1900 and
1915", "с 1941 по 1945", "1950/51"), decades ("1950s", "'50s", "the fifties", "1950-х",
"1930er Jahre", "années 30", "anni '30", "lata 30.", "30. léta", "1910-ті", "early 1950s",
"Anfang der 60er", "mid-fifties"), decade ranges ("1910s-20s", "1890-1900-е"), centuries ("19th century",
"late 1800s", "XIX век", "fin du XIXe siècle", "Ottocento"), catalogue dates ("19--" is the
20th century, "195-" the 1950s), "circa" ("circa 1915", "c1880", "около 1915", "um 1910",
"vers 1910", "1910?") and open windows ("before 1910", "после 1945": kind "before"/"after",
a constraint, not an estimate), and the years of Japanese eras, the Republic of China and
the Thai Buddhist era ("Showa 30", "民國38年": context/regnal_years.py). The words of languages other than English and Russian are
in context/date_words.py; EDTF and the cataloguer's marks ("1950~", "195X", "[1950..1960]",
"1920 ca.", "not before 1920", "fl. 1900") in context/catalogue_dates.py. Named periods and wars come from the gazetteer
(context/data/periods.csv), not from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from context.catalogue_dates import catalogue_patterns
from context.date_words import (
    AFTER_WORDS,
    BEFORE_WORDS,
    CENTURY_WORDS,
    CIRCA_WORDS,
    DECADE_WORDS,
    LANGS,
    MONTHS,
    YEAR_WORD,
    Lang,
)
from context.regnal_years import regnal_patterns

FIRST_PHOTO_YEAR = 1826  # Niépce's View from the Window at Le Gras
LAST_YEAR = 2029

_Y = r"(1[6-9]\d\d|20[0-2]\d)"  # a plausible four-digit year
# "to" in the languages read: "1905 bis 1910", "de 1905 à 1910", "od 1905 do 1910"
_DASH = r"\s*(?:-|–|—|to|until|till|through|bis|à|au|al|a|do|až|по|до)\s*"
_QUAL_EN = r"(early|mid|middle|late|the early|the mid|the late)"
_QUAL_RU = r"(начал[оаеу]|нач\.|середин[аыеу]|сер\.|кон[е]?ц[ае]?|конце|кон\.)"
# Every month name, longest first so "červenec" is not read as "červen" and a letter.
_MONTHS = "(?:" + "|".join(sorted((w for _, ws in MONTHS for w in ws.split("|")),
                                  key=len, reverse=True)) + ")"
_ROMAN = {"XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20, "XXI": 21}
# A decade's ending in any language: "1950s", "1930er", "1940ies", "1950-х", "1910-ті".
_DSUF = r"(?:'?s|ern?|ies|\s*-?\s*(?:е|х|ых|ые|ие|ті|тих))"
_DEC = r"(1[6-9]\d0|[1-9]0)"
_OR = r"\s*(?:/|\bor\b|\boder\b|\bou\b|\bили\b|\bабо\b|\blub\b|\bnebo\b)\s*"
_BETWEEN = (r"(?:between|zwischen|entre|tra(?:\s+il)?|fra|między|mezi(?:\s+lety)?|між|между)"
            r"\s+{y}\s+(?:and|und|et|y|e(?:\s+il)?|a|i|і|и)\s+{y}")

Span = tuple[int, int]
Reader = Callable[[re.Match[str]], Span]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    span: tuple[int, int]
    text: str
    # "year" | "date" | "range" | "decade" | "century" | "circa" | "short" | "before" | "after"
    # | "floruit" ("fl. 1900": when a person was active)
    kind: str
    confidence: float  # how precisely the expression dates the photo
    month: int | None = None  # 1-12 when a date names its month ("April 1945", "1945-04-20")


def _third(qual: str | None) -> str | None:
    """"early", "mid" or "late" for an English or Russian qualifier."""
    if not qual:
        return None
    q = qual.lower().replace("the ", "")
    if q.startswith(("early", "начал", "нач.")):
        return "early"
    if q.startswith(("mid", "middle", "середин", "сер.")):
        return "mid"
    if q.startswith(("late", "кон")):
        return "late"
    return None


def _qualify(start: int, length: int, third: str | None) -> Span:
    """Narrow [start, start+length) to its first, middle or last third."""
    end = start + length - 1
    cut = length // 3
    if third == "early":
        return start, start + cut
    if third == "mid":
        return start + cut, end - cut
    if third == "late":
        return end - cut, end
    return start, end


def _roman_or_int(token: str) -> int:
    return int(token) if token.isdigit() else _ROMAN[token.upper()]


def _century(n: int, third: str | None) -> Span:
    return _qualify((n - 1) * 100, 100, third)


def _decade_or_century(year: int, third: str | None) -> Span:
    # "early 1900s", "late 1800s": part of a century. A bare "1800s" is the century too (no
    # photographs from 1800-1809), but a bare "1900s" caption is the decade 1900-1909.
    if year % 100 == 0 and (third or year < 1840):
        return _qualify(year, 100, third)
    return _qualify(year, 10, third)


def _decade_range(m: re.Match[str]) -> Span:
    """"1910s-20s", "1920-30s", "1890-е – 1900-е": the first decade to the end of the last."""
    a = int(m[1]) + (1900 if len(m[1]) == 2 else 0)
    b = int(m[2])
    if b < 100:
        b += a // 100 * 100 + (100 if b + a // 100 * 100 < a else 0)
    return a, b + 9


def _short_end(m: re.Match[str]) -> Span:
    """"1941-45", "1950/51": the second year written with its last two digits."""
    return int(m[1]), int(m[1][:2] + m[2])


def _range_patterns() -> list[tuple[str, str, Reader]]:
    y2 = r"(\d\d)(?![\d\w])"
    return [
        (rf"(?<!\d){_DEC}{_DSUF}?\s*(?:-|–|—|to|/|or)\s*{_DEC}{_DSUF}(?![^\W\d_])", "range",
         _decade_range),
        (rf"(?:(?<![^\W\d_])(?:between|from|с|со|von|de|dal|od|від))?\s*{_Y}(?:\s*(?:гг?\.?|годы?))?{_DASH}{_Y}",
         "range", lambda m: (int(m[1]), int(m[2]))),
        (rf"{_Y}\s*(?:-|–|—|/)\s*{y2}", "range", _short_end),
        (_BETWEEN.format(y=_Y), "range", lambda m: (int(m[1]), int(m[2]))),
        (rf"{_Y}{_OR}{_Y}", "range", lambda m: (int(m[1]), int(m[2]))),
    ]


def _typed_patterns(circa_years: int) -> list[tuple[str, str, Reader]]:
    """Forms people type in a hint or a catalogue caption but a sign does not carry, where
    reading them in the photo's writing would mislead: an open window ("since 1946" on a
    shop sign dates the sign, as any year on it does), "19--" and "195-" (a dash left by
    the reader), "1910?" and "'69" (a stray mark beside digits; that one is among the dates,
    `_date_patterns`, after "May '45" and "anni '30")."""
    before, after = "|".join(BEFORE_WORDS), "|".join(AFTER_WORDS)
    return [
        # catalogue dates: "19--" a century, "195-" a decade ("n.d." is no date at all)
        (r"(?<![\d-])(1[6-9]|20)--(?![\d-])", "century", lambda m: _century(int(m[1]) + 1, None)),
        (r"(?<![\d-])(1[6-9]\d|20[0-2])-(?![\d-])", "decade",
         lambda m: (int(m[1]) * 10, int(m[1]) * 10 + 9)),
        (rf"(?<![\d]){_Y}\s?\?", "circa",  # "1910?": a cataloguer's guess
         lambda m: (int(m[1]) - circa_years, int(m[1]) + circa_years)),
        (rf"(?<![^\W\d_])(?:{before})(?:\s+|(?<=-)){YEAR_WORD}{_Y}(?!\d)", "before",
         lambda m: (FIRST_PHOTO_YEAR, int(m[1]))),
        (rf"(?<![^\W\d_])(?:{after})(?:\s+|(?<=-)){YEAR_WORD}{_Y}(?!\d)", "after",
         lambda m: (int(m[1]), LAST_YEAR)),
    ]


def _circa_patterns(circa_years: int) -> list[tuple[str, str, Reader]]:
    def around(m: re.Match[str]) -> Span:
        return int(m[1]) - circa_years, int(m[1]) + circa_years

    not_decade = r"(?!'?s|\d|ern?\b|ies|-?х|-?е\b|\s*-?\s*ті)"
    words = "|".join(CIRCA_WORDS)
    return [
        ((rf"(?<![^\W\d_])(?:circa|ca\.?|c\.?|approx\.?|около|ок\.|примерно|приблизительно|~)"
         rf"\s*{_Y}{not_decade}"), "circa", around),
        (rf"(?<![^\W\d_])(?:{words})\s+{YEAR_WORD}{_Y}{not_decade}", "circa", around),
    ]


_EN_THIRDS = (("early",), ("mid", "middle"), ("late",))
# A person's age, not a decade: "in her mid-50s", "his early sixties", "aged 30s", "my
# forties", "at age 40s". A possessive or "aged"/"age" before a decade's form (digits or
# words, with or without a qualifier) makes it an age; `find_dates` reads no date there
# and `hints.read_cues` reports the words as not used. A bare decade right after a person
# ("my mum, early 50s") may be either: read as a decade, said maybe an age (person_ages.py).
_AGE = re.compile(
    r"(?<![^\W\d_])(?:(?:her|his|my|their|our|your|one's)|aged?|ages)\s+"
    r"(?:(?:about|around|roughly|approximately)\s+)?(?:(?:early|mid|middle|late)[\s-]*)?"
    r"(?:[1-9]0\s*['’]?s|(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)ies|teens)"
    r"(?![^\W\d_])", re.IGNORECASE)


# German: "in ihren 60ern" is her sixties ("in den 60ern" may be either: person_ages.py).
_AGE_DE = re.compile(r"(?<![^\W\d_])(?:ihren|seinen|meinen|deinen|unseren|euren)\s+"
                     r"[1-9]0ern(?![^\W\d_])", re.IGNORECASE)


def find_ages(text: str) -> list[Span]:
    """Spans of a person's age written like a decade ("in her mid-50s" -> "her mid-50s"):
    no date is read inside them."""
    return [m.span() for rx in (_AGE, _AGE_DE) for m in rx.finditer(text)]


# A century's noun in every language read ("XIX-XX вв.", "fin XIXe - début XXe siècle").
_CENTURY_NOUN = (r"(?:centur(?:y|ies)|век\w*|вв?\.|si[èe]cles?|jahrhunderts?|jh\.|siglos?|"
                 r"secol[oi]|wiek\w*|w\.|stolet[íi]|století|stol\.|столітт\w*|ст\.)")


def _century_range_patterns() -> list[tuple[str, str, Reader]]:
    """Two centuries with one noun: "XIX-XX вв.", "late 19th - early 20th century", "конец
    XIX – начало XX века" (from the first, qualified, to the end of the second); "на рубеже
    XIX-XX веков", "przełom XIX i XX wieku" (the turn between them, as "turn of the
    century")."""
    words = [(t, [w for lang in LANGS for w in getattr(lang, t)] + list(en))
             for t, en in zip(("early", "mid", "late"), _EN_THIRDS, strict=True)]
    thirds = [(t, re.compile("|".join(ws), re.IGNORECASE)) for t, ws in words]
    quals = "|".join(w for _, ws in words for w in ws)
    part = (rf"(?:(?P<q{{i}}>{quals})\s+(?:(?:of\s+the|du|del|des|dell[oa]?)\s+)?)?"
            r"(?P<c{i}>[IVXL]{{1,6}}|\d{{1,2}})(?:e|ème|eme|st|nd|rd|th|\.|-?го)?")
    join = r"\s*(?:-|–|—|/|и|і|i|a|and|et|y|e|und|to)\s*"
    turn = r"(?:(?:на\s+)?рубеж\w*|przełom\w*|(?:na\s+)?přelom\w*)\s+"

    def third(q: str | None) -> str | None:
        return next((t for t, rx in thirds if rx.fullmatch(q)), None) if q else None

    def span(m: re.Match[str]) -> Span:
        a = _century(_roman_or_int(m["c1"]), third(m["q1"]))
        b = _century(_roman_or_int(m["c2"]), third(m["q2"]))
        return a[0], b[1]

    def turned(m: re.Match[str]) -> Span:
        edge = (_roman_or_int(m["c2"]) - 1) * 100
        return edge - 5, edge + 5

    two = part.format(i=1) + join + part.format(i=2) + rf"\s*{_CENTURY_NOUN}"
    return [(turn + two, "century", turned), (r"(?<![^\W\d_])" + two, "century", span)]


def _lang_patterns(lang: Lang) -> list[tuple[str, str, Reader]]:
    """A language's decades and centuries, each with its own qualifiers before it."""
    thirds = [(t, re.compile("|".join(words), re.IGNORECASE))
              for t, words in (("early", lang.early), ("mid", lang.mid), ("late", lang.late))]
    quals = "|".join(lang.early + lang.mid + lang.late)
    head = rf"(?:(?<![^\W\d_])(?P<q>{quals}){lang.fill})?"

    def third(m: re.Match[str]) -> str | None:
        q = m["q"]
        return next((t for t, rx in thirds if rx.fullmatch(q)), None) if q else None

    def decade(m: re.Match[str]) -> Span:
        d = m.groupdict()
        year = _word(d["w"], DECADE_WORDS) if d.get("w") else int(d["n"])
        return _qualify(year + (1900 if year < 100 else 0), 10, third(m))

    def century(m: re.Match[str]) -> Span:
        d = m.groupdict()
        n = (_word(d["w"], CENTURY_WORDS) if d.get("w") else
             int(d["h"]) + 11 if d.get("h") else _roman_or_int(d["c"]))
        return _century(n, third(m))

    return ([(head + f, "decade", decade) for f in lang.decades]
            + [(head + f, "century", century) for f in lang.centuries])


def _word(word: str, table: dict[str, int]) -> int:
    """The value of the longest stem in `table` that `word` starts with."""
    w = word.lower()
    return table[max((k for k in table if w.startswith(k)), key=len)]


def _english_and_russian() -> list[tuple[str, str, Reader]]:
    return [
        (rf"(?:{_QUAL_EN}[\s-]+(?:of\s+the\s+)?)?(\d{{1,2}})(?:st|nd|rd|th)[\s-]+(?:century|c\.)",
         "century", lambda m: _century(int(m[2]), _third(m[1]))),
        (rf"(?:{_QUAL_RU}\s+)?(?<![\dA-Za-z])([IVXL]{{1,6}}|\d{{2}})\s*(?:-?го\s+)?(?:век[аеу]?|в\.|вв\.)",
         "century", lambda m: _century(_roman_or_int(m[2]), _third(m[1]))),
        (r"turn of the (?:20th )?century", "century", lambda m: (1895, 1905)),
        (rf"(?:{_QUAL_EN}[\s-]+)?(1[6-9]\d0|20[0-2]0)(?:'?s|ies)(?![a-z])", "decade",
         lambda m: _decade_or_century(int(m[2]), _third(m[1]))),
        (rf"(?:{_QUAL_RU}\s+)?(1[6-9]\d0|20[0-2]0)\s*-?\s*(?:х|е|ых|ые|ие|ых)(?![а-я])", "decade",
         lambda m: _decade_or_century(int(m[2]), _third(m[1]))),
        (rf"(?:{_QUAL_EN}[\s-]+)?(?:the\s+)?(?<!\d)'?([1-9]0)(?:'?s|ies)(?![a-z])", "decade",
         lambda m: _qualify(1900 + int(m[2]), 10, _third(m[1]))),
        (rf"(?:{_QUAL_RU}\s+)?(?<!\d)([1-9]0)\s*-?\s*(?:х|е|ых|ые)(?![а-я])", "decade",
         lambda m: _qualify(1900 + int(m[2]), 10, _third(m[1]))),
        # Georgian and Armenian decades: "1920-იანი წლები", "20-იან წლებში", "1920-ական
        # թվականներ" (read as the year 1920 before)
        (r"(?<!\d)(1[6-9]\d0|20[0-2]0|[1-9]0)\s*-?\s*(?:იან|ական)[^\W\d_]*", "decade",
         lambda m: (_decade_or_century(int(m[1]), None) if len(m[1]) == 4
                    else _qualify(1900 + int(m[1]), 10, None))),
        # "the fifties", "the late forties", "nineteen fifties" ("in her forties" is an age)
        ((r"(?<![^\W\d_])(?:the\s+|nineteen[\s-]*)(?:(early|mid|middle|late)[\s-]+)?"
         r"(twent|thirt|fort|fift|sixt|sevent|eight|ninet)ies(?![a-z])"), "decade",
         lambda m: _qualify(_word(m[2], DECADE_WORDS), 10, _third(m[1]))),
        # "mid-fifties", "early sixties": a qualifier alone also makes it a decade, unless a
        # person's age ("in her mid-fifties", "his early thirties": `find_ages`)
        ((r"(?<![^\W\d_])(early|mid|middle|late)[\s-]+"
          r"(twent|thirt|fort|fift|sixt|sevent|eight|ninet)ies(?![a-z])"), "decade",
         lambda m: _qualify(_word(m[2], DECADE_WORDS), 10, _third(m[1]))),
    ]


def _date_patterns(typed: bool) -> list[tuple[str, str, Reader]]:
    year = lambda m: (int(m[1]), int(m[1]))
    month = rf"{_MONTHS}(?![^\W\d_])"
    return [
        # full dates: the year is what counts, the month raises confidence
        (rf"{month}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:del?\s+)?{_Y}", "date", year),
        (rf"\d{{1,2}}\.?\s+(?:de\s+)?{month}\s+(?:del?\s+)?{_Y}", "date", year),
        (rf"\d{{1,2}}[./]\d{{1,2}}[./]{_Y}", "date", year),
        (rf"{_Y}-\d\d-\d\d", "date", year),
        (rf"{_Y},?\s+{month}\.?(?:\s+\d{{1,2}}(?!\d))?", "date", year),  # "1916 Aug. 3"
        (rf"{month}\.?\s+['’]([2-9]\d)(?![\d\w])", "date",
         lambda m: (1900 + int(m[1]), 1900 + int(m[1]))),  # "May '45"
        # a title's two-digit year after a dash: "Молдова-81", "Крым - 73 г." (1920-1999;
        # not after a digit or before a letter or "-х", so "Ту-154" and "50-х" stay out)
        (r"(?<=[^\W\d_])\s?[-–—]\s?([2-9]\d)(?!\d|\s*-?[^\W\d_](?<!г))(?:\s*г\.?)?",
         "short", lambda m: (1900 + int(m[1]), 1900 + int(m[1]))),
    ] + ([
        # "summer of '69" (typed only, `_typed_patterns`): the 1900s, as for "'50s"
        (r"(?<![\w'’])['’‘]([2-9]\d)(?![\d\w'’])", "short",
         lambda m: (1900 + int(m[1]), 1900 + int(m[1]))),
    ] if typed else []) + [
        # bare year, optionally "1937 г.", "в 1937 году"
        (rf"(?<![\d]){_Y}(?![\d])", "year", year),
    ]


def _patterns(circa_years: int, typed: bool, catalogue: bool = True
              ) -> list[tuple[re.Pattern[str], str, Reader]]:
    """All patterns, the more specific first: a range before its two years, a qualified
    decade before the bare one."""
    # An era's years first: "Showa 30" is 1955, not the era and a stray "30" (regnal_years).
    # Then the catalogue's forms: "not before 1920" holds "before 1920", "1920?-1925" "1920?".
    pats = regnal_patterns() + (catalogue_patterns(circa_years, FIRST_PHOTO_YEAR, LAST_YEAR)
                                if typed and catalogue else [])
    pats += _range_patterns() + (_typed_patterns(circa_years) if typed else [])
    pats += _circa_patterns(circa_years) + _century_range_patterns()
    for lang in LANGS:
        pats += _lang_patterns(lang)
    pats += _english_and_russian() + _date_patterns(typed)
    return [(re.compile(p, re.IGNORECASE), kind, fn) for p, kind, fn in pats]


_CONFIDENCE = {"date": 0.95, "year": 0.9, "range": 0.85, "circa": 0.75, "decade": 0.8,
               "century": 0.6, "short": 0.6, "before": 0.9, "after": 0.9, "floruit": 0.5,
               "regnal year": 0.9, "regnal decade": 0.8}
_CACHE: dict[tuple[int, bool, bool], list[tuple[re.Pattern[str], str, Reader]]] = {}


def find_dates(text: str, circa_years: int = 5, typed: bool = True,
               catalogue: bool = True) -> list[DateMention]:
    """Date expressions in `text`, non-overlapping, in text order; `typed=False` for writing
    read in the photo leaves out the forms only typed text uses (`_typed_patterns`), and
    `catalogue=False` the catalogue's and EDTF's (context/catalogue_dates.py), which a
    sign's "1950-06" or "1950~" is not: the readers of lines in the photo keep them out."""
    key = (circa_years, typed, catalogue)
    if key not in _CACHE:
        _CACHE[key] = _patterns(circa_years, typed, catalogue)
    patterns = _CACHE[key]
    taken: list[tuple[int, int]] = find_ages(text)  # an age is no date ("her mid-50s")
    out: list[DateMention] = []
    for pattern, kind, fn in patterns:
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue
            try:
                start, end = fn(m)
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
    """The month a full date names: 'April 20, 1945', '20 апреля 1945', '1945-04-20',
    '1916 Aug. 3', '20 kwietnia 1945', EDTF's '1945-04' and '1945-04-XX'; None for
    '20.04.1945' (day and month order differ between countries)."""
    iso = re.fullmatch(r"\d{4}-(\d\d)(?:-(?:\d\d|XX))?[?~%]?", text, re.IGNORECASE)
    if iso:
        return int(iso[1]) if 1 <= int(iso[1]) <= 12 else None
    word = re.search(r"[^\W\d_]+", text)
    if word is None:
        return None
    return next((number for number, names in MONTHS
                 if re.fullmatch(names, word.group(0), re.IGNORECASE)), None)
