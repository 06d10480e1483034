"""Hints and captions typed in a terminal that is not UTF-8 are refused before any work."""

from __future__ import annotations

import pytest

from colorizer.apps import cli

# What Python makes of the byte 0xff in argv under a UTF-8 locale (os.fsdecode).
NOT_UTF8 = "Kazan \udcff1950"


@pytest.mark.parametrize("argv", [
    ["colorize", "in.jpg", "-o", "out", "--hint", NOT_UTF8],
    ["colorize", "in.jpg", "-o", "out", "--caption", NOT_UTF8],
    ["context", "--hint", NOT_UTF8],
    ["check", "a.png", "--hint", NOT_UTF8],
    ["library", "search", "--hint", NOT_UTF8],
])
def test_a_hint_that_is_not_utf8_is_a_usage_error_naming_the_byte(argv, tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "is not UTF-8 text (bytes 0xff)" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before any folder was made


def test_plain_and_non_ascii_hints_pass_unchanged():
    from context.argv_text import utf8_text

    assert utf8_text("Берлин 1945") == "Берлин 1945"
    assert utf8_text("USSR 1950") == "USSR 1950"
