"""Accuracy suite for the context package; cases are generated at run time.

    python -m eval.context_suite [--per-script N] [--seed S] [--shared DIR]

1. Script: lines of 12+ characters in 7 scripts rendered in several fonts and sizes onto
   real photos from shared/datasets/photos-train (1-MP), with sign panels of either
   polarity, noise, blur and JPEG; the full ContextEncoder (text detector + Tesseract) must
   name the ISO 15924 code. Photos that already carry legible writing of their own (a
   watermark, a printed caption, a shop sign) are skipped: their script would be a second
   right answer. The skipped photos are counted, and listed with what was read under -v.
2. Cyrillic language among rus/tat/ukr/bel/kaz, same rendering, from the OCR'd text. The
   sentences share no word with the cue-word lists of configs/context/cyrillic_languages.json
   (checked here and in tests/context), so the classifier is scored on text it was not fit to.
3. Hints and captions: English and Russian hints plus every file name of
   shared/datasets/historical-bw; era range (within +-5 years at each end) and region
   (Wikidata QID in the hierarchy) correct.
4. Claims on real slides: the Cyrillic writing read on the real-color-dev slides, with the
   language models' confidences measured on it (eval/context_claim_cases.py); how many name
   the slides' Russian, how many another language (wrong; and at 0.9 or more), how many none.
Prints a table and exits 1 when an acceptance threshold is missed. Without photos-train at the
default --shared (../shared/datasets), 1 and 2 are skipped; a typed --shared must hold it.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from context import ContextConfig, ContextEncoder, SceneContext
from context.language import tell_language
from context.script import load_languages, words_of
from eval.common import TRAIN_PHOTOS, absent_data, add_shared_argument, fail, shared_datasets
from eval.context_cases import HINTS, HISTORICAL_BW, LANGUAGE_LINES, SCRIPT_LINES
from eval.context_claim_cases import SLIDE_LANGUAGE, SLIDE_READINGS

THRESHOLDS = {"script": 0.97, "language": 0.90, "hints+captions": 0.95}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/freefont")
FONT_NAMES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
              "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf",
              "FreeSans.ttf", "FreeSerif.ttf", "FreeSansBold.ttf", "FreeMono.ttf")


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    img = Image.new("L", (64, 64))
    ImageDraw.Draw(img).text((8, 8), ch, font=font, fill=255)
    return img.tobytes()


@cache
def fonts_for(text: str) -> tuple[str, ...]:
    """Installed fonts that have a glyph for every letter of `text`."""
    out = []
    for d in FONT_DIRS:
        for name in FONT_NAMES:
            path = Path(d) / name
            if not path.exists():
                continue
            font = ImageFont.truetype(str(path), 32)
            missing = _glyph(font, "\U0010FFFD")  # the .notdef box
            if all(_glyph(font, ch) != missing for ch in set(text) if ch.isalpha()):
                out.append(str(path))
    return tuple(out)


def render_case(text: str, photo: Path, rng: random.Random) -> Image.Image:
    """`text` on a sign in a 1-MP version of `photo`, with noise, blur and JPEG."""
    img = _one_megapixel(photo)
    fonts = fonts_for(text)
    if not fonts:
        raise RuntimeError(f"no installed font renders {text!r}: "
                           "apt-get install fonts-freefont-ttf")
    font = ImageFont.truetype(rng.choice(fonts), rng.randint(24, 52))
    draw = ImageDraw.Draw(img)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left, bottom - top
    x = rng.randint(10, max(11, img.width - w - 30))
    y = rng.randint(10, max(11, img.height - h - 30))
    light = rng.random() < 0.7
    panel = tuple(rng.randint(200, 245) for _ in range(3)) if light else \
        tuple(rng.randint(10, 60) for _ in range(3))
    ink = tuple(rng.randint(0, 50) for _ in range(3)) if light else \
        tuple(rng.randint(210, 255) for _ in range(3))
    pad = h // 3 + 4
    draw.rectangle((x - pad, y - pad, x + w + pad, y + h + pad), fill=panel)
    draw.text((x - left, y - top), text, font=font, fill=ink)
    # Gaussian grain around mid-grey, as Image.effect_noise makes, but drawn from `rng`:
    # effect_noise uses the C library's rand(), whose state other native code shares, so
    # the same seed gave different images (and results) from run to run.
    sigma = rng.uniform(5, 20)
    grain = np.random.default_rng(rng.getrandbits(32)).normal(128.0, sigma, (img.height, img.width))
    noise = Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8), "L").convert("RGB")
    img = Image.blend(img, noise, 0.12)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.2)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randint(60, 90))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


class PhotoPool:
    """Photos in a seeded order, without those that already carry legible writing: a line
    of 5+ letters read at confidence >= 0.8 (checked once per photo, on its 1-MP version)."""

    def __init__(self, photos: list[Path], seed: int, encoder: ContextEncoder, verbose: bool):
        self.order = list(photos)
        random.Random(seed).shuffle(self.order)
        self.encoder, self.verbose = encoder, verbose
        self.next_index, self.skipped = 0, 0

    def take(self) -> Path:
        while self.next_index < len(self.order):
            photo = self.order[self.next_index]
            self.next_index += 1
            lines = [t for t in self.encoder(_one_megapixel(photo)).text
                     if t.confidence >= 0.8 and sum(ch.isalpha() for ch in t.text) >= 5]
            if not lines:
                return photo
            self.skipped += 1
            if self.verbose:
                print(f"  skip photo {photo.name}: it reads {[t.text for t in lines]}")
        raise RuntimeError("ran out of photos without writing; pass fewer cases")


def _one_megapixel(photo: Path) -> Image.Image:
    img = Image.open(photo).convert("RGB")
    scale = (1_000_000 / (img.width * img.height)) ** 0.5
    return img.resize((round(img.width * scale), round(img.height * scale)), Image.BICUBIC)


def check_cases() -> None:
    """The rendered lines are as the issue states: 12+ characters; the language sentences
    share no word with the classifier's cue lists (they must be told apart by what is
    typical of the language, not by the words the classifier was given)."""
    short = [t for lines in (SCRIPT_LINES, LANGUAGE_LINES) for ts in lines.values() for t in ts
             if len(t) < 12]
    cues = {w for lang in load_languages(ContextConfig().data_dir) for w in lang.words}
    shared = {t: sorted(words_of(t) & cues) for ts in LANGUAGE_LINES.values() for t in ts
              if words_of(t) & cues}
    if short or shared:
        raise ValueError(f"unfair cases: shorter than 12 characters {short}; "
                         f"sharing words with the cue lists {shared}")


def era_ok(ctx: SceneContext, expected: tuple[int, int] | None) -> bool:
    if expected is None:
        return ctx.era is None
    return (ctx.era is not None and abs(ctx.era.start - expected[0]) <= 5
            and abs(ctx.era.end - expected[1]) <= 5)


def region_ok(ctx: SceneContext, expected: str | None) -> bool:
    if expected == "?":
        return True
    if expected is None:
        return ctx.region is None
    if ctx.region is None:
        return False
    return expected in {ctx.region.wikidata} | {h.wikidata for h in ctx.region.hierarchy}


def run_hints(encoder: ContextEncoder, verbose: bool, shared: Path) -> tuple[int, int]:
    cases = [(t, "hint", e, r) for t, e, r in HINTS]
    cases += [(t, "caption", e, r) for t, e, r in HISTORICAL_BW]
    folder = shared / "historical-bw"
    if folder.is_dir():
        missing = [t for t, *_ in HISTORICAL_BW if not (folder / t).exists()]
        if missing:
            print(f"warning: labelled captions not in {folder}: {missing}", file=sys.stderr)
    ok = 0
    for text, source, era, region in cases:
        ctx = encoder(None, **{source: text})
        good = era_ok(ctx, era) and region_ok(ctx, region)
        ok += good
        if verbose and not good:
            got_era = (ctx.era.start, ctx.era.end) if ctx.era else None
            got_region = (ctx.region.name, ctx.region.wikidata) if ctx.region else None
            print(f"  miss [{source}] {text!r}: era {got_era} vs {era}; "
                  f"region {got_region} vs {region}")
    return ok, len(cases)


def run_slide_claims(encoder: ContextEncoder, verbose: bool) -> dict[str, int]:
    """Part 4: how many of the slides' readings name Russian, another language (and of those,
    how many at 0.9 or more), or none."""
    counts = {"right": 0, "wrong": 0, "wrong 0.9+": 0, "none": 0}
    for slide, text, models in SLIDE_READINGS:
        language, _ = tell_language(text, encoder.languages, models)
        if language is None or language.code == SLIDE_LANGUAGE:
            counts["none" if language is None else "right"] += 1
            continue
        counts["wrong"] += 1
        counts["wrong 0.9+"] += language.confidence >= 0.9
        if verbose:
            print(f"  wrong [claims] {slide} {text!r}: {language.name} "
                  f"{language.confidence:.2f}, not {SLIDE_LANGUAGE}")
    return counts


def run_rendered(encoder: ContextEncoder, lines: dict[str, list[str]], field: str, n: int,
                 rng: random.Random, photos: PhotoPool, verbose: bool, dump: list[dict],
                 misses: Path | None = None) -> tuple[dict[str, tuple[int, int]], list[float]]:
    per: dict[str, tuple[int, int]] = {}
    times = []
    for label, texts in lines.items():
        ok = 0
        for i in range(n):
            text = texts[i % len(texts)]
            photo = photos.take()
            img = render_case(text, photo, rng)
            t = time.perf_counter()
            ctx = encoder(img)
            times.append(time.perf_counter() - t)
            got = (ctx.script.code if ctx.script else None) if field == "script" else ctx.language
            ok += got == label
            dump.append({"field": field, "label": label, "text": text, "photo": photo.name,
                         "got": got, "read": [[line.text, line.script, line.confidence,
                                               list(line.box)] for line in ctx.text]})
            if misses is not None and got != label:
                misses.mkdir(parents=True, exist_ok=True)
                img.save(misses / f"{field}_{label}_{i}_{photo.stem}.png")
            if verbose and got != label:
                print(f"  miss [{field}] {label} {text!r} on {photo.name}: got {got}; read "
                      f"{[t.text for t in ctx.text]}")
        per[label] = (ok, n)
    return per, times


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--per-script", type=int, default=12, help="rendered cases per script")
    p.add_argument("--per-language", type=int, default=12, help="rendered cases per language")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=("script", "language", "hints", "claims"), default=None)
    p.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    p.add_argument("--dump", type=Path, default=None,
                   help="write every rendered case (text, photo, answer, lines read) as JSON "
                        "lines, to compare runs")
    p.add_argument("--save-misses", type=Path, default=None, metavar="DIR",
                   help="save the rendered image of every miss in DIR")
    add_shared_argument(p, f"{TRAIN_PHOTOS}/ (the rendered suites' photos) and historical-bw/")
    return p


def print_table(rows: list[tuple[str, str, int, int, float | None]]) -> bool:
    """The results table; True when a suite with a threshold failed it."""
    print(f"\n{'suite':<16}{'group':<22}{'correct':>9}{'cases':>7}{'acc':>8}{'needed':>8}  result")
    failed = False
    for suite, group, ok, n, need in rows:
        acc = ok / n if n else 0.0
        verdict = "" if need is None else ("PASS" if acc >= need else "FAIL")
        failed |= verdict == "FAIL"
        need_s = f"{need:.0%}" if need is not None else ""
        print(f"{suite:<16}{group:<22}{ok:>9}{n:>7}{acc:>8.1%}{need_s:>8}  {verdict}")
    return failed


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    shared, asked = shared_datasets(args)
    rendered = args.only in (None, "script", "language")
    if asked and rendered and (problem := absent_data(shared, TRAIN_PHOTOS)):
        raise fail(problem)  # typed: the photos must be there (the default may lack them)
    rng = random.Random(args.seed)
    check_cases()

    rows: list[tuple[str, str, int, int, float | None]] = []
    hint_encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    if args.only in (None, "hints"):
        ok, n = run_hints(hint_encoder, args.verbose, shared)
        rows.append(("hints+captions", "en+ru+historical-bw", ok, n, THRESHOLDS["hints+captions"]))
    if args.only in (None, "claims"):
        for group, count in run_slide_claims(hint_encoder, args.verbose).items():
            rows.append(("claims", f"slide lang {group}", count, len(SLIDE_READINGS), None))

    photos = sorted((shared / TRAIN_PHOTOS).glob("*.jpg"))
    times: list[float] = []
    dump: list[dict] = []
    if rendered:
        if not photos:
            print(f"skipped rendered suites: no photos under {shared / TRAIN_PHOTOS}")
        else:
            encoder = ContextEncoder.from_default(ContextConfig(embed=False))
            pool = PhotoPool(photos, args.seed, encoder, args.verbose)
            for field, lines, n in (("script", SCRIPT_LINES, args.per_script),
                                    ("language", LANGUAGE_LINES, args.per_language)):
                if args.only not in (None, field):
                    continue
                per, t = run_rendered(encoder, lines, field, n, rng, pool, args.verbose,
                                      dump, args.save_misses)
                times += t
                for label, (ok, total) in per.items():
                    rows.append((field, label, ok, total, None))
                ok = sum(v[0] for v in per.values())
                total = sum(v[1] for v in per.values())
                rows.append((field, "ALL", ok, total, THRESHOLDS[field]))

    if args.dump:
        args.dump.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dump),
                             encoding="utf-8")
    failed = print_table(rows)
    if times:
        print(f"\nphotos skipped for writing of their own: {pool.skipped} "
              f"(of {pool.next_index} looked at)")
        times.sort()
        print(f"\nper-photo time (1-MP, OCR, no embedding): median {times[len(times) // 2]:.2f} s, "
              f"max {times[-1]:.2f} s over {len(times)} photos")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
