"""The terms a source manifest states (rights, required statement, provider, homepage), read
from Presentation 3 or 2 and written into the colorized manifest.

A colorization of an archive's photo is a derivative of it: the archive's licence and the
attribution it requires apply to both images of each canvas (CC BY asks for the attribution
wherever the work is shown), so they travel with the job's manifest instead of being dropped.
What is written is in the form Presentation 3 and the IIIF validator require: `rights` one
Creative Commons or RightsStatements.org URI, in their canonical http form (manifests in the
wild write https, which the validator refuses); any other rights text goes to `metadata`.

`described` reads what a canvas or manifest says of when and where its photo was taken, for
the photo's context: `navDate`, the `metadata` pairs whose label names a date or a place
(context.catalogue_fields: "Date", "Datum", "Place", "Ort", "Location"; not "Date
digitized") and the `summary` (Presentation 2: `description`). `canvas_description` writes
them back onto the colorized canvas (they reached the context but not the job's manifest: a
viewer showed the canvas without its date and place, and a timeline had no navDate), in the
source's languages (`described_maps`: they were written as "none", their languages lost).
"""

from __future__ import annotations

import re
from typing import Any

from context.catalogue_fields import plain_text, says_date_or_place

_NAV_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)?$")
_RIGHTS = re.compile(r"^https?://((?:creativecommons\.org/(?:licenses|publicdomain)|"
                     r"rightsstatements\.org/vocab)/\S+)$")


def source_terms(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a source manifest states of its rights and holder (only what is there)."""
    if manifest.get("@type") == "sc:Manifest":  # Presentation 2
        terms = {"rights": _first(manifest.get("license"))}
        attribution = _text(manifest.get("attribution"))
        if attribution:
            terms["requiredStatement"] = {"label": {"none": ["Attribution"]},
                                          "value": {"none": [attribution]}}
        return {k: v for k, v in terms.items() if v}
    terms = {"rights": _first(manifest.get("rights"))}
    statement = manifest.get("requiredStatement")
    if isinstance(statement, dict) and _is_language_map(statement.get("label")) and \
            _is_language_map(statement.get("value")):
        terms["requiredStatement"] = {"label": statement["label"], "value": statement["value"]}
    for name, kind in (("provider", "Agent"), ("homepage", None)):
        linked = [_linked(entry, kind) for entry in _list(manifest.get(name))]
        terms[name] = [entry for entry in linked if entry]
    return {k: v for k, v in terms.items() if v}


def manifest_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The Presentation 3 properties of `source_terms`, and metadata entries for rights that
    are not a URI `rights` may hold."""
    out = {k: terms[k] for k in ("requiredStatement", "provider", "homepage") if terms.get(k)}
    rights = terms.get("rights")
    if rights:
        match = _RIGHTS.match(rights.strip())
        if match:
            out["rights"] = f"http://{match.group(1)}"
        else:
            out["metadata"] = [{"label": {"en": ["Rights"]}, "value": {"none": [rights]}}]
    return out


def _linked(entry: object, kind: str | None) -> dict[str, Any] | None:
    """A provider (Agent) or homepage entry with an http(s) id, a type and a language-map
    label; its other properties kept as given."""
    if not isinstance(entry, dict) or not str(entry.get("id", "")).startswith(
            ("http://", "https://")) or not _is_language_map(entry.get("label")):
        return None
    if kind is not None and entry.get("type") != kind or not isinstance(entry.get("type"), str):
        return None
    return entry


def _first(value: object) -> str | None:
    value = value[0] if isinstance(value, list) and value else value
    return value if isinstance(value, str) and value.strip() else None


def _text(value: object) -> str | None:
    """A Presentation 2 text value: a string, a {"@value": ...} or a list of them."""
    for item in value if isinstance(value, list) else [value]:
        text = item.get("@value") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            return text
    return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _is_language_map(value: object) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values())


def described(resource: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(field, text) of a canvas's or manifest's navDate, date and place metadata and
    summary, in that order (Presentation 3 or 2; values in any language, HTML as text)."""
    out = []
    nav = resource.get("navDate")
    if isinstance(nav, str) and nav.strip():
        out.append(("navDate", nav.strip()))
    for pair in _list(resource.get("metadata")):
        if not isinstance(pair, dict):
            continue
        labels = _values(pair.get("label"))
        if labels and any(says_date_or_place(label) for label in labels):
            value = "; ".join(_values(pair.get("value")))
            out += [(f"metadata:{labels[0]}", value)] if value else []
    summary = "; ".join(_values(resource.get("summary") or resource.get("description")))
    out += [("summary", summary)] if summary else []
    return tuple(out)


def _values(value: object) -> list[str]:
    """The texts of a Presentation 3 language map (one language: English, else "none", else
    the first) or a Presentation 2 value (a string, {"@value": ...} or a list of them)."""
    if isinstance(value, dict) and "@value" not in value:
        chosen = next((value[k] for k in ("en", "none", *value) if value.get(k)), [])
        items = chosen if isinstance(chosen, list) else [chosen]
    else:
        items = value if isinstance(value, list) else [value]
    texts = [item.get("@value") if isinstance(item, dict) else item for item in items]
    return [t for t in (plain_text(t) for t in texts if isinstance(t, str)) if t]


def canvas_description(canvas_id: str | None, described_pairs: object,
                       maps: object = None) -> dict[str, Any]:
    """A colorized canvas's `navDate`, `summary` and `metadata` from its source canvas, and
    a "Source canvas" entry naming it, so that a result can be matched to the archive's
    canvas. `maps` (`described_maps`, stored by jobs since) keeps the source's language maps;
    a job stored before has only the `described` pairs, whose texts lost their language:
    those are written as "none". A navDate is kept only in the form Presentation 3 requires
    (UTC, `Z`); a bare date gains midnight."""
    metadata = [_pair("Source canvas", canvas_id)] if canvas_id else []
    if isinstance(maps, dict):
        out = {k: maps[k] for k in ("navDate", "summary") if maps.get(k)}
        metadata += [entry for entry in maps.get("metadata") or [] if isinstance(entry, dict)]
        return {**out, "metadata": metadata} if metadata else out
    out: dict[str, Any] = {}
    pairs = described_pairs if isinstance(described_pairs, list | tuple) else []
    for pair in pairs:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and
                all(isinstance(part, str) for part in pair)):
            continue
        field, text = pair
        if field == "navDate":
            out.update({"navDate": utc_nav_date(text)} if utc_nav_date(text) else {})
        elif field == "summary":
            out["summary"] = {"none": [text]}
        elif field.startswith("metadata:"):
            metadata.append(_pair(field.removeprefix("metadata:"), text))
    if metadata:
        out["metadata"] = metadata
    return out


def utc_nav_date(value: object) -> str | None:
    """A navDate in the form Presentation 3 requires (UTC, `Z`; a bare date at midnight)."""
    match = _NAV_DATE.match(value.strip()) if isinstance(value, str) else None
    return match.group(1) + (match.group(2) or "T00:00:00Z") if match else None


def described_maps(resource: dict[str, Any], metadata: bool = True) -> dict[str, Any]:
    """A canvas's or manifest's navDate (`utc_nav_date`), summary and date and place
    metadata (as `described` chooses them) with their language maps as the source gives
    them (Presentation 2 values as language maps too), for writing back onto the colorized
    canvas or manifest: `described` keeps one language's text, for the context."""
    out: dict[str, Any] = {}
    nav = utc_nav_date(resource.get("navDate"))
    summary = language_texts(resource.get("summary") or resource.get("description"))
    out.update({"navDate": nav} if nav else {})
    out.update({"summary": summary} if summary else {})
    entries = []
    for pair in _list(resource.get("metadata")) if metadata else []:
        labels = _values(pair.get("label")) if isinstance(pair, dict) else []
        if labels and any(says_date_or_place(label) for label in labels):
            label, value = language_texts(pair.get("label")), language_texts(pair.get("value"))
            entries += [{"label": label, "value": value}] if label and value else []
    out.update({"metadata": entries} if entries else {})
    return out


def language_texts(value: object) -> dict[str, list[str]]:
    """A Presentation 3 language map, or a Presentation 2 value (a string, {"@value",
    "@language"} or a list of them), as a language map of plain texts ({} for none)."""
    out: dict[str, list[str]] = {}
    if isinstance(value, dict) and "@value" not in value:
        pairs = [(str(lang), text) for lang, texts in value.items()
                 for text in (texts if isinstance(texts, list) else [texts])]
    else:
        pairs = [(str(item.get("@language") or "none"), item.get("@value"))
                 if isinstance(item, dict) else ("none", item)
                 for item in (value if isinstance(value, list) else [value])]
    for language, text in pairs:
        plain = plain_text(text) if isinstance(text, str) else ""
        if plain:
            out.setdefault(language, []).append(plain)
    return out


def _pair(label: str, value: str) -> dict[str, Any]:
    return {"label": {"none": [label]}, "value": {"none": [value]}}


def mixed_terms(sources: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest-level terms of a job whose canvases come from several source manifests
    (each `source_terms` with its `id` and `label`). One manifest's `rights` and
    `requiredStatement` stood for all of them (the last named), a wrong licence for the
    others'. Presentation 3 lets any resource carry `rights` and `requiredStatement`, so each
    canvas states its own (`canvas_terms`); the manifest keeps a `rights` only where every
    source states the same one, and its required statement lists each source's attribution
    (a viewer shows the manifest's), naming the manifest it is for."""
    terms = [manifest_terms(source) for source in sources]
    out: dict[str, Any] = {}
    rights = {t.get("rights") for t in terms}
    if len(rights) == 1 and None not in rights:
        out["rights"] = rights.pop()
    said = [f"{_name(source)}: {'; '.join(_values(t['requiredStatement']['value']))}"
            for source, t in zip(sources, terms, strict=True) if t.get("requiredStatement")]
    if said:
        out["requiredStatement"] = {"label": {"en": ["Attribution"]}, "value": {"none": said}}
    metadata = [_pair("Source manifest", _name(source)) for source in sources]
    metadata += [_pair("Rights", f"{_name(source)}: {t['metadata'][0]['value']['none'][0]}")
                 for source, t in zip(sources, terms, strict=True) if t.get("metadata")]
    out["metadata"] = metadata
    return out


def _name(source: dict[str, Any]) -> str:
    """A source manifest as a person reads it: its label and id."""
    label = "; ".join(_values(source.get("label"))) or "untitled"
    return f"{label} ({source['id']})" if source.get("id") else label


def canvas_terms(record_source: dict[str, Any]) -> dict[str, Any]:
    """A colorized canvas's own `rights` and `requiredStatement`: those its source manifest
    states, as its provenance record's source holds them (worker/sources.py)."""
    return {k: record_source[k] for k in ("rights", "requiredStatement")
            if record_source.get(k)}
