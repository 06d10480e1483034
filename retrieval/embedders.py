"""What the library needs from embedders, and two small ones that need no model.

`retrieval` never imports `colorizer`: the visual embedder (the colorizer's Lite0 features of
the luminance, `colorizer.model.visual_embedder.LuminanceEncoderEmbedder`) is passed in by the
caller. Text embeddings come from `context.embedding.MiniLMEmbedder` by default; the
`TextEmbedder` protocol is the context package's (`context.types.TextEmbedder`), so the
context encoder and the library accept the same objects.

`HashingTextEmbedder` and `ThumbnailEmbedder` are real, deterministic embedders for tests and
for `python -m retrieval`: no weights, same protocol, so the library code runs unchanged.
"""

from __future__ import annotations

import re
import zlib
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from context.types import TextEmbedder

__all__ = ["HashingTextEmbedder", "TextEmbedder", "ThumbnailEmbedder", "VisualEmbedder",
           "l2_normalize"]


@runtime_checkable
class VisualEmbedder(Protocol):
    """`embedder(images) -> (N, dim)` float32, rows L2-normalised."""

    name: str  # identifies the model and preprocessing; saved with the index
    dim: int

    def __call__(self, images: list[Image.Image]) -> np.ndarray: ...


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norm, 1e-12)


class HashingTextEmbedder:
    """Bag of words and character trigrams hashed into `dim` signed buckets."""

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hashing-text-{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.casefold())
            grams = [w[j:j + 3] for w in words for j in range(max(1, len(w) - 2))]
            for token, weight in [(w, 1.0) for w in words] + [(g, 0.5) for g in grams]:
                h = zlib.crc32(token.encode("utf-8"))
                out[i, h % self.dim] += weight if (h >> 31) & 1 else -weight
        return l2_normalize(out)


class ThumbnailEmbedder:
    """Luminance thumbnail (side x side, zero-mean) plus its gradient energy, normalised.

    A weak visual embedder with no weights: good at near-duplicates, blind to semantics.
    """

    def __init__(self, side: int = 12):
        self.side = side
        self.dim = side * side * 2
        self.name = f"luma-thumbnail-{side}"

    def __call__(self, images: list[Image.Image]) -> np.ndarray:
        rows = []
        for image in images:
            g = np.asarray(image.convert("L").resize((self.side, self.side), Image.BILINEAR),
                           dtype=np.float32) / 255.0
            g = g - g.mean()
            gy, gx = np.gradient(g)
            rows.append(np.concatenate([g.ravel(), np.hypot(gx, gy).ravel()]))
        return l2_normalize(np.stack(rows)) if rows else np.zeros((0, self.dim), np.float32)
