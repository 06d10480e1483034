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

Writes eval/results/language-claims/language-claims.{json,md}.
"""

from __future__ import annotations

import sys

from context.script import claimed_language, cyrillic_language_scores
from eval.common import RESULTS_DIR, write_json_and_markdown
from eval.language_floor import SUITE_MIN, cases_from_args

OUT = RESULTS_DIR / "language-claims"
MIN_LETTERS = (0, 4, 6, 8, 10, 12, 16)


def claim(reading, languages, min_letters: int) -> str | None:
    """The language the encoder would name for `reading` with `min_letters`."""
    if reading is None:
        return None
    got = claimed_language(cyrillic_language_scores(reading[0], languages, reading[1]),
                           reading[0], min_letters)
    return got[0] if got else None


def sweep(cases: list[dict], languages) -> list[dict]:
    rows = []
    suite_n = sum(c["set"] == "suite" for c in cases)
    for n in MIN_LETTERS:
        got = [claim(c["reading"], languages, n) for c in cases]
        right = sum(g == c["truth"] for g, c in zip(got, cases))
        wrong = sum(g is not None and g != c["truth"] for g, c in zip(got, cases))
        suite = sum(g == c["truth"] for g, c in zip(got, cases) if c["set"] == "suite")
        rows.append({"min_letters": n, "right": right, "wrong": wrong, "none": len(cases)
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
    rows = sweep(cases, encoder.languages)
    chosen = choose(rows)
    lines = ["# How much writing a language claim needs", "",
             (f"`python -m eval.language_claims --seeds {args.seeds}`; {len(cases)} cases, "
              "rule in the docstring."), "",
             "| min letters | right | wrong | none | score | suite right |",
             "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['min_letters']} | {r['right']} | {r['wrong']} | {r['none']} | "
              f"{r['score']} | {r['suite_rate']:.1%} |" for r in rows]
    lines += ["", f"**Chosen**: {chosen['min_letters']} letters.", "",
              "Wrong claims at the chosen N:", ""]
    lines += [f"- {s}: {t!r} -> {g}" for s, t, g in chosen["wrong_claims"]]
    write_json_and_markdown(args.out, "language-claims",
                            {"rows": rows, "chosen": chosen["min_letters"]}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
