"""Where chronochrome keeps what it builds on first use, and how it writes there.

    cache_root()         $CHRONOCHROME_CACHE, else $XDG_CACHE_HOME/chronochrome,
                         else ~/.cache/chronochrome (nothing is created)
    write_problem(f)     why this account cannot write the folder `f` (created when absent):
                         HOME=/nonexistent, a read-only home, a cache another user made
    private_folder(r)    then r under a private temporary folder for this process, named in a
                         one-line warning with the fix (set CHRONOCHROME_CACHE): the run works,
                         only slower
    write_atomic(p, b)   a temporary file beside `p`, then a rename: a reader (another process,
                         another user) sees the old file or the new one, never half of one
    make_dir_beside(p)   a new folder beside `p` for a build to fill before it is renamed in
    build_lock(p)        one builder at a time across processes and accounts (flock); the
                         others wait, then find it built

Files and folders get the permissions the account's umask gives (as `open` and `mkdir` do),
not `tempfile`'s 0600/0700: in a cache shared through CHRONOCHROME_CACHE, what one account
built the others must be able to read. The library (`retrieval.knowledge`) and the broad
gazetteer (`context.geonames`) write through here; the training caches and the benchmarks'
(`colorizer.training.cache_dir`, `eval.cache`) use `cache_root`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)
FIX = ("set CHRONOCHROME_CACHE (or XDG_CACHE_HOME) to a folder this account can write "
       "to keep it between runs")
_fallback: Path | None = None  # this process's private cache, once one was needed


def cache_root() -> Path:
    """The cache folder the environment names; nothing is created or checked."""
    root = os.environ.get("CHRONOCHROME_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / "chronochrome"
    try:
        home = Path.home()
    except RuntimeError:  # no HOME and no passwd entry (a container's arbitrary uid)
        home = Path("/nonexistent")
    return home / ".cache" / "chronochrome"


def private_folder(relative: str | Path, why: str) -> Path:
    """`relative` under this process's private temporary cache, made on first use with a
    one-line warning naming `why` (the shared place that did not do) and the fix."""
    global _fallback
    if _fallback is None:
        try:
            _fallback = Path(tempfile.mkdtemp(prefix="chronochrome-cache-"))
        except OSError as exc:
            raise OSError(f"cannot write the cache folder {why} nor a temporary one "
                          f"({exc.strerror}); {FIX}, or TMPDIR to a writable folder") from exc
        atexit.register(shutil.rmtree, _fallback, True)
        log.warning("cannot use the cache folder %s; this run builds its caches in %s and "
                    "removes them when it ends: %s", why, _fallback, FIX)
    folder = _fallback / relative
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_problem(folder: Path) -> str | None:
    """Why `folder` cannot take new files (created here when absent), None when it can."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if not os.access(folder, os.W_OK | os.X_OK):
        return "not writable by this account"
    return None


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it and a rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # 0o666 less the umask, as `open` gives: mkstemp's 0600 would hide it from the group.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the rename must not land before the bytes (a crash)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_dir_beside(path: Path, tag: str) -> Path:
    """A new empty folder `.NAME.TAG-XXXXXXXX` beside `path` (same disk: renames work), with
    the umask's permissions (mkdtemp's 0700 would keep a shared cache's other accounts out)."""
    for _ in range(100):
        candidate = path.with_name(f".{path.name}.{tag}-{secrets.token_hex(4)}")
        try:
            candidate.mkdir(0o777)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free temporary name beside {path}; remove its .{path.name}.* "
                          "leftovers")


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on the file `path` (created, left in place) while building;
    yields False (no lock, the build goes ahead) where the file cannot be opened."""
    try:
        import fcntl
    except ImportError:  # not POSIX: concurrent builds stay safe through the atomic renames
        yield False
        return
    try:
        # Read-only is enough for flock, and opens a lock file another account created.
        fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)  # closing releases the lock
