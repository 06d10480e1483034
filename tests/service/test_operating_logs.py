"""What an operator reads in the service's log: one line per request with its id, status,
duration, key id and job id, and never a credential; a server error answers problem+json
naming the id its traceback is logged under.

Before, uvicorn's access log wrote every query string whole (a signed IIIF link's `sig`, good
for 7 days to anyone holding the URL, and a key a client put in `?api_key=`), its lines had no
id, duration or job, and an unexpected exception answered plain-text "Internal Server Error"
with nothing to find its traceback by."""

from __future__ import annotations

import json
import logging
import re

import pytest
from service_helpers import gray_png

from colorizer.apps.service.access_log import redacted_target
from colorizer.apps.service.service_logging import JsonLines

ACCESS = "chronochrome.service.access"


def _done_job(service) -> str:
    answer = service.client.post("/v1/jobs", headers=service.headers(),
                                 files={"file": ("a.png", gray_png(), "image/png")})
    assert answer.status_code == 202
    assert service.drain() == 1
    return answer.json()["id"]


def _signed_link(service, job_id: str) -> str:
    manifest = service.client.get(f"/v1/jobs/{job_id}/manifest", headers=service.headers())
    return re.search(r'"(http[^"]*sig=[0-9a-f]+)"', manifest.text).group(1)


def _access(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS]


def test_no_secret_of_a_request_is_logged(service, caplog):
    caplog.set_level(logging.DEBUG)
    job_id = _done_job(service)
    link = _signed_link(service, job_id)
    sig = link.rsplit("sig=", 1)[1]
    assert service.client.get(link.replace("http://127.0.0.1", "")).status_code == 200
    service.client.get(f"/v1/jobs/{job_id}?api_key={service.key_a}&token=hunter2",
                       headers=service.headers())
    service.client.get("/v1/jobs/job_x", headers={"Authorization": "Bearer cc_kx_notakey123"})
    service.client.get("/v1/jobs/job_x", headers={"X-API-Key": "cc_ky_notakey456"})
    ours = [r for r in caplog.records if r.name.startswith(("chronochrome", "uvicorn"))]
    logged = "".join(f"{r.getMessage()}{JsonLines().format(r)}" for r in ours)  # not httpx's
    for secret in (sig, service.key_a, "hunter2", "cc_kx_notakey123", "cc_ky_notakey456"):
        assert secret not in logged
    lines = [r.getMessage() for r in _access(caplog)]
    assert any("/items/0/original?kid=" in line and "&sig=[redacted] 200 " in line
               for line in lines), lines
    assert any("?api_key=[redacted]&token=[redacted] 200" in line for line in lines), lines


def test_each_request_is_one_line_with_its_id_status_duration_key_and_job(service, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS)
    job_id = _done_job(service)
    caplog.clear()
    answer = service.client.get(f"/v1/jobs/{job_id}", headers=service.headers(
        **{"X-Request-ID": "nginx-5f2c9a0b1d"}))
    refused = service.client.get("/v1/jobs/job_x", headers={"X-API-Key": "wrong"})
    records = _access(caplog)
    assert len(records) == 2
    assert answer.headers["x-request-id"] == "nginx-5f2c9a0b1d"  # the proxy's id, kept
    ours = refused.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", ours)
    key_id = service.store.key_for(service.key_a)
    ok, denied = records
    assert (ok.method, ok.path, ok.status, ok.key_id, ok.job_id, ok.request_id) == (
        "GET", f"/v1/jobs/{job_id}", 200, key_id, job_id, "nginx-5f2c9a0b1d")
    assert ok.duration_ms >= 0 and ok.levelno == logging.INFO
    assert ok.getMessage().startswith(f"GET /v1/jobs/{job_id} 200 ")
    assert f"request=nginx-5f2c9a0b1d key={key_id} job={job_id}" in ok.getMessage()
    assert (denied.status, denied.reason, denied.key_id, denied.request_id) == (
        401, "invalid_key", None, ours)
    assert not any(r.exc_info for r in caplog.records)  # no traceback for a client's error


def test_health_probes_are_debug_lines(service, caplog):
    caplog.set_level(logging.DEBUG, logger=ACCESS)
    for path in ("/livez", "/readyz", "/metrics"):
        assert service.client.get(path).status_code == 200
    assert [r.levelno for r in _access(caplog)] == [logging.DEBUG] * 3


def test_a_server_error_is_problem_json_with_the_id_of_its_logged_traceback(service, caplog,
                                                                          monkeypatch):
    def broken() -> int:
        raise RuntimeError("the queue is broken")

    monkeypatch.setattr(service.store, "queue_depth", broken)
    caplog.set_level(logging.INFO)
    answer = service.client.get("/metrics")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    rid = answer.headers["x-request-id"]
    assert body["reason"] == "internal_error" and body["request_id"] == rid
    assert rid in body["detail"] and "the queue is broken" not in answer.text
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1 and rid in tracebacks[0].getMessage()
    assert "RuntimeError: the queue is broken" in caplog.text
    line = _access(caplog)[-1]
    assert (line.status, line.request_id, line.levelno) == (500, rid, logging.ERROR)


def test_json_lines_hold_the_access_fields():
    record = logging.LogRecord(ACCESS, logging.INFO, __file__, 1, "GET /x 200 1 ms", (), None)
    record.__dict__.update(request_id="r1", method="GET", path="/x", status=200,
                           duration_ms=1.5, key_id=None, job_id="job_1", reason=None,
                           client="10.0.0.1")
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "GET /x 200 1 ms" and entry["level"] == "INFO"
    assert {k: entry[k] for k in ("request_id", "status", "duration_ms", "job_id")} == {
        "request_id": "r1", "status": 200, "duration_ms": 1.5, "job_id": "job_1"}
    assert "key_id" not in entry and entry["time"].endswith("+00:00")


def test_redacted_target_keeps_names_and_hides_secret_values():
    assert redacted_target("/p", "") == "/p"
    assert redacted_target("/p", "kid=k1&exp=9&sig=abc") == "/p?kid=k1&exp=9&sig=[redacted]"
    assert redacted_target("/p", "X-Api-Key=s&Password=p&limit=5") == (
        "/p?X-Api-Key=[redacted]&Password=[redacted]&limit=5")
    assert redacted_target("/p", "justasecret") == "/p?[redacted]"


@pytest.mark.slow
def test_a_job_is_one_line_when_its_last_item_ends_not_one_per_item(service, caplog):
    caplog.set_level(logging.INFO)
    body = {"items": [{"upload": 0}, {"upload": 1}, {"url": "http://nowhere.test/a.png"},
                      {"upload": 2}]}
    files = [("file", (f"{i}.png", gray_png(seed=i), "image/png")) for i in range(3)]
    answer = service.client.post("/v1/jobs", headers=service.headers(), files=files,
                                 data={"request": json.dumps(body)})
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    assert service.drain() == 4
    ended = [r for r in caplog.records if r.name.startswith("chronochrome.service.jobs")]
    assert len(ended) == 1 and ended[0].job_id == job_id
    key_id = service.store.key_for(service.key_a)
    assert ended[0].getMessage().startswith(
        f"job {job_id} (key {key_id}) ended: 4 items, done 3, failed 1 (failed: dns_failed 1), ")
    worker_lines = [r for r in caplog.records if r.name.startswith("chronochrome.service")
                    and r.name != ACCESS]
    assert worker_lines == ended  # nothing per item at INFO
