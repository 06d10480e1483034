"""Train the letter-shape classifier (context/line_script.py) on lines we render.

    python -m eval.hand_fonts                       # the handwriting faces, once
    python -m context.line_script_train --hand-fonts eval/fonts/hand --out context/models

Each sample is a line as the text detector hands it over: a few words drawn on a crop of a
street, building or landscape photo (photos-train-extra's Intel scenes; never real-color-dev
or the Prokudin-Gorsky plates), in a light or dark ink at least 60 gray levels from its
ground, in a broad stroke or not, slanted or not, shrunk to 16-40 px high and
JPEG-compressed. Words: the most common
words of wordfreq's Russian and Ukrainian lists (Cyrillic) and English, German,
French, Spanish, Italian, Polish, Czech and Dutch (Latin), and the gazetteer's names; some
in capitals, some with a year ("1975 г.", "-81", ", 1963"). The "none" class: crops of the
photos with nothing drawn, and lines of digits alone. Faces: the printed ones installed here
and the handwriting ones fetched by eval/hand_fonts.py except `HELD_OUT` (Pangolin, felt-tip
print, and Marck Script, cursive), whose lines are the validation set: what the figures in
the weights' metadata say about faces the network never saw.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from context.line_script import LineScriptClassifier, LineScriptConfig, build_net, line_array

PRINTED_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont")
HELD_OUT = ("pangolin", "marck-script")
CYRILLIC_LANGS = ("ru", "uk")
LATIN_LANGS = ("en", "de", "fr", "es", "it", "pl", "cs", "nl")
BACKGROUNDS = "../shared/datasets/photos-train-extra"
FontPair = tuple[str, str]  # (file for Cyrillic letters, file for the rest)


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def draw_runs(text: str, cyrillic: ImageFont.FreeTypeFont, other: ImageFont.FreeTypeFont
              ) -> Image.Image:
    """`text` in white on black (an "L" mask cropped to the ink with a 4-px margin), each run
    drawn from the face that has its characters: Cyrillic letters from `cyrillic`, the rest
    from `other` (a web font's Cyrillic subset has no digits). Spaces join the run before."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        cyr = is_cyrillic(ch) if not ch.isspace() or not runs else runs[-1][0]
        if runs and runs[-1][0] == cyr:
            runs[-1] = (cyr, runs[-1][1] + ch)
        else:
            runs.append((cyr, ch))
    fonts = {True: cyrillic, False: other}
    ascent, descent = other.getmetrics()
    width = sum(fonts[c].getlength(r) for c, r in runs)
    mask = Image.new("L", (int(width) + 8, ascent + descent + 8), 0)
    draw, x = ImageDraw.Draw(mask), 4.0
    for cyr, run in runs:
        draw.text((x, 4 + ascent), run, font=fonts[cyr], fill=255, anchor="ls")
        x += fonts[cyr].getlength(run)
    box = mask.getbbox()
    if box is None:
        return mask
    return mask.crop((max(0, box[0] - 4), max(0, box[1] - 4), box[2] + 4, box[3] + 4))


def font_pairs(hand_dir: Path | None, held_out: bool) -> list[FontPair]:
    """Printed faces (one file does both) and hand faces (two subset files), the hand ones
    repeated to draw half the lines; `held_out`: only the `HELD_OUT` hand faces."""
    printed, hand = [], []
    if not held_out:
        for d in PRINTED_DIRS:
            printed += [(str(p), str(p)) for p in sorted(Path(d).glob("*.ttf"))]
    if hand_dir is not None:
        for cyr in sorted(hand_dir.glob("*-cyrillic-400-normal.woff")):
            name = cyr.name.removesuffix("-cyrillic-400-normal.woff")
            lat = cyr.with_name(f"{name}-latin-400-normal.woff")
            if lat.is_file() and (name in HELD_OUT) == held_out:
                hand.append((str(cyr), str(lat)))
    # Hand faces repeated to draw about half the lines: slide titles are written by hand.
    return printed + hand * max(1, len(printed) // max(1, len(hand)))


def word_pools(data_dir: Path) -> dict[str, list[str]]:
    """Cyrillic and Latin words: wordfreq's most common and the gazetteer's names."""
    from wordfreq import top_n_list

    pools: dict[str, list[str]] = {"Cyrl": [], "Latn": []}
    for code, langs in (("Cyrl", CYRILLIC_LANGS), ("Latn", LATIN_LANGS)):
        for lang in langs:
            pools[code] += [w for w in top_n_list(lang, 8000)
                            if w.isalpha() and len(w) >= 2
                            and all(is_cyrillic(c) == (code == "Cyrl") for c in w)]
    with (data_dir / "places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for alias in row["aliases"].split(";"):
                if alias.replace(" ", "").replace("-", "").isalpha():
                    cyr = any(is_cyrillic(c) for c in alias)
                    pools["Cyrl" if cyr else "Latn"].append(alias)
    return pools


def line_text(rng: random.Random, label: str, pools: dict[str, list[str]]) -> str:
    """A line of `label`'s class: words with, at times, a year as titles write one; "none":
    digits alone (a date, a year, a frame number)."""
    year = rng.randint(1900, 1991)
    if label == "none":
        date = f"{rng.randint(1, 28)}.{rng.randint(1, 12):02d}.{year}"
        return rng.choice((str(year), f"-{year % 100:02d}", date, str(rng.randint(1, 99))))
    words = " ".join(rng.choice(pools[label]) for _ in range(rng.choice((1, 1, 2, 3))))
    case = rng.random()
    words = words.upper() if case < 0.3 else words.capitalize() if case < 0.7 else words
    tail = rng.random()
    if tail < 0.15:
        return f"{words} {year}" + (" г." if label == "Cyrl" and rng.random() < 0.5 else "")
    if tail < 0.25:
        return f"{words}-{year % 100:02d}"
    if tail < 0.32 and label == "Cyrl":
        return f"{year} год"
    return words


def _slant(mask: Image.Image, rng: random.Random) -> Image.Image:
    w, h = mask.size
    shear = rng.uniform(-0.35, 0.2) if rng.random() < 0.5 else 0.0
    mask = mask.transform((w + int(abs(shear) * h) + 2, h), Image.AFFINE,
                          (1, shear, -abs(shear) * h if shear < 0 else 0, 0, 1, 0),
                          Image.BILINEAR)
    return mask.rotate(rng.uniform(-4, 4), Image.BILINEAR, expand=True)


def _ground(photos: list[np.ndarray], rng: random.Random, w: int, h: int) -> np.ndarray:
    """A (h, w) crop of a random photo, enlarged first when the photo is smaller."""
    photo = photos[rng.randrange(len(photos))]
    scale = max(1.0, w / photo.shape[1], h / photo.shape[0])
    if scale > 1.0:
        size = (int(photo.shape[1] * scale) + 1, int(photo.shape[0] * scale) + 1)
        photo = np.asarray(Image.fromarray(photo).resize(size, Image.BILINEAR))
    y = rng.randint(0, photo.shape[0] - h)
    x = rng.randint(0, photo.shape[1] - w)
    return photo[y:y + h, x:x + w].astype(np.float32)


def _finish(arr: np.ndarray, rng: random.Random) -> Image.Image:
    """Shrunk to 16-40 px high, blurred a little and JPEG-compressed: a detector's line."""
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    target = rng.randint(16, 40)
    img = img.resize((max(8, round(img.width * target / img.height)), target), Image.BILINEAR)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.7)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(40, 90))
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def sample(rng: random.Random, label: str, fonts: list[FontPair], pools: dict[str, list[str]],
           photos: list[np.ndarray]) -> Image.Image:
    """One line image of class `label` (module docstring)."""
    if label == "none" and rng.random() < 0.7:  # texture only
        h = rng.randint(16, 80)
        return _finish(_ground(photos, rng, int(h * rng.uniform(2, 10)), h), rng)
    cyr_file, other_file = rng.choice(fonts)
    size = rng.randint(24, 48)
    mask = draw_runs(line_text(rng, label, pools), ImageFont.truetype(cyr_file, size),
                     ImageFont.truetype(other_file, size))
    if rng.random() < 0.5:  # a felt-tip pen's broad stroke
        mask = mask.filter(ImageFilter.MaxFilter(3))
    mask = _slant(mask, rng)
    pad = int(mask.height * rng.uniform(0.05, 0.4))
    w, h = mask.width + 2 * pad, mask.height + 2 * pad
    ground = _ground(photos, rng, w, h)
    g = float(np.median(ground))
    delta = rng.uniform(60, 200)
    ink = g + delta if (g + delta <= 255 and (g - delta < 0 or rng.random() < 0.5)) else g - delta
    m = np.zeros((h, w), np.float32)
    m[pad:pad + mask.height, pad:pad + mask.width] = np.asarray(mask, np.float32) / 255.0
    return _finish(ground * (1 - m) + max(0.0, min(255.0, ink)) * m, rng)


def load_photos(folder: Path, n: int, seed: int) -> list[np.ndarray]:
    files = sorted(folder.glob("intel__*.jpg"))
    files = random.Random(seed).sample(files, min(n, len(files)))
    return [np.asarray(Image.open(f).convert("L")) for f in files]


def _inked_start(arr: np.ndarray, window: int, rng: random.Random) -> int:
    """A window's start on a long line, drawn again (up to 5 times) while the window holds
    less than half the line's mean ink per column: a window of the gap between two words
    would teach the class from nothing."""
    ink = np.abs(arr).mean(axis=0)
    s = 0
    for _ in range(5):
        s = rng.randint(0, arr.shape[1] - window)
        if ink[s:s + window].mean() >= 0.5 * ink.mean():
            break
    return s


def dataset(n: int, fonts: list[FontPair], pools, photos, config: LineScriptConfig,
            seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, height, window) windows and their labels: classes in equal shares; a long
    line gives a random window of itself."""
    rng = random.Random(seed)
    xs = np.zeros((n, 1, config.height, config.window), np.float32)
    ys = np.zeros(n, np.int64)
    for i in range(n):
        label = i % len(config.classes)
        arr = line_array(sample(rng, config.classes[label], fonts, pools, photos), config)
        w = arr.shape[1]
        if w > config.window:
            xs[i, 0] = arr[:, (s := _inked_start(arr, config.window, rng)):s + config.window]
        else:
            left = (config.window - w) // 2
            xs[i, 0, :, left:left + w] = arr
        ys[i] = label
    return xs, ys


def train(xs: np.ndarray, ys: np.ndarray, config: LineScriptConfig, steps: int,
          batch: int, lr: float, seed: int):
    """AdamW with a cosine schedule; each batch a random draw, flipped in sign half the
    time (light ink on dark as often as dark on light)."""
    import torch

    torch.manual_seed(seed)
    net = build_net(config)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    gen = np.random.default_rng(seed)
    x_all, y_all = torch.from_numpy(xs), torch.from_numpy(ys)
    net.train()
    for step in range(steps):
        idx = torch.from_numpy(gen.integers(0, len(xs), batch))
        sign = torch.from_numpy(np.where(gen.random(batch) < 0.5, -1.0, 1.0).astype(np.float32))
        loss = torch.nn.functional.cross_entropy(net(x_all[idx] * sign[:, None, None, None]),
                                                 y_all[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == steps - 1:
            print(f"step {step}: loss {loss.item():.3f}", flush=True)
    return net.eval()


def accuracy(classifier: LineScriptClassifier, lines: list[Image.Image], labels: list[str]
             ) -> dict[str, float]:
    """Share right per class, whole lines seen as the encoder sees them."""
    probs = classifier.classify(lines)
    out = {}
    for cls in classifier.config.classes:
        mine = [p for p, lab in zip(probs, labels) if lab == cls]
        out[cls] = round(sum(max(p, key=p.get) == cls for p in mine) / max(1, len(mine)), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hand-fonts", type=Path, default=None,
                   help="folder of eval/hand_fonts.py's faces (python -m eval.hand_fonts)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--data-dir", type=Path, default=Path(__file__).parent / "data")
    p.add_argument("--backgrounds", type=Path, default=Path(BACKGROUNDS))
    p.add_argument("--samples", type=int, default=32000)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--version", default="line-script-v1", help="name kept in the metadata")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    fonts, held = font_pairs(args.hand_fonts, False), font_pairs(args.hand_fonts, True)
    photos = load_photos(args.backgrounds, 600, args.seed)
    if not photos or not fonts:
        print(f"error: no background photos in {args.backgrounds} or no fonts", file=sys.stderr)
        return 1
    config, pools, t0 = LineScriptConfig(), word_pools(args.data_dir), time.time()
    xs, ys = dataset(args.samples, fonts, pools, photos, config, args.seed)
    print(f"{len(xs)} windows from {len(fonts)} faces in {time.time() - t0:.0f} s", flush=True)
    classifier = LineScriptClassifier(train(xs, ys, config, args.steps, args.batch, args.lr,
                                            args.seed), config)
    rng = random.Random(args.seed + 1)
    report = {}
    for name, faces in (("seen faces", fonts), ("held-out faces", held)):
        labels = [config.classes[i % 3] for i in range(900)] if faces else []
        lines = [sample(rng, lab, faces, pools, photos) for lab in labels]
        report[name] = accuracy(classifier, lines, labels) if lines else "no faces"
    print(f"validation (new lines, whole): {report}")
    command = "python -m context.line_script_train " + " ".join(argv or sys.argv[1:])
    path = classifier.save(args.out, {
        "command": command, "seconds": str(round(time.time() - t0)),
        "faces": str(len(fonts)), "validation": str(report), "version": args.version})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
