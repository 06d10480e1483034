"""The operator's CORS origins (`cors_origins`, `serve --cors-origin`): an archive that wants
only its own collection viewer to call the API lists its origin; that origin gets its own name
back with `Vary: Origin`, any other origin no CORS headers at all, preflights included.

Before, every origin got `Access-Control-Allow-Origin: *` and there was no way to narrow it
(`--cors-origin` was an unknown flag, `cors_origins` an unknown config key)."""

from __future__ import annotations

import json

import pytest
from service_helpers import make_service

from colorizer.apps.cli import build_parser, main
from colorizer.apps.service.cli import service_config

VIEWER = "https://viewer.example.org"
OTHER = "https://elsewhere.example.com"


def _preflight(service, origin: str, path: str = "/v1/jobs"):
    return service.client.options(path, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, idempotency-key"})


def _cors_headers(answer) -> list[str]:
    return [name for name in answer.headers if name.lower().startswith("access-control-")]


@pytest.fixture
def viewer_only(tmp_path, tiny_pipeline):
    """The app of `chronochrome serve --cors-origin VIEWER --cors-origin http://localhost:3000`
    (flags parsed as the CLI parses them)."""
    args = build_parser().parse_args(["serve", "--data-dir", str(tmp_path / "svc"),
                                      "--cors-origin", VIEWER,
                                      "--cors-origin", "http://localhost:3000"])
    origins = service_config(args).cors_origins
    assert origins == (VIEWER, "http://localhost:3000")
    yield from make_service(tmp_path, tiny_pipeline, cors_origins=origins)


def test_a_listed_origin_gets_its_own_name_back(viewer_only):
    answer = _preflight(viewer_only, VIEWER)
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == VIEWER
    assert "Origin" in answer.headers["vary"]
    assert "POST" in answer.headers["access-control-allow-methods"]
    got = viewer_only.client.get("/v1/jobs/nope", headers=viewer_only.headers(Origin=VIEWER))
    assert got.status_code == 404
    assert got.headers["access-control-allow-origin"] == VIEWER
    assert "Origin" in [v.strip() for v in got.headers["vary"].split(",")]
    assert "etag" in got.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in got.headers


def test_another_origin_gets_no_cors_headers(viewer_only):
    answer = _preflight(viewer_only, OTHER)
    assert _cors_headers(answer) == [], dict(answer.headers)
    assert answer.status_code == 405  # as with CORS off: the browser sends no request
    got = viewer_only.client.get("/v1/jobs/nope", headers=viewer_only.headers(Origin=OTHER))
    assert got.status_code == 404 and _cors_headers(got) == [], dict(got.headers)
    # A shared cache must not hand this answer to the viewer (nor the viewer's to others).
    assert "Origin" in [v.strip() for v in got.headers["vary"].split(",")]
    plain = viewer_only.client.get("/v1/jobs/nope", headers=viewer_only.headers())
    assert _cors_headers(plain) == [] and "Origin" in plain.headers["vary"]


def test_an_empty_list_turns_cors_off(tmp_path, tiny_pipeline):
    for service in make_service(tmp_path, tiny_pipeline, cors_origins=[]):
        for origin in (VIEWER, OTHER):
            assert _cors_headers(_preflight(service, origin)) == []
            got = service.client.get("/v1/jobs/nope", headers=service.headers(Origin=origin))
            assert _cors_headers(got) == []


def test_the_default_still_allows_any_origin(service):
    assert service.config.cors_origins == ("*",)
    answer = _preflight(service, OTHER)
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("origin", ["https://viewer.example.org/", "viewer.example.org",
                                    "https://viewer.example.org/collection", "null",
                                    "https://viewer.example.org:99999"])
def test_a_value_that_is_not_an_origin_is_one_line(tmp_path, capsys, origin):
    code = main(["serve", "--data-dir", str(tmp_path / "svc"), "--cors-origin", origin])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err == (f"error: invalid service settings: cors_origins: {origin!r} is not an "
                   "origin: give scheme://host[:port] with no path, e.g. "
                   "https://viewer.example.org or http://localhost:3000\n")
    assert not (tmp_path / "svc").exists()


def test_the_config_file_takes_a_list_and_normalizes_it(tmp_path, capsys):
    from colorizer.apps.service.config import ServiceConfig

    config = tmp_path / "service.json"
    config.write_text(json.dumps({"cors_origins": ["HTTPS://Viewer.Example.org:443",
                                                   "http://localhost:8080"]}))
    assert ServiceConfig.from_json(config).cors_origins == (VIEWER, "http://localhost:8080")
    config.write_text(json.dumps({"cors_origins": VIEWER}))
    code = main(["keys", "list", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and err == (f"error: invalid service settings: {config}: cors_origins "
                                 f'must be a list, got "{VIEWER}"\n')
