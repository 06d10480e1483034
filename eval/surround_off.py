"""A photo colorized with one surround step switched off, as before that step shipped: the
"before" of the evals that measure what a step keeps (eval.mount_surround, eval.stereo_halves).
"""

from __future__ import annotations

from PIL import Image

from colorizer.pipeline import surround
from colorizer.pipeline.colorization import ColorizationPipeline


def colorized_without(pipe: ColorizationPipeline, image: Image.Image, step: str
                      ) -> Image.Image:
    """`image` colorized with `step` (a detector of `colorizer.pipeline.surround`:
    "mount_inside", "stereo_inside") finding nothing. The edit cache is cleared around the
    run, else it reuses the shipped run's chroma."""
    shipped = getattr(surround, step)
    setattr(surround, step, lambda lightness, size: None)
    pipe.edits = type(pipe.edits)()
    try:
        return pipe(image).image
    finally:
        setattr(surround, step, shipped)
        pipe.edits = type(pipe.edits)()
