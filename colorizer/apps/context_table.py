"""The table `chronochrome context PATH [PATH ...]` writes: one row a photo, streamed.

- JSON Lines (the default): one object a line, `{"path": ..., **context}`, the context being
  the object the single-photo form prints (`SceneContext.to_dict()`); a photo that could not
  be read is `{"path": ..., "error": "..."}`.
- CSV: flat columns a spreadsheet sorts and filters (`TABLE_COLUMNS`); a failed photo has its
  path and `error`, the other cells empty. A text cell that a spreadsheet would run as a
  formula (text read in the photo or a caption starting with "=", "+", "-", "@") starts
  with an apostrophe, which the spreadsheet shows as text.

Each row is written and flushed at once: a run stopped part-way leaves whole rows.
"""

from __future__ import annotations

import csv
import json
from typing import Any, Protocol, TextIO

TABLE_COLUMNS = ("path", "era_start", "era_end", "era_confidence", "region",
                 "region_confidence", "script", "script_confidence", "language",
                 "language_confidence", "hint_understood", "evidence", "error")
EVIDENCE_CHARS = 240  # the evidence cell: the strongest reason of each field, cut here
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ContextTable(Protocol):
    def write(self, path: str, context: dict[str, Any] | None, error: str = "") -> None:
        """One photo's row: its context (`SceneContext.to_dict()`), or why it failed."""


class JsonLinesTable:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, path: str, context: dict[str, Any] | None, error: str = "") -> None:
        row = {"path": path, **context} if context is not None else {"path": path,
                                                                     "error": error}
        self.stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.stream.flush()


class CsvTable:
    def __init__(self, stream: TextIO, hint_given: bool):
        self.stream = stream
        self.hint_given = hint_given  # whether `hint_understood` says yes/no or stays empty
        self.writer = csv.DictWriter(stream, fieldnames=TABLE_COLUMNS)
        self.writer.writeheader()
        stream.flush()

    def write(self, path: str, context: dict[str, Any] | None, error: str = "") -> None:
        row = flat_row(path, context, error, self.hint_given)
        self.writer.writerow({key: _as_text(value) for key, value in row.items()})
        self.stream.flush()


def flat_row(path: str, context: dict[str, Any] | None, error: str = "",
             hint_given: bool = False) -> dict[str, Any]:
    """The CSV columns of one photo (`TABLE_COLUMNS`); None for what was not inferred."""
    row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS)
    row["path"], row["error"] = path, error or None
    if context is None:
        return row
    era, region = context.get("era") or {}, context.get("region") or {}
    script, language = context.get("script") or {}, context.get("language_detail") or {}
    row.update(era_start=era.get("start"), era_end=era.get("end"),
               era_confidence=era.get("confidence"), region=region.get("name"),
               region_confidence=region.get("confidence"), script=script.get("code"),
               script_confidence=script.get("confidence"),
               language=context.get("language"),
               language_confidence=language.get("confidence"),
               evidence=short_evidence(context))
    if hint_given:  # the encoder names a hint it found no date or place in (unknown["hint"])
        row["hint_understood"] = "no" if "hint" in (context.get("unknown") or {}) else "yes"
    return row


def short_evidence(context: dict[str, Any]) -> str:
    """The first reason for each inferred field, "era: ...; region: ...", at most
    `EVIDENCE_CHARS` characters (the JSON Lines row has all of it)."""
    parts = []
    for field in ("era", "region", "script", "language_detail"):
        evidence = (context.get(field) or {}).get("evidence") or []
        if evidence:
            # The first is what set the value (a caption's year); later ones back it (the
            # gazetteer's polity, which scores 1.0 and says less).
            parts.append(f"{field.removesuffix('_detail')}: {evidence[0].get('what', '')}")
    text = "; ".join(parts)
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 3] + "..."


def _as_text(value: Any) -> Any:
    """A cell as written: text a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
