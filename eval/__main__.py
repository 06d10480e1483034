"""`python -m eval <command> [options]`: every benchmark under one command.

    python -m eval report --limit 5      # = python -m eval.report --limit 5
    python -m eval bench                 # = python -m eval.bench_speed (speed)
    python -m eval real_photos --help    # each command takes its module's own options

These were `chronochrome eval` and `chronochrome bench`; they live here so that the colorizer
package never imports eval.
"""

from __future__ import annotations

import importlib
import sys

# command -> (module whose `main(argv)` runs it, what it does)
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("eval.report", "colorize color photos' luminance, compare with the originals"),
    "bench": ("eval.bench_speed", "speed benchmark"),
    "bench_start": ("eval.bench_start", "start-up: --help, the first photo, photos after it"),
    "bench_throughput": ("eval.bench_throughput",
                         "photos/s through the batch writer: local, Ray, GPU"),
    "real_photos": ("eval.real_photos", "old color photos under three hint conditions"),
    "blobs": ("eval.blobs", "isolated saturated blobs on black-and-white photos"),
    "flag_scenes": ("eval.flag_scenes", "flags unlike the training renders"),
    "flag_bench": ("eval.flag_bench", "flag scenes: red Soviet flags, other flags' colors"),
    "operating_point": ("eval.operating_point", "choose the decoding operating point"),
    "tradeoff": ("eval.tradeoff", "truth against vividness: sweep and pick a point"),
    "tune_transfer": ("eval.tune_transfer", "choose the exemplar transfer's gate"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    return "usage: python -m eval <command> [options]\n\ncommands:\n" + "\n".join(
        f"  {name:<{width}}  {about}" for name, (_, about) in COMMANDS.items())


def main(argv: list[str] | None = None) -> int:
    """Run one benchmark's `main` with the remaining options; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    outcome = importlib.import_module(COMMANDS[name][0]).main(rest)
    # Some benchmarks return their report (a dict) for Python callers: that is success.
    return outcome if isinstance(outcome, int) else 0


if __name__ == "__main__":
    sys.exit(main())
