"""`python -m eval.check --sweep`: the cloth-evidence threshold against false alarms.

Every calibration photo (train split of photos-train, true colors, checked with the cases'
hints) and every case of a second draw (`build_cases(seed=1)`: other photos and scenes than
the benchmark's seed 0) is analysed once (`ColorizationChecker.analyse`); the findings are
then drawn at each `cloth_evidence` of GRID. A threshold is allowed when at most
MAX_FALSE_ALARM of the calibration photos get a knowledge finding; `chosen` is the lowest
allowed one. real-color-dev and the benchmark's cases are not read here.
"""

from __future__ import annotations

from typing import Any

from colorizer.check.checker import ColorizationChecker
from eval.check.cases import build_cases
from eval.check.run import cached_colorize, calibration_photos

GRID = (0.6, 0.65, 0.7, 0.72, 0.75, 0.8, 0.9)
MAX_FALSE_ALARM = 0.05


def sweep(checker: ColorizationChecker, calibration: int, cache) -> dict[str, Any]:
    photos = [checker.analyse(path, hint=hint) for path, hint in calibration_photos(calibration)]
    cases = build_cases(cached_colorize(checker, cache), seed=1)
    seen = [(case, checker.analyse(case.image, original=case.gray, hint=case.hint))
            for case in cases]
    rows = []
    for threshold in GRID:
        config = checker.config.changed(cloth_evidence=threshold)
        knowledge = sum(any(f.kind == "knowledge" for f in checker.findings(a, config))
                        for a in photos)
        anything = sum(bool(checker.findings(a, config)) for a in photos)
        correct = sum(bool(checker.findings(a, config)) == case.wrong for case, a in seen)
        rows.append({"cloth_evidence": threshold,
                     "calibration_knowledge": knowledge / max(1, len(photos)),
                     "calibration_any": anything / max(1, len(photos)),
                     "case_accuracy": correct / max(1, len(seen))})
    allowed = [r for r in rows if r["calibration_knowledge"] <= MAX_FALSE_ALARM]
    chosen = allowed[0]["cloth_evidence"] if allowed else GRID[-1]
    return {"rows": rows, "chosen": chosen, "photos": len(photos), "cases": len(seen),
            "max_false_alarm": MAX_FALSE_ALARM}


def markdown(result: dict[str, Any]) -> str:
    intro = (f"{result['photos']} calibration photos (true colors, the cases' hints); "
             f"chosen: the lowest threshold with at most {result['max_false_alarm']:.0%} of "
             f"them getting a knowledge finding -> **{result['chosen']}**; cases right: "
             f"{result['cases']} cases of the second draw (seed 1).")
    header = ("| cloth evidence | calibration: knowledge finding | calibration: any finding "
              "| cases right |")
    lines = ["## chronochrome check: the cloth-evidence threshold on train-split photos", "",
             intro, "", header, "|---:|---:|---:|---:|"]
    lines += [f"| {r['cloth_evidence']} | {r['calibration_knowledge']:.1%} | "
              f"{r['calibration_any']:.1%} | {r['case_accuracy']:.1%} |" for r in result["rows"]]
    return "\n".join(lines) + "\n"
