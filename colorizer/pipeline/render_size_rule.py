"""The render size a photo is predicted at: the pipeline's, lowered for a small photo.

A render size above both the photo's long side and the model's operating point would only
upsample the photo before the generator (slower, more memory, no detail): it is lowered to
the larger of the two, and the result's notes say so. One rule for every interface (the
Python API, `chronochrome colorize`, the web workbench, the HTTP service), applied where a
photo is prepared (`ColorizationPipeline.prepare`), so the same photo with the same settings
gets the same pixels everywhere. At a render size not above the operating point (the
default) nothing is ever lowered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkingSize:
    """The long side (px) chroma is predicted at for one photo, and why it differs from the
    pipeline's render size (empty when it does not)."""

    size: int
    note: str = ""


def working_size(render_size: int, operating_point: int, long_side: int) -> WorkingSize:
    """`render_size` (the run's), lowered to max(`long_side`, `operating_point`) when above
    both; `operating_point` is the weights' saved render size."""
    limit = max(long_side, operating_point)
    if render_size <= limit:
        return WorkingSize(render_size)
    return WorkingSize(limit, f"render size lowered from {render_size} to {limit} px "
                              f"(the photo's long side is {long_side} px)")
