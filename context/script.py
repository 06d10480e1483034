"""Writing systems and Cyrillic languages, told from the characters of recognised text.

The Unicode-range count is the fallback for text too short for Tesseract's OSD (which needs
~30 characters) and the check that a recogniser's output is in the script it claims.
Cyrillic languages are told apart by their letters and frequent words
(configs/context/cyrillic_languages.json): Tatar ә ө ү җ ң һ, Ukrainian і ї є ґ,
Belarusian ў, Kazakh ғ қ ұ, Russian ы э ъ with none of those; and, where Tesseract's
language models are installed (rus, ukr, bel, kaz), by how well each reads the writing:
they carry each language's full alphabet and dictionary, which tells apart sentences that
have no telling letter ("Пионеры собрали тонну металлолома").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class ScriptInfo:
    code: str  # ISO 15924
    name: str
    tesseract: str  # traineddata name under tessdata/script/
    ranges: tuple[tuple[int, int], ...]
    regions: tuple[str, ...]  # ISO 3166 codes where the script is in common public use
    place: str | None = None  # the place (places.csv) it is written almost only in
    place_share: float = 0.0  # share of the photos with writing in it taken in `place`


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # ISO 639-3
    name: str
    place: str  # place id in places.csv
    letters: dict[str, float]
    absent: tuple[str, ...]
    words: dict[str, float]
    tells: str = ""  # letters only this language (of those listed) writes often
    tell_share: float = 0.0  # their share of running text


@lru_cache(maxsize=4)
def load_scripts(data_dir: str) -> tuple[ScriptInfo, ...]:
    raw = json.loads((Path(data_dir) / "scripts.json").read_text(encoding="utf-8"))
    return tuple(
        ScriptInfo(s["code"], s["name"], s["tesseract"],
                   tuple((int(a, 16), int(b, 16)) for a, b in s["ranges"]), tuple(s["regions"]),
                   s.get("place"), float(s.get("place_share", 0.0)))
        for s in raw["scripts"]
    )


@lru_cache(maxsize=4)
def load_languages(data_dir: str) -> tuple[LanguageInfo, ...]:
    raw = json.loads((Path(data_dir) / "cyrillic_languages.json").read_text(encoding="utf-8"))
    return tuple(
        LanguageInfo(x["code"], x["name"], x["place"], x["letters"], tuple(x["absent"]),
                     x["words"], x.get("tells", ""), x.get("tell_share", 0.0))
        for x in raw["languages"]
    )


def script_counts(text: str, scripts: tuple[ScriptInfo, ...]) -> dict[str, int]:
    """Letters of `text` per script code (digits, punctuation and spaces are not counted)."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        cp = ord(ch)
        for s in scripts:
            if any(a <= cp <= b for a, b in s.ranges):
                counts[s.code] = counts.get(s.code, 0) + 1
                break
    return counts


def dominant_script(text: str, scripts: tuple[ScriptInfo, ...]) -> tuple[str | None, float]:
    """(ISO 15924 code, share of letters) of the most frequent script, (None, 0) if no letters."""
    counts = script_counts(text, scripts)
    total = sum(counts.values())
    if not total:
        return None, 0.0
    code = max(counts, key=counts.get)  # type: ignore[arg-type]
    return code, counts[code] / total


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Latin letters that OCR returns for their Cyrillic look-alikes inside Cyrillic text (the
# Cyrillic model often reads Ukrainian and Belarusian і as Latin i).
_HOMOGLYPHS = str.maketrans("aceiopxyïëkh", "асеіорхуїёкһ")


# Roman numerals in Cyrillic titles ("Часть IV", "Том II") are Latin capitals, which OCR may
# glue to the word before, reading V as У ("НасТоIУ." for "Часть IV." on a Soviet slide):
# their I is no Ukrainian і. A run of I, V, X (and У, Х after the first) is a numeral where it
# is a word of its own, or ends a word right after a lower-case Cyrillic letter; a Ukrainian
# word in capitals ("IСТОРIЯ" read with Latin I) is neither.
_ROMAN_NUMERAL = re.compile(r"(?<=[а-яё])[IVX][IVXУХ]*(?![^\W\d_])|(?<![^\W\d_])[IVX]+(?![^\W\d_])")


def _cyrillic_text(text: str) -> str:
    """Lower case, one apostrophe, Roman numerals left out, and Latin look-alikes turned
    Cyrillic when Cyrillic letters are the majority of the text."""
    lower = _ROMAN_NUMERAL.sub(" ", text).lower().replace("’", "'")
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in lower)
    lat = sum("a" <= ch <= "z" or ch in "ïë" for ch in lower)
    return lower.translate(_HOMOGLYPHS) if cyr > lat else lower


def words_of(text: str) -> set[str]:
    """The words of `text` as the language classifier sees them (lower case)."""
    return set(_WORD.findall(_cyrillic_text(text)))


# Cue points a language loses per unit of confidence by which its Tesseract language model
# reads the text worse than the best-reading language model (0.02 below -> -1 point).
MODEL_WEIGHT = 50.0
# The models' comparison counts only where the best of them reads the writing at least this
# surely: on felt-tip handwriting they read nothing (0.1-0.4) and their differences are noise
# (chosen by `python -m eval.language_floor`, rule in its docstring).
MODEL_FLOOR = 0.0
# Whether a language whose telling letters are all missing loses what that absence costs
# (on: 64 right against 62 off in `python -m eval.language_floor`; no floor changed a case).
TELL_ABSENCE = True
# Whether a language without a usable model (Tatar: Debian's model reads Latin-script Tatar)
# counts only where one of its telling letters shows: otherwise, losing nothing against the
# models, it wins whenever they read poorly ("Гамбург-71" read as Tatar). On: 69 right
# against 64 (`python -m eval.language_floor`, stage 2).
UNREAD_NEEDS_TELLS = True


def cyrillic_language_scores(text: str, languages: tuple[LanguageInfo, ...],
                             model_confidence: dict[str, float] | None = None,
                             model_floor: float | None = None,
                             tell_absence: bool | None = None,
                             unread_needs_tells: bool | None = None) -> dict[str, float]:
    """Probability per language code (softmax over cue scores); empty for no Cyrillic.

    Cue score: letters typical of the language, a penalty for letters its orthography lacks,
    and frequent words (configs/context/cyrillic_languages.json). `model_confidence` (language
    code -> mean confidence of that language's Tesseract model on the same writing) adds
    what the models learnt from whole corpora: each language loses MODEL_WEIGHT x how far
    its model reads below the best one; a language without a usable model loses nothing
    (the Tatar model installed by Debian reads Latin-script Tatar, so it is left out); only
    where the best model reads at least `model_floor`. With `tell_absence`, a language none
    of whose telling letters shows loses n x ln(1 - tell_share) for the n Cyrillic letters: a
    20-letter Ukrainian text without і ї є ґ is unlikely (0.93^20 = 0.23), a Russian one
    without ы э ъ ё щ much less so (0.97^20 = 0.58). With `unread_needs_tells`, where the
    models are compared, a language without a model of its own is left out unless one of
    its telling letters shows."""
    model_floor = MODEL_FLOOR if model_floor is None else model_floor
    tell_absence = TELL_ABSENCE if tell_absence is None else tell_absence
    if unread_needs_tells is None:
        unread_needs_tells = UNREAD_NEEDS_TELLS
    lower = _cyrillic_text(text)
    words = _WORD.findall(lower)
    if not any("\u0400" <= ch <= "\u04ff" for ch in lower):
        return {}
    if model_confidence and max(model_confidence.values()) < model_floor:
        model_confidence = None
    n = sum("\u0400" <= ch <= "\u04ff" for ch in lower)
    raw: dict[str, float] = {}
    for lang in languages:
        if (unread_needs_tells and model_confidence and lang.code not in model_confidence
                and not any(ch in lang.tells for ch in lower)):
            continue  # no model and no letter of its own: nothing speaks for it
        score = 0.0
        for letters, weight in lang.letters.items():
            score += weight * lower.count(letters)
        for letter in lang.absent:
            score -= 2.0 * lower.count(letter)
        for w in words:
            score += lang.words.get(w, 0.0)
        if model_confidence:
            best = max(model_confidence.values())
            score -= MODEL_WEIGHT * (best - model_confidence.get(lang.code, best))
        if tell_absence and lang.tell_share and not any(ch in lang.tells for ch in lower):
            score += n * math.log(1.0 - lang.tell_share)
        raw[lang.code] = score
    top = max(raw.values())
    exp = {k: math.exp(v - top) for k, v in raw.items()}
    total = sum(exp.values())
    return {lang.code: exp.get(lang.code, 0.0) / total for lang in languages}


# A language is named only from this many Cyrillic letters on; fewer ("Кавказ", "Львов"):
# none, as the letters and the models' confidences say little about so few (chosen by
# `python -m eval.language_claims`, rule in its docstring: right - wrong claims 56 at 0,
# 58 at 8; the suite's sentences 96.7% right either way).
LANGUAGE_MIN_LETTERS = 8


# Under this many Cyrillic letters a language is named only where the letters and words alone
# favour it too (`letters_only` of `claimed_language`): on a word or two the models'
# confidences differ by noise, and a place name is spelled alike in several languages
# ("Армения" is Russian and Kazakh; a slide's felt-tip "Армения" was read at 0.15 by the
# Kazakh model and 0.01 by the Russian one, and came out Kazakh). Chosen on the readings
# `python -m eval.language_floor` stored (eval/results/language-floor/) by
# `python -m eval.language_claims`'s rule (right - wrong claims, the suite kept at 90%, ties
# to the smaller N) over N = 12, 16, 20, 24, 30: 58 -> 63 at 16 (wrong claims 7 -> 2, right
# 65 either way; 16, 20 and 24 tie). The titled slides, not a choice: 6 wrong -> 1, 14 right.
# `python -m eval.language_claims` re-reads the cases and sweeps it (its second table).
LANGUAGE_AGREE_LETTERS = 16


def letters_only_scores(text: str, languages: tuple[LanguageInfo, ...],
                        model_confidence: dict[str, float] | None) -> dict[str, float]:
    """`cyrillic_language_scores` as if every model read `text` equally well: what its letters
    and words say (a language without a model is still left out as it is with them)."""
    flat = {code: 1.0 for code in model_confidence} if model_confidence else None
    return cyrillic_language_scores(text, languages, flat)


def cyrillic_letters(text: str) -> int:
    return sum("\u0400" <= ch <= "\u04ff" for ch in text)


def claimed_language(scores: dict[str, float], text: str,
                     min_letters: int | None = None,
                     letters_only: dict[str, float] | None = None,
                     agree_letters: int | None = None) -> tuple[str, float] | None:
    """(language, probability) when `scores` (`cyrillic_language_scores` of `text`) favour
    one at 0.5 or more and `text` has at least `min_letters` Cyrillic letters; else None.
    With `letters_only` (`letters_only_scores` of `text`), a text under `agree_letters`
    (LANGUAGE_AGREE_LETTERS) letters names a language only where those favour it too."""
    min_letters = LANGUAGE_MIN_LETTERS if min_letters is None else min_letters
    agree = LANGUAGE_AGREE_LETTERS if agree_letters is None else agree_letters
    n = cyrillic_letters(text)
    if not scores or n < min_letters:
        return None
    best = max(scores, key=scores.get)
    if (letters_only and n < agree
            and max(letters_only, key=letters_only.get) != best):
        return None
    return (best, scores[best]) if scores[best] >= 0.5 else None
