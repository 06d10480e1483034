"""The OCR readings the context encoder uses (encoder.py): confident enough, worth keeping
(3+ letters, or a year), and repaired where they spell a place name in look-alike letters or
nearly spell it."""

from __future__ import annotations

from dataclasses import replace

from context.ocr import LineReading
from context.temporal import find_dates
from context.writing import repair_homoglyphs, repair_spelling


def kept_readings(readings: list[LineReading], min_confidence: float, names: tuple[str, ...]
                  ) -> list[LineReading]:
    """The readings the encoder uses: confident enough, worth keeping, repaired."""
    return [_repaired(r, names) for r in readings
            if r.confidence >= min_confidence and _worth_keeping(r.text)]


def _worth_keeping(text: str) -> bool:
    """A line of 3+ letters, or one that writes a year: titles often put the year on a
    line of its own ("1979 г.", "-1977"), which has too few letters to count as writing."""
    if sum(ch.isalpha() for ch in text) >= 3:
        return True
    return any(d.kind == "year" for d in find_dates(text, catalogue=False))


def _repaired(r: LineReading, names: tuple[str, ...]) -> LineReading:
    """A Latin reading that spells a Cyrillic place name in look-alike letters ("Kpbim"),
    turned back into Cyrillic, and a Cyrillic one that nearly spells a place name, spelled
    as the name (context/writing.py); other readings as they are."""
    if r.script == "Cyrl":
        spelled = repair_spelling(r.text, names)
        return r if spelled is None else replace(r, text=spelled)
    if r.script != "Latn":
        return r
    cyrillic = repair_homoglyphs(r.text, names)
    return r if cyrillic is None else replace(r, text=cyrillic, script="Cyrl", consistency=1.0)
