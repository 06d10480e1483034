"""The context card: era, region, script and language, each with its evidence and confidence,
as the page shows them. Every field is listed; one that was not inferred says why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from context.types import Evidence, SceneContext, TextLine


def context_card(ctx: SceneContext) -> dict[str, Any]:
    # A hint not used is said once, among the result's notes (colorizer.pipeline.hint_use),
    # which the page shows beside the card.
    fields = [_era(ctx), _region(ctx), _script(ctx), _language(ctx)]
    return {"fields": fields, "description": ctx.description,
            "conflicts": [c.message for c in ctx.conflicts],
            "captions": [{"text": c.text, "source": c.source} for c in ctx.captions]}


def _field(name: str, value: str | None, confidence: float | None, source: str | None,
           evidence: Sequence[dict[str, Any]], ctx: SceneContext) -> dict[str, Any]:
    return {"field": name, "value": value,
            "confidence": None if confidence is None else round(float(confidence), 3),
            "source": source, "evidence": list(evidence),
            "unknown": ctx.unknown.get(name) if value is None else None}


def _evidence(items: Sequence[Evidence]) -> list[dict[str, Any]]:
    return [{"what": e.what, "source": e.source, "score": round(float(e.score), 3)}
            for e in items]


def _era(ctx: SceneContext) -> dict[str, Any]:
    era = ctx.era
    if era is None:
        return _field("era", None, None, None, (), ctx)
    value = str(era.start) if era.start == era.end else f"{era.start}-{era.end}"
    return _field("era", value, era.confidence, era.source, _evidence(era.evidence), ctx)


def _region(ctx: SceneContext) -> dict[str, Any]:
    region = ctx.region
    if region is None:
        return _field("region", None, None, None, (), ctx)
    return _field("region", region.name, region.confidence, region.source,
                  _evidence(region.evidence), ctx)


def _script(ctx: SceneContext) -> dict[str, Any]:
    script = ctx.script
    if script is None:
        return _field("script", None, None, None, (), ctx)
    return _field("script", f"{script.name} ({script.code})", script.confidence, "ocr",
                  _evidence(script.evidence), ctx)


def _language(ctx: SceneContext) -> dict[str, Any]:
    """The language by its name with the classifier's confidence and evidence
    (`SceneContext.language_detail`); a context without the detail (read from an older file)
    shows the code, with the lines read in it as evidence."""
    if ctx.language is None:
        return _field("language", None, None, None, (), ctx)
    detail = ctx.language_detail
    if detail is not None:
        return _field("language", f"{detail.name} ({detail.code})", detail.confidence, "ocr",
                      _evidence(detail.evidence), ctx)
    lines: list[TextLine] = [t for t in ctx.text if t.language == ctx.language]
    evidence = [{"what": f'line "{t.text}" read as {ctx.language}', "source": "ocr",
                 "score": round(float(t.confidence), 3)} for t in lines]
    confidence = (sum(t.confidence for t in lines) / len(lines)) if lines else None
    return _field("language", ctx.language, confidence, "ocr", evidence, ctx)
