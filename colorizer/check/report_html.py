"""The plausibility report of one photo as one self-contained HTML page (images embedded as
data URIs, no scripts, no external files), readable without knowing the project.

    html = report_html(check, colorized, original=gray, result=result, name="photo.jpg")

Sections: a plain statement that the colors are a reconstruction; the images (original,
colorization, findings marked, where our model finds the colors unlikely); the findings with
their evidence; the context with its evidence; for a split album page, each print colorized
on its own (report_prints.py); the historical facts, exemplars and hints with their sources;
the provenance.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

from colorizer import __version__
from colorizer.check.composite import checked_panel
from colorizer.check.config import CheckConfig
from colorizer.check.findings import CheckReport, Finding
from colorizer.check.report_images import DISPLAY_SIDE, ShownImage
from colorizer.check.report_prints import prints_section
from colorizer.pipeline.print_records import AlbumPrint, album_prints

if TYPE_CHECKING:
    from colorizer.pipeline.result import ColorizationResult

STATEMENT = (
    "The colors in this image are a reconstruction. They were inferred by a computer model "
    "from the photograph's shades of gray, from documented colors of the period (flags, "
    "uniforms) and from any hints given; they are not a record of the colors the scene had. "
    "Use them as an illustration, not as evidence.")
ORIGINAL_AS_GIVEN = "The original photograph (as given)."
# A scanned negative's original is shown as the positive it was colorized from, not the scan.
ORIGINAL_AS_NEGATIVE = "The original photograph, read as a negative (tones inverted)."
FINDINGS_CAPTION = "Findings marked by number (red: high, orange: medium, gray-blue: low)."
PANEL_COLOR = "#1a5fb4"  # the outline of the part of a composite that was checked
# White text on each reads at 4.5:1 or more (WCAG AA); the workbench's check.js has the same.
_SEVERITY_COLOR = {"high": "#b00020", "medium": "#a85d00", "low": "#55708a"}
_STYLE = """
@page{size:A4;margin:14mm}
body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#222;font-size:13px;
overflow-wrap:anywhere}
h1{font-size:20px;margin:0 0 6px} h2{font-size:15px;border-bottom:1px solid #ccc;
margin-top:22px;padding-bottom:3px} .statement{background:#fff6dd;border:1px solid #e0c060;
padding:8px 10px} .images{display:flex;flex-wrap:wrap;gap:10px} figure{margin:0;width:31%}
figure img{width:100%;border:1px solid #999} figcaption{font-size:11px;color:#555}
table{border-collapse:collapse;width:100%;font-size:12px} td,th{border:1px solid #ccc;
padding:3px 5px;vertical-align:top;text-align:left} .sev{color:#fff;padding:1px 5px;
border-radius:3px} .swatch{display:inline-block;width:11px;height:11px;border:1px solid #444;
vertical-align:middle} code{font-size:11px;word-break:break-all} section{break-inside:auto}
.warn{color:#8a4b00} figure{break-inside:avoid}
@media (max-width:600px){figure{width:100%} body{margin:12px}}
"""


def data_uri(image: Image.Image, long_side: int = DISPLAY_SIDE) -> str:
    """A PNG data URI of the image, at most `long_side` px (the page needs no more)."""
    image = image.convert("RGB")
    image.thumbnail((long_side, long_side), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def marked(shown: ShownImage, findings: tuple[Finding, ...]) -> Image.Image:
    """The colorization with each finding's box drawn and numbered, on its reduced copy (the
    boxes are in full-size pixels; the line as wide as at full size, seen reduced)."""
    image = shown.reduced.copy()
    draw = ImageDraw.Draw(image)
    full_width = max(2, round(max(shown.size) / 300))  # of a line drawn at full size
    width = max(1, round(full_width / max(shown.factor)))
    for number, finding in enumerate(findings, 1):
        if finding.box is None or finding.kind == "luminance":
            continue
        color = _SEVERITY_COLOR[finding.severity]
        box = shown.to_reduced(finding.box)
        draw.rectangle(box, outline=color, width=width)
        draw.text((box[0] + width + 2, box[1] + width), str(number), fill=color)
    return image


def outlined(shown: ShownImage, box: tuple[int, int, int, int],
             picture: Image.Image | None = None) -> Image.Image:
    """`picture` (default: the reduced image) with `box` (full-size pixels: the checked
    panel of a composite) outlined, inside the box so that the gutter stays visible."""
    image = (shown.reduced if picture is None else picture).copy()
    width = max(2, round(max(shown.size) / 200 / max(shown.factor)))  # seen after reducing
    x0, y0, x1, y1 = shown.to_reduced(box)
    ImageDraw.Draw(image).rectangle((x0, y0, x1 - 1, y1 - 1), outline=PANEL_COLOR, width=width)
    return image


def likelihood_image(ratio: np.ndarray | None, size: tuple[int, int]) -> Image.Image | None:
    """The likelihood ratio map as an image of `size` (the page's: ShownImage.display_size,
    not the colorization's full size, 432 MB of a 108 MP scan): dark red = very unlikely,
    white = likely."""
    if ratio is None:
        return None
    level = np.clip(np.log10(np.clip(ratio, 1e-4, 1)) / 4 + 1, 0, 1)  # 1e-4 -> 0, 1 -> 1
    rgb = np.stack([0.55 + 0.45 * level, level, level], axis=-1)
    return Image.fromarray((rgb * 255).astype(np.uint8)).resize(size, Image.BILINEAR)


def _e(value: Any) -> str:
    return html.escape(str(value))


def _images(check: CheckReport, colorized: Image.Image | ShownImage,
            original: Image.Image | ShownImage | None, negative: bool, name: str) -> str:
    """The figures, each with an alt text that says what the picture is and names the photo
    (a screen reader read each caption twice, once as the alt, and never the photo's name)
    and a caption that says how to read it."""
    shown = ShownImage.of(colorized)
    figures = []  # (picture, alt, caption)
    if original is not None:
        figures.append((ShownImage.of(original).display(),
                        f"Original photograph, {name}" + (", its tones inverted" if negative
                                                          else ""),
                        ORIGINAL_AS_NEGATIVE if negative else ORIGINAL_AS_GIVEN))
    boxed = sum(f.box is not None and f.kind != "luminance" for f in check.findings)
    marks = (f"{boxed} finding{'s' if boxed > 1 else ''} boxed and numbered as in the "
             "Findings table" if boxed else "no finding to mark")
    if check.composite is None:
        figures.append((shown.display(), f"Colorized photo, {name}",
                        "The colorization that was checked."))
        figures.append((shown.display(marked(shown, check.findings)),
                        f"Colorized photo, {name}, {marks}", FINDINGS_CAPTION))
    else:  # only one panel was checked: say which, and outline it on both pictures
        panel = tuple(check.composite["colorization_box"])
        caption = (f"What was checked: {checked_panel(check.composite)}, outlined in blue; "
                   "the black-and-white \"before\" beside it was not checked.")
        alt = f"Colorized photo, {name}, the checked part outlined"
        figures.append((shown.display(outlined(shown, panel)), alt, caption))
        figures.append((shown.display(outlined(shown, panel, marked(shown, check.findings))),
                        f"{alt}, {marks}", FINDINGS_CAPTION[:-1] + "; blue: the part checked)."))
    heat = likelihood_image(check.likelihood, shown.display_size)
    if heat is not None:
        threshold = float(check.settings.get("unlikely_ratio", CheckConfig.unlikely_ratio))
        figures.append((heat, f"Map of how likely our model finds the colors of {name}",
                        "How likely our model finds each color for what the photo shows: "
                        "white likely, dark red very unlikely. "
                        + likelihood_words(check.likelihood, threshold)))
    return '<div class="images">' + "".join(
        f'<figure><img src="{data_uri(img)}" alt="{_e(alt)}"><figcaption>{_e(cap)}'
        "</figcaption></figure>" for img, alt, cap in figures) + "</div>"


def likelihood_words(ratio: np.ndarray, threshold: float) -> str:
    """The likelihood map in figures, for a reader who cannot see its reds: the shares of
    the image that are very unlikely (under the check's `threshold`, the darkest red),
    unlikely (under 10% as likely as the best color there, pink) and likely."""
    very = float(np.mean(ratio < threshold))
    unlikely = max(0.0, float(np.mean(ratio < 0.1)) - very)
    return (f"Here: {_share(very)} of the image is very unlikely (under {threshold:.1%} as "
            f"likely as the model's best color there), {_share(unlikely)} unlikely (under "
            f"10%), {_share(max(0.0, 1.0 - very - unlikely))} likely.")


def _share(part: float) -> str:
    return "under 1%" if 0 < part < 0.005 else f"{part:.0%}"


def _evidence(evidence: dict[str, Any]) -> str:
    items = []
    for key, value in evidence.items():
        if key == "documented" and isinstance(value, list):
            value = ", ".join(f"{d['name']} ({d['role'] or 'color'}, {d['fact']})"
                              for d in value)
        elif isinstance(value, str) and value.startswith("#") and len(value) == 7:
            value = f'<span class="swatch" style="background:{value}"></span> {_e(value)}'
            items.append(f"{_e(key.replace('_', ' '))}: {value}")
            continue
        elif isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        items.append(f"{_e(key.replace('_', ' '))}: {_e(value)}")
    return "<br>".join(items)


def _findings(check: CheckReport) -> str:
    if not check.findings:
        return ("<p>No finding: nothing in this colorization contradicts the documented "
                "colors the check retrieved, and our model finds no region's color very "
                "unlikely. This does not show that the colors are right.</p>")
    rows = "".join(
        f"<tr><td>{n}</td><td><span class='sev' style='background:"
        f"{_SEVERITY_COLOR[f.severity]}'>{_e(f.severity)}</span></td><td>{_e(f.kind)}</td>"
        f"<td>{_e(f.message)}</td><td>{_evidence(f.evidence)}</td></tr>"
        for n, f in enumerate(check.findings, 1))
    return ("<table><tr><th>#</th><th>severity</th><th>kind</th><th style='width:45%'>what"
            f"</th><th style='width:38%'>evidence</th></tr>{rows}</table>")


def _context(check: CheckReport) -> str:
    """What was inferred, from what, how sure; what was not, and why; what disagreed; the
    captions read. A historian reads here what the colors were conditioned on."""
    data = check.context.to_dict()
    unknown = data.get("unknown") or {}
    rows = []
    for field in ("era", "region", "script", "language"):
        value = data.get(field)
        if field == "language" and data.get("language_detail"):
            value = data["language_detail"]  # its name, confidence and evidence
        if not value:
            why = unknown.get(field) or "no evidence for it"
            rows.append(f"<tr><td>{field}</td><td colspan=3>not inferred: {_e(why)}</td></tr>")
            continue
        if not isinstance(value, dict):  # a bare code (language)
            rows.append(f"<tr><td>{field}</td><td>{_e(value)}</td><td></td><td></td></tr>")
            continue
        shown = (f"{value.get('start')}-{value.get('end')}" if field == "era"
                 else value.get("name") or value.get("code") or value.get("script"))
        evidence = "<br>".join(f"{_e(e.get('what'))} ({_e(e.get('source'))})"
                               for e in value.get("evidence", []))
        rows.append(f"<tr><td>{field}</td><td>{_e(shown)}</td>"
                    f"<td>{_e(value.get('confidence'))}</td><td>{evidence}</td></tr>")
    table = ("<table><tr><th>what</th><th>inferred</th><th>confidence</th><th>evidence</th>"
             f"</tr>{''.join(rows)}</table>")
    parts = [table]
    if unknown.get("hint"):
        parts.append(f"<p class='warn'>Hint not understood, so not used: {_e(unknown['hint'])}"
                     "</p>")
    if unknown.get("hint_words"):
        parts.append(f"<p class='warn'>Part of the hint was {_e(unknown['hint_words'])}</p>")
    parts += [f"<p class='warn'>Disagreement ({_e(c.get('field'))}): {_e(c.get('message'))}; "
              f"kept {_e(c.get('kept'))}.</p>" for c in data.get("conflicts") or ()]
    captions = "".join(f"<li>{_e(c.get('text'))} <small>({_e(c.get('source'))})</small></li>"
                       for c in data.get("captions") or ())
    parts.append(f"<p>Captions read:</p><ul>{captions}</ul>" if captions
                 else "<p>Captions read: none.</p>")
    return "".join(parts)


def _sources(check: CheckReport, result: ColorizationResult | None) -> str:
    facts = "".join(
        f"<tr><td>{_e(f.title)} ({f.era[0]}-{f.era[1]})</td><td>"
        + " ".join(f"<span class='swatch' style='background:{_e(c['srgb'])}'></span> "
                   f"{_e(c['name'])} ({_e(c.get('role') or 'color')})" for c in f.colors)
        + f"</td><td>{_e(f.source)}</td></tr>" for f in check.facts)
    parts = [f"<p>Text hint: {_e(check.hint) if check.hint else 'none given'}.</p>"]
    parts.append("<h3>Documented colors compared with</h3>" + (
        f"<table><tr><th>fact</th><th>colors</th><th>source</th></tr>{facts}</table>"
        if facts else "<p>No flag, banner or uniform was retrieved for this photo.</p>"))
    if result is not None:
        # A retrieved flag the transfer tested and rejected (its design is not on the cloth)
        # is listed apart, with the reason, not as if it had colored the photo.
        used = [e for e in result.exemplars if e.used and not e.rejected]
        rejected = [e for e in result.exemplars if e.used and e.rejected]
        rows = "".join(f"<tr><td>{_e(e.title)}</td><td>{_e(e.kind)}</td><td>"
                       f"{_e(e.exemplar.to_dict().get('source') or 'the user')}</td><td>"
                       f"{_e(e.color_share)}</td></tr>" for e in used)
        parts.append("<h3>Exemplars used by the colorization</h3>" + (
            "<table><tr><th>exemplar</th><th>kind</th><th>source</th><th>share of color"
            f"</th></tr>{rows}</table>" if rows else "<p>None.</p>"))
        if rejected:
            parts.append("<h3>Exemplars retrieved but not used</h3>" + "".join(
                f"<p>{_e(e.title)} ({_e(e.kind)}): {_e(e.rejected)}</p>" for e in rejected))
        hints = [r for r in (result.color_regions.regions if result.color_regions else ())
                 if r.kind == "hint"]
        parts.append("<h3>Color hints</h3>" + ("".join(
            f"<p>{_e(r.label)} (source: {_e(r.source or 'not given')})</p>" for r in hints)
            or "<p>None.</p>"))
    return "".join(parts)


def _provenance(check: CheckReport, result: ColorizationResult | None, name: str) -> str:
    model = check.settings.get("model", {})
    rows = [("photo", name), ("checked at", datetime.now(UTC).isoformat(
        timespec="seconds")), ("software", f"chronochrome {__version__}"),
            ("model", f"{model.get('name')} {model.get('version')} sha256 {model.get('sha256')}"),
            ("pipeline fingerprint", check.settings.get("fingerprint")),
            ("luminance check", json.dumps(check.luminance.to_dict()) if check.luminance
             else "no original given"),
            ("check thresholds", json.dumps({k: v for k, v in check.settings.items()
                                             if k not in ("model", "fingerprint")}))]
    if result is not None:
        rows.insert(1, ("colorized by", (f"chronochrome, render size {result.render_size}, "
                                         f"input sha256 {result.input.sha256}")))
    rows += [("note", n) for n in check.notes]
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td><code>{_e(v)}</code></td></tr>"
                               for k, v in rows) + "</table>"


def report_html(check: CheckReport, colorized: Image.Image | ShownImage,
                original: Image.Image | ShownImage | None = None,
                result: ColorizationResult | None = None, name: str = "photo",
                negative: bool = False, prints: Sequence[AlbumPrint] | None = None) -> str:
    """The whole page (UTF-8 text). The images: PIL images, or `ShownImage`s (the pixels
    the check read, already reduced: report_images.py). `negative`: the original was a
    scanned negative and is given as the positive its colorization read (tones inverted),
    so its caption says so. `prints`: a split album page's prints (default: those the
    result records; the check of a file alone passes those its XMP records)."""
    if prints is None:  # a result stand-in without settings (a test's) has no prints
        prints = album_prints(getattr(result, "settings", None))
    verdict = ("no finding" if check.passed else
               f"{len(check.findings)} finding{'s' if len(check.findings) > 1 else ''}")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Plausibility report: {_e(name)}</title><style>{_STYLE}</style></head>"
            f"<body><main><h1>Plausibility report: {_e(name)}</h1>"
            f"<p>Check result: {verdict}.</p>"
            f"<p class='statement'>{_e(STATEMENT)}</p>"
            + "".join(f"<p class='warn'>Colorization note: {_e(n)}</p>"
                      for n in (result.notes if result is not None else ())) +
            f"<section><h2>Images</h2>{_images(check, colorized, original, negative, name)}"
            "</section>"
            f"<section><h2>Findings</h2>{_findings(check)}</section>"
            f"<section><h2>Context and its evidence</h2>{_context(check)}</section>"
            f"{prints_section(prints)}"
            f"<section><h2>Facts, exemplars and hints, with their sources</h2>"
            f"{_sources(check, result)}</section>"
            f"<section><h2>Provenance</h2>{_provenance(check, result, name)}</section>"
            "</main></body></html>")
