"""How good one reading of a line is, for choosing between the script models' readings
(context/ocr.py)."""

from __future__ import annotations

from collections.abc import Sequence

from context.lookalike_reader import OWN_LETTERS, LineReading

ACCEPT_CLEANED = 0.70  # a reading of a cleaned view is kept from this confidence on


def in_own_letters(r: LineReading) -> bool:
    """Read in the letters of the model that read it, not another alphabet forced onto the
    glyphs (the Arabic model read a Cyrillic slide title as "Fess: 2-û ane niro")."""
    return r.consistency >= OWN_LETTERS


def plausible(r: LineReading) -> bool:
    """Good enough to keep from a cleaned view: fairly confident, in the model's letters."""
    return r.confidence >= ACCEPT_CLEANED and in_own_letters(r)


def mean_score(readings: Sequence[LineReading | None]) -> float:
    """`score` of the readings, weighted by their letters (0 for no letters)."""
    pairs = [(score(r), sum(ch.isalpha() for ch in r.text)) for r in readings if r is not None]
    letters = sum(n for _, n in pairs)
    return sum(sc * n for sc, n in pairs) / letters if letters else 0.0


def score(r: LineReading) -> float:
    """Confidence, discounted when the letters are not in the model's script and when words
    mix letters and digits ('06óç': the wrong model forcing its alphabet onto the glyphs)."""
    words = r.text.split()
    mixed = sum(any(c.isdigit() for c in w) and any(c.isalpha() for c in w) for w in words)
    clean = 1.0 - mixed / max(1, len(words))
    return r.confidence * (0.5 + 0.5 * r.consistency) * (0.5 + 0.5 * clean)
