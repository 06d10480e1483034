"""`chronochrome keys` while the service runs, as an admin uses it: a revoked key is refused
by the running service at once, the CLI says so, and a command run as another user than the
data folder's owner (`sudo chronochrome keys create` on a service of its own user) is refused
before it makes files the service could not open.

Before, `keys revoke` printed nothing, `keys list` gave no dates, and root's `keys create` on
a fresh data folder of the service's user made a root-owned `jobs.sqlite3` (mode 0600): the
service then stopped with "make it writable by this user" about a folder that was writable."""

from __future__ import annotations

import os
import stat

import pytest
from service_helpers import gray_png

from colorizer.apps.cli import main

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")


def test_a_key_revoked_with_the_cli_is_refused_by_the_running_service(service, capsys):
    data_dir = str(service.config.data_dir)
    job = service.client.post("/v1/jobs", headers=service.headers(service.key_b),
                              files={"file": ("a.png", gray_png(), "image/png")})
    assert job.status_code == 202
    assert main(["keys", "list", "--data-dir", data_dir]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    key_b = service.store.key_for(service.key_b)
    row = next(r for r in listed if r[0] == key_b)
    assert row[1:3] == ["archive-b", "active"] and row[3].endswith("Z")  # created, UTC
    assert main(["keys", "revoke", key_b, "--data-dir", data_dir]) == 0
    assert capsys.readouterr().err == (f"key {key_b} revoked: requests with it are refused "
                                       "(401) from now on\n")
    answer = service.client.get(job.headers["location"], headers=service.headers(service.key_b))
    assert answer.status_code == 401 and answer.json()["reason"] == "invalid_key"
    assert service.client.get(job.headers["location"],
                              headers=service.headers(service.key_a)).status_code == 404
    assert main(["keys", "revoke", "knope", "--data-dir", data_dir]) == 1


def test_the_database_and_link_secret_are_the_service_users_alone(service):
    for name in ("jobs.sqlite3", "link-secret"):
        mode = stat.S_IMODE((service.config.data_dir / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))


@as_root
def test_keys_as_root_on_a_folder_of_the_services_user_are_refused(tmp_path, capsys):
    data_dir = tmp_path / "svc"
    data_dir.mkdir()
    os.chown(data_dir, NOBODY, NOBODY)  # as systemd's StateDirectory= makes it for User=
    for argv in (["keys", "create", "--name", "a"], ["keys", "list"],
                 ["results", "cleanup", "--dry-run"]):
        assert main([*argv, "--data-dir", str(data_dir)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: the service's data folder {data_dir} belongs to ")
        assert f"run it as {err.split()[8].rstrip(',')} (sudo -u " in err
        assert f"chronochrome {' '.join(argv[:2])} ...)" in err
    assert list(data_dir.iterdir()) == []  # nothing made as root


@as_root
def test_a_database_of_another_user_says_whose_it_is(tmp_path, capsys):
    data_dir = tmp_path / "svc"
    assert main(["keys", "create", "--name", "a", "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    db = data_dir / "jobs.sqlite3"
    os.chown(db, NOBODY, NOBODY)  # left by a command run as another user
    assert main(["keys", "list", "--data-dir", str(data_dir)]) == 2  # serve too, at once
    err = capsys.readouterr().err
    assert err.startswith(f"error: {db} belongs to ") and f"chown root {db}*" in err
