"""flags.md: the acceptance table, then per design."""

from __future__ import annotations

from typing import Any

from eval.flag_bench.scenes import MASK_ERODE
from eval.flag_bench.scoring import CONDITIONS, RED_HUE, RED_MIN_CHROMA
from eval.flags.designs import CHROMATIC, MIN_REGION_SHARE
from eval.flags.measure import CHROMA_RATIO, HUE_TOLERANCE


def markdown(report: dict[str, Any]) -> str:
    scenes = report["scenes"]
    lines = [(f"## chronochrome flag benchmark ({scenes['count']} scenes, {scenes['images']} "
              f"images, {scenes['captioned']} captioned, {len(scenes['designs'])} designs)"), "",
             "| condition | scenes | pass | rate | target | status |",
             "|---|---:|---:|---:|---|---|"]
    for row in report["rows"]:
        lines.append(f"| {row['label']} | {row['scenes']} | {row['passed']} | {row['rate']:.0%} "
                     f"| {row['target_text']} | {row['status']} |")
    lines += ["", ("| design | scenes | hint: red / own | caption: red / own | none: red / own "
                   "| mean hue°, C* (hint · caption · none) |"), "|---|---:|---|---|---|---|"]
    for f in report["per_flag"]:
        cells = " | ".join(f"{f[c]['red']} / {f[c]['own']}" for c in CONDITIONS)
        means = " · ".join(f"{f[c]['mean_hue']:.0f}, {f[c]['mean_chroma']:.0f}"
                           for c in CONDITIONS)
        lines.append(f"| {f['flag']} | {f['scenes']} | {cells} | {means} |")
    model = report["model"]
    lines += ["", (f"Model {model['name']} {model['version']}; `{report['command']}` at "
              f"{report['finished_at']} ({report['seconds']:.0f} s). Red: CIELAB hue of the mean "
              f"a*b* in [{RED_HUE[0]:.0f}, {RED_HUE[1]:.0f}]° and mean C* >= {RED_MIN_CHROMA:.0f} "
              f"inside the flag mask (eroded {MASK_ERODE} px). Own colors: every design color "
              f"with C* >= {CHROMATIC:.0f} covering >= {MIN_REGION_SHARE:.0%} of the flag within "
              f"{HUE_TOLERANCE:.0f}° of its true hue and >= {CHROMA_RATIO:.0%} of its chroma."), ""]
    return "\n".join(lines)
