"""The gazetteer's name patterns, each compiled the first time a text could hold its name.

Compiling the ~2,000 patterns of the curated and pycountry names (context/names.py) took
0.4-0.7 s of every start on the 2-core CPU (over 1 s under load), while a photo's texts (a
hint, captions, the lines read) hold a handful of names, and `colorize --no-context` never
searches a text at all (retrieval only resolves regions). Each name keeps a needle, a run
of its letters that every match of its pattern holds; a text is folded as `re.IGNORECASE`
compares letters, and a pattern whose needle the folded text lacks cannot match it, so it
is skipped, uncompiled: `matching` gives the patterns that compiling all of them would
have found something with, in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from context.names import WORD_NAMES, alias_regex, cased_regex

try:  # the letter tables of CPython's re (IGNORECASE compares simple lower cases, plus these)
    from _sre import unicode_tolower
    from re._casefix import _EXTRA_CASES
except ImportError:  # another implementation: no needles, every pattern searched
    unicode_tolower, _EXTRA_CASES = None, {}


class _Folded(dict):
    """Code point -> the one letter standing for all that IGNORECASE takes for it (and е for
    ё, which the patterns accept for each other), filled as letters are met."""

    def __missing__(self, code: int) -> str:
        lower = unicode_tolower(code)
        letter = chr(min((lower, *_EXTRA_CASES.get(lower, ()))))
        self[code] = letter = "е" if letter == "ё" else letter
        return letter


_FOLDED = _Folded()


def fold(text: str) -> str:
    """`text` one letter for one letter, each replaced by its case class's (see _Folded);
    "" without CPython's tables (a needle of "" is in every text)."""
    return text.translate(_FOLDED) if unicode_tolower is not None else ""


class AliasPatterns:
    """The names' patterns in the gazetteer's order (a dated historical name first), each
    with the gazetteer's fields for it; compiled on first need, one per distinct pattern."""

    def __init__(self) -> None:
        self._entries: list[tuple[str, int, str, tuple]] = []  # source, flags, needle, fields
        self._compiled: dict[tuple[str, int], re.Pattern[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, alias: str, fields: tuple, first: bool = False, cased: bool = False) -> None:
        cased = cased or alias.lower() in WORD_NAMES  # "Turkey" the country, not the bird
        source, flags, needle = cased_regex(alias) if cased else alias_regex(alias)
        entry = (source, flags, fold(needle), fields)
        if first:
            self._entries.insert(0, entry)
        else:
            self._entries.append(entry)

    def matching(self, text: str) -> Iterator[tuple[re.Pattern[str], tuple]]:
        """(pattern, fields) of each name whose needle `text` holds, in order; the others
        cannot match it. Threads may compile the same pattern twice: either copy serves."""
        folded = fold(text)
        for source, flags, needle, fields in self._entries:
            if needle in folded:
                pattern = self._compiled.get((source, flags))
                if pattern is None:
                    pattern = self._compiled[(source, flags)] = re.compile(source, flags)
                yield pattern, fields
