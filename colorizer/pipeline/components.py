"""The offline default context encoder and exemplar retriever for the pipeline.

One ImageNet EfficientNet-Lite0 serves both the scene classifier (context) and the visual
embedder (retrieval), and the context encoder's MiniLM also embeds retrieval queries, so each
model is loaded once per process: a process forked from the one that loaded them (a
multiprocessing Pool with fork, Linux's default) loads its own at its first photo, since the
text reader's thread pool does not survive fork (a forked worker waited forever on it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import torch
from PIL import Image

from colorizer.model.encoder import load_imagenet_encoder
from context.config import ContextConfig
from context.types import Caption, SceneContext
from retrieval.retriever import RetrieverConfig
from retrieval.types import RetrievedExemplar

# (gray photo, hints, captions) -> what the photo's context is, with evidence.
ContextFn = Callable[[Image.Image, str | None, Sequence[Caption]], SceneContext]
# (context, gray photo, hints understood as a query or None) -> exemplars, best first.
ExemplarFn = Callable[[SceneContext, Image.Image, str | None], Sequence[RetrievedExemplar]]
# A library exemplar's id -> the path of its image (a reference hint may name one); a
# `KeyError` for an id the library does not hold.
ExemplarLookup = Callable[[str], str]


class PerProcess:
    """What `build()` returns, built again in a process forked from the one that built it:
    thread pools and inference sessions hold threads that a forked child does not have."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._value = build()  # in the loading process: its errors come from from_pretrained

    def get(self) -> Any:
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._value, self._pid = self._build(), os.getpid()
        return self._value


def default_components(
    device: torch.device, context: bool = True, exemplars: bool = True,
    context_config: ContextConfig | None = None,
    retriever_config: RetrieverConfig | None = None,
) -> tuple[ContextFn | None, ExemplarFn | None, ExemplarLookup | None]:
    """(context, retrieval, the library's images by id); None for what is off."""
    if not (context or exemplars):
        return None, None, None
    parts = PerProcess(lambda: _load(device, context, exemplars, context_config,
                                     retriever_config))
    context_fn = exemplar_fn = lookup = None
    if context:
        def context_fn(image: Image.Image, hints: str | None, captions: Sequence[Caption]
                       ) -> SceneContext:
            return parts.get()[0](image, hint=hints, captions=captions)

    if exemplars:
        def exemplar_fn(ctx: SceneContext, image: Image.Image, hints: str | None
                        ) -> list[RetrievedExemplar]:
            return parts.get()[1](ctx, image, query_text=hints)

        def lookup(ident: str) -> str:
            library = parts.get()[1].library
            return library.image_path(library[ident])

    return context_fn, exemplar_fn, lookup


def _load(device: torch.device, context: bool, exemplars: bool,
          context_config: ContextConfig | None, retriever_config: RetrieverConfig | None
          ) -> tuple[Any, Any]:
    """(the context encoder or None, the exemplar retriever or None)."""
    imagenet = load_imagenet_encoder(include_head=True).to(device)
    encoder = retriever = None
    if context:
        from colorizer.model.scene import ImageNetSceneClassifier
        from context import ContextEncoder

        encoder = ContextEncoder.from_default(
            context_config or ContextConfig(),
            scene_classifier=ImageNetSceneClassifier(imagenet, device=device))
    if exemplars:
        from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
        from retrieval import ExemplarRetriever

        retriever = ExemplarRetriever.from_default(
            visual_embedder=LuminanceEncoderEmbedder(imagenet, device=str(device)),
            text_embedder=encoder.embedder if encoder is not None else None,
            config=retriever_config)
    return encoder, retriever
