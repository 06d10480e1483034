"""A Live Photo given by name: its video beside its photo is left out, and said so.

An iPhone's Live Photo is two files, `IMG_0008.HEIC` (the photo) and `IMG_0008.MOV` (the
seconds around it); copied off the phone they travel together, and `chronochrome colorize
IMG_0008.*` names both. The video was then a failed photo: "failed ... is a video or audio
file", exit code 1, and, its stem clashing with the photo's, the photo was written as
`IMG_0008_heic.png` rather than `IMG_0008.png`. A video given together with the photo of
its name (same folder, same stem, compared as the file systems of phones' owners do:
case-insensitively) is the photo's companion: it is not colorized, the summary names it
(`colorizer.apps.unread_files.LIVE_PHOTO_VIDEO`), and the run succeeds. A video given
alone still fails with its message: it was asked for and cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# What phones write beside a still: an iPhone's Live Photo (.MOV), some Android phones'
# motion photos exported as a pair (.MP4).
VIDEO_SUFFIXES = frozenset({".mov", ".mp4"})


def live_photo_videos(paths: Iterable[Path], still_suffixes: frozenset[str]) -> set[Path]:
    """The videos among `paths` given together with a still of their name (a suffix in
    `still_suffixes`) in the same folder."""
    paths = list(paths)
    stills = {_pair_key(p) for p in paths if p.suffix.lower() in still_suffixes}
    return {p for p in paths
            if p.suffix.lower() in VIDEO_SUFFIXES and _pair_key(p) in stills}


def _pair_key(path: Path) -> tuple[str, str]:
    return str(path.parent), path.stem.casefold()
