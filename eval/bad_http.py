"""Bad and hostile requests against a real running service, as an attacker would send them.

    python -m eval.bad_http [--weights DIR] [--only WORD] [--no-big] [--out eval/results]

`chronochrome serve` runs as a subprocess on a loopback port with its own data folder; every
case (eval/bad_http_cases.py: bad auth, methods, ids, malformed and deep JSON, huge headers and
bodies, a body that never arrives, bad and bomb images, hostile URLs, redirects, info.json and
IIIF manifests from a local upstream server) is sent as raw bytes over a socket; then the timed
scenarios of eval/bad_http_scenarios.py (request headers sent a byte at a time; a result that
outlives the result retention, which the suite sets to a few seconds, so the server's sweeper
runs throughout). Jobs the service accepted are polled until every item has ended, so what the
worker makes of a bad source counts too. A 7000 x 7000 PNG (under the 50 MP cap) is then
colorized as a job, for the server's peak memory.

Printed and written (bad-http.json, bad-http.md): each case's status and reason, and the rules:
0 answers with status 500, 0 tracebacks in the server's log, 0 hangs, 0 scenario answers other
than the one they must have (408, 410 ...), 0 items ending as `worker_crashed`, the server
alive at the end, peak RSS of the server <= 2 GB. Exits 1 when a rule is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from eval.bad_http_cases import Request, Upstream, bomb_png, build_requests, raw_bytes
from eval.bad_http_scenarios import (
    HEADER_TIMEOUT,
    RETENTION,
    SWEEP,
    expired_result,
    slow_headers,
)
from eval.bad_http_wire import Answer, exchange, send
from eval.common import RESULTS_DIR, parse_eval_args

__all__ = ["Answer", "Service", "run_suite", "send", "settle_jobs"]

REPO = Path(__file__).resolve().parent.parent
MAX_RSS_MB = 2048
MAX_UPLOAD = 8 * 1024 * 1024  # the suite's upload cap: the 'above the cap' bodies stay small
RECEIPT_TIMEOUT = 3.0  # the suite's request-receipt timeout (slow-loris case)


class Service:
    """`chronochrome serve` in a subprocess, on a free loopback port."""

    def __init__(self, root: Path, weights: Path | None, upstream_host: str,
                 context: bool = False, short_retention: bool = False) -> None:
        self.root, self.data = root, root / "svc"
        config = {"max_upload_bytes": MAX_UPLOAD, "job_max_items": 20,
                  "request_timeout_seconds": RECEIPT_TIMEOUT,
                  "header_timeout_seconds": HEADER_TIMEOUT,
                  "fetch": {"trusted_hosts": [upstream_host], "total_timeout": 5.0}}
        if short_retention:  # the sweeper runs through the whole suite, under hostile load
            config.update(result_retention_seconds=RETENTION, retention_sweep_seconds=SWEEP)
        (root / "service.json").write_text(json.dumps(config))
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
        self.key = self._cli("keys", "create", "--name", "suite").strip().splitlines()[0]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = (root / "server.log").open("w+b")
        argv = ["serve", "--data-dir", str(self.data), "--config", str(root / "service.json"),
                "--port", str(self.port), "--device", "cpu"]
        argv += [] if context else ["--no-context"]
        argv += ["--weights", str(weights)] if weights else []
        self.proc = subprocess.Popen([sys.executable, "-m", "colorizer.apps.cli", *argv],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env,
                                     stdin=subprocess.DEVNULL, cwd=root)
        self._wait_alive(180)

    def _cli(self, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", *args,
                               "--data-dir", str(self.data)], env=self.env, check=True,
                              capture_output=True, text=True, timeout=120).stdout

    def _wait_alive(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited at start:\n{self.log_text()[-3000:]}")
            if self.alive():
                return
            time.sleep(0.5)
        raise RuntimeError("the service did not answer /livez within 180 s")

    def alive(self) -> bool:
        try:
            answer = send(Request("livez", path="/livez", auth=None), self, timeout=5)
        except ConnectionRefusedError:
            return False
        return answer.status == 200

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def json(self, path: str) -> Any:
        raw = exchange(raw_bytes(Request("poll", path=path), self.key, self.host), self, 30)
        return json.loads(raw.partition(b"\r\n\r\n")[2] or b"null")

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log_text(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def settle_jobs(service: Service, job_ids: list[str], seconds: float) -> list[dict[str, Any]]:
    """Poll the accepted jobs until every item has ended; their items' final states."""
    deadline, items = time.monotonic() + seconds, []
    for job_id in job_ids:
        while True:
            job = service.json(f"/v1/jobs/{job_id}")
            pending = [i for i in job.get("items", []) if i["status"] in ("queued", "running")]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        items += [{"job": job_id, "index": n, "status": i["status"],
                   "error": (i.get("error") or {}).get("reason") if isinstance(
                       i.get("error"), dict) else i.get("error")}
                  for n, i in enumerate(job.get("items", []))]
    return items


def run_suite(root: Path, weights: Path | None = None, only: str = "", big: bool = True,
              groups: tuple[str, ...] = ()) -> dict[str, Any]:
    """Start the service, send every case (of `groups`, when given, whose name holds
    `only`), settle the jobs; the figures as a dict."""
    upstream = Upstream()
    service = Service(root, weights, "127.0.0.1", short_retention=True)
    try:
        cases = [c for c in build_requests(upstream.base, MAX_UPLOAD)
                 if only in c.name and (not groups or c.group in groups)]
        answers = [send(case, service) for case in cases]
        for group, scenario in (("header", slow_headers), ("retention", expired_result)):
            if (not groups or group in groups) and only in f"{group} {scenario.__name__}":
                answers += scenario(service)
        job_ids = [a.job_id for a in answers if a.job_id]
        if big:
            big_answer = send(Request("memory 7000x7000 PNG job", "POST", "/v1/jobs",
                                      {"Content-Type": "image/png"}, bomb_png(7000, 7000),
                                      group="memory"), service)
            answers.append(big_answer)
            job_ids += [big_answer.job_id] if big_answer.job_id else []
        items = settle_jobs(service, job_ids, 900)
        alive = service.alive()
        peak = service.peak_rss_mb()
    finally:
        service.stop()
        upstream.close()
    log = service.log_text()
    return summarize(answers, items, log, alive, peak)


def summarize(answers: list[Answer], items: list[dict[str, Any]], log: str, alive: bool,
              peak_mb: float) -> dict[str, Any]:
    figures = {
        "cases": len(answers),
        "status_500": sum(a.status == 500 for a in answers),
        "no_status": sum(a.status is None for a in answers),
        "hangs": sum(a.hang for a in answers),
        "scenario_answers": sum(a.expect is not None for a in answers),
        "scenario_unexpected": sum(a.unexpected for a in answers),
        "tracebacks": log.count("Traceback (most recent call last)"),
        "worker_crashed": sum(i["error"] == "worker_crashed" for i in items),
        "items_settled": sum(i["status"] not in ("queued", "running") for i in items),
        "items": len(items),
        "server_alive_at_end": alive,
        "server_peak_rss_mb": round(peak_mb),
    }
    figures["passed"] = (figures["status_500"] == 0 and figures["tracebacks"] == 0
                         and figures["hangs"] == 0 and figures["worker_crashed"] == 0
                         and figures["scenario_unexpected"] == 0
                         and figures["items_settled"] == figures["items"] and alive
                         and peak_mb <= MAX_RSS_MB)
    return {"figures": figures, "answers": [asdict(a) for a in answers], "items": items,
            "log_tail": _traceback_excerpts(log)}


def _traceback_excerpts(log: str, limit: int = 3) -> str:
    """The first tracebacks of the server's log, each with the line before it."""
    lines, out, n = log.splitlines(), [], 0
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)") and n < limit:
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j] and not lines[j].startswith((" ", "Traceback"))), i)
            out += lines[max(0, i - 2): i + 3] + ["  ..."] + lines[max(i + 3, end - 6): end + 1]
            n += 1
    return "\n".join(out)


def markdown(report: dict[str, Any]) -> str:
    f = report["figures"]
    lines = ["# HTTP bad-input suite (python -m eval.bad_http)", "",
             (f"{f['cases']} requests against `chronochrome serve` on loopback: "
              f"**{f['status_500']} answers with status 500**, {f['tracebacks']} tracebacks in "
              f"the server log, {f['hangs']} hangs, {f['no_status']} without a status line; "
              f"{f['scenario_unexpected']} of {f['scenario_answers']} scenario answers not the "
              "expected one; "
              f"{f['items']} job items settled {f['items_settled']}, {f['worker_crashed']} "
              f"worker_crashed; server alive at the end: {f['server_alive_at_end']}; server "
              f"peak RSS {f['server_peak_rss_mb']} MB (limit {MAX_RSS_MB} MB). "
              f"Passed: **{f['passed']}**."), "",
             "| case | group | status | reason | seconds |", "|---|---|---|---|---|"]
    for a in report["answers"]:
        reason = str(a["reason"]).replace("|", "/").replace("\n", " ")[:50]
        lines.append(f"| {a['name'][:60]} | {a['group']} | {a['status']} | {reason} | "
                     f"{a['seconds']:.2f} |")
    lines += ["", "Job items, as the worker ended them:", "", "| job | item | status | error |",
              "|---|---|---|---|"]
    lines += [f"| {i['job']} | {i['index']} | {i['status']} | {i['error']} |"
              for i in report["items"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=None, help="default: embedded weights")
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    parser.add_argument("--no-big", action="store_true", help="skip the 7000x7000 job")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parse_eval_args(parser, argv)
    with tempfile.TemporaryDirectory(prefix="bad-http-") as tmp:
        report = run_suite(Path(tmp), args.weights, args.only, big=not args.no_big)
    for a in report["answers"]:
        print(f"{a['name'][:52]:52s} {a['status']!s:4s} {a['seconds']:6.2f} s  "
              f"{str(a['reason'])[:50]}")
    print(json.dumps(report["figures"], indent=1))
    if report["log_tail"]:
        print(report["log_tail"])
    if not args.only:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bad-http.json").write_text(json.dumps(report, indent=1))
        (args.out / "bad-http.md").write_text(markdown(report))
    return 0 if report["figures"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
