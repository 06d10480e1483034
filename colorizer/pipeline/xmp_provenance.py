"""What the colorized file itself says of its making, in the `chronochrome` XMP namespace.

A historian may get the image alone, without the JSON record or the report beside it. The
IPTC properties say that it is a colorization and by which tool; these say the rest, each in
words a person reads in ExifTool or a DAM, and the settings as JSON a program reads back:

- `chronochrome:ModelName`, `ModelVersion`, `ModelSHA256` (the weights file's full hash) and
  `Fingerprint` (everything that changes the output: colorizer.pipeline.fingerprint);
- `chronochrome:Settings`: the run's settings as one JSON object (temperature, chroma scale,
  render size, transfers, hint, caption, ...), what `ColorizationResult.settings` holds;
- `chronochrome:Captions`: the captions read (the user's, the file's metadata, a sidecar,
  a catalogue row, the file name), one `source: text` line each;
- `chronochrome:Context`: the era, region, script and language inferred, each with its
  confidence and evidence, the text read in the photo, conflicts and what stayed unknown;
- `chronochrome:Exemplars`: each exemplar with its source, licence and what it contributed;
- `chronochrome:ColorHints`: each color hint with its cited source ("not given" when none),
  including those that decided no pixel (`ColorSources` lists the regions that did), and
  `chronochrome:ColorHintsJSON` the same hints as a `--color-hints` file (a reference photo
  by its file name, a mask by its size alone: its pixels are not in the file);
- `chronochrome:AlbumPrints` (a split album page only): each print, colorized on its own, in
  the words of its IIIF annotation (print_records.py: its context, its captions, what was
  written by it on the paper) and its box on the page: the page is not one photo;

Lists are `rdf:Seq` of text. Texts are made shareable (shareable.py: no local paths, no
signed-link tokens) and stripped of characters XML 1.0 cannot hold, so the packet parses.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape

from colorizer.pipeline.print_records import album_prints
from colorizer.pipeline.result import ColorizationResult
from colorizer.pipeline.shareable import (
    names_a_folder,
    shareable_name,
    shareable_text,
    shareable_values,
)

MAX_EVIDENCE = 5  # per inferred field: the strongest, as the report lists them first
MAX_TEXT_LINES = 10  # lines of text read in the photo
_LIBRARY = "library exemplar "  # how ReferenceHint names a library exemplar it was given
OMITTED = ("the captions, context, exemplars and color hints are left out: with them this "
           "XMP would not fit the file (a JPEG holds 64 KB); the provenance record has them")
# A split page's: its prints named too (an ordinary photo's text is as it always was).
OMITTED_WITH_PRINTS = OMITTED.replace("context, ", "context, album prints, ", 1)
# Characters XML 1.0 cannot hold (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Lone surrogates: a file name that is not UTF-8 (a Latin-1 name from an old disk), as Python
# holds it; UTF-8 cannot encode them, and the packet would fail to encode with the photo.
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_text(value: object) -> str:
    """`value` as XML element text: escaped, shareable, without characters XML forbids."""
    return escape(xml_safe(value))


def xml_safe(value: object) -> str:
    """`value` as text XML can hold (not yet escaped), shareable."""
    return xml_chars(shareable_text(str(value)))


def xml_chars(text: str) -> str:
    """`text` without the characters XML cannot hold (not yet escaped)."""
    return _SURROGATE.sub("\ufffd", _NOT_XML.sub("", text))


def json_xml_text(data: object, **options: Any) -> str:
    """`data` as JSON element text, each string in it made shareable. Not `xml_text` of the
    JSON: a text ending in a signed link (a caption, a print's file-name caption) lost its
    closing quote with the token (`?token=REDACTED "next": ...`), and the settings no longer
    parsed (xmp_read refused the file). Other JSON is the same bytes as before."""
    # What default=str makes of any value, in the order sort_keys gives the keys as they are
    # (numbers sort as numbers): json.loads keeps it.
    plain = json.loads(json.dumps(data, default=str, **options))
    return escape(xml_chars(json.dumps(shareable_values(plain), ensure_ascii=False)))


def provenance_properties(result: ColorizationResult, line_chars: int | None = None) -> str:
    """The lines of the chronochrome properties for our rdf:Description (module docstring).
    `line_chars`: each list line (and each hint's source) cut to that many characters, so
    the packet fits a JPEG; 0 leaves the lists out and says so (`Omitted`)."""
    model = result.model
    simple = [("ModelName", xml_text(model.name)), ("ModelVersion", xml_text(model.version)),
              ("ModelSHA256", xml_text(model.sha256)),
              ("Settings", json_xml_text(result.settings, sort_keys=True))]
    if result.settings.get("fingerprint"):
        simple.append(("Fingerprint", xml_text(result.settings["fingerprint"])))
    hints = hints_file(result, line_chars)
    if hints and line_chars != 0:  # what --color-hints reads: the same hints, the same colors
        simple.append(("ColorHintsJSON", json_xml_text(hints)))
    body = "".join(f"\n   <chronochrome:{name}>{text}</chronochrome:{name}>"
                   for name, text in simple)
    prints = album_print_lines(result, line_chars)
    lists = (("Captions", caption_lines(result)), ("Context", context_lines(result)),
             ("Exemplars", exemplar_lines(result)), ("ColorHints", hint_lines(result)))
    if line_chars == 0:
        omitted = OMITTED_WITH_PRINTS if prints else OMITTED
        return body + (f"\n   <chronochrome:Omitted>{omitted}</chronochrome:Omitted>"
                       if any(lines for _, lines in lists) or hints or prints else "")
    body += "".join(seq_property(name, [cut(line, line_chars) for line in lines])
                    for name, lines in lists if lines)
    return body + (seq_property("AlbumPrints", prints) if prints else "")


def cut(text: str, chars: int | None) -> str:
    """`text` at most `chars` characters long, an ellipsis saying it was cut."""
    return text if chars is None or len(text) <= chars else text[: chars - 1] + "\u2026"


def seq_property(name: str, lines: list[str]) -> str:
    """`chronochrome:<name>` as an rdf:Seq of text lines."""
    items = "".join(f"\n     <rdf:li>{xml_text(line)}</rdf:li>" for line in lines)
    return (f"\n   <chronochrome:{name}>\n    <rdf:Seq>{items}\n    </rdf:Seq>\n"
            f"   </chronochrome:{name}>")


def album_print_lines(result: ColorizationResult, line_chars: int | None = None) -> list[str]:
    """One line per print of a split page: its description, then its box (kept whole when
    the description is cut to fit: where the print lies is what tells the prints apart)."""
    lines = []
    for page_print in album_prints(result.settings):
        box = page_print.box_words()
        room = None if line_chars is None else max(1, line_chars - len(box) - 1)
        lines.append(" ".join(part for part in (cut(page_print.description(), room), box)
                              if part))
    return lines


def caption_lines(result: ColorizationResult) -> list[str]:
    return [f"{c.source}: {c.text}" for c in result.context.captions]


def context_lines(result: ColorizationResult) -> list[str]:
    """One line per inferred field with its confidence and evidence, then what was read,
    seen, in conflict, and unknown."""
    context = result.context.to_dict()
    lines = []
    era, region = context.get("era"), context.get("region")
    script, language = context.get("script"), context.get("language_detail")
    if era:
        span = (f"{era['start']}-{era['month']:02d}" if era.get("month")
                and era["start"] == era["end"] else f"{era['start']}-{era['end']}")
        lines.append(f"era {span}{_judged(era)}")
    if region:
        ids = ", ".join(f"{k} {region[k]}" for k in ("wikidata", "iso") if region.get(k))
        lines.append(f"region {region['name']}" + (f" ({ids})" if ids else "")
                     + _judged(region))
    for kind, value in (("script", script), ("language", language)):
        if value:
            lines.append(f"{kind} {value['name']} ({value['code']}){_judged(value)}")
    lines += [f"text read: \"{t['text']}\" (confidence {t['confidence']:.2f})"
              for t in context.get("text", [])[:MAX_TEXT_LINES]]
    lines += [f"scene: {s['label']} ({s['score']:.2f})" for s in context.get("scene", [])]
    lines += [f"conflict: {c['message']}" for c in context.get("conflicts", [])]
    lines += [f"{name} unknown: {why}" for name, why in (context.get("unknown") or {}).items()]
    if context.get("description"):
        lines.append(f"description: {context['description']}")
    return lines


def _judged(value: dict[str, Any]) -> str:
    """'; confidence 0.90, from hint; evidence: year "1915" in hint (0.90), ...'"""
    source = f", from {value['source']}" if value.get("source") else ""
    evidence = [f"{e['what']} ({e['score']:.2f})" for e in value.get("evidence") or []
                if e.get("what")][:MAX_EVIDENCE]
    said = f"; evidence: {'; '.join(evidence)}" if evidence else ""
    return f"; confidence {value['confidence']:.2f}{source}{said}"


def exemplar_lines(result: ColorizationResult) -> list[str]:
    """Each exemplar: what it is, where it comes from under which licence, what it did."""
    lines = []
    for rec in (use.to_dict() for use in result.exemplars):
        parts = [f"{rec['id']}: {rec.get('title') or rec['id']} ({rec.get('kind')})"]
        parts += [f"{label}: {rec[key]}" for key, label in
                  (("source", "source"), ("license", "licence"), ("sha256", "sha256"))
                  if rec.get(key)]
        if rec.get("score") is not None:
            parts.append(f"retrieval score {rec['score']:.2f}")
        parts.append(_contribution(rec))
        lines.append("; ".join(parts))
    return lines


def _contribution(rec: dict[str, Any]) -> str:
    if rec.get("colored"):
        return f"colored: {round(100 * (rec.get('color_share') or 0))}% of the image's color"
    if rec.get("rejected"):
        return f"put no color: {rec['rejected']}"
    return "put no color" if rec.get("used") else "matched, not among the exemplars used"


def hint_lines(result: ColorizationResult) -> list[str]:
    """Every color hint with its cited source, as the region it became."""
    regions = result.color_regions.regions if result.color_regions is not None else ()
    hints = [shareable_region(r.to_dict()) for r in regions if r.kind == "hint"]
    return [f"{h['label']}; source: {h.get('source') or 'not given'} "
            f"({round(100 * h['share'])}% of the image, confidence {h['confidence']:.2f})"
            for h in hints]


def shareable_region(region: dict[str, Any]) -> dict[str, Any]:
    """A color region's record with a reference photo named by its file name, not its local
    path (the label says "the colors of /home/alice/ref.jpg" otherwise)."""
    detail = region.get("detail") or {}
    reference = detail.get("reference")
    if not isinstance(reference, str) or not names_a_folder(reference):
        return region
    name = shareable_name(reference)
    return {**region, "label": str(region.get("label", "")).replace(reference, name),
            "detail": {**detail, "reference": name}}


def hints_file(result: ColorizationResult, source_chars: int | None = None
               ) -> list[dict[str, Any]]:
    """The color hints in the form `--color-hints` reads (colorizer.pipeline.hint_json);
    `source_chars` cuts each cited source (it changes no color)."""
    regions = result.color_regions.regions if result.color_regions is not None else ()
    out = []
    for region in regions:
        detail = shareable_region(region.to_dict()).get("detail") or {}
        if region.kind != "hint" or not isinstance(detail.get("where"), dict):
            continue
        item: dict[str, Any] = dict(detail["where"])
        reference = detail.get("reference")
        if detail.get("color"):
            item["color"] = detail["color"]
        elif isinstance(reference, str) and reference.startswith(_LIBRARY):
            item["exemplar"] = reference[len(_LIBRARY):]
        elif reference:
            item["reference"] = reference
        if detail.get("source"):
            item["source"] = cut(detail["source"], source_chars or None)
        out.append(item)
    return out


# Declared only in a packet that has rights to state: an ordinary photo's packet is as before.
RIGHTS_NAMESPACES = ('xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"\n    '
                     'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"')


def rights_properties(source: dict[str, Any] | None) -> str:
    """The rights the source states (a IIIF manifest's `rights` and `requiredStatement`, as the
    provenance record's source holds them), as the XMP properties archives and DAMs read:
    dc:rights (the notice), xmpRights:UsageTerms (the licence), xmpRights:WebStatement (the
    licence's URL) and photoshop:Credit (the attribution the source requires). A colorization
    is a derivative of the archive's photo, so its licence travels with it; only the JSON
    record said it, and an image downloaded alone had lost its CC BY or NoC-NC ("" when the
    source states none)."""
    source = source or {}
    rights = source.get("rights") if isinstance(source.get("rights"), str) else None
    terms = rights or source.get("rights_statement")
    credit = _statement_text(source.get("requiredStatement"))
    if not isinstance(terms, str) or not terms.strip():
        terms = None
    if not terms and not credit:
        return ""
    notice = "; ".join(part for part in (credit, f"Licence: {terms}" if terms else None) if part)
    lines = [_lang_alt("dc:rights", notice)]
    if terms:
        lines.append(_lang_alt("xmpRights:UsageTerms", terms))
    if rights and rights.startswith(("http://", "https://")):
        lines.append(f"\n   <xmpRights:WebStatement>{xml_text(rights)}</xmpRights:WebStatement>")
    if credit:
        lines.append(f"\n   <photoshop:Credit>{xml_text(credit)}</photoshop:Credit>")
    return "".join(lines)


def _statement_text(statement: object) -> str | None:
    """A requiredStatement's value in one language (English, else "none", else the first)."""
    value = statement.get("value") if isinstance(statement, dict) else None
    if not isinstance(value, dict):
        return None
    chosen = next((value[k] for k in ("en", "none", *value) if value.get(k)), [])
    texts = [t for t in (chosen if isinstance(chosen, list) else [chosen])
             if isinstance(t, str) and t.strip()]
    return "; ".join(texts) or None


def _lang_alt(tag: str, text: str) -> str:
    """An XMP language alternative with its one x-default text (dc:rights, UsageTerms)."""
    return (f"\n   <{tag}>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">{xml_text(text)}"
            f"</rdf:li>\n    </rdf:Alt>\n   </{tag}>")
