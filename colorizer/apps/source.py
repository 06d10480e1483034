"""`Source`: one photo a batch was given, before its output name is planned
(`colorizer.apps.planner`): a file found in a folder, or a row of a CSV list or a canvas of a
IIIF manifest (`colorizer.apps.collection_inputs`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class Source:
    """One input photo and the name it asks for under the output folder."""

    path: Path  # the file; for a remote photo, the list or manifest that named it
    relative: PurePosixPath  # "sub/photo.jpg" under a folder given; "photo.jpg" for a file
    problem: str = ""  # why it cannot be read (a dead link, a bad CSV row), reported per photo
    url: str = ""  # a remote photo: fetched by the worker that reads it, not read from `path`
    service: str = ""  # the url's IIIF Image API base: asked for a size within the pixel cap
    caption: str | None = None  # the photo's own caption (CSV column, canvas label)
    hint: str | None = None  # the photo's own free-text hint (CSV column)
    origin: tuple[tuple[str, str], ...] = ()  # where it was listed: recorded as provenance
    fix: str = "fix or remove the link"  # what to do about `problem`
    note: str = ""  # what was assumed reading it (its list's encoding, a path's spelling)

    @property
    def label(self) -> str:
        """How messages name the photo: its URL or its path."""
        return self.url or str(self.path)
