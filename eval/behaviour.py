"""Behaviour fingerprint: did a change that should not change the colors change them?

    python -m eval.behaviour --out /tmp/before.json              # on the old code
    python -m eval.behaviour --out /tmp/after.json --compare /tmp/before.json

Colorizes a fixed set through the public API only (`ColorizationPipeline.from_pretrained()`,
`pipe(image, hints=...)`), so the same command runs before and after a refactor: the packaged
sample photos and the first real-color-dev photos under three hints (none, right, a nonsense
one), each recorded as the SHA-256 of its output pixels plus the result's JSON without timings.
`--compare` lists every case whose pixels or report differ and exits 1 when any does.
`--shared DIR` reads real-color-dev (and the user exemplar, from photos-train) there instead of
../shared/datasets; without them at the default, only the sample photos are fingerprinted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer import ColorizationPipeline
from eval.common import (
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    fail,
    parse_eval_args,
    shared_datasets,
)

REAL_COLOR_DEV = "real-color-dev"  # a folder of --shared
HINTS = {"none": None, "right": None, "nonsense": "asdfgh qwerty"}
TIMING_KEYS = {"timings", "seconds", "elapsed_s", "created"}  # differ on every run


def _without_timings(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def cases(limit: int, shared: Path) -> list[tuple[str, Image.Image, str | None]]:
    """(name, gray image, hint) for the fixed set; photos come in as bare 8-bit gray images."""
    from colorizer.apps.samples import sample_photos

    found: list[tuple[str, Image.Image, str | None]] = []
    for path in sample_photos():
        found.append((f"sample:{path.name}", Image.open(path).convert("L"), None))
    manifest = shared / REAL_COLOR_DEV / "manifest.csv"
    if manifest.is_file():
        import csv

        with manifest.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        # two old color prints (no place in the manifest) and slides with a place and an era
        rows = rows[:2] + [row for row in rows if row["place_en"] and row["era"]][:limit]
        for row in rows:
            gray = Image.open(shared / REAL_COLOR_DEV / row["file"]).convert("L")
            right = " ".join(x for x in (row["place_en"], row["era"][:4]) if x) or None
            for condition, hint in HINTS.items():
                hint = right if condition == "right" else hint
                found.append((f"real:{row['file']}:{condition}", gray, hint))
    return found


def user_exemplar(shared: Path) -> Image.Image | None:
    """A color photo as the user's own reference (exercises the attended path)."""
    photos = sorted((shared / TRAIN_PHOTOS).rglob("*.jpg"))
    return Image.open(photos[0]).convert("RGB") if photos else None


def fingerprint(limit: int, shared: Path) -> dict[str, dict[str, object]]:
    pipe = ColorizationPipeline.from_pretrained()
    record: dict[str, dict[str, object]] = {}
    exemplar = user_exemplar(shared)
    work = [(name, gray, hint, ()) for name, gray, hint in cases(limit, shared)]
    if exemplar is not None and work:
        work.append((f"{work[0][0]}:user-exemplar", work[0][1], "USSR 1950", (exemplar,)))
    for name, gray, hint, exemplars in work:
        result = pipe(gray, hints=hint, exemplars=exemplars)
        pixels = np.asarray(result.image.convert("RGB"))
        report = _without_timings(result.to_dict())
        record[name] = {"pixels_sha256": hashlib.sha256(pixels.tobytes()).hexdigest(),
                        "report": report}
        print(f"{name}: {record[name]['pixels_sha256'][:16]}", flush=True)
    return record


def _differing_keys(a: object, b: object, path: str = "") -> set[str]:
    """Dotted paths where two JSON values differ (a whole list counts as one value)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: set[str] = set()
        for key in set(a) | set(b):
            found |= _differing_keys(a.get(key), b.get(key), f"{path}.{key}".lstrip("."))
        return found
    return set() if a == b else {path or "(root)"}


def compare(now: dict[str, dict[str, object]], before: dict[str, dict[str, object]]) -> int:
    differ = 0
    for name in sorted(set(now) | set(before)):
        a, b = before.get(name), now.get(name)
        if a is None or b is None:
            print(f"only {'after' if a is None else 'before'}: {name}")
            differ += 1
            continue
        if a["pixels_sha256"] != b["pixels_sha256"]:
            print(f"pixels differ: {name}")
            differ += 1
        keys = sorted(_differing_keys(a["report"], b["report"]))
        if keys:
            print(f"report differs at {', '.join(keys)}: {name}")
            differ += 1
    print(f"{len(now)} cases, {differ} differences")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.behaviour", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    parser.add_argument("--limit", type=int, default=6, help="real-color-dev photos (default 6)")
    add_shared_argument(parser, f"{REAL_COLOR_DEV}/ and {TRAIN_PHOTOS}/")
    args = parse_eval_args(parser, argv, out_is_folder=False)
    shared, asked = shared_datasets(args)
    if asked and (problem := absent_data(shared, REAL_COLOR_DEV, TRAIN_PHOTOS)):
        raise fail(problem)  # typed: the data must be there (the default may lack it)
    record = fingerprint(args.limit, shared)
    args.out.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    if args.compare is None:
        return 0
    return 1 if compare(record, json.loads(args.compare.read_text(encoding="utf-8"))) else 0


if __name__ == "__main__":
    sys.exit(main())
