"""What the API shows: the JSON view of a job, and the OpenAPI descriptions of bodies and
errors that FastAPI cannot infer from the route signatures."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from colorizer.apps.service.job_pages import Page
from colorizer.apps.service.liveness import INTERRUPTED
from colorizer.apps.service.negative_items import FORM_HELP, stored_negative
from colorizer.apps.service.problems import PROBLEM_JSON
from colorizer.apps.service.split_items import FORM_HELP as SPLIT_HELP
from colorizer.apps.service.split_items import stored_split_page
from colorizer.apps.service.webhook_schedule import webhook_view


def job_view(job: dict[str, Any], base: str, secret: str | None = None,
             hints: dict[int, list[Any]] | None = None,
             page: Page | None = None) -> dict[str, Any]:
    """A job with per-item status and links; `secret`: a generated webhook secret, shown once;
    `hints`: the items' color hints by index, shown inline (`?include=color_hints`); `page`:
    which items `job` holds (`job_pages.job_page`): the view says so and links the next page."""
    url = f"{base}/v1/jobs/{job['id']}"
    counts = job.get("counts")
    if counts is None:  # a whole job (`JobStore.job`): count its items
        counts = {}
        for item in job["items"]:
            counts[item["status"]] = counts.get(item["status"], 0) + 1
    items = [_item_view(item, url, job["status"], hints) for item in job["items"]]
    data = {"id": job["id"], "state": job["state"], "kind": job["kind"],
            "created": job["created"], "format": job["format"], "counts": counts,
            "items": items, "links": {"self": url, "manifest": f"{url}/manifest"}}
    if page is not None:
        data["page"] = {"offset": page.offset, "limit": page.limit, "state": page.state,
                        "total": job["total"]}
        if page.offset + len(items) < job["total"] and page.limit:
            data["links"]["next"] = _page_url(url, page, page.offset + len(items),
                                              hints is not None)
    if job["status"] == "expired":  # results deleted: when, and why (retention.py)
        data["expired"] = job["meta"].get("expired")
    if job.get("webhook_url"):
        data["webhook"] = webhook_view(job)  # with its attempts and the next one's time
        if secret:
            data["webhook"]["secret"] = secret  # shown once, when it was generated for you
    return data


def _item_view(item: dict[str, Any], url: str, job_status: str,
               hints: dict[int, list[Any]] | None) -> dict[str, Any]:
    src = {k: v for k, v in item["source"].items()
           if k in ("kind", "url", "service", "name", "canvas_id",
                     "canvas_number")}
    view = {"index": item["idx"], "status": item["status"], "source": src,
            "hint": item["hint"], "caption": item["caption"], "attempts": item["attempts"]}
    # What the loader did that the output shows: an upload's from intake, every item's once
    # done (`JobStore.complete`: a URL's or IIIF image's is loaded only by the worker).
    if item["source"].get("notes"):
        view["notes"] = item["source"]["notes"]
    if stored_negative(item["source"]):  # read as a scanned negative (negative_items)
        view["negative"] = True
    if stored_split_page(item["source"]) is not None:  # the item's own choice (split_items)
        view["split_page"] = stored_split_page(item["source"])
    if item.get("hint_count"):  # not the hints: a poll stays small (item_rows)
        view["color_hints_count"] = item["hint_count"]
    if item.get("hint_count") and job_status != "expired":  # expired: hints deleted
        view["color_hints_url"] = f"{url}/items/{item['idx']}/color_hints"
        if hints is not None:
            view["color_hints"] = hints.get(item["idx"], [])
    if item["status"] == "done":
        view.update(result_url=f"{url}/items/{item['idx']}/result",
                    provenance_url=f"{url}/items/{item['idx']}/provenance")
    if item["status"] in ("done", "expired"):  # an expired result's hash still identifies it
        view["result_sha256"] = item["result_sha256"]
    if item["status"] == "failed":
        view["error"] = {"status": item["error_status"], "reason": item["error_reason"],
                         "detail": item["error_detail"]}
    elif item["error_reason"] == INTERRUPTED:  # its worker stopped; it ran again (liveness)
        view["interrupted"] = {"detail": item["error_detail"]}
    return view


def _page_url(url: str, page: Page, offset: int, with_hints: bool) -> str:
    query = {"offset": offset, "limit": page.limit}
    if page.state:
        query["state"] = page.state
    if with_hints:
        query["include"] = "color_hints"
    return f"{url}?{urlencode(query)}"


_FOR_EACH_FILE = "one per file, or one for all files: "
JOB_BODY = {"requestBody": {"required": True, "content": {
    # JobIn and its parts are under components/schemas (openapi_answers.job_body_schemas)
    "application/json": {"schema": {"$ref": "#/components/schemas/JobIn"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "the photos; an item refers to one by its index (`upload`)"},
        "request": {"type": "string", "description": "the job as JSON (the fields of the "
                    "application/json body); when given, hint, caption, color_hints, "
                    "negative, split_page and format go inside it"},
        "hint": {"type": "array", "items": {"type": "string"},
                 "description": _FOR_EACH_FILE + "free-text context, e.g. 'Kazan 1950s'"},
        "caption": {"type": "array", "items": {"type": "string"},
                    "description": _FOR_EACH_FILE + "the archive's caption"},
        "color_hints": {"type": "array", "items": {"type": "string"},
                        "description": _FOR_EACH_FILE + "a JSON list of color hints, as an "
                        "item's `color_hints`"},
        "negative": {"type": "array", "items": {"type": "string", "enum": ["true", "false"]},
                     "description": _FOR_EACH_FILE + FORM_HELP},
        "split_page": {"type": "array", "items": {"type": "string", "enum": ["true", "false"]},
                       "description": _FOR_EACH_FILE + SPLIT_HELP},
        "format": {"type": "string", "description": "png | jpg | tif | webp"}}}}}}}
COLORIZE_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the photo"},
        "request": {"type": "string", "description": "the request as JSON, as for "
                    "`POST /v1/jobs` with one item, `{\"upload\": 0}`; when given, the other "
                    "fields go inside it"},
        "hint": {"type": "string", "description": "free-text context, e.g. 'Kazan 1950s' "
                 "(at most 500 characters)"},
        "caption": {"type": "string", "description": "the archive's caption"},
        "color_hints": {"type": "string", "description": "a JSON list of color hints, e.g. "
                        '[{"point": [120, 80], "color": "#b22222", "source": "..."}]'},
        "negative": {"type": "string", "enum": ["true", "false"], "description": FORM_HELP},
        "split_page": {"type": "string", "enum": ["true", "false"], "description": SPLIT_HELP},
        "format": {"type": "string", "description": "png | jpg | tif | webp (default: the "
                   "service's)"}}}},
    "image/*": {"schema": {"type": "string", "format": "binary", "description": "the photo "
                           "itself; its color hints: the `color_hints` query parameter or the "
                           "`Color-Hints` header; a scanned negative: `?negative=true`; an "
                           "album page split or not: `?split_page=true|false`"}}}}}
HINTS_BESIDE = ("color hints of a raw image body (image/*): the JSON (UTF-8) of a hints file, e.g. "
                '[{"point": [120, 80], "color": "#b22222"}]; give them in either the query '
                "parameter or the header, not both")
NEGATIVE_BESIDE = ("of a raw image body (image/*), as the `negative` form field of a multipart "
                   "one: " + FORM_HELP + "; anything else answers 422, and so does the "
                   "parameter beside a JSON or multipart body (give it there in the body)")
# What each problem status means, in general; a route says more where it knows (`problems`).
_PROBLEMS = {
    401: "no API key, or an unknown or revoked one",
    404: "no such job (or item) for this API key; an expired job is forgotten "
         "`expired_job_retention_seconds` (30 days) after its results were deleted",
    408: "the request body did not arrive within the service's request timeout (60 s)",
    409: "the item is not done yet: poll `GET /v1/jobs/{job_id}`",
    410: "gone: the item failed or was canceled, or the job's results were deleted "
         "(retention, or `DELETE /v1/jobs/{job_id}?purge=true`)",
    412: "a precondition (If-Match, If-Unmodified-Since) that the file does not meet",
    413: "the request is above the upload limit, or has more items than a job may",
    415: "a content type that is not accepted here",
    416: "no asked byte range lies within the file (Content-Range: bytes */SIZE)",
    422: "invalid input: the detail names the field, parameter, hint or image",
    429: "busy: try again after `Retry-After` seconds",
    503: "unavailable",
    507: "the service's storage is full (reason storage_full): nothing was recorded; retry "
         "after `Retry-After` seconds"}
# A route that records something: the data folder's disk may be full or read-only.
STORAGE_SAID = {503: "the service's storage is read-only (reason storage_read_only): nothing "
                     "was recorded; retry after `Retry-After` seconds"}


def problems(*statuses: int, said: dict[int, str] | None = None) -> dict[int, dict[str, Any]]:
    """The OpenAPI `responses` of the problems a route can answer with (problem+json);
    `said`: what a status means on this route, where it says more than `_PROBLEMS`."""
    said = said or {}
    return {s: {"description": said.get(s, _PROBLEMS[s]),  # Problem: openapi_answers
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for s in statuses}
