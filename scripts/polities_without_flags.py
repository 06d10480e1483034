"""List the gazetteer's polities that have no flag of their own in the curated base.

    python scripts/polities_without_flags.py [--flags configs/retrieval/flags.json]
                                             [--polities configs/context/polities.csv]

A polity has a flag of its own when an entry of kind flag, ensign or banner lists its id in
`regions`. Without one, a hint that reads the polity ("Yerevan 1970" -> Armenian SSR) can
only retrieve the flag of a polity above it (the USSR's) or none. One line per polity
(id, name, years), then the count, so a curation round can say what it covered.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAG_KINDS = ("flag", "ensign", "banner")


def polities_with_flags(flags_path: Path) -> set[str]:
    """Polity ids that some flag, ensign or banner entry lists in its regions."""
    data = json.loads(flags_path.read_text(encoding="utf-8"))
    return {region for entry in data["entries"] if entry["kind"] in FLAG_KINDS
            for region in entry["regions"]}


def polities_without_flags(flags_path: Path, polities_path: Path) -> tuple[list[dict], int]:
    """(the polity rows with no flag of their own, in the gazetteer's order; all polities)."""
    with polities_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    covered = polities_with_flags(flags_path)
    return [r for r in rows if r["id"] not in covered], len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=Path, default=ROOT / "configs/retrieval/flags.json")
    parser.add_argument("--polities", type=Path,
                        default=ROOT / "configs/context/polities.csv")
    args = parser.parse_args(argv)
    for path in (args.flags, args.polities):
        if not path.is_file():
            print(f"error: {path} is not a file; pass --flags/--polities with the curated "
                  "flags.json and the gazetteer's polities.csv", file=sys.stderr)
            return 2
    missing, total = polities_without_flags(args.flags, args.polities)
    for row in missing:
        years = f"{row['start']}-{row['end']}" if row["end"] else f"{row['start']}-"
        print(f"{row['id']}\t{row['name']}\t{years}")
    print(f"{len(missing)} of {total} polities have no flag of their own")
    return 0


if __name__ == "__main__":
    sys.exit(main())
