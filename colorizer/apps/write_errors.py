"""What a batch says when writing into its output folder fails, and when that stops it.

A failed write used to read "photo.jpg: OSError: [Errno 28] No space left on device": the
input named as if it were the problem, the folder not named at all. And a full disk did not
stop the batch: every later photo was computed (seconds to minutes each) only to fail the
same way, one error line each. Now the line names the output and the system's reason, and
a full, over-quota or read-only disk ends the batch after the photo that met it
(`OutputDiskError`), with what was done kept and a re-run resuming.
"""

from __future__ import annotations

import errno
from pathlib import Path

from colorizer.errors import ChronochromeError

# The disk, not one file: every later photo would fail the same way.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


class OutputWriteError(ChronochromeError):
    """A photo's files could not be written into the output folder; the batch goes on."""

    reason = "unwritable"


class OutputDiskError(OutputWriteError):
    """The output folder's disk is full or read-only: the batch stops."""

    reason = "disk"


def write_error(exc: OSError, output: Path) -> OutputWriteError:
    """`exc`, met writing the photo `output` (its files or its manifest entry), in words."""
    why = exc.strerror or str(exc)
    if exc.errno in DISK_ERRNOS:
        return OutputDiskError(
            f"cannot write {output} ({why}); the batch stopped here: make room on that disk "
            "(or make it writable), or choose another -o folder, and run it again")
    return OutputWriteError(f"cannot write {output} ({why})")
