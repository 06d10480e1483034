"""Reading an input file's bytes: once, whole, and only from a regular file of bounded size
(step 1 of `imageio.load_image`)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from colorizer.errors import ImageLoadError, ImageNotFoundError, ImageTooLargeError

# Bytes read from one file at most: a 50 MP 16-bit RGB TIFF stored raw is 300 MB.
MAX_FILE_BYTES = 1 << 30


def cwd_fix() -> str:
    return f"check the path; relative paths start from {Path.cwd()}"


def user_path(given: str | os.PathLike[str]) -> Path:
    """The path a person means: "~/photos/x.jpg" in the Python API is in their home folder,
    as a shell would read it (Python opens a folder named "~" instead: "no such file"). A
    file or folder really named "~..." is still read as itself."""
    path = Path(given)
    if not path.parts or not path.parts[0].startswith("~") or path.exists():
        return path
    try:
        return path.expanduser()
    except RuntimeError:  # no home folder known (HOME unset, no passwd entry): as given
        return path


def read_file_bytes(path: Path, label: str) -> bytes:
    """Every byte of a regular file, at most `MAX_FILE_BYTES`. The file is opened without
    blocking and checked on the open descriptor: a FIFO would hang the read and a device
    (a link to /dev/zero) would never end."""
    # Ask forgiveness rather than check first: the file may vanish between a check and a read.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        problem = "is a link to a missing file" if path.is_symlink() else "no such file"
        raise ImageNotFoundError(label, problem, cwd_fix()) from exc
    except IsADirectoryError as exc:
        fix = "pass the image files inside it, or use iter_image_files(), which expands folders"
        raise ImageNotFoundError(label, "is a folder, not an image file", fix) from exc
    except OSError as exc:
        raise _unreadable(label, exc) from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            fix = "pass the image files inside it, or use iter_image_files(), which expands folders"
            raise ImageNotFoundError(label, "is a folder, not an image file", fix)
        if not stat.S_ISREG(info.st_mode):
            raise ImageLoadError(label, f"is not a regular file ({_file_kind(info.st_mode)})",
                                 "pass an image file; copy the data into one first")
        if info.st_size > MAX_FILE_BYTES:
            raise ImageTooLargeError(
                label, f"the file is {info.st_size:,} bytes, above the limit of "
                f"{MAX_FILE_BYTES:,}", "downscale or recompress it first")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return _read_whole(handle, info.st_size)
    except OSError as exc:
        raise _unreadable(label, exc) from exc
    finally:
        os.close(fd)


def _read_whole(handle: BinaryIO, size: int) -> bytes:
    """The file's bytes, at most `MAX_FILE_BYTES`. Asked for its size plus one, not the cap:
    a read of n bytes allocates n at once, and `read(MAX_FILE_BYTES + 1)` reserved 1 GB for
    every photo (a MemoryError where address space is limited, e.g. `ulimit -v`). One byte
    more than `size` comes back only from a file that grew since it was measured: then on
    to the cap."""
    wanted = min(size, MAX_FILE_BYTES) + 1
    data = handle.read(wanted)
    if len(data) == wanted and wanted <= MAX_FILE_BYTES:
        data += handle.read(MAX_FILE_BYTES + 1 - wanted)
    return data[:MAX_FILE_BYTES]


def _unreadable(label: str, exc: OSError) -> ImageLoadError:
    if exc.errno == errno.ELOOP:
        return ImageNotFoundError(label, "is a link that loops back on itself",
                                  "point the link at an image file, or remove it")
    if exc.errno == errno.ENAMETOOLONG:
        return ImageNotFoundError(label, "its name is too long for the file system",
                                  "rename the file to a shorter name")
    problem = f"could not be read ({exc.strerror or exc})"
    return ImageLoadError(label, problem, "check that the file is readable by this user")


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO/pipe"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a plain file")
