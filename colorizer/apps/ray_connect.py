"""`--engine ray [--address ADDR]`: start or join the Ray instance a run computes on.

Ray's own failures to connect came out as a traceback (exit 1) or not at all: `--address
HOST:PORT` with no cluster there retried for minutes, saying nothing a user could act on;
`--address auto` with none running and a `ray://` address without Ray Client installed
raised from inside `ray.init`. Here each is an error naming the address and what to do
(exit 2), within seconds. `ray.init` also sets its own SIGTERM handlers, which ended a run
(status 15) without its summary: not while a handler of ours is set, and those set before it
are set again after it (`keep_handlers`: its core's crash handler takes SIGTERM too). Ray's
messages (a worker died and its task is retried) go to stderr, not after the summary line.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from collections.abc import Iterator
from typing import Any

from colorizer.apps.stop_signals import keep_handlers
from colorizer.errors import ChronochromeError

PROBE_SECONDS = 5.0  # a cluster's head answers at once; a firewall drops in silence
START_ONE = ("start one with `ray start --head` on that machine, or leave --address out to "
             "start a local one")


def connect(ray: Any, address: str | None, init: dict[str, Any]) -> None:
    """`ray.init` the run's instance: a new local one (`address` None) or the cluster at
    `address` (`auto`: the one running on this machine)."""
    if address and "://" in address:
        _check_client(address)
    elif address and address != "auto":
        _probe(address)
    _messages_to_stderr(ray)
    if address is None:
        _quiet_local_token_note()
    try:
        with keep_handlers(), _no_ray_sigterm_handler(ray):
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, **init)  # not "Started a local ..."
    except ConnectionError as exc:
        if address == "auto":  # none running on this machine
            raise ChronochromeError(f"--address auto: no Ray cluster runs on this machine "
                                    f"({exc}); {START_ONE}") from None
        # Something answered at HOST:PORT (`_probe`) but Ray could not join it: its reason
        # is only in the log lines above (an authentication token, another Ray version).
        raise ChronochromeError(
            f"--address {address}: could not join the Ray cluster there ({exc}); Ray's "
            f"messages above say why (its authentication token, another Ray version); "
            f"`ray status --address {address}` checks it") from None


@contextlib.contextmanager
def _no_ray_sigterm_handler(ray: Any) -> Iterator[None]:
    """While Ray starts (seconds), a SIGTERM met Ray's handlers, not ours (`keep_handlers`
    sets ours again only after): the run ended with status 15 and not a word. Where a
    handler of ours is set, `ray.init` may not replace it; where none is, Ray's stays (its
    own clean-up, for a program that set none)."""
    utils = getattr(getattr(ray, "_private", None), "utils", None)
    ours = signal.getsignal(signal.SIGTERM)
    if not callable(ours) or not callable(getattr(utils, "set_sigterm_handler", None)):
        yield
        return
    ray_sets = utils.set_sigterm_handler
    utils.set_sigterm_handler = lambda handler: None
    try:
        yield
    finally:
        utils.set_sigterm_handler = ray_sets


def _messages_to_stderr(ray: Any) -> None:
    """Ray prints its raylet's messages ("a worker died ... will be retried") on stdout,
    after the run's summary line too, where a script reads that line: they go to stderr,
    with the run's other notes."""
    worker = getattr(getattr(ray, "_private", None), "worker", None)
    to_stream = getattr(worker, "print_to_stdstream", None)
    if not callable(to_stream) or getattr(to_stream, "to_stderr", False):
        return

    def to_stderr(data: dict, *args: Any, **kwargs: Any) -> None:
        to_stream({**data, "is_err": True}, *args, **kwargs)

    to_stderr.to_stderr = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_stderr


def _quiet_local_token_note() -> None:
    """A local instance this run starts enables Ray's token authentication and logs a
    WARNING that says so and how to turn it off: nothing a user of the run acts on (the
    instance lives as long as the run and only this machine joins it). Ray's other warnings
    stay; on a cluster (`--address`) Ray's token messages say why a join failed."""
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
        logging.ERROR)


def _check_client(address: str) -> None:
    """A ray:// address goes through Ray Client, which `chronochrome[ray]` leaves out."""
    from ray._private.utils import get_ray_client_dependency_error

    missing = get_ray_client_dependency_error()
    if missing is not None:
        raise ChronochromeError(
            f"--address {address}: a ray:// address needs Ray Client ({missing}): pip "
            "install 'ray[client]', or give the cluster's GCS address (HOST:6379) from a "
            "machine of the cluster, or auto on its head node")


def _probe(address: str) -> None:
    """Fail at once when nothing listens at HOST:PORT: `ray.init` retried for minutes."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return  # not HOST:PORT: Ray says what is wrong with it
    try:
        socket.create_connection((host.strip("[]"), int(port)), PROBE_SECONDS).close()
    except OSError as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ChronochromeError(f"--address {address}: no Ray cluster answers there "
                                f"({reason}); {START_ONE}") from None
