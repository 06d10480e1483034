"""The offline default context encoder and exemplar retriever for the pipeline.

One ImageNet EfficientNet-Lite0 serves both the scene classifier (context) and the visual
embedder (retrieval), and the context encoder's MiniLM also embeds retrieval queries, so each
model is loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from PIL import Image

from colorizer.model.encoder import load_imagenet_encoder

if TYPE_CHECKING:
    from context import ContextConfig
    from retrieval import RetrieverConfig

# (gray PIL image, hints, caption) -> SceneContext as a dict
ContextFn = Callable[[Image.Image, str | None, str | None], dict[str, Any]]
# (context dict, gray PIL image, query text) -> exemplar records
ExemplarFn = Callable[[dict[str, Any], Image.Image, str | None], list[dict[str, Any]]]


def default_components(
    device: torch.device, context: bool = True, exemplars: bool = True,
    context_config: ContextConfig | None = None,
    retriever_config: RetrieverConfig | None = None,
) -> tuple[ContextFn | None, ExemplarFn | None]:
    if not (context or exemplars):
        return None, None
    imagenet = load_imagenet_encoder(include_head=True).to(device)
    context_fn = exemplar_fn = None
    text_embedder = None
    if context:
        from colorizer.model.scene import ImageNetSceneClassifier
        from context import ContextConfig, ContextEncoder

        encoder = ContextEncoder.from_default(
            context_config or ContextConfig(),
            scene_classifier=ImageNetSceneClassifier(imagenet, device=device))
        text_embedder = encoder.embedder

        def context_fn(image: Image.Image, hints: str | None, caption: str | None) -> dict:
            return encoder(image, hint=hints, caption=caption).to_dict()

    if exemplars:
        from colorizer.model.visual_embedder import LuminanceEncoderEmbedder
        from retrieval import ExemplarRetriever

        retriever = ExemplarRetriever.from_default(
            visual_embedder=LuminanceEncoderEmbedder(imagenet, device=str(device)),
            text_embedder=text_embedder, config=retriever_config)

        def exemplar_fn(ctx: dict, image: Image.Image, hints: str | None) -> list[dict]:
            return retriever(ctx, image, query_text=hints)

    return context_fn, exemplar_fn
