"""Write configs/context/common_place_words.txt: broad-gazetteer names that are common words.

    python scripts/make_place_stoplist.py [--tessdata DIR]

A one-word GeoNames or ISO 3166-2 name (context/geonames.py) is not taken as a place when it
is a common word. The rule, fixed before any benchmark was read:

1. A word is in the dictionary when Tesseract's word list for Russian, Ukrainian or English
   (the lstm-word-dawg of rus/ukr/eng.traineddata, extracted with combine_tessdata and
   dawg2wordlist) has it in lower case.
2. Proper names appear there in lower case too (web text: "москва", "london"), but a common
   word also appears in its other forms: a Cyrillic word in the case forms of its declension
   class (`context.names.cyrillic_stem`: "дорога" -> дороги, дороге, дорогу, дорогой), a Latin
   word with English suffixes (-s, -es, -ed, -ing, -er, -ers, -ly, -ness, -ful, -less).
   A word is common when at least K of its forms are in the dictionary in lower case.
3. K is chosen per script on the curated gazetteer (configs/context/places.csv, one-word
   aliases of 4+ letters, which are all real place names): the smallest K at which at most 5%
   of them would be called common. (Curated names are matched by the curated table whatever
   this list says; the 5% only measures how often the rule takes a name for a word.)
4. The names of the languages with an ISO 639-1 code ("English", "Tatar", "Kikuyu": the
   ones a caption names) are common words as well, every word of them. Not every word of
   pycountry's ~7,900 ISO 639-3 names: their qualifiers are places ("Cusco Quechua", "Seko
   Padang", "Kupang Malay", "Guinea-Bissau Sign Language", "Lingua Franca") and so are many
   minor languages' names ("Miami", "Wichita", "Bari", "Tula"); that rule stopped 951 names,
   and "Lyon 1950" typed as a hint read no place (of the 1,966 Latin-named GeoNames cities
   of 300,000 people or more, 53 gave no region, 25 of them by that rule alone).
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from context.geonames import STOPLIST, BroadConfig, BroadIndex
from context.names import cyrillic_stem

DATA = ROOT / "configs" / "context"
_EN_SUFFIXES = ("s", "es", "ed", "ing", "er", "ers", "ly", "ness", "ful", "less")
_CYR = re.compile(r"^[\u0400-\u04ff]+$")
MAX_BLOCKED = 0.05  # share of curated names the rule may call common


def dictionary(tessdata: Path) -> set[str]:
    words: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("rus", "ukr", "eng"):
            prefix = f"{tmp}/{lang}."
            subprocess.run(["combine_tessdata", "-u", str(tessdata / f"{lang}.traineddata"),
                            prefix], check=True, capture_output=True)
            out = f"{tmp}/{lang}.words"
            subprocess.run(["dawg2wordlist", prefix + "lstm-unicharset",
                            prefix + "lstm-word-dawg", out], check=True, capture_output=True)
            for line in Path(out).read_text(encoding="utf-8").splitlines():
                w = line.strip()
                if w and w == w.lower():
                    words.add(w.replace("ё", "е"))
    return words


def forms_in(word: str, words: set[str]) -> int:
    """How many other forms of `word` the dictionary has in lower case; -1: not in it."""
    if word not in words:
        return -1
    if _CYR.match(word):
        declined = cyrillic_stem(word)
        if declined is None:
            return 0
        stem, endings = declined
        return sum(stem + e != word and stem + e in words for e in endings)
    bases = {word, word[:-1]} if word.endswith("e") else {word}
    return len({b + s for b in bases for s in _EN_SUFFIXES if b + s in words})


def curated_names() -> list[str]:
    names = set()
    with (DATA / "places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for alias in row["aliases"].split(";"):
                toks = re.findall(r"[^\W\d_]+", alias.lower())
                if len(toks) == 1 and len(toks[0]) >= 4:
                    names.add(toks[0].replace("ё", "е"))
    return sorted(names)


def choose_k(names: list[str], words: set[str]) -> int:
    for k in range(30):
        if sum(forms_in(w, words) >= k for w in names) <= MAX_BLOCKED * len(names):
            return k
    return 30


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tessdata", type=Path, default=None)
    args = p.parse_args(argv)
    tessdata = args.tessdata or next(Path("/usr/share/tesseract-ocr").glob("*/tessdata"))
    words = dictionary(tessdata)
    curated = curated_names()
    k_cyr = choose_k([w for w in curated if _CYR.match(w)], words)
    k_lat = choose_k([w for w in curated if not _CYR.match(w)], words)
    with tempfile.TemporaryDirectory() as tmp:  # the index without a stoplist
        (Path(tmp) / STOPLIST).write_text("", encoding="utf-8")
        index = BroadIndex(tmp, BroadConfig(cache_dir=tmp))
    import pycountry

    languages = {t.lower() for lang in pycountry.languages if hasattr(lang, "alpha_2")
                 for t in re.findall(r"[^\W\d_]+", lang.name)}
    singles = sorted({k for k in index._exact if " " not in k})
    stop = [w for w in singles
            if forms_in(w, words) >= (k_cyr if _CYR.match(w) else k_lat) or w in languages]
    header = [
        f"# common words among the broad gazetteer's one-word names: {len(stop)} of {len(singles)}",
        f"# scripts/make_place_stoplist.py (rule in its docstring): K = {k_cyr} Cyrillic, "
        + f"{k_lat} Latin",
    ]
    (DATA / STOPLIST).write_text("\n".join(header + stop) + "\n", encoding="utf-8")
    print(f"K: Cyrillic {k_cyr}, Latin {k_lat}; {len(stop)} of {len(singles)} names stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
