"""The gazetteer compiles a name's pattern only when a text could hold the name
(context/alias_index.py): loading it compiled ~2,000 patterns, 0.4-0.7 s of every start of
colorize, serve, web, check and context. What `find` returns must not change."""

import re
import sys

import pytest

from context import alias_index
from context.alias_index import fold
from context.config import ContextConfig
from context.gazetteer import Gazetteer

NAME_PATTERN = "(?<![\\w])"  # how every name's pattern starts (context/names.py)


@pytest.fixture(scope="module")
def aliases() -> list[str]:
    """Every name the gazetteer adds, as written in its tables and pycountry."""
    seen: list[str] = []
    real = alias_index.alias_regex

    def spy(alias: str):
        seen.append(alias)
        return real(alias)

    alias_index.alias_regex = spy
    try:
        Gazetteer(ContextConfig().data_dir, broad=None)
    finally:
        alias_index.alias_regex = real
    return seen


def _name_compiles(monkeypatch) -> list[str]:
    compiled: list[str] = []
    real = re.compile

    def spy(pattern, flags=0):
        if isinstance(pattern, str) and pattern.startswith(NAME_PATTERN):
            compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", spy)
    return compiled


def test_loading_compiles_no_name_pattern(monkeypatch):
    compiled = _name_compiles(monkeypatch)
    gazetteer = Gazetteer(ContextConfig().data_dir, broad=None)
    assert len(gazetteer._patterns) > 1500 and compiled == []
    found = gazetteer.find("Moscow, USSR 1950")
    assert [(m.kind, m.id, m.text) for m in found] == [("place", "moscow", "Moscow"),
                                                        ("polity", "ussr", "USSR")]
    assert 0 < len(compiled) < 20  # only the names whose letters the text holds


def _texts(aliases: list[str]) -> list[str]:
    """The names as written, in other cases and inflected, several to a text, and texts
    that hold a name's letters inside other words."""
    endings = ["", "s", "'s", "е", "ы", "у", "ом", "ской", "ах", "и"]
    words = [alias + endings[k % len(endings)] for k, alias in enumerate(aliases)]
    words += [a.upper() for a in aliases] + [a.lower() for a in aliases]
    words += [a.replace("е", "ё") for a in aliases if "е" in a]
    words += ["x" + a.lower() + "x" for a in aliases[::7]]
    texts = [", ".join(words[k:k + 40]) for k in range(0, len(words), 40)]
    return texts + ["Kazan 1950s", "в Крыму, 1936", "Египта и Орла", "US soldiers in USSR",
                    "Хорезм-1984", "Vienna's Ring", "ОРЁЛ", "Зимний дворец, Ленинград"]


@pytest.mark.slow
def test_found_as_when_every_pattern_is_searched(aliases, monkeypatch):
    lazy = Gazetteer(ContextConfig().data_dir, broad=None)
    monkeypatch.setattr(alias_index, "fold", lambda text: "")  # no needles: search them all
    every = Gazetteer(ContextConfig().data_dir, broad=None)
    monkeypatch.undo()
    for text in _texts(aliases):
        assert lazy.find(text) == every.find(text), text


@pytest.mark.skipif(alias_index.unicode_tolower is None, reason="CPython's re tables needed")
def test_fold_takes_together_what_ignorecase_does(aliases):
    """Every character re.IGNORECASE matches for a letter of a needle folds as that letter
    does (else a text holding a name in that character would skip the name's pattern)."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    letters = {ch for alias in aliases for ch in alias} | set("еёЕЁ")
    for letter in sorted(letters):
        for match in re.finditer(re.escape(letter), everything, re.IGNORECASE):
            assert fold(match.group()) == fold(letter), (letter, match.group())
    assert fold("ЁЖИК Orёl") == fold("ежик ORЕL")
