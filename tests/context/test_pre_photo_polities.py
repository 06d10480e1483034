"""A hint naming a polity that ended before photography ("Muscovy", "Crimean Khanate") is read
with an era conflict, not a crash: each was an IndexError from the era fusion, a traceback in
`chronochrome context` and `colorize`."""

import subprocess
import sys

import pytest

from context.config import ContextConfig
from context.encoder import ContextEncoder


@pytest.fixture(scope="module")
def read():
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    return lambda hint: encoder(None, hint=hint)


@pytest.mark.parametrize(("hint", "polity", "years"), [
    ("Muscovy", "Tsardom of Russia", "1547-1720"),
    ("Tsardom of Russia 1633", "Tsardom of Russia", "1547-1720"),
    ("Crimean Khanate", "Crimean Khanate", "1441-1783"),
])
def test_a_polity_before_photography_is_a_conflict_not_a_crash(read, hint, polity, years):
    context = read(hint)
    assert context.region.name == polity
    assert context.era is None
    assert "before photography (1826)" in context.unknown["era"]
    conflict, = context.conflicts
    assert conflict.field == "era" and conflict.other == f"{years} (hint)"
    assert "years of photography" in conflict.message


def test_the_context_command_answers_json_for_muscovy():
    done = subprocess.run([sys.executable, "-m", "context", "--hint", "Muscovy", "--no-ocr",
                           "--no-embedding", "--indent", "0"], check=False, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert '"name": "Tsardom of Russia"' in done.stdout
