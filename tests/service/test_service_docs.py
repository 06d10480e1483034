"""The API's description: /openapi.json lists what each operation really answers with, and
/docs shows it (bodies, parameters, statuses) as plain HTML without a CDN."""

from __future__ import annotations

import re
from html import unescape

# What each operation can answer with besides its success (the routes' own refusals).
STATUSES = {
    # 507 and 503: the data folder's disk full or read-only (storage_full, storage_read_only)
    ("post", "/v1/colorize"): {"200", "401", "408", "413", "415", "422", "429", "503", "507"},
    ("post", "/v1/jobs"): {"202", "401", "408", "413", "415", "422", "429", "503", "507"},
    ("get", "/v1/jobs/{job_id}"): {"200", "401", "404", "422"},
    ("get", "/v1/jobs/{job_id}/items/{index}/color_hints"): {"200", "401", "404", "410", "422"},
    ("delete", "/v1/jobs/{job_id}"): {"200", "401", "404", "422", "503", "507"},
    # a download: also a byte range (206), your copy is current (304), a failed If-Match (412),
    # a range outside the file (416)
    ("get", "/v1/jobs/{job_id}/items/{index}/result"): {"200", "206", "304", "401", "404", "409",
                                                         "410", "412", "416", "422"},
    ("get", "/v1/jobs/{job_id}/items/{index}/original"): {"200", "206", "304", "401", "404",
                                                           "410", "412", "416", "422"},
    ("get", "/v1/jobs/{job_id}/manifest"): {"200", "401", "404", "409", "410"},
    ("post", "/v1/check"): {"200", "401", "408", "413", "415", "422", "503", "507"},
    ("get", "/livez"): {"200"},
    ("get", "/metrics"): {"200", "401"},
}


def _section(page: str, method: str, path: str) -> str:
    """The HTML of one operation's section of /docs."""
    anchor = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
    start = page.index(f"<section id='{anchor}'>")
    return page[start:page.index("</section>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_openapi_lists_only_the_statuses_an_operation_answers(service):
    paths = service.client.get("/openapi.json").json()["paths"]
    for (method, path), statuses in STATUSES.items():
        assert set(paths[path][method]["responses"]) == statuses, (method, path)
    # FastAPI's own 422 body (never sent: ours is problem+json) is not described anywhere.
    assert "HTTPValidationError" not in service.client.get("/openapi.json").text


def test_every_operation_has_a_summary_a_client_understands(service):
    paths = service.client.get("/openapi.json").json()["paths"]
    summaries = [op["summary"] for ops in paths.values() for op in ops.values()]
    assert len(summaries) >= 12
    for summary in summaries:  # not FastAPI's title-cased function name ("Get Job")
        assert len(summary.split()) >= 4, summary
    assert not {"Get Job", "Download", "Livez", "Readyz", "Original"} & set(summaries)


def test_docs_page_shows_bodies_parameters_and_statuses_per_operation(service):
    page = service.client.get("/docs").text
    jobs = _text(_section(page, "post", "/v1/jobs"))
    assert "iiif_manifest string IIIF Presentation 2/3 manifest URL" in jobs  # JSON body
    assert "hint string, at most 500 characters e.g. 'Kazan 1950s'" in jobs
    assert "request string the job as JSON" in jobs  # the multipart form's fields
    assert "url string required receives a signed POST" in jobs  # a nested object's fields
    assert "idempotency-key string, at most 255 characters" in jobs  # a header
    colorize = _section(page, "post", "/v1/colorize")
    assert "<code>response</code></td><td>image | json" in colorize  # a query parameter
    assert "<code>file</code></td><td>file</td><td>required" in colorize
    cancel = _text(_section(page, "delete", "/v1/jobs/{job_id}"))
    assert "purge boolean also delete the job's results" in cancel
    # Statuses: a GET that reads no body and queues nothing answers no 413/415/429.
    get_job = _section(page, "get", "/v1/jobs/{job_id}")
    assert re.findall(r"<li><strong>(\d+)</strong>", get_job) == ["200", "401", "404", "422"]
    assert "include string color_hints: each item's color hints inline" in _text(get_job)
    assert "429 the queue is at its cap" in jobs


def test_docs_page_renders_code_and_keeps_internal_notes_out(service):
    page = service.client.get("/docs").text
    assert "`" not in page  # markdown backticks are rendered, not shown
    assert "<code>Idempotency-Key</code>" in page and "<code>Color-Hints</code>" in page
    assert "bodies.read_request" not in page and "declared here" not in page
    assert "<script" not in page and "cdn" not in page.lower()
