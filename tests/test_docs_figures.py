"""The README's figures are the committed results' and the code's: each quoted benchmark
figure is checked against the `eval/results` file it comes from, and each default it states
against the config that holds it. A rerun that moves a figure, or a default changed in code,
fails here until the README says the same."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "eval/results"


def _readme() -> str:
    # One line per paragraph: a quoted phrase may wrap anywhere in the file.
    return " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


# (what the README says, the results file, what that file says)
QUOTED = [
    ("**89.6% right** with the shipped default `gen-v10`", "check.md", "| cases right (wrong flagged + right passed) | 89.6% of 48 |"),
    ("21/24 wrong flagged", "check.md", "| wrong colorizations flagged | 21/24 |"),
    ("22/24 right passed", "check.md", "| right colorizations passed | 22/24 |"),
    ("**94.7% with no finding**", "check.md", "| real-color-dev photos with no finding | 94.7%"),
    ("(seeds 1 and 2: 93.8% and 87.5% right at the chosen cloth evidence 0.6",
     "check-calibration.md", "| 0.4 | 0.6 | 33 | 5.0% | 5.4% | 90.6% | 93.8% | 87.5% |"),
    ("**194/194** rendered; 6 photos with a finding", "check-reports.md",
     "194/194 photos rendered"),
    ("6 photos with a finding", "check-reports.md", "Photos with at least one finding: 6."),
    ("cut the mean CIEDE2000 of 20 val photos by 28.6%", "color-hints.md",
     "| 5 points | 6.964 | 28.6% |"),
    ("one point by 3.8%", "color-hints.md", "| 1 point | 9.375 | 3.8% |"),
    ("costs 14.5% of a fresh run", "color-hints.md", "edit / fresh: median 14.5%"),
    ("`python -m eval.bad_http` sends 133 requests", "bad-http.md",
     "133 requests against `chronochrome serve`"),
    ("**0/194** photos", "blobs/blobs.md", "**Photos with isolated blobs: 0/194"),
    ("**138/194 outputs read as gray**", "blobs/blobs.md", "138/194 outputs read as gray"),
    ("mean C\\* 1.86 over the photos, median 0.92", "blobs/blobs.md",
     "mean C* 1.86 over the photos (median 0.92"),
    ("Held-out photos (96): 9.87 against gray 10.84", "latest-heldout.md",
     "| default gen-v10 | 23.81 | 0.9343 | 9.87 |"),
    ("9.87 against gray 10.84", "latest-heldout.md", "| gray baseline | 23.18 | 0.9304 | 10.84 |"),
    ("mean skin hue 2.6° from the truth's, skin chroma 87% of it", "faces.md",
     "Hue gap 2.6 deg (target <= 10; median per face 8.1), chroma 87% of the truth's"),
    ("**36/39 script, 29/38 place (polity or finer), 9/12 year within 2**",
     "real-writing/real-writing.md", "| script | 36 | 39 |"),
    ("29/38 place", "real-writing/real-writing.md", "| place | 29 | 38 |"),
    ("9/12 year within 2", "real-writing/real-writing.md", "| year | 9 | 12 |"),
    ("the Soviet flag is red in **24/24** scenes with the hint \"USSR 1950\"", "flags.md",
     "| Soviet flag · hint \"USSR 1950\" · red | 24 | 24 |"),
    ("in **15/30** with their hint", "flags.md", "| other flags · own hint · own colors | 30 | 15 |"),
    ("and 16/30 with only a caption", "flags.md",
     "| other flags · caption drawn, no hint · own colors | 30 | 16 |"),
    ("Soviet red **26/60** with the hint", "flag-scenes/flag_scenes.md",
     "| Soviet red with hint \"USSR 1950\" | 26/60"),
    ("calibrated on 2061 labeled gray photos", "scene-floor.md", "2061 labeled photos"),
    ("75% at the chosen 0.25", "scene-floor.md", "**Chosen floor: 0.25** (precision 0.7472"),
]


@pytest.mark.parametrize(("said", "name", "source"), QUOTED, ids=[q[0][:40] for q in QUOTED])
def test_a_quoted_figure_is_the_committed_results(said: str, name: str, source: str):
    assert said in _readme(), f"README no longer says {said!r}"
    assert source in (RESULTS / name).read_text(encoding="utf-8"), (
        f"eval/results/{name} no longer says {source!r}: rerun or correct the README's {said!r}")


def _rows(text: str) -> dict[tuple[str, str], list[str]]:
    """(dataset, condition) -> the row's cells, for the markdown rows of a results table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and cells[1] in ("no hint", "right hint", "wrong hint"):
            rows[(cells[0], cells[1])] = cells[2:]
    return rows


def test_the_real_photo_table_is_the_benchmarks_summary():
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("<!-- real-table -->")[1]
    readme, summary = _rows(table.split("\n\n")[0]), _rows(
        (RESULTS / "real/summary.md").read_text(encoding="utf-8"))
    dataset = "real-color-dev"
    for condition in ("no hint", "right hint", "wrong hint"):
        name = f"{dataset} (57)" if condition == "no hint" else ""
        # README: ΔE00, gray, CF %, vivid, red; summary: n first, then the same five.
        assert readme[(name, condition)][:5] == summary[(dataset, condition)][1:6], condition
    assert readme[("Prokudin-Gorsky (54)", "no hint")][:5] == \
        summary[("prokudin-gorsky", "no hint")][1:6]


# (what the README says, the value in code it states)
def _defaults() -> list[tuple[str, Callable[[str], object], object]]:
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.check.config import CheckConfig
    from colorizer.pipeline.batching import DEFAULT_MAX_BATCH
    from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS
    from context.config import ContextConfig
    from context.script import LANGUAGE_AGREE_LETTERS, LANGUAGE_MIN_LETTERS

    service, check = ServiceConfig(), CheckConfig()
    return [
        (r"at least (\d+)% as likely as its best \(`min_documented`\)",
         float, check.min_documented * 100),
        (r"gray field share ([\d.]+), gate", float, check.gray_field),
        (r"\(`lease_seconds`, (\d+)\)", float, service.lease_seconds),
        (r"one interrupted (\d+) times fails", int, service.max_attempts),
        (r"valid link_ttl_seconds, (\d+) days", lambda d: float(d) * 86400,
         service.link_ttl_seconds),
        (r"`job_max_items` \((\d+)\)", int, service.job_max_items),
        (r"`request_timeout_seconds` \((\d+)\)", float, service.request_timeout_seconds),
        (r"`header_timeout_seconds` \((\d+),", float, service.header_timeout_seconds),
        (r"above max_upload_bytes \((\d+) MiB\)", lambda m: int(m) * 2**20,
         service.max_upload_bytes),
        (r"passes of at most (\d+) photos, `GeneratorRunner.max_batch`", int, DEFAULT_MAX_BATCH),
        (r"files above ([\d,]+) pixels", lambda n: int(n.replace(",", "")), DEFAULT_MAX_PIXELS),
        (r"A claim now needs (\d+) Cyrillic letters", int, LANGUAGE_MIN_LETTERS),
        (r"under (\d+) Cyrillic letters \(`context.script.LANGUAGE_AGREE_LETTERS`\)", int,
         LANGUAGE_AGREE_LETTERS),
        (r"\(`ContextConfig.shape_weight` (\d+);", float, ContextConfig().shape_weight),
        (r"precision of the top-5 labels: 33% at 0.05, 75% at the chosen ([\d.]+)", float,
         ContextConfig().scene_min_score),
    ]


def test_a_stated_default_is_the_codes():
    text = _readme()
    wrong = []
    for pattern, parse, value in _defaults():
        found = re.search(pattern, text)
        assert found, f"README no longer says {pattern!r}"
        if parse(found.group(1)) != value:
            wrong.append(f"{found.group(0)!r}: the code's value is {value}")
    assert not wrong, wrong


def test_the_check_finder_the_layout_names_is_the_model_cards():
    card = (ROOT / "colorizer/weights/check/MODEL_CARD.md").read_text(encoding="utf-8")
    said = re.search(r"the check's own flag finder \(fitted on `([\w-]+)`'s encoder", _readme())
    assert said and f"fitted again on `{said.group(1)}`'s encoder" in card, said


def _json(name: str) -> dict:
    import json

    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def test_the_speed_figures_are_the_committed_measurements():
    text, speed = _readme(), _json("speed.json")["cpu"]
    said = (f"`eval/results/speed.json`) {speed['median_s']:.2f} s per 512-px photo without "
            f"context, {speed['median_s_with_context']:.2f} s with context and retrieval, "
            f"{speed['median_s_with_retrieved_absent']:.2f} s with 4 retrieved flags not in "
            f"the photo, {speed['median_s_with_exemplars']:.2f} s with 4 exemplars of your own")
    assert said in text, said
    start = _json("start.json")
    assert f"import neither torch nor numpy ({start['help_s']:.2f} s," in text
    gpu = _json("throughput.json")
    fp32 = gpu["cuda-fp32-b32-t8"]["cases"][0]["photos_per_s"]
    first = gpu["cuda-bf16-b32"]["cases"][0]["photos_per_s"]
    assert f"{first:.1f} over the first 128), {fp32:.1f} in fp32" in text


def test_the_model_cards_held_out_row_is_the_committed_report():
    """ΔE00, colorfulness and blue share of the shipped weights on the 96 held-out photos."""
    card = (ROOT / "colorizer/weights/default/MODEL_CARD.md").read_text(encoding="utf-8")
    row = next(line for line in (RESULTS / "latest-heldout.md").read_text().splitlines()
               if line.startswith("| default gen-v10 |")).split("|")
    delta_e, colorfulness, blue = row[4].strip(), row[5].strip(), row[8].strip()
    assert f"| | **gen-v10** | **{delta_e}** (0.911×) | {colorfulness} (29%) | {blue} |" in card
