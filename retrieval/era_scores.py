"""The era part of a retrieval score: how close an exemplar's years are to the context's era,
and the reason a historian reads for it (retriever.py scores with these)."""

from __future__ import annotations

import numpy as np

from context.types import SceneContext


def era_reason(start: int, end: int, era: tuple[int, int, float], closeness: float,
               slack: int) -> str:
    """Why an exemplar's years count for the context's era, with the figures: a historian
    reads "era 1973 for 1975: 2 years off" where "is within 5 years of 1975" hid how far."""
    when = _years(era[0], era[1])
    gap = max(start - era[1], era[0] - end, 0)
    if gap == 0:
        return f"era {_years(start, end)} overlaps {when}"
    off = f"{gap} year{'s' * (gap != 1)} off"
    if closeness:  # within the library's era_slack: scored less per year apart
        return (f"era {_years(start, end)} for {when}: {off}, within the library's "
                f"{slack}-year slack (era score {closeness:.2f} of 1)")
    return f"era {_years(start, end)} does not overlap {when}: {off}"


def _years(start: int, end: int) -> str:
    return f"{start}" if start == end else f"{start}-{end}"


def era_closeness(gap: np.ndarray, slack: int) -> np.ndarray:
    """The era score of records `gap` years from the context's era (0: they overlap): 1 when
    they overlap, then 1/(slack + 1) less per year apart, 0 beyond `slack`. A user library's
    slack let a photo 5 years off score as an exact-year one (an archive's "Crimea 1975" hint
    ranked its 1970 slides with its 1975 ones); with slack 0 (the curated library) it is the
    plain overlap, 1 or 0, as before."""
    score = 1.0 - gap.astype(np.float32) / np.float32(max(slack, 0) + 1)
    return np.where(gap <= slack, score, np.float32(0.0)).astype(np.float32)


def query_era(context: SceneContext | None) -> tuple[int, int, float] | None:
    era = context.era if context else None
    if era is None:
        return None
    return int(era.start), int(era.end), float(era.confidence)
