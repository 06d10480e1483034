"""The floor below which a scene label is neither shown nor used, calibrated on labeled photos.

    python -m eval.scene_floor                 # writes eval/results/scene-floor.{json,md}
    python -m eval.scene_floor --shared DIR    # DIR/photos-train (default: ../shared/datasets)

The context encoder reads ImageNet labels of the photo's gray version (`colorizer.model.scene`)
and shows the top ones as evidence ("volcano 0.05" on a Soviet slide was noise). Whether a
label can be trusted is measured here on photos whose true ImageNet class is known: the
`inet1k` (one photo per class) and `imagenette` (ten classes) photos of `photos-train`, each
reduced to its luminance as the encoder sees it. Never real-color-dev.

For each floor p, over the top-5 labels of every photo: precision = share of labels with
probability >= p that are the photo's true class; coverage = share of photos with at least one
such label. Precision is a lower bound on "the label is right": a photo of a church may be
called "monastery", which counts as wrong here.

The rule, written before the figures were looked at: the floor is the smallest p of
`FLOORS` at which precision reaches `MIN_PRECISION` (0.7): a label shown to a historian as
evidence should be right at least seven times in ten. `context.config.ContextConfig`'s
`scene_min_score` is set to that floor.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from PIL import Image

from eval.common import add_shared_argument, missing_data, parse_eval_args, shared_datasets

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "eval" / "results"
FLOORS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_PRECISION = 0.7
TOP_K = 5
# imagenette's ten classes: their ImageNet-1k indices (the standard class order).
IMAGENETTE = {"n01440764": 0, "n02102040": 217, "n02979186": 482, "n03000684": 491,
              "n03028079": 497, "n03394916": 566, "n03417042": 569, "n03425413": 571,
              "n03445777": 574, "n03888257": 701}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def labeled_photos(root: Path) -> list[tuple[Path, int]]:
    """(photo, true ImageNet index) for inet1k (by class name) and imagenette (by wnid)."""
    classes = REPO / "configs" / "context" / "imagenet_classes.txt"
    names = [line.strip() for line in classes.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(_norm(name), i)
    found = []
    for path in sorted(root.glob("inet1k__*.jpg")):
        name = path.stem.split("__", 1)[1].split("_", 1)[1]
        if _norm(name) in index:
            found.append((path, index[_norm(name)]))
    for path in sorted(root.glob("imagenette__*.jpg")):
        wnid = re.search(r"(n\d{8})", path.name)
        if wnid and wnid.group(1) in IMAGENETTE:
            found.append((path, IMAGENETTE[wnid.group(1)]))
    return found


def predictions(photos: list[tuple[Path, int]]) -> list[list[tuple[float, bool]]]:
    """Per photo, its top-5 (probability, is the true class) on the gray version."""
    from colorizer.model.encoder import load_imagenet_encoder
    from colorizer.model.scene import ImageNetSceneClassifier

    classifier = ImageNetSceneClassifier(load_imagenet_encoder(include_head=True), top_k=TOP_K)
    out = []
    for path, truth in photos:
        with Image.open(path) as image:
            gray = image.convert("L")
        out.append([(prob, idx == truth) for idx, prob in classifier(gray)])
    return out


def table(preds: list[list[tuple[float, bool]]]) -> list[dict[str, float]]:
    rows = []
    for floor in FLOORS:
        shown = [right for photo in preds for prob, right in photo if prob >= floor]
        covered = sum(any(prob >= floor for prob, _ in photo) for photo in preds)
        rows.append({"floor": floor, "labels": len(shown),
                     "precision": round(sum(shown) / len(shown), 4) if shown else None,
                     "coverage": round(covered / max(1, len(preds)), 4)})
    return rows


def choose(rows: list[dict[str, float]]) -> dict[str, float] | None:
    return next((r for r in rows if r["precision"] is not None
                 and r["precision"] >= MIN_PRECISION), None)


def markdown(rows: list[dict[str, float]], chosen: dict[str, float] | None, n: int) -> str:
    lines = ["# Scene-label floor (`python -m eval.scene_floor`)", "",
             (f"{n} labeled photos of photos-train (inet1k + imagenette), gray, top-{TOP_K} "
             f"labels each. Rule: the smallest floor with precision >= {MIN_PRECISION}."), "",
             "| floor | labels shown | precision | photos with a label |", "|---:|---:|---:|---:|"]
    lines += [f"| {r['floor']} | {r['labels']} | {r['precision']} | {r['coverage']:.0%} |"
              for r in rows]
    verdict = (f"**Chosen floor: {chosen['floor']}** (precision {chosen['precision']}, a label "
               f"on {chosen['coverage']:.0%} of the photos)" if chosen
               else "No floor reaches the precision: no scene label is shown.")
    return "\n".join([*lines, "", verdict, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.scene_floor", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="first N labeled photos")
    parser.add_argument("--out", type=Path, default=OUT)
    add_shared_argument(parser, "photos-train/")
    args = parse_eval_args(parser, argv)
    shared, asked = shared_datasets(args)
    photos = labeled_photos(shared / "photos-train")[: args.limit]
    if not photos:
        return missing_data(asked, "scene_floor", "no labeled photos (inet1k__*, imagenette__*) "
                            f"under {shared / 'photos-train'}")
    rows = table(predictions(photos))
    chosen = choose(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scene-floor.json").write_text(json.dumps(
        {"photos": len(photos), "top_k": TOP_K, "min_precision": MIN_PRECISION,
         "rows": rows, "chosen": chosen}, indent=1) + "\n", encoding="utf-8")
    text = markdown(rows, chosen, len(photos))
    (args.out / "scene-floor.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
