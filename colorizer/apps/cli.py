"""The `chronochrome` command line: colorize, context, train, serve, keys, results, web, library,
check, report.

This module builds the parser from each command's own (colorize_arguments, train_command,
context/cli.py, service/cli.py, web/cli.py, retrieval/cli.py, check/cli.py) and dispatches to
its handler; `chronochrome` (pyproject's [project.scripts]) and `python -m colorizer.apps.cli`
run `main`. Benchmarks live in the eval package (`python -m eval report`, `python -m eval
bench`): the colorizer package never imports eval.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

from colorizer.apps.colorize_arguments import add_colorize_parser
from colorizer.apps.colorize_command import run_colorize
from colorizer.apps.model_backed_commands import run_context, run_library
from colorizer.apps.stop_signals import exit_code, stop_on_signals, stopped_by
from colorizer.apps.train_command import add_train_parser, run_train
from colorizer.errors import ChronochromeError


def _package_version() -> str:
    from colorizer import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chronochrome", description="Context-aware colorizer for historical photographs")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    # What an admin checks after an install ("--version" was a usage error, exit 2).
    parser.add_argument("--version", action="version",
                        version=f"chronochrome {_package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    add_colorize_parser(sub)
    from context.cli import add_context_parser

    add_context_parser(sub)
    add_train_parser(sub)
    from colorizer.apps.service.cli import add_service_parsers
    from colorizer.apps.web.cli import add_web_parser
    from retrieval.cli import add_library_parser

    add_service_parsers(sub)
    add_web_parser(sub)
    add_library_parser(sub)
    from colorizer.check.cli import add_check_parsers

    add_check_parsers(sub)
    return parser


def _unrecognized(unknown: list[str]) -> str:
    """argparse's words for arguments it does not know, with the fix for a file whose name
    starts with '-' (a scanner's "-001.tif"), which it reads as an option."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    files = [arg for arg in unknown if arg.startswith("-") and Path(arg).exists()]
    if files:
        message += (f"; {files[0]} is a file: write ./{files[0]}, or put -- before the "
                    "file names")
    return message


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(_unrecognized(unknown))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    # faiss logs which CPU builds it tried, in lines that read like failures.
    logging.getLogger("faiss.loader").setLevel(logging.DEBUG if args.verbose
                                                else logging.WARNING)
    from colorizer.apps.service.cli import run_service_command
    from colorizer.apps.web.cli import run_web
    from colorizer.check.cli import run_command as run_check_command

    handlers = {"check": run_check_command, "report": run_check_command,
                "colorize": run_colorize, "context": run_context, "train": run_train,
                "serve": run_service_command, "keys": run_service_command,
                "results": run_service_command, "library": run_library, "web": run_web}
    # A batch stops on SIGTERM and SIGHUP as on Ctrl-C (apps.stop_signals): summary, no
    # traceback. Other commands keep Python's defaults (the service sets its own handlers).
    stopping = stop_on_signals() if args.command == "colorize" else contextlib.nullcontext()
    try:
        with stopping:
            return handlers[args.command](args)
    except ChronochromeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"{stopped_by(exc)} before any photo was written", file=sys.stderr)
        return exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
