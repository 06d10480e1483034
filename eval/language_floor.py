"""Choosing set for how context/script.py weighs Tesseract's language models.

    python -m eval.language_floor [--seeds 1,2] [--per-language 12] [--out DIR] [--shared DIR]

The Cyrillic-language classifier adds to each language's cue score how well that language's
Tesseract model reads the writing against the best-reading model (`MODEL_WEIGHT` points per
unit of confidence). On felt-tip handwriting the models read nothing (0.1-0.4), and their
differences are noise that can outweigh the letters. Two changes are weighed:

- `model_floor`: the models' comparison counts only where the best of them reads at least
  this surely; candidates `FLOORS` (0 is the classifier before this sweep).
- `tell_absence`: a language none of whose telling letters shows loses n x ln(1 - share)
  (`cyrillic_language_scores`).

Cases, never a slide of real-color-dev or a Prokudin-Gorsky plate: the context suite's
rendered language sentences (eval/context_suite.py's LANGUAGE_LINES, `--per-language` a
language, on photos-train photos, seed 0) and the Cyrillic generated titles of
eval/writing_cases.py for the seeds (truth Russian: their templates write "г.", "год"). Each
is read once; the classifier is re-run on the same readings for every setting.

The rule, written down before the sweep was run: the setting with the most right languages
over both sets is chosen, provided the suite's sentences stay at least 90% right (the context
suite's acceptance); ties go to the smaller change: `tell_absence` off before on, then the
lower floor.

Stage 2 (added after stage 1 had been run and its misses read, written before stage 2 ran):
on the stage-1 choice, `unread_needs_tells` (a language without a usable model of its own,
Tatar, counts only where one of its telling letters shows) is taken when it gives strictly
more right languages over both sets, the suite kept at 90%.

Writes eval/results/language-floor/language-floor.{json,md}.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

from context import ContextConfig, ContextEncoder
from context.script import cyrillic_language_scores
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    shared_datasets,
    write_json_and_markdown,
)
from eval.context_cases import LANGUAGE_LINES
from eval.context_suite import PhotoPool, render_case
from eval.real_writing import _generated
from eval.writing_cases import generated_cases

OUT = RESULTS_DIR / "language-floor"
FLOORS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)
# (tell_absence, floor, unread_needs_tells), in tie order; stage 2 adds the third switch.
SETTINGS = tuple((tells, floor, False)
                 for tells, floor in itertools.product((False, True), FLOORS))
SUITE_MIN = 0.90


class Readings:
    """What the classifier is given for each photo: the Cyrillic text and the models'
    confidences (None when the photo shows no Cyrillic line)."""

    def __init__(self, encoder: ContextEncoder):
        self.encoder, self.last = encoder, None
        language = encoder._language

        def record(lines, model_conf):
            self.last = (" ".join(t.text for t in lines if t.script == "Cyrl"), model_conf)
            return language(lines, model_conf)
        encoder._language = record

    def __call__(self, image) -> tuple[str, dict[str, float] | None] | None:
        self.last = None
        self.encoder(image)
        return self.last


def decide(reading, languages, tell_absence: bool, floor: float,
           unread_needs_tells: bool = False) -> str | None:
    """The language the encoder would report for `reading` under one setting."""
    if reading is None:
        return None
    scores = cyrillic_language_scores(reading[0], languages, reading[1], floor, tell_absence,
                                      unread_needs_tells)
    best = max(scores, key=scores.get) if scores else None
    return best if best and scores[best] >= 0.5 else None


def read_cases(encoder: ContextEncoder, seeds: list[int], per_language: int, shared: Path
               ) -> list[dict]:
    readings = Readings(encoder)
    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))
    pool, rng = PhotoPool(photos, 0, encoder, False), random.Random(0)
    cases = []
    for label, texts in LANGUAGE_LINES.items():
        for i in range(per_language):
            text = texts[i % len(texts)]
            image = render_case(text, pool.take(), rng)
            cases.append({"set": "suite", "truth": label, "text": text,
                          "reading": readings(image)})
    titles = photos[::97]
    for seed in seeds:
        for truth, image in _generated(generated_cases(encoder.config.data_dir, titles, 30,
                                                       seed)):
            if truth.script == "Cyrl":
                cases.append({"set": f"titles seed {seed}", "truth": "rus", "text": truth.text,
                              "reading": readings(image)})
    return cases


def sweep(cases: list[dict], languages, settings=SETTINGS) -> list[dict]:
    rows = []
    for tell_absence, floor, unread in settings:
        got = [decide(c["reading"], languages, tell_absence, floor, unread) for c in cases]
        right = {s: sum(g == c["truth"] for g, c in zip(got, cases) if c["set"] == s)
                 for s in dict.fromkeys(c["set"] for c in cases)}
        suite_n = sum(c["set"] == "suite" for c in cases)
        rows.append({"tell_absence": tell_absence, "model_floor": floor,
                     "unread_needs_tells": unread, "right": right,
                     "total": sum(right.values()),
                     "suite_rate": right.get("suite", 0) / max(1, suite_n),
                     "misses": [[c["set"], c["truth"], c["text"], g] for g, c in zip(got, cases)
                                if g != c["truth"]]})
    return rows


def choose(rows: list[dict]) -> dict:
    """Stage 1 of the rule in the module docstring (`rows` are in tie order)."""
    allowed = [r for r in rows if r["suite_rate"] >= SUITE_MIN] or rows[:1]
    best = max(r["total"] for r in allowed)
    return next(r for r in allowed if r["total"] == best)


def stage_two(chosen: dict, cases: list[dict], languages) -> tuple[dict, dict]:
    """(the row with `unread_needs_tells` on the stage-1 choice, the row the rule keeps)."""
    (row,) = sweep(cases, languages,
                   ((chosen["tell_absence"], chosen["model_floor"], True),))
    better = row["total"] > chosen["total"] and row["suite_rate"] >= SUITE_MIN
    return row, row if better else chosen


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def cases_from_args(argv: list[str] | None, description: str, out: Path
                    ) -> tuple[argparse.Namespace, ContextEncoder, list[dict]]:
    """The command line the language sweeps share (--seeds, --per-language, --out, --shared),
    the encoder, and the cases read once with it. Without the photos at the default --shared,
    the sweep is skipped: a `NAME skipped: ...` line (NAME from `out`'s folder, as
    language-floor -> language_floor) and SystemExit(0); typed, an error (SystemExit(2))."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--per-language", type=int, default=12)
    p.add_argument("--out", type=Path, default=out)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/")
    args = parse_eval_args(p, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, TRAIN_PHOTOS):
        raise SystemExit(missing_data(asked, out.name.replace("-", "_"), problem))
    encoder = ContextEncoder.from_default(ContextConfig(embed=False))
    cases = read_cases(encoder, [int(s) for s in args.seeds.split(",")], args.per_language,
                       shared)
    return args, encoder, cases


def main(argv: list[str] | None = None) -> int:
    args, encoder, cases = cases_from_args(argv, __doc__.split("\n")[0], OUT)
    rows = sweep(cases, encoder.languages)
    second, chosen = stage_two(choose(rows), cases, encoder.languages)
    rows.append(second)
    sets = list(rows[0]["right"])
    n = {s: sum(c["set"] == s for c in cases) for s in sets}
    lines = ["# Language classifier: model floor, tell absence, model-less languages", "",
             f"`python -m eval.language_floor --seeds {args.seeds}`; rule in the docstring.", "",
             "| tell absence | model floor | model-less needs tells | "
             + " | ".join(f"{s} ({n[s]})" for s in sets) + " | total |",
             "|---|---:|---|" + "---:|" * (len(sets) + 1)]
    for r in rows:
        lines.append(f"| {_on(r['tell_absence'])} | {r['model_floor']} | "
                     f"{_on(r['unread_needs_tells'])} | "
                     + " | ".join(str(r["right"][s]) for s in sets) + f" | {r['total']} |")
    verdict = (f"**Chosen**: tell absence {_on(chosen['tell_absence'])}, model floor "
               f"{chosen['model_floor']}, model-less needs tells "
               f"{_on(chosen['unread_needs_tells'])}.")
    lines += ["", verdict, "", "Misses of the chosen setting:", ""]
    lines += [f"- {s}: {t!r} ({truth}) -> {g}" for s, truth, t, g in chosen["misses"]]
    for c in cases:
        c["reading"] = list(c["reading"]) if c["reading"] else None
    write_json_and_markdown(args.out, "language-floor",
                            {"rows": rows, "chosen": {k: chosen[k] for k in
                                                      ("tell_absence", "model_floor",
                                                       "unread_needs_tells")},
                             "cases": cases}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
