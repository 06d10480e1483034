"""What a check of a colorization reports: typed findings with evidence, and the report.

    report = checker(colorized, original=gray, hint="USSR 1950")   # -> CheckReport
    report.findings[0].kind, .severity, .message, .evidence, .box, .share
    report.to_dict()                                              # JSON (CLI --json, HTTP)

A finding says what looks wrong, how sure the check is (its severity), the figures it read
(`evidence`) and where (a box in the colorization's pixels and the share of the image).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from context.display import era_text
from context.types import SceneContext

# Finding kinds: what kind of evidence found it.
KNOWLEDGE = "knowledge"  # a color a retrieved historical fact contradicts
LIKELIHOOD = "likelihood"  # a color our model finds very unlikely for what the photo shows
BLOB = "blob"  # an isolated saturated patch the model finds unlikely
SKIN = "skin"  # skin-toned content (to the model) given a color skin never has
LUMINANCE = "luminance"  # the colorization's lightness differs from the original's
KINDS = (KNOWLEDGE, LIKELIHOOD, BLOB, SKIN, LUMINANCE)
SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True)
class Finding:
    """One thing in the colorization that looks wrong, with the evidence for it."""

    kind: str  # one of KINDS
    severity: str  # one of SEVERITIES
    message: str  # one sentence a reader who does not know the project understands
    evidence: dict[str, Any]  # the figures and sources the finding rests on (JSON values)
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in the colorization's px
    share: float = 0.0  # share of the image's pixels it concerns
    mask: np.ndarray | None = field(default=None, compare=False, repr=False)  # (H, W) bool

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"finding kind {self.kind!r} is not one of {KINDS}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "message": self.message,
                "evidence": self.evidence, "box": list(self.box) if self.box else None,
                "share": round(self.share, 4)}


@dataclass(frozen=True)
class LuminanceMatch:
    """How the colorization's L* compares with the original's (when one was given)."""

    mean_abs: float  # mean |delta L*| over the image
    p99_abs: float  # 99th percentile of |delta L*|
    matches: bool  # within the check's tolerance
    resized: bool  # the original was resized to the colorization's size first
    mean_signed: float = 0.0  # mean delta L* (colorization - original): > 0 lighter overall
    local_share: float = 0.0  # share of the image changed by over 20 L* (local_change.py)
    local_box: tuple[int, int, int, int] | None = None  # where, if only there (a watermark)
    # How the original was registered onto the colorization (align.Registration.to_dict):
    # None where it lined up as it is, resized or turned a quarter turn.
    alignment: dict[str, Any] | None = None
    # It differs only in fine detail: blurred by a couple of the original's pixels, it
    # matches (sharpened, denoised, upscaled by AI, heavy JPEG): a note, not a finding.
    detail_only: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"mean_abs_delta_l": round(self.mean_abs, 3),
                "p99_abs_delta_l": round(self.p99_abs, 3), "matches": self.matches,
                "resized": self.resized, "mean_delta_l": round(self.mean_signed, 3),
                "large_change_share": round(self.local_share, 4),
                "local_box": list(self.local_box) if self.local_box else None,
                "alignment": self.alignment, "detail_only": self.detail_only}


@dataclass(frozen=True)
class FactUse:
    """A retrieved historical color fact the check compared the colors with."""

    id: str
    title: str
    kind: str
    score: float  # retrieval score
    colors: tuple[dict[str, str], ...]  # name, srgb, role
    source: str  # where the fact comes from (citable)
    era: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "kind": self.kind, "score": self.score,
                "colors": list(self.colors), "source": self.source, "era": list(self.era)}


@dataclass(frozen=True)
class CheckReport:
    """Everything the check found in one colorization, and what it compared it with."""

    findings: tuple[Finding, ...]
    context: SceneContext  # inferred from the image (gray) and the hint
    facts: tuple[FactUse, ...]  # the retrieved facts the colors were compared with
    luminance: LuminanceMatch | None  # None: no original given
    size: tuple[int, int]  # (width, height) of the colorization
    hint: str | None
    settings: dict[str, Any]  # the check's thresholds and the model's fingerprint
    notes: tuple[str, ...] = ()  # what the check could not do, and why
    # (h, w) float in [0, 1]: how likely the model finds each pixel's color (1 = its best)
    likelihood: np.ndarray | None = field(default=None, compare=False, repr=False)
    # Where the hint and caption came from (--hint/--caption, or "provenance": the checked
    # file's own record of its colorization, colorizer.check.recorded); None: not read.
    context_from: dict[str, Any] | None = None
    # A before/after composite (gray beside color; composite.Composite.to_dict): where its
    # colorization panel, the part checked, lies. None: the image is one colorization.
    composite: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return not self.findings

    def __repr__(self) -> str:
        # The generated repr was one 3,000-character line in a notebook: every setting, each
        # fact's colors, the whole context. The rest is in to_dict().
        findings = [f"{f.severity} {f.kind}: {f.message}" for f in self.findings]
        context = self.context
        inferred = "" if context.era is None else f", era={era_text(context.era)}"
        inferred += "" if context.region is None else f", region={context.region.name!r}"
        luminance = ("" if self.luminance is None else
                     f", luminance={'matches' if self.luminance.matches else 'differs'} "
                     f"(mean |dL*| {self.luminance.mean_abs:.2f})")
        width, height = self.size
        return (f"CheckReport(passed={self.passed}, findings={findings!r}, "
                f"size={width}x{height}, hint={self.hint!r}{inferred}, "
                f"facts={[fact.id for fact in self.facts]!r}{luminance}, "
                f"notes={list(self.notes)!r})")

    def to_dict(self) -> dict[str, Any]:
        data = {"passed": self.passed, "findings": [f.to_dict() for f in self.findings],
                "context": self.context.to_dict(), "facts": [f.to_dict() for f in self.facts],
                "luminance": self.luminance.to_dict() if self.luminance else None,
                "size": list(self.size), "hint": self.hint, "settings": dict(self.settings),
                "notes": list(self.notes), "context_from": self.context_from}
        if self.composite is not None:  # only then: one colorization's JSON is unchanged
            data["composite"] = self.composite
        return data


def box_of(mask: np.ndarray, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box of a (h, w) mask, in the pixels of an image of `size` (w, h)."""
    if not bool(mask.any()):
        return None
    rows, cols = np.nonzero(mask)
    h, w = mask.shape
    sx, sy = size[0] / w, size[1] / h
    return (int(cols.min() * sx), int(rows.min() * sy),
            min(size[0], int(np.ceil((cols.max() + 1) * sx))),
            min(size[1], int(np.ceil((rows.max() + 1) * sy))))
