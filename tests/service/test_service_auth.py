"""API keys: required everywhere but health and metrics, hashed at rest, and a key sees only
its own jobs; /metrics belongs to the operator (its own token), not to the archives' keys."""

from __future__ import annotations

import sqlite3

import pytest
from service_helpers import gray_png


def _job(service, key):
    response = service.client.post("/v1/jobs", headers=service.headers(key),
                                   files={"file": ("a.png", gray_png(), "image/png")})
    assert response.status_code == 202
    return response.headers["location"]


def test_requests_without_a_valid_key_get_401(service):
    for method, path in [("get", "/v1/jobs/job_x"), ("post", "/v1/jobs"),
                         ("post", "/v1/colorize"), ("delete", "/v1/jobs/job_x"),
                         ("get", "/v1/jobs/job_x/items/0/result"),
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
    response = service.client.get("/v1/jobs/job_x", headers={"X-API-Key": service.key_a})
    assert response.status_code == 404 and response.json()["reason"] == "job_not_found"


@pytest.mark.slow
def test_metrics_are_open_without_a_token_and_show_no_tenant(service):
    """Default (loopback): open like the health checks; only service-wide counters."""
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   files={"file": ("a.png", gray_png(), "image/png")}
                                   ).headers["location"]
    service.drain()
    response = service.client.get("/metrics")
    assert response.status_code == 200 and "chronochrome_queue_depth 0" in response.text
    key_id = service.store.key_for(service.key_a)
    for private in (location.rsplit("/", 1)[1], key_id, service.key_a, "a.png"):
        assert private not in response.text


def test_metrics_token_is_the_operators_not_an_archives_key(tmp_path, tiny_pipeline):
    from service_helpers import make_service

    token = "operator-token-0123456789"
    for svc in make_service(tmp_path, tiny_pipeline, metrics_token=token):
        for headers, reason in (({}, "missing_metrics_token"),
                                (svc.headers(), "invalid_metrics_token"),  # an archive's key
                                ({"Authorization": "Bearer wrong-token-0123456789"},
                                 "invalid_metrics_token")):
            response = svc.client.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["reason"] == reason
            assert response.headers["www-authenticate"].startswith("Bearer")
        ok = svc.client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and "chronochrome_queue_depth" in ok.text
        assert 'chronochrome_rejects_total{reason="invalid_metrics_token"} 2' in ok.text
        assert svc.client.get("/livez").status_code == 200  # health stays open


def test_metrics_token_file_flag_and_short_tokens(tmp_path):
    import argparse

    import pytest

    from colorizer.apps.service.cli import add_service_parsers, service_config
    from colorizer.apps.service.config import ServiceConfig

    parser = argparse.ArgumentParser()
    add_service_parsers(parser.add_subparsers(dest="command", required=True))
    token_file = tmp_path / "metrics.token"
    token_file.write_text("s3cret-operator-token-xyz\n")
    args = parser.parse_args(["serve", "--metrics-token-file", str(token_file)])
    assert service_config(args).metrics_token == "s3cret-operator-token-xyz"
    with pytest.raises(ValueError, match="at least 16"):
        ServiceConfig(metrics_token="short")


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
    response = service.client.get("/v1/jobs/job_x", headers=service.headers(service.key_b))
    assert response.status_code == 401 and response.json()["reason"] == "invalid_key"


def test_keys_cli_prints_the_key_once_and_stores_only_a_hash(tmp_path, capsys):
    import argparse

    from colorizer.apps.service.cli import add_service_parsers, run_service_command
    from colorizer.apps.service.store import JobStore

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
    # cc_<key id>_<secret part>; the secret part is URL-safe base64 and may hold "_" itself
    assert secret not in dump and secret.split("_", 2)[2] not in dump
    assert run_service_command(parser.parse_args(["keys", "list", "--data-dir",
                                                  str(data_dir)])) == 0
    assert "city-archive" in capsys.readouterr().out


def test_keys_list_elsewhere_creates_no_database_and_the_default_folder_is_fixed(
        tmp_path, monkeypatch, capsys):
    """`keys list` in another folder used to create an empty database silently; the default
    data folder no longer depends on the current directory."""
    import argparse

    from colorizer.apps.service.cli import add_service_parsers, run_service_command
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.errors import ChronochromeError

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHRONOCHROME_SERVICE_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert ServiceConfig().data_dir == tmp_path / "xdg" / "chronochrome" / "service"
    monkeypatch.setenv("CHRONOCHROME_SERVICE_DIR", str(tmp_path / "svc"))
    assert ServiceConfig().data_dir == tmp_path / "svc"
    parser = argparse.ArgumentParser()
    add_service_parsers(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(ChronochromeError, match="no service database"):
        run_service_command(parser.parse_args(["keys", "list"]))
    assert not (tmp_path / "svc").exists() and not list(tmp_path.glob("**/*.sqlite3"))
