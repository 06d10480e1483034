"""Retention takes an expired job's color hints too: masks and reference photos are kept in the
database as data: URIs (the archive's own material, megabytes each), and they go with the job's
results and originals. The job keeps how many each item had; its hints answer 410, like its
files.

Before, retention deleted the files and uploads but left every hint in the `items` table for
good, and `GET .../items/{n}/color_hints` kept serving them after the job had expired."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from service_helpers import gray_png

from colorizer.apps.service.retention import sweep

DAY = 86400.0


def _mask_hint(seed: int) -> dict:
    inside = np.random.default_rng(seed).integers(0, 2, (32, 48), dtype=np.uint8) * 255
    buffer = io.BytesIO()
    Image.fromarray(inside, "L").save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return {"mask": uri, "color": "#b22222", "source": f"inventory card {seed}"}


def _submit(service, hints: list[list[dict]]) -> str:
    request = {"items": [{"upload": i, **({"color_hints": h} if h else {})}
                         for i, h in enumerate(hints)]}
    files = [("file", (f"{i}.png", gray_png(seed=i), "image/png")) for i in range(len(hints))]
    response = service.client.post("/v1/jobs", headers=service.headers(), files=files,
                                   data={"request": json.dumps(request)})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def _age(service, job_id: str, days: float) -> None:
    service.store.connection().execute("UPDATE items SET finished = finished - ? "
                                       "WHERE job_id = ?", (days * DAY, job_id))


def _stored_uris(service, job_id: str) -> int:
    """How many of the job's items still hold a data: URI anywhere in the database."""
    return service.store.connection().execute(
        "SELECT COUNT(*) FROM items WHERE job_id = ? AND source LIKE '%data:image%'",
        (job_id,)).fetchone()[0]


def _get(service, job_id: str, tail: str = ""):
    return service.client.get(f"/v1/jobs/{job_id}{tail}", headers=service.headers())


@pytest.mark.slow
def test_retention_deletes_an_expired_jobs_hints_and_they_answer_410(service):
    old = _submit(service, [[_mask_hint(1), _mask_hint(2)], []])
    recent = _submit(service, [[_mask_hint(3)]])
    assert service.drain() == 3
    _age(service, old, 31)
    assert _stored_uris(service, old) == 1

    report = sweep(service.store, service.config.results_dir, 30 * DAY)

    assert [j.job_id for j in report.jobs] == [old] and report.hints_removed == 2
    assert _stored_uris(service, old) == 0  # the masks are gone from the database
    for tail in ("", "?include=color_hints"):  # the view keeps the count, no link, no hints
        items = _get(service, old, tail).json()["items"]
        assert items[0]["color_hints_count"] == 2
        assert "color_hints_url" not in items[0] and "color_hints" not in items[0]
        assert "color_hints_count" not in items[1]
    for index in (0, 1):
        gone = _get(service, old, f"/items/{index}/color_hints")
        assert gone.status_code == 410, gone.text
        body = gone.json()
        assert body["reason"] == "result_expired" and "color hints" in body["detail"]
        assert "retention" in body["detail"] and body["expired_at"]
    assert _get(service, old, "/items/2/color_hints").status_code == 404  # no such item
    # A job that has not expired keeps its hints, inline and on their own resource.
    assert _stored_uris(service, recent) == 1
    assert _get(service, recent, "/items/0/color_hints").json() == [_mask_hint(3)]
    assert _get(service, recent, "?include=color_hints").json()["items"][0][
        "color_hints"] == [_mask_hint(3)]


def test_purging_a_job_deletes_its_hints_even_of_items_that_never_ran(service):
    job_id = _submit(service, [[_mask_hint(4)], [_mask_hint(5)]])
    assert service.drain(limit=1) == 1  # item 1 is still queued: the purge cancels it

    answer = service.client.delete(f"/v1/jobs/{job_id}?purge=true", headers=service.headers())

    assert answer.status_code == 200 and answer.json()["state"] == "expired"
    assert [i["status"] for i in answer.json()["items"]] == ["expired", "canceled"]
    assert _stored_uris(service, job_id) == 0
    assert [i["color_hints_count"] for i in answer.json()["items"]] == [1, 1]
    for index in (0, 1):
        gone = _get(service, job_id, f"/items/{index}/color_hints")
        assert gone.status_code == 410 and gone.json()["reason"] == "result_deleted"


@pytest.mark.slow
def test_a_job_expired_before_this_change_loses_its_hints_at_the_next_sweep(service):
    noted, bare = _submit(service, [[_mask_hint(6)]]), _submit(service, [[_mask_hint(7)]])
    service.drain()
    db = service.store.connection()
    _age(service, noted, 31)
    _age(service, bare, 31)
    assert len(sweep(service.store, service.config.results_dir, 30 * DAY).jobs) == 2
    for job_id, seed in ((noted, 6), (bare, 7)):
        # As an older version left it: expired, the hints still in place and not noted.
        db.execute("UPDATE items SET source = json_set(json_remove(source, "
                   "'$.color_hints_removed'), '$.color_hints', json(?)) WHERE job_id = ?",
                   (json.dumps([_mask_hint(seed)]), job_id))
        db.execute("UPDATE jobs SET meta = json_remove(meta, '$.expired.color_hints_removed') "
                   "WHERE id = ?", (job_id,))
        assert _stored_uris(service, job_id) == 1
    db.execute("UPDATE jobs SET meta = '{}' WHERE id = ?", (bare,))  # not even a note

    report = sweep(service.store, service.config.results_dir, 30 * DAY)

    assert report.jobs == [] and report.hints_removed == 2
    for job_id in (noted, bare):
        assert _stored_uris(service, job_id) == 0
        view = _get(service, job_id).json()
        assert view["items"][0]["color_hints_count"] == 1
        assert view["expired"]["color_hints_removed"] == 1
    assert _get(service, noted, "/items/0/color_hints").status_code == 410
    assert sweep(service.store, service.config.results_dir, 30 * DAY).hints_removed == 0
