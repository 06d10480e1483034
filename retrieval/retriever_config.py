"""`RetrieverConfig`: how `ExemplarRetriever` weighs and filters (retriever.py), with the
kind prior and a user library's era slack it reads."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from context.config_io import config_from_dict
from context.text_encoding import decode_json_text

# How often a photo of a place and time shows each kind of exemplar: national flags and
# banners hang everywhere and archive photos show the place itself; uniforms appear where
# soldiers are, ensigns on ships, insignia small. A query that names an object (a hint like
# "Soviet navy sailors") outweighs this through the text similarity.
KIND_PRIOR = {"flag": 1.0, "photo": 1.0, "banner": 0.9, "uniform": 0.8, "ensign": 0.6,
              "insignia": 0.6, "object": 0.6}

# A user library's era tolerance. Its exemplars are the archive's own photos of places, dated
# as catalogues date them ("1973" for a slide of a 1971-1977 trip, "ca. 1948"), and a place
# looks the same a few years either way: strict overlap gave a "Crimea 1975" hint none of the
# archive's Crimea 1973 slides, and "1950s" no photo of 1948. The curated library stays
# strict: its flags and insignia changed on known dates (the Tatar ASSR flag of 1954). A
# retrieved exemplar still colors only what the presence test finds of it in the photo.
USER_ERA_SLACK = 5


@dataclass(frozen=True)
class RetrieverConfig:
    k: int = 5  # exemplars returned
    text_weight: float = 0.45  # weight of the text similarity
    visual_weight: float = 0.45  # weight of the visual similarity (when an image is given)
    era_weight: float = 0.2  # weight of the era overlap (when the context has an era)
    region_weight: float = 0.35  # weight of the region match (when the context has a region)
    kind_weight: float = 0.15  # weight of KIND_PRIOR (context searches, not search_image)
    within_score: float = 0.5  # region score of an exemplar lying inside the query place
    level_decay: float = 0.05  # region score lost per hierarchy level above the query place
    era_filter: bool = True  # drop exemplars whose era does not overlap a confident era
    min_era_confidence: float = 0.3  # an era below this confidence only scores, never filters
    # Years of tolerance added to both ends of the context era; None: by library (0 for the
    # curated one, USER_ERA_SLACK for a user's `library` folder, set in __post_init__).
    era_slack: int | None = None
    candidates: int = 256  # nearest neighbours taken from each FAISS index
    exact_limit: int = 20_000  # region-matched records scored exactly up to this many
    # The library searched: a folder `chronochrome library build` wrote (colorize --library);
    # None: the curated default (built into the cache on first use).
    library: str | None = None

    def __post_init__(self) -> None:
        if self.era_slack is None:
            user = self.library is not None and str(self.library) != "default"
            object.__setattr__(self, "era_slack", USER_ERA_SLACK if user else 0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetrieverConfig:
        return config_from_dict(cls, data)

    @classmethod
    def from_json(cls, path: str | Path) -> RetrieverConfig:
        """The config in a JSON file as Notepad saves it (a byte-order mark, UTF-16)."""
        return cls.from_dict(json.loads(decode_json_text(Path(path).read_bytes(), str(path))))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

