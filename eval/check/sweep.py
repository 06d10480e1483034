"""`python -m eval.check --sweep`: the knowledge check's settings against false alarms.

Every calibration photo (train split of photos-train, true colors, checked with the cases'
hints; 240 by default) and every case of a second draw (`build_cases(seed=1)`: other photos
and scenes than the benchmark's seed 0) is analysed once (`ColorizationChecker.analyse`); the
findings are then drawn at each setting. The rule, written before the benchmark ran (the
seed-0 cases and real-color-dev: eval/results/check.md):

1. `min_documented` (analysis.knowledge_findings): FLOOR_SHARE (half) of the lowest model
   likelihood of the documented colors (`model_likelihood_of_documented`) among the knowledge
   findings that lie on the cloth of the seed-1 wrong cases (drawn at GRID[0] without the
   gate), rounded down to 0.05: real cloth keeps twice that margin. Calibration photos have
   almost no sky or water that the finder takes for cloth, so they cannot set it.
2. Each (`cloth_evidence` of GRID, `shade_l` of SHADE_GRID, `min_departure` of
   DEPARTURE_GRID) at that `min_documented` is allowed when at most MAX_FALSE_ALARM of the
   calibration photos get a knowledge finding. `chosen`: the allowed setting with most
   seed-1 cases right; ties go to the fewest calibration false alarms, then to the higher
   `cloth_evidence`, the higher `shade_l` and the higher `min_departure` (the fewer
   findings: more gray is left to shade, more colors are left to the model's own reading).

Extension (written before its sweep ran, after the benchmark's 85.4%): step 2's third
dimension, `min_departure` (analysis.knowledge_findings: how far, in a*b*, the contradicting
color's pixels lie from our model's own colors there on average), on a plain grid of
CIE76 steps, 0 (the gate off) to 10 in steps of 2.5 (about one just-noticeable difference,
2.3). Steps 1 and 2 are otherwise unchanged. It chose 0 (off); the second extension keeps
it there (DEPARTURE) instead of sweeping it again.

Second extension (issue #20, written before its sweep ran; the seed-0 cases and
real-color-dev were not run with it): gray cloth. A region our colorizer, or anyone's, left
gray is its "no color" as often as a claim, and the finder takes gray walls, skies and
pavement for cloth; a flag a colorist painted gray is one field of one tone (its main color
seen through the film), folds and shade aside. So a gray contradiction now needs
(knowledge.contradictions) the gray pixels no documented white, black or gray explains, each
by its own L* (a black-white-red flag's black and white stripes together are not "mid
gray"), to cover `gray_class` of the region, and `gray_field` of those pixels to lie within
one `FIELD_BAND` (16 L*, the colorizer's cloth-identity band) window. Step 2 sweeps
`gray_field` over FIELD_GRID (0 = the one-field test off) with `cloth_evidence` and
`shade_l`; `min_departure` stays at its chosen 0 (the first extension: every departure above
2.5 lost seed-1 cases). Cases right are counted over the seed-1 AND a third draw's (seed 2)
cases together (96, not 48: one draw's handful of marginal cases decided the last choices);
ties as before, then the higher `gray_field` (fewer findings). The change ships only if its
choice gets more of the 96 right than the settings shipped before it (43 + 41 of 48), with
neither draw alone worse, at most MAX_FALSE_ALARM of the calibration photos getting a
knowledge finding; seed 0 is then run once.

Third extension (written 2026-12-06 before its sweeps ran): the check re-chosen for the
generator the pipeline runs now. The settings above were chosen with gen-v2 (2026-12-03); with
gen-v10 and those settings the benchmark reads 87.5% of the seed-0 cases right (was 91.7%),
real-color-dev 93.0% without a finding (96.5%), calibration 81.7% (95.0%). The check's finder
(colorizer/weights/check) reads the encoder's maps and was fitted on gen-v2's encoder, which
later stages fine-tuned; the default's own finder (colorizer/weights/default, flag-finder-v5)
was fitted on gen-v10's. The sweep (steps 1 and 2 with the second extension's grids and
counting) runs once with each finder (`--finder`); each rule picks its setting. Of the two
choices, the one with more of the 96 seed-1 and seed-2 cases right wins (ties: the check's
own finder), and it ships only if it gets more of the 96 right than the shipped settings
(cloth evidence 0.7, shade L* 25, gray field 0.6, the check's own finder) get with gen-v10,
with neither draw alone worse and at most MAX_FALSE_ALARM of the calibration photos getting
a knowledge finding. Seed 0 and real-color-dev are then run once and reported.
Result (2026-12-06): nothing ships. With the check's own finder the rule picks
`min_documented` 0.15, cloth evidence 0.8, shade L* 25, gray field 0: 40 + 42 = 82 of the 96
right, 2.1% of the calibration photos with a knowledge finding; with the default's finder
0.15, 0.7, 25, 0.6: 42 + 38 = 80, 3.8% (eval/results/check-calibration-gen-v10-own-finder.md,
-default-finder.md). The shipped settings get 43 + 41 = 84 with gen-v10, more than either,
though 13.8% of the calibration photos now get a knowledge finding with them (within 5% with
gen-v2). The benchmark (eval/results/check.md, regenerated with gen-v10) reads 87.5% of the
seed-0 cases right (target 90%), real-color-dev 93.0% without a finding, calibration 81.7%.

Fourth extension (written 2026-12-06 before its fit): the check's own recipe (its model
card's command, seed 0, 12 epochs) fitted again on gen-v10's encoder (`runs/check-ff-v10`),
then swept as the third extension's finders were (`--finder runs/check-ff-v10`). It ships
(file and settings) only if its choice gets more than the shipped 84 of the 96 right, neither
draw below the shipped 43 and 41, at most MAX_FALSE_ALARM of the calibration photos with a
knowledge finding; seed 0 and real-color-dev are then run once and reported.
Result (2026-12-06): shipped. Fitted in 64 s (the scenes' maps cached, encoded with gen-v10);
the rule picks `min_documented` 0.10, cloth evidence 0.6, shade L* 33, gray field 0.4: 45 + 42
= 87 of the 96 right, 5.0% of the calibration photos with a knowledge finding
(eval/results/check-calibration.md). Seed 0, run once after (eval/results/check.md): 89.6% of
the cases right (21/24 wrong flagged, 22/24 right passed; target 90%), real-color-dev 91.2%
with no finding (target 90%), calibration 91.7%.

real-color-dev and the benchmark's (seed-0) cases are not read here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from colorizer.check.analysis import cloth_regions, knowledge_findings
from colorizer.check.checker import ColorizationChecker
from eval.check.cases import build_cases
from eval.check.run import cached_colorize, calibration_photos, on_cloth
from eval.common import SHARED_DATASETS

GRID = (0.6, 0.65, 0.7, 0.72, 0.75, 0.8, 0.9)
SHADE_GRID = (33.0, 25.0, 20.0)  # deep-shade L*: 33 = the dark-gray class bound (DARK_L)
FIELD_GRID = (0.0, 0.4, 0.5, 0.6, 0.7)  # share of a gray region's gray in one L* band
DEPARTURE = 0.0  # the first extension's choice, kept (a*b* distance from the model's colors)
SEEDS = (1, 2)  # the case draws the choice counts (seed 0 is the benchmark's)
MAX_FALSE_ALARM = 0.05
FLOOR_SHARE = 0.5
CALIBRATION_PHOTOS = 240


def documented_floor(checker: ColorizationChecker, seen: list) -> float:
    """Rule step 1: half the lowest documented-color likelihood on the seed-1 wrong cloth."""
    config = checker.config.changed(cloth_evidence=GRID[0], min_documented=0.0,
                                     min_departure=0.0)
    values = [f.evidence["model_likelihood_of_documented"] for case, a in seen if case.wrong
              for f in checker.findings(a, config)
              if f.kind == "knowledge" and on_cloth(f.mask, case.mask)]
    # round(): 6 * 0.05 is 0.30000000000000004, which the report then showed.
    return round(math.floor(FLOOR_SHARE * min(values) / 0.05) * 0.05, 2) if values else 0.0


def sweep(checker: ColorizationChecker, calibration: int, cache,
          shared: Path = SHARED_DATASETS) -> dict[str, Any]:
    """The sweep over the calibration photos and the case draws of `SEEDS`, all from
    `shared` (the shared datasets folder)."""
    photos = [checker.analyse(path, hint=hint)
              for path, hint in calibration_photos(calibration, shared)]
    draws = {}
    for seed in SEEDS:
        cases = build_cases(cached_colorize(checker, cache), seed=seed, shared=shared)
        draws[seed] = [(case, checker.analyse(case.image, original=case.gray, hint=case.hint))
                       for case in cases]
    return sweep_analysed(checker, photos, draws)


def sweep_analysed(checker: ColorizationChecker, analysed_photos: list,
                   draws: dict[int, list]) -> dict[str, Any]:
    """The rule over analyses already made: calibration photos' and, per seed, (case,
    analysis) pairs (the first seed sets step 1's floor)."""
    photos = [_Seen(checker, a) for a in analysed_photos]
    floor = documented_floor(checker, draws[min(draws)])
    seen = {seed: [(case.wrong, _Seen(checker, a)) for case, a in draws[seed]]
            for seed in draws}
    rows = []
    for field in FIELD_GRID:
        for shade in SHADE_GRID:
            for threshold in GRID:
                config = checker.config.changed(cloth_evidence=threshold, shade_l=shade,
                                                 min_documented=floor, gray_field=field,
                                                 min_departure=DEPARTURE)
                knowledge = [p.knowledge(config) for p in photos]
                right = {seed: sum(s.flagged(config) == wrong for wrong, s in seen[seed])
                         for seed in seen}
                count = sum(len(cases) for cases in seen.values())
                rows.append({"cloth_evidence": threshold, "shade_l": shade, "gray_field": field,
                             "min_departure": DEPARTURE,
                             "calibration_knowledge": sum(knowledge) / max(1, len(photos)),
                             "calibration_any": sum(k or p.others for k, p in
                                                    zip(knowledge, photos)) / max(1, len(photos)),
                             "case_accuracy": sum(right.values()) / max(1, count),
                             **{f"seed{seed}": right[seed] / max(1, len(seen[seed]))
                                for seed in seen}})
    best = choose(rows)
    return {"rows": rows, "chosen": {"cloth_evidence": best["cloth_evidence"],
                                     "shade_l": best["shade_l"], "min_documented": floor,
                                     "gray_field": best["gray_field"],
                                     "min_departure": best["min_departure"]},
            "photos": len(photos), "cases": {seed: len(cases) for seed, cases in seen.items()},
            "max_false_alarm": MAX_FALSE_ALARM}


def settings(checker_settings: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """The settings block of check-calibration.json: the checker's, with the swept fields at
    the values the rule chose. The checker's own values of those fields were never used (every
    row sets them), and recording them showed a placeholder (`min_departure` 5.0 in the
    config when the sweep ran) beside the chosen and shipped 0.0."""
    return {**checker_settings, **chosen}


class _Seen:
    """One analysis with its cloth regions found once and its other findings drawn once
    (neither depends on the swept settings)."""

    def __init__(self, checker: ColorizationChecker, seen):
        self.seen = seen
        self.regions = cloth_regions(seen.maps, seen.cloth, seen.facts, checker.config)
        self.others = any(f.kind != "knowledge" for f in checker.findings(seen))

    def knowledge(self, config) -> bool:
        return bool(knowledge_findings(self.seen.maps, self.seen.cloth, self.seen.facts, config,
                                       self.regions))

    def flagged(self, config) -> bool:
        return self.others or self.knowledge(config)


def choose(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rule step 2: the allowed row with most cases right, then fewest calibration false
    alarms, then the higher cloth evidence, shade L*, gray field share and departure (fewer
    findings); none allowed: the last."""
    allowed = [r for r in rows if r["calibration_knowledge"] <= MAX_FALSE_ALARM] or rows[-1:]
    return max(allowed, key=lambda r: (r["case_accuracy"], -r["calibration_knowledge"],
                                       r["cloth_evidence"], r["shade_l"],
                                       r.get("gray_field", 0.0), r["min_departure"]))


def markdown(result: dict[str, Any]) -> str:
    chosen = result["chosen"]
    cases = " and ".join(f"{n} of seed {seed}" for seed, n in result["cases"].items())
    intro = (f"{result['photos']} calibration photos (true colors, the cases' hints) and the "
             f"cases of two draws ({cases}; the benchmark's is seed 0); the rule is in "
             "eval/check/sweep.py. min_documented (half the lowest documented-color "
             f"likelihood on the seed-1 wrong cloth) -> **{chosen['min_documented']:.2f}**; "
             f"among the settings with at most {result['max_false_alarm']:.0%} of the photos "
             "getting a knowledge finding, the most cases right (both draws) -> cloth "
             f"evidence **{chosen['cloth_evidence']}**, deep shade below L* "
             f"**{chosen['shade_l']:g}**, gray field share **{chosen['gray_field']:g}** "
             f"(departure from the model's colors {chosen['min_departure']:g}, kept).")
    seeds = [k for k in (result["rows"] or [{}])[0] if k.startswith("seed")]
    header = ("| gray field | cloth evidence | shade L* | calibration: knowledge finding "
              "| calibration: any finding | cases right (both) | "
              + " | ".join(f"cases right ({k[:4]} {k[4:]})" for k in seeds) + " |")
    lines = ["## chronochrome check: the knowledge settings on train-split photos", "",
             intro, "", header, "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(seeds)]
    lines += [f"| {r['gray_field']:g} | {r['cloth_evidence']} | {r['shade_l']:g} | "
              f"{r['calibration_knowledge']:.1%} | {r['calibration_any']:.1%} | "
              f"{r['case_accuracy']:.1%} | " + " | ".join(f"{r[k]:.1%}" for k in seeds) + " |"
              for r in result["rows"]]
    return "\n".join(lines) + "\n"
