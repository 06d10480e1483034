"""`python -m eval <command> [options]`: every benchmark under one command.

    python -m eval report --limit 5      # = python -m eval.report --limit 5 (a partial run:
                                         #   written under /tmp, not eval/results)
    python -m eval bench                 # = python -m eval.bench_speed (speed)
    python -m eval real_photos --help    # each command takes its module's own options
    python -m eval --help                # every command

Every eval module (or package) with a `main` and a `python -m eval.<name>` entry is a command
under its own name, a package's own such modules included (`color_hints.bound`); COMMANDS
adds the aliases and the descriptions of the primary ones.
These were `chronochrome eval` and `chronochrome bench`; they live here so that the colorizer
package never imports eval.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent

# command -> (module whose `main(argv)` runs it, what it does): aliases and the primary ones.
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


def _summary(source: Path) -> str:
    """The first paragraph of a module's docstring on one line (a first sentence may wrap),
    without the `python -m ...:` prefix."""
    doc = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8"))) or ""
    line = " ".join(doc.strip().split("\n\n", 1)[0].split())
    return line.split("`: ", 1)[-1] if line.startswith("`") else line


def _runnable(path: Path) -> bool:
    """A module that `python -m` runs: a `main` and a `__main__` guard."""
    text = path.read_text(encoding="utf-8")
    return "\ndef main(" in text and '__name__ == "__main__"' in text


def discovered_commands() -> dict[str, tuple[str, str]]:
    """Every `python -m eval.<name>` there is, at any depth, by name: a module with `main` and
    a `__main__` guard (`color_hints.bound` for eval/color_hints/bound.py), or a package with
    `__main__.py` (its `cli` module's `main`), read from the files, not imported."""
    found: dict[str, tuple[str, str]] = {}
    for path in EVAL_DIR.rglob("*.py"):
        parts = path.relative_to(EVAL_DIR).with_suffix("").parts
        if path.name == "__main__.py" and len(parts) > 1:
            name, package = ".".join(parts[:-1]), path.parent
            module = f"eval.{name}.cli" if (package / "cli.py").is_file() else f"eval.{name}"
            found[name] = (module, _summary(package / "__init__.py"))
        elif path.stem not in ("__init__", "__main__") and _runnable(path):
            name = ".".join(parts)
            found[name] = (f"eval.{name}", _summary(path))
    return dict(sorted(found.items()))


def all_commands() -> dict[str, tuple[str, str]]:
    """The aliases and primary commands first, then every other eval module, by name."""
    return {**COMMANDS, **{k: v for k, v in discovered_commands().items() if k not in COMMANDS}}


def usage(commands: dict[str, tuple[str, str]] | None = None) -> str:
    commands = all_commands() if commands is None else commands
    width = max(map(len, commands))
    return "usage: python -m eval <command> [options]\n\ncommands:\n" + "\n".join(
        f"  {name:<{width}}  {about}" for name, (_, about) in commands.items())


def main(argv: list[str] | None = None) -> int:
    """Run one benchmark's `main` with the remaining options; returns an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = all_commands()
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(commands), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in commands:
        print(f"error: unknown command {name!r}; the commands are: {', '.join(commands)}",
              file=sys.stderr)
        return 2
    from eval.common import quiet_faiss

    quiet_faiss()  # each benchmark's own logging setup does the same
    outcome = importlib.import_module(commands[name][0]).main(rest)
    # Some benchmarks return their report (a dict) for Python callers: that is success.
    return outcome if isinstance(outcome, int) else 0


if __name__ == "__main__":
    sys.exit(main())
