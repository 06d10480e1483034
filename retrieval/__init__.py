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

Importing this package loads no model, reads no file and imports no FAISS.
"""

from retrieval.embedders import HashingTextEmbedder, TextEmbedder, ThumbnailEmbedder, VisualEmbedder
from retrieval.library import ExemplarLibrary, LibraryInfo
from retrieval.retriever import ExemplarRetriever, RetrieverConfig
from retrieval.types import Exemplar, NamedColor, RegionRef, RetrievedExemplar

__all__ = [
    "Exemplar", "ExemplarLibrary", "ExemplarRetriever", "HashingTextEmbedder", "LibraryInfo",
    "NamedColor", "RegionRef", "RetrievedExemplar", "RetrieverConfig", "TextEmbedder", "ThumbnailEmbedder",
    "VisualEmbedder",
]
