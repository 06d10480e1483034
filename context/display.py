"""How a `SceneContext` shows itself to a person: one line for `repr` (a notebook cell, a log,
a list of them) and an HTML table of each inferred value with its evidence for Jupyter.

The generated dataclass repr printed the text embedding and the CLIP image embedding in full:
10,464 characters for "Paris 1880", most of them 896 floats nobody reads. Only fields are read
here, nothing is computed: a notebook calls these on every display.
"""

from __future__ import annotations

from html import escape
from typing import Any

# The objects here are context.types' (SceneContext, Era, Evidence, ...), annotated `Any`:
# types.py imports this module, and an import back, even for annotations, is a cycle.
SceneContext = Era = Evidence = Any

SCENE_LABELS_SHOWN = 3  # the top scene labels named in the one-line repr
DESCRIPTION_SHOWN = 120  # characters of the description in the one-line repr


def era_text(era: Era) -> str:
    """'1880', '1910-1920' or '1944-06' (a single year with its month)."""
    if era.start != era.end:
        return f"{era.start}-{era.end}"
    return f"{era.start}-{era.month:02d}" if era.month else str(era.start)


def _judged(value: str, confidence: float, source: str | None) -> str:
    how = f"{confidence:.2f}" if source is None else f"{confidence:.2f}, {source}"
    return f"{value} ({how})"


def _fields(ctx: SceneContext) -> list[str]:
    era = "None" if ctx.era is None else _judged(era_text(ctx.era), ctx.era.confidence,
                                                 ctx.era.source)
    region = "None" if ctx.region is None else _judged(repr(ctx.region.name),
                                                       ctx.region.confidence, ctx.region.source)
    script = "None" if ctx.script is None else _judged(ctx.script.code, ctx.script.confidence,
                                                       None)
    scene = [label.label for label in ctx.scene[:SCENE_LABELS_SHOWN]]
    more = len(ctx.scene) - len(scene)
    return [f"era={era}", f"region={region}", f"script={script}",
            f"language={ctx.language!r}",
            f"scene={scene}" + (f" +{more}" if more > 0 else ""),
            f"text={len(ctx.text)} lines", f"captions={len(ctx.captions)}",
            f"conflicts={len(ctx.conflicts)}", f"evidence={len(all_evidence(ctx))}"]


def context_repr(ctx: SceneContext) -> str:
    """One line: each inferred value with its confidence and source, the counts of what else
    the context holds, the embeddings by their length only."""
    parts = _fields(ctx)
    if ctx.unknown:
        parts.append(f"unknown={sorted(ctx.unknown)}")
    if ctx.embedding is not None:
        parts.append(f"embedding=<{len(ctx.embedding)} floats>")
    if ctx.image_embedding is not None:
        parts.append(f"image_embedding=<{len(ctx.image_embedding)} floats>")
    if ctx.description:
        text = ctx.description
        short = text if len(text) <= DESCRIPTION_SHOWN else text[:DESCRIPTION_SHOWN - 3] + "..."
        parts.append(f"description={short!r}")
    return "SceneContext(" + ", ".join(parts) + ")"


def all_evidence(ctx: SceneContext) -> list[Evidence]:
    """The evidence behind every inferred value, in the order era, region, script, language."""
    judged = [ctx.era, ctx.region, ctx.script, ctx.language_detail]
    return [ev for item in judged if item is not None for ev in item.evidence]


def _evidence_cell(evidence: tuple[Evidence, ...]) -> str:
    if not evidence:
        return ""
    items = "".join(f"<li>{escape(ev.what)} <small>({escape(ev.source)}, {ev.score:.2f})"
                    "</small></li>" for ev in evidence)
    return f"<ul style='margin:0'>{items}</ul>"


def _row(name: str, value: str, confidence: float | None, evidence: tuple[Evidence, ...]) -> str:
    shown = "" if confidence is None else f"{confidence:.2f}"
    return (f"<tr><th style='text-align:left'>{escape(name)}</th>"
            f"<td style='text-align:left;min-width:12em'>{escape(value)}</td>"
            f"<td>{shown}</td><td style='text-align:left'>{_evidence_cell(evidence)}</td></tr>")


def _judged_rows(ctx: SceneContext) -> list[str]:
    rows = []
    if ctx.era is not None:
        rows.append(_row("era", f"{era_text(ctx.era)} ({ctx.era.source})", ctx.era.confidence,
                         ctx.era.evidence))
    if ctx.region is not None:
        rows.append(_row("region", f"{ctx.region.name} ({ctx.region.source})",
                         ctx.region.confidence, ctx.region.evidence))
    if ctx.script is not None:
        rows.append(_row("script", f"{ctx.script.name} ({ctx.script.code})",
                         ctx.script.confidence, ctx.script.evidence))
    if ctx.language_detail is not None:
        detail = ctx.language_detail
        rows.append(_row("language", f"{detail.name} ({detail.code})", detail.confidence,
                         detail.evidence))
    for name, reason in sorted(ctx.unknown.items()):
        if name not in ("embedding",):  # not something a historian judges
            rows.append(_row(name, f"unknown: {reason}", None, ()))
    return rows


def context_html(ctx: SceneContext) -> str:
    """Jupyter's view: a table of what was inferred, how sure, and from what evidence, then
    the conflicts between sources, the scene labels and the writing read."""
    head = ("<tr><th style='text-align:left'>field</th><th style='text-align:left'>value</th>"
            "<th>confidence</th>"
            "<th style='text-align:left'>evidence</th></tr>")
    parts = [f"<p><b>SceneContext</b>: {escape(ctx.description or '(no description)')}</p>",
             f"<table>{head}{''.join(_judged_rows(ctx))}</table>"]
    if ctx.conflicts:
        items = "".join(f"<li>{escape(c.message)}</li>" for c in ctx.conflicts)
        parts.append(f"<p>Conflicts:</p><ul>{items}</ul>")
    if ctx.scene:
        labels = ", ".join(f"{escape(s.label)} ({s.score:.2f})" for s in ctx.scene)
        parts.append(f"<p>Scene: {labels}</p>")
    if ctx.text:
        lines = "".join(f"<li>{escape(line.text)} <small>({line.confidence:.2f})</small></li>"
                        for line in ctx.text)
        parts.append(f"<p>Writing read:</p><ul>{lines}</ul>")
    return "<div>" + "".join(parts) + "</div>"
