"""How the service scales as an archive uses it: a job's item cap is checked before the
items are validated one by one, and a big manifest's canvases are read only up to the cap."""

from __future__ import annotations

from service_helpers import make_service

from colorizer.apps.service.iiif import canvases_of


def _canvas(i: int) -> dict:
    url = f"http://archive.test/img/{i}.png"
    return {"id": f"http://archive.test/canvas/{i}", "type": "Canvas", "width": 48,
            "height": 32, "items": [{"type": "AnnotationPage", "items": [{
                "type": "Annotation", "motivation": "painting",
                "body": {"id": url, "type": "Image", "format": "image/png"}}]}]}


def test_items_over_the_cap_are_refused_before_they_are_validated(tmp_path, tiny_pipeline):
    # Each item is invalid: had they been validated first, the answer would be a 422 listing
    # thousands of errors; the cap answers first, 413, with a short body.
    gen = make_service(tmp_path, tiny_pipeline, job_max_items=5)
    svc = next(gen)
    try:
        answer = svc.client.post("/v1/jobs", json={"items": [{}] * 10_000},
                                 headers=svc.headers())
        assert answer.status_code == 413
        assert answer.json()["reason"] == "too_many_items"
        assert len(answer.content) < 1000
        assert svc.store.queue_depth() == 0
        ok = svc.client.post("/v1/jobs", json={"items": [
            {"url": f"http://archive.test/{i}.png"} for i in range(5)]}, headers=svc.headers())
        assert ok.status_code == 202
    finally:
        gen.close()


def test_a_big_manifest_is_read_only_up_to_the_limit():
    manifest = {"id": "http://archive.test/m.json", "type": "Manifest",
                "items": [_canvas(i) for i in range(2000)]}
    _, canvases = canvases_of(manifest, limit=6)
    assert [c.image_url for c in canvases] == [f"http://archive.test/img/{i}.png"
                                               for i in range(6)]
    v2 = {"@type": "sc:Manifest", "sequences": [{"canvases": [
        {"@id": f"c{i}", "images": [{"resource": {"@id": f"http://archive.test/{i}.jpg"}}]}
        for i in range(50)]}]}
    assert len(canvases_of(v2, limit=4)[1]) == 4
    assert len(canvases_of(manifest)[1]) == 2000  # no limit: every canvas (the CLI's reading)
