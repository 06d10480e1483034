"""What the job's IIIF manifest says of each original and of the source's terms: the values an
archive's viewer or harvester reads (the IIIF presentation validator's JSON schema accepts the
manifest either way; these are the properties it cannot check)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

from PIL import Image
from service_helpers import gray_png
from test_service_iiif import _serve_iiif

from colorizer.apps.service.iiif import canvases_of, presentation3_errors


def _manifest_of(service, **request) -> dict:
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   **request).headers["location"]
    assert service.drain() >= 1
    return service.client.get(f"{location}/manifest", headers=service.headers()).json()


def _original(manifest: dict) -> dict:
    return manifest["items"][0]["items"][0]["items"][0]["body"]["items"][0]


def test_an_uploaded_png_is_named_as_a_png(service):
    # Every original was called image/jpeg, whatever its type: a viewer or harvester that
    # trusts `format` got a PNG (or a TIFF) it was told is a JPEG.
    manifest = _manifest_of(service, files={"file": ("scan.png", gray_png(), "image/png")})
    original = _original(manifest)
    assert original["format"] == "image/png"
    parts = urlsplit(original["id"])
    served = service.client.get(f"{parts.path}?{parts.query}")
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).format == "PNG"


def test_the_source_manifests_rights_and_attribution_travel(service, http_server):
    _serve_iiif(http_server)
    source = json.loads(http_server.routes["/manifest.json"][2])
    source.update({
        "rights": "https://creativecommons.org/licenses/by/4.0/",
        "requiredStatement": {"label": {"en": ["Attribution"]},
                              "value": {"en": ["City Archive of Kazan"]}},
        "provider": [{"id": "https://archive.example/about", "type": "Agent",
                      "label": {"en": ["City Archive of Kazan"]}}]})
    http_server.routes["/manifest.json"] = (200, {"Content-Type": "application/ld+json"},
                                            json.dumps(source).encode())
    manifest = _manifest_of(service, json={
        "items": [{"iiif_manifest": http_server.url("/manifest.json")}]})
    assert presentation3_errors(manifest) == []
    # CC BY asks for the attribution wherever the work is shown; `rights` in the canonical
    # http form the specification and its validator require (https is refused).
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["requiredStatement"] == source["requiredStatement"]
    assert manifest["provider"] == source["provider"]


def test_an_original_named_by_the_archives_url_has_that_images_size(service, http_server):
    base = _serve_iiif(http_server)  # a 96 x 64 image, read at its service's maxWidth 48
    manifest = _manifest_of(service, json={
        "items": [{"iiif_manifest": http_server.url("/manifest.json")}]})
    # The original is named by the archive's URL of the full image (full/max): its size is
    # the service's full size, not the smaller size we read it at (it said 48 x 32).
    original = _original(manifest)
    assert original["id"] == f"{base}/full/max/0/default.jpg"
    assert (original["width"], original["height"]) == (96, 64)
    assert original["service"] == [{"id": base, "type": "ImageService3", "profile": "level1"}]


def test_presentation2_licence_and_attribution_become_rights_and_required_statement():
    from colorizer.apps.service.iiif_terms import manifest_terms

    manifest = {"@context": "http://iiif.io/api/presentation/2/context.json",
                "@id": "https://m.example/m", "@type": "sc:Manifest", "label": "Album",
                "license": "https://rightsstatements.org/vocab/NoC-US/1.0/",
                "attribution": [{"@value": "Courtesy of the City Archive", "@language": "en"}],
                "sequences": [{"canvases": [{"@id": "https://m.example/c1", "width": 20,
                                             "height": 10, "images": [{"resource": {
                                                 "@id": "https://i.example/a.jpg"}}]}]}]}
    meta, _ = canvases_of(manifest)
    terms = manifest_terms(meta)
    assert terms["rights"] == "http://rightsstatements.org/vocab/NoC-US/1.0/"
    assert terms["requiredStatement"]["value"] == {"none": ["Courtesy of the City Archive"]}
    # Rights text that is not a Creative Commons or RightsStatements.org URI cannot be
    # `rights`: it is kept, as metadata.
    manifest["license"] = "All rights reserved by the City Archive"
    terms = manifest_terms(canvases_of(manifest)[0])
    assert "rights" not in terms
    assert terms["metadata"] == [{"label": {"en": ["Rights"]},
                                  "value": {"none": ["All rights reserved by the City Archive"]}}]
