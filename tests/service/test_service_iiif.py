"""IIIF: sizes within info.json limits, manifests in, a Presentation 3 Choice manifest out."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from PIL import Image
from service_helpers import gray_png, serve_one_canvas_manifest

from colorizer.apps.service.iiif import (
    ImageService,
    canvases_of,
    choose_size,
    image_request_url,
    presentation3_errors,
)


def _info(base: str, width=4000, height=3000, **limits) -> dict:
    return {"@context": "http://iiif.io/api/image/3/context.json", "id": base,
            "type": "ImageService3", "protocol": "http://iiif.io/api/image", "profile": "level1",
            "width": width, "height": height, **limits}


def test_choose_size_respects_service_limits_and_our_cap():
    service = ImageService.from_info(_info("https://iiif.example/img", maxWidth=1000), "x")
    assert choose_size(service, 50_000_000) == (1000, 750)
    service = ImageService.from_info(_info("https://iiif.example/img", maxArea=1_200_000), "x")
    w, h = choose_size(service, 50_000_000)
    assert w * h <= 1_200_000 and abs(w / h - 4 / 3) < 0.01
    service = ImageService.from_info(_info("https://iiif.example/img"), "x")
    assert choose_size(service, 100_000_000) is None  # full size fits
    assert image_request_url(service, None) == "https://iiif.example/img/full/max/0/default.jpg"
    w, h = choose_size(service, 3_000_000)
    assert w * h <= 3_000_000 and w == 2000
    level0 = ImageService.from_info({**_info("https://iiif.example/l0"), "profile": "level0",
                                     "sizes": [
        {"width": 500, "height": 375}, {"width": 1000, "height": 750}]}, "x")
    assert choose_size(level0, 1_000_000) == (1000, 750)


def test_v2_info_and_manifest_are_read():
    info = {"@context": "http://iiif.io/api/image/2/context.json", "@id": "https://i.example/a",
            "width": 2000, "height": 1000, "profile": ["http://iiif.io/api/image/2/level2.json",
                                                       {"maxWidth": 800}]}
    service = ImageService.from_info(info, "x")
    assert service.version == 2 and choose_size(service, 10**8) == (800, 400)
    # 2.x's canonical size is `w,`: static level-0 servers hold only that path.
    assert image_request_url(service, (800, 400)).endswith("/full/800,/0/default.jpg")
    manifest = {"@context": "http://iiif.io/api/presentation/2/context.json",
                "@id": "https://m.example/m", "@type": "sc:Manifest", "label": "Album",
                "sequences": [{"canvases": [{"@id": "https://m.example/c1", "label": "p. 1",
                                             "width": 2000, "height": 1000, "images": [{
                                                 "resource": {"@id": "https://i.example/a.jpg",
                                                              "service": {"@id": "https://i.example/a"}}}]}]}]}
    meta, canvases = canvases_of(manifest)
    assert meta["label"] == {"none": ["Album"]}
    assert canvases[0].service == "https://i.example/a" and canvases[0].width == 2000


def _serve_iiif(http_server):
    base = http_server.url("/iiif/photo1")
    http_server.routes["/iiif/photo1/info.json"] = (
        200, {"Content-Type": "application/ld+json"},
        json.dumps(_info(base, width=96, height=64, maxWidth=48)).encode())
    http_server.routes["/iiif/photo1/full/48,32/0/default.jpg"] = (
        200, {"Content-Type": "image/jpeg"}, gray_png(48, 32, fmt="JPEG"))
    serve_one_canvas_manifest(http_server, base, "Kazan street views", (96, 64),
                              "Bauman street, 1950s")
    return base


def test_manifest_job_produces_a_presentation3_choice_manifest(service, http_server):
    _serve_iiif(http_server)
    response = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_manifest": http_server.url("/manifest.json"), "hint": "Kazan 1950s"}]})
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    assert service.drain() == 1
    paths = [r[1] for r in http_server.requests]
    # info.json is read before the image, and the image is asked at the service's maxWidth.
    assert paths.index("/iiif/photo1/info.json") < paths.index(
        "/iiif/photo1/full/48,32/0/default.jpg")
    manifest = service.client.get(f"{location}/manifest", headers=service.headers()).json()
    assert presentation3_errors(manifest) == []
    canvas = manifest["items"][0]
    assert canvas["label"] == {"en": ["Bauman street, 1950s"]}
    assert (canvas["width"], canvas["height"]) == (96, 64)
    anno = canvas["items"][0]["items"][0]
    assert anno["motivation"] == "painting" and anno["target"] == canvas["id"]
    choice = anno["body"]
    assert choice["type"] == "Choice" and len(choice["items"]) == 2
    original, colorized = choice["items"]
    assert original["service"][0]["id"] == http_server.url("/iiif/photo1")
    assert "Original" in original["label"]["en"][0]
    assert "Colorized" in colorized["label"]["en"][0]
    assert manifest["label"] == {"en": ["Kazan street views (colorized)"]}
    notes = canvas["annotations"][0]["items"]
    assert notes and all(n["motivation"] == "assessing" for n in notes)
    texts = " ".join(n["body"]["value"] for n in notes)
    assert "Kazan 1950s" in texts and "uncertainty" in texts
    # The colorized image in the manifest is the job's result and downloads.
    path = urlsplit(colorized["id"]).path
    image = Image.open(io.BytesIO(service.client.get(path, headers=service.headers()).content))
    assert image.size == (48, 32)


def test_manifest_image_links_open_without_the_key_and_only_their_own_file(service):
    location = service.client.post("/v1/jobs", headers=service.headers(), files={
        "file": ("a.png", gray_png(), "image/png")}).headers["location"]
    service.drain()
    manifest = service.client.get(f"{location}/manifest", headers=service.headers()).json()
    original, colorized = manifest["items"][0]["items"][0]["items"][0]["body"]["items"]
    for link in (colorized["id"], original["id"]):
        parts = urlsplit(link)
        assert "sig=" in parts.query
        # A IIIF viewer: no Authorization header at all.
        answer = service.client.get(f"{parts.path}?{parts.query}")
        assert answer.status_code == 200, answer.text
        Image.open(io.BytesIO(answer.content)).load()
    parts = urlsplit(colorized["id"])
    unsigned = service.client.get(parts.path)
    assert unsigned.status_code == 401
    # The signature is of one path: it opens neither another file nor a forged expiry.
    other = parts.path.replace("/result", "/provenance")
    assert service.client.get(f"{other}?{parts.query}").status_code == 401
    forged = parts.query.replace("exp=", "exp=9")
    assert service.client.get(f"{parts.path}?{forged}").json()["reason"] == "invalid_link"
    # The canvas's provenance record (seeAlso) opens for a harvester without a key too.
    record = urlsplit(manifest["items"][0]["seeAlso"][0]["id"])
    assert "sig=" in record.query
    answer = service.client.get(f"{record.path}?{record.query}")
    assert answer.status_code == 200 and answer.json()["output"]


def test_expired_links_are_refused(tmp_path):
    from colorizer.apps.service.links import LinkSigner

    signer = LinkSigner.for_data_dir(tmp_path, ttl_seconds=60)
    assert (tmp_path / "link-secret").stat().st_mode & 0o777 == 0o600
    url = signer.sign("http://h/v1/jobs/j/items/0/result", "key1", now=1000.0)
    query = dict(p.split("=") for p in urlsplit(url).query.split("&"))
    path = "/v1/jobs/j/items/0/result"
    assert signer.check(path, "key1", query["exp"], query["sig"], now=1059.0)
    assert not signer.check(path, "key1", query["exp"], query["sig"], now=1061.0)
    assert not signer.check(path, "key2", query["exp"], query["sig"], now=1001.0)
    again = LinkSigner.for_data_dir(tmp_path, ttl_seconds=60)  # the same secret on restart
    assert again.check(path, "key1", query["exp"], query["sig"], now=1001.0)


def test_docs_page_works_offline(service):
    page = service.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/v1/jobs/{job_id}/manifest" in page.text and "/openapi.json" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    assert service.client.get("/redoc").status_code == 404


@pytest.mark.slow
def test_direct_iiif_image_item(service, http_server):
    base = _serve_iiif(http_server)
    location = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_image": base}]}).headers["location"]
    service.drain()
    job = service.client.get(location, headers=service.headers()).json()
    assert job["state"] == "succeeded"


def test_validator_catches_a_broken_choice():
    broken = {"@context": "http://iiif.io/api/presentation/3/context.json",
              "id": "https://x.example/m", "type": "Manifest", "label": {"en": ["m"]},
              "items": [{"id": "https://x.example/c", "type": "Canvas", "width": 10,
                         "height": 10, "items": [{"type": "AnnotationPage", "items": [{
                             "type": "Annotation", "target": "https://x.example/c",
                             "body": {"type": "Choice", "items": [{
                                 "id": "https://x.example/i", "type": "Image"}]}}]}]}]}
    errors = presentation3_errors(broken)
    assert any("Choice of two" in e for e in errors)
    assert any("labeled" in e for e in errors)


def test_bad_manifest_is_422(service, http_server):
    http_server.routes["/not-a-manifest"] = (200, {}, b'{"hello": 1}')
    response = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_manifest": http_server.url("/not-a-manifest")}]})
    assert response.status_code == 422 and response.json()["reason"] == "invalid_iiif"


def test_string_labels_become_language_maps_and_the_manifest_stays_valid(service, http_server):
    """A IIIF v3 manifest in the wild with bare-string labels: read, and the manifest we write
    back is valid Presentation 3 (it used to 500 on every GET)."""
    _serve_iiif(http_server)
    manifest = json.loads(http_server.routes["/manifest.json"][2])
    manifest["label"] = "Kazan street views"
    manifest["items"][0]["label"] = "Bauman street, 1950s"
    http_server.routes["/manifest.json"] = (200, {"Content-Type": "application/ld+json"},
                                            json.dumps(manifest).encode())
    location = service.client.post("/v1/jobs", headers=service.headers(), json={
        "items": [{"iiif_manifest": http_server.url("/manifest.json")}]}).headers["location"]
    assert service.drain() == 1
    response = service.client.get(f"{location}/manifest", headers=service.headers())
    assert response.status_code == 200
    written = response.json()
    assert presentation3_errors(written) == []
    assert written["label"] == {"none": ["Kazan street views (colorized)"]}
    assert written["items"][0]["label"] == {"none": ["Bauman street, 1950s"]}


def test_unreadable_or_empty_info_json_fails_the_item_with_a_reason(service, http_server):
    """Not JSON, or a width of 0: the item fails at once with a message, not after three
    lease cycles as worker_crashed."""
    for body in (b"<html>not json</html>",
                 json.dumps(_info(http_server.url("/iiif/zero"), width=0, height=64)).encode()):
        http_server.routes["/iiif/zero/info.json"] = (200, {"Content-Type": "application/json"},
                                                      body)
        location = service.client.post("/v1/jobs", headers=service.headers(), json={
            "items": [{"iiif_image": http_server.url("/iiif/zero")}]}).headers["location"]
        service.drain()
        job = service.client.get(location, headers=service.headers()).json()
        item = job["items"][0]
        assert job["state"] == "failed" and item["status"] == "failed", job
        assert "info.json" in json.dumps(item) and "worker_crashed" not in json.dumps(item)


def test_language_map_normalises_what_manifests_carry():
    from colorizer.apps.service.iiif import language_map

    assert language_map({"en": ["a"]}, "x") == {"en": ["a"]}
    assert language_map("a", "x") == {"none": ["a"]}
    assert language_map(["a", "b"], "x") == {"none": ["a", "b"]}
    assert language_map({"en": "a"}, "x") == {"none": ["x"]}
    assert language_map(None, "x") == {"none": ["x"]}
