"""What a batch shows while it runs: a progress bar on a terminal, a line per photo in a log.

Both go to stderr, where the summary's errors and notes go; stdout holds only the count, for
a script (the bar once went to stdout: `> log.txt` on a terminal showed nothing while it
ran, and left the bar in the log).

A line per photo reads `done     3/9 scans/a.jpg -> out/a.png (0.41 s)`: the count says how far
a long run is where no bar can be drawn (`2> log.txt`, `| cat`, cron mail). File names are
shown on one line (`one_line`): a name may hold a newline or a terminal's control
characters (a name made by a script, a zip from elsewhere), which split a log's line in two
or let a name move the cursor and rewrite what the terminal showed.
"""

from __future__ import annotations

import os
import sys
import unicodedata

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Bidirectional controls reorder the text shown around them ("Trojan source" names).
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(text: str) -> str:
    """`text` with control characters escaped (`\\n`, `\\x1b`, `\\u202e`), and the bytes of a
    name that is not UTF-8 (`\\udce9`, as Python holds them: a strict stream cannot print
    them); all else as is."""
    if text.isprintable():
        return text
    return "".join(_ESCAPES.get(c) or (_escaped(c) if _hidden(c) else c) for c in text)


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _utf8_terminal() -> bool:
    """Whether the terminal's locale is UTF-8. Python writes UTF-8 under LC_ALL=C (its UTF-8
    mode), so rich drew its bar in box-drawing characters, which an ASCII-only terminal
    shows as mojibake. (LANG=C alone cannot be told apart: Python replaces it with
    LC_CTYPE=C.UTF-8.)"""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = os.environ.get(name)
        if value:
            return "utf-8" in value.lower() or "utf8" in value.lower()
    return False


class _AsciiTerminal:
    """A text stream that says it is ASCII, so rich draws with `-` (and writes `?` for what
    ASCII lacks); all else is the stream's."""

    encoding = "ascii"

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.encode("ascii", "replace").decode("ascii"))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def run_with_progress(batch, sources, hint, caption, quiet: bool = False):
    """`batch.run`, showing its progress: a rich bar for more than one photo on a terminal,
    a line per photo otherwise; nothing with `quiet` (the summary still says what was
    done)."""
    if quiet:
        return batch.run(sources, hint, caption)
    if len(sources) > 1 and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import MofNCompleteColumn, Progress

        terminal = sys.stderr if _utf8_terminal() else _AsciiTerminal(sys.stderr)
        with Progress(*Progress.get_default_columns(), MofNCompleteColumn(),
                      console=Console(file=terminal), transient=False) as progress:
            task = progress.add_task("colorizing", total=len(sources))
            return batch.run(sources, hint, caption,
                             on_item=lambda item: progress.advance(task))
    shown = 0

    def report(item) -> None:
        nonlocal shown
        shown += 1
        print(one_line(f"{item.status:8s} {shown}/{len(sources)} {item.source} -> "
                       f"{item.output} ({item.seconds:.2f} s)"), file=sys.stderr)
        for used in item.captions:
            print(one_line(f"         caption ({used.source}): {used.text}"), file=sys.stderr)

    return batch.run(sources, hint, caption, on_item=report)
