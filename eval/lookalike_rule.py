"""Choosing set for context/lookalike_reader.py: what PP-OCR's look-alike reading may change.

    python -m eval.lookalike_rule [--seeds 1,2] [--out DIR] [--shared DIR]

The context encoder (OCR on, no embedding) reads the generated titles of the seeds
(eval/writing_cases.py, 30 a seed, and eval/year_cases.py, 24 a seed: 108 for seeds 1 and
2) once per setting of `LookalikeConfig` in `GRID`, and with the second reader off; each
title is scored as eval/real_writing.py scores it (script, place, year within 2).

The rule, written down before the sweep was run: the setting with the most right answers
(script + place + year, summed over the titles) is chosen; ties go to the setting that
changes less: the reader off first, then fewer of `fill_empty`, `years`, `year_override`
switched on, then the higher floor. No slide of real-color-dev and no Prokudin-Gorsky plate
is used; eval/real_writing.py only reports them after.

Stage 2 (added with `script_tells`, written before it ran): the stage-1 winner is run again
with `script_tells` 1 and 2 (`TELLS`); a count is taken only when it has strictly more right
answers than the winner without it (0), the larger count on a tie between them.

Tesseract's readings and PP-OCR's do not depend on the setting, so each is computed once per
title and reused (`_Cached`).

Writes eval/results/lookalike-rule/lookalike-rule.{json,md}.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from context import ContextConfig, ContextEncoder
from context.lookalike_reader import LookalikeConfig, LookalikeReader
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
from eval.real_writing import _generated, _reference, score
from eval.writing_cases import generated_cases
from eval.year_cases import year_cases

OUT = RESULTS_DIR / "lookalike-rule"
FLOORS = (0.5, 0.65, 0.8)
SWITCHES = ("fill_empty", "years", "year_override")
GRID: tuple[LookalikeConfig | None, ...] = (None,) + tuple(
    LookalikeConfig(min_confidence=floor, script_tells=0, **dict(zip(SWITCHES, flags)))
    for floor in FLOORS for flags in itertools.product((False, True), repeat=len(SWITCHES)))
TELLS = (1, 2)


class _Cached:
    """Per image (by identity): the reader's Tesseract readings and PP-OCR's, computed once.
    The encoder's own second reader is reused (one model load); a setting only swaps its
    config."""

    def __init__(self, encoder: ContextEncoder):
        self.reader = encoder.reader
        self.pp = self.reader.lookalike or LookalikeReader()
        self.tesseract, read = self.reader.tesseract_lines, self.pp.read
        self._t: dict = {}
        self._p: dict = {}
        self.reader.tesseract_lines = self._tesseract_lines
        self.pp.read = lambda image, boxes, angles: self._read(read, image, boxes, angles)

    def _tesseract_lines(self, image, lines, angles):
        if id(image) not in self._t:
            self._t[id(image)] = self.tesseract(image, lines, angles)
        kept, osd = self._t[id(image)]
        return list(kept), osd

    def use(self, config: LookalikeConfig | None) -> None:
        if config is not None:
            self.pp.config = config
        self.reader.lookalike = None if config is None else self.pp

    def _read(self, read, image, boxes, angles):
        key = (id(image), tuple(boxes))
        if key not in self._p:
            self._p[key] = read(image, boxes, angles)
        return self._p[key]


def _label(config: LookalikeConfig | None) -> str:
    if config is None:
        return "off"
    on = [s for s in SWITCHES if getattr(config, s)]
    on += [f"script_tells {config.script_tells}"] if config.script_tells else []
    return f"floor {config.min_confidence}" + (" + " + " + ".join(on) if on else "")


def _order(row: dict) -> tuple:
    """The rule: most right, then the setting that changes less."""
    cfg = row["config"]
    changes = (-1, 0.0) if cfg is None else (sum(cfg[s] for s in SWITCHES),
                                              -cfg["min_confidence"])
    return (-row["right"], cfg is not None, *changes)


def sweep(seeds: list[int], shared: Path) -> dict:
    config = ContextConfig(embed=False)
    encoder, text_only = ContextEncoder.from_default(config), ContextEncoder(config)
    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))[::97]
    cases = []
    for seed in seeds:
        cases += _generated(generated_cases(config.data_dir, photos, 30, seed))
        cases += _generated(year_cases(config.data_dir, photos, 24, seed))
    refs = [_reference(text_only, truth) for truth, _ in cases]
    cached = _Cached(encoder)
    rows = [_run(encoder, cached, cfg, cases, refs) for cfg in GRID]
    best = min(rows, key=_order)
    stage2 = []
    for tells in TELLS if best["config"] is not None else ():
        cfg = LookalikeConfig(**{**best["config"], "script_tells": tells})
        stage2.append(_run(encoder, cached, cfg, cases, refs))
    better = [r for r in stage2 if r["right"] > best["right"]]
    if better:
        best = max(better, key=lambda r: (r["right"], r["config"]["script_tells"]))
    return {"seeds": seeds, "titles": len(cases), "rows": rows + stage2,
            "chosen": best["setting"], "chosen_config": best["config"]}


def _run(encoder, cached: _Cached, cfg: LookalikeConfig | None, cases: list, refs: list
         ) -> dict:
    """One setting over the titles: counts of script, place and year right."""
    cached.use(cfg)
    scored = [score(encoder(image), truth, ref) for (truth, image), ref in zip(cases, refs)]
    counts = {k: sum(bool(r[k]) for r in scored) for k in ("script_ok", "place_ok", "year_ok")}
    row = {"setting": _label(cfg), "config": None if cfg is None else cfg.__dict__, **counts,
           "right": sum(counts.values())}
    print(f"  {row['setting']:60s} {counts} right {row['right']}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--out", type=Path, default=OUT)
    add_shared_argument(p, f"{TRAIN_PHOTOS}/ (the titles' backgrounds)")
    args = parse_eval_args(p, argv)
    shared, asked = shared_datasets(args)
    if problem := absent_data(shared, TRAIN_PHOTOS):
        return missing_data(asked, "lookalike_rule", problem)
    result = sweep([int(s) for s in args.seeds.split(",")], shared)
    lines = ["# Look-alike reader settings (context/lookalike_reader.py)", "",
             (f"{result['titles']} generated titles, seeds {result['seeds']}; rule: "
              "eval/lookalike_rule.py docstring."), "",
             "| setting | script | place | year | right |", "|---|---|---|---|---|"]
    lines += [f"| {r['setting']} | {r['script_ok']} | {r['place_ok']} | {r['year_ok']} | "
              f"{r['right']} |" for r in result["rows"]]
    lines += ["", f"chosen: **{result['chosen']}**", ""]
    write_json_and_markdown(args.out, "lookalike-rule", result, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["GRID", "sweep"]
