"""The records of the exemplar library: `Exemplar` with its `NamedColor`s and `RegionRef`s.

Every object is a frozen dataclass that serialises to plain JSON (`to_dict`) and back
(`from_dict`, which rejects unknown keys). Years are integers (CE), ranges inclusive; colors
are sRGB hex strings "#RRGGBB".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from context.config_io import check_keys

KINDS = ("flag", "banner", "ensign", "uniform", "insignia", "photo", "object")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
TITLE_SHOWN = 80  # characters of a title in a hit's one-line repr


@dataclass(frozen=True)
class NamedColor:
    """A documented color: its name, sRGB value and the part it colors (field, cloth...)."""

    name: str  # e.g. "horizon blue"
    srgb: str  # "#7CA2B8"
    role: str = ""  # "field", "stripe", "emblem", "cloth", "facing", "buttons", ...

    def __post_init__(self) -> None:
        if not _HEX.match(self.srgb):
            raise ValueError(f"color {self.name!r}: srgb must look like '#RRGGBB', got "
                             f"{self.srgb!r}")

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.srgb[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NamedColor:
        check_keys(cls, data)
        return cls(**data)


@dataclass(frozen=True)
class RegionRef:
    """A place or polity an exemplar belongs to, by Wikidata QID and/or ISO 3166 code.

    `gazetteer` is the id of the polity or place in configs/context/ (e.g. "tatar_assr"), used
    to tell containment (the Tatar ASSR lies within the USSR) when QIDs are not enough.
    """

    name: str
    wikidata: str | None = None  # "Q15180"
    iso: str | None = None  # ISO 3166-1 alpha-2, 3166-2 ("RU-TA") or 3166-3 ("SUHH")
    gazetteer: str | None = None  # polity/place id in configs/context/*.csv

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegionRef:
        check_keys(cls, data)
        return cls(**data)

    def match_keys(self) -> tuple[str, ...]:
        """Match keys: the QID, the ISO code and the normalised name."""
        out = []
        if self.wikidata:
            out.append(self.wikidata.upper())
        if self.iso:
            out.append("iso:" + self.iso.upper())
        out.append(name_key(self.name))
        return tuple(out)


def name_key(name: str) -> str:
    return "name:" + re.sub(r"[^\w]+", " ", name.casefold()).strip()


@dataclass(frozen=True)
class Exemplar:
    """One exemplar: an image of a historical color fact, with its provenance."""

    id: str
    kind: str  # one of KINDS
    title: str
    start: int  # first year the colors applied
    end: int  # last year (inclusive)
    regions: tuple[RegionRef, ...]
    colors: tuple[NamedColor, ...]
    source: str  # a citable reference for the color fact (URL or bibliographic)
    license: str  # terms of the record and its image
    image: str  # image path relative to the library folder (or absolute)
    description: str = ""  # free text a historian can read; also embedded for search
    note: str = ""  # caveats on the colors or the dating

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"exemplar {self.id}: kind {self.kind!r} is not one of {KINDS}")
        if self.start > self.end:
            raise ValueError(f"exemplar {self.id}: start {self.start} is after end {self.end}")
        if not self.source.strip():
            raise ValueError(f"exemplar {self.id}: give a citable `source` for its colors")

    def text(self) -> str:
        """The text embedded for search: what, when, where, which colors."""
        where = ", ".join(r.name for r in self.regions) or "unknown place"
        colors = ", ".join(c.name for c in self.colors)
        parts = [f"{self.title}.", f"A {self.kind} from {self.start}-{self.end} in {where}."]
        if colors:
            parts.append(f"Colors: {colors}.")
        if self.description:
            parts.append(self.description)
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["regions"] = [asdict(r) for r in self.regions]
        data["colors"] = [asdict(c) for c in self.colors]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exemplar:
        check_keys(cls, data)
        return cls(**{
            **data,
            "start": int(data["start"]),
            "end": int(data["end"]),
            "regions": tuple(RegionRef.from_dict(r) for r in data.get("regions", [])),
            "colors": tuple(NamedColor.from_dict(c) for c in data.get("colors", [])),
        })


@dataclass(frozen=True)
class RetrievedExemplar:
    """One search hit: the exemplar, how well it matched the query, and why.

    `to_dict` is the JSON record the CLI and the colorization report show (the exemplar's
    fields the reader needs, the score, the reasons and the rendered image's path).
    """

    exemplar: Exemplar
    score: float  # weighted mean of `parts`, rounded to 4 decimals as reported
    parts: dict[str, float]  # per-part scores in [0, 1]: text, visual, era, region, kind
    why: tuple[str, ...]  # the reasons it matched, e.g. "era 1923-1991 overlaps 1950"
    image_path: str  # the rendered image in the library (checked to exist when retrieved)

    @property
    def id(self) -> str:
        return self.exemplar.id

    @property
    def title(self) -> str:
        return self.exemplar.title

    @property
    def kind(self) -> str:
        return self.exemplar.kind

    def __repr__(self) -> str:
        # The generated repr printed the whole record (its description, license, colors):
        # ~1,400 characters a hit in a notebook. The record is `.exemplar`, all of it in to_dict.
        e = self.exemplar
        title = e.title if len(e.title) <= TITLE_SHOWN else e.title[:TITLE_SHOWN - 1] + "\u2026"
        return (f"RetrievedExemplar(id={e.id!r}, kind={e.kind!r}, title={title!r}, "
                f"years={e.start}-{e.end}, score={self.score}, why=<{len(self.why)} reasons>)")

    def to_dict(self) -> dict[str, Any]:
        e = self.exemplar
        return {
            "id": e.id, "title": e.title, "kind": e.kind, "score": self.score,
            "why": list(self.why), "era": {"start": e.start, "end": e.end},
            "regions": [asdict(r) for r in e.regions],
            "colors": [asdict(c) for c in e.colors],
            "source": e.source, "license": e.license, "note": e.note,
            "image_path": self.image_path,
        }
