"""An archive's security review of `chronochrome serve`, over real HTTP: what an attacker tried
and the service got wrong before.

- `keys revoke` is documented as "refused (401) at once", but the signed image links the key's
  manifests gave out (valid 7 days, for anyone holding the URL) kept opening its files;
- a path with a percent-encoded line break (`/v1/jobs/x%0A2026-12-07 ... POST /v1/keys 200`)
  wrote a second, forged line into the service's text log;
- a file name of 10,000 characters was refused as "Invalid multipart data.", which named
  neither the part nor the fix.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest
from archive_service import tiny_service
from serve_process import CLI, REPO, free_port, new_key, start_serve
from service_helpers import finished_job, gray_png


def _signed_result_link(base: str, auth: dict[str, str]) -> tuple[str, str]:
    """(the job's URL, its signed result link as its IIIF manifest names it) of a finished
    one-upload job."""
    answer = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60,
                        files={"file": ("a.png", gray_png(), "image/png")})
    assert answer.status_code == 202, answer.text
    job = finished_job(answer.headers["location"], auth)
    manifest = httpx.get(f"{job['links']['manifest']}", headers=auth, timeout=30).json()
    colorized = manifest["items"][0]["items"][0]["items"][0]["body"]["items"][1]
    assert "sig=" in colorized["id"], colorized
    return job["links"]["self"], colorized["id"]


@pytest.mark.slow  # `keys revoke` in a process of its own, as an operator runs it
def test_a_revoked_keys_signed_links_close_with_it(shared_tiny_weights, tmp_path):
    data_dir = tmp_path / "svc"
    with tiny_service(shared_tiny_weights, data_dir, "city-archive") as (base, auth):
        job_url, link = _signed_result_link(base, auth)
        viewer = httpx.get(link, timeout=30)  # a IIIF viewer: no key at all
        assert viewer.status_code == 200 and viewer.content.startswith(b"\x89PNG")
        key_id = re.match(r"Bearer cc_(k[0-9a-f]+)_", auth["Authorization"]).group(1)
        assert f"kid={key_id}" in urlsplit(link).query
        subprocess.run([sys.executable, "-c", CLI, "keys", "revoke", key_id, "--data-dir",
                        str(data_dir)], cwd=REPO, check=True, capture_output=True)
        assert httpx.get(job_url, headers=auth, timeout=30).status_code == 401
        refused = httpx.get(link, timeout=30)
        assert refused.status_code == 401, f"the link still opens: {refused.status_code}"
        problem = refused.json()
        assert problem["reason"] == "invalid_link"
        assert f"API key {key_id}, which was revoked" in problem["detail"]
        assert refused.headers["content-type"].startswith("application/problem+json")


def _multipart(filename: bytes) -> tuple[bytes, str]:
    """A one-file form whose part names `filename` as sent, byte for byte (httpx would
    percent-encode it)."""
    body = (b'--sec\r\nContent-Disposition: form-data; name="file"; filename="' + filename
            + b'"\r\nContent-Type: image/png\r\n\r\n' + gray_png() + b"\r\n--sec--\r\n")
    return body, "multipart/form-data; boundary=sec"


def test_a_file_name_too_long_for_its_part_is_named_with_the_fix(shared_tiny_weights,
                                                                  tmp_path):
    with tiny_service(shared_tiny_weights, tmp_path / "svc", "archive") as (base, auth):
        body, ctype = _multipart(b"x" * 10_000 + b".png")
        answer = httpx.post(f"{base}/v1/jobs", content=body, timeout=60,
                            headers={**auth, "Content-Type": ctype})
        assert answer.status_code == 422
        problem = answer.json()
        assert problem["reason"] == "invalid_multipart"
        assert "header line is longer than 4 KiB; give the file a shorter name" in (
            problem["detail"])
        body, ctype = _multipart(b"x" * 900 + b".png")  # a long name that fits: a job
        answer = httpx.post(f"{base}/v1/jobs", content=body, timeout=60,
                            headers={**auth, "Content-Type": ctype})
        assert answer.status_code == 202, answer.text


FORGED = "2026-12-07 15:23:17,214 INFO chronochrome.service.access: POST /v1/keys 200 FORGED"


@pytest.mark.slow
def test_a_client_cannot_forge_a_line_of_the_services_log(shared_tiny_weights, tmp_path):
    data_dir, log, port = tmp_path / "svc", tmp_path / "serve.log", free_port()
    key = new_key(data_dir, "archive")
    server = start_serve(data_dir, shared_tiny_weights, port, log)
    try:
        base = f"http://127.0.0.1:{port}"
        target = f"/v1/jobs/job_x%0A{FORGED.replace(' ', '%20')}"
        answer = httpx.get(f"{base}{target}", headers={"Authorization": f"Bearer {key}"},
                           timeout=30)
        assert answer.status_code == 404
        crlf = httpx.get(f"{base}/nothere%0D%0A{FORGED.replace(' ', '%20')}", timeout=30)
        assert crlf.status_code == 404
        time.sleep(0.5)  # the access line is written as the answer ends
    finally:
        server.terminate()
        server.wait(timeout=90)
    lines = log.read_text().splitlines()
    assert not [line for line in lines if line.startswith(FORGED)], lines[-6:]
    shown = FORGED.replace(" ", "%20")  # a space the client sent parts no field of the line
    assert any(f"GET /v1/jobs/job_x\\n{shown} 404 " in line for line in lines), lines[-6:]
    assert any(f"GET /nothere\\r\\n{shown} 404 " in line for line in lines), lines[-6:]
