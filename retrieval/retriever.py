"""`ExemplarRetriever`: a scene context (and optionally the photo) -> scored exemplars.

    retriever = ExemplarRetriever.from_default(visual_embedder=None)
    hits = retriever(scene_context, image=None, k=5, query_text="USSR 1950")
    hits[0].score, hits[0].exemplar, hits[0].to_dict()  # RetrievedExemplar

Score = weighted mean of the parts that are present:
  text    cosine of the query text (context description + free text) with the record text
  visual  cosine of the photo's visual embedding with the exemplar image's
  era     1 when the exemplar's years overlap the context era; within a user library's
          `era_slack`, less per year apart (`era_closeness`); exemplars beyond it are
          dropped when the era is confident enough, see RetrieverConfig.era_filter
  region  1 when the exemplar's region is the place or contains it (less per level above the
          place), `within_score` when it lies inside the place, 0 otherwise. A context with a
          region never gets exemplars of other regions: those with region score 0 are dropped
          (a photo of Moscow in 2015 gets no Tatarstan, Italian or Red Cross flag however
          close its text)
  kind    KIND_PRIOR of the exemplar's kind: among exemplars that match a place and time
          equally well, the ones a photo of that place and time most often shows come first

A context with no region and no query text gives no exemplars: an era alone (a caption such as
"Solvay conference 1927") matches the flags and uniforms of every country of that time, and
visual similarity alone would hand the colorizer arbitrary flags. Searching
by the look of a photo alone is `search_image` (`chronochrome library search --image`).

Candidates are the exact matches of the region filter plus the nearest neighbours from each
FAISS index, so a 100k-record library is searched in milliseconds.

The weights and filters are `RetrieverConfig` (retriever_config.py, with `KIND_PRIOR`); the
era score and its reason are in era_scores.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from context.types import SceneContext
from retrieval.embedders import TextEmbedder, VisualEmbedder
from retrieval.era_scores import era_closeness, era_reason, query_era
from retrieval.index import VectorIndex
from retrieval.library import ExemplarLibrary
from retrieval.regions import QueryLevel, RegionResolver, match_reason, query_levels
from retrieval.retriever_config import KIND_PRIOR, RetrieverConfig
from retrieval.types import Exemplar, RetrievedExemplar


class ExemplarRetriever:
    """Callable: `retriever(scene_context, image=None, k=5, query_text=None)
    -> list[RetrievedExemplar]`, best first."""

    def __init__(self, library: ExemplarLibrary, resolver: RegionResolver,
                 text_embedder: TextEmbedder | None = None,
                 visual_embedder: VisualEmbedder | None = None,
                 config: RetrieverConfig | None = None):
        self.library = library
        self.resolver = resolver
        self.text_embedder = text_embedder
        self.visual_embedder = visual_embedder
        self.config = config or RetrieverConfig()
        if visual_embedder is not None and library.visual_index is None:
            raise ValueError("a visual embedder was given but the library has no visual index; "
                             "load the library with the same visual embedder")
        self._region_index, self._within_index = self._build_region_indexes()
        self._kind_prior = np.array([KIND_PRIOR[e.kind] for e in library.exemplars],
                                    dtype=np.float32)

    @classmethod
    def from_default(cls, visual_embedder: VisualEmbedder | None = None,
                     library: str | Path | None = None, config: RetrieverConfig | None = None,
                     text_embedder: TextEmbedder | None = None) -> ExemplarRetriever:
        """MiniLM text embedder + the curated library (built into the cache on first use), or
        the library folder `library` (built by `chronochrome library build`; None: the
        config's `library`)."""
        from context.config import ContextConfig
        from context.gazetteer import load_gazetteer
        from retrieval.knowledge import default_library

        if text_embedder is None:
            from context.embedding import MiniLMEmbedder

            text_embedder = MiniLMEmbedder()
        resolver = RegionResolver(load_gazetteer(ContextConfig().data_dir))
        library = library if library is not None else config.library if config else None
        if library is None or str(library) == "default":
            lib = default_library(text_embedder, visual_embedder, resolver)
        else:
            lib = ExemplarLibrary.load(library, text_embedder, visual_embedder)
        return cls(lib, resolver, text_embedder, visual_embedder, config)

    # -- indexes over regions ---------------------------------------------------------------

    def _build_region_indexes(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """key -> records whose region has that key; key -> records lying inside that key."""
        direct: dict[str, list[int]] = {}
        within: dict[str, list[int]] = {}
        ancestors_cache: dict[tuple, list[QueryLevel]] = {}
        for i, e in enumerate(self.library.exemplars):
            for r in e.regions:
                for key in r.match_keys():
                    direct.setdefault(key, []).append(i)
                cache_key = (r, e.start, e.end)
                if cache_key not in ancestors_cache:
                    ancestors_cache[cache_key] = self.resolver.ancestors(r, (e.start, e.end))
                for level in ancestors_cache[cache_key]:
                    for key in level.codes:
                        within.setdefault(key, []).append(i)
        as_arrays = lambda d: {k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in d.items()}
        return as_arrays(direct), as_arrays(within)

    # -- search ----------------------------------------------------------------------------

    def __call__(self, context: SceneContext | None, image: Image.Image | None = None,
                 k: int | None = None, query_text: str | None = None
                 ) -> list[RetrievedExemplar]:
        """Exemplars for a photo's context (the pipeline's call). The photo's look refines the
        ranking; without a region or query text there is nothing to condition on and
        the answer is no exemplars; an era alone is not enough (it fits every country)."""
        query_text = (query_text or "").strip() or None
        if not has_query(context, query_text):
            return []
        text_vec = self._text_query(context, query_text)
        visual_vec = None
        if image is not None and self.visual_embedder is not None:
            visual_vec = self._embed_image(image)
        return self.search(context, text_vec, visual_vec, k or self.config.k)

    def search_image(self, image: Image.Image, k: int | None = None) -> list[RetrievedExemplar]:
        """Exemplars that look like `image` (its luminance), with no context: for browsing a
        library (`library search --image`), not for conditioning the colorizer."""
        if self.visual_embedder is None:
            raise ValueError("image search needs a visual embedder; create the retriever with "
                             "one (and a library built with it)")
        return self.search(None, None, self._embed_image(image), k or self.config.k)

    def _embed_image(self, image: Image.Image) -> np.ndarray:
        return np.asarray(self.visual_embedder([image]), dtype=np.float32)[0]

    def _text_query(self, context: SceneContext | None, query_text: str | None
                    ) -> np.ndarray | None:
        index = self.library.text_index
        if index is None:
            return None
        emb = context.embedding if context else None
        model = context.embedding_model if context else None
        if not query_text and emb is not None and model == index.info.embedder:
            return np.asarray(emb, dtype=np.float32)
        description = context.description if context else None
        text = " ".join(t for t in (description, query_text) if t)
        if not text or self.text_embedder is None:
            return None
        return self.text_embedder.embed([text])[0]

    def search(self, context: SceneContext | None, text_vec: np.ndarray | None,
               visual_vec: np.ndarray | None, k: int) -> list[RetrievedExemplar]:
        """The ranking, given query vectors already embedded (the benchmark times this)."""
        if len(self.library) == 0:
            return []
        era = query_era(context)
        closeness, eligible = self._era_closeness(era)
        levels = query_levels(context)
        region = self._region_scores(levels)
        cand = self._candidates(region, eligible, text_vec, visual_vec)
        if levels:  # the region is a filter, not only a score
            cand = cand[region[cand] > 0]
        if len(cand) == 0:
            return []
        parts, weights = self._parts(cand, text_vec, visual_vec, closeness, region, levels)
        total = sum(weights.values()) or 1.0
        score = np.zeros(len(cand), dtype=np.float32)
        for name, values in parts.items():
            score += weights[name] * values / total
        order = np.argsort(-score, kind="stable")[:k]
        return [self._hit(int(cand[j]), float(score[j]), {p: float(v[j]) for p, v in parts.items()},
                          era, levels) for j in order]

    def _era_closeness(self, era: tuple[int, int, float] | None
                       ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(each record's era score, `era_closeness`; records the era filter keeps: those
        within `era_slack` years of the era, None = all)."""
        if era is None:
            return None, None
        cfg, lib = self.config, self.library
        gap = np.maximum(np.maximum(lib.starts - era[1], era[0] - lib.ends), 0)
        within = gap <= cfg.era_slack
        eligible = within if cfg.era_filter and era[2] >= cfg.min_era_confidence else None
        return era_closeness(gap, cfg.era_slack), eligible

    def _region_scores(self, levels: list[QueryLevel]) -> np.ndarray:
        """Per record: 1 for the place itself, less per level above it, `within_score` for
        records lying inside the place, 0 elsewhere."""
        cfg = self.config
        region = np.zeros(len(self.library), dtype=np.float32)
        for i, level in enumerate(levels):
            for key in level.codes:
                ids = self._region_index.get(key)
                if ids is not None:
                    region[ids] = np.maximum(region[ids], 1.0 - cfg.level_decay * i)
        if levels:
            for key in levels[0].codes:
                ids = self._within_index.get(key)
                if ids is not None:
                    region[ids] = np.maximum(region[ids], cfg.within_score)
        return region

    def _candidates(self, region: np.ndarray, eligible: np.ndarray | None,
                    text_vec: np.ndarray | None, visual_vec: np.ndarray | None) -> np.ndarray:
        """The records to score: region matches plus each index's nearest neighbours."""
        cfg = self.config
        mask = region > 0
        if eligible is not None:
            mask &= eligible
        pool = [np.flatnonzero(mask)]
        if len(pool[0]) > cfg.exact_limit:  # too many to score exactly: best by text/visual
            pool = [self._top(idx, vec, pool[0])
                    for idx, vec in self._modalities(text_vec, visual_vec)]
        for idx, vec in self._modalities(text_vec, visual_vec):
            _, ids = idx.search(vec, cfg.candidates)
            pool.append(ids if eligible is None else ids[eligible[ids]])
        if not any(len(p) for p in pool):  # nothing from the indexes: metadata only
            pool = [np.flatnonzero(eligible) if eligible is not None
                    else np.arange(len(self.library))]
        return np.unique(np.concatenate(pool))

    def _parts(self, cand: np.ndarray, text_vec: np.ndarray | None,
               visual_vec: np.ndarray | None, closeness: np.ndarray | None, region: np.ndarray,
               levels: list[QueryLevel]) -> tuple[dict[str, np.ndarray], dict[str, float]]:
        """The score parts present for this query, per candidate, and their weights."""
        cfg, lib = self.config, self.library
        parts: dict[str, np.ndarray] = {}
        weights: dict[str, float] = {}
        if text_vec is not None and lib.text_index is not None:
            parts["text"] = lib.text_index.similarities(text_vec, cand)
            weights["text"] = cfg.text_weight
        if visual_vec is not None and lib.visual_index is not None:
            parts["visual"] = lib.visual_index.similarities(visual_vec, cand)
            weights["visual"] = cfg.visual_weight
        if closeness is not None:
            parts["era"] = closeness[cand]
            weights["era"] = cfg.era_weight
        if levels:
            parts["region"] = region[cand]
            weights["region"] = cfg.region_weight
        if closeness is not None or levels or text_vec is not None:
            parts["kind"] = self._kind_prior[cand]
            weights["kind"] = cfg.kind_weight
        return parts, weights

    def _modalities(self, text_vec: np.ndarray | None, visual_vec: np.ndarray | None
                    ) -> list[tuple[VectorIndex, np.ndarray]]:
        lib = self.library
        out = []
        if text_vec is not None and lib.text_index is not None:
            out.append((lib.text_index, text_vec))
        if visual_vec is not None and lib.visual_index is not None:
            out.append((lib.visual_index, visual_vec))
        return out

    def _top(self, index: VectorIndex, vec: np.ndarray, subset: np.ndarray) -> np.ndarray:
        _, ids = index.search(vec, self.config.candidates, subset=subset,
                              exact_limit=self.config.exact_limit)
        return ids

    def _hit(self, i: int, score: float, parts: dict[str, float],
             era: tuple[int, int, float] | None, levels: list[QueryLevel]) -> RetrievedExemplar:
        e = self.library.exemplars[i]
        image_path = self.library.image_path(e)
        if not os.path.isfile(image_path):
            raise FileNotFoundError(f"exemplar {e.id}: its image {image_path} is missing from "
                                    f"the library {self.library.root}; rebuild the library "
                                    "(`chronochrome library build ...`)")
        return RetrievedExemplar(exemplar=e, score=round(score, 4), parts=parts,
                                 why=tuple(self._reasons(e, parts, era, levels)),
                                 image_path=str(image_path))

    def _reasons(self, e: Exemplar, parts: dict[str, float],
                 era: tuple[int, int, float] | None, levels: list[QueryLevel]) -> list[str]:
        why = []
        if era is not None:
            why.append(era_reason(e.start, e.end, era, parts.get("era", 0.0),
                                  self.config.era_slack))
        if levels:
            matched = match_reason(e.regions, levels, self.config.level_decay)
            if matched:
                why.append(matched[1])
            elif parts.get("region"):
                names = ", ".join(r.name for r in e.regions)
                why.append(f"region {names} lies within {levels[0].name}")
        if "text" in parts:
            why.append(f"text similarity {parts['text']:.2f}")
        if "visual" in parts:
            why.append(f"visual similarity {parts['visual']:.2f}")
        return why


def has_query(context: SceneContext | None, query_text: str | None) -> bool:
    """Whether a context search has anything to condition on: a region, or query text. Without
    one the answer is no exemplars, known before any library or embedder is loaded (the
    pipeline loads them at the first photo that needs them)."""
    return bool(query_levels(context)) or bool((query_text or "").strip())
