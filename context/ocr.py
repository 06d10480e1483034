"""Writing in photos: text boxes from a detector, then Tesseract per box, script by box.

Whole-photo Tesseract is slow on a 1-MP photo and misses signs, so reading goes in steps:
1. A text-box detector (PP-OCRv4 det from `rapidocr-onnxruntime`, offline) finds lines.
2. The largest boxes are cropped, brought to dark-on-light at a fixed height and stacked
   into one strip, so each Tesseract call reads all lines at once.
3. Tesseract's OSD on the strip orders the script models to try (it needs ~30 characters
   and is often wrong on one short sign, so it only sets the order).
4. Script models run in that order, two at a time in parallel; a line is settled once a
   model reads it with high confidence and the letters it returns lie in that model's
   Unicode ranges (the fallback that works on short text). Unsettled lines take the best
   reading over all models tried.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, ImageOps

from context.script import ScriptInfo, script_counts

LINE_HEIGHT = 40  # pixels: each crop is resized to this height in the strip
_GAP = 14
_ACCEPT = 0.85  # a line read at this mean confidence, in the model's script, is settled

Box = tuple[int, int, int, int]


class TextBoxDetector(Protocol):
    """Finds text lines: returns (x0, y0, x1, y1, score) boxes in image pixels."""

    def __call__(self, image: Image.Image) -> list[tuple[int, int, int, int, float]]: ...


@dataclass(frozen=True)
class LineReading:
    text: str
    box: Box
    confidence: float  # [0, 1]
    script: str | None  # ISO 15924 of the model whose reading was kept
    consistency: float  # share of letters in that model's script


class RapidTextDetector:
    """PP-OCRv4 text detection shipped by `rapidocr-onnxruntime` (no network needed)."""

    name = "rapidocr-onnxruntime PP-OCRv4 det"

    def __init__(self, side: int = 736, threads: int = 2):
        try:
            import rapidocr_onnxruntime
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        except ImportError as e:
            raise ImportError(
                "text detection needs rapidocr-onnxruntime: pip install rapidocr-onnxruntime"
            ) from e
        root = Path(rapidocr_onnxruntime.__file__).parent
        self.side = side
        self._det = TextDetector({
            "model_path": str(root / "models" / "ch_PP-OCRv4_det_infer.onnx"),
            "limit_side_len": side, "limit_type": "max",
            "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
            "thresh": 0.3, "box_thresh": 0.5, "max_candidates": 200, "unclip_ratio": 1.6,
            "use_dilation": True, "score_mode": "fast",
            "intra_op_num_threads": threads, "inter_op_num_threads": 1,
            "use_cuda": False, "use_dml": False,
        })

    def __call__(self, image: Image.Image) -> list[tuple[int, int, int, int, float]]:
        rgb = np.asarray(image.convert("RGB"))[:, :, ::-1]  # (H, W, 3) BGR as rapidocr expects
        quads, _ = self._det(np.ascontiguousarray(rgb))
        if quads is None or len(quads) == 0:
            return []
        out = []
        for q in quads:  # (4, 2) corner points
            x0, y0 = q.min(axis=0)
            x1, y1 = q.max(axis=0)
            out.append((int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1)), 1.0))
        return out


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
    """Tesseract, kept warm in-process through tesserocr (one API per model, loaded on first
    use), or through the `tesseract` command via pytesseract when tesserocr is missing
    (~0.1-0.7 s more per call: the model is loaded each time)."""

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

    def _api(self, model: str, psm: int):  # -> tesserocr.PyTessBaseAPI
        import tesserocr

        key = f"{model}:{psm}"
        with self._guard:
            if key not in self._apis:
                self._apis[key] = tesserocr.PyTessBaseAPI(
                    path=self.tessdata, lang=model, psm=psm,
                    variables={"tessedit_do_invert": "0"})
                self._locks[key] = threading.Lock()
        return self._apis[key], self._locks[key]

    def words(self, image: Image.Image, model: str) -> list[tuple[str, float, int, int]]:
        """(word, confidence 0-1, top, height) of each word, image read as one text block."""
        if self.backend == "tesserocr":
            import tesserocr

            api, lock = self._api(model, tesserocr.PSM.SINGLE_BLOCK)
            level = tesserocr.RIL.WORD
            out = []
            with lock:
                api.SetImage(image)
                api.Recognize()
                for w in tesserocr.iterate_level(api.GetIterator(), level):
                    try:
                        text = w.GetUTF8Text(level)
                    except RuntimeError:  # tesserocr raises on an empty word
                        continue
                    box = w.BoundingBox(level)
                    if text and box:
                        out.append((_logical(text), w.Confidence(level) / 100.0, box[1],
                                    box[3] - box[1]))
            return out
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


def _to_line(crop: Image.Image, height: int = LINE_HEIGHT) -> Image.Image:
    """Grayscale, dark text on light, autocontrast, `height` pixels tall."""
    gray = ImageOps.autocontrast(crop.convert("L"), cutoff=1)
    arr = np.asarray(gray, dtype=np.float32)
    # Text is the minority of a tight box: if most pixels are dark, the background is dark.
    if (arr < arr.mean()).mean() > 0.5:
        gray = ImageOps.invert(gray)
    w = max(1, round(gray.width * height / max(1, gray.height)))
    return gray.resize((min(w, 1600), height), Image.BILINEAR)


def build_strip(image: Image.Image, boxes: Sequence[Box], height: int = LINE_HEIGHT
                ) -> tuple[Image.Image, list[int]]:
    """Stack the cropped lines; returns the strip and the top y of each line in it."""
    lines = [_to_line(image.crop(b), height) for b in boxes]
    width = max(line.width for line in lines) + 20
    strip = Image.new("L", (width, _GAP + len(lines) * (height + _GAP)), 255)
    tops = []
    for i, line in enumerate(lines):
        top = _GAP + i * (height + _GAP)
        strip.paste(line, (10, top))
        tops.append(top)
    return strip, tops


_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def _logical(word: str) -> str:
    """Tesseract's word iterator returns right-to-left words (Hebrew, Arabic) in visual order;
    reverse them into logical order (the order pytesseract's TSV gives)."""
    letters = [ch for ch in word if ch.isalpha()]
    if letters and sum(bool(_RTL.match(ch)) for ch in letters) > len(letters) / 2:
        return word[::-1]
    return word


def _read_strip(engine: TesseractEngine, strip: Image.Image, tops: list[int], model: str,
                height: int = LINE_HEIGHT) -> list[tuple[str, float]]:
    """(text, confidence) per line of the strip, read with one Tesseract model."""
    words: list[list[tuple[str, float]]] = [[] for _ in tops]
    for text, conf, top, height in engine.words(strip, model):
        text = text.strip()
        centre = top + height / 2
        for i, t in enumerate(tops):
            if t - _GAP / 2 <= centre <= t + height + _GAP / 2:
                words[i].append((text, conf))
                break
    out = []
    for line in words:
        letters = [(w, c, max(1, sum(ch.isalnum() for ch in w))) for w, c in line if w]
        weight = sum(n for _, _, n in letters)
        conf = sum(c * n for _, c, n in letters) / weight if weight else 0.0
        out.append((" ".join(w for w, _, _ in letters), conf))
    return out


def merge_words(boxes: Sequence[tuple[int, int, int, int, float]]) -> list[Box]:
    """Join word boxes that lie on one text line into line boxes.

    The detector often splits a line at wide word gaps (Arabic, monospaced or letter-spaced
    signs); a lone word is too short for the script models (and fails the line-shape test),
    so boxes whose vertical extents mostly overlap, of similar height, with a gap under
    ~1.2 line heights, are merged (repeatedly, so chains of words become one line)."""
    out = [list(b[:4]) for b in boxes]
    merged = True
    while merged:
        merged = False
        out.sort(key=lambda b: b[0])
        for i in range(len(out)):
            a = out[i]
            for j in range(i + 1, len(out)):
                b = out[j]
                ha, hb = a[3] - a[1], b[3] - b[1]
                if min(ha, hb) <= 0:
                    continue
                overlap = min(a[3], b[3]) - max(a[1], b[1])
                gap = max(a[0], b[0]) - min(a[2], b[2])
                if (overlap >= 0.6 * min(ha, hb) and min(ha, hb) >= 0.5 * max(ha, hb)
                        and gap <= 1.2 * max(ha, hb)):
                    out[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return [(b[0], b[1], b[2], b[3]) for b in out]


class TextReader:
    """Detects text lines in a photo and reads them with Tesseract, script by script."""

    def __init__(self, scripts: tuple[ScriptInfo, ...], detector: TextBoxDetector | None = None,
                 max_lines: int = 8, threads: int = 2, use_osd: bool = True,
                 detector_side: int = 736, retry_heights: tuple[int, ...] = (32, 24),
                 retry_lines: int = 3):
        self.engine = TesseractEngine()
        models = self.engine.models
        if not models:
            raise RuntimeError(
                "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-osd "
                "tesseract-ocr-script-latn tesseract-ocr-script-cyrl (see scripts/install.sh)"
            )
        self.scripts = tuple(s for s in scripts if s.tesseract in models)
        self.detector = detector or RapidTextDetector(detector_side, threads)
        self.max_lines = max_lines
        self.threads = threads
        self.use_osd = use_osd and "osd" in models
        self.retry_heights = retry_heights  # line heights tried for lines left unsettled
        self.retry_lines = retry_lines  # at most this many (largest) lines are retried
        self._by_osd = {s.name.split(" ")[0]: s for s in self.scripts}
        self._pool = ThreadPoolExecutor(max_workers=threads)

    @property
    def name(self) -> str:
        models = "+".join(s.tesseract for s in self.scripts)
        detector = getattr(self.detector, "name", "text detector")
        return f"{detector} + Tesseract ({self.engine.backend}) [{models}]"

    def detect(self, image: Image.Image) -> list[Box]:
        boxes = []
        for x0, y0, x1, y1 in merge_words(self.detector(image)):
            if y1 - y0 < 8 or x1 - x0 < 2 * (y1 - y0):  # tiny or not a horizontal line
                continue
            pad = max(2, (y1 - y0) // 8)
            boxes.append((max(0, x0 - pad), max(0, y0 - pad),
                          min(image.width, x1 + pad), min(image.height, y1 + pad)))
        boxes.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
        return sorted(boxes[: self.max_lines], key=lambda b: (b[1], b[0]))

    def __call__(self, image: Image.Image) -> tuple[list[LineReading], tuple[str | None, float]]:
        """Readings per detected line, and the OSD (script name, confidence) of the strip."""
        boxes = self.detect(image)
        if not boxes:
            return [], (None, 0.0)
        strip, _ = build_strip(image, boxes)
        osd = self.engine.osd(strip) if self.use_osd else (None, 0.0)
        batches = self._batches(self._by_osd.get(osd[0] or ""))
        best: list[LineReading | None] = [None] * len(boxes)
        pending = list(range(len(boxes)))
        self._read(image, boxes, pending, batches, LINE_HEIGHT, best)
        # Tesseract's line finder is fragile at one text height for some models (Arabic
        # returns nothing for a clean line at 40 px and reads it at 32 px, or the other way
        # round), so lines no model settled are read again at other heights: the largest
        # few only (a big sign, not the texture boxes of the photo), all models again.
        retry = [j for j in range(len(boxes)) if not _settled(best[j])]
        retry = sorted(retry, key=lambda j: -_area(boxes[j]))[: self.retry_lines]
        for height in self.retry_heights:
            retry = [j for j in retry if not _settled(best[j])]
            if not retry:
                break
            self._read(image, boxes, sorted(retry), batches, height, best)
        return [b for b in best if b is not None and b.text], osd

    def _read(self, image: Image.Image, boxes: list[Box], pending: list[int],
              batches: list[list[ScriptInfo]], height: int,
              best: list[LineReading | None]) -> None:
        """Read the `pending` lines with each batch of models in turn at one line height,
        keeping the best reading per line in `best`; settled lines leave, and so do boxes
        that no model reads as text (texture, edges)."""
        for batch in batches:
            if not pending:
                break
            sub, sub_tops = build_strip(image, [boxes[j] for j in pending], height)
            jobs = [self._pool.submit(_read_strip, self.engine, sub, sub_tops, s.tesseract,
                                      height) for s in batch]
            letters = dict.fromkeys(pending, 0)
            for script, job in zip(batch, jobs):
                for j, (text, conf) in zip(pending, job.result()):
                    reading = self._judge(text, conf, boxes[j], script)
                    letters[j] = max(letters[j], sum(ch.isalpha() for ch in text))
                    if best[j] is None or _score(reading) > _score(best[j]):
                        best[j] = reading
            # A line is text when some model of the batch reads 3+ letters in it (the best
            # reading may be another model's digits and marks: Cyrillic on an Arabic line).
            pending = [j for j in pending if not _settled(best[j]) and letters[j] >= 3]

    def _batches(self, osd_pick: ScriptInfo | None) -> list[list[ScriptInfo]]:
        """Models to run, in parallel groups: OSD's pick with Latin, Cyrillic and Greek first
        (the scripts of most archive photos, and they share letter shapes, so they must
        compete on every line: Latin reads 'Ερμού' as 'Eppoú' with high confidence), then
        the rest in pairs."""
        first = [s for s in self.scripts
                 if s is osd_pick or s.code in ("Latn", "Cyrl", "Grek")]
        rest = [s for s in self.scripts if s not in first]
        step = max(1, self.threads)
        return [first] + [rest[i: i + step] for i in range(0, len(rest), step)]

    def _judge(self, text: str, conf: float, box: Box, script: ScriptInfo) -> LineReading:
        counts = script_counts(text, self.scripts)
        total = sum(counts.values())
        consistency = counts.get(script.code, 0) / total if total else 0.0
        return LineReading(text, box, conf, script.code, consistency)


def _area(b: Box) -> int:
    return (b[2] - b[0]) * (b[3] - b[1])


def _settled(r: LineReading | None) -> bool:
    """Read with high confidence, in the letters of the model that read it."""
    return r is not None and r.confidence >= _ACCEPT and r.consistency >= 0.8


def _score(r: LineReading) -> float:
    """Confidence, discounted when the letters are not in the model's script and when words
    mix letters and digits ('06óç': the wrong model forcing its alphabet onto the glyphs)."""
    words = r.text.split()
    mixed = sum(any(c.isdigit() for c in w) and any(c.isalpha() for c in w) for w in words)
    clean = 1.0 - mixed / max(1, len(words))
    return r.confidence * (0.5 + 0.5 * r.consistency) * (0.5 + 0.5 * clean)
