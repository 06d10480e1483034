"""An uploaded original's ETag is the SHA-256 its item recorded when the upload came in, not a
hash of its bytes computed again on every GET, HEAD and conditional request.

Before, each request for `/items/N/original` hashed the whole upload (about 30 ms of CPU for a
50 MB scan), a 304 included."""

from __future__ import annotations

import hashlib

from service_helpers import gray_png

from colorizer.apps.service import item_files


class _CountingHashlib:
    """`hashlib` for `item_files`, counting what it is asked to hash."""

    def __init__(self) -> None:
        self.hashed: list[bytes] = []

    def sha256(self, data: bytes = b"") -> hashlib._Hash:
        self.hashed.append(bytes(data))
        return hashlib.sha256(data)


def test_the_original_is_not_hashed_per_request(service, monkeypatch):
    upload = gray_png(96, 64, seed=7)
    posted = service.client.post("/v1/jobs", headers=service.headers(), files=[
        ("file", ("scan.png", upload, "image/png"))])
    assert posted.status_code == 202, posted.text
    job_id = posted.json()["id"]
    url = f"/v1/jobs/{job_id}/items/0/original"
    recorded = service.store.job(service.store.key_for(service.key_a), job_id)
    assert recorded["items"][0]["source"]["sha256"] == hashlib.sha256(upload).hexdigest()

    spy = _CountingHashlib()
    monkeypatch.setattr(item_files, "hashlib", spy)
    got = service.client.get(url, headers=service.headers())
    assert got.status_code == 200 and got.content == upload
    etag = f'"{hashlib.sha256(upload).hexdigest()}"'
    assert got.headers["etag"] == etag  # the same tag as before: clients' copies stay valid
    head = service.client.head(url, headers=service.headers())
    assert head.status_code == 200 and head.headers["etag"] == etag
    same = service.client.get(url, headers=service.headers(**{"If-None-Match": etag}))
    assert same.status_code == 304
    part = service.client.get(url, headers=service.headers(Range="bytes=0-9", **{
        "If-Range": etag}))
    assert part.status_code == 206 and part.content == upload[:10]
    assert spy.hashed == []  # four answers, no byte hashed
