"""Validation loss of several checkpoints on one footing: the same photos, the same class weights.

A training log scores validation with its own run's class weights (they follow the run's photo
mix), so two runs' logged figures cannot be compared. This scores every checkpoint with the
class weights stored in one reference checkpoint, on all validation photos of
`photos-train`, at several crop sizes (the render size among them: a model trained on small
crops can be better at 224 px and worse at 320):

    python -m eval.val_loss colorizer/weights/default runs/gpu-v8-out --sizes 112 224 320
    python -m eval.val_loss W1 W2 --shared DIR    # DIR/photos-train (default: ../shared/datasets,
                                                  # the training configs' data_dir)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from colorizer.model.generator import ColorGenerator
from colorizer.training.data import PhotoBank
from colorizer.training.loss import classification_loss, lab_targets
from colorizer.training.train import TrainConfig, validation_photos
from eval.common import (
    TRAIN_PHOTOS,
    absent_data,
    add_shared_argument,
    missing_data,
    parse_eval_args,
    shared_datasets,
)


@torch.no_grad()
def val_loss(model: ColorGenerator, bank: PhotoBank, size: int, class_weights: torch.Tensor,
             batch: int = 8) -> float:
    """Mean classification loss over the bank's centre crops at `size` px."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(bank), batch):
        indices = list(range(start, min(len(bank), start + batch)))
        lightness, ab = lab_targets(bank.center_batch(indices, size))
        logits = model(lightness).logits
        total += float(classification_loss(logits, ab, model.ab_bins, class_weights)) * len(indices)
        count += len(indices)
    return total / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", nargs="+", type=Path,
                        help="weight folders; the first one's class weights score them all")
    parser.add_argument("--sizes", nargs="+", type=int, default=[112, 224, 320])
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    add_shared_argument(parser, f"{TRAIN_PHOTOS}/ (its val split)")
    args = parse_eval_args(parser, argv, out_is_folder=False)
    shared, asked = shared_datasets(args)
    missing = [str(w) for w in args.weights if not (w / "model.safetensors").is_file()]
    if missing:
        parser.error(f"no model.safetensors in {', '.join(missing)}")
    if problem := absent_data(shared, TRAIN_PHOTOS):
        return missing_data(asked, "val_loss", problem)
    torch.set_num_threads(2)
    # The split every train config uses; their data_dir, ../shared/datasets/photos-train, is
    # the default --shared's.
    config = TrainConfig()
    bank = validation_photos(config, shared / TRAIN_PHOTOS, max(args.sizes), None)
    reference = ColorGenerator.from_pretrained(args.weights[0])
    class_weights = reference.class_log_weights.exp()
    figures = {}
    for folder in args.weights:
        model = reference if folder == args.weights[0] else ColorGenerator.from_pretrained(folder)
        figures[str(folder)] = {size: round(val_loss(model, bank, size, class_weights), 4)
                                for size in args.sizes}
        print(f"{folder}: " + " / ".join(f"{v:.3f}" for v in figures[str(folder)].values())
              + f"  (at {' / '.join(map(str, args.sizes))} px, {len(bank)} photos)", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"class_weights_from": str(args.weights[0]),
                                        "photos": len(bank), "losses": figures}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
