"""A manifest's canvases reach the context in the service's jobs as in the CLI: the canvas's
label and what the archive says of when and where (navDate, date and place metadata), each
naming its field; the request's own caption replaces the label, never the dates. Before,
the worker passed the request's caption only: a canvas's label and dates were never read."""

from __future__ import annotations

import json

import pytest
from test_service_iiif import _serve_iiif

from colorizer.pipeline.captions import CatalogueCaption


class CaptionSpy:
    """The service's pipeline, recording the caption of each call."""

    def __init__(self, pipeline) -> None:
        self.pipeline, self.captions = pipeline, []

    def __call__(self, *args, **kwargs):
        self.captions.append(kwargs.get("caption"))
        return self.pipeline(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.pipeline, name)


def _dated_manifest(http_server) -> str:
    _serve_iiif(http_server)
    status, headers, body = http_server.routes["/manifest.json"]
    manifest = json.loads(body)
    manifest["items"][0]["navDate"] = "1957-06-01T00:00:00Z"
    manifest["items"][0]["metadata"] = [
        {"label": {"de": ["Ort"]}, "value": {"de": ["Kasan"]}},
        {"label": {"en": ["Date digitized"]}, "value": {"en": ["2019-03-04"]}}]
    http_server.routes["/manifest.json"] = (status, headers, json.dumps(manifest).encode())
    return http_server.url("/manifest.json")


def _fields(caption) -> list[tuple[str, str]]:
    assert isinstance(caption, CatalogueCaption) and caption.replaces, caption
    return [(c.source, c.text) for c in caption.fields]


@pytest.mark.slow
def test_a_canvas_label_and_dates_reach_the_pipeline(service, http_server):
    spy = CaptionSpy(service.app.state.service.pipeline)
    service.app.state.service.pipeline = spy
    url = _dated_manifest(http_server)
    for item in ({"iiif_manifest": url}, {"iiif_manifest": url, "caption": "Tram depot"}):
        response = service.client.post("/v1/jobs", headers=service.headers(),
                                       json={"items": [item]})
        assert response.status_code == 202, response.text
        assert service.drain() == 1
    own, given = spy.captions
    assert _fields(own) == [("iiif:label", "Bauman street, 1950s"),
                            ("iiif:navDate", "1957-06-01T00:00:00Z"),
                            ("iiif:metadata:Ort", "Kasan")]
    assert _fields(given) == [("user", "Tram depot"), ("iiif:navDate", "1957-06-01T00:00:00Z"),
                              ("iiif:metadata:Ort", "Kasan")]


def test_an_upload_keeps_the_requests_caption_as_it_is():
    from colorizer.apps.service.canvas_captions import stored_caption

    assert stored_caption({"kind": "upload", "name": "a.png"}, "Kazan 1950") == "Kazan 1950"
    assert stored_caption({"kind": "url", "url": "https://x/a.jpg"}, None) is None
