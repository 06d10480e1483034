"""The commands the documentation shows exist as shown: each `chronochrome ...` flag in the
parser of that subcommand, each `python -m MODULE` importable (or a `python -m eval` command)
with the flags it is shown with, each repository path it names on disk, and each option of
`--help` explained there. A user copies these lines verbatim; an unknown flag is exit 2."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from colorizer.apps.cli import build_parser
from eval import __main__ as eval_dispatcher

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted(ROOT.glob("colorizer/weights/*/MODEL_CARD.md")),
        *sorted(ROOT.glob("colorizer/weights/*/README.md")), ROOT / "context/models/MODEL_CARD.md"]
FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _text(path: Path) -> str:
    # Shell line continuations join a command's lines, as the shell reads them.
    return re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))


def _parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        found[path] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, path + (name,))

    walk(build_parser(), ())
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def chronochrome_commands(text: str) -> list[tuple[tuple[str, ...], str, str]]:
    """(subcommand path, flag, the line) for every flag of a `chronochrome ...` command in
    `text`: the command runs to the end of its line, a backtick or a `#` comment."""
    parsers = _parsers()
    out = []
    for line in text.splitlines():
        for match in re.finditer(r"(?<![\w/.-])chronochrome ([^`#\n]*)", line):
            words = match.group(1).split()
            path: tuple[str, ...] = ()
            for word in words[:2]:
                if path + (word,) in parsers:
                    path += (word,)
            out.extend((path, flag, line.strip()) for flag in FLAG.findall(match.group(1)))
    return out


def python_m_commands(text: str) -> list[tuple[str, list[str], str]]:
    """(module, flags, the line) for every `python -m MODULE ...` in `text`, a
    `python -m eval COMMAND` resolved to its module."""
    out = []
    commands = {**eval_dispatcher.discovered_commands(), **eval_dispatcher.COMMANDS}
    # `python -m` may end a wrapped line of prose, its module starting the next one.
    for match in re.finditer(r"python\s+-m\s+([\w.]*\w)([^`#\n|;()]*)", text):
        module, rest = match.group(1), match.group(2)
        if module in {"pip", "build", "pytest", "venv"}:
            continue
        words = rest.split()
        if module == "eval" and words and re.fullmatch(r"[a-z_][\w.]*", words[0]):
            name = words.pop(0)
            module = commands[name][0] if name in commands else f"eval.{name}"
        out.append((module, FLAG.findall(" ".join(words)), " ".join(match.group(0).split())))
    return out


def _module_source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, module
    origin = Path(spec.origin)
    # Options may be declared by a sibling module (a package's cli.py, eval/common.py).
    files = {origin, *origin.parent.glob("*.py"), ROOT / "eval/common.py"}
    return "".join(f.read_text(encoding="utf-8") for f in files if f.exists())


def test_the_extractors_find_the_readme_commands():
    text = _text(ROOT / "README.md")
    found = chronochrome_commands(text)
    assert (("colorize",), "--render-size",
            "chronochrome colorize old.tif -o out/ --format tif --device cpu --render-size 768"
            ) in found
    assert any(path == ("check",) and flag == "--report" for path, flag, _ in found)
    modules = {module for module, _, _ in python_m_commands(text)}
    assert {"eval.bench_speed", "eval.report", "eval.color_hints.bound",
            "colorizer.training.train_hint_field"} <= modules
    assert chronochrome_commands("chronochrome colorize a.jpg --no-such-flag") == [
        (("colorize",), "--no-such-flag", "chronochrome colorize a.jpg --no-such-flag")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_chronochrome_flag_in_the_docs_exists(doc: Path):
    parsers = _parsers()
    unknown = [f"{' '.join(path) or '(top)'} {flag}: {line}"
               for path, flag, line in chronochrome_commands(_text(doc))
               if flag not in _options(parsers[path])]
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_m_module_and_its_flags_exist(doc: Path):
    problems = []
    for module, flags, line in python_m_commands(_text(doc)):
        if importlib.util.find_spec(module) is None:
            problems.append(f"no module {module}: {line}")
            continue
        source = _module_source(module)
        problems += [f"{module} has no {flag}: {line}" for flag in flags if flag != "--help"
                     and f'"{flag}"' not in source and f"'{flag}'" not in source]
    assert not problems, "\n".join(problems)


def test_every_repository_path_the_readme_names_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w/.-])((?:eval|colorizer|context|retrieval|tests|configs|"
                           r"scripts|docs)/[\w./-]*[\w/])", text))
    # Written by a command the README names (`python -m eval.hand_fonts`), not committed.
    fetched = {"eval/fonts/hand", "eval/fonts/hand/"}
    missing = sorted(p for p in named - fetched if not (ROOT / p).exists()
                     and not list(ROOT.glob(p + "*")))
    assert len(named) > 50 and not missing, missing


def test_every_backticked_flag_of_the_readme_belongs_to_a_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    known = set().union(*(_options(p) for p in _parsers().values()))
    # The benchmarks' own (--shared, --limit, --out), declared in eval's modules.
    evals = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "eval").rglob("*.py"))
    unknown = sorted(flag for flag in set(re.findall(r"`(--[a-z][\w-]*)", text))
                     if flag not in known and f'"{flag}"' not in evals)
    assert not unknown, unknown


def test_every_option_of_the_help_says_what_it_does():
    silent = [f"{' '.join(path) or '(top)'} {action.option_strings or action.dest}"
              for path, parser in _parsers().items() for action in parser._actions
              if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction,
                                         argparse._VersionAction))
              and not action.help]
    assert not silent, silent


def test_every_numeric_default_is_stated_in_the_help():
    """A number the option takes when not given is stated: `-k` printed 5 exemplars, the
    help said only "how many"."""
    unstated = [f"{' '.join(path)} {action.option_strings} (default {action.default})"
                for path, parser in _parsers().items() for action in parser._actions
                if action.option_strings and type(action.default) in (int, float)
                and f"default {action.default:g}" not in (action.help or "")]
    assert not unstated, unstated


def test_every_file_a_help_text_points_to_exists():
    texts = [action.help or "" for parser in _parsers().values() for action in parser._actions]
    texts += [parser.description or "" for parser in _parsers().values()]
    named = {p for text in texts for p in re.findall(
        r"(?<![\w/.-])((?:eval|colorizer|context|retrieval|configs)/[\w./-]*\w)", text)}
    assert named and not sorted(p for p in named if not (ROOT / p).exists())
