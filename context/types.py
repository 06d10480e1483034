"""The typed objects of the context package: `SceneContext` and its parts.

Every object is a frozen dataclass that serializes to plain JSON (`to_dict`) and back
(`from_dict`). A field that could not be inferred is `None`, and `SceneContext.unknown` says
why (field name -> reason); nothing is filled in with a guess.

Confidences are probabilities in [0, 1]. Boxes are pixel coordinates `[x0, y0, x1, y1]` in
the input image. Years are integers (CE), ranges inclusive.

`TextEmbedder` is the protocol of what embeds text, for this package and for retrieval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from context.config_io import check_keys

# Source names, in the order fusion trusts them (see context/fusion.py).
SOURCES = ("hint", "caption", "ocr", "clip", "scene", "gazetteer")


@dataclass(frozen=True)
class Evidence:
    """One observation behind an inferred value: what was seen, where, and how strongly."""

    source: str  # one of SOURCES
    what: str  # human-readable, e.g. 'year "1915" in caption (filename)'
    score: float  # strength of this observation in [0, 1]
    value: str | None = None  # what it suggests, e.g. "1910-1920" or "Q900"
    box: tuple[int, int, int, int] | None = None  # where in the image (OCR, CLIP has none)
    span: tuple[int, int] | None = None  # character span in the hint/caption text
    origin: str | None = None  # a caption's own source (`Caption.source`), e.g. "filename"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        check_keys(cls, data)
        box = tuple(data["box"]) if data.get("box") is not None else None
        span = tuple(data["span"]) if data.get("span") is not None else None
        return cls(**{**data, "box": box, "span": span})


@dataclass(frozen=True)
class Caption:
    """A piece of text that describes the photo, and where it was found.

    `source` names the place: "user" (given by the caller), "filename", an EXIF, IPTC or XMP
    field ("exif:ImageDescription", "iptc:Caption-Abstract", "xmp:dc:description", a date
    such as "iptc:DateCreated": it gives the year), or a sidecar file beside the photo
    ("sidecar:Prague1968.txt", "sidecar:Prague1968.json:caption").
    """

    text: str
    source: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Caption:
        check_keys(cls, data)
        return cls(**data)


def _evidence_list(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence.from_dict(e) for e in items)


@dataclass(frozen=True)
class Era:
    """When the photo was taken: an inclusive year range."""

    start: int
    end: int
    confidence: float
    source: str  # the source that set the range (hint > caption > ocr > clip > scene)
    evidence: tuple[Evidence, ...] = ()
    month: int | None = None  # 1-12 when the source named the month of a single year

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Era:
        check_keys(cls, data)
        return cls(**{**data, "evidence": _evidence_list(data.get("evidence", []))})


@dataclass(frozen=True)
class PlaceRef:
    """One level of a region's hierarchy (a city, or the polity that held it then)."""

    name: str
    kind: str  # "city" | "region" | "state" | "country" | "polity"
    wikidata: str | None = None
    iso: str | None = None  # ISO 3166-1 alpha-2, ISO 3166-2, or ISO 3166-3 (historical)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlaceRef:
        check_keys(cls, data)
        return cls(**data)


@dataclass(frozen=True)
class RegionCandidate:
    """A polity that held the place for a while: one reading of a place whose date is not
    known (or whose era spans a change of rule)."""

    name: str  # e.g. "Moscow, Russian SFSR, USSR"
    polity: str  # the polity that held it, e.g. "Russian SFSR"
    start: int  # first year of that rule
    end: int | None  # last year; None = to this day
    hierarchy: tuple[PlaceRef, ...] = ()  # most specific first, as in Region.hierarchy
    period: str = ""  # as precise as the gazetteer has it, e.g. "1933-01-30 to 1945-05-08"
    source: str = ""  # the table row (URL) that says so

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionCandidate:
        check_keys(cls, data)
        return cls(**{**data, "hierarchy": tuple(PlaceRef.from_dict(p)
                                                 for p in data.get("hierarchy", []))})


@dataclass(frozen=True)
class Region:
    """Where the photo was taken, resolved to the polity that held the place at the era."""

    name: str  # e.g. "Kazan, Tatar ASSR, USSR"
    wikidata: str | None  # QID of the most specific place
    iso: str | None  # most specific ISO 3166 code that exists (3166-3 for dissolved states)
    confidence: float
    source: str
    evidence: tuple[Evidence, ...] = ()
    hierarchy: tuple[PlaceRef, ...] = ()  # most specific first, e.g. Kazan, Tatar ASSR, ..., USSR
    modern_iso: str | None = None  # ISO 3166-1 alpha-2 of the country that holds it today
    # The polities that held the place, each with its period: all of them when the date is
    # unknown (then `hierarchy` stops at the place and names no state), the ones the era
    # overlaps when it spans a change of rule (Berlin 1945); empty otherwise.
    candidates: tuple[RegionCandidate, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Region:
        check_keys(cls, data)
        return cls(
            **{
                **data,
                "evidence": _evidence_list(data.get("evidence", [])),
                "hierarchy": tuple(PlaceRef.from_dict(p) for p in data.get("hierarchy", [])),
                "candidates": tuple(RegionCandidate.from_dict(c)
                                    for c in data.get("candidates", [])),
            }
        )


@dataclass(frozen=True)
class Script:
    """The writing system of the text found in the photo."""

    code: str  # ISO 15924, e.g. "Cyrl"
    name: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        check_keys(cls, data)
        return cls(**{**data, "evidence": _evidence_list(data.get("evidence", []))})


@dataclass(frozen=True)
class Language:
    """The language of the writing found in the photo (told only for Cyrillic writing)."""

    code: str  # ISO 639-3, e.g. "rus"; also `SceneContext.language`
    name: str  # e.g. "Russian": what a person reads
    confidence: float  # the classifier's probability of this language
    evidence: tuple[Evidence, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Language:
        check_keys(cls, data)
        return cls(**{**data, "evidence": _evidence_list(data.get("evidence", []))})


@dataclass(frozen=True)
class TextLine:
    """One line of writing read from the image."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float  # mean word confidence of the recogniser, [0, 1]
    script: str | None = None  # ISO 15924 of this line
    language: str | None = None  # ISO 639-3 of this line, when it could be told
    reader: str | None = None  # which reader read it (and its own reading, when turned)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextLine:
        check_keys(cls, data)
        return cls(**{**data, "box": tuple(data["box"])})


@dataclass(frozen=True)
class SceneLabel:
    """A scene label from the ImageNet head (or CLIP), with what it suggests."""

    label: str
    score: float
    cue: str | None = None  # curated cue name (configs/context/scene_cues.csv), if any

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneLabel:
        check_keys(cls, data)
        return cls(**data)


@dataclass(frozen=True)
class Conflict:
    """Two sources that disagree, e.g. the hint says USA and the signage is Cyrillic."""

    field: str  # "era" | "region" | "script"
    kept: str  # what the context reports, and from which source
    other: str  # what the disagreeing source said
    message: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conflict:
        check_keys(cls, data)
        return cls(**data)


@dataclass(frozen=True)
class SourceStatus:
    """Whether an inference source ran, and if not, why."""

    used: bool
    detail: str  # model/checkpoint name when used, the reason when not

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceStatus:
        check_keys(cls, data)
        return cls(**data)


@dataclass(frozen=True)
class SceneContext:
    """Where and when a photo was taken, the script of its writing, how sure, and why."""

    era: Era | None
    region: Region | None
    script: Script | None
    language: str | None  # ISO 639-3 of the writing, e.g. "tat"
    text: tuple[TextLine, ...]
    scene: tuple[SceneLabel, ...]
    conflicts: tuple[Conflict, ...]
    description: str  # one sentence, also what `embedding` embeds
    embedding: tuple[float, ...] | None  # text embedding of `description` (L2-normalised)
    embedding_model: str | None = None
    image_embedding: tuple[float, ...] | None = None  # CLIP image embedding, when CLIP ran
    sources: dict[str, SourceStatus] = field(default_factory=dict)  # ocr/scene/clip/embedding
    unknown: dict[str, str] = field(default_factory=dict)  # null field -> reason
    captions: tuple[Caption, ...] = ()  # the captions read, each with its source
    # `language` with its name, confidence and evidence (None when `language` is; then
    # `unknown["language"]` says why, e.g. too few letters to tell Russian from Kazakh).
    language_detail: Language | None = None

    @classmethod
    def empty(cls, reason: str) -> SceneContext:
        """A context with nothing inferred, e.g. when context inference is switched off."""
        nulls = ("era", "region", "script", "language", "embedding")
        return cls(
            era=None,
            region=None,
            script=None,
            language=None,
            text=(),
            scene=(),
            conflicts=(),
            description="",
            embedding=None,
            unknown={name: reason for name in nulls},
        )

    def __repr__(self) -> str:
        # One line (context/display.py): the generated repr printed both embeddings in full,
        # 10,464 characters for one photo in a notebook cell.
        from context.display import context_repr

        return context_repr(self)

    def _repr_html_(self) -> str:
        """Jupyter's view: each inferred value with its confidence and evidence."""
        from context.display import context_html

        return context_html(self)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # asdict keeps tuples; JSON wants lists. Round floats in the embedding for size.
        data["embedding"] = [float(x) for x in self.embedding] if self.embedding else None
        if self.image_embedding:
            data["image_embedding"] = [float(x) for x in self.image_embedding]
        return _lists(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneContext:
        check_keys(cls, data)
        emb = data.get("embedding")
        img = data.get("image_embedding")
        return cls(
            era=Era.from_dict(data["era"]) if data.get("era") else None,
            region=Region.from_dict(data["region"]) if data.get("region") else None,
            script=Script.from_dict(data["script"]) if data.get("script") else None,
            language=data.get("language"),
            text=tuple(TextLine.from_dict(t) for t in data.get("text", [])),
            scene=tuple(SceneLabel.from_dict(s) for s in data.get("scene", [])),
            conflicts=tuple(Conflict.from_dict(c) for c in data.get("conflicts", [])),
            description=data.get("description", ""),
            embedding=tuple(float(x) for x in emb) if emb is not None else None,
            embedding_model=data.get("embedding_model"),
            image_embedding=tuple(float(x) for x in img) if img is not None else None,
            sources={k: SourceStatus.from_dict(v) for k, v in data.get("sources", {}).items()},
            unknown=dict(data.get("unknown", {})),
            captions=tuple(Caption.from_dict(c) for c in data.get("captions", [])),
            language_detail=(Language.from_dict(data["language_detail"])
                             if data.get("language_detail") else None),
        )


@runtime_checkable
class TextEmbedder(Protocol):
    """`embedder.embed(texts) -> (N, dim)` float32, rows L2-normalised.

    What embeds `SceneContext.description` (context) and the library's records (retrieval):
    one protocol, so queries and records share one space. `context.embedding.MiniLMEmbedder`
    is the default; `retrieval.embedders.HashingTextEmbedder` a weightless one for tests.
    """

    name: str  # identifies the model; saved as `SceneContext.embedding_model` and with indexes
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value
