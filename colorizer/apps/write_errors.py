"""What a batch says when writing into its output folder fails, and when that stops it.

A failed write used to read "photo.jpg: OSError: [Errno 28] No space left on device": the
input named as if it were the problem, the folder not named at all. And a full disk did not
stop the batch: every later photo was computed (seconds to minutes each) only to fail the
same way, one error line each. Now the line names the output and the system's reason, and
a full, over-quota or read-only disk ends the batch after the photo that met it
(`OutputDiskError`), with what was done kept and a re-run resuming.

The same holds for an output folder that is gone while the batch runs (removed, or its
network mount dropped): its next write met "No such file or directory" and the batch went on
computing every later photo to fail each one alike (10 error lines for 10 photos). The
folder is not made again: the user removed it, and a new empty one would hide that the
earlier outputs went with it.

The manifest is the batch's record of what it did: a manifest that cannot be written (the
folder made read-only for this user mid-run: "Permission denied") stops the batch too, as
nothing it wrote after could be recorded, resumed, or told from a user's file. Since the
manifest's changes are appended to a journal already there, that append still succeeds in a
folder made read-only (`chmod 555`, an ACL): the photo's own files met "Permission denied"
instead, and each later photo was computed to fail alike. So a photo's "Permission denied"
stops the batch too when the output folder itself is no longer writable for this user
(`os.access`, which heeds ACLs); one file the user made read-only fails only its photo.

Decided: one photo larger than the space left stops the batch too, though a smaller one might
still fit. Filling a disk to its last bytes photo by photo leaves no room for the manifest
(which records what is done) and fails whatever else writes there; the summary says how many
are left, and the same command resumes once there is room.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from colorizer.errors import ChronochromeError

# The disk, not one file: every later photo would fail the same way.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
# A network mount that went away: the folder's handle or its server is gone.
GONE_ERRNOS = frozenset({errno.ESTALE, errno.ENOTCONN})
# Refused by permissions: the folder's (every later photo alike) or one file's.
DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM})
DISK_FIXES = {
    errno.ENOSPC: "the disk is full: make room on it",
    errno.EDQUOT: "your disk quota is used up: make room within it",
    errno.EROFS: "the disk is read-only: remount it writable",
}


class OutputWriteError(ChronochromeError):
    """A photo's files could not be written into the output folder; the batch goes on."""

    reason = "unwritable"


class OutputDiskError(OutputWriteError):
    """The output folder's disk is full or read-only, or the folder is gone: the batch
    stops."""

    reason = "disk"


def write_error(exc: OSError, output: Path, outdir: Path | None = None) -> OutputWriteError:
    """`exc`, met writing the photo `output` (its files or its manifest entry) into `outdir`,
    in words."""
    why = exc.strerror or str(exc)
    if exc.errno in DISK_ERRNOS:
        return OutputDiskError(
            f"cannot write {output} ({why}); the batch stopped here: {DISK_FIXES[exc.errno]} (or "
            "choose another -o folder), and run the same command again: what is done is "
            "skipped")
    if outdir is not None and (exc.errno in GONE_ERRNOS or not os.path.isdir(outdir)):
        return OutputDiskError(
            f"cannot write {output} ({why}): the output folder {outdir} is gone (removed, or "
            "its disk unmounted, while the batch ran); the batch stopped here: mount it again "
            "(or choose another -o folder) and run the same command again")
    if outdir is not None and exc.errno in DENIED_ERRNOS and not folder_writable(outdir):
        return OutputDiskError(
            f"cannot write {output} ({why}): the output folder {outdir} is no longer writable "
            f"for this user; the batch stopped here: make {outdir} writable for this user (or "
            "choose another -o folder), and run the same command again: what is done is "
            "skipped")
    return OutputWriteError(f"cannot write {output} ({why})")


def folder_writable(folder: Path) -> bool:
    """Whether this user may create files in `folder` (write and search; ACLs heeded)."""
    return os.access(folder, os.W_OK | os.X_OK)


def manifest_error(exc: OSError, manifest: Path) -> OutputDiskError:
    """`exc`, met saving the batch's `manifest` (its record of what is done): the batch stops,
    whatever the reason, as no photo written after could be recorded."""
    why = exc.strerror or str(exc)
    outdir = manifest.parent
    if exc.errno in DISK_ERRNOS:
        fix = DISK_FIXES[exc.errno]
    elif exc.errno in GONE_ERRNOS or not os.path.isdir(outdir):
        fix = (f"the output folder {outdir} is gone (removed, or its disk unmounted, while the "
               "batch ran): mount it again")
    else:
        fix = f"make {outdir} writable for this user"
    return OutputDiskError(
        f"cannot write {manifest}, where the batch records what it has done ({why}); the "
        f"batch stopped here: {fix} (or choose another -o folder), and run the same command "
        "again: what is done is skipped")
