"""What a result-retention sweep costs on a large job database
(colorizer/apps/service/retention.py).

    python -m eval.bench_retention [--jobs 20000] [--items 5] [--expire 0.1]

Builds a job store of `--jobs` finished jobs of `--items` items each (one tiny result file and
provenance file per item), then times: a pass with nothing to expire (what the server's
sweeper does almost every time; the first one also builds retention's index), and a pass that
expires the oldest `--expire` fraction and deletes their files. Prints the seconds of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from colorizer.apps.service.retention import sweep
from colorizer.apps.service.store import JobStore

DAY = 86400.0


def build_store(root: Path, jobs: int, items: int, now: float) -> JobStore:
    """`jobs` finished jobs, job n ended n minutes ago, each item with its two files."""
    store = JobStore(root / "jobs.sqlite3")
    results = root / "results"
    results.mkdir()
    with store.transaction() as db:
        for n in range(jobs):
            job_id, ended = f"job_{n:08d}", now - n * 60.0
            db.execute("INSERT INTO jobs (id, key_id, created, kind, format) VALUES "
                       "(?, 'k', ?, 'batch', 'png')", (job_id, ended))
            for idx in range(items):
                item_id = f"{job_id}-{idx}"
                db.execute("INSERT INTO items (id, job_id, idx, status, source, created, "
                           "finished, result_file, result_sha256, provenance_file) VALUES "
                           "(?, ?, ?, 'done', ?, ?, ?, ?, '0', ?)",
                           (item_id, job_id, idx, json.dumps({"kind": "upload"}), ended, ended,
                            f"{item_id}.png", f"{item_id}.provenance.json"))
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--expire", type=float, default=0.1, help="fraction of jobs to expire")
    args = parser.parse_args(argv)
    now = time.time()
    with tempfile.TemporaryDirectory(prefix="bench-retention-") as tmp:
        root = Path(tmp)
        store = build_store(root, args.jobs, args.items, now)
        expiring = int(args.jobs * args.expire)
        for n in range(args.jobs - expiring, args.jobs):  # the oldest jobs' files
            for idx in range(args.items):
                for suffix in (".png", ".provenance.json"):
                    (root / "results" / f"job_{n:08d}-{idx}{suffix}").write_bytes(b"x" * 100)
        older_than = (args.jobs - expiring) * 60.0 - 30.0  # just after the newest to expire
        start = time.perf_counter()
        sweep(store, root / "results", args.jobs * 60.0 + DAY, now=now)  # builds its index
        first_seconds = time.perf_counter() - start
        start = time.perf_counter()
        idle = sweep(store, root / "results", args.jobs * 60.0 + DAY, now=now)
        idle_seconds = time.perf_counter() - start
        start = time.perf_counter()
        report = sweep(store, root / "results", older_than, now=now)
        busy_seconds = time.perf_counter() - start
    print(f"{args.jobs} finished jobs x {args.items} items = {args.jobs * args.items} items")
    print(f"first pass (builds retention's index): {first_seconds:.3f} s")
    print(f"pass with nothing to expire: {idle_seconds:.3f} s ({len(idle.jobs)} jobs expired)")
    print(f"pass expiring {len(report.jobs)} jobs: {busy_seconds:.3f} s, "
          f"{report.files_removed} files removed")
    ok = not idle.jobs and len(report.jobs) == expiring
    ok = ok and report.files_removed == expiring * args.items * 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
