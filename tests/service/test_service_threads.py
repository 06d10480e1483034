"""`chronochrome serve` sets torch's threads once at start: the cores divided among workers."""

from __future__ import annotations

import argparse
import os

import pytest
import torch

from colorizer.apps.service import cli
from colorizer.apps.service.config import ServiceConfig


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_service_parsers(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["serve", *argv])


def test_threads_per_worker_divide_the_cores(tmp_path):
    config = ServiceConfig(data_dir=tmp_path, worker_threads=3)
    assert config.torch_threads_per_worker(16) == 5
    assert config.torch_threads_per_worker(2) == 1  # never 0
    assert config.torch_threads_per_worker(16, worker_only=True) == 16  # one worker a process
    assert ServiceConfig(data_dir=tmp_path, worker_threads=0).torch_threads_per_worker(8) == 8
    assert config.with_changes(torch_threads=2).torch_threads_per_worker(16) == 2
    with pytest.raises(ValueError, match="torch_threads"):
        ServiceConfig(data_dir=tmp_path, torch_threads=-1)
    assert ServiceConfig.from_dict({"data_dir": str(tmp_path),
                                    "torch_threads": 4}).torch_threads == 4


@pytest.mark.parametrize(("argv", "expected"), [
    (("--workers", "2"), 3),  # the 7 available cores among 2 workers
    (("--workers", "2", "--torch-threads", "5"), 5),
    (("--worker-only",), 7),
])
def test_serve_sets_the_threads_before_the_pipeline_loads(tmp_path, monkeypatch, argv,
                                                          expected):
    monkeypatch.setattr(cli, "available_cores", lambda: 7)
    seen = {}
    monkeypatch.setattr(cli, "_pipeline", lambda args, config: seen.setdefault(
        "at_load", torch.get_num_threads()))
    monkeypatch.setattr(cli, "_run_worker", lambda config, pipe, signer: 0)
    monkeypatch.setattr(cli, "_run_server",
                        lambda args, config, signer: cli._pipeline(args, config) and 0)
    before = torch.get_num_threads()
    try:
        assert cli.run_service_command(_args("--data-dir", str(tmp_path), *argv)) == 0
        assert seen["at_load"] == expected
    finally:
        torch.set_num_threads(before)


def test_the_available_cores_follow_the_affinity():
    assert 1 <= cli.available_cores() <= (os.cpu_count() or 1)
