"""What a batch did, photo by photo (`BatchItem`), and as a whole (`BatchSummary`): the counts,
the failures, the notes the CLI prints after "note:", and the photos its folders hold that it
cannot read (camera raws, PDFs: `colorizer.apps.unread_files`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from colorizer.apps.planner import PlannedOutput
from context.types import Caption


@dataclass
class BatchItem:
    source: Path | str  # a file, or a remote photo's URL (a CSV list's, a IIIF canvas's)
    output: Path
    status: str = "pending"  # done | skipped | failed (pending: not reached)
    message: str = ""
    seconds: float = 0.0
    captions: tuple[Caption, ...] = ()  # the captions the context read, with their sources
    plan: PlannedOutput | None = field(default=None, repr=False)


@dataclass
class BatchSummary:
    items: list[BatchItem] = field(default_factory=list)
    # What stopped the batch: Ctrl-C, or a `Stopped` signal; items not finished stay "pending".
    interrupted: KeyboardInterrupt | None = None
    stopped: bool = False  # the output disk was full or read-only (`write_errors`)
    # The photos the folders given hold that cannot be read, one line a kind ("2 camera raw
    # files (.dng) not colorized (a.dng, b.dng): develop ..."): never items, never colorized.
    unread: tuple[str, ...] = ()

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    @property
    def failed(self) -> list[BatchItem]:
        return [item for item in self.items if item.status == "failed"]

    def notes(self, names_shown: int = 3) -> list[str]:
        """"<photo>: <note>" lines in input order: what a photo's run left unused or changed
        (a hint not understood, nearly gray colors) and a name other than the one its list
        asked for. A note several photos share is one line naming the first `names_shown`.
        Then the `unread` lines: the files the folders hold that were not colorized."""
        photos: dict[str, list[str]] = {}
        for item in self.items:
            said = [item.plan.note if item.plan and item.status != "failed" else "",
                    item.message if item.status == "done" else ""]
            for note in filter(None, said):
                photos.setdefault(note, []).append(str(item.source))
        lines = []
        for note, names in photos.items():
            more = len(names) - names_shown
            lines.append(", ".join(names[:names_shown]) + (f" and {more} more" if more > 0
                                                           else "") + f": {note}")
        return [*lines, *self.unread]
