"""Choosing set for how much Cyrillic writing a language claim needs (context/script.py
`LANGUAGE_MIN_LETTERS`).

    python -m eval.language_claims [--seeds 1,2] [--per-language 12] [--out DIR]

The Cyrillic-language classifier names a language on any Cyrillic reading, one word
included, where the letters and the Tesseract models' confidences say little: on the titled
slides of real-color-dev (reported only, never a choice) a bare "Кавказ" or "Львов" came out
Ukrainian. A wrong language is wrong evidence a historian reads, and a place may follow it.

Cases: eval/language_floor.py's (the context suite's rendered sentences, `--per-language` a
language, and the Cyrillic generated titles of the seeds, truth Russian); each photo is read
once and the classifier re-run on the same readings for every N in `MIN_LETTERS`.

The rule, written down before the sweep was run: with a claim needing at least N Cyrillic
letters (fewer: no language named), score = right claims - wrong claims over both sets (a
wrong claim misleads as much as a right one informs; no claim does neither). The N with the
highest score is chosen, provided the suite's sentences stay at least 90% right (the context
suite's acceptance); ties go to the smaller N (N = 0 is the encoder before this sweep).

A second sweep, added after the first had chosen 8 (context/script.py
`LANGUAGE_AGREE_LETTERS`): under N letters a language is named only where the letters and words
alone (every model reading equally well) favour it too, as on a word or two the models'
confidences differ by noise ("Армения" came out Kazakh). Same cases, same rule and score, at
the chosen minimum; N = 0 is the encoder before it. It was first chosen on the readings that
eval/results/language-floor/ had stored (16); this module reads the cases afresh.

Writes eval/results/language-claims/language-claims.{json,md}.
"""

from __future__ import annotations

import sys

from context.script import (
    LANGUAGE_MIN_LETTERS,
    claimed_language,
    cyrillic_language_scores,
    letters_only_scores,
)
from eval.common import RESULTS_DIR, write_json_and_markdown
from eval.language_floor import SUITE_MIN, cases_from_args

OUT = RESULTS_DIR / "language-claims"
MIN_LETTERS = (0, 4, 6, 8, 10, 12, 16)
AGREE_LETTERS = (0, 12, 16, 20, 24, 30)


def claim(reading, languages, min_letters: int, agree_letters: int = 0) -> str | None:
    """The language the encoder would name for `reading` with `min_letters`, and the letters
    agreeing under `agree_letters` letters (0: no such check)."""
    if reading is None:
        return None
    text, confidence = reading
    got = claimed_language(cyrillic_language_scores(text, languages, confidence), text,
                           min_letters, letters_only_scores(text, languages, confidence),
                           agree_letters)
    return got[0] if got else None


def sweep(cases: list[dict], languages, key: str = "min_letters") -> list[dict]:
    """One row per N of MIN_LETTERS (`key` "min_letters", no agreement check) or of
    AGREE_LETTERS (`key` "agree_letters", at the shipped minimum)."""
    rows = []
    suite_n = sum(c["set"] == "suite" for c in cases)
    for n in MIN_LETTERS if key == "min_letters" else AGREE_LETTERS:
        minimum, agree = (n, 0) if key == "min_letters" else (LANGUAGE_MIN_LETTERS, n)
        got = [claim(c["reading"], languages, minimum, agree) for c in cases]
        right = sum(g == c["truth"] for g, c in zip(got, cases))
        wrong = sum(g is not None and g != c["truth"] for g, c in zip(got, cases))
        suite = sum(g == c["truth"] for g, c in zip(got, cases) if c["set"] == "suite")
        rows.append({key: n, "right": right, "wrong": wrong, "none": len(cases)
                     - right - wrong, "score": right - wrong, "suite_rate": suite / max(1, suite_n),
                     "wrong_claims": [[c["set"], c["text"], g] for g, c in zip(got, cases)
                                      if g is not None and g != c["truth"]]})
    return rows


def choose(rows: list[dict]) -> dict:
    """The rule of the module docstring (`rows` in increasing N: max keeps the first best)."""
    allowed = [r for r in rows if r["suite_rate"] >= SUITE_MIN] or rows[:1]
    return max(allowed, key=lambda r: r["score"])


def main(argv: list[str] | None = None) -> int:
    args, encoder, cases = cases_from_args(argv, __doc__.split("\n")[0], OUT)
    tables = {key: sweep(cases, encoder.languages, key)
              for key in ("min_letters", "agree_letters")}
    chosen = {key: choose(rows) for key, rows in tables.items()}
    lines = ["# How much writing a language claim needs", "",
             (f"`python -m eval.language_claims --seeds {args.seeds}`; {len(cases)} cases, "
              "rule in the docstring."), ""]
    for key, title in (("min_letters", "min letters"),
                       ("agree_letters", f"letters agree under (min {LANGUAGE_MIN_LETTERS})")):
        lines += [f"| {title} | right | wrong | none | score | suite right |",
                  "|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r[key]} | {r['right']} | {r['wrong']} | {r['none']} | "
                  f"{r['score']} | {r['suite_rate']:.1%} |" for r in tables[key]]
        lines += ["", f"**Chosen**: {chosen[key][key]}. Wrong claims there:", ""]
        lines += [f"- {s}: {t!r} -> {g}" for s, t, g in chosen[key]["wrong_claims"]] + [""]
    write_json_and_markdown(args.out, "language-claims",
                            {"rows": tables["min_letters"], "chosen": chosen["min_letters"][
                                "min_letters"], "agree_rows": tables["agree_letters"],
                             "agree_chosen": chosen["agree_letters"]["agree_letters"]}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
