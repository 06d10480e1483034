"""The language of a photo's Cyrillic writing, named or not, with what says so either way.

A language is named (context/script.py `claimed_language`) from LANGUAGE_MIN_LETTERS
Cyrillic letters, at a probability of 0.5 or more, and on text under LANGUAGE_AGREE_LETTERS
letters only where its letters and words alone favour it too; on longer text where they favour
another language, it is named as sure as the mean of the two (`contested`). Otherwise the
script stays
Cyrillic and the language unknown, and the reason names the letters read and how the
languages compared: a bare "Армения" reads as well in Russian as in Kazakh.
"""

from __future__ import annotations

from context.script import (
    LANGUAGE_AGREE_LETTERS,
    LANGUAGE_MIN_LETTERS,
    LanguageInfo,
    claimed_language,
    cyrillic_language_scores,
    cyrillic_letters,
    letters_only_scores,
)
from context.types import Evidence, Language

HOW = "letters, frequent words and how well each language's Tesseract model reads it"
# Over LANGUAGE_AGREE_LETTERS letters the language models may name a language its letters and
# words alone do not favour: rightly for a Ukrainian sentence without і ї є ("Громадяни,
# дотримуйтесь чистоти вулиць": letters Russian 0.92), wrongly for a slide's Russian
# "Путешествие к одителяй" (letters Russian 0.73, Ukrainian 0.20), which the Ukrainian model
# read best (0.77 against 0.59): Ukrainian at 0.999, and so a Kuban slide placed in Ukraine.
# Such a contested claim is as sure as the mean of the two witnesses' probabilities for it.


def tell_language(text: str, languages: tuple[LanguageInfo, ...],
                  model_confidence: dict[str, float] | None
                  ) -> tuple[Language | None, str | None]:
    """(the language of the Cyrillic `text`, None) or (None, why none is named)."""
    n = cyrillic_letters(text)
    if not n:
        return None, "language told apart only for Cyrillic writing"
    scores = cyrillic_language_scores(text, languages, model_confidence)
    letters = letters_only_scores(text, languages, model_confidence)
    names = {lang.code: lang.name for lang in languages}
    quoted = f'"{text[:60]}" ({n} Cyrillic letters)'
    ranking = _ranking(scores, names)
    read = (f"the language models read it at {_ranking(model_confidence, names, 0.0)}"
            if model_confidence else "")
    models = f"; {read}" if read else ""
    claim = claimed_language(scores, text, letters_only=letters)
    if claim is not None:
        code, p = claim
        if max(letters, key=letters.get) != code:
            p, ranking = contested(p, code, letters, names, ranking)
        evidence = [Evidence("ocr", f"{quoted} reads as {ranking} ({HOW})", round(p, 3), code)]
        if model_confidence:  # how surely they read it; what they suggest is in the first
            evidence.append(Evidence("ocr", f"Tesseract's {read.removeprefix('the ')}",
                                     round(max(model_confidence.values()), 3)))
        return Language(code, names[code], round(p, 3), tuple(evidence)), None
    if n < LANGUAGE_MIN_LETTERS:
        return None, (f"too little writing to tell its language: {quoted}, a language is named "
                      f"from {LANGUAGE_MIN_LETTERS} letters ({ranking}{models})")
    best, plain = max(scores, key=scores.get), max(letters, key=letters.get)
    if best != plain and n < LANGUAGE_AGREE_LETTERS:
        return None, (f"too little writing to tell its language: the letters and words of "
                      f"{quoted} favour {names[plain]}, the language models {names[best]}; "
                      f"under {LANGUAGE_AGREE_LETTERS} letters the models alone name none "
                      f"({ranking}{models})")
    return None, f"no language is likely enough (0.5) to name for {quoted}: {ranking}{models}"


def contested(p: float, code: str, letters: dict[str, float], names: dict[str, str],
              ranking: str) -> tuple[float, str]:
    """A claim its letters and words alone do not favour: the mean of the two witnesses'
    probabilities for it, and the ranking said with what the letters favour."""
    plain = max(letters, key=letters.get)
    sure = (p + letters[code]) / 2
    return sure, (f"{ranking}; but its letters and words alone favour {names[plain]} "
                  f"({_ranking(letters, names)}), so {names[code]} counts {sure:.2f}")


def _ranking(values: dict[str, float], names: dict[str, str], floor: float = 0.005) -> str:
    """"Russian 0.72, Kazakh 0.28": the languages by value, best first (those above `floor`)."""
    ranked = sorted(values.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{names.get(code, code)} {v:.2f}" for code, v in ranked if v >= floor)
