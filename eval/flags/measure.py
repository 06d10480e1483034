"""What a flag's colors came out as, and what context read from a caption."""

from __future__ import annotations

from typing import Any

import numpy as np

HUE_TOLERANCE = 40.0  # degrees: a design color's predicted hue may be this far off
CHROMA_RATIO = 0.4  # predicted C* must reach this share of the truth's


def hue_chroma(lab: np.ndarray, where: np.ndarray) -> tuple[float, float]:
    """Hue (degrees [0, 360), of the mean a*b*) and mean chroma C* of `lab` (H, W, 3) at `where`."""
    a, b = lab[..., 1][where], lab[..., 2][where]
    if a.size == 0:
        raise ValueError("no pixels to score: the flag mask is empty after erosion")
    return float(np.degrees(np.arctan2(b.mean(), a.mean())) % 360.0), float(np.hypot(a, b).mean())


def hue_gap(h1: float, h2: float) -> float:
    return abs((h1 - h2 + 180.0) % 360.0 - 180.0)


def context_read(context: dict[str, Any], polity: str) -> dict[str, Any]:
    """What context inferred (region, era) and whether `polity` is in the region's hierarchy."""
    region, era = context.get("region") or {}, context.get("era") or {}
    names = [level["name"] for level in region.get("hierarchy", [])]
    return {"region": region.get("name"), "region_source": region.get("source"),
            "hierarchy": names, "era": [era.get("start"), era.get("end")] if era else None,
            "ocr_text": [line.get("text") for line in context.get("text", []) or []],
            "reads_polity": polity in names}
