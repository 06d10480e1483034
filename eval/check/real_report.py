"""Figures and markdown of `python -m eval.check.real`, and its command-line cross-check."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from eval.common import RESULTS_DIR, luminance_input, pixels

KINDS = ("knowledge", "likelihood", "skin", "blob", "luminance")
DATASET_ROLES = {"real-color-dev": "tuning", "prokudin-gorsky": "held out"}
VERSION_TITLES = {"true": "true colors (any finding is a false alarm)",
                  "ours": "our colorization (chronochrome colorize)",
                  "red-blue": "red regions recolored blue (wrong)",
                  "hue120": "hues turned 120 degrees (wrong)"}
# What each finding on a real-color-dev true photo is, judged by eye on the contact sheet
# (2026-12-07, before the change; the plates are held out and judged only for the report).
JUDGED = {
    "bopb__old_c.png": "false alarm: the porter's bundle of bedding (cloth, tinted tan by the "
                       "print's hand-colorist) compared with the flags of Japan (white, red); "
                       "with a hint whose facts are flags alone, any cloth is read as a flag",
    "sokirko__Part3__Gruzii.jpg": "false alarm: the hazy sky behind the handwritten title and "
                                  "the title's blue ink; the finder reads a title written "
                                  "over the slide as a slogan banner's lettering",
    "sokirko__Part4__Ukraina-1.jpg": "false alarm: green domes and foliage behind the "
                                     "handwritten title; the same cause as Gruzii",
    "sokirko__Part3__Nachichewan.jpg": "false alarm: the dark blue (L* 7) ink line framing the "
                                       "handwritten title, at its lower left corner",
    "sokirko__Part4__Krim_tat_1.jpg": "false alarm: the blue ink (L* 20) of the handwritten "
                                      "\"1973\"",
}
# The red-blue versions, looked at: no photo of either set shows a Soviet flag or banner.
RED_BLUE_NOTE = ("No photo of either set shows a Soviet flag or banner: the red recolored "
                 "blue is (real-color-dev, by eye) a child's cheeks and lips, the Moulin "
                 "Rouge's mill, an umbrella, a fortress's salmon stone, clothes, a tram, red "
                 "ink lettering. The knowledge check judges only what the flag finder takes "
                 "for cloth, and the skin check did not take the blue cheeks for skin; flags "
                 "recolored blue are measured by `python -m eval.check` (its cases).")
# The synthetic benchmark after the change (`python -m eval.check --out DIR`, 2026-12-07):
# every one of the 48 cases flagged or passed as before.
BENCHMARK_AFTER = ("After the change, `python -m eval.check`: cases right 89.6% of 48 (every "
                   "case as before; today's 89.6%), real-color-dev no finding 94.7% (91.2%: "
                   "its 2 blob findings gone), calibration no finding 93.3% (91.7%: its one "
                   "blob finding, on a train-split true photo, gone).")
CLI_UNFLAGGED = 2  # unflagged true photos of each dataset also run through the CLI

# Written before any figure of this benchmark was read (2026-12-07 05:55 UTC).
RULE = """\
1. A fix must name a cause seen on real-color-dev's flagged TRUE photos (checked with their
   own L* gray as --original and the right hint), confirmed by looking at the crop of each
   finding: no blanket loosening of a threshold chosen by a sweep over real-color-dev.
2. It is kept only if all of these hold, each measured once after it is fixed:
   a. real-color-dev true photos: fewer photos with any finding, and every finding it
      removes was judged a false alarm on the contact sheet (no real wrong color removed);
   b. real-color-dev clearly wrong versions (red region -> blue, hue +120 deg): caught no
      less often than before, minus 2 points;
   c. the synthetic benchmark (`python -m eval.check`): cases right and real-color-dev no
      finding each within 2 points of today's (89.6% of 48, 91.2% of 57); calibration no
      finding not more than 2 points lower (today 91.7% of 60).
3. Prokudin-Gorsky is held out: its figures are reported before and after, never used to
   choose or change anything; nothing is changed after reading its after-figures.
4. Our own outputs are reported, not tuned on."""


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per dataset and version: photos, photos with any finding, with each kind, and for
    red-blue those with a finding on the recolored region."""
    out: dict[str, Any] = {}
    for row in rows:
        cell = out.setdefault(row["dataset"], {}).setdefault(
            row["version"], {"photos": 0, "flagged": 0, "on_region": 0,
                             "by_kind": dict.fromkeys(KINDS, 0)})
        cell["photos"] += 1
        cell["flagged"] += row["flagged"]
        cell["on_region"] += bool(row["on_region"])
        for kind in set(row["kinds"]):
            cell["by_kind"][kind] += 1
    return out


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "—"


def markdown(result: dict[str, Any], sheet: str) -> str:
    s = result["summary"]
    lines = ["## chronochrome check on real color photographs", "",
             ("Each photo checked with its own L* as --original and the right hint "
             "(`python -m eval.check.real`; eval/check/real.py says how)."), "",
             "### Rule for any change (written before the figures were read)", "", RULE, "",
             "### Photos with any finding", "",
             "| dataset | version | photos with a finding | " + " | ".join(KINDS) + " |",
             "|---|---|---:|" + "---:|" * len(KINDS)]
    for dataset, versions in s.items():
        for version, c in versions.items():
            kinds = " | ".join(str(c["by_kind"][k]) for k in KINDS)
            lines.append(f"| {dataset} ({DATASET_ROLES.get(dataset, '')}) | "
                         f"{VERSION_TITLES[version]} | {_pct(c['flagged'], c['photos'])} | "
                         f"{kinds} |")
    lines += _before_lines(result.get("before"), s)
    lines += ["", ("red-blue: photos with red covering at least 0.3% of the image; a finding "
              "on the recolored region:"), ""]
    for dataset, versions in s.items():
        if "red-blue" in versions:
            c = versions["red-blue"]
            lines.append(f"- {dataset}: {_pct(c['on_region'], c['photos'])}")
    lines += ["", RED_BLUE_NOTE]
    lines += ["", f"### Findings on true photos (contact sheet: `{sheet}`)", ""]
    for row in result["rows"]:
        if row["version"] == "true" and row["flagged"]:
            for f in row["findings"]:
                lines.append(f"- {row['dataset']}/{row['file']} (hint {row['hint']!r}): "
                             f"{f['kind']} {f['severity']}, box {f['box']}: {f['message']}")
            if row["file"] in JUDGED:
                lines.append(f"  - judged by eye: {JUDGED[row['file']]}")
    flagged_now = {r["file"] for r in result["rows"] if r["version"] == "true" and r["flagged"]}
    gone = [f"- {file}: {text}" for file, text in JUDGED.items() if file not in flagged_now]
    if gone:
        lines += ["", "Flagged before the change, judged by eye, no finding now:", "", *gone]
    lines += ["", *_cli_lines(result.get("cli")), "", *_benchmark_lines(), "",
              (f"Model {result['settings']['model'].get('name', '')}; "
              f"`{result['settings']['command']}` at {result['settings']['at']} "
              f"({result['settings']['seconds']} s)."), ""]
    return "\n".join(lines)


def _before_lines(before: dict[str, Any] | None, now: dict[str, Any]) -> list[str]:
    """Photos with a finding before the change (check-real-before.json) beside now's."""
    if before is None:
        return []
    lines = ["", f"Before the change ({before['note']}) and now, photos with any finding:", "",
             "| dataset | version | before | now |", "|---|---|---:|---:|"]
    for dataset, versions in before["summary"].items():
        for version, c in versions.items():
            after = now.get(dataset, {}).get(version, {"flagged": 0, "photos": 0})
            lines.append(f"| {dataset} | {version} | {_pct(c['flagged'], c['photos'])} | "
                         f"{_pct(after['flagged'], after['photos'])} |")
    return lines


def _cli_lines(cli: dict[str, Any] | None) -> list[str]:
    if cli is None:
        return ["Command-line cross-check: not run (--no-cli)."]
    return [f"Command-line cross-check (`chronochrome check PHOTO --original GRAY --hint H "
            f"--json`, a subprocess each): {cli['agree']} of {cli['runs']} runs give the same "
            f"exit code and finding kinds as the API" +
            (f"; differ: {', '.join(cli['differ'])}" if cli["differ"] else "") + "."]


def _benchmark_lines(path: Path = RESULTS_DIR / "check.json") -> list[str]:
    """The synthetic benchmark's headline as eval/results/check.json holds it now."""
    if not path.is_file():
        return ["Synthetic benchmark: eval/results/check.json absent."]
    s = json.loads(path.read_text(encoding="utf-8"))["summary"]
    return [BENCHMARK_AFTER, "", (
            "eval/results/check.json as it is now (regenerate it with `python -m eval.check` "
            f"after a change to colorizer/check): cases right {s['accuracy']:.1%} of "
            f"{s['cases']}, real-color-dev no finding {s['real_color_dev']['no_finding']:.1%}, "
            "calibration no finding "
            f"{s['calibration']['no_finding']:.1%}.")]


def cli_agreement(rows: list[dict[str, Any]], shared: Path, out: Path) -> dict[str, Any]:
    """Every flagged true photo and CLI_UNFLAGGED unflagged ones of each dataset, checked by
    `chronochrome check --json` in a subprocess: same exit code and kinds as the API?"""
    true = [r for r in rows if r["version"] == "true"]
    chosen = [r for r in true if r["flagged"]]
    for dataset in {r["dataset"] for r in true}:
        chosen += [r for r in true if r["dataset"] == dataset and not r["flagged"]][
            :CLI_UNFLAGGED]
    agree, differ = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for row in chosen:
            photo = shared / row["dataset"] / row["file"]
            gray = Path(tmp) / f"{Path(row['file']).stem}.gray.png"
            luminance_input(pixels(Image.open(photo).convert("RGB"))).save(gray)
            report = Path(tmp) / f"{Path(row['file']).stem}.json"
            command = [sys.executable, "-m", "colorizer.apps.cli", "check", str(photo),
                       "--original", str(gray), "--json", str(report), "--device", "cpu",
                       *(["--hint", row["hint"]] if row["hint"] else [])]
            done = subprocess.run(command, check=False, capture_output=True, text=True,
                                  timeout=600)
            kinds = ([f["kind"] for f in json.loads(report.read_text())["findings"]]
                     if report.is_file() else None)
            if done.returncode == int(row["flagged"]) and kinds == row["kinds"]:
                agree += 1
            else:
                differ.append(f"{row['file']} (exit {done.returncode}, {kinds})")
    return {"runs": len(chosen), "agree": agree, "differ": differ}
