"""The JSON Schemas of what the API answers, written into /openapi.json once (`complete`).

FastAPI infers a schema only from a route's return annotation, and ours return `dict` or a
`Response`: the document said `{}` (or nothing) for the job view, the queue, readiness, the
manifest and every problem+json body. A client generated from it (openapi-python-client,
openapi-generator) then parsed a 202 job, a 404 problem or a 503 readiness as `None`, and the
JSON body of POST /v1/jobs referred to `#/$defs/ItemIn`, which resolves against the document's
root and names nothing there: generators dropped that body. Here each answer's schema is named
once under `components/schemas` and referred to by path, method and status; the bodies the
views build (`views.job_view`, `health_routes.readiness`, `key_share`, `Problem.to_dict`) are
what they describe, and tests/service/test_openapi_conformance*.py checks real answers
against them.

Objects allow properties beyond those named (`additionalProperties` is left open): a field
added later must not break a client generated today.
"""

from __future__ import annotations

from typing import Any

from colorizer.apps.service.job_pages import ITEM_STATES
from colorizer.apps.service.schemas import JobIn

_REF = "#/components/schemas/{model}"
JOB_STATES = ("queued", "running", "succeeded", "completed_with_errors", "failed", "canceled",
              "expired")  # store.job_state
# webhook_schedule; `skipped`: canceled before canceled jobs sent theirs (store_schema 4)
WEBHOOK_STATES = ("pending", "sending", "retrying", "delivered", "failed", "skipped")
_STRING = {"type": "string"}
_INT = {"type": "integer"}
_MAYBE_STRING = {"type": ["string", "null"]}
_MAYBE_INT = {"type": ["integer", "null"]}
_STRINGS = {"type": "array", "items": _STRING}


def ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(model=name)}


def _maybe(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null: as anyOf, which generators read as an optional enum (a `type` list
    beside an `enum` holding null made three enum classes in openapi-python-client)."""
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


PROBLEM = {**_object(
    ("type", "title", "status", "detail", "reason"),
    type=_STRING, title=_STRING, status=_INT, detail=_STRING,
    reason={"type": "string", "description": "short machine-readable code, e.g. "
            "job_not_found, queue_full, storage_full"},
    instance={"type": "string", "description": "the path the request was for"},
    request_id={"type": "string", "description": "an unexpected error's id (500): the "
                "operator's log holds its traceback under it"},
    errors={"type": "array", "items": {"type": "object"},
            "description": "invalid JSON fields: each one's loc and msg"}),
    "description": "RFC 9457 problem details; some reasons add fields (queue_depth, ...)"}

JOB_ITEM = {**_object(
    ("index", "status", "source", "hint", "caption", "attempts"),
    index=_INT, status={"type": "string", "enum": list(ITEM_STATES)},
    source={"type": "object", "description": "kind (upload, url, iiif_image, iiif_manifest) "
            "and where from: url, service, name, canvas_id, canvas_number",
            "properties": {"kind": _STRING, "url": _STRING, "service": _STRING,
                           "name": _STRING, "canvas_id": _STRING, "canvas_number": _INT}},
    hint=_MAYBE_STRING, caption=_MAYBE_STRING, attempts=_INT,
    notes={**_STRINGS, "description": "what the CLI prints for the photo: what the loader "
           "did that the output shows, then, once done, the result's own notes (a render "
           "size lowered, a hint not used, an album page's prints)"},
    negative={"type": "boolean", "description": "present (true) for a scanned negative"},
    split_page={"type": "boolean", "description": "present when the item chose: true, an "
                "album page split into its prints; false, colorized whole (absent: the "
                "server's setting; a split page's notes say into how many prints)"},
    color_hints_count=_INT, color_hints_url=_STRING,
    color_hints={"type": "array", "items": {"type": "object"},
                 "description": "only with ?include=color_hints"},
    result_url=_STRING, provenance_url=_STRING, result_sha256=_MAYBE_STRING,
    error=_object(("status", "reason", "detail"), status=_MAYBE_INT, reason=_MAYBE_STRING,
                  detail=_MAYBE_STRING),
    interrupted=_object(("detail",), detail=_MAYBE_STRING)),
    "description": "one photo of a job; result and provenance links once it is done"}

JOB = _object(
    ("id", "state", "kind", "created", "format", "counts", "items", "links"),
    id=_STRING, state={"type": "string", "enum": list(JOB_STATES)}, kind=_STRING,
    created={"type": "number", "description": "seconds since 1970 (UTC)"},
    format={"type": "string", "description": "png | jpg | tif | webp"},
    counts={"type": "object", "additionalProperties": _INT,
            "description": "the job's items by state (all of them)"},
    items={"type": "array", "items": ref("JobItem")},
    links=_object(("self", "manifest"), self=_STRING, manifest=_STRING,
                  next={"type": "string", "description": "the next page, while there is one"}),
    page=_object(("offset", "limit", "state", "total"), offset=_INT, limit=_INT,
                 state=_maybe({"type": "string", "enum": list(ITEM_STATES)}),
                 total=_INT),
    expired={"type": ["object", "null"], "description": "when and why its results were "
             "deleted"},
    webhook=ref("Webhook"))

WEBHOOK = _object(
    ("url", "state", "detail", "attempts"), url=_STRING,
    state=_maybe({"type": "string", "enum": list(WEBHOOK_STATES)}),
    detail={**_MAYBE_STRING, "description": "the last answer, or why it was not delivered"},
    attempts={**_INT, "description": "POSTs so far (a resend starts again from 0)"},
    next_attempt_at={"type": ["number", "null"], "description": "while `retrying`: when the "
                     "next attempt is due, seconds since 1970 (UTC)"},
    secret={"type": "string", "description": "the generated secret, shown once"})

READINESS = _object(
    ("status", "queue_depth", "queue_cap", "queue_room", "key_queue_cap", "keys_at_share_cap",
     "worker_threads", "worker_processes", "problems", "warnings"),
    status={"type": "string", "enum": ["ready", "not ready"]}, queue_depth=_MAYBE_INT,
    queue_cap=_INT, queue_room=_MAYBE_INT, key_queue_cap=_INT, keys_at_share_cap=_MAYBE_INT,
    worker_threads=_INT, worker_processes=_INT, problems=_STRINGS, warnings=_STRINGS)

QUEUE_SHARE = _object(
    ("queued", "running", "cap", "queue_depth", "queue_cap", "held", "room", "limited_by",
     "max_job_items"),
    queued=_INT, running=_INT, cap=_INT, queue_depth=_INT, queue_cap=_INT, held=_INT,
    room=_INT, limited_by=_maybe({"type": "string", "enum": ["queue_full", "key_share_full"]}),
    max_job_items=_INT)

COLORIZED = _object(("job_id", "result_url", "provenance_url", "provenance"),
                    job_id=_STRING, result_url=_STRING, provenance_url=_STRING,
                    provenance=ref("Provenance"))

PROVENANCE = {"type": "object", "required": ["schema"], "properties": {"schema": _STRING},
              "description": "the provenance record: model, settings, context, hints, "
                             "sources (schema https://chronochrome.dev/schemas/provenance/1)"}

MANIFEST = {**_object(("@context", "id", "type", "items"), id=_STRING,
                      type={"const": "Manifest"},
                      items={"type": "array", "items": {"type": "object"},
                             "description": "a Canvas per done item"}),
            "description": "IIIF Presentation 3"}
IIIF_JSON = "application/ld+json"  # manifest_stream.IIIF_JSON, less its profile parameter

SCHEMAS = {"Problem": PROBLEM, "Job": JOB, "JobItem": JOB_ITEM, "Webhook": WEBHOOK,
           "Readiness": READINESS, "QueueShare": QUEUE_SHARE, "Colorized": COLORIZED,
           "Provenance": PROVENANCE, "Manifest": MANIFEST}
# (path, method, status) -> (media type, schema name) of a JSON answer
ANSWERS = {
    ("/v1/jobs", "post", "202"): ("application/json", "Job"),
    ("/v1/jobs/{job_id}", "get", "200"): ("application/json", "Job"),
    ("/v1/jobs/{job_id}", "delete", "200"): ("application/json", "Job"),
    ("/v1/jobs/{job_id}/webhook", "post", "202"): ("application/json", "Webhook"),
    ("/v1/colorize", "post", "200"): ("application/json", "Colorized"),
    ("/v1/queue", "get", "200"): ("application/json", "QueueShare"),
    ("/readyz", "get", "200"): ("application/json", "Readiness"),
    ("/readyz", "get", "503"): ("application/json", "Readiness"),
    ("/v1/jobs/{job_id}/items/{index}/provenance", "get", "200"): ("application/json",
                                                                   "Provenance"),
    ("/v1/jobs/{job_id}/manifest", "get", "200"): (IIIF_JSON, "Manifest"),
}
_LOCATION = {"Location": {"required": True, "schema": _STRING,
                          "description": "the job's address"},
             "Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]},
                                     "description": "true: the job an earlier request with "
                                                    "this Idempotency-Key made"}}
_METRICS_TOKEN = {"type": "http", "scheme": "bearer",
                  "description": "the operator's metrics token (ServiceConfig.metrics_token), "
                                 "not an API key"}


def job_body_schemas() -> dict[str, dict[str, Any]]:
    """JobIn and the models it refers to, each referred to by its components/schemas path."""
    schema = JobIn.model_json_schema(ref_template=_REF)
    return {**schema.pop("$defs", {}), "JobIn": schema}


def _job_links(paths: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI links from a submitted job to what can be asked of it next, its id filling
    their `job_id`, so that a client or a schema checker can follow them. (No link to an
    item's files: a link's constant `index` must be a string in OpenAPI 3.1's own schema.)"""
    targets = {"GetJob": ("/v1/jobs/{job_id}", "get"),
               "CancelJob": ("/v1/jobs/{job_id}", "delete"),
               "GetManifest": ("/v1/jobs/{job_id}/manifest", "get")}
    return {name: {"operationId": paths[path][method]["operationId"],
                   "parameters": {"job_id": "$response.body#/id"}}
            for name, (path, method) in targets.items()}


def complete(openapi: dict[str, Any], metrics_token: bool) -> dict[str, Any]:
    """`openapi` with the answers' schemas; /metrics needs a token only when one is set."""
    components = openapi.setdefault("components", {})
    components.setdefault("schemas", {}).update({**job_body_schemas(), **SCHEMAS})
    paths = openapi.get("paths", {})
    for (path, method, status), (media, name) in ANSWERS.items():
        answer = paths[path][method]["responses"][status]
        content = answer.setdefault("content", {})
        content.pop("application/json", None)  # FastAPI's `{}`; the media type is ours
        content[media] = {"schema": ref(name)}
    submitted = paths["/v1/jobs"]["post"]["responses"]["202"]
    submitted["headers"] = _LOCATION
    submitted["links"] = _job_links(paths)
    metrics = paths["/metrics"]["get"]
    if metrics_token:
        components.setdefault("securitySchemes", {})["MetricsToken"] = _METRICS_TOKEN
        metrics["security"] = [{"MetricsToken": []}]
    else:  # open to anyone, as the loopback default runs it (auth.operator_dependency)
        metrics["security"] = []
    return openapi
