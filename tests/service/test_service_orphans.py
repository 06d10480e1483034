"""No result file is left that no job references.

`POST /v1/colorize` wrote its result and provenance record into `results/` before it recorded
the job, so a failure or a kill in between left two files nothing referenced and nothing would
ever delete (retention deletes only what a job names). Now the files are moved into place inside
the transaction that records the job (as a worker's are), and the server's start removes files
named as the service names them that no item references, once they are older than a grace
period (an in-flight request in another process is not touched).
"""

from __future__ import annotations

import os
import time

from service_helpers import gray_png, make_service

from colorizer.apps.service import orphans

HOUR = 3600.0


def _colorize(service) -> dict:
    answer = service.client.post("/v1/colorize?response=json", headers=service.headers(),
                                 files={"file": ("p.png", gray_png(), "image/png")})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _old(path, hours: float = 2.0) -> None:
    stamp = time.time() - hours * HOUR
    os.utime(path, (stamp, stamp))


def test_a_colorize_that_fails_to_record_its_job_leaves_no_file(service, monkeypatch):
    def record_fails(*args, **kwargs):
        raise OSError("disk I/O error")  # as sqlite3 raises it, or the process dies here

    monkeypatch.setattr(service.store, "add_done_job", record_fails)
    answer = service.client.post("/v1/colorize?response=json", headers=service.headers(),
                                 files={"file": ("p.png", gray_png(), "image/png")})
    assert answer.status_code == 500 and answer.json()["reason"] == "internal_error"
    assert sorted(p.name for p in service.config.results_dir.iterdir()) == []


def test_the_server_start_removes_old_unreferenced_result_files_only(tmp_path, tiny_pipeline):
    for svc in make_service(tmp_path, tiny_pipeline):
        kept, key = _colorize(svc)["job_id"], svc.key_a
        results = svc.config.results_dir
    for path in results.iterdir():
        _old(path)  # a recorded job's files stay however old they are
    dead = "job_" + "ab" * 16  # a colorize killed between its files and its record
    names = {"orphans": [f"{dead}-0.png", f"{dead}-0.provenance.json", f"{dead}-3.webp"],
             "recent": [f"job_{'cd' * 16}-0.jpg"],  # maybe a request in flight elsewhere
             "foreign": ["notes.txt", "job_1-0.png", f"{dead}-0.png.bak", f"{dead}-x.png"]}
    for group in names.values():
        for name in group:
            (results / name).write_bytes(b"x")
            if group is not names["recent"]:
                _old(results / name)
    (results / f"{dead}-9.tif").mkdir()  # not a file: never touched
    _old(results / f"{dead}-9.tif")

    for svc in make_service(tmp_path, tiny_pipeline):  # the same data folder, started again
        left = {p.name for p in results.iterdir()}
        assert not left & set(names["orphans"])
        assert set(names["recent"] + names["foreign"]) <= left and f"{dead}-9.tif" in left
        for tail in ("result", "provenance"):
            answer = svc.client.get(f"/v1/jobs/{kept}/items/0/{tail}", headers=svc.headers(key))
            assert answer.status_code == 200


def test_orphan_removal_reports_and_checks_names(service):
    results = service.config.results_dir
    kept = _colorize(service)["job_id"]
    for path in results.iterdir():
        _old(path)
    orphan = results / f"job_{'ef' * 16}-0.png"
    orphan.write_bytes(b"12345")
    _old(orphan)

    report = orphans.remove_orphans(service.store, results, grace_seconds=HOUR)

    assert report.files == [orphan.name] and report.bytes == 5 and not orphan.exists()
    assert len([p for p in results.iterdir() if p.name.startswith(kept)]) == 2
    assert orphans.remove_orphans(service.store, results, grace_seconds=HOUR).files == []
    assert orphans.item_id_of(f"job_{'0' * 32}-12.provenance.json") == f"job_{'0' * 32}-12"
    for name in ("job_x-0.png", f"job_{'0' * 32}-0.json", f"job_{'0' * 32}-0.png.tmp",
                 f".job_{'0' * 32}-0.png.abc.tmp", f"job_{'0' * 32}-0.uncertainty.png"):
        assert orphans.item_id_of(name) is None, name
