"""Tesseract, kept warm in-process: one recogniser per script model and page mode.

Recognisers are created as they are first needed (`TesseractEngine.load` by the reader
before it hands a group's readings to its threads; `_api` otherwise), so a photo whose
lines are settled by Latin, Cyrillic and Greek loads those and OSD, not all 15 recognisers
(~460 MB). All were once loaded up front, in a fixed order, on the worry that loading one
model sets process-wide parameters another reads; none of these models carries a config
component (`combine_tessdata -d`: only LSTM parts and dictionaries), and the 57
real-color-dev photos read the same either way, every line, box and confidence, with the
lazy process loading models in whatever order its photos reached them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from functools import lru_cache

import numpy as np
from PIL import Image

# What the digits-only recogniser may return (context/digits.py): a year, and the hyphen
# that joins it to a name ("Хорезм-1984").
DIGITS = "0123456789-"

@lru_cache(maxsize=1)
def tesseract_install() -> tuple[str | None, frozenset[str]]:
    """(tessdata folder, traineddata names) of the Tesseract installed here; (None, {}) if none."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None, frozenset()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    folder = re.search(r'"(.+)"', lines[0]) if lines else None
    names = frozenset(line.strip() for line in lines[1:] if line.strip())
    return (folder.group(1) if folder else None), names


def tesseract_models() -> frozenset[str]:
    """Traineddata names Tesseract can load here (empty when Tesseract is not installed)."""
    return tesseract_install()[1]


class TesseractEngine:
    """Tesseract, kept warm in-process through tesserocr (one API per model and page mode,
    all created by `load` before the first reading), or through the `tesseract` command via
    pytesseract when tesserocr is missing (~0.1-0.7 s more per call: the model is loaded
    each time, so nothing carries over between calls)."""

    def __init__(self) -> None:
        self.tessdata, self.models = tesseract_install()
        try:
            import tesserocr  # noqa: F401

            self.backend = "tesserocr"
        except ImportError:
            self.backend = "pytesseract"
        self._apis: dict[str, object] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def load(self, models: tuple[str, ...], digit_models: tuple[str, ...] = ()) -> None:
        """Create the recognisers for `models` (then the digits-only ones of `digit_models`)
        now, in this thread, one after another, in this order; those already made are
        kept. A reader calls it before handing a photo's readings to its threads, so that
        none of them is created while another of that photo's readings runs."""
        if self.backend != "tesserocr":
            return
        import tesserocr

        for model in models:
            self._api(model, tesserocr.PSM.SINGLE_BLOCK)
        for model in digit_models:
            self._api(model, tesserocr.PSM.SINGLE_BLOCK, DIGITS)

    def _api(self, model: str, psm: int, whitelist: str = ""):  # -> tesserocr.PyTessBaseAPI
        import tesserocr

        key = f"{model}:{psm}:{whitelist}"
        with self._guard:
            if key not in self._apis:
                variables = {"tessedit_do_invert": "0"}
                if whitelist:
                    variables["tessedit_char_whitelist"] = whitelist
                self._apis[key] = tesserocr.PyTessBaseAPI(
                    path=self.tessdata, lang=model, psm=psm, variables=variables)
                self._locks[key] = threading.Lock()
        return self._apis[key], self._locks[key]

    def digit_words(self, image: Image.Image, model: str
                    ) -> list[tuple[str, list[float], int, int]]:
        """(word, its letters' confidences 0-1, top, height) of each word, the image read as
        one block by `model` allowed only `DIGITS` (context/digits.py); [] with pytesseract
        (the digits pass is an in-process refinement)."""
        if self.backend != "tesserocr":
            return []
        import tesserocr

        api, lock = self._api(model, tesserocr.PSM.SINGLE_BLOCK, DIGITS)
        with lock:
            api.SetImage(image)
            api.Recognize()
            return _symbol_letters(api)

    def words(self, image: Image.Image, model: str) -> list[tuple[str, float, int, int]]:
        """(word, confidence 0-1, top, height) of each word, image read as one text block.
        The confidence is `word_confidence` of the word's letters (tesserocr; pytesseract
        gives Tesseract's own word confidence only)."""
        if self.backend == "tesserocr":
            import tesserocr

            api, lock = self._api(model, tesserocr.PSM.SINGLE_BLOCK)
            with lock:
                api.SetImage(image)
                api.Recognize()
                return _symbol_words(api)
        import pytesseract

        data = pytesseract.image_to_data(image, lang=model,
                                         config="--psm 6 -c tessedit_do_invert=0",
                                         output_type=pytesseract.Output.DICT)
        return [(t, float(c) / 100.0, top, h) for t, c, top, h
                in zip(data["text"], data["conf"], data["top"], data["height"])
                if t.strip() and float(c) >= 0]

    def osd(self, image: Image.Image) -> tuple[str | None, float]:
        """OSD script name and confidence; (None, 0) when OSD cannot decide (short text)."""
        if "osd" not in self.models:
            return None, 0.0
        if self.backend == "tesserocr":
            import tesserocr

            api, lock = self._api("osd", tesserocr.PSM.OSD_ONLY)
            with lock:
                api.SetImage(image)
                result = api.DetectOrientationScript()
            if not result:
                return None, 0.0
            return result["script_name"], float(result["script_conf"])
        import pytesseract

        try:
            osd = pytesseract.image_to_osd(image, config="--psm 0 -c min_characters_to_try=10")
        except pytesseract.TesseractError:
            return None, 0.0
        name = re.search(r"Script: (\w+)", osd)
        conf = re.search(r"Script confidence: ([\d.]+)", osd)
        return (name.group(1) if name else None), (float(conf.group(1)) if conf else 0.0)


# Tesseract's word confidence is its least certain letter's, and drops to 0 for words read
# right but in mixed case ("БИШкек-58": letters at 0.80-0.99, the word at 0): clear titles
# read right were dropped as noise. The mean of the letters' confidences tells right from
# wrong readings better (on 96 line readings of generated titles, eval/writing_cases.py
# seeds 1 and 2, never 16: AUC 0.875 against 0.76 for the word's, "right" = similarity to
# the title > 0.6), but lies in 0.85-1.0; it is mapped onto the word confidence's scale by
# matching deciles on those readings (x: mean letter confidence, y: word confidence), so
# the floors set on that scale (context/ocr.py, ContextConfig.ocr_min_confidence) pass as
# large a share of readings as before.
_MEAN_LETTER_DECILES = (0.848, 0.895, 0.917, 0.926, 0.937, 0.947, 0.959, 0.968, 0.979, 0.987,
                        0.995)
_WORD_DECILES = (0.0, 0.0, 0.038, 0.119, 0.209, 0.294, 0.403, 0.448, 0.61, 0.795, 0.959)


def word_confidence(letter_confidences: list[float]) -> float:
    """A word's confidence (0-1) from its letters' (0-1): their mean, on the scale of
    Tesseract's word confidence (see above)."""
    if not letter_confidences:
        return 0.0
    mean = sum(letter_confidences) / len(letter_confidences)
    return float(np.interp(mean, _MEAN_LETTER_DECILES + (1.0,), _WORD_DECILES + (1.0,)))


def _symbol_words(api) -> list[tuple[str, float, int, int]]:  # api: tesserocr.PyTessBaseAPI
    """(word, confidence, top, height) of each word Tesseract recognised, the confidence
    from its letters' (`word_confidence`)."""
    return [(_logical(text), word_confidence(confs), top, height)
            for text, confs, top, height in _symbol_letters(api)]


def _symbol_letters(api) -> list[tuple[str, list[float], int, int]]:
    """(word, its letters' confidences 0-1, top, height) of each word Tesseract recognised."""
    import tesserocr

    words, letters = [], []
    for s in tesserocr.iterate_level(api.GetIterator(), tesserocr.RIL.SYMBOL):
        try:
            s.GetUTF8Text(tesserocr.RIL.SYMBOL)
        except RuntimeError:  # tesserocr raises on an empty symbol
            continue
        if s.IsAtBeginningOf(tesserocr.RIL.WORD) or not words:
            try:
                text = s.GetUTF8Text(tesserocr.RIL.WORD)
            except RuntimeError:
                text = ""
            box = s.BoundingBox(tesserocr.RIL.WORD)
            words.append((text, box))
            letters.append([])
        letters[-1].append(s.Confidence(tesserocr.RIL.SYMBOL) / 100.0)
    return [(text, confs, box[1], box[3] - box[1])
            for (text, box), confs in zip(words, letters) if text and box]


_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def _logical(word: str) -> str:
    """Tesseract's word iterator returns right-to-left words (Hebrew, Arabic) in visual order;
    reverse them into logical order (the order pytesseract's TSV gives)."""
    letters = [ch for ch in word if ch.isalpha()]
    if letters and sum(bool(_RTL.match(ch)) for ch in letters) > len(letters) / 2:
        return word[::-1]
    return word
