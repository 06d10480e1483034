"""An archive driving the service over a whole collection: a poll of a job of thousands of
items answers one page of them (counts by state always, `links.next`, `?state=failed`), and
expired jobs' rows are deleted a grace period after expiry, the database shrinking with them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from service_helpers import make_service

from colorizer.apps.service.config import ServiceConfig
from colorizer.apps.service.retention import sweep
from colorizer.apps.service.store import NewItem

DAY = 86400.0


@pytest.fixture
def big(tmp_path):
    """A service (no pipeline: nothing is colorized) that takes jobs of 20,000 items; its own
    sweeper is off (retention 0), so the tests' sweeps alone say when a job expired."""
    gen = make_service(tmp_path, None, job_max_items=20_000, queue_cap=100_000,
                       result_retention_seconds=0)
    yield next(gen)
    gen.close()


def _job(svc, items: int, key: str | None = None) -> str:
    """A job of `items` URL items, inserted through the store as POST /v1/jobs does."""
    key_id = svc.store.key_for(key or svc.key_a)
    job_id, _ = svc.store.create_job(key_id, [
        NewItem({"kind": "url", "url": f"http://archive.test/img/{i}.jpg"}, hint="Kazan 1950s")
        for i in range(items)], fmt="png")
    return job_id


def _finish(svc, job_id: str, ended: float) -> None:
    """Every item done, except each 100th failed (as workers would leave them)."""
    svc.store.connection().execute(
        "UPDATE items SET status = iif(idx % 100 = 7, 'failed', 'done'), finished = ?, "
        "error_status = iif(idx % 100 = 7, 422, NULL), error_reason = iif(idx % 100 = 7, "
        "'not_an_image', NULL), error_detail = iif(idx % 100 = 7, 'not an image', NULL) "
        "WHERE job_id = ?", (ended, job_id))


def test_a_poll_of_a_big_job_answers_one_page_and_links_the_next(big):
    job_id = _job(big, 1_234)
    _finish(big, job_id, time.time())
    url = f"http://127.0.0.1/v1/jobs/{job_id}"
    first = big.client.get(f"/v1/jobs/{job_id}", headers=big.headers())
    assert first.status_code == 200
    view = first.json()
    assert view["state"] == "completed_with_errors"
    assert view["counts"] == {"done": 1_221, "failed": 13}  # all items, not the page's
    assert [i["index"] for i in view["items"]] == list(range(500))
    assert view["page"] == {"offset": 0, "limit": 500, "state": None, "total": 1_234}
    assert view["links"]["next"] == f"{url}?offset=500&limit=500"
    assert len(first.content) < 200_000  # the whole job was 420 KB; 10,000 items: 3.5 MB
    seen, next_url = [i["index"] for i in view["items"]], view["links"]["next"]
    while next_url:
        page = big.client.get(next_url, headers=big.headers()).json()
        seen += [i["index"] for i in page["items"]]
        next_url = page["links"].get("next")
    assert seen == list(range(1_234))  # every item once, in order


def test_failed_items_alone_and_a_poll_of_counts_only(big):
    job_id = _job(big, 1_234)
    _finish(big, job_id, time.time())
    failed = big.client.get(f"/v1/jobs/{job_id}?state=failed&limit=10",
                            headers=big.headers()).json()
    assert [i["index"] for i in failed["items"]] == [7 + 100 * n for n in range(10)]
    assert {i["error"]["reason"] for i in failed["items"]} == {"not_an_image"}
    assert failed["page"]["total"] == 13
    assert failed["links"]["next"].endswith("?offset=10&limit=10&state=failed")
    rest = big.client.get(failed["links"]["next"], headers=big.headers()).json()
    assert [i["index"] for i in rest["items"]] == [1007, 1107, 1207]
    assert "next" not in rest["links"]
    counts = big.client.get(f"/v1/jobs/{job_id}?limit=0", headers=big.headers())
    assert counts.json()["items"] == [] and counts.json()["counts"]["failed"] == 13
    assert len(counts.content) < 1_000


@pytest.mark.parametrize("query", ["limit=5000", "limit=-1", "offset=-3", "state=broken"])
def test_a_page_out_of_range_is_refused_naming_the_parameter(big, query):
    job_id = _job(big, 3)
    answer = big.client.get(f"/v1/jobs/{job_id}?{query}", headers=big.headers())
    assert answer.status_code == 422
    assert query.split("=")[0] in answer.text


def test_a_small_job_is_answered_whole_as_before(big):
    job_id = _job(big, 6)
    view = big.client.get(f"/v1/jobs/{job_id}", headers=big.headers()).json()
    assert [i["index"] for i in view["items"]] == list(range(6))
    assert view["counts"] == {"queued": 6} and "next" not in view["links"]
    other = big.client.get(f"/v1/jobs/{job_id}", headers=big.headers(big.key_b))
    assert other.status_code == 404  # another key's job, paged or not


def _db_bytes(svc) -> int:
    svc.store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(svc.config.db_path)


def test_expired_jobs_are_forgotten_after_the_grace_and_the_database_shrinks(big):
    now = time.time()
    jobs = [_job(big, 20) for _ in range(300)]
    for job_id in jobs:
        _finish(big, job_id, now - 40 * DAY)
    results = big.config.results_dir
    expired = sweep(big.store, results, 30 * DAY, now=now)
    assert len(expired.jobs) == 300 and expired.jobs_forgotten == 0  # expired just now
    gone = big.client.get(f"/v1/jobs/{jobs[0]}", headers=big.headers())
    assert gone.status_code == 200 and gone.json()["state"] == "expired"
    before = _db_bytes(big)
    later = sweep(big.store, results, 30 * DAY, now=now + 29 * DAY)  # within the grace
    assert later.jobs_forgotten == 0
    report = sweep(big.store, results, 30 * DAY, now=now + 31 * DAY)
    assert report.jobs_forgotten == 300
    answer = big.client.get(f"/v1/jobs/{jobs[0]}", headers=big.headers())
    assert answer.status_code == 404 and answer.json()["reason"] == "job_not_found"
    db = big.store.connection()
    assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0
    assert report.bytes_reclaimed > 0
    assert _db_bytes(big) < before / 2


def test_a_job_that_still_names_files_is_not_forgotten(big):
    from colorizer.apps.service.job_forgetting import forget_expired_jobs

    now = time.time()
    job_id = _job(big, 2)
    _finish(big, job_id, now - 40 * DAY)
    sweep(big.store, big.config.results_dir, 30 * DAY, now=now)
    # Step 2 stopped before clearing a name (a crash): the job keeps its record until then.
    big.store.connection().execute("UPDATE items SET result_file = 'x.png' WHERE job_id = ? "
                                   "AND idx = 0", (job_id,))
    assert forget_expired_jobs(big.store, now + 31 * DAY) == 0
    assert big.client.get(f"/v1/jobs/{job_id}", headers=big.headers()).status_code == 200
    report = sweep(big.store, big.config.results_dir, 30 * DAY, now=now + 31 * DAY)
    assert report.jobs_forgotten == 1  # step 2 cleared the name first, then it was forgotten
    kept = _job(big, 1)
    _finish(big, kept, now - 40 * DAY)
    sweep(big.store, big.config.results_dir, 30 * DAY, now=now, forget_after_seconds=0)
    sweep(big.store, big.config.results_dir, 30 * DAY, now=now + 999 * DAY,
          forget_after_seconds=0)  # 0: expired records are kept forever
    assert big.client.get(f"/v1/jobs/{kept}", headers=big.headers()).json()["state"] == "expired"


def test_the_grace_is_a_setting_that_refuses_nonsense():
    assert ServiceConfig().expired_job_retention_seconds == 30 * DAY
    with pytest.raises(ValueError, match="expired_job_retention_seconds"):
        ServiceConfig(expired_job_retention_seconds=-1)


@pytest.mark.slow
def test_results_cleanup_says_how_many_expired_jobs_it_forgot(big):
    now = time.time()
    job_id = _job(big, 3)
    _finish(big, job_id, now - 90 * DAY)
    sweep(big.store, big.config.results_dir, 30 * DAY, now=now - 40 * DAY)  # expired long ago
    cli = Path(sys.executable).with_name("chronochrome")
    out = subprocess.run([str(cli), "results", "cleanup", "--data-dir",
                          str(big.config.data_dir), "--older-than", "30d"],
                         check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 jobs expired over 30 days ago forgotten" in out.stdout
    answer = big.client.get(f"/v1/jobs/{job_id}", headers=big.headers())
    assert answer.status_code == 404


def test_the_running_services_sweeper_uses_the_configured_grace(tmp_path, tiny_pipeline):
    # The server built its sweeper without the setting: 30 days whatever was configured.
    for service in make_service(tmp_path, tiny_pipeline, expired_job_retention_seconds=3600.0):
        assert service.app.state.service.sweeper.forget_after_seconds == 3600.0


@pytest.mark.slow
def test_an_items_download_reads_that_item_not_the_whole_job(tmp_path, tiny_pipeline,
                                                              monkeypatch):
    # Each download read every item of its job (312 ms at 10,000 items against 6 ms at 100):
    # fetching a collection's results took time growing with the square of its size.
    from service_helpers import gray_png

    for service in make_service(tmp_path, tiny_pipeline):
        files = [("file", (f"p{n}.png", gray_png(seed=n), "image/png")) for n in range(3)]
        location = service.client.post("/v1/jobs", headers=service.headers(),
                                       files=files).headers["location"]
        assert service.drain() == 3

        def whole_job(*args, **kwargs):
            raise AssertionError("a download read the whole job")

        monkeypatch.setattr(service.store, "job", whole_job)
        for index in range(3):
            for part in ("result", "original"):
                got = service.client.get(f"{location}/items/{index}/{part}",
                                         headers=service.headers())
                assert got.status_code == 200, (index, part, got.text)
        missing = service.client.get(f"{location}/items/3/result", headers=service.headers())
        assert missing.status_code == 404 and missing.json()["reason"] == "item_not_found"
        monkeypatch.undo()
