"""Writing in photos: text boxes from a detector, then Tesseract per box, script by box.

Whole-photo Tesseract is slow on a 1-MP photo and misses signs, so reading goes in steps:
1. A text-box detector (PP-OCRv4 det from `rapidocr-onnxruntime`, offline; context/
   detector.py) finds words and lines; words on one line are joined (`merge_words`).
2. The largest lines are cropped, brought to dark-on-light at a fixed height with their
   ground flattened to white (context/line_images.py) and stacked into one strip, so each
   Tesseract call reads all lines at once.
3. Tesseract's OSD on the strip orders the script models to try (it needs ~30 characters
   and is often wrong on one short sign, so it only sets the order).
4. Script models run in that order, in groups of two (`MODEL_GROUP`; a group's models
   in parallel when there are threads for it); a line is settled once a model reads it
   with high confidence and the letters it returns lie in that model's Unicode ranges
   (the fallback that works on short text). Unsettled lines take the best reading over
   all models tried.
5. Retries for the largest lines no model settled: binarized, at other line heights
   (Tesseract's line finder fails on some lines at one height and reads them at another:
   letter-spaced Arabic reads only at ~20 px), then, for a line joined from several
   detector boxes, each box on its own (a sign placed beside other writing of the photo,
   of the other polarity, makes a crop no model reads), then with the ground around the
   letters removed (context/line_images.py: titles written on grass or a crowd).
6. Last, lines still unsettled are read by a dictionary-carrying language model per common
   script (eng for Latin, rus for Cyrillic) in the plain and both cleaned views: hand
   lettering the script models read as noise often comes out as words there ("Хорезм-1984"
   on a slide's felt-tip title). A line of digits alone (a title's year, "1979 г.") counts as
   in every script, so it is retried and kept like a line of letters.
7. The words decide between scripts (with `lexicon`, the gazetteer's place names): a line
   whose kept reading names no place takes another model's reading of it, in that model's
   own letters, that does (`_named`), and a Latin reading in letters with Cyrillic
   look-alikes is read again by the Cyrillic models, whose reading is kept when it names a
   place (`_unmask`).
8. When no line read shows a year, the largest lines and the tall narrow boxes are read
   again for digits alone (context/digits.py): a year the script models lost ("Украина-"
   for "Украина-1977") comes back as a line of its own.
9. PP-OCR reads every line too, before step 8 (context/lookalike_reader.py: what it may do).
Everything is read in a fixed order with fixed parameters, so the same photo always gives
the same reading, whichever Tesseract models earlier photos loaded (context/tesseract.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from PIL import Image

from context.detector import DETECTOR_MAX_SIDE, RapidTextDetector, TextBoxDetector
from context.digits import YearPassConfig, columns, read_year, shows_year
from context.line_images import GAP, LINE_HEIGHT, LineView, build_strip
from context.lookalike_reader import LineReading, LookalikeConfig, LookalikeReader, settled
from context.reading_quality import in_own_letters, mean_score, plausible, score
from context.regions import line_angles, line_size, merge_words
from context.script import ScriptInfo, script_counts
from context.tesseract import TesseractEngine, tesseract_install, tesseract_models
from context.writing import looks_disguised, names_in

__all__ = ["DETECTOR_MAX_SIDE", "LineReading", "RapidTextDetector", "TextBoxDetector",
           "TextReader", "build_strip", "merge_words", "tesseract_install", "tesseract_models"]

# Script models after the first group are run in groups of this many (in parallel when
# `threads` allows); a fixed number, so the reading does not depend on the thread count.
MODEL_GROUP = 2
# A reading that names a place replaces the kept one from this confidence on: the encoder's
# floor (ContextConfig.ocr_min_confidence), below which it would drop the line.
_NAMED_MIN = 0.35
# (script code, Tesseract language model with a dictionary) for the last retry.
DICTIONARY_MODELS = (("Latn", "eng"), ("Cyrl", "rus"))

Box = tuple[int, int, int, int]


def _read_strip(engine: TesseractEngine, strip: Image.Image, tops: list[int], model: str,
                height: int = LINE_HEIGHT) -> list[tuple[str, float]]:
    """(text, confidence) per line of the strip, read with one Tesseract model."""
    words: list[list[tuple[str, float]]] = [[] for _ in tops]
    for text, conf, top, word_height in engine.words(strip, model):
        # Each word goes to the strip line its centre lies on: a word of x-height letters
        # only ("молоко") sits low in its line, so the line's height, not the word's, bounds it.
        centre = top + word_height / 2
        for i, t in enumerate(tops):
            if t - GAP / 2 <= centre <= t + height + GAP / 2:
                words[i].append((text.strip(), conf))
                break
    out = []
    for line in words:
        letters = [(w, c, max(1, sum(ch.isalnum() for ch in w))) for w, c in line if w]
        weight = sum(n for _, _, n in letters)
        conf = sum(c * n for _, c, n in letters) / weight if weight else 0.0
        out.append((" ".join(w for w, _, _ in letters), conf))
    return out


class TextReader:
    """Detects text lines in a photo and reads them with Tesseract, script by script."""

    def __init__(self, scripts: tuple[ScriptInfo, ...], detector: TextBoxDetector | None = None,
                 max_lines: int = 8, threads: int = 2, use_osd: bool = True,
                 detector_side: int = 736, detector_min_side: int = 0,
                 retry_heights: tuple[int, ...] = (32, 24, 20),
                 retry_lines: int = 3, language_models: tuple[str, ...] = (),
                 clean: bool = True, detector_threads: int = 1,
                 dictionary_models: tuple[tuple[str, str], ...] = DICTIONARY_MODELS,
                 lexicon: tuple[str, ...] = (), years: YearPassConfig | None = None,
                 lookalike: LookalikeConfig | None = None):
        self.engine = TesseractEngine()
        models = self.engine.models
        if not models:
            raise RuntimeError(
                "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-osd "
                "tesseract-ocr-script-latn tesseract-ocr-script-cyrl (see scripts/install.sh)"
            )
        self.scripts = tuple(s for s in scripts if s.tesseract in models)
        self.detector = detector or RapidTextDetector(detector_side, detector_threads,
                                                            detector_min_side)
        self.max_lines = max_lines
        self.threads = threads
        self.use_osd = use_osd and "osd" in models
        self.retry_heights = retry_heights  # line heights tried for lines left unsettled
        self.retry_lines = retry_lines  # at most this many (largest) lines are retried
        self.clean = clean  # last retry: the ground removed (context/line_images.py)
        # Language models (rus, ukr, ...) for `read_with`, installed ones only.
        self.language_models = tuple(m for m in language_models if m in models)
        self._by_osd = {s.name.split(" ")[0]: s for s in self.scripts}
        # The last retry: a dictionary-carrying language model per common script, standing in
        # for that script's model (step 6 of the module docstring).
        by_code = {s.code: s for s in self.scripts}
        self.dictionary_readers = [replace(by_code[code], tesseract=model)
                                   for code, model in dictionary_models
                                   if code in by_code and model in models]
        # Lower-case place names (context/writing.py: place_names): they decide between the
        # models' readings of a line (`_named`, `_unmask`); empty: neither is done.
        self.lexicon = lexicon
        # The digits-only pass for a year no line shows (context/digits.py).
        years = years or YearPassConfig()
        self.years = replace(years, enabled=years.enabled and years.model in models)
        # The second reader, PP-OCR in look-alike letters (context/lookalike_reader.py).
        self.lookalike = LookalikeReader(lookalike) if lookalike and lookalike.enabled else None
        self._threads_of: tuple[int, ThreadPoolExecutor] | None = None  # (process, pool)

    @property
    def _pool(self) -> ThreadPoolExecutor:
        """This process's reading threads, made at its first reading. A process forked from
        one that had read (a user's multiprocessing Pool, fork) inherits the pool without its
        threads: a reading given to it waited forever (tests/test_user_context_fork.py)."""
        pid = os.getpid()
        if self._threads_of is None or self._threads_of[0] != pid:
            self._threads_of = (pid, ThreadPoolExecutor(max_workers=self.threads))
        return self._threads_of[1]

    @property
    def name(self) -> str:
        models = "+".join(s.tesseract for s in self.scripts)
        detector = getattr(self.detector, "name", "text detector")
        return f"{detector} + Tesseract ({self.engine.backend}) [{models}]"

    def detect(self, image: Image.Image
               ) -> tuple[list[tuple[Box, tuple[Box, ...]]], dict[Box, float]]:
        """The largest text lines (at most `max_lines`), top to bottom, each padded and with
        the padded detector boxes it was joined from; and the angle of each line and part
        (degrees, context/regions.py)."""
        return self._lines(image, self.detector(image))

    def _lines(self, image: Image.Image, boxes: list[tuple]
               ) -> tuple[list[tuple[Box, tuple[Box, ...]]], dict[Box, float]]:
        """`detect` of the detector's `boxes`."""
        merged = merge_words(boxes)
        part_angle = {tuple(b[:4]): (b[5] if len(b) > 5 else 0.0) for b in boxes}
        lines, angles = [], {}
        for (box, parts), angle in zip(merged, line_angles(boxes, merged)):
            w, h = line_size(box, angle)
            if h < 8 or w < 2 * h:  # tiny or not a line of writing
                continue
            padded = _pad(box, image)
            lines.append((padded, tuple(_pad(p, image) for p in parts)))
            angles[padded] = angle
            for p in parts:
                angles[_pad(p, image)] = part_angle.get(p, 0.0)
        lines.sort(key=lambda x: (-_area(x[0]), x[0]))
        return sorted(lines[: self.max_lines], key=lambda x: (x[0][1], x[0][0])), angles

    def __call__(self, image: Image.Image) -> tuple[list[LineReading], tuple[str | None, float]]:
        """Readings per detected line, and the OSD (script name, confidence) of the strip."""
        return self.read_lines(image)[:2]

    def read_lines(self, image: Image.Image
                   ) -> tuple[list[LineReading], tuple[str | None, float], dict[Box, float]]:
        """`__call__`'s, and each detected line box with its angle, read or not."""
        detected = self.detector(image)
        lines, angles = self._lines(image, detected)
        if not lines:
            return [], (None, 0.0), {}
        kept, osd = self.tesseract_lines(image, lines, angles)
        boxes = [box for box, _ in lines]
        if self.lookalike is not None:
            kept = self.lookalike.merge(image, boxes, kept, angles, self.lexicon, _NAMED_MIN)
        # Only a photo with a line read as writing and no year in it (a title without its
        # year) pays for the digits pass; one read as nothing is left as it is.
        if (self.years.enabled and any(sum(ch.isalpha() for ch in r.text) >= 3 for r in kept)
                and not any(shows_year(r.text) for r in kept)):
            found = read_year(self.engine, image, lines,
                              columns(detected, image, self.years.max_columns), self.years)
            kept += [LineReading(str(found[0]), found[1], found[2], None, 1.0,
                                 reader="Tesseract, digits only")] if found else []
        return (sorted(kept, key=lambda r: (r.box[1], r.box[0])), osd,
                {box: angles.get(box, 0.0) for box in boxes})

    def tesseract_lines(self, image: Image.Image, lines: list[tuple[Box, tuple[Box, ...]]],
                        angles: dict[Box, float]
                        ) -> tuple[list[LineReading], tuple[str | None, float]]:
        """Steps 2-7 of the module docstring: Tesseract's kept readings of `lines` (`detect`)
        and the OSD of their strip."""
        boxes = [box for box, _ in lines]
        strip, _ = build_strip(image, boxes, angles=angles)
        osd = self.engine.osd(strip) if self.use_osd else (None, 0.0)
        batches = self._batches(self._by_osd.get(osd[0] or ""))
        seen: dict[Box, list[LineReading]] = {}  # every model's reading of each box
        best = self._read_lines(image, boxes, batches, angles, seen)
        # A joined line that no model settled is read again box by box (the largest few);
        # the boxes' readings replace the line's when they score higher, letter for letter.
        split = [j for j, (_, parts) in enumerate(lines)
                 if len(parts) > 1 and not settled(best[j])]
        split = sorted(sorted(split, key=lambda j: -_area(boxes[j]))[: self.retry_lines])
        if split:
            parts = [p for j in split for p in lines[j][1]]
            part_best = self._read_lines(image, parts, batches, angles, seen)
            k = 0
            for j in split:
                got = part_best[k: k + len(lines[j][1])]
                k += len(got)
                if mean_score(got) > mean_score([best[j]]):
                    best[j] = None
                    best += got
        kept = [replace(b, angle=angles.get(b.box, 0.0)) for b in best
                if b is not None and b.text]
        kept = self._unmask(image, [self._named(r, seen) for r in kept], angles)
        return kept, osd

    def _named(self, reading: LineReading, seen: dict[Box, list[LineReading]]) -> LineReading:
        """The script decision per line, by the words read: when the kept reading is not
        settled and names no place of `lexicon`, and another model's reading of the line
        does, the best-scoring such reading is kept instead (the Greek model read printed
        "Владивосток-70" as "Βπαηνβοςζοκ-τσ", the Cyrillic one "Pechora, 1936" as
        "Ресвога 936")."""
        if not self.lexicon or settled(reading) or names_in(reading.text, self.lexicon):
            return reading  # a line read with confidence in its model's letters is settled
        # Only readings in their own model's letters: a model forcing another alphabet onto
        # the glyphs names places by chance (the Arabic model read a Cyrillic slide title as
        # "Fess: 2-û ane niro", and "niro" nearly spells "Dnipro").
        named = [r for r in seen.get(reading.box, ())
                 if r.confidence >= _NAMED_MIN and in_own_letters(r)
                 and names_in(r.text, self.lexicon)]
        return replace(max(named, key=score), angle=reading.angle) if named else reading

    def _unmask(self, image: Image.Image, readings: list[LineReading],
                angles: dict[Box, float]) -> list[LineReading]:
        """Latin readings that may be Cyrillic in look-alike letters ("Aarecran" for printed
        "Дагестан", "Bapkouyp" for "Байконур"), the largest few, read again by the Cyrillic
        script and dictionary models in the plain views; a Cyrillic reading that names a
        place of `lexicon` replaces the Latin one (the first model and view that does, the
        more confident one when several do). Latin writing ("Budapest") names no Cyrillic
        place and stays."""
        models = [s for s in self.scripts + tuple(self.dictionary_readers) if s.code == "Cyrl"]
        suspects = [j for j, r in enumerate(readings)
                    if r.script == "Latn" and looks_disguised(r.text)]
        suspects = sorted(sorted(suspects, key=lambda j: -_area(readings[j].box))
                          [: self.retry_lines])
        if not self.lexicon or not models or not suspects:
            return readings
        boxes = [readings[j].box for j in suspects]
        out = list(readings)
        self._load(s.tesseract for s in models)
        for view in (LineView(), LineView(binarized=True)):
            strip, tops = build_strip(image, boxes, view, angles)
            jobs = [self._pool.submit(_read_strip, self.engine, strip, tops, s.tesseract,
                                      view.height) for s in models]
            for script, job in zip(models, jobs):  # in model order, whatever finishes first
                for j, box, (text, conf) in zip(suspects, boxes, job.result()):
                    if names_in(text, self.lexicon) and (out[j].script != "Cyrl"
                                                         or conf > out[j].confidence):
                        out[j] = replace(self._judge(text, conf, box, script),
                                         angle=readings[j].angle)
        return out

    def read_with(self, image: Image.Image, boxes: list[Box], models: Sequence[str],
                  angles: dict[Box, float] | None = None) -> dict[str, list[tuple[str, float]]]:
        """(text, confidence) of each box read by each of `models` that is among
        `language_models`, at LINE_HEIGHT: the language models (rus, ukr, ...) read the
        Cyrillic lines again, and how well each reads them is evidence for its language."""
        models = [m for m in models if m in self.language_models]
        if not boxes or not models:
            return {}
        self._load(models)
        strip, tops = build_strip(image, boxes, LineView(), angles)
        jobs = [self._pool.submit(_read_strip, self.engine, strip, tops, m, LINE_HEIGHT)
                for m in models]
        return {m: job.result() for m, job in zip(models, jobs)}

    def _load(self, models: Iterable[str]) -> None:
        """The recognisers of `models` created now, in this thread, before their readings
        are handed to the pool: only the models a photo's lines reach are loaded (all 15
        took ~460 MB at the first photo with writing, where a title settled by the first
        group needs 4). Readings do not depend on which were loaded, nor in what order:
        the 57 real-color-dev photos read the same, every line, box and confidence, with all
        loaded up front as before and loaded as each was first used (context/tesseract.py)."""
        self.engine.load(tuple(models))

    def _read_lines(self, image: Image.Image, boxes: list[Box], batches: list[list[ScriptInfo]],
                    angles: dict[Box, float], seen: dict[Box, list[LineReading]]
                    ) -> list[LineReading | None]:
        """The best reading of each box: all at LINE_HEIGHT, then the largest few that no
        model settled at each of `retry_heights` in turn, then cleaned (line_images.py)."""
        best: list[LineReading | None] = [None] * len(boxes)
        self._read(image, boxes, list(range(len(boxes))), batches, LineView(), best, angles,
                   seen)
        retry = [j for j in range(len(boxes)) if not settled(best[j])]
        retry = sorted(sorted(retry, key=lambda j: -_area(boxes[j]))[: self.retry_lines])
        views = [LineView(binarized=True)] + [LineView(h) for h in self.retry_heights]
        if self.clean:
            views += [LineView(cleaned_for="light"), LineView(cleaned_for="dark")]
        for view in views:
            retry = [j for j in retry if not settled(best[j])]
            if not retry:
                break
            self._read(image, boxes, retry, batches, view, best, angles, seen)
        retry = [j for j in retry if not settled(best[j])]
        if retry and self.dictionary_readers:
            for view in [LineView()] + [v for v in views if v.cleaned_for]:
                self._read(image, boxes, retry, [self.dictionary_readers], view, best, angles,
                           seen)
        return best

    def _read(self, image: Image.Image, boxes: list[Box], pending: list[int],
              batches: list[list[ScriptInfo]], view: LineView,
              best: list[LineReading | None], angles: dict[Box, float],
              seen: dict[Box, list[LineReading]]) -> None:
        """Read the `pending` lines with each batch of models in turn in one view,
        keeping the best reading per line in `best`; settled lines leave, and so do boxes
        that no model reads as text (texture, edges)."""
        for batch in batches:
            if not pending:
                break
            sub, sub_tops = build_strip(image, [boxes[j] for j in pending], view, angles)
            self._load(s.tesseract for s in batch)
            jobs = [self._pool.submit(_read_strip, self.engine, sub, sub_tops, s.tesseract,
                                      view.height) for s in batch]
            letters = dict.fromkeys(pending, 0)
            for script, job in zip(batch, jobs):  # in batch order, whatever finishes first
                for j, (text, conf) in zip(pending, job.result()):
                    reading = self._judge(text, conf, boxes[j], script)
                    if (view.cleaned_for and not plausible(reading)
                            and script not in self.dictionary_readers):
                        # strokes cut out of texture read as noise unless sure; the dictionary
                        # models' readings only compete on score (their words are the check)
                        continue
                    letters[j] = max(letters[j], sum(ch.isalnum() for ch in text))
                    seen.setdefault(boxes[j], []).append(reading)
                    if best[j] is None or score(reading) > score(best[j]):
                        best[j] = reading
            # A line is text when some model of the batch reads 3+ letters or digits in it (the
            # best reading may be another model's digits and marks: Cyrillic on an Arabic line;
            # a title's year often stands on a line of its own: "1979 г.").
            pending = [j for j in pending if not settled(best[j]) and letters[j] >= 3]

    def _batches(self, osd_pick: ScriptInfo | None) -> list[list[ScriptInfo]]:
        """Models to run, in parallel groups: OSD's pick with Latin, Cyrillic and Greek first
        (the scripts of most archive photos, and they share letter shapes, so they must
        compete on every line: Latin reads 'Ερμού' as 'Eppoú' with high confidence), then
        the rest in groups of `MODEL_GROUP`, whatever the thread count."""
        first = [s for s in self.scripts
                 if s is osd_pick or s.code in ("Latn", "Cyrl", "Grek")]
        rest = [s for s in self.scripts if s not in first]
        # Groups of a fixed size, not of `threads`: lines settled by one group leave before
        # the next, so grouping by the thread count made the reading depend on it (slide
        # Awarzi_2 read "Koa Cy”" with 1 thread, ".ττν - μολέζπ'" with 2).
        return [first] + [rest[i: i + MODEL_GROUP] for i in range(0, len(rest), MODEL_GROUP)]

    def _judge(self, text: str, conf: float, box: Box, script: ScriptInfo) -> LineReading:
        counts = script_counts(text, self.scripts)
        total = sum(counts.values())
        consistency = counts.get(script.code, 0) / total if total else 0.0
        if not total and sum(ch.isdigit() for ch in text) >= 2:
            consistency = 1.0  # digits alone ("1979"): every script writes them
        return LineReading(text, box, conf, script.code, consistency)


def _pad(box: Box, image: Image.Image) -> Box:
    """A margin of 1/8 of the box height (at least 2 px), clipped to the image."""
    x0, y0, x1, y1 = box
    pad = max(2, (y1 - y0) // 8)
    return (max(0, x0 - pad), max(0, y0 - pad),
            min(image.width, x1 + pad), min(image.height, y1 + pad))


def _area(b: Box) -> int:
    return (b[2] - b[0]) * (b[3] - b[1])
