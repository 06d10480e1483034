"""API keys: required everywhere but health, hashed at rest, and a key sees only its own jobs."""

from __future__ import annotations

import sqlite3

from service_helpers import gray_png


def _job(service, key):
    response = service.client.post("/v1/jobs", headers=service.headers(key),
                                   files={"file": ("a.png", gray_png(), "image/png")})
    assert response.status_code == 202
    return response.headers["location"]


def test_requests_without_a_valid_key_get_401(service):
    for method, path in [("get", "/v1/jobs/job_x"), ("post", "/v1/jobs"),
                         ("post", "/v1/colorize"), ("delete", "/v1/jobs/job_x"),
                         ("get", "/v1/jobs/job_x/items/0/result"), ("get", "/metrics"),
                         ("get", "/v1/jobs/job_x/manifest")]:
        for headers in ({}, {"Authorization": "Bearer cc_nope"}, {"X-API-Key": "wrong"}):
            response = getattr(service.client, method)(path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert service.client.get("/livez").status_code == 200
    assert service.client.get("/readyz").status_code == 200
    assert service.client.get("/openapi.json").status_code == 200


def test_x_api_key_header_works_too(service):
    response = service.client.get("/metrics", headers={"X-API-Key": service.key_a})
    assert response.status_code == 200


def test_a_key_cannot_touch_another_keys_jobs(service):
    location = _job(service, service.key_a)
    service.drain()
    job_id = location.rsplit("/", 1)[1]
    mine = service.client.get(location, headers=service.headers(service.key_a))
    assert mine.status_code == 200 and mine.json()["state"] == "succeeded"
    other = service.headers(service.key_b)
    for method, path in [("get", location), ("get", f"{location}/items/0/result"),
                         ("get", f"{location}/items/0/provenance"),
                         ("get", f"{location}/items/0/original"),
                         ("get", f"{location}/manifest"), ("delete", location)]:
        response = getattr(service.client, method)(path, headers=other)
        assert response.status_code == 404, (method, path)
        assert response.json()["reason"] == "job_not_found"
        assert job_id in response.json()["detail"]
    # B's failed cancel changed nothing; A still downloads the result.
    result = service.client.get(f"{location}/items/0/result", headers=service.headers())
    assert result.status_code == 200 and result.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_revoked_key_is_refused(service):
    key_id = service.store.key_for(service.key_b)
    assert service.store.revoke_key(key_id)
    assert service.client.get("/metrics", headers=service.headers(service.key_b)).status_code == 401


def test_keys_cli_prints_the_key_once_and_stores_only_a_hash(tmp_path, capsys):
    import argparse

    from colorizer.service.cli import add_service_parsers, run_service_command
    from colorizer.service.store import JobStore

    parser = argparse.ArgumentParser()
    add_service_parsers(parser.add_subparsers(dest="command", required=True))
    data_dir = tmp_path / "svc"
    args = parser.parse_args(["keys", "create", "--name", "city-archive", "--data-dir",
                              str(data_dir)])
    assert run_service_command(args) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("cc_") and len(secret) > 40
    store = JobStore(data_dir / "jobs.sqlite3")
    assert store.key_for(secret) is not None
    dump = "\n".join(sqlite3.connect(data_dir / "jobs.sqlite3").iterdump())
    assert secret not in dump and secret.rsplit("_", 1)[1] not in dump
    assert run_service_command(parser.parse_args(["keys", "list", "--data-dir",
                                                  str(data_dir)])) == 0
    assert "city-archive" in capsys.readouterr().out
