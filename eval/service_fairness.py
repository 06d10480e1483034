"""How long a small job of one department waits behind a big job of another, over real HTTP.

    python -m eval.service_fairness --photos /tmp/svcfair/photos            # 500 items, 60 s
    python -m eval.service_fairness --photos DIR --items 200 --delay 20 --weights MODEL
    python -m eval.service_fairness --photos DIR --only admission --items 500   # seconds

Starts `chronochrome serve` (one worker, no context, 64-px renders) as a subprocess on a free
port with a fresh data folder and two API keys (`keys create`). Department A posts one job of
`--items` photos (cycled from `--photos`, small copies run quickly); `--delay` seconds later
department B posts a one-item job. Prints how long B waited for its result and how many of A's
items were done by then: with first-come first-served scheduling B waited for all of A.

Admission (`--only admission`): a service with no worker and `--queue-cap` 2 x `--items` (the
default 1,000 for 500); A posts two jobs of `--items` photos, then B posts one photo. Prints
each answer's status and reason: with one cap shared by all keys B got 429 `queue_full`; with
per-key shares (`key_share`, half the cap by default) A's second job gets 429
`key_share_full` and B's photo 202.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

_CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main())"  # `chronochrome`


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chronochrome(*argv: str) -> str:
    done = subprocess.run([sys.executable, "-c", _CLI, *argv], capture_output=True, text=True,
                          check=True)
    return done.stdout


def _new_key(data_dir: Path, name: str) -> str:
    out = _chronochrome("keys", "create", "--name", name, "--data-dir", str(data_dir))
    return next(word for word in out.split() if word.startswith("cc_"))


def _serve(data_dir: Path, port: int, log: Path, weights: Path | None,
           *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-c", _CLI, "serve", "--data-dir", str(data_dir), "--port",
               str(port), "--device", "cpu", "--no-context", "--render-size", "64", *extra]
    if weights is not None:
        command += ["--weights", str(weights)]
    server = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.time() + 300
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("the service stopped: " + log.read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the service did not start: " + log.read_text()[-2000:])


def _post(base: str, key: str, photos: list[Path], count: int) -> httpx.Response:
    files = [("file", (f"{n}.jpg", photos[n % len(photos)].read_bytes(), "image/jpeg"))
             for n in range(count)]
    return httpx.post(f"{base}/v1/jobs", files=files, timeout=120,
                      headers={"Authorization": f"Bearer {key}"})


def _post_job(base: str, key: str, photos: list[Path], count: int) -> str:
    answer = _post(base, key, photos, count)
    if answer.status_code != 202:
        raise SystemExit(f"POST /v1/jobs answered {answer.status_code}: {answer.text[:500]}")
    return answer.headers["location"]


def _counts(location: str, key: str) -> dict[str, Any]:
    view = httpx.get(location, params={"limit": 0}, timeout=30,
                     headers={"Authorization": f"Bearer {key}"}).json()
    return {"state": view["state"], "counts": view["counts"]}


def measure(photos: list[Path], items: int, delay: float, weights: Path | None,
            timeout: float) -> dict[str, Any]:
    """Run the scenario once; the figures as a dict."""
    scratch = Path(tempfile.mkdtemp(prefix="chronochrome-fairness-"))
    data_dir = scratch / "svc"
    key_a, key_b = _new_key(data_dir, "department-a"), _new_key(data_dir, "department-b")
    port = _free_port()
    server = _serve(data_dir, port, scratch / "serve.log", weights)
    base = f"http://127.0.0.1:{port}"
    try:
        job_a = _post_job(base, key_a, photos, items)
        time.sleep(delay)
        posted = time.monotonic()
        job_b = _post_job(base, key_b, photos, 1)
        while _counts(job_b, key_b)["state"] in ("queued", "running"):
            if time.monotonic() - posted > timeout:
                break
            time.sleep(0.5)
        waited = time.monotonic() - posted
        a_then, b_then = _counts(job_a, key_a), _counts(job_b, key_b)
    finally:
        server.terminate()
        server.wait(timeout=90)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"items_a": items, "delay_s": delay, "b_waited_s": round(waited, 1),
            "b_state": b_then["state"], "a_counts_when_b_ended": a_then["counts"],
            "timed_out": waited > timeout}


def measure_admission(photos: list[Path], items: int, weights: Path | None) -> dict[str, Any]:
    """A's two jobs of `items`, then B's one photo, against a queue of 2 x `items` that no
    worker drains: each answer's status, reason and Retry-After."""
    scratch = Path(tempfile.mkdtemp(prefix="chronochrome-admission-"))
    data_dir = scratch / "svc"
    keys = {"A": _new_key(data_dir, "department-a"), "B": _new_key(data_dir, "department-b")}
    port = _free_port()
    server = _serve(data_dir, port, scratch / "serve.log", weights, "--workers", "0",
                    "--queue-cap", str(2 * items))
    answers = []
    try:
        for who, count in (("A", items), ("A", items), ("B", 1)):
            answer = _post(f"http://127.0.0.1:{port}", keys[who], photos, count)
            body = answer.json()
            answers.append({"key": who, "items": count, "status": answer.status_code,
                            "reason": body.get("reason"),
                            "retry_after": answer.headers.get("retry-after")})
    finally:
        server.terminate()
        server.wait(timeout=90)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"queue_cap": 2 * items, "answers": answers,
            "b_admitted": answers[-1]["status"] == 202}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, required=True, help="a folder of small photos")
    parser.add_argument("--items", type=int, default=500, help="items of department A's job")
    parser.add_argument("--delay", type=float, default=60.0,
                        help="seconds between A's job and B's")
    parser.add_argument("--weights", type=Path, default=None, help="default: embedded")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="stop waiting for B after this many seconds")
    parser.add_argument("--only", choices=("scheduling", "admission"), default=None,
                        help="run one of the two scenarios (default: both)")
    args = parser.parse_args(argv)
    photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if not photos:
        raise SystemExit(f"no .jpg or .png photos in {args.photos}")
    if args.only != "admission":
        print(json.dumps(measure(photos, args.items, args.delay, args.weights, args.timeout)))
    if args.only != "scheduling":
        print(json.dumps({"admission": measure_admission(photos, args.items, args.weights)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
