"""The offline default context encoder and exemplar retriever for the pipeline.

One ImageNet EfficientNet-Lite0 serves both the scene classifier (context) and the visual
embedder (retrieval), and the context encoder's MiniLM also embeds retrieval queries, so each
model is loaded once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def default_components(
    device: torch.device, context: bool = True, exemplars: bool = True,
    context_config: ContextConfig | None = None,
    retriever_config: RetrieverConfig | None = None,
) -> tuple[ContextFn | None, ExemplarFn | None, ExemplarLookup | None]:
    """(context, retrieval, the library's images by id); None for what is off."""
    if not (context or exemplars):
        return None, None, None
    imagenet = load_imagenet_encoder(include_head=True).to(device)
    context_fn = exemplar_fn = lookup = None
    text_embedder = None
    if context:
        from colorizer.model.scene import ImageNetSceneClassifier
        from context import ContextEncoder

        encoder = ContextEncoder.from_default(
            context_config or ContextConfig(),
            scene_classifier=ImageNetSceneClassifier(imagenet, device=device))
        text_embedder = encoder.embedder

        def context_fn(image: Image.Image, hints: str | None, captions: Sequence[Caption]
                       ) -> SceneContext:
            return encoder(image, hint=hints, captions=captions)

    if exemplars:
        from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
        from retrieval import ExemplarRetriever

        retriever = ExemplarRetriever.from_default(
            visual_embedder=LuminanceEncoderEmbedder(imagenet, device=str(device)),
            text_embedder=text_embedder, config=retriever_config)

        def exemplar_fn(ctx: SceneContext, image: Image.Image, hints: str | None
                        ) -> list[RetrievedExemplar]:
            return retriever(ctx, image, query_text=hints)

        def lookup(ident: str) -> str:
            library = retriever.library
            return library.image_path(library[ident])

    return context_fn, exemplar_fn, lookup
