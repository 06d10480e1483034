"""The structure a Presentation 3 manifest of a job must have (`presentation3_errors`: [] is
valid): what iiif.py writes, checked by the tests and the service's own checks."""

from __future__ import annotations

import re
from typing import Any

PRESENTATION3_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_NAV_DATE_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_XYWH = re.compile(r"#xywh=(\d+),(\d+),(\d+),(\d+)")  # pixels, the Media Fragments form


def presentation3_errors(manifest: dict[str, Any]) -> list[str]:
    """Structural problems of a Presentation 3 manifest with Choice bodies ([] = valid)."""
    errors = []
    if manifest.get("@context") != PRESENTATION3_CONTEXT:
        errors.append("@context must be the Presentation 3 context")
    if manifest.get("type") != "Manifest" or not _is_uri(manifest.get("id")):
        errors.append("the manifest needs type 'Manifest' and an http(s) id")
    if not _is_language_map(manifest.get("label")):
        errors.append("the manifest label must be a language map")
    if not manifest.get("items"):
        errors.append("the manifest needs at least one canvas")
    errors += _descriptive_errors("the manifest", manifest)
    for c, canvas in enumerate(manifest.get("items", [])):
        where = f"items[{c}]"
        if canvas.get("type") != "Canvas" or not _is_uri(canvas.get("id")):
            errors.append(f"{where}: needs type 'Canvas' and an id")
        if not all(isinstance(canvas.get(k), int) and canvas[k] > 0 for k in ("width", "height")):
            errors.append(f"{where}: width and height must be positive integers")
        errors += _descriptive_errors(where, canvas)
        for page in canvas.get("items", []):
            if page.get("type") != "AnnotationPage":
                errors.append(f"{where}: items must be AnnotationPages")
            for anno in page.get("items", []):
                body = anno.get("body", {})
                if anno.get("type") != "Annotation" or anno.get("target") != canvas.get("id"):
                    errors.append(f"{where}: painting annotations must target the canvas")
                if body.get("type") != "Choice" or len(body.get("items", [])) != 2:
                    errors.append(f"{where}: the body must be a Choice of two images")
                for image in body.get("items", []):
                    if image.get("type") != "Image" or not _is_uri(image.get("id")) or \
                            not _is_language_map(image.get("label")):
                        errors.append(f"{where}: Choice items must be labeled Images with ids")
        errors += _note_errors(where, canvas)
    return errors


def _note_errors(where: str, canvas: dict[str, Any]) -> list[str]:
    """The canvas's notes: 'assessing' or 'describing' TextualBodies, each on the canvas or
    on a region of it (`#xywh=` inside its width and height)."""
    errors = []
    for page in canvas.get("annotations", []):
        for anno in page.get("items", []):
            if anno.get("motivation") not in ("assessing", "describing") or anno.get(
                    "body", {}).get("type") != "TextualBody":
                errors.append(f"{where}: notes must be 'assessing' or 'describing' "
                              "TextualBody annotations")
            problem = _target_problem(anno.get("target"), canvas)
            if problem:
                errors.append(f"{where}: the note {anno.get('id')} {problem}")
    return errors


def _target_problem(target: object, canvas: dict[str, Any]) -> str:
    """Why `target` is not the canvas or a region within it ("" when it is one). A prefix
    was accepted before: a note on canvas/12 passed as one on canvas/1."""
    canvas_id = canvas.get("id")
    if target == canvas_id:
        return ""
    fragment = _XYWH.fullmatch(target[len(canvas_id):]) if isinstance(
        target, str) and isinstance(canvas_id, str) and target.startswith(canvas_id) else None
    if fragment is None:
        return f"must target its canvas or a #xywh= region of it, not {target!r}"
    x, y, w, h = (int(v) for v in fragment.groups())
    width, height = canvas.get("width"), canvas.get("height")
    if w <= 0 or h <= 0 or (isinstance(width, int) and x + w > width) or (
            isinstance(height, int) and y + h > height):
        return f"targets a region outside the canvas's {width} x {height}: {target!r}"
    return ""


def _descriptive_errors(where: str, resource: dict[str, Any]) -> list[str]:
    """navDate an XSD dateTime in UTC; summary a language map; metadata label/value pairs."""
    errors = []
    nav = resource.get("navDate")
    if nav is not None and not (isinstance(nav, str) and _NAV_DATE_UTC.match(nav)):
        errors.append(f"{where}: navDate must be an XSD dateTime in UTC (ending in Z), "
                      f"not {nav!r}")
    if "summary" in resource and not _is_language_map(resource["summary"]):
        errors.append(f"{where}: summary must be a language map")
    for entry in resource.get("metadata", []):
        if not (isinstance(entry, dict) and _is_language_map(entry.get("label"))
                and _is_language_map(entry.get("value"))):
            errors.append(f"{where}: metadata entries need a label and a value, language maps")
    return errors


def _is_uri(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _is_language_map(value: object) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values())
