"""An output image written beside its target as it is encoded, to be renamed into place.

A 16-bit master's PNG or TIFF is hundreds of MB (a grainy 108 MP scan's PNG: 475 MB): held
as bytes from the encoder to the writer it was the top of the batch CLI's memory peak. A
`StagedImage` is written while it is encoded (`provenance.write_image`) to the temporary name
the output writer uses (`.<name>.<random>.tmp` beside the target, fsynced, 0600), so the writer's
guarantees hold: it reaches its name only by the writer's atomic rename
(`outputs.StagedFiles`), and a failure removes it (`discard`). A killed run's temporary is
removed by the next run over the same folder (`outdir_lock.remove_left_temporaries`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


class _HashingWriter:
    """Writes to a file, hashing and counting what it writes (the record's sha256 and size)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def write(self, data: bytes | memoryview, /) -> int:
        self.digest.update(data)
        self.size += len(memoryview(data).cast("B"))
        return self.handle.write(data)

    @classmethod
    def read_back(cls, handle: BinaryIO) -> _HashingWriter:
        """The digest and size of what `handle` (open for reading too) holds, read a piece at
        a time: for a file its encoder wrote by seeking back into it."""
        counted = cls(handle)
        handle.seek(0)
        while piece := handle.read(1 << 20):
            counted.digest.update(piece)
            counted.size += len(piece)
        return counted


@dataclass(eq=False)
class StagedImage:
    """An encoded image in a fsynced temporary file beside `target`, not yet in place; or
    the OSError that met writing it (a full disk, a read-only folder), raised when the writer
    takes it, where the batch tells write errors in words (write_errors.py)."""

    target: Path
    temp: Path | None
    sha256: str  # of the whole file, as `hashlib.sha256(data).hexdigest()` gives
    size: int  # bytes
    error: OSError | None = None
    owned: bool = True  # False once `StagedFiles` took it: it renames or removes it then

    @classmethod
    def write(cls, target: Path, encode: Callable[[Any], None], root: Path,
              seekable: bool = False) -> StagedImage:
        """Run `encode(sink)` into a new temporary file beside `target`, its folders below
        `root` (the output folder) made if missing, never `root` itself: an output folder
        removed while the batch ran stays removed. On an error the temporary is removed; an
        OSError is kept (`error`), any other raised. `seekable`: the sink is the file itself,
        open for reading and writing (C2PA's signer seeks back in what it wrote), hashed
        once written."""
        tmp: str | None = None
        try:
            folder = root
            for name in target.parent.relative_to(root).parts:  # top down: no parents=True
                folder = folder / name
                folder.mkdir(exist_ok=True)
            if not root.is_dir():
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(root))
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            with os.fdopen(fd, "w+b" if seekable else "wb") as handle:
                writer = _HashingWriter(handle)
                encode(handle if seekable else writer)
                handle.flush()
                os.fsync(handle.fileno())
                if seekable:
                    writer = _HashingWriter.read_back(handle)
        except BaseException as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                return cls(target, None, "", 0, error=exc)
            raise
        return cls(target, Path(tmp), writer.digest.hexdigest(), writer.size)

    def adopt(self, mode: int | None = None) -> Path:
        """Hand the temporary file to the writer (`outputs.stage_file`), with `mode`."""
        if self.error is not None or self.temp is None:
            raise self.error or OSError(f"{self.target} was not staged")
        if mode is not None:
            os.chmod(self.temp, mode)
        self.owned = False
        return self.temp

    def discard(self) -> None:
        """Remove the temporary file unless the writer took it."""
        if self.owned and self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.owned = False


def discard_staged(files: Iterable[tuple[Path, Any]]) -> None:
    """Remove the staged images among `files` that were never handed to the writer (a photo
    that failed, or was skipped, between its encoding and its writing)."""
    for _, data in files:
        if isinstance(data, StagedImage):
            data.discard()
