"""Years counted from a reign or a republic's founding, as Japanese, Taiwanese and Thai
families and archives write them: "Showa 30" and "昭和30年" are 1955, "昭和三十年" too,
"昭和30年代" the decade 1955-1964, "Meiji 40" 1907, "民國38年" and "Minguo 38" 1949,
"B.E. 2490" and "พ.ศ. 2490" 1947.

Without this the era's name alone was read ("Showa 30 Osaka" gave 1926-1989 and called "30"
not a date). `regnal_patterns()` gives (pattern, kind, reader) rows for
context/temporal.py; a number past the era's last year ("Taisho 20") reads as nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Span = tuple[int, int]

# name forms -> (the year before year 1, the last year number the era had)
_ERAS: tuple[tuple[str, int, int], ...] = (
    (r"meiji|明治", 1867, 45),
    (r"taish[oō]|taishou|大正", 1911, 15),
    (r"sh[oō]wa|shouwa|昭和", 1925, 64),
    (r"heisei|平成", 1988, 31),
    # The Republic of China's calendar, still Taiwan's: year 1 is 1912.
    (r"min[\s-]?guo|min[\s-]?kuo|民國|民国|中華民國|中华民国", 1911, 120),
)
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3}|元)"
# "Showa 30", "Shōwa 30th year", "昭和30年", "昭和 30 年": the era's name, then its number.
_AFTER_NAME = r"\s*(?:era\s+|year\s+)?" + _NUMBER
_NOT_LATIN = r"(?<![A-Za-z])"  # "Showa" is not the end of a longer Latin word
# Thai Buddhist era: year 2490 is 1947 ("B.E. 2490", "พ.ศ. 2490", "2490 BE").
_BUDDHIST = r"(?:(?:B\.\s?E\.?|พ\.\s?ศ\.)\s*(?P<be>2[34]\d\d)|(?P<be2>2[34]\d\d)\s*B\.?E\.?(?![A-Za-z]))"
_THAI_OFFSET = 543


def number_of(token: str) -> int:
    """'30', '３０', '三十', '三十五', '十' and 元 (an era's first year) as an int."""
    if token == "元":
        return 1
    if token.isdigit():
        return int(token)
    tens, _, ones = token.partition("十")
    if "十" not in token:
        return _KANJI_DIGITS[token] if len(token) == 1 else int(
            "".join(str(_KANJI_DIGITS[c]) for c in token))
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def _era_reader(before_first: int, last: int, decade: bool) -> Callable[[re.Match[str]], Span]:
    def read(m: re.Match[str]) -> Span:
        n = number_of(m["n"])
        if not 1 <= n <= last:
            raise ValueError(f"the era has no year {n}")  # temporal.find_dates skips it
        year = before_first + n
        return (year, year + 9) if decade else (year, year)
    return read


def _buddhist(m: re.Match[str]) -> Span:
    year = int(m["be"] or m["be2"]) - _THAI_OFFSET
    return year, year


def regnal_patterns() -> list[tuple[str, str, Callable[[re.Match[str]], Span]]]:
    """(regular expression, kind, reader): a decade of an era first ("昭和30年代",
    "Showa 30s"), then its years, then the Thai Buddhist era."""
    rows: list[tuple[str, str, Callable[[re.Match[str]], Span]]] = []
    for names, before_first, last in _ERAS:
        head = _NOT_LATIN + f"(?:{names})" + _AFTER_NAME
        rows.append((head + r"\s*(?:年代|nendai|'?s(?![A-Za-z]))", "regnal decade",
                     _era_reader(before_first, last, decade=True)))
        rows.append((head + r"(?:\s*年|\s*nen(?![A-Za-z])|(?:st|nd|rd|th)(?:\s+year)?)?(?![\d])",
                     "regnal year", _era_reader(before_first, last, decade=False)))
    rows.append((_BUDDHIST, "regnal year", _buddhist))
    return rows
