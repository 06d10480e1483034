"""How much a reading looks like words of a language: the share of its letter pairs that are
common in that language's words (configs/context/letter_pairs.json, built from Tesseract's
own eng and rus word lists by scripts/build_letter_pairs.py).

Handwritten Cyrillic read by a Latin model comes back as look-alike letters with fair
confidence ("Mapucpym" for "Маршрут", "Bocmox" for "Восток"), and its pairs ("cp", "py",
"cm") are rare in English; the Cyrillic model's reading of the same line ("Маршрут") is
made of common Russian pairs. Confidence times this share compares the two readings on
what each model claims to have read.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4)
def letter_pairs(data_dir: str) -> dict[str, frozenset[str]]:
    """Model name (eng, rus) -> its common letter pairs; {} when the table is missing."""
    path = Path(data_dir) / "letter_pairs.json"
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {model: frozenset(t["pairs"]) for model, t in raw.items()}


def pair_share(text: str, pairs: frozenset[str]) -> float | None:
    """Share of the letter pairs of `text`'s words (2+ letters, "^"/"$" at the ends) that
    are in `pairs`; None when `text` has no such word."""
    found = total = 0
    for word in _LETTERS.findall(text.lower()):
        if len(word) < 2:
            continue
        padded = f"^{word}$"
        for i in range(len(padded) - 1):
            total += 1
            found += padded[i: i + 2] in pairs
    return found / total if total else None
