"""chronochrome's colorizer: the generator, the pipeline and the command line.

    from colorizer import ColorizationPipeline
    result = ColorizationPipeline.from_pretrained()("photo.jpg", hints="USSR 1950")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Box", "ColorHint", "ColorizationFailure", "ColorizationPipeline", "ColorizationResult",
           "LibraryExemplar", "Mask", "PipelineConfig", "Point", "Polygon", "ReferenceHint",
           "__version__"]
HINT_TYPES = ("Box", "ColorHint", "LibraryExemplar", "Mask", "Point", "Polygon", "ReferenceHint")
__version__ = "0.1.0"

if TYPE_CHECKING:
    from colorizer.pipeline.color_hints import (
        Box,
        ColorHint,
        LibraryExemplar,
        Mask,
        Point,
        Polygon,
        ReferenceHint,
    )
    from colorizer.pipeline.colorization import ColorizationPipeline, PipelineConfig
    from colorizer.pipeline.photo_list import ColorizationFailure
    from colorizer.pipeline.result import ColorizationResult


def __getattr__(name: str) -> object:
    # Lazy, so `chronochrome --help` does not pay for importing torch.
    if name in ("ColorizationPipeline", "PipelineConfig"):
        from colorizer.pipeline import colorization

        return getattr(colorization, name)
    if name == "ColorizationResult":
        from colorizer.pipeline.result import ColorizationResult

        return ColorizationResult
    if name == "ColorizationFailure":  # a photo of a list call that could not be colorized
        from colorizer.pipeline.photo_list import ColorizationFailure

        return ColorizationFailure
    if name in HINT_TYPES:  # colors people know: pipe(photo, color_hints=[...])
        from colorizer.pipeline import color_hints

        return getattr(color_hints, name)
    raise AttributeError(f"module 'colorizer' has no attribute {name!r}")
