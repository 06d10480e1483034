"""colorize, serve and web take --no-split-page (album_page.py) and the C2PA flags from one
definition each: the same help, and the same setting reaches the pipeline's config."""

from __future__ import annotations

import argparse

import pytest

from colorizer.apps.cli import build_parser
from colorizer.apps.pipeline_arguments import checked_settings

COMMANDS = (["colorize", "photo.jpg"], ["serve"], ["web"])


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_no_split_page_reaches_the_pipeline_config(argv):
    args = build_parser().parse_args([*argv, "--no-split-page"])
    assert checked_settings(args)["split_page"] is False
    assert "split_page" not in checked_settings(build_parser().parse_args(argv))


def _help_of(parser, command: str, flag: str) -> str:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if flag in a.option_strings)
    return action.help


@pytest.mark.parametrize("flag", ["--no-split-page", "--c2pa-cert", "--c2pa-key"])
def test_each_command_says_the_same_of_the_flag(flag):
    parser = build_parser()
    helps = {command: _help_of(parser, command, flag) for command in ("colorize", "serve", "web")}
    assert len(set(helps.values())) == 1, helps
