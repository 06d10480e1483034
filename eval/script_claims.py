"""Choosing set for how sure a script claim from little writing is (context/script_vote.py
`ShortText`).

    python -m eval.script_claims [--seeds 1,2] [--n 30] [--out DIR] [--shared DIR]

On the 305 real photos a claim of 0.3 and more came from a short reading alone: Cyrillic 0.32
from "багги" (read at 0.46) on a NYC tavern, Latin 0.31-0.43 on three Prokudin-Gorsky plates
from "Wearing", "REX", "ibti". Short text kept at least half its confidence (0.5 + letters /
24), and the letters of every reading counted, those of the other scripts too. (An earlier
sweep here chose `MIN_LETTERS` = 0: leaving short readings out of the vote lost printed
titles before it spared a photo a claim.)

Cases: eval/shape_rule.py's (handwritten and printed generated titles of the seeds, and 60
photos of photos-train without writing), each read once; the vote is re-run on the same
readings for every setting in `SETTINGS` (shapes off, as by default).

The rule, written down before the sweep was run: a claim is a script at 0.3 or more (the
band the real-photo audit counts as confident). score = titles (hand and printed) given the
right script at 0.3+ - 2 x (claims at 0.3+ that are wrong: on photos without writing, or a
title's wrong script). A setting is admissible when the printed titles lose at most one right
claim at 0.3+ against the encoder as it was (floor 0.5, full at 12, all letters); the highest
score among the admissible is chosen; ties go to the earlier setting in `SETTINGS` (the
encoder as it was first, then the ones that change less).

Writes eval/results/script-claims/script-claims.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from context import ContextConfig, ContextEncoder
from context.line_script import LineScriptClassifier
from context.script_vote import ShapeVote, ShortText, script_of
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
from eval.shape_rule import Read, read_titles_and_controls

OUT = RESULTS_DIR / "script-claims"
CLAIM = 0.3  # a script at this confidence or more is a claim (module docstring)
# The encoder as it was first, then in order of how much each changes it.
SETTINGS = tuple(ShortText(floor, full_at, own) for own in (False, True)
                 for floor in (0.5, 0.25, 0.0) for full_at in (12, 24))


def score(reads: list[Read], encoder: ContextEncoder, short: ShortText) -> dict:
    """Right and wrong claims at `CLAIM` or more, by group."""
    out = {"hand": 0, "printed": 0, "wrong_titles": 0, "control_claims": 0}
    for r in reads:
        got = script_of(list(r.kept), r.osd, encoder.scripts, r.shapes, ShapeVote(),
                        short=short)
        if got is None or got.confidence < CLAIM:
            continue
        if r.group == "none":
            out["control_claims"] += 1
        elif got.code == r.script:
            out[r.group] += 1
        else:
            out["wrong_titles"] += 1
    return out


def choose(rows: list[dict]) -> dict:
    """The rule of the module docstring over `rows` (in `SETTINGS` order; the first is the
    encoder as it was)."""
    base = rows[0]
    for r in rows:
        r["score"] = r["hand"] + r["printed"] - 2 * (r["wrong_titles"] + r["control_claims"])
        r["admissible"] = r["printed"] >= base["printed"] - 1
    return max((r for r in rows if r["admissible"]), key=lambda r: r["score"])


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
    rows = [{**asdict(s), **score(reads, encoder, s)} for s in SETTINGS]
    chosen = choose(rows)
    lines = ["# How sure a script claim from little writing is", "",
             f"`python -m eval.script_claims --seeds {args.seeds}`; rule in the docstring.", "",
             ("| floor | full at | own letters | hand right | printed right | wrong titles | "
              "no-writing claims | score | admissible |"),
             "|---:|---:|---|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {r['floor']} | {r['full_at']} | {r['own_letters']} | {r['hand']} | "
              f"{r['printed']} | {r['wrong_titles']} | {r['control_claims']} | {r['score']} | "
              f"{r['admissible']} |" for r in rows]
    lines += ["", (f"**Chosen**: floor {chosen['floor']}, full at {chosen['full_at']} "
                   f"letters, own letters {chosen['own_letters']}.")]
    write_json_and_markdown(args.out, "script-claims",
                            {"rows": rows, "chosen": {k: chosen[k] for k in (
                                "floor", "full_at", "own_letters")}}, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
