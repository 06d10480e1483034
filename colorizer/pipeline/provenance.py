"""Provenance of a colorized photo: XMP embedded in the file and a JSON record beside it.

Every output chronochrome writes (CLI or HTTP service) says what made it:

- XMP with the IPTC `Iptc4xmpExt:DigitalSourceType` "compositeWithTrainedAlgorithmicMedia"
  (real luminance, algorithmic color), the AI system name and version, and the user's hint as
  prompt information; embedded in JPEG, PNG (iTXt), TIFF (tag 700) and WebP;
- XMP Media Management (xmp_history.py): the output is a new document, DerivedFrom the gray
  original, with the colorization appended to the original's xmpMM:History;
- the chronochrome namespace (`CHRONOCHROME_NS`, prefix `chronochrome`): the model with its
  full hash, the settings, captions, inferred context with its evidence, exemplars and color
  hints with their sources (xmp_provenance.py), and `chronochrome:ColorSources`: an rdf:Seq of
  text, one line per region whose color a color hint or an exemplar decided ("region 1: user
  hint (point 10,10): #b22222; source: ... (3% of the image, confidence 1.00)"); absent when
  the model decided every color;
- nothing of the machine that ran it: no local paths, no signed-link tokens (shareable.py);
- a JSON record (`provenance_record`): source hash, model, context with its evidence,
  exemplars, settings and the output's own hash, for archives to publish next to the image.

    data = encode_image(result, "png")                    # bytes with XMP embedded
    save_image(result, "photo.color.tif")                 # the same, to a file (16-bit for
                                                          # a 16-bit master; bit_depth=8)
    write_image(result, "png", handle)                    # the same, to an open file as made
    record = provenance_record(result, output=data, output_format="png")
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from colorizer.pipeline.deep_encode import Sink, Written
from colorizer.pipeline.deep_pixels import output_depth
from colorizer.pipeline.output_formats import (
    FORMAT_ALIASES,
    IMAGE_FORMATS,
    format_of_path,
    normalize_format,
)
from colorizer.pipeline.provenance_text import context_summary, plausibility_notes, region_line
from colorizer.pipeline.result import ColorizationResult
from colorizer.pipeline.shareable import shareable_name, shareable_values
from colorizer.pipeline.xmp_embed import (
    encode_deep_with_xmp,
    encode_with_xmp,
    read_xmp,
    write_deep_with_xmp,
)
from colorizer.pipeline.xmp_history import DERIVED, media_management
from colorizer.pipeline.xmp_history import NAMESPACES as MM_NAMESPACES
from colorizer.pipeline.xmp_merge import merge_xmp, parsed_rdf
from colorizer.pipeline.xmp_provenance import (
    RIGHTS_NAMESPACES,
    cut,
    provenance_properties,
    rights_properties,
    shareable_region,
    xml_safe,
    xml_text,
)

# The formats (output_formats.py), the encoders (xmp_embed.py) and the record in words
# (provenance_text.py) moved out of this module; their names stay importable from here.
__all__ = ["AI_SYSTEM", "CHRONOCHROME_NS", "DIGITAL_SOURCE_TYPE", "FORMAT_ALIASES",
           "IMAGE_FORMATS", "JPEG_MAX_XMP_BYTES", "RECORD_SCHEMA", "SHORT_LINE_CHARS",
           "build_xmp", "color_sources_xmp", "context_summary", "encode_deep_with_xmp",
           "encode_image", "encode_with_xmp", "fitted_xmp", "format_of_path", "normalize_format",
           "output_bits", "plausibility_notes", "provenance_record", "read_xmp", "region_line",
           "save_image", "software_version", "write_deep_with_xmp", "write_image"]

DIGITAL_SOURCE_TYPE = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
AI_SYSTEM = "chronochrome"
RECORD_SCHEMA = "https://chronochrome.dev/schemas/provenance/1"
CHRONOCHROME_NS = "https://chronochrome.dev/ns/xmp/1.0/"
JPEG_MAX_XMP_BYTES = 65_504  # a JPEG APP1 segment less its XMP namespace header
SHORT_LINE_CHARS = 160  # each list line, when the whole would not fit a JPEG
_CONTEXT_FIELDS = ("era", "region", "script", "language", "language_detail", "text", "scene",
                   "conflicts", "description", "unknown", "sources")  # embeddings are left out: not evidence


def software_version() -> str:
    from colorizer import __version__

    return __version__


def build_xmp(result: ColorizationResult, line_chars: int | None = None,
              source: dict[str, Any] | None = None) -> bytes:
    """An XMP packet for one colorization (UTF-8 bytes); `line_chars` shortens its lists
    (xmp_provenance.py) so that it fits a JPEG (`fitted_xmp`). `source` is what the caller
    knows of where the input came from (`provenance_record`'s): a IIIF canvas's URL becomes
    dc:source, its manifest's rights and attribution dc:rights, xmpRights and
    photoshop:Credit (`rights_properties`)."""
    hint = result.settings.get("hints")
    model = result.model
    now, tool = _now(), f"{AI_SYSTEM} {software_version()}"
    fields = [
        ("Iptc4xmpExt:DigitalSourceType", DIGITAL_SOURCE_TYPE),
        ("Iptc4xmpExt:AISystemUsed", AI_SYSTEM),
        ("Iptc4xmpExt:AISystemVersionUsed",
         f"{software_version()} (model {model.name} {model.version}, sha256 {model.sha256[:16]})"),
        ("xmp:CreatorTool", tool),
        # All three: the original's modify and metadata dates are not this file's.
        ("xmp:CreateDate", now), ("xmp:ModifyDate", now), ("xmp:MetadataDate", now),
    ]
    if hint:
        fields.append(("Iptc4xmpExt:AIPromptInformation", str(hint)))
    canvas = (source or {}).get("canvas_id")
    if isinstance(canvas, str) and canvas.startswith(("http://", "https://")):
        fields.append(("dc:source", canvas))  # the original's sha256 stays in xmpMM
    elif result.input.sha256:
        fields.append(("dc:source", f"sha256:{result.input.sha256}"))
    body = "\n".join(f"   <{tag}>{xml_text(value)}</{tag}>" for tag, value in fields)
    rights = rights_properties(source)
    body += rights
    their_rdf = parsed_rdf(result.carried.xmp if result.carried else None)
    # The model in the History too: ExifTool's -tagsFromFile copies xmpMM, not the
    # Iptc4xmpExt AI properties (12.57) nor a namespace it does not know.
    derived = (f"{DERIVED} (model {model.name} {model.version}, weights sha256 "
               f"{model.sha256}" + (f"; hint: {hint}" if hint else "") + ")")
    body += "\n" + media_management(their_rdf, result.input.sha256, now, tool,
                                     xml_safe(derived))
    body += provenance_properties(result, line_chars) + color_sources_xmp(result, line_chars)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    {MM_NAMESPACES}{f"{chr(10)}    {RIGHTS_NAMESPACES}" if rights else ""}
    xmlns:chronochrome="{CHRONOCHROME_NS}">
{body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def encode_image(result: ColorizationResult, fmt: str, xmp: bytes | None = None,
                 bit_depth: int | None = None, source: dict[str, Any] | None = None) -> bytes:
    """The result's image encoded as `fmt` (png, jpg, tif, webp) with provenance XMP embedded:
    16 bits a channel in PNG and TIFF when the input had more than 8 (`result.image16`),
    unless `bit_depth=8`; JPEG and WebP hold 8 (`output_bits` says which, with a note).
    `write_image` writes the same bytes to a file as they are made."""
    buffer = io.BytesIO()
    write_image(result, fmt, buffer, xmp, bit_depth, source)
    return buffer.getvalue()


def write_image(result: ColorizationResult, fmt: str, sink: Sink, xmp: bytes | None = None,
                bit_depth: int | None = None, source: dict[str, Any] | None = None) -> None:
    """`encode_image`'s bytes written to `sink` (an open binary file): a 16-bit PNG or TIFF a
    band of rows at a time, never whole in memory (deep_encode.py). `source`: `build_xmp`'s."""
    pil_format = IMAGE_FORMATS[normalize_format(fmt)][0]
    if xmp is None:  # the input's own XMP kept beside the provenance (xmp_merge.py)
        xmp = fitted_xmp(result, JPEG_MAX_XMP_BYTES if pil_format == "JPEG" else None,
                         source)
    bits, _ = output_depth(result.image16 is not None, pil_format, bit_depth)
    # The input's EXIF with this file's writer and time (carried_metadata.py: `written_by`).
    carried = result.carried and result.carried.written_by(
        f"{AI_SYSTEM} {software_version()}", datetime.fromisoformat(_now()), result.image.size,
        pil_format)
    if bits == 16 and result.image16 is not None:  # output_depth gives 16 only then
        write_deep_with_xmp(result.image16, pil_format, xmp, sink, carried)
    else:
        sink.write(encode_with_xmp(result.image, pil_format, xmp, carried))


def fitted_xmp(result: ColorizationResult, max_bytes: int | None = None,
               source: dict[str, Any] | None = None) -> bytes:
    """Our packet merged with the input's XMP, within `max_bytes`: a JPEG's XMP segment holds
    65,504 bytes, and 64 color hints citing long sources made every JPEG output fail ("XMP
    data is too long"). Lines are shortened first, then the lists left out (the provenance
    record keeps them), then the input's XMP (as one over 40 KB is never carried)."""
    theirs = result.carried.xmp if result.carried else None
    for line_chars in (None, SHORT_LINE_CHARS, 0):
        xmp = merge_xmp(build_xmp(result, line_chars, source), theirs)
        if max_bytes is None or len(xmp) <= max_bytes:
            return xmp
    return build_xmp(result, 0, source)


def save_image(result: ColorizationResult, path: str | Path, fmt: str | None = None,
               bit_depth: int | None = None) -> Path:
    """Write `encode_image`'s bytes to `path` (format from its suffix unless `fmt` is given):
    what the CLI writes, 16 bits a channel in PNG and TIFF for a 16-bit master. The file is
    written to a temporary name beside it as it is encoded, then renamed into place: never
    half a file, and an error leaves what was at `path` as it was."""
    path = Path(path)
    fmt = fmt or format_of_path(path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with open(tmp, "wb") as handle:
            write_image(result, fmt, handle, bit_depth=bit_depth)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def output_bits(result: ColorizationResult, fmt: str, bit_depth: int | None = None
                ) -> tuple[int, str | None]:
    """Bits a channel `encode_image` writes, and a note when a 16-bit input's tones are not
    kept (JPEG, WebP)."""
    pil_format = IMAGE_FORMATS[normalize_format(fmt)][0]
    return output_depth(result.image16 is not None, pil_format, bit_depth)


def provenance_record(
    result: ColorizationResult,
    *,
    output: bytes | Written | None = None,
    output_format: str | None = None,
    source: dict[str, Any] | None = None,
    bit_depth: int | None = None,
) -> dict[str, Any]:
    """The JSON provenance record of one output.

    `source` adds what the caller knows about where the input came from (URL, IIIF ids);
    `bit_depth` is what `output` (its bytes, or its file as written) was encoded with.
    """
    inferred = result.context.to_dict()
    context = {k: inferred.get(k) for k in _CONTEXT_FIELDS if k in inferred}
    record: dict[str, Any] = {
        "schema": RECORD_SCHEMA,
        "created": _now(),
        "digital_source_type": DIGITAL_SOURCE_TYPE,
        "software": {"name": AI_SYSTEM, "version": software_version()},
        # Published beside the image: the weights by name, version and hash, never by where
        # they sit on the machine that ran them (a server's paths are not the archive's).
        "model": {k: v for k, v in result.model.to_dict().items() if k != "path"},
        # Shareable: the input's name without its local folders, URLs without tokens.
        "source": shareable_values({**result.input.to_dict(),
                                    "name": shareable_name(result.input.name),
                                    **(source or {})}),
        # `caption` is the caller's; `captions` every caption read, with where it was read
        # (the file name, its metadata, a sidecar, a catalogue row): the context's evidence.
        "prompt": {"hint": result.settings.get("hints"),
                   "caption": result.settings.get("caption"),
                   "captions": shareable_values([{"text": c.text, "source": c.source}
                                                 for c in result.context.captions])},
        "context": context,
        "exemplars": [{k: v for k, v in rec.to_dict().items() if k != "image_path"}
                      for rec in result.exemplars],
        "uncertainty": result.uncertainty_summary(),
        "settings": {k: v for k, v in result.settings.items() if k not in ("hints", "caption")},
        "luminance": "the output's L* equals the input's; only chroma is predicted",
        # Where each region's color came from (hints with their sources, exemplars, model).
        "color_regions": [shareable_region(r) for r in (result.color_regions.to_dict()["regions"]
                                                         if result.color_regions else [])],
    }
    if output is not None:
        digest, size = ((hashlib.sha256(output).hexdigest(), len(output))
                        if isinstance(output, bytes) else (output.sha256, output.size))
        record["output"] = {"sha256": digest, "format": output_format, "bytes": size,
                            "size": list(result.image.size)}
        if output_format is not None:
            record["output"]["bits_per_channel"] = output_bits(result, output_format,
                                                               bit_depth)[0]
    return record


def color_sources_xmp(result: ColorizationResult, line_chars: int | None = None) -> str:
    """The regions whose color a hint or an exemplar decided, as an rdf:Seq of one line each
    ("" when the model decided everything): the XMP travels with the file. `line_chars`:
    each line cut to that many characters; 0 leaves the list out."""
    regions = [r for r in (result.color_regions.regions if result.color_regions else ())
               if r.kind != "model" and r.share > 0]
    if not regions or line_chars == 0:
        return ""
    items = "".join(f"\n     <rdf:li>"
                    f"{xml_text(cut(region_line(shareable_region(r.to_dict())), line_chars))}"
                    "</rdf:li>" for r in regions)
    return (f"\n   <chronochrome:ColorSources>\n    <rdf:Seq>{items}\n    </rdf:Seq>\n"
            "   </chronochrome:ColorSources>")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
