"""The HTTP bad-input suite (eval/bad_http.py): its cases, and a run of a subset against a real
`chronochrome serve` subprocess with the tiny model."""

from __future__ import annotations

import pytest

from eval.bad_http import MAX_UPLOAD, run_suite
from eval.bad_http_cases import build_requests


def test_at_least_60_distinct_cases_are_generated():
    cases = build_requests("http://127.0.0.1:1", MAX_UPLOAD)
    assert len(cases) >= 60
    assert len({c.name for c in cases}) == len(cases)
    groups = {c.group for c in cases}
    assert {"auth", "method", "path", "json", "header", "body", "multipart", "image",
            "url"} <= groups


@pytest.mark.slow
def test_a_subset_gets_no_500_no_traceback_and_no_hang(tmp_path, shared_tiny_weights):
    report = run_suite(tmp_path, shared_tiny_weights, big=False,
                       groups=("auth", "json", "body", "multipart", "url", "good", "header",
                               "retention"))
    figures = report["figures"]
    answers = {a["name"]: a for a in report["answers"]}
    assert figures["cases"] >= 40
    assert figures["status_500"] == 0 and figures["tracebacks"] == 0, report["log_tail"]
    assert figures["hangs"] == 0 and figures["worker_crashed"] == 0
    # The timed scenarios: a header trickler is cut off with 408, an expired result is 410.
    assert figures["scenario_answers"] >= 7 and figures["scenario_unexpected"] == 0
    trickler = next(a for a in report["answers"] if a["name"].startswith("slow headers: "))
    assert trickler["status"] == 408 and trickler["seconds"] < 6
    assert answers["expired: manifest"]["reason"] == "result_expired"
    assert figures["items"] == figures["items_settled"] > 10
    assert figures["server_alive_at_end"]
    # Each refusal is the specific one, not a generic error.
    assert answers["json nested 100k"]["status"] == 422
    assert answers["body shorter than declared (slow loris)"]["status"] == 408
    assert answers["body declared above cap"]["status"] == 413
    assert answers["auth wrong key"]["status"] == 401
    assert answers["good colorize png"]["status"] == 200
    failed = {i["error"] for i in report["items"] if i["status"] == "failed"}
    assert {"too_many_redirects", "address_not_allowed", "invalid_iiif"} <= failed
