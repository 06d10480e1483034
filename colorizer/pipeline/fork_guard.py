"""A pipeline used in a process forked from the one that loaded it (multiprocessing's fork,
the default on Linux): torch there runs on one thread.

GNU OpenMP, which torch's CPU kernels run on, keeps a pool of threads that a forked child
does not have: once the parent had run torch on several threads, the child's first parallel
operation waited forever (a `Pool(2)` mapping the pipeline over photos hung on its first
photo, `tests/test_api_session_fork.py`). Every thread count above one hangs there, so one is
the only count that works; it is also what N workers on N cores want. The parent process
keeps its settings; the models the pipeline's default components hold are loaded again in
the child (components.py). A pipeline sent pickled to a worker (spawn, pipeline_recipe.py)
is fitted the same way: N workers on N cores each want one thread (a spawn Pool(2) on 2
cores otherwise ran 4 torch threads)."""

from __future__ import annotations

import logging
import os

import torch

log = logging.getLogger(__name__)

_fitted_pid: int | None = None  # the process whose torch threads were set here


def fit_forked_child(loaded_in: int) -> None:
    """In a process other than `loaded_in` (the pipeline's), once: torch on one thread."""
    global _fitted_pid
    pid = os.getpid()
    if pid == loaded_in or pid == _fitted_pid:
        return
    _fitted_pid = pid
    if torch.get_num_threads() > 1:
        log.info("chronochrome: torch runs on one thread in this process, a worker of "
                 "process %d where the pipeline was loaded (OpenMP's threads do not survive "
                 "fork, and N workers on N cores want one each)", loaded_in)
        torch.set_num_threads(1)
