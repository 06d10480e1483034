"""Big JSON answers (a job's view, its manifest) gzipped for clients that send
`Accept-Encoding: gzip`; images and file downloads never, so their ETags and ranges hold."""

from __future__ import annotations

import gzip
import json

import pytest
from service_helpers import gray_png

from colorizer.apps.service.json_gzip import accepts_gzip


def _job(service, n: int) -> str:
    files = [("file", (f"scan-{i:03d}.png", gray_png(seed=i), "image/png")) for i in range(n)]
    return service.client.post("/v1/jobs", headers=service.headers(),
                               files=files).headers["location"]


def test_a_job_view_is_gzipped_when_the_client_accepts_it(service):
    location = _job(service, 12)
    plain = service.client.get(location, headers=service.headers(**{"Accept-Encoding":
                                                                     "identity"}))
    assert "content-encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["vary"]
    packed = service.client.get(location, headers=service.headers(**{"Accept-Encoding": "gzip"}))
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert packed.json() == plain.json()  # httpx undid the gzip
    sent = int(packed.headers["content-length"])
    assert sent == packed.num_bytes_downloaded and sent * 3 < len(plain.content)
    refused = service.client.get(location, headers=service.headers(**{"Accept-Encoding":
                                                                       "gzip;q=0"}))
    assert "content-encoding" not in refused.headers


@pytest.mark.slow
def test_the_manifest_is_gzipped_and_files_never_are(service):
    location = _job(service, 3)
    assert service.drain() == 3
    gz = {"Accept-Encoding": "gzip"}
    manifest = service.client.get(f"{location}/manifest", headers=service.headers(**gz))
    assert manifest.headers["content-encoding"] == "gzip"
    assert manifest.json()["type"] == "Manifest"
    for tail in ("result", "provenance", "original"):
        got = service.client.get(f"{location}/items/0/{tail}", headers=service.headers(**gz))
        assert got.status_code == 200 and "content-encoding" not in got.headers, tail
        assert int(got.headers["content-length"]) == len(got.content)
    record = service.client.get(f"{location}/items/0/provenance", headers=service.headers(**gz))
    assert json.loads(record.content)["output"]["sha256"]


def test_small_answers_and_head_stay_as_they_are(service):
    gz = {"Accept-Encoding": "gzip"}
    small = service.client.get("/v1/jobs/nope", headers=service.headers(**gz))
    assert small.status_code == 404 and "content-encoding" not in small.headers
    head = service.client.head("/openapi.json", headers=gz)
    assert "content-encoding" not in head.headers


def test_accept_encoding_is_read_with_its_weights():
    def h(value: str) -> list[tuple[bytes, bytes]]:
        return [(b"accept-encoding", value.encode())]

    assert accepts_gzip(h("gzip")) and accepts_gzip(h("br, GZIP;q=0.5"))
    assert accepts_gzip(h("*")) and not accepts_gzip(h("*, gzip;q=0"))
    assert not accepts_gzip(h("gzip;q=0")) and not accepts_gzip(h("br")) and not accepts_gzip([])
    assert gzip.decompress(gzip.compress(b"x")) == b"x"
