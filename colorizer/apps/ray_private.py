"""A C2PA-signed run's Ray session in a folder only its user can read.

The workers get the signing key in their settings (`SigningKeys`), which Ray Data keeps in
Ray's object store; when the store is full, Ray spills objects to files in its session folder
(by default under /tmp/ray, which Ray makes world-readable, 0777, its files 0644). A signing
run that starts its own local Ray starts it under a new folder of mode 0700 (`private_ray`),
so nothing Ray writes there (spilled objects, logs, sockets) can be read by another user, and
removes it when the run ends. Ray makes its own root 0777 again (`try_make_directory_shared`):
that root is one level down, where only this user can reach it.

On a cluster that was already running (`--address`) Ray's folders are the cluster's, set by
`ray start --temp-dir`: the run says so in one warning line (`warn_cluster_spills`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from colorizer.apps.ray_connect import connect
from colorizer.errors import ChronochromeError

log = logging.getLogger("chronochrome.ray")
PREFIX = "chronochrome-"  # + 8 random characters (mkdtemp), then RAY_ROOT
RAY_ROOT = "r"  # the folder Ray is given (`_temp_dir`) and makes 0777, inside ours
# A Unix socket's path holds at most 107 bytes (103 on macOS). Ray puts its sockets at
# ROOT/session_2026-12-07_03-47-30_288712_17838/sockets/plasma_store (the longest): the
# session's name takes up to 42 characters with a 7-digit pid.
SOCKET_PATH_MAX = 103 if sys.platform == "darwin" else 107
RAY_SOCKET_TAIL = len("/session_2026-12-07_03-47-30_288712_1234567/sockets/plasma_store")


@contextlib.contextmanager
def private_ray(ray: Any, init: dict[str, Any]) -> Iterator[Path]:
    """A new local Ray whose folders lie under a new 0700 folder of this user, shut down and
    the folder removed when the block ends (an error, Ctrl-C or SIGTERM too)."""
    base = _ray_temp_base()
    _check_socket_room(base)
    folder = Path(os.path.abspath(tempfile.mkdtemp(prefix=PREFIX, dir=base)))  # 0700, new name
    try:
        connect(ray, None, {**init, "_temp_dir": str(folder / RAY_ROOT)})
        yield folder
    finally:
        if ray.is_initialized():
            ray.shutdown()  # its processes write logs there until they end
        shutil.rmtree(folder, ignore_errors=True)


def warn_cluster_spills(address: str | None) -> None:
    """One line: on a cluster we did not start, where Ray may spill the key is not ours."""
    where = f"the Ray cluster at --address {address}" if address else "a running Ray instance"
    log.warning("C2PA signing on %s: the workers get the signing key in their settings, "
                "which Ray may spill to disk on its nodes when its object store is full, in "
                "the folders the cluster was started with (`ray start --temp-dir`, world-"
                "readable by default); keep them private on every node, or leave --address "
                "out to sign on a local Ray this run keeps private", where)


def _ray_temp_base() -> str:
    """Where Ray itself would put its folder: RAY_TMPDIR, else TMPDIR (Linux), else /tmp."""
    try:
        from ray._common.utils import get_default_system_temp_dir
    except ImportError:  # another Ray version: its documented variable, then /tmp
        return os.environ.get("RAY_TMPDIR") or tempfile.gettempdir()
    return get_default_system_temp_dir()


def _check_socket_room(base: str) -> None:
    """A long RAY_TMPDIR made `ray.init` fail on a socket's path, in a traceback."""
    longest = len(os.path.abspath(base).encode()) + 1 + len(PREFIX) + 8 + 1 + len(RAY_ROOT) \
        + RAY_SOCKET_TAIL
    if longest > SOCKET_PATH_MAX:
        room = SOCKET_PATH_MAX - (longest - len(os.path.abspath(base).encode()))
        raise ChronochromeError(
            f"Ray's temporary folder {base} (RAY_TMPDIR or TMPDIR) is too long for a signing "
            f"run's private Ray folder: Ray's socket paths under it would exceed "
            f"{SOCKET_PATH_MAX} bytes; set RAY_TMPDIR to a folder of at most {room} "
            f"characters (e.g. RAY_TMPDIR=/tmp)")
