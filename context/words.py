"""Common words: is a Latin reading a Russian word written in look-alike letters?

Handwritten Cyrillic is often read best by the Latin model, letter for look-alike letter,
and cursive adds look-alikes print does not have: т written as "m", и and ш as "u", ш as
"w", п as "n", д as "g" ("Mapu pym," for "маршрут", "Hawa" for "Наша"). context/writing.py
catches such a reading when it turns into a gazetteer name; this module catches it when it
turns into a common Russian word that is not a common word of a Latin-script language
("TOMATO" turns into "томато", rare in Russian, common in English: it stays Latin).

Word frequencies come from `wordfreq` (its "small" lists, offline, loaded on first use:
~0.7 s and ~40 MB for the six languages on a busy 2-core machine). Without wordfreq nothing
is decided here.

The floor and the margin (`WordConfig`) were chosen on generated cases (eval/homoglyph_words.py:
common Russian words drawn in ten fonts, italic ones among them, read by Tesseract's Latin
model, against common English, German, French, Spanish and Italian words), never on slides.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cache, lru_cache

# Cyrillic letters a Latin letter may stand for, the print look-alike first (context/
# writing.py `_SINGLE`), then the cursive ones: handwritten т is an "m", и and ш are "u"
# (ш an "uu" or "w"), п an "n", д a "g", б a "6" or "d", й a "ŭ" or "û".
LOOKALIKES: dict[str, str] = {
    "A": "АД", "B": "ВБ", "C": "С", "D": "Д", "E": "Е", "H": "Н", "I": "Г", "K": "К",
    "M": "МТ", "N": "ИПН", "O": "О", "P": "Р", "R": "Я", "T": "Т", "W": "Ш", "X": "ХЖ",
    "Y": "УЧ", "a": "ая", "b": "вьб", "c": "с", "d": "дб", "e": "е", "g": "д", "h": "н",
    "i": "ли", "k": "к", "l": "л", "m": "мт", "n": "пнл", "o": "о", "p": "р", "r": "ги",
    "t": "т", "u": "иш", "w": "ш", "x": "хж", "y": "уч", "3": "з", "6": "б", "ŭ": "й",
    "û": "й", "ñ": "й", "ň": "й", "ë": "ё", "ð": "дб", "ô": "б", "ő": "б", "ĝ": "б",
}
# Latin letter pairs the Latin model returns for one Cyrillic letter (ы written "bi").
PAIRS = {"bi": "ы", "bl": "ы", "bI": "ы", "bı": "ы", "io": "ю"}
LATIN_LANGUAGES = ("en", "de", "fr", "es", "it")


@dataclass(frozen=True)
class WordConfig:
    min_letters: int = 3  # shorter words spell too many things in both alphabets
    # eval/homoglyph_words.py (1000 + 1000 words, seed 5): the floor and margin that catch
    # the most Russian words (294) with at most 1% of the Latin-language words (4: "bac" as
    # "вас", "iii"); a margin of 1.5 catches none of those and 283 Russian words.
    ru_floor: float = 3.0  # Zipf frequency a Russian word needs (3: once per million words)
    margin: float = 0.0  # ... above the Latin reading's own frequency in any of the languages
    max_spellings: int = 4096  # look-alike combinations tried per word


@cache
def _frequencies(lang: str) -> dict[str, float]:
    """wordfreq's small list of `lang` (word -> frequency); {} without wordfreq."""
    try:
        from wordfreq import get_frequency_dict
    except ImportError:  # a bare machine: no word lists, no decision
        return {}
    return get_frequency_dict(lang, wordlist="small")


def available() -> bool:
    return bool(_frequencies("ru"))


def zipf(word: str, lang: str) -> float:
    """Zipf frequency (log10 per billion words) of `word` in `lang`, lower case; 0 unknown."""
    freq = _frequencies(lang).get(word.lower(), 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


def latin_zipf(word: str) -> float:
    """The highest frequency of `word` in the Latin-script languages."""
    return max(zipf(word, lang) for lang in LATIN_LANGUAGES)


def spellings(word: str, limit: int) -> list[str]:
    """The lower-case Cyrillic words `word` may be in look-alike letters (at most `limit`,
    print look-alikes first); [] when some letter has no look-alike."""
    slots: list[list[str]] = []
    i = 0
    while i < len(word):
        pair = word[i: i + 2]
        if pair in PAIRS:  # "bi": ы, or the two letters each for its look-alike
            slots.append([PAIRS[pair]] + [a + b for a in LOOKALIKES[pair[0]]
                                           for b in LOOKALIKES.get(pair[1].lower(), "")])
            i += 2
            continue
        ch = word[i]
        if "\u0400" <= ch <= "\u04ff":
            slots.append([ch.lower()])
        elif ch in LOOKALIKES:
            slots.append(list(LOOKALIKES[ch].lower()))
        else:
            return []
        i += 1
    out = []
    for combo in itertools.product(*slots):
        out.append("".join(combo))
        if len(out) >= limit:
            break
    return out


@lru_cache(maxsize=4096)
def russian_word(word: str, config: WordConfig = WordConfig()) -> str | None:
    """The common Russian word a Latin reading spells in look-alike letters, lower case, or
    None: it must be at least `ru_floor` frequent in Russian and `margin` more frequent
    there than the reading is in any Latin-script language."""
    letters = sum(ch.isalpha() for ch in word)
    if letters < config.min_letters or not available():
        return None
    best, best_z = None, 0.0
    for cyr in spellings(word, config.max_spellings):
        z = zipf(cyr, "ru")
        if z > best_z:
            best, best_z = cyr, z
    if best is None or best_z < config.ru_floor:
        return None
    return best if best_z >= latin_zipf(word) + config.margin else None
