"""One batch at a time writes into an output folder.

Each run keeps the folder's manifest (`colorizer.apps.output_manifest.Manifest`) in memory
and writes it whole now and then (its changes appended to a journal between), so two runs
into one folder undid each other's entries: the last to save won, and the next run called
the other's photos "not written by chronochrome" and refused them (or, colorizing into the
input folder, took them for inputs). A second run now stops before it writes anything, with
a line that says why.

The lock is `flock` on the folder itself: no lock file to leave behind, the same folder
reached by another path (a link) is the same lock, and the system drops it when the holder
ends in any way (even `kill -9`), so a crashed run never blocks the next. A file system
without `flock` (some network mounts) runs unlocked, as before.

The command line takes the lock before it loads the model (seconds), so a second run is told
at once, and the batch takes it again inside: the lock is re-entrant within one process
(a second `flock` on a new descriptor of the same folder would refuse its own holder).

Holding the folder also makes it safe to remove what a killed run left: temporary files
(`remove_left_temporaries`) no run of ours is still writing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from colorizer.errors import ChronochromeError

log = logging.getLogger(__name__)


class OutdirBusyError(ChronochromeError):
    """Another run holds the output folder."""

    reason = "busy"


_HELD: set[tuple[int, int]] = set()  # (device, inode) of the folders this process holds


@contextlib.contextmanager
def outdir_lock(outdir: Path) -> Iterator[bool]:
    """Hold `outdir` (an existing folder) for this run; `OutdirBusyError` if another has it.
    Yields whether the lock is held (False where the file system has no `flock`)."""
    try:
        fd = os.open(outdir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:  # the manifest's first write names the folder's problem
        log.debug("%s not locked: %s", outdir, exc)
        yield False
        return
    try:
        info = os.fstat(fd)
        folder = (info.st_dev, info.st_ino)
        if folder in _HELD:  # this process holds it already (the CLI, around the batch)
            yield True
            return
        held = _lock(fd, outdir)
        if held:
            _HELD.add(folder)
        try:
            yield held
        finally:
            _HELD.discard(folder)
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, outdir: Path) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            log.debug("%s not locked: %s", outdir, exc)  # no flock on this file system
            return False
        raise OutdirBusyError(
            f"{outdir} is being written by another chronochrome run; wait for it to finish "
            "and run this again (what it colorized is skipped), or give this run another -o "
            "folder") from None


# `colorizer.apps.outputs.stage_file`'s temporary name: ".<name>.<mkstemp's 8 letters>.tmp".
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def remove_left_temporaries(outdir: Path, names: Iterable[str]) -> int:
    """Remove the temporary files of `names` (paths under `outdir`, posix) that a killed run
    left (kill -9, the out-of-memory killer, a power cut: no `finally` ran). Never renamed,
    they are never outputs, but each is a whole photo's bytes and no later run removed them.
    Call it only while `outdir_lock` is held: then no run of ours is writing them. Returns
    how many were removed."""
    planned = set(names)
    removed = 0
    for folder in {PurePosixPath(name).parent for name in planned}:
        try:
            entries = list(os.scandir(outdir / folder))
        except OSError:
            continue  # not made yet
        for entry in entries:
            found = _TEMPORARY.match(entry.name)
            if (found and (folder / found["name"]).as_posix() in planned
                    and entry.is_file(follow_symlinks=False)):
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed
