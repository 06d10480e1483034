"""Real-writing benchmark: script, place and year read from writing in photos.

    python -m eval.real_writing [--limit N] [--generated N] [--out DIR] [--shared DIR]

1. The titled slides of real-color-dev (manifest rows with `text_on_image`: handwritten
   titles on Soviet slides, 240 x 180). The ContextEncoder sees the slide's luminance (what
   the colorizer is given) and nothing else: no hint, no caption, so every cue comes from the
   writing. Scored:
   - script: the ISO 15924 code of the transcribed title (Cyrillic for all but typed
     English notes, which are dropped: "(typed, added digitally)");
   - place, polity or finer: the manifest's `place_en`, resolved by the same gazetteer from
     its English text with the era, is the reference; the reading is right when its most
     specific place is on the reference's hierarchy or below it. `finer` asks more: right
     and below the top polity (not only "USSR"). Rows whose `place_en` the gazetteer does
     not resolve are not scored for place and are listed;
   - language, for the titles in Cyrillic: Russian (`SLIDE_LANGUAGE`), the ISO 639-3 code
     the encoder gives (none given counts as wrong);
   - year, for the titles that show one ("1979", "-81"): the era's first year within 2 of
     the manifest era's year (a year read in the image starts the era: the encoder dates a
     written year as "that year or up to 15 years later", context/hints.py).
   An `oracle` column runs the encoder on the transcription as if OCR had read it perfectly:
   what the gazetteer and date rules could reach with a perfect reading.
2. The Prokudin-Gorsky plates carry no writing on the image (their titles are catalogue
   captions): scored for false writing (a script or a year claimed from texture).
3. Generated titles (eval/writing_cases.py): gazetteer places with a year, in ten fonts,
   slanted, bent and rotated, on training photos; script, place and year as above.
4. Generated titles with a hard year (eval/year_cases.py): after a hyphen, on a line of its
   own, or its digits stacked in a column beside the name; scored as above.
5. Generated titles in handwriting faces (eval/hand_fonts.py: felt-tip print to cursive,
   a third in capitals), as 3; skipped, with a note, until `python -m eval.hand_fonts` has
   fetched the faces.
Writes eval/results/real-writing/real-writing.{json,md}. Never fit anything to these photos.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from context import ContextConfig, ContextEncoder, SceneContext
from context.line_script import LineScriptClassifier
from context.temporal import find_dates
from context.types import PlaceRef
from eval.common import (
    RESULTS_DIR,
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    luminance_input,
    missing_data,
    parse_eval_args,
    shared_datasets,
)
from eval.writing_cases import generated_cases
from eval.year_cases import year_cases

DEV, PG = "real-color-dev", "prokudin-gorsky"  # folders of --shared
OUT = RESULTS_DIR / "real-writing"
# The folder of --shared each set reads.
SET_FOLDERS = {"slides": DEV, "prokudin_gorsky": PG, "generated": TRAIN_PHOTOS,
               "generated_hands": TRAIN_PHOTOS, "generated_years": TRAIN_PHOTOS}
YEAR_TOLERANCE = 2
# The slides' Cyrillic titles are all Russian (their transcriptions: "Украина-1977", not
# Ukrainian "Україна"; "Львов", not "Львів"), so their language is scored against it.
SLIDE_LANGUAGE = "rus"
_SHORT_YEAR = re.compile(r"[\w.]\s*[-–—]\s*(\d\d)(?!\d)\s*(?:г\b|г\.|$)")


@dataclass(frozen=True)
class Truth:
    name: str
    text: str  # the writing, as transcribed
    script: str | None  # ISO 15924, None: no writing
    place_text: str | None  # English place description (resolved by the gazetteer)
    place_id: str | None  # or a gazetteer place id (generated cases)
    year: int | None  # the year the writing shows, None when it shows none
    era: tuple[int, int] | None
    language: str | None = None  # ISO 639-3 of the writing, None: not scored


def _clean(text: str) -> str:
    """The transcription without the transcriber's notes in brackets."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def shown_year(text: str) -> int | None:
    """The year the writing shows: a four-digit year or a two-digit one after a dash
    ("Молдова-81", "Крым - 73 г.")."""
    for d in find_dates(text):
        if d.kind in ("year", "date"):
            return d.start
    m = _SHORT_YEAR.search(text)
    return 1900 + int(m.group(1)) if m else None


def _era(value: str) -> tuple[int, int] | None:
    years = [int(y) for y in re.findall(r"\d{4}", value)]
    return (min(years), max(years)) if years else None


def slide_truths(shared: Path, limit: int | None = None) -> list[Truth]:
    rows = list(csv.DictReader((shared / DEV / "manifest.csv").open(encoding="utf-8")))
    out = []
    for r in rows:
        if not r["text_on_image"].strip():
            continue
        text = _clean(r["text_on_image"])
        era = _era(r["era"])
        year = shown_year(text)
        script = _script_of(text)
        out.append(Truth(r["file"], text, script, r["place_en"] or None, None,
                         year and (era[0] if era and era[0] == era[1] else year), era,
                         SLIDE_LANGUAGE if script == "Cyrl" else None))
    return out[:limit] if limit else out


def _script_of(text: str) -> str | None:
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in text)
    lat = sum(ch.isascii() and ch.isalpha() for ch in text)
    return None if not cyr + lat else ("Cyrl" if cyr >= lat else "Latn")


def _key(p) -> str:
    return p.wikidata or p.name


def _qids(ctx: SceneContext | None) -> list[str]:
    if ctx is None or ctx.region is None:
        return []
    return [_key(p) for p in ctx.region.hierarchy] or [ctx.region.name]


def _readings(ctx: SceneContext, era: tuple[int, int] | None) -> list[list]:
    """The hierarchies (PlaceRefs, finest first) a read place stands for. An undated place
    that changed hands names no state: its hierarchy stops at the place ("Ukraine") and its
    `candidates` list each polity with its period. Scored against the reference of another
    era the bare place never met a polity ("Ukraine" for "Ukrainian SSR, USSR", "Nakhchivan"
    for "Nakhichevan ASSR"), so it is read as each candidate whose period meets the truth's
    era: where it was is what is scored here, when is the year column's. A dated reading, or
    one without candidates, is its own hierarchy."""
    if ctx.region is None:
        return []
    own = list(ctx.region.hierarchy) or [PlaceRef(ctx.region.name, "region")]
    if ctx.era is not None or not ctx.region.candidates or era is None:
        return [own]
    out = [list(c.hierarchy) for c in ctx.region.candidates
           if c.start <= era[1] and (c.end is None or c.end >= era[0]) and c.hierarchy]
    return out or [own]


def _right_place(chain: list, ref: list[str], divided: bool = False
                 ) -> tuple[bool, bool, bool]:
    """(polity or finer, finer, strict) of one read hierarchy against the truth's (keys, finest
    first). Right at the polity level when the read place is on the truth's hierarchy, the
    truth's place is on the read one, or the first polity of the read hierarchy (the state
    that held the read place then) is on the truth's: "Russia" read for a 1980 slide of
    Moscow stands for the Russian SFSR, as "Ukraine, Ukrainian SSR, USSR" does for the
    Ukrainian SSR, and a bare "USSR" already counted. (Before, only the first two were
    counted, so the bare "USSR" was right and the finer "Ukraine, Ukrainian SSR, USSR"
    wrong: `place_strict` keeps that count.) Finer: the read place is on the truth's
    hierarchy and is not its outermost state. A place read as held at once by several
    states (`divided`: "Caucasus, Russian SFSR / Armenian SSR / ...") names no one state,
    so it gets no polity credit: which of them comes first says nothing."""
    keys = [_key(p) for p in chain]
    strict = keys[0] in ref or ref[0] in keys
    polity = None if divided else next((_key(p) for p in chain if p.kind == "polity"), None)
    return strict or polity in ref, strict and keys[0] != ref[-1], strict


def score(ctx: SceneContext, truth: Truth, reference: SceneContext | None) -> dict:
    """One row: what was read and whether script, place and year are right (None: not
    scored). `reference` is the context of the truth's place description."""
    got_script = ctx.script.code if ctx.script else None
    ref = _qids(reference)
    place_ok = fine_ok = strict_ok = None
    if ref:
        divided = ctx.region is not None and " / " in ctx.region.name  # gazetteer._divided
        judged = [_right_place(chain, ref, divided) for chain in _readings(ctx, truth.era)]
        place_ok, fine_ok, strict_ok = (any(j[k] for j in judged) for k in range(3))
    year_ok = None
    if truth.year is not None:
        era = ctx.era
        year_ok = era is not None and abs(era.start - truth.year) <= YEAR_TOLERANCE
    return {
        "name": truth.name, "truth_text": truth.text, "read": [t.text for t in ctx.text],
        "script": got_script, "script_truth": truth.script,
        "script_ok": got_script == truth.script,
        "place": ctx.region.name if ctx.region else None,
        "place_truth": reference.region.name if reference and reference.region else None,
        "place_ok": place_ok, "place_finer_ok": fine_ok, "place_strict_ok": strict_ok,
        "era": [ctx.era.start, ctx.era.end] if ctx.era else None,
        "year_truth": truth.year, "year_ok": year_ok,
        "language": ctx.language, "language_truth": truth.language,
        "language_ok": None if truth.language is None else ctx.language == truth.language,
    }


def _rate(rows: list[dict], key: str) -> dict:
    scored = [r for r in rows if r.get(key) is not None]
    right = sum(bool(r[key]) for r in scored)
    return {"right": right, "n": len(scored),
            "rate": round(right / len(scored), 3) if scored else None}


def summarize(rows: list[dict]) -> dict:
    keys = ("script_ok", "language_ok", "place_ok", "place_finer_ok", "place_strict_ok",
            "year_ok")
    out = {k.removesuffix("_ok"): _rate(rows, k) for k in keys}
    for k in keys:
        out[k.removesuffix("_ok")]["misses"] = [r["name"] for r in rows if r.get(k) is False]
    return out


def _reference(encoder: ContextEncoder, truth: Truth) -> SceneContext | None:
    if truth.place_text is None and truth.place_id is None:
        return None
    era = f"{truth.era[0]}-{truth.era[1]}" if truth.era else ""
    if truth.place_text:
        return encoder(None, caption=f"{truth.place_text} {era}")
    place = encoder.gazetteer.places[truth.place_id]
    return encoder(None, caption=f"{place.name} {era}")


def run_set(encoder: ContextEncoder, text_only: ContextEncoder,
            cases: list[tuple[Truth, Image.Image]], oracle: bool) -> tuple[list[dict], list]:
    rows, times = [], []
    for truth, image in cases:
        t = time.perf_counter()
        ctx = encoder(image)
        times.append(time.perf_counter() - t)
        row = score(ctx, truth, _reference(text_only, truth))
        if oracle:
            ideal = score(text_only(None, caption=truth.text), truth, _reference(text_only, truth))
            row["oracle"] = {k: ideal[k] for k in ("place", "place_ok", "place_strict_ok", "era",
                                                   "year_ok")}
        rows.append(row)
        print(f"  {truth.name[:34]:34s} script {row['script']!s:5} place "
              f"{_mark(row['place_ok'])} year {_mark(row['year_ok'])}  read {row['read']}")
    return rows, times


def _mark(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "XX")


def _gray(path: Path) -> Image.Image:
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    return luminance_input(rgb).convert("RGB")


def pg_cases(shared: Path, limit: int | None) -> list[tuple[Truth, Image.Image]]:
    folder = shared / PG
    if not (folder / "manifest.csv").exists():
        return []
    rows = list(csv.DictReader((folder / "manifest.csv").open(encoding="utf-8")))[:limit]
    return [(Truth(r["file"], "", None, None, None, None, (1905, 1915)),
             _gray(folder / r["file"])) for r in rows]


def write_report(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "real-writing.json").write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    lines = ["# Real-writing benchmark", "", f"encoder: {result['reader']}", ""]
    for name in ("slides", "generated", "generated_hands", "generated_years",
                 "prokudin_gorsky"):
        part = result.get(name)
        if not part:
            continue
        head = (f"## {name} ({len(part['rows'])} photos, context "
                f"{part['seconds_per_photo']:.2f} s/photo)")
        lines += [head, "",
                  "| | right | n | rate | misses |", "|---|---|---|---|---|"]
        for k, v in part["summary"].items():
            lines.append(f"| {k} | {v['right']} | {v['n']} | {v['rate']} | "
                         f"{', '.join(v['misses'][:40])} |")
        if "oracle" in part:
            lines += ["", f"oracle (perfect reading): {json.dumps(part['oracle'])}"]
        lines += ["", "| photo | writing | read | script | place | era | year |",
                  "|---|---|---|---|---|---|---|"]
        for r in part["rows"]:
            read = " / ".join(r["read"]).replace("|", "/")[:60]
            lines.append(f"| {r['name'][:36]} | {r['truth_text'][:40]} | {read} | "
                         f"{r['script']} ({_mark(r['script_ok'])}) | {r['place']} "
                         f"({_mark(r['place_ok'])}) | {r['era']} | {_mark(r['year_ok'])} |")
        lines.append("")
    (out / "real-writing.md").write_text("\n".join(lines), encoding="utf-8")


def _generated(cases: list) -> list[tuple[Truth, Image.Image]]:
    """Generated titles (eval/writing_cases.py, eval/year_cases.py) in the gray the reader
    is given."""
    return [(Truth(c.name, c.text, c.script, None, c.place, c.year, (c.year, c.year)),
             luminance_input(np.asarray(c.image, dtype=np.float32) / 255.0).convert("RGB"))
            for c in cases]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit", type=int, default=None, help="at most N slides and plates")
    p.add_argument("--generated", type=int, default=30, help="generated titles (0: none)")
    p.add_argument("--year-cases", type=int, default=24,
                   help="generated titles with a hard year (eval/year_cases.py; 0: none)")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--sets",
                   default="slides,prokudin_gorsky,generated,generated_hands,generated_years",
                   help="comma-separated sets to run")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--shape-weight", type=float, default=None,
                   help="the letter-shape classifier's say (ContextConfig.shape_weight)")
    p.add_argument("--shape-model", type=Path, default=None,
                   help="folder of other letter-shape weights than context/models (with "
                        "--shape-weight > 0)")
    add_shared_argument(p, f"{DEV}, {PG} and {TRAIN_PHOTOS} (as --sets reads them)")
    return p


def case_makers(args: argparse.Namespace, config: ContextConfig, shared: Path
                ) -> dict[str, Callable[[], list[tuple[Truth, Image.Image]]]]:
    """Each set's cases, made when called."""
    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))[::97]
    return {
        "slides": lambda: [(t, _gray(shared / DEV / t.name))
                           for t in slide_truths(shared, args.limit)],
        "prokudin_gorsky": lambda: pg_cases(shared, args.limit),
        "generated": lambda: _generated(generated_cases(config.data_dir, photos,
                                                        args.generated, args.seed)),
        "generated_hands": lambda: _generated(generated_cases(
            config.data_dir, photos, args.generated, args.seed, hands=True)),
        "generated_years": lambda: _generated(year_cases(config.data_dir, photos,
                                                         args.year_cases, args.seed)),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_eval_args(build_parser(), argv)
    shared, asked = shared_datasets(args)
    wanted = set(args.sets.split(","))
    if problem := absent_data(shared, *dict.fromkeys(f for name, f in SET_FOLDERS.items()
                                                     if name in wanted)):
        return missing_data(asked, "real_writing", problem)
    config = ContextConfig(embed=False)
    if args.shape_weight is not None:
        config = replace(config, shape_weight=args.shape_weight)
    encoder = ContextEncoder.from_default(config)
    if args.shape_model is not None and encoder.line_script is not None:
        encoder.line_script = LineScriptClassifier.from_pretrained(args.shape_model)
    text_only = ContextEncoder(config)
    result: dict = {"reader": encoder.reader.name if encoder.reader else "none"}
    for name, make in case_makers(args, config, shared).items():
        cases = make() if name in wanted else []
        if not cases:
            if name == "generated_hands" and name in wanted:
                print("generated_hands: skipped, no handwriting faces (python -m eval.hand_fonts)")
            continue
        print(f"{name}: {len(cases)} photos")
        rows, times = run_set(encoder, text_only, cases, oracle=name == "slides")
        part = {"rows": rows, "summary": summarize(rows),
                "seconds_per_photo": round(float(np.mean(times)), 3)}
        if name == "slides":
            part["oracle"] = {k: _rate([r["oracle"] for r in rows], k)
                              for k in ("place_ok", "place_strict_ok", "year_ok")}
        if name == "prokudin_gorsky":
            part["summary"] = {"false_writing": {
                "right": sum(r["script"] is not None for r in rows), "n": len(rows),
                "rate": round(sum(r["script"] is not None for r in rows) / len(rows), 3),
                "misses": [r["name"] for r in rows if r["script"] is not None]}}
        result[name] = part
        print(f"  {json.dumps({k: (v['right'], v['n']) for k, v in part['summary'].items()})}")
    write_report(result, args.out)
    print(f"wrote {args.out}/real-writing.{{json,md}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
