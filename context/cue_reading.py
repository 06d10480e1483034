"""A date or place read in the image is only as sure as the reading it comes from.

`hints.read_cues` gives every cue in a line of writing the same trust (a place 0.54, a year
0.3), whether the recogniser read the line cleanly or half-guessed it from texture. On 305
real archive photos run without a hint (historical-bw, real-color-dev turned gray,
Prokudin-Gorsky), the wrong dates and places read in the image came from lines read at
0.43-0.76, the right ones mostly from lines read at 0.86-0.96: a Paris café's awning
read as "Н. ВЕНА" (0.43) named Vienna, a slide's "Молдова-81" read as "-84" (0.43) dated it
1984. Rule: a cue from a line keeps the confidence the text gives it when the line was read
at `CLEAN_READ` or better, and below that falls in proportion to the line's recognition
confidence (its mean word confidence); its evidence says how well the line was read. So a
cleanly read title keeps its weight (and an OCR year its 0.3, at which retrieval filters by
era: retrieval/retriever_config.py `min_era_confidence`), and a half-guessed one does not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from context.hints import EraCandidate, PlaceCandidate

Cue = TypeVar("Cue", EraCandidate, PlaceCandidate)
# Tesseract reads clean print at about this mean word confidence or more: rendered titles at
# 0.96, the real slides' cleanly read titles ("Крым", "Львов", "Космач", "Украина 1977") at
# 0.86-0.96, their misread ones at 0.43-0.76 ("Молдова-84" for -81, "Н. ВЕНА" on an awning,
# "Хорезм 2 1989" for 1984). Below the clean ones, so that none of them falls under
# retrieval's era bar (0.3): 0.86 / 0.9 x 0.3 would.
CLEAN_READ = 0.85


def as_read(cue: Cue, read_confidence: float) -> Cue:
    """`cue` (from writing in the image) weighted by how surely its line was read."""
    sure = min(1.0, max(0.0, read_confidence) / CLEAN_READ)
    ev = cue.evidence
    evidence = replace(ev, what=f"{ev.what}; the line was read at {read_confidence:.2f}"
                       + ("" if sure >= 1.0 else f", so it counts {sure:.2f} of its weight"),
                       score=round(ev.score * sure, 3))
    return replace(cue, confidence=cue.confidence * sure, evidence=evidence)
