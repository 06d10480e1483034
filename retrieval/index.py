"""`VectorIndex`: FAISS inner-product search over L2-normalised embeddings (cosine).

The only module that imports faiss. An index remembers which embedder made its vectors, their
dimension and the metric; `load` refuses a file whose embedder, dimension or metric differs
from what the caller expects, because vectors from another model live in another space.

Exact search (`IndexFlatIP`) up to `hnsw_threshold` vectors, HNSW above (sub-millisecond on
100k vectors). `search(..., subset=ids)` restricts the search to a set of records: exactly,
with numpy, when the set is small; through a FAISS ID selector when it is large.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

METRIC = "inner_product"  # on L2-normalised vectors: cosine similarity


@dataclass(frozen=True)
class IndexInfo:
    embedder: str  # name of the embedder that produced the vectors
    dim: int
    metric: str  # always METRIC for now
    kind: str  # "flat" | "hnsw"
    count: int

    def to_dict(self) -> dict:
        return asdict(self)


def _faiss():
    try:
        import faiss
    except ImportError as e:
        raise ImportError("exemplar search needs FAISS: pip install faiss-cpu") from e
    return faiss


class VectorIndex:
    def __init__(self, index, vectors: np.ndarray, info: IndexInfo, ef_search: int = 64):
        self.index = index
        self.vectors = vectors  # (N, D) float32, kept for exact subset search
        self.info = info
        self.ef_search = ef_search

    @classmethod
    def build(cls, vectors: np.ndarray, embedder: str, kind: str = "auto",
              hnsw_threshold: int = 20_000, hnsw_m: int = 32) -> VectorIndex:
        """Index (N, D) L2-normalised vectors. kind: "auto", "flat" or "hnsw"."""
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be (N, D), got shape {vectors.shape}")
        norms = np.linalg.norm(vectors, axis=1)
        if len(norms) and not np.allclose(norms, 1.0, atol=1e-3):
            raise ValueError("vectors must be L2-normalised (cosine search); normalise them "
                             "first, e.g. retrieval.embedders.l2_normalize")
        n, dim = vectors.shape
        if kind == "auto":
            kind = "hnsw" if n > hnsw_threshold else "flat"
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 40
        else:
            raise ValueError(f"index kind must be 'auto', 'flat' or 'hnsw', got {kind!r}")
        index.add(vectors)
        return cls(index, vectors, IndexInfo(embedder, dim, METRIC, kind, n))

    def __len__(self) -> int:
        return self.info.count

    def search(self, query: np.ndarray, k: int, subset: np.ndarray | None = None,
               exact_limit: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) for one query vector (D,), optionally within `subset` ids."""
        query = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.info.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, the index {self.info.dim} "
                             f"({self.info.embedder}); embed the query with the same model")
        if subset is not None and len(subset) <= exact_limit:
            if len(subset) == 0:
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            scores = self.vectors[subset] @ query[0]
            top = np.argsort(-scores)[:k]
            return scores[top], np.asarray(subset)[top].astype(np.int64)
        k = min(k, self.info.count)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        faiss = _faiss()
        params = None
        if subset is not None:
            selector = faiss.IDSelectorBatch(np.asarray(subset, dtype=np.int64))
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
                      if self.info.kind == "hnsw" else faiss.SearchParameters(sel=selector))
        elif self.info.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        scores, ids = self.index.search(query, k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep].astype(np.int64)

    def similarities(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Exact cosine of the query with the given records."""
        return self.vectors[np.asarray(ids, dtype=np.int64)] @ np.asarray(query, np.float32)

    def save(self, stem: str | Path) -> None:
        """Writes STEM.faiss and STEM.json (the IndexInfo)."""
        stem = Path(stem)
        _faiss().write_index(self.index, str(stem.with_suffix(".faiss")))
        stem.with_suffix(".json").write_text(json.dumps(self.info.to_dict(), indent=1))

    @classmethod
    def load(cls, stem: str | Path, embedder: str, dim: int, metric: str = METRIC
             ) -> VectorIndex:
        """Load STEM.faiss, refusing an index made by another embedder, dimension or metric."""
        stem = Path(stem)
        meta, path = stem.with_suffix(".json"), stem.with_suffix(".faiss")
        if not meta.exists() or not path.exists():
            raise FileNotFoundError(f"no index at {path} (+ {meta.name}); build the library "
                                    "with `chronochrome library build`")
        info = IndexInfo(**json.loads(meta.read_text()))
        problems = [f"{what}: index has {have!r}, you asked for {want!r}"
                    for what, have, want in (("embedder", info.embedder, embedder),
                                             ("dimension", info.dim, dim),
                                             ("metric", info.metric, metric)) if have != want]
        if problems:
            raise ValueError(f"index {path} does not match: " + "; ".join(problems) +
                             ". Rebuild the library with the embedder you search with "
                             "(`chronochrome library build ...`), or search with the one it "
                             "was built with.")
        try:
            index = _faiss().read_index(str(path))
        except RuntimeError as e:  # FAISS's C++ message, e.g. "read error ... 55 != 43008"
            raise ValueError(f"index {path} is cut short or damaged (FAISS cannot read it); "
                             "rebuild the library") from e
        if index.ntotal != info.count or index.d != info.dim:
            raise ValueError(f"index {path} holds {index.ntotal}x{index.d} vectors but its "
                             f"{meta.name} says {info.count}x{info.dim}; rebuild the library")
        vectors = (index.reconstruct_n(0, index.ntotal) if index.ntotal
                   else np.zeros((0, info.dim), np.float32))
        return cls(index, np.ascontiguousarray(vectors, dtype=np.float32), info)
