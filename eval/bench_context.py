"""Speed of `chronochrome context` on a 1-MP photo with text (target: median <= 2 s).

    python -m eval.bench_context [--runs 7] [--shared DIR]

Times the full ContextEncoder call (text detection, Tesseract, hint parsing, fusion,
MiniLM embedding) in one process after a warm-up call, on photos from
shared/datasets/photos-train brought to 1 MP with a Cyrillic or Latin sign rendered on them
(a synthetic photo when they are absent at the default --shared, ../shared/datasets; a typed
--shared must hold them). Also reports the one-off start-up cost
(imports and model loading), which a CLI invocation pays once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from PIL import Image

T0 = time.perf_counter()

from context import ContextConfig, ContextEncoder
from eval.common import TRAIN_PHOTOS, absent_data, add_shared_argument, fail, shared_datasets
from eval.context_suite import render_case

SIGNS = ["Да здравствует СССР 1937", "Boulangerie du Marché 1898", "Казан шәһәре үзәге",
         "Grand Hotel Central Station", "Гастроном на Невском 1952"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--limit", type=float, default=2.0, help="seconds allowed for the median")
    add_shared_argument(p, f"{TRAIN_PHOTOS}/")
    args = p.parse_args(argv)
    shared, asked = shared_datasets(args)
    if asked and (problem := absent_data(shared, TRAIN_PHOTOS)):
        raise fail(problem)  # typed: the photos must be there (the default may lack them)
    rng = random.Random(args.seed)

    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))
    t = time.perf_counter()
    encoder = ContextEncoder.from_default(ContextConfig())
    load = time.perf_counter() - t
    images = []
    for i in range(args.runs + 1):
        if photos:
            images.append(render_case(SIGNS[i % len(SIGNS)], rng.choice(photos), rng))
        else:
            images.append(Image.effect_noise((1200, 840), 40).convert("RGB"))
    t = time.perf_counter()
    encoder(images[0], hint="1950s")  # warm-up: loads the Tesseract models on first use
    warm = time.perf_counter() - t
    times = []
    for img in images[1:]:
        t = time.perf_counter()
        ctx = encoder(img, hint="1950s")
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    print(f"image size: {images[1].size[0]}x{images[1].size[1]} "
          f"({images[1].size[0] * images[1].size[1] / 1e6:.2f} MP), runs: {len(times)}")
    print(f"start-up: imports+gazetteer {T0_IMPORT:.2f} s, from_default {load:.2f} s, "
          f"first call {warm:.2f} s")
    print(f"per call: median {median:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
          f"(last read: {[t.text for t in ctx.text]})")
    ok = median <= args.limit
    print(f"median {median:.2f} s {'<=' if ok else '>'} {args.limit:.1f} s: "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


T0_IMPORT = time.perf_counter() - T0

if __name__ == "__main__":
    sys.exit(main())
