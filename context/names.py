"""How a gazetteer name is matched in text: separators, Russian inflection, possessives and
acronyms that spell common words."""

from __future__ import annotations

import re
import unicodedata

_SEP = r"[\s\-_.,'’]*"
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")  # CJK ideographs
_CYR_ENDINGS = "аяьыиеоуюй"
# Russian names ending in -у or -ю are foreign and do not decline (Баку, Сухуму is not a
# form of it): their stem would also match common words ("бак", "бака" for Баку).
_INDECLINABLE = "уюУЮ"
# What may follow a stem: an inflection or a suffix starts with a vowel, a soft or hard sign
# or one of these consonants (-ский, -ской, -нан, -да, -ца, -ти, -гә, -ми), so "Алтарь" is not
# a form of Алтай. A three-letter stem takes only case endings (Риге, Ригой, Кижах), so
# "сочный" is not a form of Сочи.
_LONG_STEM_ENDING = r"(?:[аяеёиоуыэюіїєйьъскнцдтгм]\w{0,3})?"
_SHORT_STEM_ENDING = r"[аяеёиоуыэюйьмхв]{0,3}"
# A consonant, е/ё/о, a consonant at the end of a name: the vowel may be fleeting.
_CONS = "бвгджзклмнпрстфхцчшщ"
_FLEETING = re.compile(f"[{_CONS}][еёо][{_CONS}]$", re.IGNORECASE)
_COMMON_WORDS = {"us", "in", "as", "is", "it", "on", "at", "me", "he", "we", "am", "an", "no"}
# Place names that are also everyday English words or start common phrases: read as the
# place only when capitalised ("Turkey 1958", not "thanksgiving turkey 1962"; "Jersey", not
# "in her jersey"; "China", not "china tea set"; "Cork", not "wine cork"), and not before a
# lower-case word (`broad_places.phrase_after`: "Turkey dinner", "Yorkshire terrier",
# "Brittany spaniel", ImageNet's "guinea pig" and "water buffalo" among the training files).
WORD_NAMES = frozenset({"turkey", "china", "jersey", "cork", "buffalo", "chad", "guinea",
                        "chile", "yorkshire", "brittany", "bordeaux", "moselle"})
# Names of periods (configs/context/periods.csv) that are also everyday words: read as the
# period only capitalised ("Wende Leipzig"; not "ich wende mich", a German verb; "the
# Blitz", not "a sales blitz"; "Titanic", not "a titanic effort"). Unlike WORD_NAMES a
# lower-case word may follow ("Prohibition era").
WORD_PERIODS = frozenset({"wende", "wendezeit", "blitz", "the blitz", "prohibition",
                          "titanic", "the thaw"})


def alias_pattern(alias: str) -> re.Pattern[str]:
    """A case-insensitive pattern for `alias` that also matches its inflected forms:
    Москва -> Москве, Москвы; Казань -> Казани; Крым -> в Крыму, Крымский; London's."""
    source, flags, _ = alias_regex(alias)
    return re.compile(source, flags)


def alias_regex(alias: str) -> tuple[str, int, str]:
    """(source, flags, needle) of `alias_pattern`, uncompiled: every match of the pattern
    holds the needle, a run of the alias's letters, as written or in another case (and
    е for ё), so a text without it need not be searched (context/alias_index.py)."""
    tokens = [t for t in re.split(r"[\s\-_.,'’]+", alias) if t]
    letters = sum(ch.isalpha() for ch in alias)
    acronym = alias.upper() == alias and letters <= 3 and not any(c.isdigit() for c in alias)
    # Acronyms that spell a common word ("US" / "us") match only as written.
    case_sensitive = acronym and "".join(filter(str.isalpha, alias)).lower() in _COMMON_WORDS
    last = tokens[-1]
    suffix = ""
    if (_CYRILLIC.search(last) and len(last) >= 4 and not acronym
            and last[-1] not in _INDECLINABLE):
        # Russian/Tatar inflection: Москва -> Москве, Москвы; Казань -> Казани.
        stem = last.rstrip(_CYR_ENDINGS)
        if len(stem) >= 4:
            tokens[-1] = stem
            suffix = _LONG_STEM_ENDING
        elif len(stem) == 3:
            tokens[-1] = stem
            suffix = _SHORT_STEM_ENDING
    elif not acronym and re.fullmatch(r"[A-Za-z]+", last):
        suffix = r"(?:['’]?s)?"  # possessive: "Londons Smallest Shop", "Paris's"
    parts = [_yo(re.escape(t)) for t in tokens]
    needle = tokens[0]  # matched letter for letter (its stem, where the name is one word)
    if suffix == _LONG_STEM_ENDING and tokens[-1] == last and _FLEETING.search(last):
        # A fleeting vowel: Египет -> Египта, Орёл -> Орла (the vowel may drop before an ending).
        parts[-1] = (_yo(re.escape(last[:-2])) + f"(?:{_yo(re.escape(last[-2]))})?"
                     + re.escape(last[-1]))
        needle = tokens[0] if len(tokens) > 1 else last[:-2]
    body = _SEP.join(parts) + suffix
    flags = 0 if case_sensitive else re.IGNORECASE
    if _HAN.fullmatch(alias):  # Chinese and Japanese run words together: "昭和30年東京にて"
        return body, flags, needle
    return r"(?<![\w])" + body + r"(?![\w])", flags, needle


def cased_regex(alias: str) -> tuple[str, int, str]:
    """`alias_regex` of a proper name that is also a word ("Madras", a cloth; "Angora", a
    wool): a Latin-script name matches only as written or in capitals (a sign's "MADRAS").
    A name in another script keeps `alias_regex` (Cyrillic inflects, and cases vary)."""
    if _CYRILLIC.search(alias) or not alias.isascii() and not _latin(alias):
        return alias_regex(alias)
    written, _, needle = alias_regex(alias)
    capitals, _, _ = alias_regex(alias.upper())
    return f"(?:{written}|{capitals})", 0, needle


def _latin(alias: str) -> bool:
    return all(c.isascii() or "LATIN" in unicodedata.name(c, "") for c in alias if c.isalpha())


def _yo(escaped: str) -> str:
    """Е and Ё as one letter: Russian writes the dots rarely, and OCR adds or drops them
    ("Хорёзм" read for "Хорезм")."""
    return re.sub("[еёЕЁ]", "[еёЕЁ]", escaped)


# -- Russian/Ukrainian case endings for the broad gazetteer (context/geonames.py) -----------
# A name is indexed by its stem and the endings its declension class takes in the singular
# (the cases a caption uses: "в Армении", "из Казани", "на Оренбург", "по реке Белой"); a
# word read in a text matches when it is such a stem plus one of those endings. Names ending
# in -у, -ю, -э, -е, -и decline rarely or not at all (Баку, Сочи, Туапсе): exact only.
MIN_STEM = 4  # letters left after the ending: shorter stems would match common words
_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ия", ("ия", "ии", "ию", "ией", "ія", "ії", "ію")),
    ("ий", ("ий", "ого", "ому", "им", "ом")),
    ("ый", ("ый", "ого", "ому", "ым", "ом")),
    ("ой", ("ой", "ого", "ому", "ым", "ом")),
    ("ая", ("ая", "ой", "ую", "ою")),
    ("ое", ("ое", "ого", "ому", "ым", "ом")),
    ("ие", ("ие", "их", "им", "ими")),
    ("ые", ("ые", "ых", "ым", "ыми")),
    ("а", ("а", "ы", "и", "е", "у", "ой", "ою", "і")),
    ("я", ("я", "и", "е", "ю", "ей", "ею", "і", "ї")),
    ("ь", ("ь", "и", "ью", "я", "ю", "ем", "е")),
    ("й", ("й", "я", "ю", "ем", "е")),
    ("о", ("о", "а", "у", "ом", "е")),
    ("ы", ("ы", "ов", "ам", "ами", "ах")),
)
_CONSONANT = ("", "а", "у", "ом", "е", "і", "ові")
_NO_CASES = "уюэеиіїє"
CASE_ENDINGS = frozenset(e for _, ends in _CLASSES for e in ends) | frozenset(_CONSONANT)
ENDING_CLASSES = tuple(ends for _, ends in _CLASSES) + (_CONSONANT,)  # indexed by the index


def cyrillic_stem(word: str) -> tuple[str, tuple[str, ...]] | None:
    """(stem, endings) of a lower-case Cyrillic nominative, or None when it is not declined
    (too short a stem, or an indeclinable ending): Оренбург -> ("оренбург", ("", "а", ...)),
    Армения -> ("армен", ("ия", "ии", ...)), Нахичевань -> ("нахичеван", ("ь", "и", ...))."""
    if not word or word[-1] in _NO_CASES:
        return None
    for nominative, endings in _CLASSES:
        if word.endswith(nominative):
            stem = word[: -len(nominative)]
            return (stem, endings) if len(stem) >= MIN_STEM else None
    if word[-1].isalpha() and len(word) >= MIN_STEM:
        return word, _CONSONANT
    return None


def oblique_splits(word: str) -> list[tuple[str, str]]:
    """Every (stem, ending) a lower-case Cyrillic word may be, with a stem of MIN_STEM or
    more letters: "армении" -> [("армении", ""), ("армени", "и"), ("армен", "ии"), ...]."""
    return [(word[: len(word) - len(e)] if e else word, e) for e in CASE_ENDINGS
            if word.endswith(e) and len(word) - len(e) >= MIN_STEM]
