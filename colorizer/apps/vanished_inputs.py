"""A batch's input that was there when the batch was planned and is gone when its turn comes.

An archive's batch runs for hours; its photos may sit on a network share or a USB disk that
drops, or someone tidies the folder meanwhile. Such a photo failed with the loader's words
for a path typed wrong ("no such file. check the path; relative paths start from ..."), sending
the user after a typo in a path the batch itself had found. Now the line says the photo went
away during the run, whether its folder went with it (an unmounted disk), and that running
the same command again finishes the batch (what is done is skipped).

Unlike a full output disk, a vanished input does not stop the batch: a batch may read from
several folders and disks, the others' photos still load, and each vanished one fails before
any work (milliseconds), so going on costs nothing but its line.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from colorizer.errors import ImageLoadError, ImageNotFoundError

# A network mount that dropped: its handles are stale, or its server unreachable.
_MOUNT_GONE = frozenset({errno.ESTALE, errno.ENOTCONN})
# What a read meets on a disk that went away, and, from one bad sector, on a disk that did
# not: the folder is looked at before blaming the disk.
_MAYBE_GONE = frozenset({errno.ENOENT, errno.EIO, errno.ENODEV})
_AGAIN = "run the same command again: what is done is skipped"


def vanished(path: Path, exc: ImageLoadError) -> ImageLoadError | None:
    """The error for `path` (found when the batch was planned) that `exc` says cannot be read
    now because it, or its folder, is gone; None when `exc` is about the file itself."""
    cause = exc.__cause__
    code = cause.errno if isinstance(cause, OSError) else None
    folder = path.parent
    if code in _MOUNT_GONE or (code in _MAYBE_GONE and _emptied(folder)):
        return ImageNotFoundError(
            str(path), f"its folder {folder} is gone or empty since the batch started (its "
            f"disk unmounted, or the folder removed or moved: {os.strerror(code)})",
            f"mount it again (or put it back) and {_AGAIN}")
    if code == errno.ENOENT and not path.is_symlink():
        return ImageNotFoundError(str(path), "was there when the batch started and is gone "
                                  "now (moved or deleted meanwhile)",
                                  f"put it back and {_AGAIN}")
    return None


def _emptied(folder: Path) -> bool:
    """No folder, or an empty one: an unmounted disk leaves its mount point, empty."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return True
