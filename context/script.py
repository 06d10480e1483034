"""Writing systems and Cyrillic languages, told from the characters of recognised text.

The Unicode-range count is the fallback for text too short for Tesseract's OSD (which needs
~30 characters) and the check that a recogniser's output is in the script it claims.
Cyrillic languages are told apart by their letters and frequent words
(configs/context/cyrillic_languages.json): Tatar ә ө ү җ ң һ, Ukrainian і ї є ґ,
Belarusian ў, Kazakh ғ қ ұ, Russian ы э ъ with none of those.
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


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # ISO 639-3
    name: str
    place: str  # place id in places.csv
    letters: dict[str, float]
    absent: tuple[str, ...]
    words: dict[str, float]


@lru_cache(maxsize=4)
def load_scripts(data_dir: str) -> tuple[ScriptInfo, ...]:
    raw = json.loads((Path(data_dir) / "scripts.json").read_text(encoding="utf-8"))
    return tuple(
        ScriptInfo(s["code"], s["name"], s["tesseract"],
                   tuple((int(a, 16), int(b, 16)) for a, b in s["ranges"]), tuple(s["regions"]))
        for s in raw["scripts"]
    )


@lru_cache(maxsize=4)
def load_languages(data_dir: str) -> tuple[LanguageInfo, ...]:
    raw = json.loads((Path(data_dir) / "cyrillic_languages.json").read_text(encoding="utf-8"))
    return tuple(
        LanguageInfo(x["code"], x["name"], x["place"], x["letters"], tuple(x["absent"]),
                     x["words"])
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


def cyrillic_language_scores(text: str, languages: tuple[LanguageInfo, ...]
                             ) -> dict[str, float]:
    """Probability per language code (softmax over cue scores); empty for no Cyrillic."""
    lower = text.lower().replace("’", "'")
    words = _WORD.findall(lower)
    if not any("\u0400" <= ch <= "\u04ff" for ch in lower):
        return {}
    raw: dict[str, float] = {}
    for lang in languages:
        score = 0.0
        for letters, weight in lang.letters.items():
            score += weight * lower.count(letters)
        for letter in lang.absent:
            score -= 2.0 * lower.count(letter)
        for w in words:
            score += lang.words.get(w, 0.0)
        raw[lang.code] = score
    top = max(raw.values())
    exp = {k: math.exp(v - top) for k, v in raw.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}
