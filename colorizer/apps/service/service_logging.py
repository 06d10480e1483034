"""How `chronochrome serve` writes its log: text lines with a time, or JSON lines for a log
collector (`--log-format json`, `$CHRONOCHROME_LOG_FORMAT`), on stderr (journald under
systemd). uvicorn's own lines go through the same handler, so one format covers the process.

A JSON line holds `time` (ISO 8601, UTC), `level`, `logger`, `message`, the access fields of
`access_log.FIELDS` when the line is a request's, and `exception` (the traceback) when there
is one: one object per line, whatever the message holds.

A text line is one line too: what a client chose (a path with %0A in it, an upload's file name
in a worker's warning) had its line breaks written out, so `GET /v1/jobs/x%0A2026-12-07 ...
POST /v1/keys 200` forged a second, false access line. Control and other invisible characters
(line and paragraph separators, right-to-left overrides) of a text line's message are written
escaped (`\\n`, `\\u202e`); a traceback keeps its own lines.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from colorizer.apps.service.access_log import FIELDS

LOG_FORMAT_ENV = "CHRONOCHROME_LOG_FORMAT"
FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TextLines(logging.Formatter):
    """`TEXT` lines whose message cannot break into a second line (module docstring)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = printable(record.message)
        return super().formatMessage(record)


def printable(text: str) -> str:
    """`text` with each character that is not printable (control characters, line and
    paragraph separators, bidirectional overrides) written as its Python escape."""
    if text.isprintable():
        return text  # the common case, without a copy
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


class JsonLines(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({name: getattr(record, name) for name in FIELDS
                      if getattr(record, name, None) is not None})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(given: str | None) -> str:
    """--log-format, else $CHRONOCHROME_LOG_FORMAT, else text; another value is a ValueError."""
    value = given or os.environ.get(LOG_FORMAT_ENV) or "text"
    if value not in FORMATS:
        source = "--log-format" if given else f"${LOG_FORMAT_ENV}"
        raise ValueError(f"{source} {value!r} is not a log format: give text or json")
    return value


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """Write the process's log (uvicorn's too) in `fmt`, through the stderr handler that
    `chronochrome`'s main set up (logging.basicConfig). Handlers of anyone else (a program
    embedding the service, pytest) are left alone, and then nothing changes."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if type(h) is logging.StreamHandler]
    for handler in ours:
        handler.setFormatter(JsonLines() if fmt == "json" else TextLines(TEXT))
    if ours:
        root.setLevel(level)
