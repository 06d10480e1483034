"""Join fitted flag finders into one file whose finder is the mean of their probabilities.

    python -m colorizer.training.flag_finder_ensemble --out FOLDER A B C

A, B, C are folders with a `flag_finder.safetensors` each (single heads of one shape, e.g. fits
of one recipe that differ only in `train_flag_finder --fit-seed`); FOLDER gets the joined
`flag_finder.safetensors` (rule 55 of eval/operating_point_rules.md). FOLDER may not be one of
the members: their files are inputs, never overwritten.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder

PROG = "python -m colorizer.training.flag_finder_ensemble"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def join(members: list[Path], out: Path) -> Path:
    """Write the ensemble of the finders in `members` (folders) into `out`."""
    if any(m.resolve() == out.resolve() for m in members):
        raise ValueError(f"--out {out} is one of the members: write the ensemble elsewhere")
    finders = [FlagFinder.from_pretrained(m) for m in members]
    model = FlagFinder.ensemble(finders)
    sources = [{"folder": str(m), "sha256": _sha256(m / FLAG_FINDER_FILE)} for m in members]
    return model.save_pretrained(out, metadata={"members": json.dumps(sources)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="folder that gets the joined flag_finder.safetensors")
    parser.add_argument("members", type=Path, nargs="+",
                        help="folders with a flag_finder.safetensors each (two or more)")
    args = parser.parse_args(argv)
    try:
        path = join(args.members, args.out)
    except (FileNotFoundError, ValueError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({len(args.members)} members)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
