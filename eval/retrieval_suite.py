"""Retrieval suite: hint and image queries with the exemplars they should retrieve.

    python -m eval.retrieval_suite [--k 5] [--out results.json] [--no-shared] [--shared DIR]

Libraries: the curated default library (MiniLM text + Lite0 luminance visual index, built
into the cache on first use) and, when --shared holds them (default ../shared/datasets; a
typed --shared must), a library built from the Prokudin-Gorsky plates (Russian Empire,
1905-1915).

A case lists `expect`ed exemplar ids and how many of them (`need`) must be in the top k for
full credit; its recall is min(found, need) / need, and the suite reports the mean (recall@k).
Image queries are degraded copies (gray, cropped, rotated, blurred, JPEG) of exemplar images
or of plates, so they test retrieval from the luminance of a photo, not a lookup.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from eval.common import (
    SHARED_DATASETS,
    absent_data,
    add_shared_argument,
    fail,
    parse_eval_args,
    shared_datasets,
)

PG = "prokudin-gorsky"  # a folder of --shared


@dataclass(frozen=True)
class Case:
    name: str
    expect: tuple[str, ...]
    need: int = 0  # 0 = all of `expect` (capped at k)
    hint: str | None = None
    image: str | None = None  # "exemplar:<id>" or "pg:<file>"
    library: str = "default"  # "default" | "pg"
    tags: tuple[str, ...] = field(default_factory=tuple)


def _h(hint, *expect, need=0):
    return Case(f"hint: {hint}", tuple(expect), need, hint=hint, tags=("hint",))


HINT_CASES = [
    _h("USSR 1950", "ussr_state_flag", "soviet_red_banner", need=1),
    _h("France 1916", "french_horizon_blue", "france_tricolore"),
    _h("Russian Empire 1910", "russian_empire_tricolour", "russian_imperial_khaki"),
    _h("Kazan 1950s", "tatar_assr_flag_1954", "tatar_assr_flag_1937", need=1),
    _h("Kazan 1940", "tatar_assr_flag_1937"),
    _h("Tatarstan 2000", "tatarstan_flag"),
    _h("Berlin 1914", "german_empire_flag", "german_feldgrau_1910"),
    _h("Weimar Republic 1925", "weimar_flag", "german_feldgrau_1919"),
    _h("Nazi Germany 1940", "nazi_germany_flag", "german_feldgrau_1919"),
    _h("East Germany 1970", "east_germany_flag"),
    _h("West Germany 1960", "west_germany_flag"),
    _h("Austria-Hungary 1910", "austria_hungary_civil_ensign", "habsburg_black_yellow",
       "austro_hungarian_pike_grey", need=2),
    _h("Austria-Hungary 1917", "austro_hungarian_field_grey"),
    _h("Austria 1925", "first_austrian_republic_flag"),
    _h("Ottoman Empire 1900", "ottoman_flag"),
    _h("Turkey 1950", "turkey_flag"),
    _h("Qing dynasty 1900", "qing_yellow_dragon_flag"),
    _h("Republic of China 1915", "five_races_flag"),
    _h("Republic of China 1935", "roc_flag"),
    _h("China 1960", "prc_flag"),
    _h("Empire of Japan 1930", "hinomaru", "rising_sun_flag", "japanese_army_khaki", need=2),
    _h("Tokyo 1960", "hinomaru"),
    _h("Kingdom of Italy 1915", "kingdom_of_italy_flag", "italian_grigio_verde"),
    _h("Italy 1960", "italy_flag"),
    _h("London 1916", "union_flag", "british_khaki_service_dress"),
    _h("Victorian London 1880", "british_scarlet_tunic", "union_flag"),
    _h("United States 1918", "us_flag_48", "us_olive_drab"),
    _h("American Civil War", "us_flag_1861", "union_army_blue", "confederate_battle_flag",
       "confederate_cadet_grey", need=3),
    _h("USA 1975", "us_flag_50"),
    _h("Paris 1914", "french_madder_red_1914", "france_tricolore"),
    _h("Prussia 1890", "prussia_flag", "prussian_blue_tunic"),
    _h("Poland 1930", "poland_flag"),
    _h("Czechoslovakia 1968", "czechoslovakia_flag"),
    _h("Finland 1939", "finland_flag"),
    _h("Yugoslavia 1970", "sfr_yugoslavia_flag"),
    _h("Red Army soldiers 1943", "soviet_khaki_gymnastyorka", "soviet_red_star", need=1),
    _h("Soviet navy sailors 1960", "soviet_naval_ensign"),
    _h("Ukrainian SSR 1960", "ukrainian_ssr_flag"),
    _h("Byelorussian SSR 1965", "byelorussian_ssr_flag"),
    _h("Royal Navy ensign 1940", "white_ensign"),
    _h("St. Petersburg 1900", "russian_empire_tricolour"),
    _h("Moscow 1980", "ussr_state_flag", "soviet_red_banner", need=1),
]
IMAGE_IDS = ("ussr_state_flag", "france_tricolore", "union_flag", "us_flag_48", "hinomaru",
             "rising_sun_flag", "german_empire_flag", "roc_flag", "confederate_battle_flag",
             "prc_flag")
IMAGE_CASES = [Case(f"image: {i}", (i,), image=f"exemplar:{i}", tags=("image",))
               for i in IMAGE_IDS] + [
    Case("image+hint: ussr_state_flag, Moscow 1950", ("ussr_state_flag",),
         hint="Moscow 1950", image="exemplar:ussr_state_flag", tags=("image", "hint")),
    Case("image+hint: french_horizon_blue, France 1917", ("french_horizon_blue",),
         hint="France 1917", image="exemplar:french_horizon_blue", tags=("image", "hint")),
]
PG_FILES = ("pg_00106v.jpg", "pg_00125.jpg", "pg_00149.jpg", "pg_00351.jpg")


def pg_cases(manifest: Path) -> list[Case]:
    import csv

    with manifest.open(encoding="utf-8", newline="") as f:
        stems = [Path(r["file"]).stem for r in csv.DictReader(f)]
    cases = [Case("pg hint: Russian Empire 1910", tuple(stems), need=5,
                  hint="Russian Empire 1910", library="pg", tags=("hint", "pg"))]
    chosen = list(PG_FILES) + [s + ".jpg" for s in stems[10:40:6]]
    cases += [Case(f"pg image: {f}", (Path(f).stem,), image=f"pg:{f}", library="pg",
                   tags=("image", "pg")) for f in chosen]
    return cases


def degrade(image: Image.Image, seed: int) -> Image.Image:
    """A gray, cropped, slightly rotated, blurred, JPEG-compressed copy."""
    rng = np.random.default_rng(seed)
    g = image.convert("L")
    w, h = g.size
    f = rng.uniform(0.8, 0.9)
    cw, ch = int(w * f), int(h * f)
    x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    g = g.crop((x0, y0, x0 + cw, y0 + ch)).rotate(float(rng.uniform(-3, 3)), Image.BILINEAR,
                                                 fillcolor=128)
    g = g.filter(ImageFilter.GaussianBlur(0.8)).resize((int(cw * 0.8), int(ch * 0.8)))
    buf = io.BytesIO()
    g.save(buf, "JPEG", quality=50)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def run(k: int = 5, use_shared: bool = True, shared: Path = SHARED_DATASETS) -> dict:
    from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
    from context.config import ContextConfig
    from context.embedding import MiniLMEmbedder
    from context.encoder import ContextEncoder
    from context.gazetteer import load_gazetteer
    from retrieval.archive import ArchiveDefaults, archive_records
    from retrieval.knowledge import cache_root, default_library
    from retrieval.library import ExemplarLibrary
    from retrieval.regions import RegionResolver
    from retrieval.retriever import ExemplarRetriever

    text, visual = MiniLMEmbedder(), LuminanceEncoderEmbedder()
    resolver = RegionResolver(load_gazetteer(ContextConfig().data_dir))
    t0 = time.perf_counter()
    libraries = {"default": default_library(text, visual, resolver)}
    cases = HINT_CASES + IMAGE_CASES
    pg_dir = shared / PG
    if use_shared and pg_dir.is_dir():
        folder = cache_root() / "suite" / "prokudin-gorsky"
        if (folder / "library.json").exists():
            libraries["pg"] = ExemplarLibrary.load(folder, text, visual)
        else:
            records = archive_records(pg_dir, pg_dir / "manifest.csv", resolver,
                                      ArchiveDefaults(era=(1905, 1915), region="Russian Empire"))
            libraries["pg"] = ExemplarLibrary.build(folder, records, text, visual,
                                                    name="prokudin-gorsky")
        cases += pg_cases(pg_dir / "manifest.csv")
    setup_s = time.perf_counter() - t0
    retrievers = {n: ExemplarRetriever(lib, resolver, text, visual) for n, lib in libraries.items()}
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))

    rows = []
    for i, case in enumerate(cases):
        retriever = retrievers[case.library]
        context = encoder(None, hint=case.hint) if case.hint else None
        image = None
        if case.image:
            kind, name = case.image.split(":", 1)
            path = (retriever.library.image_path(retriever.library[name]) if kind == "exemplar"
                    else pg_dir / name)
            image = degrade(Image.open(path), seed=i)
        if case.hint:
            hits = retriever(context, image=image, k=k, query_text=case.hint)
        else:  # image alone: what `library search --image` shows
            hits = retriever.search_image(image, k=k)
        top = [h.id for h in hits]
        need = min(case.need or len(case.expect), k)
        found = len(set(top) & set(case.expect))
        rows.append({"case": case.name, "tags": list(case.tags), "recall": min(found, need) / need,
                     "expect": list(case.expect)[:8], "need": need, "top": top,
                     "scores": [h.score for h in hits]})
    recall = float(np.mean([r["recall"] for r in rows]))
    by_tag = {t: round(float(np.mean([r["recall"] for r in rows if t in r["tags"]])), 4)
              for t in ("hint", "image", "pg") if any(t in r["tags"] for r in rows)}
    return {"k": k, "cases": len(rows), f"recall@{k}": round(recall, 4), "by_tag": by_tag,
            "setup_seconds": round(setup_s, 1),
            "libraries": {n: len(lib) for n, lib in libraries.items()},
            "misses": [r for r in rows if r["recall"] < 1], "rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--out", help="write the full report (every case) as JSON")
    p.add_argument("--no-shared", action="store_true", help="skip the Prokudin-Gorsky cases")
    add_shared_argument(p, f"{PG}/ (its cases)")
    args = parse_eval_args(p, argv, out_is_folder=False)
    shared, asked = shared_datasets(args)
    if asked and not args.no_shared and (problem := absent_data(shared, PG)):
        raise fail(problem)  # typed: the plates must be there (the default may lack them)
    report = run(args.k, not args.no_shared, shared)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False))
    summary = {k: v for k, v in report.items() if k != "rows"}
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
