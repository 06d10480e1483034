"""Where a request body is kept while it arrives: `spool/` in the service's data folder.

A body bigger than `IN_MEMORY` and each file part of a multipart form went to
`tempfile.gettempdir()`; in a container /tmp is often RAM (tmpfs), so a 150 MB scan being
uploaded held 150 MB of the machine's memory there (twice for a form: the body, then its
part). They now go to `<data folder>/spool/`, on the disk the service already keeps its jobs
on, and whose room it already watches.

The files are unnamed from the start (Python's `TemporaryFile`: O_TMPFILE on Linux, else
named and unlinked at once), so closing one, or the process dying, frees its room: nothing is
left for anyone to clean after a request, answered, refused (413) or cut off by its client.
`clean_spool` runs at start-up all the same, for a name left by a crash inside that instant
or by an older version, and recreates the folder if it was removed.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.formparsers import MultiPartParser

log = logging.getLogger("chronochrome.service.spool")

SPOOL_FOLDER = "spool"  # inside the data folder
# A body up to this size stays in memory; beyond, on disk. It was a megabyte: 200 uploads
# arriving slowly held 573 MB of the process (289 idle); at 64 KiB, 390 MB.
IN_MEMORY = 64 << 10
_PREFIX = "body-"
# Only what no live process can still be creating is removed at start-up: another process
# on the same data folder (a second `serve`) names its file for an instant before unlinking.
_LEFTOVER_AGE_S = 60.0


def spool_folder(data_dir: Path) -> Path:
    """The folder request bodies of the service on `data_dir` are kept in."""
    return Path(data_dir) / SPOOL_FOLDER


def spool_file(folder: Path | None, in_memory: int = IN_MEMORY
               ) -> tempfile.SpooledTemporaryFile[bytes]:
    """A temporary file for a body, in memory up to `in_memory` bytes, then in `folder`
    (`tempfile.gettempdir()` when None). The caller closes it. Raises OSError when the folder
    cannot be made (a read-only or full data folder: the caller names it)."""
    if folder is not None:
        folder.mkdir(exist_ok=True)  # removed while the service ran: made again, not a 500
    return tempfile.SpooledTemporaryFile(max_size=in_memory, prefix=_PREFIX,
                                         dir=None if folder is None else str(folder))


def clean_spool(data_dir: Path) -> int:
    """Make the spool folder of `data_dir`; remove the files a crashed process left in it.
    Returns how many were removed. A folder it cannot clean is said in the log, not fatal:
    a request that cannot keep its body there is answered 503/507 (`bodies`)."""
    folder = spool_folder(data_dir)
    cutoff, removed = time.time() - _LEFTOVER_AGE_S, 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # removed meanwhile (by another process's start)
                continue
    except OSError as exc:
        log.warning("could not clean the request body folder %s: %s", folder, exc)
    if removed:
        log.info("removed %d request body file(s) a stopped process left in %s", removed,
                 folder)
    return removed


class SpoolingMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, each file part kept in `folder` rather than /tmp (its
    parser makes a `SpooledTemporaryFile` with no folder)."""

    def __init__(self, *args: Any, folder: Path | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = folder

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        # Private names of Starlette's parser (1.x); where they are missing, its own
        # temporary file is kept: the part goes to /tmp as before, nothing breaks.
        part = getattr(self, "_current_part", None)
        to_close = getattr(self, "_files_to_close_on_error", None)
        upload = getattr(part, "file", None)
        if upload is None or not isinstance(to_close, list) or not to_close:
            return
        if to_close[-1] is not upload.file:
            return
        own = spool_file(self.folder, self.spool_max_size)
        upload.file.close()  # empty yet: nothing was written to it
        upload.file = own
        to_close[-1] = own
