"""The queue is fair between API keys: a department's one photo no longer waits behind another
department's 500-item batch (it waited for all of it: first come, first served across keys).
Within one key, jobs run in the order they came and each job's items in index order.

The order is asserted, not timing: which items a worker leases, one after another."""

from __future__ import annotations

import pytest
from service_helpers import gray_png

from colorizer.apps.service.store import JobStore, NewItem


def _job(store: JobStore, key_id: str, count: int) -> str:
    items = [NewItem(source={"kind": "url", "url": f"https://archive.test/{n}.jpg"})
             for n in range(count)]
    return store.create_job(key_id, items, fmt="png")[0]


def _lease_order(store: JobStore, count: int) -> list[str]:
    """The next `count` leases as item ids (each is left running: leased once)."""
    leases = [store.lease("worker-1", 60.0) for _ in range(count)]
    return [lease.item_id for lease in leases if lease is not None]


def test_a_one_item_job_waits_one_turn_behind_another_keys_big_job(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    big = _job(store, "k-a", 500)
    assert _lease_order(store, 2) == [f"{big}-0", f"{big}-1"]
    small = _job(store, "k-b", 1)
    # A's item of the same turn came first; then B's, not A's 497 others.
    assert _lease_order(store, 3) == [f"{big}-2", f"{small}-0", f"{big}-3"]


def test_keys_take_turns_and_each_keeps_its_jobs_in_order(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    a = _job(store, "k-a", 4)
    b1, b2 = _job(store, "k-b", 2), _job(store, "k-b", 1)
    c = _job(store, "k-c", 1)
    assert _lease_order(store, 8) == [f"{a}-0", f"{b1}-0", f"{c}-0",
                                      f"{a}-1", f"{b1}-1",
                                      f"{a}-2", f"{b2}-0",
                                      f"{a}-3"]
    assert store.lease("worker-1", 60.0) is None


def test_a_key_that_was_idle_starts_level_with_the_queue_not_ahead(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    first = _job(store, "k-a", 3)
    assert _lease_order(store, 3) == [f"{first}-0", f"{first}-1", f"{first}-2"]
    store.cancel("k-a", first)  # A has nothing queued or running now
    big = _job(store, "k-b", 3)  # the queue's head is now B's item 0
    again = _job(store, "k-a", 2)  # A, idle meanwhile, takes its turn after B's head
    assert _lease_order(store, 5) == [f"{big}-0", f"{again}-0", f"{big}-1", f"{again}-1",
                                      f"{big}-2"]


def test_an_expired_lease_still_goes_before_the_rest(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    a = _job(store, "k-a", 3)
    store.lease("stalled", -1.0)  # a lease that is already over: its worker stopped
    b = _job(store, "k-b", 1)
    assert _lease_order(store, 4) == [f"{a}-0", f"{a}-1", f"{b}-0", f"{a}-2"]


@pytest.mark.slow
def test_over_http_a_small_job_is_served_while_a_big_one_is_still_queued(service):
    files = [("file", (f"{n}.png", gray_png(seed=n), "image/png")) for n in range(6)]
    big = service.client.post("/v1/jobs", headers=service.headers(service.key_a), files=files)
    assert big.status_code == 202
    assert service.drain(limit=2) == 2
    small = service.client.post("/v1/jobs", headers=service.headers(service.key_b),
                                files={"file": ("b.png", gray_png(seed=9), "image/png")})
    assert small.status_code == 202
    assert service.drain(limit=2) == 2
    small_view = service.client.get(small.headers["location"],
                                    headers=service.headers(service.key_b)).json()
    big_view = service.client.get(big.headers["location"] + "?limit=0",
                                  headers=service.headers(service.key_a)).json()
    assert small_view["state"] == "succeeded"
    assert big_view["counts"] == {"done": 3, "queued": 3}
    assert service.drain() == 3
    big_view = service.client.get(big.headers["location"],
                                  headers=service.headers(service.key_a)).json()
    assert big_view["state"] == "succeeded"
