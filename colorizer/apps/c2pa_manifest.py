"""The C2PA manifest definition of one colorization, built from its provenance record.

Pure data (no c2pa import), so it is checked without the optional extra. What it says:
- the gray original is the `parentOf` ingredient (title, format, and its bytes' SHA-256 as an
  RFC 6920 `ni:///sha-256;...` instance id, the same id the XMP's xmpMM:DerivedFrom gives);
- `c2pa.actions`: `c2pa.opened` (that original), then `c2pa.color_adjustments` made by a
  trained model (digitalSourceType), by the software agent chronochrome with its version,
  naming the model's weights and the hint;
- `dev.chronochrome.provenance`: the source hash, model, prompt (hint, caption, the captions
  read) and the context inferred from them (era, region, text, ...), for tools that read it.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from colorizer.pipeline.provenance import AI_SYSTEM, DIGITAL_SOURCE_TYPE, software_version
from colorizer.pipeline.xmp_history import hash_uri

ORIGINAL_LABEL = "original"  # the ingredient's label, referenced by the c2pa.opened action
COLORIZED = "colorized: the original's luminance kept, chroma predicted by a trained model"


def build_manifest(record: dict[str, Any], title: str) -> dict[str, Any]:
    """The manifest definition (c2pa Builder JSON) of the output described by `record`."""
    agent = {"name": AI_SYSTEM, "version": software_version()}
    source = record.get("source") or {}
    model = {k: v for k, v in (record.get("model") or {}).items() if v is not None}
    prompt = record.get("prompt") or {}
    adjust: dict[str, Any] = {"action": "c2pa.color_adjustments",
                              "digitalSourceType": DIGITAL_SOURCE_TYPE,
                              "softwareAgent": agent, "description": COLORIZED}
    parameters = {"model": model, **({"hint": prompt["hint"]} if prompt.get("hint") else {})}
    if model or prompt.get("hint"):
        adjust["parameters"] = parameters
    return {
        "claim_generator_info": [agent],
        "title": title,
        "ingredients": [original_ingredient(source)],
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.opened", "parameters": {"ingredientIds": [ORIGINAL_LABEL]}},
                adjust]}},
            {"label": "dev.chronochrome.provenance", "data": {
                "source_sha256": source.get("sha256"), "model": record.get("model"),
                "prompt": record.get("prompt"), "context": record.get("context")}},
        ],
    }


def original_ingredient(source: dict[str, Any]) -> dict[str, Any]:
    """The gray original as the parent ingredient; its bytes are not at hand here, so it is
    bound by its SHA-256 (instance_id) rather than by an embedded thumbnail."""
    ingredient: dict[str, Any] = {"title": source.get("name") or "original",
                                  "relationship": "parentOf", "label": ORIGINAL_LABEL}
    mime = Image.MIME.get(str(source.get("format") or "").upper())
    if mime:
        ingredient["format"] = mime
    if source.get("sha256"):
        ingredient["instance_id"] = hash_uri(source["sha256"])
        ingredient["description"] = f"the original (sha256 {source['sha256']})"
    if source.get("url"):
        ingredient["informational_URI"] = source["url"]
    return ingredient
