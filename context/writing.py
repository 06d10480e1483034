"""Checks on what OCR read: Cyrillic words read as Latin look-alikes, and confusable years.

1. Homoglyphs. Handwritten Cyrillic is often read best by the Latin model, letter for
   look-alike letter: "Крым" as "Kpbim" (К-р-ы as K-p-bi), "Томск" as "Tomck". A Latin
   reading made only of letters with Cyrillic look-alikes is turned back letter by letter
   (`to_cyrillic`); it is taken as Cyrillic when a word of it then is, or nearly is (one
   edit in five letters), a Cyrillic name of the gazetteer, or when it has a spelling no
   Latin word has (`_TELL`: "pbi" for "ры") (`repair_homoglyphs`). An English word that
   happens to use only such letters ("TOMATO") names no place and stays. Before that, the
   reader (context/ocr.py) reads such a line again with the Cyrillic models and takes their
   reading when it names a place (`looks_disguised`, `names_in`): the Latin model reads
   printed "Дагестан" as "Aarecran", far from any name letter by letter.
2. Spelling. A Cyrillic word that nearly spells a gazetteer name is taken as it
   (`repair_spelling`).
3. Years. OCR confuses 7 with 1 and 6 with 0 in handwriting ("Сибирь-1978" read as 1918):
   `confusable_years` lists the years one such digit swap away, so a read year that has
   one is given less weight, and the evidence says which year it may be. 8 for 9 (a slide's
   "Хорезм-1984" read 1994) was counted on generated titles (eval/year_pass.py, seeds 1 and
   2, oblique and light faces among them): of 6 one-digit misreads no pair came twice (9->8
   once, 8->5 once), so no pair is added (a pair must come twice to be added). Printed
   years say the same (2026-12: 1880-1999 rendered in 7 serif, italic and typewriter faces,
   clean and small-blurred-grainy, read by the Latin and Cyrillic models, 3,360 reads): of
   70 one-digit misreads 33 were in the first two digits (no year of photography then); in
   the decade digit a pair came at most 4 times (8->9 in 4 of 280 grainy reads of an 8; 3->5
   in 4 of 140 clean reads of a 3, all one italic face), in the last digit at most twice,
   and 4->9 (the slide's "1984" read 1989) never (0 of 168 grainy reads). A range widened
   for a 1-3% chance would blur every clean year, so no range is widened.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from context.hints import EraCandidate
from context.words import PAIRS, latin_zipf, russian_word, zipf

# Latin letters the Latin model returns for Cyrillic handwriting (pairs: context/words.py
# PAIRS, tried first); each is the first, print look-alike of context/words.py LOOKALIKES.
_SINGLE = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У", "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х",
    "y": "у", "k": "к", "m": "м", "n": "п", "u": "и", "r": "г", "b": "в", "ð": "д", "g": "д",
    "i": "л", "l": "л", "3": "з", "6": "б", "N": "И", "R": "Я", "ŭ": "й", "ë": "ё", "d": "д",
    "t": "т", "h": "н", "D": "Д",
}
# Latin spellings no Latin word has but Cyrillic handwriting gives: ы after a consonant
# ("Kpbim"), and the rare letters the Latin model picks for д and й ("Moiðoba", "-nuŭ").
_TELL = re.compile(r"[pkctxnrdgPKCTXH]b[il]|[ðŭ]")
# A word matches a name when difflib's similarity ratio (2 x matching letters / both lengths)
# is at least 1 - this: about one edit in five letters, but a short word inside a longer name
# passes more loosely ("niro" in "dnipro", two letters missing; "serbiaaa" for "serbia").
# Besides, at most one letter in five of the word may be changed (`_changed_letters`).
_MAX_RATIO_LOSS = 0.2
_WORD = re.compile(r"[^\W\d_]+")
# Decade digits handwriting and OCR confuse (a 7 without its bar, a 6 with a closed loop).
_DIGIT_SWAPS = {"1": "7", "7": "1", "0": "6", "6": "0"}
# A word of 4+ letters this frequent (Zipf, context/words.py) in a Latin-script language is
# Latin writing: the floor context/words.py asks of a Russian word (WordConfig.ru_floor), so
# the two languages are held to the same bar. "Cafe Moka" was read as "Cafe Москва".
_LATIN_WORD_FLOOR = 3.0


def to_cyrillic(word: str) -> str | None:
    """`word` with each Latin letter replaced by its Cyrillic look-alike; None when some
    letter has none (the word is then Latin writing, not a disguise)."""
    out, i = [], 0
    while i < len(word):
        pair = word[i: i + 2]
        if pair in PAIRS:
            out.append(PAIRS[pair])
            i += 2
            continue
        ch = word[i]
        if ch in _SINGLE:
            out.append(_SINGLE[ch])
        elif "\u0400" <= ch <= "\u04ff":
            out.append(ch)
        else:
            return None
        i += 1
    return "".join(out)


def looks_disguised(text: str) -> bool:
    """Whether a Latin reading could be Cyrillic writing in look-alike letters: it has a
    word of 3+ letters, and each such word turns Cyrillic letter by letter (`to_cyrillic`)."""
    words = [w for w in _WORD.findall(text) if len(w) >= 3]
    return bool(words) and all(to_cyrillic(w) is not None for w in words)


def names_in(text: str, names: tuple[str, ...]) -> int:
    """How many words of 4+ letters in `text` are, or nearly spell (one edit in five
    letters), a name of `names` (lower case: `cyrillic_names`, `place_names`)."""
    return sum(_near_name(w.lower(), names) for w in _WORD.findall(text) if len(w) >= 4)


@lru_cache(maxsize=4096)
def _near_name(word: str, names: tuple[str, ...]) -> bool:
    return _closest(word, names) is not None


@lru_cache(maxsize=4)
def place_names(data_dir: str) -> tuple[str, ...]:
    """`cyrillic_names` and the one-word aliases (4+ letters) in other scripts, lower case:
    the reader's check that a reading is words (context/ocr.py). Words of longer aliases in
    Latin letters are left out: "union" (of "Soviet Union") is no place."""
    names = set(cyrillic_names(data_dir))
    names.update(a.lower() for a in _aliases(data_dir) if len(a) >= 4 and _WORD.fullmatch(a))
    return tuple(sorted(names))


@lru_cache(maxsize=4)
def cyrillic_names(data_dir: str) -> tuple[str, ...]:
    """Lower-case Cyrillic aliases of the gazetteer's places and polities (single words)."""
    names = set()
    for alias in _aliases(data_dir):
        for w in _WORD.findall(alias.lower()):
            if len(w) >= 4 and all("\u0400" <= ch <= "\u04ff" for ch in w):
                names.add(w)
    return tuple(sorted(names))


def _aliases(data_dir: str):
    """Every alias of the curated places and polities, stripped."""
    for table in ("places.csv", "polities.csv"):
        path = Path(data_dir) / table
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                yield from (a.strip() for a in row.get("aliases", "").split(";") if a.strip())


def _closest(word: str, names: tuple[str, ...]) -> str | None:
    """The gazetteer name `word` nearly spells (lower case), if any: the most similar name
    within `_MAX_RATIO_LOSS` whose spelling changes few enough letters (`_changed_letters`)."""
    word = word.lower()
    hits = difflib.get_close_matches(word, names, n=5, cutoff=1 - _MAX_RATIO_LOSS)
    return next((h for h in hits if _changed_letters(word, h) <= len(word) // 5), None)


def _changed_letters(word: str, name: str) -> int:
    """The letters of `word` changed to spell `name`: the edit distance less the letters
    only missing or added (the length difference, which the ratio bounds already). The
    ratio alone let a 6-letter word with two letters moved pass: "ropoda" ("города", towns)
    took the Belarusian "Гродна" (Grodno), 2 changes where one in five letters is allowed."""
    row = list(range(len(name) + 1))
    for i, a in enumerate(word, 1):
        prev, row[0] = row[0], i
        for j, b in enumerate(name, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (a != b))
    return row[-1] - abs(len(word) - len(name))


def repair_homoglyphs(text: str, names: tuple[str, ...]) -> str | None:
    """The Cyrillic text a Latin reading disguises, or None. Words that turn into a
    gazetteer name take the name's spelling (in the reading's case), and so do words that
    turn into a common Russian word (context/words.py: "Hawa" is "Наша"; two words that do
    so together, "Mapu pym" for "маршрут", are joined: Tesseract splits handwriting at a wide
    letter gap); the other words are turned letter by letter when they can be, else kept.
    Russian words alone must cover half the letters of the line's words: one short word
    spelled by chance does not turn a Latin line."""
    words = _WORD.findall(text)
    if not words or any("\u0400" <= ch <= "\u04ff" for ch in text) or _latin_line(words):
        return None
    return turn_words(text, names)


def turn_words(text: str, names: tuple[str, ...]) -> str | None:
    """`repair_homoglyphs` without its checks that `text` is a Latin line: words may already
    hold Cyrillic letters among the Latin ones (context/lookalike_reader.py turns a hand
    title's "Xope3m" into "Xopeзm" first); all-Cyrillic words are left as they are."""
    words = _WORD.findall(text)
    out, common = _join_split_words(text)
    found = False
    for w in sorted(set(_WORD.findall(out)), key=len, reverse=True):
        if all("\u0400" <= ch <= "\u04ff" for ch in w) or len(w) < 3:
            continue
        cyr = to_cyrillic(w)
        name = _closest(cyr, names) if cyr is not None else None
        if name is not None and name != cyr.lower() and _latin_word(w):
            name = None  # "Moka" is Latin coffee, not a near-spelled "Москва"
        word = russian_word(w)
        if name is not None:
            found = True
            cyr = _cased(name, w)
        elif word is not None:
            common += len(w) * len(re.findall(_whole(w), out))
            cyr = _cased(word, w)
        elif len(w) >= 4 and _TELL.search(w):
            found = True
        if cyr is not None:
            out = re.sub(_whole(w), cyr, out)
    letters = sum(len(w) for w in words if len(w) >= 3)
    found = found or (common > 0 and 2 * common >= letters)
    return out if found else None


def _latin_word(word: str) -> bool:
    """A common word (4+ letters) of a Latin-script language (`_LATIN_WORD_FLOOR`)."""
    return len(word) >= 4 and latin_zipf(word) >= _LATIN_WORD_FLOOR


def _latin_line(words: list[str]) -> bool:
    """A line in Latin writing: one of its words is a common Latin-language word that is no
    common Russian word in look-alike letters ("Cafe", "Hotel"; not "Hawa" for "Наша")."""
    return any(_latin_word(w) and russian_word(w) is None for w in words)


def _join_split_words(text: str) -> tuple[str, int]:
    """`text` with two neighbouring words that spell one common Russian word together, and
    are not both common Russian words more frequent than it, joined as that word; and the
    letters so joined."""
    joined = 0
    for a, b in re.findall(r"(?=(?<![^\W\d_])([^\W\d_]+) ([^\W\d_]+)(?![^\W\d_]))", text):
        word = russian_word(a + b)
        if word is None:
            continue
        parts = [russian_word(a), russian_word(b)]
        if all(parts) and zipf(word, "ru") < min(zipf(x, "ru") for x in parts):
            continue
        text = re.sub(_whole(f"{a} {b}"), _cased(word, a), text, count=1)
        joined += len(a) + len(b)
    return text, joined


def _whole(w: str) -> str:
    return rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])"


def _cased(word: str, like: str) -> str:
    """`word` (lower case) in the case of `like`: "НАША", "Наша" or "наша"."""
    if len(like) > 1 and like.isupper():
        return word.upper()
    return word.capitalize() if like[0].isupper() else word


def repair_spelling(text: str, names: tuple[str, ...]) -> str | None:
    """A Cyrillic reading with each word of 5+ letters that nearly spells a gazetteer name
    (one edit in five letters: "Украцна" for "Украина", "ангышлак" for "Мангышлак")
    taken as the name; None when no word changes. Handwriting loses or blurs a letter or
    two, and an exact match is all the gazetteer does."""
    out, changed = text, False
    for w in sorted(set(_WORD.findall(text)), key=len, reverse=True):
        if len(w) < 5 or not all("\u0400" <= ch <= "\u04ff" for ch in w):
            continue
        name = _closest(w, names)
        if name is None or name == w.lower():
            continue
        changed = True
        name = name.capitalize() if w[0].isupper() or not w[0].isalpha() else name
        out = re.sub(rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])", name, out)
    return out if changed else None


def confusable_years(year: int) -> list[int]:
    """The year one confusable decade digit away (1918 -> [1978], 1968 -> [1908]), within
    1826-2029; [] for years without such a digit (1985) or outside the 1800s-2000s."""
    digits = str(year)
    swap = _DIGIT_SWAPS.get(digits[2]) if len(digits) == 4 else None
    if swap is None:
        return []
    alt = int(digits[:2] + swap + digits[3])
    return [alt] if 1826 <= alt <= 2029 else []


def checked_year(cand: EraCandidate, others: list[EraCandidate]) -> EraCandidate:
    """An era read in the image, checked for a confusable year: when other evidence (hint,
    caption) holds the confusable year and not the read one, the confusable year is taken;
    otherwise the read year keeps half its weight and the evidence names the other year."""
    alts = confusable_years(cand.start) if cand.source == "ocr" else []
    if not alts:
        return cand
    alt = alts[0]
    width = cand.end - cand.start

    def held(year: int) -> bool:
        return any(o.source != "ocr" and o.start <= year <= o.end for o in others)

    ev = cand.evidence
    if held(alt) and not held(cand.start):
        what = f"{ev.what}; read {cand.start}, taken as {alt} (OCR confuses the decade digit)"
        return replace(cand, start=alt, end=alt + width,
                       evidence=replace(ev, what=what, value=f"{alt}-{alt + width}"))
    what = f"{ev.what}; or {alt} (OCR confuses the decade digit)"
    return replace(cand, confidence=cand.confidence * 0.5,
                   evidence=replace(ev, what=what, score=round(ev.score * 0.5, 3)))


# A line of writing at least this share of the frame tall is a title (a slide's title card, a
# caption lettered across the print), not a sign in the scene. The real-color-dev slides'
# dated titles are 0.2-0.6 of the frame; no historical-bw photo dates itself by its writing.
TITLE_LINE_SHARE = 0.1


def is_title(box: tuple[int, int, int, int] | None, height: int) -> bool:
    return box is not None and height > 0 and (box[3] - box[1]) >= TITLE_LINE_SHARE * height
