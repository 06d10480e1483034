"""The one-sentence description of a scene context (encoder.py): what a historian reads, and
the text embedded for retrieval."""

from __future__ import annotations

from context.types import SceneContext


def describe(ctx: SceneContext) -> str:
    """One sentence a historian can read, also the text that is embedded for retrieval."""
    when = (f"from {ctx.era.start}" if ctx.era and ctx.era.start == ctx.era.end else
            f"from {ctx.era.start}-{ctx.era.end}" if ctx.era else "of unknown date")
    where = f"in {ctx.region.name}" if ctx.region else "at an unknown place"
    parts = [f"A photograph {when} {where}"]
    if ctx.script:
        name = ctx.language_detail.name if ctx.language_detail else ctx.language
        lang = f" ({name})" if name else ""
        sample = "; ".join(t.text for t in ctx.text[:2])
        # writing seen but not read (its letters' shapes told the script) has no sample
        quote = f": \"{sample[:80]}\"" if sample else " (seen, not read)"
        parts.append(f"with {ctx.script.name} writing{lang}{quote}")
    cues = [s.label for s in ctx.scene[:3]]
    if cues:
        parts.append("showing " + ", ".join(cues))
    return ", ".join(parts) + "."
