"""What an archive's integrator ran into calling the API: a raw image body could not say it is
a negative; a HEAD or 304 of an original read the whole stored file; a proxy list that is not
one was taken silently; a big job's webhook listed every item; a big job's manifest was built
whole in memory."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from service_helpers import gray_png, make_service

from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.iiif import presentation3_errors
from colorizer.apps.service.store import NewItem
from colorizer.apps.service.webhooks import new_secret, verify

REPO = Path(__file__).resolve().parents[2]
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`


def _raw(service, query: str, body: bytes, ctype: str = "image/png"):
    return service.client.post(f"/v1/colorize?{query}", content=body,
                               headers=service.headers(**{"Content-Type": ctype}))


def test_a_raw_image_body_says_it_is_a_negative_with_a_query_parameter(service):
    png = gray_png(48, 32)
    negative = _raw(service, "negative=true&response=json", png)
    assert negative.status_code == 200, negative.text
    assert negative.json()["provenance"]["settings"]["negative"] is True
    job = service.client.get(f"/v1/jobs/{negative.json()['job_id']}",
                             headers=service.headers()).json()
    assert job["items"][0]["negative"] is True
    printed = _raw(service, "negative=false&response=json", png)
    assert "negative" not in printed.json()["provenance"]["settings"]
    bad = _raw(service, "negative=yes", png)
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("the negative query parameter is 'yes'")
    # Beside a multipart body it would be dropped (a negative read as a print): refused.
    beside = service.client.post("/v1/colorize?negative=true", headers=service.headers(),
                                 files={"file": ("scan.png", png, "image/png")})
    assert beside.status_code == 422 and "-F negative=true" in beside.json()["detail"]
    doc = service.client.get("/openapi.json").json()["paths"]["/v1/colorize"]["post"]
    assert "negative" in [p["name"] for p in doc["parameters"] if p["in"] == "query"]


def _peak_bytes(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        answer = call()
        return answer, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def large(tmp_path, tiny_pipeline):
    """The service, taking photos of up to 4 megapixels."""
    yield from make_service(tmp_path, tiny_pipeline, max_pixels=4_000_000)


def test_head_and_304_of_an_original_read_its_headers_not_its_bytes(large):
    rng = np.random.default_rng(0)  # noise: an uncompressed TIFF of 12 MB
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (2000, 2000, 3), dtype=np.uint8)).save(buffer, "TIFF")
    tif = buffer.getvalue()
    job = large.client.post("/v1/jobs", headers=large.headers(), files={
        "file": ("Großmutter.tif", tif, "image/tiff")}).json()
    url = f"/v1/jobs/{job['id']}/items/0/original"
    head, peak = _peak_bytes(lambda: large.client.head(url, headers=large.headers()))
    assert head.status_code == 200 and head.headers["content-type"] == "image/tiff"
    assert head.headers["content-length"] == str(len(tif))
    assert peak < 2_000_000, peak  # the whole original was read: 12 MB and more
    etag = head.headers["etag"]
    current, peak = _peak_bytes(lambda: large.client.get(
        url, headers=large.headers(**{"If-None-Match": etag})))
    assert current.status_code == 304 and current.content == b""
    assert peak < 2_000_000, peak
    whole = large.client.get(url, headers=large.headers())
    assert whole.status_code == 200 and whole.content == tif
    assert whole.headers["etag"] == etag
    part = large.client.get(url, headers=large.headers(Range="bytes=1000-1999"))
    assert part.status_code == 206 and part.content == tif[1000:2000]


@pytest.mark.parametrize(("value", "said"), [
    ("abc", "'abc' is not an IP address"),
    ("10.0.0.0/33", "'10.0.0.0/33' is not an IP address"),
    ("10.0.0.1/8", "write the network as 10.0.0.0/8"),
    ("*, 10.0.0.1", "* (every client) goes alone")])
def test_a_proxy_list_that_is_not_addresses_is_refused(value, said):
    with pytest.raises(ValueError, match="forwarded_allow_ips") as raised:
        ServiceConfig(forwarded_allow_ips=value)
    assert said in str(raised.value)
    assert ServiceConfig(forwarded_allow_ips="10.0.0.0/8, ::1,").forwarded_allow_ips == \
        "10.0.0.0/8,::1"


@pytest.mark.slow
def test_serve_with_a_wrong_forwarded_allow_ips_stops_with_one_line(tmp_path):
    env = {"FORWARDED_ALLOW_IPS": "abc", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", CLI, "serve", "--data-dir", str(tmp_path),
                           "--port", "0"], cwd=REPO, capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "'abc' is not an IP address" in lines[0] and "$FORWARDED_ALLOW_IPS" in lines[0]


def _finished_job(service, items: int, webhook: str, secret: str) -> str:
    """A job of `items` URL items, all done but each 100th failed, as workers leave them."""
    key_id = service.store.key_for(service.key_a)
    job_id, _ = service.store.create_job(key_id, [
        NewItem({"kind": "url", "url": f"http://archive.test/{i}.jpg"}, None)
        for i in range(items)], fmt="png", webhook_url=webhook, webhook_secret=secret,
        meta={"links_base": "https://archive.example.org/colorize"})
    service.store.connection().execute(
        "UPDATE items SET status = iif(idx % 100 = 7, 'failed', 'done') WHERE job_id = ?",
        (job_id,))
    return job_id


def _hooks(http_server) -> list[tuple[dict[str, str], bytes]]:
    return [({k.lower(): v for k, v in headers.items()}, body)
            for _, path, headers, body in http_server.requests if path == "/hook"]


def test_a_big_jobs_webhook_gives_counts_and_links_not_every_item(tmp_path, http_server):
    http_server.routes["/hook"] = (204, {}, b"")
    secret = new_secret()
    for service in make_service(tmp_path, None, job_max_items=5_000, queue_cap=10_000):
        job_id = _finished_job(service, 2_000, http_server.url("/hook"), secret)
        service.app.state.service.webhooks.submit(job_id)
        assert service.app.state.service.webhooks.wait(timeout=60)
    (headers, body), = _hooks(http_server)
    assert verify(secret, headers, body)
    assert len(body) < 1_000  # every item listed: 63 KB here, 309 KB at 10,000 items
    data = json.loads(body)["data"]
    assert data["counts"] == {"done": 1_980, "failed": 20} and data["total"] == 2_000
    assert "items" not in data
    job_url = f"https://archive.example.org/colorize/v1/jobs/{job_id}"
    assert data["links"] == {"job": job_url, "failed": f"{job_url}?state=failed",
                             "manifest": f"{job_url}/manifest"}


def test_a_small_jobs_webhook_still_lists_its_items(service, http_server):
    http_server.routes["/hook"] = (204, {}, b"")
    http_server.routes["/photo.png"] = (200, {"Content-Type": "image/png"}, gray_png())
    body = {"items": [{"url": http_server.url("/photo.png")}, {"url": http_server.url("/no")}],
            "webhook": {"url": http_server.url("/hook")}}
    created = service.client.post("/v1/jobs", headers=service.headers(), json=body)
    assert created.status_code == 202
    service.drain()
    (_, payload), = _hooks(http_server)
    data = json.loads(payload)["data"]
    assert data["items"] == [{"index": 0, "status": "done"}, {"index": 1, "status": "failed"}]
    assert data["counts"] == {"done": 1, "failed": 1}
    assert data["state"] == "completed_with_errors"
    assert data["links"]["job"] == created.headers["location"]  # the address it was sent to


def _get(app, path: str, key: str, out: Path, encoding: str = "identity") -> tuple[dict, int]:
    """GET `path` through the ASGI app itself, its body written to `out` as it comes (as a
    socket would send it on, so that it is not held here); (start message, largest piece)."""
    start, sizes, asked = {}, [0], []

    async def receive():  # the request once; then, as a server does, wait for a disconnect
        if asked:
            await asyncio.Event().wait()
        asked.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            sizes.append(len(message.get("body", b"")))
            with out.open("ab") as file:
                file.write(message.get("body", b""))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5000), "headers": [
                 (b"host", b"127.0.0.1"), (b"authorization", f"Bearer {key}".encode()),
                 (b"accept-encoding", encoding.encode())]}
    asyncio.run(app(scope, receive, send))
    return start, max(sizes)


@pytest.mark.slow
def test_a_big_jobs_manifest_is_sent_a_page_at_a_time(tmp_path):
    record = {"output": {"size": [64, 48], "format": "png"}, "source": {"size": [64, 48]},
              "context_summary": "Kazan, 1950s", "plausibility": ["skin tones plausible"]}
    for service in make_service(tmp_path, None, job_max_items=5_000, queue_cap=10_000):
        key_id = service.store.key_for(service.key_a)
        job_id, _ = service.store.create_job(key_id, [
            NewItem({"kind": "url", "url": f"http://archive.test/{i}.jpg"}, None, f"Photo {i}")
            for i in range(3_000)], fmt="png")
        results = service.config.results_dir
        results.mkdir(parents=True, exist_ok=True)
        for i in range(3_000):
            (results / f"{job_id}-{i}.json").write_text(json.dumps(record))
        service.store.connection().execute(
            "UPDATE items SET status = iif(idx % 100 = 7, 'failed', 'done'), finished = ?, "
            "provenance_file = job_id || '-' || idx || '.json', result_file = 'r.png', "
            "result_sha256 = 'ab' WHERE job_id = ?", (time.time(), job_id))
        tracemalloc.start()
        start, largest = _get(service.app, f"/v1/jobs/{job_id}/manifest", service.key_a,
                              tmp_path / "manifest.json")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert start["status"] == 200
        manifest = json.loads((tmp_path / "manifest.json").read_bytes())
        assert presentation3_errors(manifest) == []
        labels = [c["label"]["none"][0] for c in manifest["items"]]
        assert labels == [f"Photo {i}" for i in range(3_000) if i % 100 != 7]  # all done, in order
        assert largest < 1_000_000  # whole at once: 6.8 MB in one piece
        assert peak < 20_000_000, peak  # whole at once: about 70 MB of allocations
        gz_start, _ = _get(service.app, f"/v1/jobs/{job_id}/manifest", service.key_a,
                           tmp_path / "manifest.json.gz", "gzip")
        assert dict(gz_start["headers"])[b"content-encoding"] == b"gzip"
        unzipped = json.loads(gzip.decompress((tmp_path / "manifest.json.gz").read_bytes()))
        # (the same canvases; the signed links' expiry may be a second later)
        assert [c["id"] for c in unzipped["items"]] == [c["id"] for c in manifest["items"]]


_MIME_OF_STORED = """
import io, sqlite3, sys
from pathlib import Path
from PIL import Image
Image.init()  # every plugin, in PIL's order: some read a header with readline()
from colorizer.apps.service.item_files import image_mime_of
from colorizer.apps.service.original_blobs import open_original
path = Path(sys.argv[1])
with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE uploads (item_id TEXT PRIMARY KEY, data BLOB NOT NULL)")
    for fmt in ("TIFF", "PNG", "JPEG", "WEBP"):
        data = io.BytesIO()
        Image.new("L", (30, 20), 128).save(data, fmt)
        db.execute("INSERT INTO uploads VALUES (?, ?)", (fmt, data.getvalue()))
    db.execute("INSERT INTO uploads VALUES ('text', x'68656c6c6f')")
for item in ("TIFF", "PNG", "JPEG", "WEBP", "text"):
    with open_original(path, item) as handle:
        print(item, image_mime_of(handle), handle.tell(), handle.size)
print(open_original(path, "none"))
"""


@pytest.mark.slow
def test_a_stored_originals_type_is_read_from_its_header_in_a_fresh_process(tmp_path):
    done = subprocess.run([sys.executable, "-c", _MIME_OF_STORED, str(tmp_path / "db")],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert [line.split()[:3] for line in lines[:5]] == [
        ["TIFF", "image/tiff", "0"], ["PNG", "image/png", "0"], ["JPEG", "image/jpeg", "0"],
        ["WEBP", "image/webp", "0"], ["text", "application/octet-stream", "0"]]
    assert lines[5] == "None"
