"""The pipeline and its I/O: load -> context -> guidance -> decoding -> merge -> result.

    from colorizer.pipeline import ColorizationPipeline, PipelineConfig
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["ColorizationPipeline", "PipelineConfig"]

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline, PipelineConfig


def __getattr__(name: str) -> object:
    # Lazy: the CLI imports `colorizer.pipeline.imageio` without paying for torch.
    if name in __all__:
        from colorizer.pipeline import colorization

        return getattr(colorization, name)
    raise AttributeError(f"module 'colorizer.pipeline' has no attribute {name!r}")
