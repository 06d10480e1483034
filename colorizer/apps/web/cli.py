"""`chronochrome web`: the workbench page on this machine. Wired into `colorizer.apps.cli` by

    add_web_parser(sub)                       # in build_parser()
    handlers["web"] = run_web

The app, the pipeline and uvicorn are imported when the command runs, so `chronochrome
--help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from colorizer.apps.c2pa_cli import add_c2pa_arguments, signer_from_arguments
from colorizer.apps.local_hosts import is_loopback
from colorizer.apps.pipeline_arguments import add_pipeline_arguments
from colorizer.errors import ChronochromeError

log = logging.getLogger("chronochrome.web")


def add_web_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("web", help="the workbench: open a photo, compare, edit its context, "
                                   "place color hints (a local web page)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default loopback: only this machine; opening "
                        "paths and service jobs works only on a loopback address)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    p.add_argument("--allow-dir", action="append", type=Path, default=None, metavar="DIR",
                   help="a folder whose photos the page may open by path (repeatable; "
                        "default: the current folder)")
    p.add_argument("--max-photos", type=int, default=8,
                   help="photos kept open in memory (default 8; the oldest is closed first)")
    p.add_argument("--max-upload-mb", type=int, default=None,
                   help="refuse files larger than this many MB (default 40; a 12000x9000 "
                        "16-bit PNG scan of 157 MB needs --max-upload-mb 160)")
    p.add_argument("--max-memory-mb", type=int, default=None,
                   help="MB the open photos may hold together (default 2000; past it the "
                        "oldest is closed first, the page says so; a 108 MP scan holds "
                        "about 450 MB, 16-bit about 650 MB plus its file)")
    add_pipeline_arguments(p)  # colorize's: weights, device, --max-pixels, decoding, retrieval
    add_c2pa_arguments(p)  # colorize's --c2pa-cert/--c2pa-key: every download signed


def _limits(args: argparse.Namespace) -> dict[str, int]:
    """The WebConfig limits given on the command line (the rest keep their defaults);
    --max-pixels is checked with colorize's and serve's (pipeline_arguments.checked_settings)."""
    upload = "number of MB, such as --max-upload-mb 160 for a 157 MB scan"
    given = {"max_upload_bytes": ("--max-upload-mb", args.max_upload_mb, 1_000_000, upload),
             "max_memory_bytes": ("--max-memory-mb", args.max_memory_mb, 1_000_000,
                                  "number of MB, such as --max-memory-mb 4000")}
    limits = {} if args.max_pixels is None else {"max_pixels": args.max_pixels}
    for field, (flag, value, unit, example) in given.items():
        if value is None:
            continue
        if value < 1:
            raise ChronochromeError(f"{flag} {value}: give a positive {example}")
        limits[field] = value * unit
    return limits


def run_web(args: argparse.Namespace) -> int:
    from colorizer.apps.pipeline_arguments import check_weights, checked_settings, library_config
    from colorizer.apps.web.config import WebConfig

    # As colorize and serve, before the port and the model (--max-pixels among them).
    settings = checked_settings(args)
    limits = _limits(args)
    check_weights(args.weights)
    library = library_config(args.library)

    roots = args.allow_dir or [Path.cwd()]
    for root in roots:
        if not root.is_dir():
            raise ChronochromeError(f"--allow-dir {root}: not a folder")
    local = is_loopback(args.host)
    if not local:
        log.warning("listening on %s: the workbench is reachable from other machines; it "
                    "will not open paths or service jobs there", args.host)
    try:
        config = WebConfig(max_photos=args.max_photos, local=local, path_roots=tuple(roots),
                           **limits)
    except ValueError as exc:
        raise ChronochromeError(f"bad setting: {exc}") from exc
    # As colorize: the files checked and a 1x1 image signed before the port and the model.
    signer = signer_from_arguments(args)
    from colorizer.apps.service.server_process import listen

    # The port is taken before the model loads (uvicorn found a busy one only after it, with
    # an `[Errno 98]` line and exit 3, under a URL already printed as up).
    sock = listen(args.host, args.port, in_use=(
        f"--port {args.port}: {args.host}:{args.port} is already in use (another workbench or "
        f"program listens there); stop it, or pass another --port such as --port "
        f"{args.port + 1}"))
    import uvicorn

    from colorizer.apps.web.app import create_app
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipeline = ColorizationPipeline.from_pretrained(
        args.weights, device=args.device, context=not args.no_context,
        exemplars=not args.no_exemplars, retriever_config=library, **settings)
    if signer is not None:  # a curator sees the downloads are signed, and with what
        print(f"workbench: every download is C2PA-signed with the certificate in "
              f"{args.c2pa_cert}", file=sys.stderr)
    print(f"workbench: http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    app = create_app(pipeline, config, signer)
    uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port,
                                  log_level="warning")).run(sockets=[sock])
    return 0

