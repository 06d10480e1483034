"""What the check's tests share: a checker on the session's tiny model (a real generator of
a few channels, at a small render size), no flag finder."""

from __future__ import annotations

from pathlib import Path

from colorizer.check.checker import ColorizationChecker


def tiny_checker(weights: Path) -> ColorizationChecker:
    """A checker on the tiny model folder `weights` (conftest's `shared_tiny_weights`)."""
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(weights, device="cpu", render_size=128)
    return ColorizationChecker(pipeline, None)
