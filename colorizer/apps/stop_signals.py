"""SIGTERM and SIGHUP stop a batch the way Ctrl-C does.

Python turns only SIGINT (Ctrl-C) into an exception; SIGTERM (`kill`, a scheduler's stop, a
shutdown) and SIGHUP (the terminal closed) killed the batch on the spot: no summary, no exit
code a script can read, and the progress bar's hidden cursor left hidden in the user's
terminal. Here both raise `Stopped`, a KeyboardInterrupt, so the one path Ctrl-C takes runs
for them too: the photo being computed is dropped (its files are written whole or not at all,
`colorizer.apps.outputs`), the summary says what was done, and the exit code is 128 + the
signal (143 for SIGTERM, 129 for SIGHUP), as a shell reports a process the signal ended.

    with stop_on_signals():
        summary = batch.run(...)

A signal the process was started ignoring (`nohup` ignores SIGHUP) stays ignored, and one an
embedding program handles keeps its handler. After the first stop signal the previous
handlers are back, so a second one ends the process at once (as a second `kill` expects).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
SAYS = {signal.SIGINT: "interrupted (Ctrl-C)", signal.SIGTERM: "stopped by SIGTERM",
        signal.SIGHUP: "stopped by SIGHUP (the terminal closed)"}


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; handled wherever Ctrl-C is."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal that stopped the run: 130 for Ctrl-C, 143 SIGTERM, 129 SIGHUP."""
    return 128 + getattr(exc, "signum", signal.SIGINT)


def stopped_by(exc: KeyboardInterrupt) -> str:
    """What stopped the run, in words: "interrupted (Ctrl-C)", "stopped by SIGTERM", ..."""
    return SAYS[getattr(exc, "signum", signal.SIGINT)]


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Stopped` in the main thread while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    terminal = [fd for fd in (1, 2) if os.isatty(fd)]  # a hung-up terminal no longer says
    previous: dict[int, object] = {}

    def stop(signum: int, frame: object) -> None:
        _restore(previous)
        if signum == signal.SIGHUP:
            _drop_output(terminal)
        raise Stopped(signum)

    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        _restore(previous)


@contextlib.contextmanager
def keep_handlers() -> Iterator[None]:
    """The SIGINT, SIGTERM and SIGHUP handlers set before the block are set again after it.

    For `ray.init`: it sets its own SIGTERM handler (exit at once with status 15) and its
    core installs a C crash handler over it, so `kill` of a `--engine ray` run left no
    summary and no 143. Setting a Python handler again puts it back for the process; a
    signal left at its default keeps what Ray set (Ray's own clean-up for API users)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, *STOP_SIGNALS)}
    try:
        yield
    finally:
        for signum, handler in before.items():
            if callable(handler):
                signal.signal(signum, handler)


def _restore(previous: dict[int, object]) -> None:
    for signum, handler in list(previous.items()):
        signal.signal(signum, handler)
    previous.clear()


def _drop_output(fds: list[int]) -> None:
    """Point the closed terminal's stdout and stderr at /dev/null: writing to it fails
    (EIO), which would turn the clean stop into a traceback and exit code 1 or 120."""
    if not fds:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)
