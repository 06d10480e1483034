"""`chronochrome results cleanup`: one retention sweep, run by the operator, that says what it did.

    chronochrome results cleanup --data-dir DIR --older-than 7d [--dry-run]

The server sweeps by itself (`retention.RetentionSweeper`); this is for a clean-up now, with
another cutoff than the configured retention, or with the server stopped. It is safe while the
server and workers run: the same transactions decide what expires, and a job with an item
queued or running is never touched.
"""

from __future__ import annotations

import sys
import time

from colorizer.apps.service.config import ServiceConfig, parse_duration
from colorizer.apps.service.retention import BY_CLEANUP, sweep
from colorizer.apps.service.store import JobStore
from colorizer.errors import ChronochromeError


def run_cleanup(config: ServiceConfig, older_than: str | None, dry_run: bool) -> int:
    """Expire the jobs that ended more than `older_than` ago (default: the retention); print
    each job and the totals."""
    config.require_database()
    seconds = _cutoff_seconds(config, older_than)
    store = JobStore(config.db_path, config.queue_cap, config.max_attempts)
    report = sweep(store, config.results_dir, seconds, reason=BY_CLEANUP, dry_run=dry_run,
                   forget_after_seconds=config.expired_job_retention_seconds)
    verb = "would expire" if dry_run else "expired"
    for job in report.jobs:
        print(f"{verb}\t{job.job_id}\t{job.items} items\tended {_utc(job.ended)}")
    for name in report.skipped_names:
        print(f"skipped\t{name!r}: not a file name inside {config.results_dir}", file=sys.stderr)
    summary = f"{len(report.jobs)} jobs that ended before {_utc(report.cutoff)} {verb}"
    if not dry_run:
        summary += (f"; {report.files_removed} files removed "
                    f"({report.bytes_removed / 1e6:.1f} MB) from {config.results_dir}; "
                    f"{report.hints_removed} color hints deleted; "
                    f"{report.jobs_forgotten} jobs expired over "
                    f"{config.expired_job_retention_seconds / 86400:g} days ago forgotten; "
                    "the database "
                    f"{report.bytes_reclaimed / 1e6:.1f} MB smaller")
    elif report.jobs_forgotten:
        summary += (f"; {report.jobs_forgotten} jobs expired over "
                    f"{config.expired_job_retention_seconds / 86400:g} days ago would be "
                    "forgotten")
    print(summary)
    return 0


def _cutoff_seconds(config: ServiceConfig, older_than: str | None) -> float:
    if older_than is None:
        if config.result_retention_seconds == 0:
            raise ChronochromeError("results are kept forever here (result retention: never); "
                                    "say which to delete with --older-than, e.g. 90d")
        return config.result_retention_seconds
    if older_than.strip().lower() == "never":
        raise ChronochromeError("--older-than never would delete nothing; give a duration such "
                                "as 7d, 12h or 0s (every finished job)")
    try:
        return parse_duration(older_than, "--older-than")
    except ValueError as exc:
        raise ChronochromeError(str(exc)) from None


def _utc(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))
