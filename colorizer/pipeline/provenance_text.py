"""A provenance record in words: notes on how far to trust the colors, a paragraph on the
inferred context and its evidence, one line per region whose color a hint or an exemplar
decided (provenance.py writes the record and the XMP these read from)."""

from __future__ import annotations

from typing import Any


def plausibility_notes(record: dict[str, Any]) -> list[str]:
    """Short human-readable notes on how far to trust the colors (for IIIF 'assessing')."""
    notes = []
    unc = record.get("uncertainty", {})
    if unc:
        notes.append(f"Colors are a model's estimate, not a record: mean uncertainty "
                     f"{unc.get('mean')}, {round(100 * unc.get('share_above_0.5', 0))}% of "
                     "pixels above 0.5 (unsure).")
    for conflict in record.get("context", {}).get("conflicts") or []:
        notes.append(f"Context conflict: {conflict}")
    return notes


def context_summary(record: dict[str, Any]) -> str:
    """One paragraph on the inferred context and its evidence."""
    context = record.get("context", {})
    parts = []
    era, region, script = context.get("era"), context.get("region"), context.get("script")
    if isinstance(era, dict):
        parts.append(f"era {era['start']}-{era['end']} (confidence {era['confidence']:.2f}"
                     f"{_evidence_text(era)})")
    if isinstance(region, dict):
        parts.append(f"region {region['name']} (confidence {region['confidence']:.2f}"
                     f"{_evidence_text(region)})")
    if isinstance(script, dict):
        parts.append(f"script {script['name']} (confidence {script['confidence']:.2f})")
    if context.get("description"):
        parts.append(str(context["description"]))
    hint = record.get("prompt", {}).get("hint")
    if hint:  # a hint in which no era or place was found is said not used (hint_use.py)
        unused = (context.get("unknown") or {}).get("hint")
        parts.append(f"user hint: {hint}" + (f" (not used: {unused})" if unused else ""))
    return "; ".join(parts) or "No context was inferred for this photograph."


def region_line(region: dict[str, Any]) -> str:
    """One region's record in words: what decided it, its source, share and confidence."""
    source = f"; source: {region['source']}" if region.get("source") else ""
    return (f"region {region['id']}: {region['label']}{source} ({round(100 * region['share'])}% "
            f"of the image, confidence {region['confidence']:.2f})")


def _evidence_text(value: dict[str, Any]) -> str:
    whats = [e.get("what", "") for e in value.get("evidence") or [] if e.get("what")]
    return f"; evidence: {', '.join(whats[:3])}" if whats else ""
