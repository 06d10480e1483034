"""The service's data folder on a full or read-only disk: 507/503 problem+json and reads that
go on, a store that works again once there is room, a clean-up that can free a full disk, and
one line at start for a folder it cannot use.

A full database is faked where no mount can be made, at SQLite's own limit
(`PRAGMA max_page_count`: "database or disk is full", SQLITE_FULL), and a full results disk by
the lowest write call (`outputs.stage_file`); the tests marked `real_mount` fill a real tmpfs
(root only)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from service_helpers import gray_png, make_service, tmpfs

from colorizer.apps import outputs
from colorizer.apps.service.retention import sweep
from colorizer.apps.service.storage_reserve import RESERVE
from colorizer.apps.service.store import JobStore
from colorizer.apps.service.store_errors import DataDirError

REPO = Path(__file__).resolve().parents[2]
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


def _job(service, seed=0):
    # 60 KB of noise: more than the free pages a database holds, so it must grow.
    files = [("file", ("p.png", gray_png(300, 200, seed=seed), "image/png"))]
    return service.client.post("/v1/jobs", headers=service.headers(), files=files)


def _colorize(service):
    files = {"file": ("c.png", gray_png(seed=9), "image/png")}
    return service.client.post("/v1/colorize", headers=service.headers(), files=files)


@contextmanager
def full_database(store: JobStore):
    """Every connection of `store` (one per thread) may not grow its file by one page: SQLite
    answers SQLITE_FULL, as on a full disk. Lifted for all of them at the end."""
    original, capped = JobStore._db, []

    def at_cap(self):
        db = original(self)
        db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
        capped.append(db)
        return db

    JobStore._db = at_cap
    try:
        yield
    finally:
        JobStore._db = original
        for db in capped:
            db.execute("PRAGMA max_page_count = 1073741823")


def _problem(response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["reason"] == reason and body["status"] == status
    assert "Traceback" not in response.text and "/svc" not in body["detail"]
    return body


def test_a_job_sent_to_a_full_database_is_507_and_reads_go_on(service):
    done = _job(service).json()["id"]
    assert service.drain() == 1
    with full_database(service.store):
        body = _problem(_job(service, seed=1), 507, "storage_full")
        assert body["detail"].startswith("the service's storage is full: nothing of this "
                                         "request was recorded; retry later")
        assert service.client.get(f"/v1/jobs/{done}", headers=service.headers()).json()[
            "state"] == "succeeded"
        result = service.client.get(f"/v1/jobs/{done}/items/0/result",
                                    headers=service.headers())
        assert result.status_code == 200 and result.content[:4] == b"\x89PNG"
    # Once there is room the same store records the next job (its connections were left
    # outside any transaction).
    retried = _job(service, seed=1)
    assert retried.status_code == 202, retried.text


def test_a_failed_write_never_leaves_the_connection_in_its_transaction(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    db = store.connection()
    with pytest.raises(Exception) as raised, store.transaction() as tx:
        tx.execute("INSERT INTO keys (id, name, hash, created) VALUES ('k', 'n', 'h', 0)")
        tx.execute("COMMIT")  # SQLite ended the transaction itself, as it may on SQLITE_FULL
        raise OSError(errno.ENOSPC, "No space left on device")
    assert type(raised.value).__name__ == "StorageError"
    assert raised.value.reason == "storage_full" and not db.in_transaction
    key_id, _ = store.create_key("next")  # the connection takes the next transaction
    assert key_id in {k["id"] for k in store.list_keys()}


def test_a_sync_colorization_on_a_full_results_disk_is_507_and_records_nothing(
        service, monkeypatch):
    def stage_file(path, data, mode=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "stage_file", stage_file)
    _problem(_colorize(service), 507, "storage_full")
    jobs = service.store.connection().execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
    assert jobs == 0 and list(service.config.results_dir.iterdir()) == []
    monkeypatch.undo()
    assert _colorize(service).status_code == 200  # room again: served


@pytest.mark.slow
def test_a_job_item_whose_result_meets_a_full_disk_fails_507_at_once(service, monkeypatch):
    # It stayed "running", was taken over when its lease ran out, and after three tries
    # read "worker_crashed"; the worker logged a traceback.
    def stage_file(path, data, mode=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    location = _job(service).headers["location"]
    monkeypatch.setattr(outputs, "stage_file", stage_file)
    assert service.drain() == 1
    monkeypatch.undo()
    item = service.client.get(location, headers=service.headers()).json()["items"][0]
    assert item["status"] == "failed", item
    assert item["error"]["reason"] == "storage_full" and item["error"]["status"] == 507
    assert "submit it again" in item["error"]["detail"]
    assert "/svc" not in item["error"]["detail"]
    assert list(service.config.results_dir.iterdir()) == []


def test_a_read_only_data_folder_is_one_line_at_start(tmp_path, monkeypatch):
    def mkdir(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(DataDirError) as raised:
        JobStore(tmp_path / "ro" / "jobs.sqlite3")
    message = str(raised.value)
    assert message.startswith(f"cannot use the service's data folder {tmp_path / 'ro'} (")
    assert "give another with --data-dir" in message and "\n" not in message


def test_serve_on_a_read_only_data_folder_is_one_line_before_the_model(tmp_path, monkeypatch,
                                                                        capsys):
    # `serve` made the results folder before the store and loaded the model first: a
    # traceback, seconds after the start.
    from colorizer.apps.cli import main
    from colorizer.apps.service import cli as service_cli

    def no_model(args):
        raise AssertionError("the model was loaded before the data folder was checked")

    def mkdir(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(service_cli, "_pipeline", no_model)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    assert main(["serve", "--data-dir", str(tmp_path / "ro")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot use the service's data folder"), err
    assert "--data-dir" in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_keys_on_a_read_only_disk_say_so_in_one_line(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M,ro", "tmpfs", str(folder)],
                   check=True)
    try:
        run = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "keys", "create",
                              "--name", "a", "--data-dir", str(folder / "svc")],
                             check=False, capture_output=True, text=True, cwd=REPO, timeout=120)
    finally:
        subprocess.run(["umount", str(folder)], check=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == (
        f"error: cannot use the service's data folder {folder / 'svc'} (its disk is "
        "read-only); make it writable by this user, or give another with --data-dir (or "
        "$CHRONOCHROME_SERVICE_DIR)")


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_a_full_disk_answers_507_and_the_sweep_frees_it(tmp_path, tiny_pipeline):
    with tmpfs(tmp_path / "disk") as mount:
        _full_disk_and_its_sweep(mount, tiny_pipeline)


def _fill(mount: Path) -> Path:
    """The disk at `mount` filled to its last byte; the filler's path."""
    filler = mount / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k", "count=1000"],
                   check=False, capture_output=True)
    assert shutil.disk_usage(mount).free == 0
    return filler


def _full_disk_and_its_sweep(mount: Path, pipeline) -> None:
    for service in make_service(mount, pipeline):  # its sweeper's first pass keeps a reserve
        old = _job(service).json()["id"]
        assert service.drain() == 1
        reserve = service.config.data_dir / RESERVE
        sweep(service.store, service.config.results_dir, 30 * 86400.0)
        assert reserve.stat().st_size > 0
        filler = _fill(mount)
        _problem(_job(service, seed=1), 507, "storage_full")
        _problem(_colorize(service), 507, "storage_full")
        assert service.client.get(f"/v1/jobs/{old}", headers=service.headers()).status_code \
            == 200
        report = sweep(service.store, service.config.results_dir, 0.0)  # what it expires
        assert [j.job_id for j in report.jobs] == [old] and report.files_removed == 2
        assert service.client.get(f"/v1/jobs/{old}", headers=service.headers()).json()[
            "state"] == "expired"
        filler.unlink()
        assert _job(service, seed=2).status_code == 202
        sweep(service.store, service.config.results_dir, 30 * 86400.0)
        assert reserve.stat().st_size > 0  # made again once there was room


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_a_purge_frees_a_full_disk(tmp_path, tiny_pipeline):
    # DELETE ?purge=true answered 507: the cancel it records first found no room.
    with tmpfs(tmp_path / "disk") as mount:
        for service in make_service(mount, tiny_pipeline):
            old = _job(service).json()["id"]
            assert service.drain() == 1
            sweep(service.store, service.config.results_dir, 30 * 86400.0)  # the reserve
            _fill(mount)
            purged = service.client.delete(f"/v1/jobs/{old}?purge=true",
                                           headers=service.headers())
            assert purged.status_code == 200, purged.text
            assert purged.json()["state"] == "expired"
            assert list(service.config.results_dir.iterdir()) == []
