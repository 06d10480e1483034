"""What the API shows: the JSON view of a job, and the OpenAPI descriptions of bodies and
errors that FastAPI cannot infer from the route signatures."""

from __future__ import annotations

from typing import Any

from colorizer.apps.service.problems import PROBLEM_JSON
from colorizer.apps.service.schemas import JobIn


def job_view(job: dict[str, Any], base: str, secret: str | None = None) -> dict[str, Any]:
    """A job with per-item status and links; `secret`: a generated webhook secret, shown once."""
    url = f"{base}/v1/jobs/{job['id']}"
    items = []
    counts: dict[str, int] = {}
    for item in job["items"]:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
        src = {k: v for k, v in item["source"].items()
               if k in ("kind", "url", "service", "name", "canvas_id")}
        view = {"index": item["idx"], "status": item["status"], "source": src,
                "hint": item["hint"], "caption": item["caption"], "attempts": item["attempts"]}
        if item["status"] == "done":
            view.update(result_url=f"{url}/items/{item['idx']}/result",
                        provenance_url=f"{url}/items/{item['idx']}/provenance")
        if item["status"] in ("done", "expired"):  # an expired result's hash still identifies it
            view["result_sha256"] = item["result_sha256"]
        if item["status"] == "failed":
            view["error"] = {"status": item["error_status"], "reason": item["error_reason"],
                             "detail": item["error_detail"]}
        items.append(view)
    data = {"id": job["id"], "state": job["state"], "kind": job["kind"],
            "created": job["created"], "format": job["format"], "counts": counts,
            "items": items, "links": {"self": url, "manifest": f"{url}/manifest"}}
    if job["status"] == "expired":  # results deleted: when, and why (retention.py)
        data["expired"] = job["meta"].get("expired")
    if job.get("webhook_url"):
        data["webhook"] = {"url": job["webhook_url"], "state": job["webhook_state"],
                           "detail": job["webhook_detail"]}
        if secret:
            data["webhook"]["secret"] = secret  # shown once, when it was generated for you
    return data


JOB_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": JobIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "request": {"type": "string", "description": "JobIn as JSON; items refer to files "
                                                     "by index (upload)"},
        "hint": {"type": "array", "items": {"type": "string"}},
        "caption": {"type": "array", "items": {"type": "string"}}}}}}}}
COLORIZE_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "hint": {"type": "string"},
        "caption": {"type": "string"}, "format": {"type": "string"},
        "color_hints": {"type": "string", "description": "JSON list of color hints"}}}},
    "image/*": {"schema": {"type": "string", "format": "binary"}}}}}
HINTS_BESIDE = ("color hints of a raw image body (image/*): the JSON (UTF-8) of a hints file, e.g. "
                '[{"point": [120, 80], "color": "#b22222"}]; give them in either the query '
                "parameter or the header, not both")
ERRORS = {s: {"description": d, "content": {PROBLEM_JSON: {}}} for s, d in {
    401: "no or unknown API key", 404: "no such job for this key",
    409: "the item is not done yet (poll the job)",
    410: "the item failed or was canceled, or its results were deleted (retention); a "
         "manifest: no item of the job has a result",
    413: "too large", 415: "unsupported media type", 422: "corrupt or invalid input",
    429: "queue at its cap (see Retry-After)"}.items()}
