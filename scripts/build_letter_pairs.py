"""Build configs/context/letter_pairs.json: how common each letter pair is in English and
Russian words, from the word lists inside Tesseract's own eng and rus models.

    python scripts/build_letter_pairs.py [TESSDATA_DIR]

Needs Tesseract's training tools (combine_tessdata, dawg2wordlist; Debian package
tesseract-ocr). Each word list is unpacked, lower-cased, cut to letters, and every word
counts once; a pair is kept when at least 1 in 10,000 of all pairs is it ("^" marks a word's
start, "$" its end). context/words.py uses the table to tell a reading in the model's
language ("возвращение") from look-alike letters forced on another script ("Mapucpym").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "configs" / "context" / "letter_pairs.json"
MODELS = {"eng": "Latn", "rus": "Cyrl"}
MIN_SHARE = 1e-4
_LETTERS = re.compile(r"[^\W\d_]+")


def word_list(tessdata: Path, model: str, work: Path) -> list[str]:
    prefix = work / f"{model}."
    subprocess.run(["combine_tessdata", "-u", str(tessdata / f"{model}.traineddata"),
                    str(prefix)], check=True, capture_output=True)
    words = work / f"{model}.words"
    subprocess.run(["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg",
                    str(words)], check=True, capture_output=True)
    return words.read_text(encoding="utf-8").split()


def letter_pairs(words: list[str]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for word in {w.lower() for w in words}:
        for part in _LETTERS.findall(word):
            padded = f"^{part}$"
            counts.update(padded[i: i + 2] for i in range(len(padded) - 1))
    total = sum(counts.values())
    return {p: round(n / total, 6) for p, n in sorted(counts.items()) if n / total >= MIN_SHARE}


def main(argv: list[str]) -> int:
    tessdata = Path(argv[0]) if argv else next(Path("/usr/share/tesseract-ocr").glob("*/tessdata"))
    with tempfile.TemporaryDirectory() as tmp:
        table = {model: {"script": script,
                         "pairs": letter_pairs(word_list(tessdata, model, Path(tmp)))}
                 for model, script in MODELS.items()}
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: " + ", ".join(f"{m} {len(t['pairs'])} pairs" for m, t in table.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
