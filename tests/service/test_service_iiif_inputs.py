"""IIIF Image API services as job inputs, served the way real servers serve them: only the
paths a server of that version and level answers, and the limits its info.json states."""

from __future__ import annotations

import json

import pytest
from service_helpers import gray_png

from colorizer.apps.service.iiif import ImageService, choose_size

V2 = "http://iiif.io/api/image/2/context.json"
V3 = "http://iiif.io/api/image/3/context.json"


def _serve(http_server, name: str, info: dict, images: dict[str, tuple[int, int]]) -> str:
    """An image service at /name answering its info.json and exactly the `images` paths
    (anything else 404, as a static level-0 server or a strict server answers)."""
    base = http_server.url(f"/{name}")
    info = {**info, ("@id" if info["@context"] == V2 else "id"): base}
    http_server.routes[f"/{name}/info.json"] = (200, {"Content-Type": "application/ld+json"},
                                               json.dumps(info).encode())
    for path, (w, h) in images.items():
        http_server.routes[f"/{name}/{path}"] = (200, {"Content-Type": "image/jpeg"},
                                                gray_png(w, h, fmt="JPEG"))
    return base


def _run(service, base: str) -> tuple[dict, dict]:
    location = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_image": base}]}).headers["location"]
    service.drain()
    job = service.client.get(location, headers=service.headers()).json()
    manifest = service.client.get(f"{location}/manifest", headers=service.headers())
    return job, manifest.json() if manifest.status_code == 200 else {}


def test_a_portrait_image_is_asked_within_the_inferred_max_height(service, http_server):
    # maxWidth without maxHeight: the specification says maxHeight = maxWidth. We asked for
    # 99 x 133 (height over the limit, width rounded down): a strict server refuses that.
    base = _serve(http_server, "portrait", {
        "@context": V3, "type": "ImageService3", "protocol": "http://iiif.io/api/image",
        "profile": "level2", "width": 300, "height": 400, "maxWidth": 100},
        {"full/75,100/0/default.jpg": (75, 100)})
    job, manifest = _run(service, base)
    assert job["state"] == "succeeded", job["items"][0].get("error")
    assert ("GET", "/portrait/full/75,100/0/default.jpg") in [r[:2] for r in http_server.requests]
    canvas = manifest["items"][0]
    assert (canvas["width"], canvas["height"]) == (75, 100)


@pytest.mark.slow
def test_a_static_level0_v2_service_is_asked_in_its_canonical_form(service, http_server):
    # A level-0 Image API 2 server made of files (iiif_static, tile generators) holds each
    # listed size at its canonical path `w,`; we asked for `w,h` and got 404.
    base = _serve(http_server, "static", {
        "@context": V2, "protocol": "http://iiif.io/api/image",
        "profile": ["http://iiif.io/api/image/2/level0.json"], "width": 2000, "height": 1500,
        "sizes": [{"width": 250, "height": 188}, {"width": 1000, "height": 750}]},
        {"full/250,/0/default.jpg": (250, 188), "full/1000,/0/default.jpg": (1000, 750)})
    job, manifest = _run(service, base)  # the service's cap is 1,000,000 pixels
    assert job["state"] == "succeeded", job["items"][0].get("error")
    assert ("GET", "/static/full/1000,/0/default.jpg") in [r[:2] for r in http_server.requests]
    original = manifest["items"][0]["items"][0]["items"][0]["body"]["items"][0]
    # A viewer builds its requests from the service's type and level: a 2.x level-0 service
    # named ImageService3 level1 got `max` and region requests it cannot answer.
    assert original["service"] == [{"@id": base, "@type": "ImageService2",
                                     "profile": "http://iiif.io/api/image/2/level0.json"}]


def test_a_level2_service_listing_thumbnail_sizes_is_not_held_to_them():
    # Level-2 servers list a few preferred sizes too; they serve any size. We took the
    # listed 250 px thumbnail as the only choice.
    info = {"@context": V3, "id": "https://iiif.example/a", "type": "ImageService3",
            "profile": "level2", "width": 4000, "height": 3000,
            "sizes": [{"width": 250, "height": 188}]}
    assert choose_size(ImageService.from_info(info, "x"), 3_000_000) == (2000, 1500)
    info["profile"] = "level0"
    assert choose_size(ImageService.from_info(info, "x"), 3_000_000) == (250, 188)
