"""The script of a photo's writing: the readings' letters, and the letters' shapes.

Two kinds of vote, each weighted by how much writing it covers:
- A kept reading counts with its letters x sqrt(letter height) x confidence^2 x share in the
  script: larger writing (the sign) outweighs small print, but sublinearly, so one huge word
  does not drown a whole sign; a garbled reading (a wrong model forcing its alphabet on
  texture or on another script, conf ~0.5-0.7) counts far less than a clean one (~0.9+).
- A detected line whose reading is not settled (context/lookalike_reader.py `settled`) also
  counts by the shapes of its letters (context/line_script.py), when the classifier gives
  Cyrillic or Latin at least `ShapeVote.floor`: p x its letters as the line's width allows
  (about 1.5 letters per height) x sqrt(height) x `ShapeVote.weight`. It says which alphabet
  a title is written in when no reader could read it.
Latin votes count half: Latin is everywhere in archive photos (watermarks, camera and
archive captions, brand names) and says least about the place, so a well-read line in
another script decides when both are present. Tesseract's OSD agreeing adds evidence; it
decides nothing alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from context.lookalike_reader import LineReading, settled
from context.script import ScriptInfo, dominant_script
from context.types import Evidence, Script

Box = tuple[int, int, int, int]
LATIN_WEIGHT = 0.5  # weight of Latin votes against other scripts
LETTERS_PER_HEIGHT = 1.5  # letters a line holds per unit of its height, roughly
# A reading votes from this many letters on: a model reads texture as two or three letters
# ("ΠΕΣ" on a plate without writing). Chosen by `python -m eval.script_claims` (rule there):
# 2 and 3 change nothing on the generated titles and photos without writing, 4 and more lose
# printed titles ("Каза)") before they spare a photo a claim, so every reading votes.
MIN_LETTERS = 0


@dataclass(frozen=True)
class ShortText:
    """How much a script claim from little writing keeps: confidence x min(1, floor + (1 -
    floor) x letters / full_at). Chosen by `python -m eval.script_claims` (rule there)."""

    floor: float = 0.5  # share kept by a reading of no letters at all
    full_at: int = 12  # letters from which the claim keeps all its confidence
    # True: only the letters of the readings in the chosen script count; False: every
    # reading's ("багги" on a NYC sign counted the Latin readings' letters for Cyrillic).
    own_letters: bool = False


@dataclass(frozen=True)
class ShapeVote:
    """How the letter-shape classifier's say counts (chosen by eval/shape_rule.py)."""

    weight: float = 0.0  # 0: shapes decide nothing (ContextConfig.shape_weight, off)
    floor: float = 0.6  # a line counts when Cyrillic's or Latin's probability reaches this
    latin: bool = True  # False: only lines that look Cyrillic vote (Latin is read well)


def _reading_votes(readings: list[LineReading], scripts: tuple[ScriptInfo, ...],
                   weights: dict[str, float], evidence: list[Evidence]) -> None:
    for r in readings:
        code, share = dominant_script(r.text, scripts)
        if code is None:
            continue
        n = sum(ch.isalpha() for ch in r.text)
        height = max(1, r.box[3] - r.box[1])
        prior = LATIN_WEIGHT if code == "Latn" else 1.0
        weights[code] = weights.get(code, 0.0) + n * height ** 0.5 * r.confidence ** 2 * share * prior
        evidence.append(Evidence("ocr", f'line "{r.text[:40]}" read as {code} ({r.reader})',
                                 round(r.confidence, 3), code, r.box))


def _shape_votes(shapes: dict[Box, dict[str, float]], readings: list[LineReading],
                 vote: ShapeVote, weights: dict[str, float], evidence: list[Evidence]
                 ) -> dict[str, float]:
    """Adds the shape votes of lines not read surely; returns each script's best p."""
    sure = {r.box for r in readings if settled(r)}
    best: dict[str, float] = {}
    for box, probs in shapes.items():
        if box in sure or vote.weight <= 0:
            continue
        code = max(("Cyrl", "Latn"), key=lambda c: probs.get(c, 0.0))
        p = probs.get(code, 0.0)
        if p < vote.floor or (code == "Latn" and not vote.latin):
            continue
        height = max(1, box[3] - box[1])
        letters = LETTERS_PER_HEIGHT * (box[2] - box[0]) / height
        prior = LATIN_WEIGHT if code == "Latn" else 1.0
        weights[code] = weights.get(code, 0.0) + vote.weight * p * letters * height ** 0.5 * prior
        best[code] = max(best.get(code, 0.0), p)
        evidence.append(Evidence("ocr", f"the letters' shapes look {code} (letter-shape "
                                 "classifier)", round(p, 3), code, box))
    return best


def script_of(readings: list[LineReading], osd: tuple[str | None, float],
              scripts: tuple[ScriptInfo, ...], shapes: dict[Box, dict[str, float]] | None = None,
              vote: ShapeVote = ShapeVote(), min_letters: int | None = None,
              short: ShortText = ShortText()) -> Script | None:
    """The script the votes favour, with its confidence and evidence (module docstring);
    readings of fewer than `min_letters` letters (default `MIN_LETTERS`) do not vote."""
    weights: dict[str, float] = {}
    evidence: list[Evidence] = []
    min_letters = MIN_LETTERS if min_letters is None else min_letters
    readings = [r for r in readings if sum(ch.isalpha() for ch in r.text) >= min_letters]
    _reading_votes(readings, scripts, weights, evidence)
    shape_best = _shape_votes(shapes or {}, readings, vote, weights, evidence)
    if not weights:
        return None
    code = max(weights, key=weights.get)
    info = next(s for s in scripts if s.code == code)
    agreement = weights[code] / sum(weights.values())
    read = [r for r in readings if dominant_script(r.text, scripts)[0] == code]
    letters = sum(sum(ch.isalpha() for ch in r.text) for r in (
        read if short.own_letters else readings))
    if read:
        best_conf = max(r.confidence for r in read)
    else:  # seen, not read: as sure as the shapes, and as short text is
        best_conf, letters = shape_best[code], max(letters, 6)
    # Short text is less certain (`ShortText`).
    confidence = agreement * best_conf * min(
        1.0, short.floor + (1 - short.floor) * letters / short.full_at)
    if osd[0] and osd[0] == info.name.split(" ")[0]:
        evidence.append(Evidence("ocr", f"Tesseract OSD agrees: {osd[0]}",
                                 round(min(1.0, osd[1] / 10), 3), code))
    return Script(code, info.name, round(confidence, 3), tuple(evidence))
