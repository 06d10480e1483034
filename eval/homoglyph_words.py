"""Choosing set for context/words.py: when is a Latin reading a Russian word in disguise?

    python -m eval.homoglyph_words [--n 300] [--seed 5] [--out DIR]

Common Russian words (wordfreq's top 3000, 3+ letters) and common words of the Latin-script
languages (English, German, French, Spanish, Italian) are drawn one by one in the fonts of
eval/writing_cases.py and the italic and cursive-like faces installed here (DejaVu Serif
Italic, FreeSerif Italic and Bold Italic: their т, и, п, д are the handwritten "m", "u", "n",
"g"), slanted and bent like a felt-tip title (`_hand`), and read by Tesseract's Latin model
alone: what the reader returns for Cyrillic handwriting it takes for Latin.

For each (floor, margin) of `GRID`, `russian_word` with that config is asked about every
reading: a Russian word caught is a hit, a Latin-language word caught is a false alarm.
The rule, written down before the grid was run: the highest hit rate with false alarms at
most 1% of the Latin-language words; ties go to the larger margin, then the higher floor.
No slide of real-color-dev is used. Writes eval/results/homoglyph-words/homoglyph-words.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from context.tesseract import TesseractEngine
from context.words import LATIN_LANGUAGES, WordConfig, russian_word, spellings
from eval.common import RESULTS_DIR, parse_eval_args, write_json_and_markdown
from eval.writing_cases import _hand, available_fonts

OUT = RESULTS_DIR / "homoglyph-words"
ITALIC_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Italic.ttf",
                "/usr/share/fonts/truetype/freefont/FreeSerifItalic.ttf",
                "/usr/share/fonts/truetype/freefont/FreeSerifBoldItalic.ttf")
GRID = [(floor, margin) for floor in (2.5, 3.0, 3.5, 4.0) for margin in (0.0, 0.5, 1.0, 1.5, 2.0)]
MAX_FALSE = 0.01


def _words(lang: str, n: int, rng: random.Random) -> list[str]:
    from wordfreq import top_n_list

    pool = [w for w in top_n_list(lang, 3000, wordlist="small")
            if len(w) >= 3 and w.isalpha()]
    return rng.sample(pool, min(n, len(pool)))


def _draw(word: str, font_path: str, rng: random.Random) -> Image.Image:
    """`word` in black on white, 34 px, slanted and bent half of the time."""
    font = ImageFont.truetype(font_path, 34)
    left, top, right, bottom = font.getbbox(word)
    mask = Image.new("L", (right - left + 16, bottom - top + 16), 0)
    ImageDraw.Draw(mask).text((8 - left, 8 - top), word, font=font, fill=255)
    if rng.random() < 0.5:
        mask = _hand(mask, rng)
    return ImageOps.invert(ImageOps.expand(mask, 8, 0)).convert("RGB")


def read_words(words: list[str], fonts: list[str], seed: int) -> list[str]:
    engine = TesseractEngine()
    engine.load(("Latin",))
    rng = random.Random(seed)
    out = []
    for i, word in enumerate(words):
        text = word.capitalize() if rng.random() < 0.5 else word
        read = engine.words(_draw(text, fonts[i % len(fonts)], rng), "Latin")
        out.append(" ".join(w for w, _, _, _ in read).strip())
    return out


def caught(readings: list[str], config: WordConfig) -> int:
    return sum(any(russian_word(w.strip(".,:;!?\"'“”„()"), config) for w in r.split())
               for r in readings)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1000, help="Russian words (and as many Latin)")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--out", type=Path, default=OUT)
    args = parse_eval_args(p, argv)
    rng = random.Random(args.seed)
    fonts = available_fonts() + [f for f in ITALIC_FONTS if Path(f).exists()]
    ru = _words("ru", args.n, rng)
    latin = [w for lang in LATIN_LANGUAGES for w in _words(lang, args.n // len(LATIN_LANGUAGES),
                                                            rng)]
    ru_read = read_words(ru, fonts, args.seed)
    latin_read = read_words(latin, fonts, args.seed + 1)
    disguised = sum(any(spellings(w, 1) for w in r.split()) for r in ru_read)
    grid = []
    for floor, margin in GRID:
        config = replace(WordConfig(), ru_floor=floor, margin=margin)
        grid.append({"floor": floor, "margin": margin, "hits": caught(ru_read, config),
                     "false": caught(latin_read, config)})
    ok = [g for g in grid if g["false"] <= MAX_FALSE * len(latin)]
    pick = max(ok, key=lambda g: (g["hits"], g["margin"], g["floor"])) if ok else None
    result = {"n_russian": len(ru), "n_latin": len(latin), "fonts": [Path(f).stem for f in fonts],
              "russian_read_in_lookalikes": disguised, "grid": grid, "pick": pick,
              "examples": [[w, r, russian_word(r.split()[0]) if r.split() else None]
                           for w, r in list(zip(ru, ru_read))[:40]],
              "false_alarms": [[w, r] for w, r in zip(latin, latin_read)
                               if caught([r], WordConfig())]}
    lines = ["# Disguised Russian words: choosing the word rule", "",
             (f"{len(ru)} Russian and {len(latin)} Latin-language words, read by the Latin "
              f"model; {disguised} Russian readings are all look-alike letters."), "",
             "| floor | margin | Russian caught | Latin caught |", "|---|---|---|---|"]
    lines += [f"| {g['floor']} | {g['margin']} | {g['hits']} | {g['false']} |" for g in grid]
    lines += ["", f"pick (most caught, Latin caught <= {MAX_FALSE:.0%}): {json.dumps(pick)}", ""]
    write_json_and_markdown(args.out, "homoglyph-words", result, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
