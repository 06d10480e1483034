"""A job's state as the API shows it, computed from its own status and its items'."""

from __future__ import annotations

ACTIVE = ("queued", "running")  # an item's statuses that keep its job open


def job_state(job_status: str, item_states: list[str]) -> str:
    """queued | running | succeeded | completed_with_errors | failed | canceled | expired."""
    if job_status in ("canceled", "expired"):  # expired: results deleted (retention.py)
        return job_status
    if any(s in ACTIVE for s in item_states):
        return "running" if any(s != "queued" for s in item_states) else "queued"
    if all(s == "done" for s in item_states):
        return "succeeded"
    return "failed" if not any(s == "done" for s in item_states) else "completed_with_errors"
