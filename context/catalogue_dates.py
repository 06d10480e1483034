"""Dates as archives catalogue them: EDTF (the Library of Congress's Extended Date/Time
Format, which IIIF and many catalogues use) and the cataloguer's marks that free text
patterns in context/temporal.py would misread.

- EDTF: "1950~" (approximate) and "1950%" as "circa"; "195X" a decade and "19XX" a century
  ("195u", "19uu" in older records); "1950-06" and "1950-06-XX" June 1950; intervals
  "1950-06/1950-08", "1950-06-15/1950-06-20", "1920?/1925"; open ends "../1917", "1917/.."
  (a window, like "before 1917"); sets "[1950..1960]", "[1950,1952]", "{1950,1952}" (the
  first to the last); "1950~1960" (how Japanese and Chinese captions write a range).
- Catalogue marks: "1920?-1925" (an uncertain first year: still the range), "1920 ca.",
  "1920 [ca.]" (circa written after the year), "not before 1920", "no later than 1920",
  "terminus post quem 1920" (a window: "not before" is after, which "before 1920" inside it
  read the wrong way round), and "fl. 1900" (floruit: when the photographer or sitter was
  active, a weak estimate of the photo's date).

"n.d.", "s.d.", "o.J." and "б.г." say the record has no date: nothing is read from them.
Every form here is typed text (a caption, a hint, a metadata field); writing read in the
photo does not use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Span = tuple[int, int]
Reader = Callable[[re.Match[str]], Span]

_Y = r"(1[6-9]\d\d|20[0-2]\d)"  # as context/temporal.py: a plausible four-digit year
_MD = r"(?:-(\d\d|XX)(?:-(?:\d\d|XX))?)?"  # an optional month (group) and day of an EDTF date
_Q = r"[?~%]?"  # EDTF's uncertain (?), approximate (~) or both (%)
_UNSPEC = r"(?:-XX){0,2}(?![\w-])(?!\s*[\d×*x])"  # EDTF's unknown month, day; not a size
FLORUIT_YEARS = 10  # "fl. 1900": active some years either side

# "not before 1920" is after 1920: longest phrases first, so "before" inside is not read.
NOT_BEFORE = ("not before", "not earlier than", "no earlier than", "terminus post quem",
              r"t\.\s?p\.\s?q\.", "nicht vor", "frühestens", "pas avant", "au plus tôt en",
              "no antes de", "non prima del", "nie wcześniej niż", "ne dříve než", "nejdříve")
NOT_AFTER = ("not after", "not later than", "no later than", "terminus ante quem",
             r"t\.\s?a\.\s?q\.", "nicht nach", "spätestens", "pas après", "au plus tard en",
             "no después de", "non dopo il", "nie później niż", "ne později než", "nejpozději")


def _month(m: re.Match[str], group: int) -> int | None:
    text = m[group]
    return int(text) if text and text.isdigit() and 1 <= int(text) <= 12 else None


def _interval(m: re.Match[str]) -> Span:
    """"1950-06/1950-08", "1920?/1925": only with an EDTF mark, so "1950/1960" stays with
    the range patterns (same reading, kept where it was)."""
    if not (m[2] or m[4] or re.search(r"[?~%]", m.group(0))):
        raise ValueError("a plain range")
    return int(m[1]), int(m[3])


def _year_month(m: re.Match[str]) -> Span:
    """"1950-06" is June 1950, but "1905-06" is 1905-1906 as catalogues write a range: a
    month only where the two digits cannot end a range (at most the year's own last two)."""
    if _month(m, 2) is None or int(m[2]) > int(m[1][2:]):
        raise ValueError("not a month")
    return int(m[1]), int(m[1])


def _set(m: re.Match[str]) -> Span:
    years = [int(y) for y in re.findall(r"\d{4}", m.group(0))]
    return min(years), max(years)


def catalogue_patterns(circa_years: int, first: int, last: int
                       ) -> list[tuple[str, str, Reader]]:
    """(pattern, kind, reader) for the forms in the module docstring; `first` and `last`
    bound an open window (the first photograph, the last year read)."""
    def around(m: re.Match[str]) -> Span:
        return int(m[1]) - circa_years, int(m[1]) + circa_years

    def around_either(m: re.Match[str]) -> Span:  # "~1950" (group 1) or "1950~" (group 2)
        year = int(m[1] or m[2])
        return year - circa_years, year + circa_years

    def year(m: re.Match[str]) -> Span:
        return int(m[1]), int(m[1])

    end = r"(?![\w?~%])"
    not_before, not_after = "|".join(NOT_BEFORE), "|".join(NOT_AFTER)
    return [
        (rf"(?<![\w-]){_Y}{_MD}{_Q}\s*/\s*{_Y}{_MD}{_Q}(?![\w/])", "range", _interval),
        (rf"(?<![\w.])\.\.\s*/?\s*{_Y}{_MD}{_Q}{end}", "before", lambda m: (first, int(m[1]))),
        (rf"(?<![\w-]){_Y}{_MD}{_Q}\s*/?\s*\.\.(?![\w.])", "after", lambda m: (int(m[1]), last)),
        (rf"[\[{{]\s*{_Y}{_Q}(?:\s*(?:,|\.\.)\s*{_Y}{_Q})+\s*[\]}}]", "range", _set),
        (rf"(?<![\w-]){_Y}{_Q}\s*[~〜～]\s*{_Y}{_Q}{end}", "range",
         lambda m: (int(m[1]), int(m[2]))),
        (rf"(?<![\w-]){_Y}\?\s*[-–—]\s*{_Y}\??{end}", "range", lambda m: (int(m[1]), int(m[2]))),
        # "195X"; "195 X" as a caption's words come (context.hints.normalize_caption splits
        # digits from a capital); never "180 x 240 mm", a print's size
        (rf"(?<![\w-])(1[6-9]\d|20[0-2])(?:X|(?-i: X)|U){_UNSPEC}", "decade",
         lambda m: (int(m[1]) * 10, int(m[1]) * 10 + 9)),
        (rf"(?<![\w-])(1[6-9]|20)(?:XX|(?-i: XX)| ?UU){_UNSPEC}", "century",
         lambda m: (int(m[1]) * 100, int(m[1]) * 100 + 99)),
        (rf"(?<![\w-]){_Y}-(\d\d)(?:-XX)?{_Q}(?![\w-])", "date", _year_month),
        (rf"(?<![\w-]){_Y}(?:-XX){{1,2}}(?![\w-])", "year", year),
        (rf"[~%]\s*{_Y}{end}|(?<![\w-]){_Y}(?:-\d\d){{0,2}}[~%](?![\w])", "circa",
         around_either),
        # "1920 ca.", but not the end of a range ("1941 - 1945 ca." is the range)
        ((rf"(?<![\d\-–—])(?<![\-–—]\s){_Y}\s*[\[(]?(?:ca\.?|circa|c\.)[\])]?"
          r"(?![^\W\d_])"), "circa", around),
        (rf"(?<![^\W\d_])(?:{not_before})\s+{_Y}(?!\d)", "after", lambda m: (int(m[1]), last)),
        (rf"(?<![^\W\d_])(?:{not_after})\s+{_Y}(?!\d)", "before", lambda m: (first, int(m[1]))),
        # "fl." in lower case, as name headings write it: "Miami, Fl. 1935" is Florida
        (rf"(?<![^\W\d_])(?:(?-i:fl\.)|floruit)\s*{_Y}(?:\s*[-–—]\s*{_Y})?(?!\d)", "floruit",
         _floruit),
    ]


def _floruit(m: re.Match[str]) -> Span:
    if m[2]:
        return int(m[1]), int(m[2])
    return int(m[1]) - FLORUIT_YEARS, int(m[1]) + FLORUIT_YEARS
