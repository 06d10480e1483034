"""Request bodies kept while they arrive in the data folder's `spool/`, not in /tmp.

An archive's `chronochrome serve` in a container, whose /tmp is RAM: a body over a megabyte
went to `tempfile.gettempdir()` as it arrived (a form's file part a second time), so a 150 MB
scan being uploaded held 150 MB of RAM there. Now it goes to `<data folder>/spool/`, files
that are freed when the request ends however it ends (answered, 413, client gone) and that a
crash cannot leave behind; start-up removes what an older process named there.

A real `chronochrome serve` process over real HTTP; where its open files point is read from
/proc/<pid>/fd (a spool file has no name: "<folder>/#123 (deleted)"), with TMPDIR set to a
folder of the test's so a file there would show as one of its own. The same checks run on the
app served by uvicorn in the test's process (its temporary folder set as TMPDIR sets it).
"""

from __future__ import annotations

import io
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from serve_process import free_port, new_key, start_serve
from threaded_serve import served, wait_for

from colorizer.apps.service.app import create_app
from colorizer.apps.service.config import ServiceConfig

CAP = 8_000_000  # the service's max_upload_bytes here


def _open_files(pid: int) -> list[str]:
    """Where the process's open file descriptors point (their /proc links)."""
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            targets.append(os.readlink(fd))
        except FileNotFoundError:  # closed while listed
            continue
    return targets


def _inside(targets: list[str], folder: Path) -> list[str]:
    return [t for t in targets if t.startswith(str(folder) + os.sep)]


def _with_a_leftover(data: Path) -> Path:
    """A file a crashed process named in the spool folder an hour ago."""
    leftover = data / "spool" / "body-left-by-a-crash"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x" * 1000)
    an_hour_ago = time.time() - 3600
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    return leftover


@pytest.fixture
def server(tmp_path, tiny_pipeline, monkeypatch) -> Iterator[dict]:
    """The app served by uvicorn in this process, its temporary folder one of the test's."""
    data, temporary = tmp_path / "svc", tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # what TMPDIR would set
    leftover = _with_a_leftover(data)
    app = create_app(tiny_pipeline, ServiceConfig(data_dir=data, worker_threads=0,
                                                  max_upload_bytes=CAP))
    _, key = app.state.service.store.create_key("archive")
    with served(app) as url:
        yield {"pid": os.getpid(), "port": int(url.rsplit(":", 1)[1]), "key": key,
               "spool": data / "spool", "tmp": temporary, "leftover": leftover}


@pytest.fixture(scope="module")
def serve_process(tmp_path_factory, shared_tiny_weights) -> Iterator[dict]:
    """A real `chronochrome serve`, TMPDIR a folder of the test's."""
    tmp_path = tmp_path_factory.mktemp("spool-serve")
    data, temporary = tmp_path / "svc", tmp_path / "tmp"
    temporary.mkdir()
    key = new_key(data, "archive")
    leftover = _with_a_leftover(data)
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"max_upload_bytes": CAP, "worker_threads": 0}))
    port = free_port()
    process = start_serve(data, shared_tiny_weights, port, tmp_path / "serve.log", "--config",
                          str(config), env={"TMPDIR": str(temporary)})
    try:
        yield {"pid": process.pid, "port": port, "key": key, "spool": data / "spool",
               "tmp": temporary, "leftover": leftover}
    finally:
        process.terminate()
        process.wait(timeout=60)


def _head(key: str, extra: str) -> bytes:
    return (f"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: image/png\r\n{extra}\r\n").encode()


def _answer_status(sock: socket.socket) -> int:
    sock.settimeout(30)
    head = b""
    while b"\r\n" not in head:
        piece = sock.recv(4096)
        if not piece:
            break
        head += piece
    return int(head.split(b" ", 2)[1])


def _noise_png(height: int, width: int) -> bytes:
    pixels = np.random.default_rng(1).integers(0, 256, (height, width, 3), np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG", compress_level=1)
    return out.getvalue()


def _start_up_removed_the_leftover(server: dict) -> None:
    assert not server["leftover"].exists()
    assert server["spool"].is_dir() and list(server["spool"].iterdir()) == []


def _a_body_left_half_sent_is_kept_in_the_spool_then_freed(server: dict) -> None:
    pid = server["pid"]
    with socket.create_connection(("127.0.0.1", server["port"])) as sock:
        sock.sendall(_head(server["key"], "Content-Length: 6000000\r\n") + b"\0" * 3_000_000)
        spooled = wait_for(lambda: _inside(_open_files(pid), server["spool"]))
        # Old: the body's file was TMPDIR's ("<tmp>/#5 (deleted)"), none under the data folder.
        assert _inside(_open_files(pid), server["tmp"]) == []
        assert spooled[0].endswith("(deleted)"), spooled  # no name: a crash leaves nothing
    # The client left with half its body sent: the file is freed.
    wait_for(lambda: not _inside(_open_files(pid), server["spool"]))
    assert list(server["spool"].iterdir()) == []


def _a_body_over_the_cap_is_refused_413_and_its_file_freed(server: dict) -> None:
    pid = server["pid"]
    with socket.create_connection(("127.0.0.1", server["port"])) as sock:
        sock.sendall(_head(server["key"], "Transfer-Encoding: chunked\r\n"))
        piece = b"%x\r\n%s\r\n" % (1 << 20, b"\0" * (1 << 20))
        try:
            for _ in range(CAP // (1 << 20) + 4):  # no Content-Length: found out as it comes
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):  # the server stopped reading
            pass
        assert _answer_status(sock) == 413
    wait_for(lambda: not _inside(_open_files(pid), server["spool"]))
    assert list(server["spool"].iterdir()) == []


def _uploads_taken_leave_nothing_and_never_touch_tmp(server: dict) -> None:
    """A raw body and a form (its file part a second spool file) of 5 MB each."""
    pid, seen, done = server["pid"], set(), threading.Event()

    def watch() -> None:  # the files come and go within the POST: looked at all along
        while not done.is_set():
            seen.update(_open_files(pid))
            time.sleep(0.002)

    photo = _noise_png(1000, 1700)
    assert len(photo) > 4_000_000
    auth = {"Authorization": f"Bearer {server['key']}"}
    url = f"http://127.0.0.1:{server['port']}/v1/jobs"
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        raw = httpx.post(url, headers={**auth, "Content-Type": "image/png"}, content=photo,
                         timeout=60)
        form = httpx.post(url, headers=auth, files={"file": ("scan.png", photo, "image/png")},
                          timeout=60)
    finally:
        done.set()
        watcher.join()
    assert raw.status_code == 202 and form.status_code == 202, (raw.text, form.text)
    assert _inside(sorted(seen), server["tmp"]) == []
    assert _inside(sorted(seen), server["spool"]), "no body was kept in the spool folder"
    assert not _inside(_open_files(pid), server["spool"])
    assert list(server["spool"].iterdir()) == []


_CHECKS = [_start_up_removed_the_leftover, _a_body_left_half_sent_is_kept_in_the_spool_then_freed,
           _a_body_over_the_cap_is_refused_413_and_its_file_freed,
           _uploads_taken_leave_nothing_and_never_touch_tmp]


@pytest.mark.parametrize("check", _CHECKS, ids=lambda check: check.__name__.strip("_"))
def test_bodies_are_spooled_in_the_data_folder(server, check):
    check(server)


@pytest.mark.slow
def test_a_serve_process_spools_in_its_data_folder_not_tmpdir(serve_process):
    """The same checks, in order, on a real `chronochrome serve` whose TMPDIR is watched."""
    for check in _CHECKS:
        check(serve_process)
