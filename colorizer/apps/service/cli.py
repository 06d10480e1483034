"""`chronochrome serve`, `chronochrome keys` and `chronochrome results`; wired into
`colorizer.apps.cli` by

    add_service_parsers(sub)                  # in build_parser()
    handlers["serve"] = handlers["keys"] = handlers["results"] = run_service_command

and the entry point of `python -m colorizer.apps.service.worker` (`worker_main`). This is the
top of the service's imports: nothing in the service imports it. The heavy modules (the app,
the pipeline, uvicorn) are imported when a command runs, so `chronochrome --help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colorizer.apps.c2pa_cli import add_c2pa_arguments
from colorizer.apps.local_hosts import is_loopback
from colorizer.apps.pipeline_arguments import add_pipeline_arguments
from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from colorizer.apps.outputs import Signer
    from colorizer.apps.service.config import ServiceConfig
    from colorizer.apps.service.store import JobStore
    from colorizer.pipeline.colorization import ColorizationPipeline

log = logging.getLogger("chronochrome.service")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder for jobs.sqlite3 and results/ (default: "
                        "$CHRONOCHROME_SERVICE_DIR or ~/.local/share/chronochrome/service)")
    p.add_argument("--config", type=Path, default=None,
                   help="a JSON file of ServiceConfig fields (flags given here win)")


def add_service_parsers(sub: argparse._SubParsersAction) -> None:
    _add_serve_parser(sub)
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common)
    keys = sub.add_parser("keys", help="manage API keys of the HTTP service")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", parents=[common],
                                help="create a key and print it (shown only once)")
    create.add_argument("--name", required=True, help="who the key is for, e.g. 'city-archive'")
    actions.add_parser("list", parents=[common],
                       help="list keys (ids and names; secrets are not stored)")
    revoke = actions.add_parser("revoke", parents=[common], help="revoke a key by its id")
    revoke.add_argument("key_id", help="the key's id, as `chronochrome keys list` shows it "
                                       "(a key itself reads cc_<id>_...)")
    results = sub.add_parser("results", help="manage the HTTP service's stored results")
    actions = results.add_subparsers(dest="results_command", required=True)
    cleanup = actions.add_parser("cleanup", parents=[common], help=(
        "delete the results of jobs that ended before a cutoff, once (the server does it "
        "by itself every retention_sweep_seconds); their files then answer 410"))
    cleanup.add_argument("--older-than", default=None, help=(
        "jobs that ended this long ago: 7d, 12h, 90m, 0s (all finished jobs); default: the "
        "configured result retention"))
    cleanup.add_argument("--dry-run", action="store_true",
                         help="list what would be deleted; delete nothing")


def _add_serve_parser(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the HTTP service for archives (FastAPI + uvicorn)")
    _add_common(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default loopback only; put a TLS proxy in "
                            "front before exposing it)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--worker-only", action="store_true",
                       help="run only the job worker (no HTTP), against the same --data-dir")
    serve.add_argument("--workers", type=int, default=None,
                       help="in-process worker threads (default 1; 0 = use --worker-only "
                            "processes)")
    serve.add_argument("--torch-threads", type=int, default=None, help=(
        "torch threads per worker (default: this process's cores / --workers; a "
        "--worker-only process: all its cores, so give several of them cores / processes)"))
    serve.add_argument("--queue-cap", type=int, default=None,
                       help="queued and running items beyond which POST /v1/jobs answers 429 "
                            "(default 1000)")
    serve.add_argument("--per-key-queue-cap", type=int, default=None,
                       help="queued and running items one API key may hold; beyond it its "
                            "POST /v1/jobs answers 429 key_share_full (default: half of "
                            "--queue-cap; equal to it: no per-key shares)")
    serve.add_argument("--lease-seconds", type=float, default=None,
                       help="how long a worker holds an item before another may take it "
                            "(default 120; renewed while it works)")
    serve.add_argument("--result-retention", default=None, help=(
        "delete a finished job's results this long after it ended: 30d, 12h, never (default: "
        "$CHRONOCHROME_RESULT_RETENTION, else 30d)"))
    serve.add_argument("--header-timeout", type=float, default=None, help=(
        "seconds a client has to send a request's headers before a 408 closes the "
        "connection (default 10)"))
    serve.add_argument("--public-url", default=None, help=(
        "the address clients reach the service at, the base of every link it answers with "
        "(behind a proxy, e.g. https://archive.example.org/colorize; default: each request's)"))
    serve.add_argument("--forwarded-allow-ips", default=None, help=(
        "proxies whose X-Forwarded-Proto/-For/-Host/-Prefix headers are believed: IPs or "
        "networks, comma-separated, or * (default: $FORWARDED_ALLOW_IPS, else 127.0.0.1)"))
    serve.add_argument("--cors-origin", action="append", default=None, metavar="ORIGIN",
                       help="a browser origin that may call /v1/ with its key, e.g. "
                            "https://viewer.example.org (repeatable; default: any origin; "
                            "cors_origins: [] in --config turns CORS off)")
    serve.add_argument("--allow-host", action="append", default=None,
                       help="only fetch images from this host name (repeatable allowlist)")
    serve.add_argument("--metrics-token-file", type=Path, default=None,
                       help="file holding the operator's bearer token for /metrics (set it when "
                            "the port is reachable from other machines; API keys of archives "
                            "do not open /metrics)")
    add_c2pa_arguments(serve)  # colorize's and web's definition
    add_pipeline_arguments(serve)  # colorize's: weights, device, --max-pixels, decoding, ...
    serve.add_argument("--log-format", choices=("text", "json"), default=None, help=(
        "text lines, or JSON lines for a log collector (default: $CHRONOCHROME_LOG_FORMAT, "
        "else text)"))


def service_config(args: argparse.Namespace) -> ServiceConfig:
    """The ServiceConfig of --config, the environment and the flags; a bad value is an error
    that names it (a ValueError from the config would otherwise end in a traceback)."""
    try:
        return _service_config(args)
    except ValueError as exc:
        raise ChronochromeError(f"invalid service settings: {exc}") from None


def _service_config(args: argparse.Namespace) -> ServiceConfig:
    from colorizer.apps.c2pa_config import config_from_flags
    from colorizer.apps.pipeline_arguments import check_max_pixels
    from colorizer.apps.service.config import ServiceConfig, parse_duration

    config = ServiceConfig.from_json(args.config) if args.config else ServiceConfig()
    changes: dict[str, Any] = {}
    if args.data_dir is not None:
        changes["data_dir"] = args.data_dir
    if getattr(args, "max_pixels", None) is not None:  # serve's: in colorize's words
        check_max_pixels(args.max_pixels)
        changes["max_pixels"] = args.max_pixels
    for flag, name in (("workers", "worker_threads"), ("torch_threads", "torch_threads"),
                       ("queue_cap", "queue_cap"), ("per_key_queue_cap", "per_key_queue_cap"),
                       ("lease_seconds", "lease_seconds"), ("public_url", "public_url"),
                       ("forwarded_allow_ips", "forwarded_allow_ips"),
                       ("header_timeout", "header_timeout_seconds")):
        value = getattr(args, flag, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "result_retention", None) is not None:
        changes["result_retention_seconds"] = parse_duration(args.result_retention,
                                                             "--result-retention")
    if getattr(args, "cors_origin", None):
        changes["cors_origins"] = tuple(args.cors_origin)
    if getattr(args, "allow_host", None):
        changes["fetch"] = replace(config.fetch, allowed_hosts=tuple(args.allow_host))
    token_file = getattr(args, "metrics_token_file", None)
    if token_file is not None:
        changes["metrics_token"] = _read_token(token_file)
    c2pa = config_from_flags(getattr(args, "c2pa_cert", None), getattr(args, "c2pa_key", None))
    if c2pa is not None:
        changes["c2pa"] = c2pa
    return config.with_changes(**changes)


def _read_token(path: Path) -> str:
    """The metrics token of --metrics-token-file; a missing file is one line, not a traceback."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise ChronochromeError(f"cannot read --metrics-token-file {path} ({why}): write the "
                                "token into it (readable by the service's user only)") from None


def _pipeline(args: argparse.Namespace, config: ServiceConfig) -> ColorizationPipeline:
    """The model of `args`, capped at the service's `max_pixels` (--max-pixels, or --config's:
    given only there, the uploads were capped but reference photos and hint masks were not)."""
    from colorizer.apps.pipeline_arguments import checked_settings, library_config
    from colorizer.pipeline.colorization import ColorizationPipeline

    return ColorizationPipeline.from_pretrained(
        args.weights, device=args.device, context=not args.no_context,
        exemplars=not args.no_exemplars, retriever_config=library_config(args.library),
        **checked_settings(args, max_pixels=config.max_pixels))


def run_service_command(args: argparse.Namespace) -> int:
    from colorizer.apps.service.data_owner import check_owner

    config = service_config(args)
    # Before anything is opened or made: files of another user break the service (data_owner).
    check_owner(config.data_dir, _command_words(args))
    if args.command == "keys":
        return _run_keys(args, config)
    if args.command == "results":
        from colorizer.apps.service.cleanup_cli import run_cleanup

        return run_cleanup(config, args.older_than, args.dry_run)
    _log_to_stderr(args)
    from colorizer.apps.pipeline_arguments import check_weights, checked_settings, library_config

    # As colorize and web, before the port and the model: a --render-size 8 was a traceback.
    checked_settings(args)
    check_weights(args.weights)
    library_config(args.library)
    set_torch_threads(config, args.worker_only)
    signer = _signer(config)  # a bad certificate is told before the model loads (seconds)
    if args.worker_only:
        return _run_worker(config, _pipeline(args, config), signer)
    return _run_server(args, config, signer)


def _log_to_stderr(args: argparse.Namespace) -> None:
    """The service's log format (service_logging); a bad $CHRONOCHROME_LOG_FORMAT is one line."""
    from colorizer.apps.service.service_logging import configure_logging, log_format

    try:
        fmt = log_format(getattr(args, "log_format", None))
    except ValueError as exc:
        raise ChronochromeError(str(exc)) from None
    configure_logging(fmt, logging.DEBUG if getattr(args, "verbose", False) else logging.INFO)


def _signer(config: ServiceConfig) -> Signer | None:
    """The C2PA signer of the configured certificate (its checks and a trial signature)."""
    if config.c2pa is None:
        return None
    from colorizer.apps.service.signing import C2paSigner

    return C2paSigner(config.c2pa)


def available_cores() -> int:
    """The cores this process may run on (its affinity: a container's or taskset's share)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def set_torch_threads(config: ServiceConfig, worker_only: bool) -> int:
    """Set torch's intra-op threads once, before the pipeline loads; returns the count."""
    import torch

    threads = config.torch_threads_per_worker(available_cores(), worker_only)
    torch.set_num_threads(threads)
    log.info("torch: %d threads per worker", threads)
    return threads


def _command_words(args: argparse.Namespace) -> str:
    """The command as typed ("keys create", "serve --worker-only"), for a message to repeat."""
    sub = getattr(args, "keys_command", None) or getattr(args, "results_command", None)
    words = f"{args.command} {sub}" if sub else args.command
    return words + (" --worker-only" if getattr(args, "worker_only", False) else "")


def _run_keys(args: argparse.Namespace, config: ServiceConfig) -> int:
    from colorizer.apps.service.store import JobStore

    if args.keys_command != "create":
        config.require_database()
    store = JobStore(config.db_path)
    if args.keys_command == "create":
        key_id, secret = store.create_key(args.name)
        print(secret)
        print(f"key {key_id} for {args.name!r} created in {config.db_path}; the key above is "
              "shown only this once (only its hash is stored)", file=sys.stderr)
    elif args.keys_command == "list":
        for key in store.list_keys():
            state = "revoked" if key["revoked"] else "active"
            created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(key["created"]))
            print(f"{key['id']}\t{key['name']}\t{state}\t{created}")
    elif not store.revoke_key(args.key_id):
        print(f"error: no key {args.key_id}; see `chronochrome keys list`", file=sys.stderr)
        return 1
    else:  # the service reads keys per request: no restart needed
        print(f"key {args.key_id} revoked: requests with it are refused (401) from now on",
              file=sys.stderr)
    return 0


def _run_server(args: argparse.Namespace, config: ServiceConfig, signer: Signer | None) -> int:
    from colorizer.apps.service.app import create_app
    from colorizer.apps.service.server_process import listen, serve

    if not is_loopback(args.host):
        log.warning("listening on %s: the service is reachable from other machines; keep TLS "
                    "in front of it", args.host)
        if config.metrics_token is None:
            log.warning("/metrics is open to anyone who reaches the port; give "
                        "--metrics-token-file (or metrics_token in --config) to restrict it")
    # The port first: refused (in use, not this machine's), it leaves the data folder as it
    # was. The store and the model then open in the order that leaves it so too (see below).
    sock = listen(args.host, args.port)
    try:
        store, pipeline = _store_and_pipeline(args, config)
    except BaseException:
        sock.close()
        raise
    app = create_app(pipeline, config, signer=signer, store=store)
    serve(app, sock, config.header_timeout_seconds, config.max_connections,
          config.retry_after_seconds)  # forwarded headers: the app's
    return 0


def _store_and_pipeline(args: argparse.Namespace,
                        config: ServiceConfig) -> tuple[JobStore, ColorizationPipeline]:
    """The job store and the model. A folder that cannot hold the database is told before the
    model loads (seconds), by opening the store first; a fresh folder that can is opened after
    the model, so that a bad --weights leaves no empty jobs.sqlite3 behind."""
    from colorizer.apps.service.store import JobStore

    if config.db_path.exists() or not _can_create(config.db_path.parent):
        store = JobStore(config.db_path, config.queue_cap, config.max_attempts)
        return store, _pipeline(args, config)
    pipeline = _pipeline(args, config)
    return JobStore(config.db_path, config.queue_cap, config.max_attempts), pipeline


def _can_create(folder: Path) -> bool:
    """Whether `folder` is, or could be made under, a folder this process may write in. A
    folder still to make is made and removed again: a read-only disk says so only then (root
    passes `os.access`), and a refused start leaves nothing behind."""
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        return False
    if existing == folder.absolute():
        return True
    made = [folder.absolute(), *folder.absolute().parents]
    made = made[:made.index(existing)]  # the folders to make, deepest first
    try:
        folder.absolute().mkdir(parents=True)
    except OSError:
        return False
    for path in made:
        path.rmdir()
    return True


def _run_worker(config: ServiceConfig, pipeline: ColorizationPipeline,
                signer: Signer | None = None) -> int:
    from colorizer.apps.outputs import remove_stale_temp_files
    from colorizer.apps.service.liveness import ProcessLock, locks_dir, reclaim_dead
    from colorizer.apps.service.store import JobStore
    from colorizer.apps.service.worker import Worker

    store = JobStore(config.db_path, config.queue_cap, config.max_attempts)
    lock = ProcessLock(locks_dir(config.data_dir))  # a killed process's items: taken back now
    # A --worker-only process signs as the server's workers do (it wrote unsigned outputs).
    worker = Worker(pipeline, store, config, owner=lock.owner("0"), signer=signer)
    reclaim_dead(store, locks_dir(config.data_dir), lock.owner("webhooks"),
                 worker.webhooks.submit)
    worker.webhooks.start(lock.owner("webhooks"))  # stored retries, as they fall due
    remove_stale_temp_files(config.results_dir, config.lease_seconds)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # as the server stops
        signal.signal(signum, lambda *_: stop.set())  # finish the current item, then exit
    log.info("worker %s processing jobs in %s", worker.owner, config.db_path)  # (--log-format)
    worker.run(stop)
    # An attempt under way gets close's 5 s, as in `serve`; what is left is sent by the next
    # start. (It waited for every delivery handed over, up to 3 x fetch.total_timeout: 90 s.)
    if worker.webhooks.close():  # else the lock file stays: the next start sends what is left
        lock.release()  # `run` returned: no item is held
    return 0


def worker_main(argv: list[str] | None = None) -> int:
    """`python -m colorizer.apps.service.worker ARGS` = `chronochrome serve --worker-only ARGS`."""
    parser = argparse.ArgumentParser(prog="python -m colorizer.apps.service.worker")
    sub = parser.add_subparsers(dest="command", required=True)
    add_service_parsers(sub)
    args = parser.parse_args(["serve", "--worker-only", *(argv or [])])
    logging.basicConfig(level=logging.INFO)  # formatted by run_service_command (--log-format)
    return run_service_command(args)
