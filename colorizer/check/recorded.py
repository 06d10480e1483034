"""The context a chronochrome output records of its own making, for checking it.

A historian who checks one of our colorizations without --hint or --caption had it judged
against what the file's gray and carried captions alone say, though its XMP records the hint
and the captions it was colorized with (provenance.py writes them, xmp_read.py reads them):
a photo colorized as "Kazan 1957" was checked as a photo of no known place or period. The
check now uses the recorded ones, and says so; an explicit --hint replaces the recorded hint,
an explicit --caption the recorded captions.

    recorded = recorded_context(Path("street.png").read_bytes())  # None: nothing recorded
    hint, caption, used = recorded.merged(args.hint, args.caption)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colorizer.pipeline.metadata import BLOCK_ERRORS
from colorizer.pipeline.provenance import AI_SYSTEM
from colorizer.pipeline.xmp_parse import XmpUnreadable
from colorizer.pipeline.xmp_read import read_provenance

PROVENANCE = "the colorization's provenance (its XMP)"


@dataclass(frozen=True)
class RecordedContext:
    """The hint and captions a chronochrome output says it was colorized with."""

    hint: str | None
    captions: tuple[str, ...]  # each caption's text, as recorded (the user's, else the file's)

    @property
    def caption(self) -> str | None:
        """The recorded captions as one caption text for the check (None: none recorded)."""
        return "; ".join(self.captions) or None

    def merged(self, hint: str | None, caption: str | None
               ) -> tuple[str | None, str | None, dict[str, Any]]:
        """(hint, caption) for the check: the user's where given, else the recorded ones;
        and where each came from, for the report (`CheckReport.context_from`)."""
        used_hint = hint if hint is not None else self.hint
        used_caption = caption if caption is not None else self.caption
        return used_hint, used_caption, {
            "hint": _origin(hint, self.hint, "--hint"),
            "caption": _origin(caption, self.caption, "--caption"),
            "recorded": {"hint": self.hint, "captions": list(self.captions)}}

    def note(self, used: dict[str, Any]) -> str | None:
        """What the check took from the provenance, in words (None: nothing)."""
        taken = [f"the hint {self.hint!r}"] if used["hint"] == "provenance" else []
        if used["caption"] == "provenance":
            taken.append(f"the caption{'s' if len(self.captions) > 1 else ''} "
                         + "; ".join(repr(c) for c in self.captions))
        if not taken:
            return None
        return (f"context from {PROVENANCE}: {' and '.join(taken)}, which it was colorized "
                "with; --hint and --caption replace them")


def recorded_context(data: bytes | str | Path) -> RecordedContext | None:
    """The hint and captions a chronochrome output records (None: not one of ours, no XMP,
    an unreadable one, or neither recorded). Never raises: the check goes on without them."""
    try:
        found = read_provenance(data if isinstance(data, bytes) else Path(data).read_bytes())
    except (XmpUnreadable, *BLOCK_ERRORS):
        return None
    if not found or found.get("ai_system") != AI_SYSTEM:
        return None
    settings = found.get("settings") if isinstance(found.get("settings"), dict) else {}
    hint = found.get("hint") or settings.get("hints") or None
    user = settings.get("caption")
    texts = [user] if user else [_text(line) for line in found.get("captions") or []]
    captions = tuple(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    if not hint and not captions:
        return None
    return RecordedContext(str(hint) if hint else None, captions)


def _text(line: str) -> str:
    """A recorded caption line ("sidecar:x.txt: Wenceslas Square") without its source."""
    return line.split(": ", 1)[1] if ": " in line else line


def _origin(given: str | None, recorded: str | None, option: str) -> str | None:
    if given is not None:
        return option
    return "provenance" if recorded else None
