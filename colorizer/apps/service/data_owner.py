"""One user owns the service's data folder: a command run as another one is refused.

An admin who ran `sudo chronochrome keys create` on the data folder of a service running as
its own user (systemd's `User=chronochrome`) made `jobs.sqlite3` root's, mode 0600, when the
folder had no database yet: the service then stopped with "cannot use the service's data folder
(unable to open database file); make it writable by this user", of a folder that was writable.
On an existing database root could leave root's `-wal`/`-shm` files, and `sudo chronochrome
serve` or `results cleanup` root's result files that the service's retention cannot delete.
So `serve`, `keys` and `results` check, before they open anything, that the data folder and its
database belong to the user they run as, and otherwise say whose they are and how to run as
that user.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from colorizer.apps.service.config import DB_NAME
from colorizer.apps.service.store_errors import DataDirError


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (a container's, systemd's DynamicUser)
        return str(uid)


def check_owner(data_dir: Path, command: str) -> None:
    """Raise DataDirError when `data_dir` or its database belongs to another user than this
    process's; `command` ("keys create") is what to run as the owner instead."""
    me = os.geteuid()
    for path in (data_dir, data_dir / DB_NAME):
        try:
            owner = path.stat().st_uid
        except FileNotFoundError:  # made by this command, as its user
            continue
        if owner == me:
            continue
        theirs, mine = user_name(owner), user_name(me)
        if path == data_dir:
            raise DataDirError(
                f"the service's data folder {data_dir} belongs to {theirs}, and this command "
                f"runs as {mine}: files it made would be {mine}'s, which the service cannot "
                f"open or delete; run it as {theirs} (sudo -u {theirs} chronochrome {command} "
                "...)")
        raise DataDirError(
            f"{path} belongs to {theirs}, not to {mine} who owns its folder (made by a "
            f"command run as {theirs}, with sudo?): give it back (chown {mine} {path}*) and "
            f"run `chronochrome keys` as {mine} (sudo -u {mine} chronochrome keys ...)")
