"""Choosing set for how many letters a reading needs to vote on the script (context/
script_vote.py `MIN_LETTERS`).

    python -m eval.script_claims [--seeds 1,2] [--n 30] [--out DIR] [--shared DIR]

A script model reads texture as two or three letters: 3 of the 6 Prokudin-Gorsky plates
given writing they do not show were given it by Greek "ΠΕΣ", "ἈΠΕ", "πιῇ" (the plates are
reported only, never a choice). A reading shorter than N letters could be left out of the
vote.

Cases: eval/shape_rule.py's (handwritten and printed generated titles of the seeds, and 60
photos of photos-train without writing), each read once; the vote is re-run on the same
readings for every N in `MIN_LETTERS` (shapes off, as by default).

The rule, written down before the sweep was run, is eval/shape_rule.py's: score = scripts
right over the handwritten and printed titles - 2 x (photos without writing given a script,
minus those given one at N = 0); the N with the highest score is chosen, provided the printed
titles lose at most one right script against N = 0; ties go to the smaller N (N = 0 is the
encoder before this sweep).

Writes eval/results/script-claims/script-claims.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from context import ContextConfig, ContextEncoder
from context.line_script import LineScriptClassifier
from context.script_vote import ShapeVote
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
from eval.shape_rule import choose as choose_setting
from eval.shape_rule import read_titles_and_controls, score

OUT = RESULTS_DIR / "script-claims"
MIN_LETTERS = (0, 2, 3, 4, 5, 6)


def choose(rows: list[dict]) -> dict:
    """The rule of the module docstring over `rows` (in increasing N): the shape rule's,
    against N = 0."""
    return choose_setting(rows, lambda r: r["min_letters"] == 0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--n", type=int, default=30, help="titles per seed and set")
    p.add_argument("--out", type=Path, default=OUT)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/ (backgrounds and photos without writing)")
    args = parse_eval_args(p, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, TRAIN_PHOTOS):
        return missing_data(asked, "script_claims", problem)
    encoder = ContextEncoder.from_default(ContextConfig(embed=False))
    reads = read_titles_and_controls(encoder, LineScriptClassifier.from_pretrained(),
                                     [int(s) for s in args.seeds.split(",")], args.n, shared)
    rows = [{"min_letters": n, **score(reads, encoder, ShapeVote(), n)} for n in MIN_LETTERS]
    chosen = choose(rows)
    lines = ["# How many letters a reading needs to vote on the script", "",
             f"`python -m eval.script_claims --seeds {args.seeds}`; rule in the docstring.", "",
             ("| min letters | hand right | printed right | no-writing claims | score | "
              "admissible |"), "|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {r['min_letters']} | {r['hand']} | {r['printed']} | {r['control_claims']} | "
              f"{r['score']} | {r['admissible']} |" for r in rows]
    lines += ["", f"**Chosen**: {chosen['min_letters']} letters."]
    write_json_and_markdown(args.out, "script-claims",
                            {"rows": rows, "chosen": chosen["min_letters"]}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
