"""An exemplar library of historical color, searchable by context with FAISS.

    from retrieval import ExemplarRetriever
    retriever = ExemplarRetriever.from_default(visual_embedder=None)  # curated library
    hits = retriever(scene_context, image=None, k=5)  # list of RetrievedExemplar
    [hit.to_dict() for hit in hits]  # JSON

- `Exemplar` (+ `NamedColor`, `RegionRef`): a record with era, regions, colors, source,
  license and image; `ExemplarLibrary`: records + images + FAISS indexes in a folder;
  `ExemplarRetriever`: context/photo -> `RetrievedExemplar`s (the exemplar, its score and
  the reasons it matched).
- `VisualEmbedder` is a protocol: retrieval never imports colorizer, the caller passes
  `colorizer.model.visual_embedder.LuminanceEncoderEmbedder` (or a tiny one in tests).

Importing this package loads no model, reads no file and imports no FAISS (nor numpy: its
names are imported on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.embedders import (
        HashingTextEmbedder,
        TextEmbedder,
        ThumbnailEmbedder,
        VisualEmbedder,
    )
    from retrieval.library import ExemplarLibrary, LibraryInfo
    from retrieval.retriever import ExemplarRetriever, RetrieverConfig
    from retrieval.types import Exemplar, NamedColor, RegionRef, RetrievedExemplar

# Names are imported on first use, so `retrieval.cli`'s parser (in `chronochrome --help`)
# does not pay for numpy and the library's modules.
_HOMES = {
    **dict.fromkeys(("HashingTextEmbedder", "TextEmbedder", "ThumbnailEmbedder",
                     "VisualEmbedder"), "retrieval.embedders"),
    "ExemplarLibrary": "retrieval.library", "LibraryInfo": "retrieval.library",
    "ExemplarRetriever": "retrieval.retriever", "RetrieverConfig": "retrieval.retriever",
    **dict.fromkeys(("Exemplar", "NamedColor", "RegionRef", "RetrievedExemplar"),
                    "retrieval.types"),
}
__all__ = [
    "Exemplar", "ExemplarLibrary", "ExemplarRetriever", "HashingTextEmbedder", "LibraryInfo",
    "NamedColor", "RegionRef", "RetrievedExemplar", "RetrieverConfig", "TextEmbedder",
    "ThumbnailEmbedder", "VisualEmbedder",
]


def __getattr__(name: str) -> object:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
