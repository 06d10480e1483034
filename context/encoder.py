"""`ContextEncoder`: a photo (+ optional hint and captions) -> `SceneContext`.

Components go into the constructor so tests pass tiny or fake ones: the text reader (text
detector + Tesseract), the scene classifier (the colorizer's ImageNet head), the CLIP
zero-shot model and the text embedder. `from_default` builds the offline defaults; a
component that cannot be built is recorded in `sources` with the reason and the rest runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from PIL import Image

from context.config import ContextConfig
from context.cue_reading import as_read
from context.description import describe
from context.fusion import fuse_era, fuse_region, open_window
from context.gazetteer import Gazetteer, load_gazetteer
from context.hints import EraCandidate, PlaceCandidate, places_across_lines, read_cues
from context.image_cues import ClipModel, clip_evidence, scene_evidence
from context.kept_readings import kept_readings
from context.language import tell_language
from context.line_script import LineScriptClassifier
from context.lookalike_reader import LookalikeConfig
from context.ocr import LineReading, TextReader
from context.scene import SceneClassifier
from context.script import ScriptInfo, dominant_script, load_languages, load_scripts
from context.script_place import script_places
from context.script_vote import ShapeVote, script_of
from context.types import (
    Caption,
    Evidence,
    Language,
    SceneContext,
    SceneLabel,
    Script,
    SourceStatus,
    TextEmbedder,
    TextLine,
)
from context.writing import checked_year, is_title, place_names

Told = tuple[Language | None, str | None]  # the writing's language, or why none is named


class ContextEncoder:
    def __init__(self, config: ContextConfig | None = None, gazetteer: Gazetteer | None = None,
                 reader: TextReader | None = None, scene_classifier: SceneClassifier | None = None,
                 clip: ClipModel | None = None, embedder: TextEmbedder | None = None,
                 unavailable: dict[str, str] | None = None,
                 line_script: LineScriptClassifier | None = None):
        self.config = config or ContextConfig()
        data = self.config.data_dir
        self.gazetteer = gazetteer or load_gazetteer(data)
        self.scripts: tuple[ScriptInfo, ...] = load_scripts(data)
        self.languages = load_languages(data)
        self.reader = reader
        self.scene_classifier = scene_classifier
        self.clip = clip
        self.embedder = embedder  # embeds the description (MiniLMEmbedder by default)
        self.line_script = line_script  # letter shapes of detected lines (script_vote.py)
        self._unavailable = dict(unavailable or {})

    @classmethod
    def from_default(cls, config: ContextConfig | None = None,
                     scene_classifier: SceneClassifier | None = None) -> ContextEncoder:
        """The offline defaults: rapidocr boxes + Tesseract, MiniLM, CLIP if configured."""
        config = config or ContextConfig()
        unavailable: dict[str, str] = {}
        reader = clip = embedder = None
        if config.use_ocr:
            try:
                languages = tuple(lang.code for lang in load_languages(config.data_dir))
                reader = TextReader(
                    load_scripts(config.data_dir), max_lines=config.ocr_max_lines,
                    threads=config.tesseract_threads, detector_threads=config.detector_threads,
                    detector_side=config.detector_side, language_models=languages,
                    detector_min_side=config.detector_min_side, lexicon=place_names(
                        config.data_dir), lookalike=LookalikeConfig(config.lookalike_reading))
            except (ImportError, RuntimeError) as e:
                unavailable["ocr"] = str(e)
        else:
            unavailable["ocr"] = "switched off (use_ocr=False / --no-ocr)"
        line_script = None
        if reader is not None and config.shape_weight > 0:
            try:
                line_script = LineScriptClassifier.from_pretrained()
            except (ImportError, OSError) as e:  # the readings still decide
                unavailable["shapes"] = str(e)
        if config.clip_checkpoint:
            from context.clip import ClipZeroShot

            try:
                clip = ClipZeroShot.from_pretrained(config.clip_checkpoint)
            except (ImportError, OSError) as e:
                unavailable["clip"] = f"could not load {config.clip_checkpoint!r}: {e}"
        else:
            unavailable["clip"] = "no CLIP checkpoint given (--clip-checkpoint PATH_OR_TAG)"
        if config.embed:
            from context.embedding import MiniLMEmbedder

            try:
                embedder = MiniLMEmbedder()
            except (ImportError, OSError) as e:
                unavailable["embedding"] = str(e)
        else:
            unavailable["embedding"] = "switched off (embed=False)"
        return cls(config, reader=reader, scene_classifier=scene_classifier, clip=clip,
                   embedder=embedder, unavailable=unavailable, line_script=line_script)

    def __call__(self, image: Image.Image | None, hint: str | None = None,
                 caption: str | None = None, captions: Sequence[Caption] = ()
                 ) -> SceneContext:
        """`caption` is the caller's own (source "user"); `captions` are those found with
        the photo (its metadata, a sidecar file, its name), each naming its source."""
        eras: list[EraCandidate] = []
        places: list[PlaceCandidate] = []
        sources: dict[str, SourceStatus] = {}
        unknown: dict[str, str] = {}
        read = ((Caption(caption, "user"),) if caption and caption.strip() else ()) + tuple(
            c for c in captions if c.text.strip())

        # 1. Hint and caption text.
        self._text_cues(hint, read, eras, places, unknown)

        # 2. Writing in the image.
        lines, script, (language, why) = self._writing_cues(image, sources, eras, places)
        places += script_places(script, self.scripts, self.gazetteer, places, lines)

        # 3. Scene cues from the ImageNet head.
        scene = self._scene(image, sources, eras, places)

        # 4. CLIP zero-shot.
        image_embedding = self._clip(image, sources, eras, places)

        # 5. Fusion (rules in context/fusion.py).
        era, era_reason, conflicts = fuse_era(eras)
        window = open_window(eras) if era is None else None
        region, region_reason, region_conflicts = fuse_region(places, era, self.gazetteer,
                                                              script, self.scripts, window)
        conflicts += region_conflicts
        if era is None:
            unknown["era"] = era_reason or "no evidence"
        if region is None:
            unknown["region"] = region_reason or "no evidence"
        if script is None:
            unknown["script"] = ("no image" if image is None else
                                 "no writing found in the image" if "ocr" not in self._unavailable
                                 else f"OCR not used: {self._unavailable['ocr']}")
        if language is None:
            unknown["language"] = unknown.get("script") or why or "no Cyrillic writing read"

        context = SceneContext(
            era=era, region=region, script=script,
            language=language.code if language else None,
            text=tuple(lines), scene=tuple(scene), conflicts=tuple(conflicts),
            description="", embedding=None, image_embedding=image_embedding,
            sources=sources, unknown=unknown, captions=read, language_detail=language,
        )
        description = describe(context)
        embedding, model = self._embed(description, sources, unknown)
        return replace(context, description=description, embedding=embedding,
                       embedding_model=model)

    # -- steps ----------------------------------------------------------------------------

    def _text_cues(self, hint: str | None, captions: tuple[Caption, ...],
                   eras: list[EraCandidate], places: list[PlaceCandidate],
                   unknown: dict[str, str]) -> None:
        if hint and hint.strip():
            cues = read_cues(hint, "hint", self.gazetteer, self.config.circa_years)
            eras += cues.eras
            places += cues.places
            if not (cues.eras or cues.places):
                # Reported, and the pipeline keeps such a hint away from retrieval.
                unknown["hint"] = (f"no year, period or place found in the hint "
                                   f"{hint.strip()!r}; write e.g. 'Kazan 1950s'")
            elif cues.unread:
                # The rest of the hint is used; these numbers were not (a typo'd year such as
                # "19500" must not pass unsaid). Its own key: "hint" keeps a hint from retrieval.
                words = ", ".join(repr(w) for w in cues.unread)
                unknown["hint_words"] = (f"not read as a date or place: {words} (write a year, "
                                         "a decade or a period: 1950, 1950s, WWII)")
        for caption in captions:
            cues = read_cues(caption.text, "caption", self.gazetteer, self.config.circa_years,
                             origin=caption.source)
            eras += cues.eras
            places += cues.places

    def _writing_cues(self, image: Image.Image | None, sources: dict[str, SourceStatus],
                      eras: list[EraCandidate], places: list[PlaceCandidate]
                      ) -> tuple[list[TextLine], Script | None, Told]:
        """The lines read, their script and language (or why none); the cues in them go to
        eras/places."""
        g = self.gazetteer
        lines, script, language = self._read_text(image, sources)
        for line in lines:
            cues = read_cues(line.text, "ocr", g, self.config.circa_years, box=line.box,
                             title=is_title(line.box, image.height))
            eras += [checked_year(as_read(c, line.confidence), eras) for c in cues.eras]
            places += [as_read(c, line.confidence) for c in cues.places]
        for upper, lower in pairwise(lines):  # a name broken over two lines
            pair = [(upper.text, upper.box), (lower.text, lower.box)]
            places += [as_read(c, min(upper.confidence, lower.confidence))
                       for c in places_across_lines(pair, g)]
        told = language[0]
        if told is not None:
            lang_info = next(x for x in self.languages if x.code == told.code)
            ev = Evidence("ocr", f"writing is in {told.name} (letters, words and how "
                          "well each language model reads it)", told.confidence,
                          lang_info.place)
            places.append(PlaceCandidate(lang_info.place, "place", 0.35 * told.confidence,
                                         "ocr", ev, 1 + g.place_depth(lang_info.place)))
        return lines, script, language

    def _read_text(self, image: Image.Image | None, sources: dict[str, SourceStatus]
                   ) -> tuple[list[TextLine], Script | None, Told]:
        if self.reader is None:
            sources["ocr"] = SourceStatus(False, self._unavailable.get("ocr", "no text reader"))
            return [], None, (None, None)
        if image is None:
            sources["ocr"] = SourceStatus(False, "no image")
            return [], None, (None, None)
        readings, osd, boxes = self.reader.read_lines(image)
        shapes_note = (" + letter-shape classifier" if self.line_script is not None else
                       f" (letter shapes unavailable: {self._unavailable['shapes']})"
                       if "shapes" in self._unavailable else "")
        sources["ocr"] = SourceStatus(True, self.reader.name + shapes_note)
        # The repairs below match Cyrillic readings only, so of these names only the
        # Cyrillic ones (cyrillic_names) take part; one list serves the reader and them.
        names = place_names(self.config.data_dir)
        kept = kept_readings(readings, self.config.ocr_min_confidence, names)
        cyrillic = [r for r in kept if r.script == "Cyrl"]
        model_conf = self._language_models(image, cyrillic)
        lines = [self._line(r, model_conf.get(r.box)) for r in kept]
        # All Cyrillic writing together: each model's confidence, weighted by letters.
        letters = {r.box: sum(ch.isalpha() for ch in r.text) for r in cyrillic}
        total = sum(letters.values())
        overall = ({m: sum(model_conf[box][m] * n for box, n in letters.items()) / total
                    for m in model_conf[cyrillic[0].box]} if model_conf and total else None)
        shapes = ({} if self.line_script is None or not boxes else
                  dict(zip(boxes, self.line_script(image, list(boxes), boxes))))
        vote = ShapeVote(self.config.shape_weight, self.config.shape_floor,
                         self.config.shape_latin)
        script = script_of(kept, osd, self.scripts, shapes, vote)
        return lines, script, self._language(lines, overall)

    def _language_models(self, image: Image.Image, cyrillic: list[LineReading]
                         ) -> dict[tuple[int, int, int, int], dict[str, float]]:
        """Confidence of each Cyrillic language's Tesseract model on each Cyrillic line (box
        -> language -> confidence). A model whose reading is not Cyrillic is left out: it
        was trained on another script (Debian's Tatar model reads Latin-script Tatar)."""
        reads = self.reader.read_with(image, [r.box for r in cyrillic],
                                      [lang.code for lang in self.languages],
                                      {r.box: r.angle for r in cyrillic})
        usable = {m: out for m, out in reads.items()
                  if dominant_script(" ".join(t for t, _ in out), self.scripts)[0] == "Cyrl"}
        if len(usable) < 2:  # one model alone compares with nothing
            return {}
        return {r.box: {m: out[i][1] for m, out in usable.items()}
                for i, r in enumerate(cyrillic)}

    def _line(self, r: LineReading, model_conf: dict[str, float] | None) -> TextLine:
        # A line's script is that of the letters read, not of the model that read them: a
        # script model returns other letters on writing it was not made for (the Arabic
        # model read a Cyrillic slide title as "Fess: 2-û ane niro"). Digits alone keep the
        # model's script.
        script = dominant_script(r.text, self.scripts)[0] or r.script
        told = (tell_language(r.text, self.languages, model_conf)[0] if script == "Cyrl"
                else None)
        return TextLine(r.text, r.box, round(r.confidence, 3), script,
                        told.code if told else None, r.reader)

    def _language(self, lines: list[TextLine], model_conf: dict[str, float] | None) -> Told:
        """The language of all Cyrillic lines together, or why none is named."""
        text = " ".join(line.text for line in lines if line.script == "Cyrl")
        return tell_language(text, self.languages, model_conf)

    def _scene(self, image: Image.Image | None, sources: dict[str, SourceStatus],
               eras: list[EraCandidate], places: list[PlaceCandidate]) -> list[SceneLabel]:
        if self.scene_classifier is None or image is None:
            sources["scene"] = SourceStatus(False, "no scene classifier given" if image
                                            is not None or self.scene_classifier is None
                                            else "no image")
            return []
        return scene_evidence(self.scene_classifier, image, self.config, self.gazetteer,
                              sources, eras, places)

    def _clip(self, image: Image.Image | None, sources: dict[str, SourceStatus],
              eras: list[EraCandidate], places: list[PlaceCandidate]
              ) -> tuple[float, ...] | None:
        if self.clip is None or image is None:
            sources["clip"] = SourceStatus(False, self._unavailable.get("clip", "no image"))
            return None
        return clip_evidence(self.clip, image, self.config, self.gazetteer, sources, eras,
                             places)

    def _embed(self, description: str, sources: dict[str, SourceStatus],
               unknown: dict[str, str]) -> tuple[tuple[float, ...] | None, str | None]:
        if self.embedder is None:
            reason = self._unavailable.get("embedding", "no text embedder given")
            sources["embedding"] = SourceStatus(False, reason)
            unknown["embedding"] = reason
            return None, None
        vec = self.embedder.embed([description])[0]
        sources["embedding"] = SourceStatus(True, self.embedder.name)
        return tuple(float(x) for x in vec), self.embedder.name

