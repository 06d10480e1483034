"""/openapi.json against the service's real answers, as a client generated from it sees them.

An archive generates its client from the document (openapi-python-client, openapi-generator)
and tests it with schemathesis: an answer the document does not describe breaks that client
even when curl shows nothing wrong. Here a tiny service answers over real HTTP and each answer
is checked against what the document declares for its path, method and status: the status is
listed, the media type is declared, a JSON body has a schema that names its fields (`{}` made
generated clients parse the job, every problem and readiness as None) and the body is valid
under it (jsonschema, Draft 2020-12 as OpenAPI 3.1 uses it), required headers are there.
The document itself is checked as OpenAPI 3.x by the rules that need no validator package:
every `$ref` resolves (POST /v1/jobs's JSON body pointed at `#/$defs/ItemIn`, which names
nothing at the document's root, and generators dropped that body), every schema is a valid
JSON Schema, every path parameter is declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from tests.service.archive_service import tiny_service
from tests.service.service_helpers import LocalServer, finished_job, gray_png

JSON_TYPE = re.compile(r"^application/(.+\+)?json$")


@pytest.fixture(scope="module")
def served(shared_tiny_weights, tmp_path_factory) -> Iterator[tuple[str, dict, dict]]:
    """(base URL, auth header, the document) of a tiny service over real HTTP."""
    with tiny_service(shared_tiny_weights, tmp_path_factory.mktemp("svc"), "archive") as (
            base, auth):
        yield base, auth, httpx.get(f"{base}/openapi.json", timeout=30).json()


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    """The object a local `$ref` ("#/a/b") names in `doc`; KeyError when it names nothing."""
    assert ref.startswith("#/"), f"not a local reference: {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def conforms(doc: dict[str, Any], method: str, template: str, answer: httpx.Response) -> None:
    """Assert that `answer` is what the document declares for `method template` and its
    status: listed, its media type declared, a JSON body valid under a non-empty schema,
    its required headers present."""
    where = f"{method.upper()} {template} -> {answer.status_code}"
    responses = doc["paths"][template][method.lower()]["responses"]
    declared = responses.get(str(answer.status_code))
    assert declared is not None, f"{where}: status not in the document ({sorted(responses)})"
    for name, header in declared.get("headers", {}).items():
        assert not header.get("required") or name in answer.headers, f"{where}: no {name}"
    if not answer.content:  # 304, HEAD
        return
    media = answer.headers["content-type"].split(";")[0].strip()
    content = declared.get("content", {})
    assert media in content, f"{where}: answered {media}, declared {sorted(content)}"
    if not JSON_TYPE.match(media) or answer.status_code == 206:  # a range of bytes: no JSON
        return
    schema = content[media].get("schema")
    assert schema, f"{where}: {media} without a schema (a generated client parses None)"
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    error = best_match(validator.iter_errors(answer.json()))
    assert error is None, f"{where}: {error.json_path}: {error.message}"


def test_document_is_valid_openapi_3(served):
    _, _, doc = served
    assert re.fullmatch(r"3\.[01]\.\d+", doc["openapi"]), doc["openapi"]
    assert doc["info"]["title"] and doc["info"]["version"]
    unresolved = []
    for where, node in _walk(doc):
        if isinstance(node.get("$ref"), str):
            try:
                _resolve(doc, node["$ref"])
            except (KeyError, IndexError, AssertionError):
                unresolved.append(f"{where}: {node['$ref']}")
    assert not unresolved, f"references that name nothing in the document: {unresolved}"
    schemes = set(doc["components"].get("securitySchemes", {}))
    operation_ids = []
    for path, operations in doc["paths"].items():
        assert path.startswith("/"), path
        for method, op in operations.items():
            operation_ids.append(op["operationId"])
            params = [(p["name"], p["in"]) for p in op.get("parameters", [])]
            assert len(params) == len(set(params)), f"{method} {path}: a parameter twice"
            for p in op.get("parameters", []):
                assert p["in"] in ("query", "header", "path", "cookie"), p
                Draft202012Validator.check_schema(p.get("schema", {}))
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"
                        and p.get("required") is True}
            assert set(re.findall(r"{(\w+)}", path)) == declared, f"{method} {path}"
            assert op["responses"], f"{method} {path}: no responses"
            for status, answer in op["responses"].items():
                assert re.fullmatch(r"[1-5](\d\d|XX)|default", status), (path, status)
                assert isinstance(answer.get("description"), str), (method, path, status)
                for media in answer.get("content", {}).values():
                    Draft202012Validator.check_schema(media.get("schema", {}))
            for requirement in op.get("security", []):
                assert set(requirement) <= schemes, (method, path, requirement)
    assert len(operation_ids) == len(set(operation_ids))
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_json_answer_and_problem_declares_its_fields(served):
    """No JSON answer is `{}` or schema-less: a generated client would parse it as None (a
    206 is a byte range of the JSON, not JSON on its own)."""
    _, _, doc = served
    vague = [f"{method.upper()} {path} {status} {media}"
             for path, operations in doc["paths"].items()
             for method, op in operations.items()
             for status, answer in op["responses"].items()
             for media, content in answer.get("content", {}).items()
             if JSON_TYPE.match(media) and not content.get("schema") and status != "206"]
    assert not vague, f"JSON answers without a schema: {vague}"


def test_a_job_session_answers_as_documented(served):
    base, auth, doc = served
    archive = LocalServer()  # a URL item that fails: its error's shape is checked too
    try:
        files = [("file", ("a.png", gray_png(seed=1), "image/png")),
                 ("file", ("b.png", gray_png(seed=2), "image/png"))]
        answer = httpx.post(f"{base}/v1/jobs", headers=auth, files=files, timeout=60,
                            data={"hint": "Kazan 1950s",
                                  "color_hints": '[{"point": [3, 3], "color": "#b22222"}]'})
        conforms(doc, "post", "/v1/jobs", answer)
        job_url = answer.headers["location"]
        finished_job(job_url, auth)
        conforms(doc, "get", "/v1/jobs/{job_id}", httpx.get(job_url, headers=auth))
        paged = httpx.get(f"{job_url}?limit=1&include=color_hints", headers=auth)
        assert paged.json()["items"][0]["color_hints"], paged.text
        conforms(doc, "get", "/v1/jobs/{job_id}", paged)
        item = "/v1/jobs/{job_id}/items/{index}"
        for name in ("result", "provenance", "original", "color_hints"):
            conforms(doc, "get", f"{item}/{name}",
                     httpx.get(f"{job_url}/items/0/{name}", headers=auth))
        conforms(doc, "get", f"{item}/result",
                 httpx.get(f"{job_url}/items/0/result", headers={**auth, "Range": "bytes=0-9"}))
        manifest = httpx.get(f"{job_url}/manifest", headers=auth)
        assert manifest.json()["type"] == "Manifest"
        conforms(doc, "get", "/v1/jobs/{job_id}/manifest", manifest)
        conforms(doc, "get", "/v1/queue", httpx.get(f"{base}/v1/queue", headers=auth))
        failed = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60, json={
            "items": [{"url": archive.url("/gone.jpg")}]})
        conforms(doc, "post", "/v1/jobs", failed)
        view = finished_job(failed.headers["location"], auth)
        assert view["items"][0]["error"]["status"] == 422, view
        conforms(doc, "get", "/v1/jobs/{job_id}", httpx.get(failed.headers["location"],
                                                            headers=auth))
        conforms(doc, "delete", "/v1/jobs/{job_id}",
                 httpx.delete(f"{job_url}?purge=true", headers=auth))
        conforms(doc, "get", f"{item}/result", httpx.get(f"{job_url}/items/0/result",
                                                         headers=auth))  # 410, a problem
    finally:
        archive.close()


def test_colorize_check_and_health_answer_as_documented(served):
    base, auth, doc = served
    photo = gray_png(seed=3)
    conforms(doc, "post", "/v1/colorize", httpx.post(
        f"{base}/v1/colorize?response=json", headers=auth, timeout=60,
        files={"file": ("c.png", photo, "image/png")}))
    conforms(doc, "post", "/v1/colorize", httpx.post(
        f"{base}/v1/colorize", headers=auth, timeout=60,
        files={"file": ("c.png", photo, "image/png")}))
    checked = httpx.post(f"{base}/v1/check", headers=auth, timeout=60, files={
        "file": ("c.png", photo, "image/png"), "original": ("o.png", photo, "image/png")})
    conforms(doc, "post", "/v1/check", checked)
    for path in ("/livez", "/readyz", "/metrics"):
        conforms(doc, "get", path, httpx.get(f"{base}{path}"))


def test_problems_have_the_documented_shape(served):
    base, auth, doc = served
    refusals = [
        ("get", "/v1/jobs/{job_id}", httpx.get(f"{base}/v1/jobs/job_nope", headers=auth)),
        ("get", "/v1/jobs/{job_id}", httpx.get(f"{base}/v1/jobs/job_nope")),  # no key: 401
        ("get", "/v1/jobs/{job_id}", httpx.get(f"{base}/v1/jobs/job_nope?limit=-1",
                                               headers=auth)),
        ("post", "/v1/jobs", httpx.post(f"{base}/v1/jobs", headers=auth, json={"items": []})),
        ("post", "/v1/check", httpx.post(f"{base}/v1/check?report=pdf", headers=auth,
                                         files={"file": ("c.png", gray_png(), "image/png")})),
    ]
    for method, template, answer in refusals:
        assert answer.headers["content-type"] == "application/problem+json", answer.text
        conforms(doc, method, template, answer)
        assert answer.json()["reason"], answer.text


def test_query_values_the_service_refuses_are_outside_their_schema(served):
    """A value its parameter's schema allows must not be refused (schemathesis: "schema-valid
    request rejected"): ?report=pdf on /v1/check, ?negative=yes on /v1/colorize are 422."""
    base, auth, doc = served
    for path, name, value in (("/v1/check", "report", "pdf"),
                              ("/v1/colorize", "negative", "yes")):
        refused = httpx.post(f"{base}{path}?{name}={value}", headers={
            **auth, "Content-Type": "image/png"}, content=gray_png(), timeout=60)
        assert refused.status_code == 422, refused.text
        param = next(p for p in doc["paths"][path]["post"]["parameters"] if p["name"] == name)
        assert not Draft202012Validator(param["schema"]).is_valid(value), (path, name)
        assert Draft202012Validator(param["schema"]).is_valid(
            {"report": "html", "negative": "true"}[name])


def test_a_405_allows_every_documented_method_of_the_path(served):
    base, auth, doc = served
    for template, url in (("/v1/jobs/{job_id}", "/v1/jobs/job_nope"), ("/v1/jobs", "/v1/jobs")):
        answer = httpx.request("PUT", f"{base}{url}", headers=auth)
        assert answer.status_code == 405, answer.text
        allowed = {m.strip().lower() for m in answer.headers["allow"].split(",")}
        assert set(doc["paths"][template]) <= allowed, (template, answer.headers["allow"])
        assert answer.json()["reason"] == "method_not_allowed"


def test_an_operation_that_needs_no_credentials_is_documented_so(served):
    """/metrics without a metrics token is open (the loopback default): the document must not
    say it needs a bearer token, or a schema checker reports an open operation as a leak."""
    base, _, doc = served
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            if "{" in path or method != "get":
                continue
            needs = op.get("security", doc.get("security", []))
            answer = httpx.get(f"{base}{path}")
            if needs and {} not in needs:
                assert answer.status_code == 401, f"GET {path}: {answer.status_code} without a key"


def test_a_full_disk_a_full_queue_and_a_metrics_token_answer_as_documented(
        shared_tiny_weights, tmp_path):
    """Readiness when not ready (503: the same JSON as 200, which the document gave no body),
    a queue at its cap (429 and the queue's `limited_by`) and /metrics behind its token."""
    with tiny_service(shared_tiny_weights, tmp_path / "svc", "archive", queue_cap=1,
                      min_free_bytes=2**62, metrics_token="operator-token-of-the-test") as (base, auth):
        doc = httpx.get(f"{base}/openapi.json", timeout=30).json()
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 503 and ready.json()["problems"], ready.text
        conforms(doc, "get", "/readyz", ready)
        body = {"items": [{"url": "https://example.org/a.jpg"}]}
        conforms(doc, "post", "/v1/jobs", httpx.post(f"{base}/v1/jobs", headers=auth,
                                                     json=body))  # queued: no room to work
        full = httpx.post(f"{base}/v1/jobs", headers=auth, json=body)
        assert full.status_code == 429 and full.json()["reason"] == "queue_full", full.text
        conforms(doc, "post", "/v1/jobs", full)
        share = httpx.get(f"{base}/v1/queue", headers=auth)
        assert share.json()["limited_by"] == "queue_full", share.text
        conforms(doc, "get", "/v1/queue", share)
        assert doc["paths"]["/metrics"]["get"]["security"] == [{"MetricsToken": []}]
        conforms(doc, "get", "/metrics", httpx.get(f"{base}/metrics"))  # 401, a problem
        conforms(doc, "get", "/metrics", httpx.get(
            f"{base}/metrics", headers={"Authorization": "Bearer operator-token-of-the-test"}))


def test_an_item_index_past_what_the_store_holds_is_a_documented_422(served):
    """An index beyond SQLite's INTEGER (schemathesis sent 32589158477190044730) was a 500
    internal_error, a status no operation lists; it is a 422 problem, as documented."""
    base, auth, doc = served
    job = httpx.post(f"{base}/v1/jobs", headers=auth, timeout=60,
                     files=[("file", ("a.png", gray_png(seed=4), "image/png"))])
    job_url = job.headers["location"]
    for name in ("color_hints", "result", "provenance", "original"):
        for index in (2**64, -1):
            answer = httpx.get(f"{job_url}/items/{index}/{name}", headers=auth)
            assert answer.status_code == 422, (name, index, answer.text)
            conforms(doc, "get", f"/v1/jobs/{{job_id}}/items/{{index}}/{name}", answer)
