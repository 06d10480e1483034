"""Train the learned point-hint field (`colorizer.model.hint_field`) on train photos.

    python -m colorizer.training.train_hint_field --out colorizer/weights/default

Photos: the photos-train *train* split (file-name hash, `val_fraction` 0.05 as the generator's
configs) in the seed-1 shuffle that `eval.color_hints` uses, skipping its first `SKIP`: the
24 photos the hand-written rules were tuned on and the 80 of `eval.color_hints.tuning`, which
compares this head with those rules on photos neither was fitted on. The val split (the
acceptance's 20 photos) is never read.

Each photo runs through the default pipeline once (its L* as an 8-bit gray image, context on
as in the acceptance); what the head reads (`FieldInputs`), the working-size colors and the
truth are cached. Each step draws photos, 1-5 points at random (as the acceptance places
them) with their true color, their residuals against the working colors (the pipeline's own
`point_residuals`), and scores the corrected colors on the field's grid:

    loss = |a*b* + correction - truth| / |a*b* - truth|            (mean Euclidean a*b*)
         + penalty x |correction| / |a*b* - truth|                  (one point only)

With `--flag-scenes N`, N scenes of the flag finder's scene maker (cloths of the flags folder
and drawn ones on the train photos after those) join the photos, and half their draws put the
first point on the cloth: a saturated point on cloth the model left gray, whose residual
belongs to the cloth, not to the photo (`eval/results/color-hints-field-flags.md`).

The penalty holds one point's reach: the issue bounds the change a single hint makes outside
its region (CIEDE2000 <= 1 on average), which a field held back too little exceeds (penalty
0.5: 1.96 outside the first point's segment on the tuning photos). It is chosen by
`eval.color_hints.tuning --field`, under the rule written in BalanceConfig's docstring.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from colorizer.model.colorspace import gray_rgb_from_lightness, luminance_of_rgb, rgb_to_lab
from colorizer.model.generator import WEIGHTS_FILE
from colorizer.model.hint_field import FieldInputs, HintField, HintFieldConfig
from colorizer.pipeline.color_hints import ColorHint, Point, hex_color
from colorizer.pipeline.colorization import DEFAULT_WEIGHTS, ColorizationPipeline
from colorizer.pipeline.fingerprint import file_sha256
from colorizer.pipeline.hint_balance import point_residuals
from colorizer.pipeline.hint_learned import field_inputs
from colorizer.pipeline.hint_spread import spread_grid
from colorizer.training.data import list_photos
from colorizer.training.flag_finder_cloth import load_designs
from colorizer.training.flag_finder_scenes import make_scene

SKIP = 104  # eval.color_hints' 24 + 80 tuning photos (module docstring)
SCENE_SEED = 11  # the flag scenes' draw
LONG_SIDE = 512  # as eval.color_hints scores photos
BORDER = 0.03  # points keep this share of the long side from the border (as the acceptance)
COUNTS = (1, 1, 2, 3, 4, 5, 5)  # points per sample: one and five (the acceptance's) weigh more
DEFAULT_PHOTOS = Path(__file__).resolve().parents[2].parent / "shared/datasets/photos-train"


@dataclass
class FieldPhoto:
    """One cached train photo."""

    inputs: FieldInputs
    truth_ab: torch.Tensor  # (2, h, w) on the field's grid
    ab_work: torch.Tensor  # (1, 2, h', w') the pipeline's working colors
    truth_full: np.ndarray  # (H, W, 3) uint8 the photo (the hints' colors)
    cloth: np.ndarray | None = None  # (H, W) bool: a flag scene's cloth (first points there)


def train_photos(folder: Path, count: int) -> list[Path]:
    files = list_photos(folder, "train", 0.05)
    order = np.random.default_rng(1).permutation(len(files))
    return [files[i] for i in order[SKIP:SKIP + count]]


def unseen_photos(datasets: Path) -> list[Path]:
    """photos-train-extra's val split (the file-name hash every training config uses): photos
    no generator trained on, so its errors on them are those of the photos people bring."""
    return list_photos(datasets / "photos-train-extra", "val", 0.05)


def load_photo(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.LANCZOS)
        return np.array(rgb)


def cache_photo(pipe, rgb: np.ndarray, config: HintFieldConfig) -> FieldPhoto:
    """Run the pipeline on the photo's L* and keep what the field reads and is scored on."""
    chw = torch.from_numpy(rgb).permute(2, 0, 1)[None].float() / 255.0
    # What the acceptance feeds: the photo's L* as an 8-bit gray image (R = G = B).
    gray_rgb = gray_rgb_from_lightness(luminance_of_rgb(chw))[0, 0].numpy()
    gray = Image.fromarray((gray_rgb * 255.0 + 0.5).astype(np.uint8), "L")
    pipe(gray)  # the base run lands in the edit cache
    prepared = pipe.prepare(gray)
    base = pipe.edits.get(prepared.edit_key)
    # As the pipeline builds it (hint_balance.learned_field): the spread grid's L* and
    # descriptors.
    spread = spread_grid(prepared.lightness, pipe.config.hint_spread)
    inputs = field_inputs(spread, base.spread.features(spread.shape), base.ab_work,
                          base.colors.uncertainty, HintField(config),
                          pipe.distribution(base.prediction))
    h, w = inputs.lightness.shape
    truth_ab = torch.nn.functional.interpolate(rgb_to_lab(chw)[:, 1:], size=(h, w),
                                               mode="area")[0]
    return FieldPhoto(inputs, truth_ab, base.ab_work.float().cpu(), rgb)


def flag_scenes(pipe, folder: Path, skip: int, count: int, config: HintFieldConfig
                ) -> list[FieldPhoto]:
    """`count` scenes of the flag finder's scene maker (1-3 cloths: the flags folder's
    designs and drawn cloths) on the train photos after the first `skip`, their colors the
    truth: a saturated point on cloth the model left gray, which must not read as a cast."""
    paths = train_photos(folder / "photos-train", skip + count)[skip:]
    designs = load_designs(folder / "flags")
    rng = np.random.default_rng(SCENE_SEED)
    out = []
    for path in paths:
        cloths = int(rng.integers(1, 4))
        scene = make_scene(rng, path, paths, designs, cloths)
        photo = cache_photo(pipe, scene.rgb, config)
        photo.cloth = scene.cloth >= 0.5
        out.append(photo)
    return out


def sample_points(rng: np.random.Generator, photo: FieldPhoto, count: int
                  ) -> tuple[list[tuple[int, int]], torch.Tensor]:
    """Grid cells and residuals of `count` points of the photo's true color; on a flag
    scene the first point lies on the cloth half the time."""
    if photo.cloth is None or not photo.cloth.any() or rng.random() < 0.5:
        return _random_points(rng, photo, count)
    cells, residuals = _random_points(rng, photo, count)
    rows, cols = np.nonzero(photo.cloth)
    pick = int(rng.integers(len(rows)))
    y, x = int(rows[pick]), int(cols[pick])
    height, width = photo.cloth.shape
    h, w = photo.inputs.lightness.shape
    hint = ColorHint(Point(x, y), hex_color(tuple(int(v) for v in photo.truth_full[y, x])))
    first = point_residuals([hint], photo.ab_work, (width, height))
    cells = [(min(h - 1, int(y * h / height)), min(w - 1, int(x * w / width)))] + cells[1:]
    return cells, torch.cat([first, residuals[1:]])


def _random_points(rng: np.random.Generator, photo: FieldPhoto, count: int
                   ) -> tuple[list[tuple[int, int]], torch.Tensor]:
    height, width = photo.truth_full.shape[:2]
    margin = max(1, round(BORDER * max(height, width)))
    h, w = photo.inputs.lightness.shape
    hints, cells = [], []
    for _ in range(count):
        x, y = int(rng.integers(margin, width - margin)), int(rng.integers(margin, height - margin))
        rgb = tuple(int(v) for v in photo.truth_full[y, x])
        hints.append(ColorHint(Point(x, y), hex_color(rgb)))
        cells.append((min(h - 1, int(y * h / height)), min(w - 1, int(x * w / width))))
    return cells, point_residuals(hints, photo.ab_work, (width, height))


def fit(photos: list[FieldPhoto], steps: int, penalty: float, config: HintFieldConfig,
        seed: int = 0, batch: int = 8, lr: float = 3e-3, log=print) -> HintField:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = HintField(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(steps):
        for group in optimizer.param_groups:  # cosine
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / steps))
        loss = torch.zeros(())
        for _ in range(batch):
            photo = photos[int(rng.integers(len(photos)))]
            count = int(rng.choice(COUNTS))
            cells, residuals = sample_points(rng, photo, count)
            correction = model.correction(photo.inputs, cells, residuals)
            before = (photo.inputs.ab - photo.truth_ab).norm(dim=0).mean().clamp_min(1e-3)
            after = (photo.inputs.ab + correction - photo.truth_ab).norm(dim=0).mean()
            loss = loss + after / before
            if count == 1:
                loss = loss + penalty * correction.norm(dim=0).mean() / before
        optimizer.zero_grad()
        (loss / batch).backward()
        optimizer.step()
        if step % 200 == 0 or step == steps - 1:
            log(f"step {step}: loss {float(loss.detach()) / batch:.4f}")
    return model.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorizer.training.train_hint_field",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder for hint_field.safetensors")
    parser.add_argument("--photos", type=int, default=400, help="train photos (default 400)")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--penalty", type=float, default=1.0,
                        help="weight of one point's change in the loss (module docstring)")
    parser.add_argument("--flag-scenes", type=int, default=0,
                        help="flag-like scenes besides the photos (module docstring)")
    parser.add_argument("--data", default=str(DEFAULT_PHOTOS))
    parser.add_argument("--cache", default=None, help="a .pt file for the cached photos")
    parser.add_argument("--plausibility", action="store_true",
                        help="two more pair features: how plausible the generator finds a "
                             "residual's color at each pixel (HintFieldConfig.plausibility)")
    parser.add_argument("--extra-val", action="store_true",
                        help="also photos-train-extra's val split, which no generator trained "
                             "on (`unseen_photos`; eval/results/color-hints-field-unseen.md)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    config = HintFieldConfig(plausibility=args.plausibility)
    started = time.time()
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        photos = torch.load(cache, weights_only=False)
    else:
        pipe = ColorizationPipeline.from_pretrained()
        paths = train_photos(Path(args.data), args.photos) if args.photos > 0 else []
        if args.extra_val:
            paths += unseen_photos(Path(args.data).parent)
        if not paths:
            print(f"error: no photos to fit on under {args.data} (--photos "
                  f"{args.photos}{', --extra-val' if args.extra_val else ''})", file=sys.stderr)
            return 2
        photos = [cache_photo(pipe, load_photo(p), config) for p in paths]
        if args.flag_scenes:
            photos += flag_scenes(pipe, Path(args.data).parent, args.photos, args.flag_scenes,
                                  config)
        if cache is not None:
            torch.save(photos, cache)
    cached = time.time() - started
    # The field reads the generator's outputs: which generator, for the test that new weights
    # come with a refitted field (tests/test_hint_field.py).
    generator_sha256 = file_sha256(DEFAULT_WEIGHTS / WEIGHTS_FILE)
    model = fit(photos, args.steps, args.penalty, config)
    command = "python -m colorizer.training.train_hint_field " + " ".join(
        sys.argv[1:] if argv is None else argv)
    path = model.save_pretrained(args.out, {
        "command": command, "photos": len(photos), "steps": args.steps,
        "penalty": args.penalty, "generator_sha256": generator_sha256, "seconds": json.dumps(
            {"cache": round(cached), "fit": round(time.time() - started - cached)})})
    print(f"wrote {path} ({len(photos)} photos; cache {cached:.0f} s, fit "
          f"{time.time() - started - cached:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
