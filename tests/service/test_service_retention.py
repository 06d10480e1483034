"""Result retention: expired results are deleted and answer 410, everything else is kept."""

from __future__ import annotations

import argparse
import threading
import time
from urllib.parse import urlsplit

import pytest
from service_helpers import gray_png, make_service

from colorizer.apps.service import retention
from colorizer.apps.service.cli import add_service_parsers, run_service_command
from colorizer.apps.service.config import ServiceConfig, parse_duration
from colorizer.apps.service.retention import RetentionSweeper, sweep
from colorizer.errors import ChronochromeError

DAY = 86400.0


def _job(service, n=2, key=None) -> str:
    files = [("file", (f"p{i}.png", gray_png(seed=i), "image/png")) for i in range(n)]
    response = service.client.post("/v1/jobs", headers=service.headers(key), files=files)
    assert response.status_code == 202
    return response.json()["id"]


def _age(service, job_id: str, days: float) -> None:
    """Pretend the job's items ended `days` ago."""
    service.store.connection().execute("UPDATE items SET finished = finished - ? "
                                       "WHERE job_id = ?", (days * DAY, job_id))


def _files(service, job_id: str) -> list[str]:
    return sorted(p.name for p in service.config.results_dir.glob(f"{job_id}-*"))


def _get(service, job_id: str, tail: str, key=None):
    return service.client.get(f"/v1/jobs/{job_id}{tail}", headers=service.headers(key))


@pytest.mark.slow
def test_expired_results_are_deleted_and_answer_410_and_recent_ones_are_kept(service):
    old, recent = _job(service), _job(service)
    assert service.drain() == 4
    manifest = _get(service, old, "/manifest").json()  # signed links, taken before expiry
    signed = manifest["items"][0]["items"][0]["items"][0]["body"]["items"][1]["id"]
    _age(service, old, 31)
    _age(service, recent, 29)
    assert len(_files(service, old)) == 4  # 2 images + 2 provenance records

    report = sweep(service.store, service.config.results_dir, 30 * DAY)

    assert [j.job_id for j in report.jobs] == [old] and report.files_removed == 4
    assert report.bytes_removed > 0 and _files(service, old) == []
    assert len(_files(service, recent)) == 4
    job = _get(service, old, "").json()
    assert job["state"] == "expired" and job["expired"]["reason"] == "retention"
    assert {i["status"] for i in job["items"]} == {"expired"}
    assert all(i["result_sha256"] and "result_url" not in i for i in job["items"])
    for tail in ("/items/0/result", "/items/1/provenance", "/items/0/original", "/manifest"):
        answer = _get(service, old, tail)
        assert answer.status_code == 410, (tail, answer.text)
        body = answer.json()
        assert body["reason"] == "result_expired" and "retention" in body["detail"]
        assert "30 days" in body["detail"] and body["expired_at"]
    parts = urlsplit(signed)  # a IIIF viewer's signed link, without the key
    assert service.client.get(f"{parts.path}?{parts.query}").status_code == 410
    # The uploaded originals went with the results; the recent job still answers.
    assert service.store.connection().execute(
        "SELECT COUNT(*) FROM uploads u JOIN items i ON i.id = u.item_id WHERE i.job_id = ?",
        (old,)).fetchone()[0] == 0
    assert _get(service, recent, "/items/0/result").status_code == 200
    assert _get(service, recent, "/items/0/original").status_code == 200
    assert _get(service, recent, "/manifest").status_code == 200
    # Sweeping again finds nothing, and deleting (canceling) an expired job keeps it expired.
    assert sweep(service.store, service.config.results_dir, 30 * DAY).jobs == []
    assert service.client.delete(f"/v1/jobs/{old}",
                                 headers=service.headers()).json()["state"] == "expired"


def test_a_job_with_an_item_queued_or_running_is_never_touched(service):
    job_id = _job(service, 3)
    assert service.drain(limit=1) == 1  # item 0 done, items 1 and 2 queued
    lease = service.store.lease("worker-x", 60)  # item 1 running
    assert lease.idx == 1
    _age(service, job_id, 400)
    before = _files(service, job_id)
    assert len(before) == 2

    report = sweep(service.store, service.config.results_dir, 0.0)  # "everything finished"

    assert report.jobs == [] and report.files_removed == 0
    assert _files(service, job_id) == before
    assert _get(service, job_id, "/items/0/result").status_code == 200
    assert _get(service, job_id, "").json()["state"] == "running"


def test_only_bare_file_names_inside_results_are_deleted(service, tmp_path):
    job_id = _job(service, 1)
    service.drain()
    outside = service.config.data_dir / "keep-me.txt"
    outside.write_text("not a result")
    service.store.connection().execute(
        "UPDATE items SET provenance_file = '../keep-me.txt' WHERE job_id = ?", (job_id,))
    _age(service, job_id, 31)

    report = sweep(service.store, service.config.results_dir, 30 * DAY)

    assert report.files_removed == 1 and report.skipped_names == ["../keep-me.txt"]
    assert outside.read_text() == "not a result" and service.config.db_path.is_file()


def test_the_owner_can_delete_a_jobs_results_now(service):
    job_id = _job(service, 2)
    service.drain()
    other = service.client.delete(f"/v1/jobs/{job_id}?purge=true",
                                  headers=service.headers(service.key_b))
    assert other.status_code == 404 and len(_files(service, job_id)) == 4  # not theirs

    answer = service.client.delete(f"/v1/jobs/{job_id}?purge=true", headers=service.headers())

    assert answer.status_code == 200 and answer.json()["state"] == "expired"
    assert answer.json()["expired"]["reason"] == "owner" and _files(service, job_id) == []
    gone = _get(service, job_id, "/items/1/result")
    assert gone.status_code == 410 and gone.json()["reason"] == "result_deleted"


@pytest.mark.slow
def test_the_server_sweeps_by_itself(tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline, result_retention_seconds=0.5,
                            retention_sweep_seconds=0.1):
        job_id = _job(svc, 1)
        svc.drain()
        deadline = time.monotonic() + 20
        while _get(svc, job_id, "/items/0/result").status_code == 200:
            assert time.monotonic() < deadline, "the server's sweeper did not expire the job"
            time.sleep(0.1)
        assert _get(svc, job_id, "/items/0/result").json()["reason"] == "result_expired"
        assert _files(svc, job_id) == []


@pytest.mark.slow
def test_the_sweeper_blocks_neither_livez_nor_reads_nor_new_jobs(service, monkeypatch):
    ids = [_job(service, 2) for _ in range(5)]
    assert service.drain() == 10
    for job_id in ids:
        _age(service, job_id, 31)
    slow_remove = retention._remove

    def remove(*args):  # 20 files at 0.3 s: a 6-second pass, as on a slow disk
        time.sleep(0.3)
        slow_remove(*args)

    monkeypatch.setattr(retention, "_remove", remove)
    stop = threading.Event()
    sweeper = RetentionSweeper(service.store, service.config.results_dir, 30 * DAY, 3600, stop)
    sweeper.thread.start()
    try:
        time.sleep(0.3)  # the pass is deleting files now
        waits = []
        for _ in range(5):
            start = time.perf_counter()
            assert service.client.get("/livez").status_code == 200
            assert _get(service, ids[0], "").status_code == 200
            waits.append(time.perf_counter() - start)
        start = time.perf_counter()
        assert service.client.post("/v1/jobs", headers=service.headers(), files={
            "file": ("n.png", gray_png(), "image/png")}).status_code == 202
        posted = time.perf_counter() - start
        assert sweeper.passes == 0, "the pass ended before the requests: nothing was measured"
        assert max(waits) < 1.0 and posted < 3.0, (waits, posted)  # none waits out the pass
    finally:
        stop.set()
        sweeper.thread.join(timeout=30)
    assert sweeper.passes == 1 and all(_files(service, j) == [] for j in ids)


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_service_parsers(parser.add_subparsers(dest="command", required=True))
    return run_service_command(parser.parse_args(list(argv)))


@pytest.mark.slow
def test_cleanup_command_prints_what_it_removed(service, capsys):
    old, recent = _job(service, 2), _job(service, 1)
    service.drain()
    _age(service, old, 8)
    data_dir = str(service.config.data_dir)

    assert _cli("results", "cleanup", "--data-dir", data_dir, "--older-than", "7d",
                "--dry-run") == 0
    dry = capsys.readouterr().out
    assert f"would expire\t{old}\t2 items" in dry and recent not in dry
    assert len(_files(service, old)) == 4
    assert _cli("results", "cleanup", "--data-dir", data_dir, "--older-than", "7d") == 0
    out = capsys.readouterr().out
    assert f"expired\t{old}\t2 items" in out and recent not in out
    assert "1 jobs that ended before" in out and "4 files removed" in out
    assert "0 color hints deleted" in out
    assert "MB smaller" in out
    assert _files(service, old) == [] and len(_files(service, recent)) == 2
    cleaned = _get(service, old, "/items/0/result").json()
    assert cleaned["reason"] == "result_expired" and "operator" in cleaned["detail"]
    with pytest.raises(ChronochromeError, match="--older-than"):
        _cli("results", "cleanup", "--data-dir", data_dir, "--older-than", "7 days")


def test_retention_settings_flag_environment_and_never(tmp_path, monkeypatch):
    assert parse_duration("30d") == 30 * DAY and parse_duration("12h") == 12 * 3600
    assert parse_duration("never") == parse_duration("0") == 0.0
    for bad in ("30", "5x", "-1d", "infd"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)
    monkeypatch.delenv("CHRONOCHROME_RESULT_RETENTION", raising=False)
    assert ServiceConfig(data_dir=tmp_path).result_retention_seconds == 30 * DAY
    monkeypatch.setenv("CHRONOCHROME_RESULT_RETENTION", "never")
    assert ServiceConfig(data_dir=tmp_path).result_retention_seconds == 0
    from colorizer.apps.service.cli import service_config

    parser = argparse.ArgumentParser()
    add_service_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["serve", "--result-retention", "2w", "--header-timeout", "4"])
    config = service_config(args)
    assert config.result_retention_seconds == 14 * DAY and config.header_timeout_seconds == 4
    monkeypatch.setenv("CHRONOCHROME_RESULT_RETENTION", "soon")
    with pytest.raises(ChronochromeError, match="CHRONOCHROME_RESULT_RETENTION"):
        service_config(parser.parse_args(["serve"]))


def _store_with_old_uploads(path, jobs=3, mb=2):
    import os

    from colorizer.apps.service.store import JobStore, NewItem

    store = JobStore(path)
    for _ in range(jobs):
        store.create_job("k", [NewItem({"kind": "upload"}, upload=os.urandom(mb * 2**20))],
                         fmt="png")
    store.connection().execute("UPDATE items SET status = 'done', finished = 1.0")
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store


def test_a_sweep_that_deleted_uploads_shrinks_the_database(tmp_path):
    store = _store_with_old_uploads(tmp_path / "jobs.sqlite3")
    before = store.path.stat().st_size
    assert before > 6 * 2**20
    report = sweep(store, tmp_path / "results", 30 * DAY)
    assert len(report.jobs) == 3
    after = store.path.stat().st_size
    assert after < 2**20 and report.bytes_reclaimed >= before - after - 2**16
    # Nothing left to reclaim: the next sweep does no vacuum at all.
    assert retention.reclaim_space(store) == 0


def test_an_old_database_without_auto_vacuum_converts_once(tmp_path, monkeypatch):
    import sqlite3

    path = tmp_path / "jobs.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()  # made before
    store = _store_with_old_uploads(path)
    assert store.connection().execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    assert sweep(store, tmp_path / "results", 30 * DAY).bytes_reclaimed > 5 * 2**20
    assert store.connection().execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert store.path.stat().st_size < 2**20
    # Too large to copy under the write lock: left for the operator, the pages stay free.
    monkeypatch.setattr(retention, "LEGACY_VACUUM_MAX_BYTES", 0)
    big = _store_with_old_uploads(tmp_path / "old" / "jobs.sqlite3")
    big.connection().execute("PRAGMA auto_vacuum=NONE")
    big.connection().execute("VACUUM")
    assert sweep(big, tmp_path / "results", 30 * DAY).bytes_reclaimed == 0
