"""The service behind a reverse proxy that ends TLS and mounts it under a path
(`https://archive.example.org/colorize/`): every link it answers with works through the proxy,
and a public_url that would make broken links stops the start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from service_helpers import Service, gray_png, make_service

from colorizer.apps.cli import main
from colorizer.apps.service.config import ServiceConfig

PUBLIC = "https://archive.example.org/colorize"
# What nginx sends with `location /colorize/ { proxy_pass http://127.0.0.1:8000/; ... }`.
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "archive.example.org",
             "X-Forwarded-Prefix": "/colorize"}


class Proxy:
    """What the proxy does to a request for a public URL: strip scheme, host and prefix (or
    keep the prefix: `strip=False`) and add its X-Forwarded-* headers."""

    def __init__(self, service: Service, forwarded: dict[str, str], strip: bool = True):
        self.service, self.forwarded, self.strip = service, forwarded, strip

    def path(self, url: str) -> str:
        assert url.startswith(f"{PUBLIC}/"), f"{url} is not under {PUBLIC}/"
        rest = url[len(PUBLIC):]
        return rest if self.strip else f"/colorize{rest}"

    def request(self, method: str, url: str, key: str | None = "a", **kwargs: Any) -> Any:
        headers = {**self.forwarded, **kwargs.pop("headers", {})}
        if key:
            headers.update(self.service.headers())
        return self.service.client.request(method, self.path(url), headers=headers,
                                           follow_redirects=False, **kwargs)


@pytest.fixture
def trusting(tmp_path, tiny_pipeline) -> Iterator[Service]:
    """The service with the test client as its trusted proxy (`forwarded_allow_ips`)."""
    # every client: the test client's address is "testclient", no IP address
    yield from make_service(tmp_path, tiny_pipeline, forwarded_allow_ips="*")


@pytest.fixture
def with_public_url(tmp_path, tiny_pipeline) -> Iterator[Service]:
    yield from make_service(tmp_path, tiny_pipeline, public_url=f"{PUBLIC}/")


def _submit(proxy: Proxy) -> Any:
    return proxy.request("POST", f"{PUBLIC}/v1/jobs", files={
        "file": ("scan.png", gray_png(), "image/png")}, data={"hint": "Kazan 1950s"})


def _signed_links(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [link for key, value in node.items() for link in (
            [value] if key == "id" and "sig=" in str(value) else _signed_links(value))]
    if isinstance(node, list):
        return [link for value in node for link in _signed_links(value)]
    return []


def _follow_every_link(proxy: Proxy) -> dict[str, Any]:
    """Submit a job through the proxy and open every link the API answers with."""
    answer = _submit(proxy)
    assert answer.status_code == 202
    location = answer.headers["location"]
    assert location == answer.json()["links"]["self"]
    assert proxy.request("GET", location).status_code == 200
    assert proxy.service.drain() == 1
    job = proxy.request("GET", location).json()
    item = job["items"][0]
    for link in (item["result_url"], item["provenance_url"], job["links"]["manifest"]):
        assert proxy.request("GET", link).status_code == 200, link
    manifest = proxy.request("GET", job["links"]["manifest"]).json()
    assert manifest["id"] == job["links"]["manifest"]
    signed = _signed_links(manifest)
    assert len(signed) == 3  # original, result, provenance (seeAlso)
    for link in signed:  # a IIIF viewer: no key, through the prefix
        opened = proxy.request("GET", link, key=None)
        assert opened.status_code == 200, (link, opened.text)
    return {"job": job, "manifest": manifest, "signed": signed}


def test_links_name_the_proxys_scheme_host_and_prefix(trusting):
    seen = _follow_every_link(Proxy(trusting, FORWARDED))
    job = seen["job"]
    assert job["links"]["self"] == f"{PUBLIC}/v1/jobs/{job['id']}"
    assert job["items"][0]["result_url"] == f"{PUBLIC}/v1/jobs/{job['id']}/items/0/result"
    assert all(link.startswith(f"{PUBLIC}/v1/jobs/{job['id']}/items/0/")
               for link in seen["signed"])


def test_public_url_gives_links_without_forwarded_headers(with_public_url):
    assert with_public_url.config.public_url == PUBLIC  # the trailing slash is dropped
    seen = _follow_every_link(Proxy(with_public_url, {}))
    assert seen["job"]["links"]["self"].startswith(f"{PUBLIC}/v1/jobs/job_")


def test_a_proxy_that_keeps_the_prefix_reaches_the_routes(with_public_url):
    """`proxy_pass http://127.0.0.1:8000;` (no trailing slash) passes /colorize/v1/... on."""
    _follow_every_link(Proxy(with_public_url, {}, strip=False))


def test_a_clients_own_forwarded_headers_are_not_believed(service):
    """Only a trusted proxy's (forwarded_allow_ips) X-Forwarded-* name the links."""
    answer = service.client.post("/v1/jobs", headers=service.headers(**{
        **FORWARDED, "X-Forwarded-Host": "evil.example"}), files={
        "file": ("scan.png", gray_png(), "image/png")})
    assert answer.json()["links"]["self"].startswith("http://127.0.0.1/v1/jobs/job_")
    assert answer.headers["location"] == answer.json()["links"]["self"]


def test_a_redirect_keeps_the_prefix(trusting):
    answer = Proxy(trusting, FORWARDED).request("GET", f"{PUBLIC}/docs/", key=None)
    assert answer.status_code == 307
    assert answer.headers["location"] == f"{PUBLIC}/docs"


def test_the_docs_page_links_the_openapi_document_under_the_prefix(trusting):
    proxy = Proxy(trusting, FORWARDED)
    page = proxy.request("GET", f"{PUBLIC}/docs", key=None).text
    hrefs = [h for h in re.findall(r"href='([^'#][^']*)'", page)]
    assert hrefs == ["openapi.json"]  # relative: {PUBLIC}/openapi.json
    document = proxy.request("GET", f"{PUBLIC}/openapi.json", key=None).json()
    assert document["servers"] == [{"url": "/colorize"}]  # a generated client's base path


def test_a_prefix_other_than_public_urls_is_logged_once(tmp_path, tiny_pipeline, caplog):
    for service in make_service(tmp_path, tiny_pipeline, public_url=PUBLIC,
                                forwarded_allow_ips="*"):
        proxy = Proxy(service, {**FORWARDED, "X-Forwarded-Prefix": "/colourise"})
        for _ in range(2):
            answer = _submit(proxy)
            assert answer.json()["links"]["self"].startswith(f"{PUBLIC}/v1/jobs/")
    said = [r.getMessage() for r in caplog.records if "X-Forwarded-Prefix" in r.getMessage()]
    assert said == [("the proxy forwards X-Forwarded-Prefix /colourise but public_url's path is "
                     "/colorize: links name /colorize; make --public-url the address clients "
                     "use")]


def _no_server(monkeypatch) -> None:
    """Where a bad value were taken, `serve` would start: it answers 0 here instead."""
    from colorizer.apps.service import cli

    monkeypatch.setattr(cli, "set_torch_threads", lambda config, worker_only: 1)
    monkeypatch.setattr(cli, "_run_server", lambda args, config, signer: 0)


@pytest.mark.parametrize(("value", "said"), [
    ("archive.example.org/colorize", "needs http:// or https:// and a host"),
    ("ftp://archive.example.org/colorize", "needs http:// or https:// and a host"),
    (f"{PUBLIC}/v1/jobs", ("names a route of the service (/v1); give the service's root, the "
                           "part before it: path '/colorize'")),
    (f"{PUBLIC}/docs", "names a route of the service (/docs)"),
    (f"{PUBLIC}?x=1", "may not have a query or fragment"),
    ("https://archive.example.org/my colorizer", "characters a URL path may not hold"),
    ("https://archive.example.org:port/colorize", "is not a URL"),
])
def test_a_public_url_that_makes_broken_links_stops_the_start(tmp_path, capsys, monkeypatch,
                                                             value, said):
    _no_server(monkeypatch)
    code = main(["serve", "--data-dir", str(tmp_path), "--public-url", value])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith(f"error: invalid service settings: public_url {value!r} ")
    assert said in err
    assert "\n" not in err and "Traceback" not in err


def test_a_public_url_in_the_config_file_is_checked_too(tmp_path, capsys, monkeypatch):
    _no_server(monkeypatch)
    config = tmp_path / "service.json"
    config.write_text('{"public_url": "archive.example.org"}')
    assert main(["serve", "--data-dir", str(tmp_path), "--config", str(config)]) == 2
    assert "public_url 'archive.example.org' needs http:// or https://" in capsys.readouterr().err


@pytest.mark.parametrize(("value", "kept"), [
    ("https://archive.example.org/colorize/", PUBLIC),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https://[::1]:8443/a/b", "https://[::1]:8443/a/b"),
])
def test_a_good_public_url_is_kept_without_its_trailing_slash(tmp_path, value, kept):
    assert ServiceConfig(data_dir=tmp_path, public_url=value).public_url == kept
