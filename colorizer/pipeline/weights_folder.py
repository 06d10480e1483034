"""A weights folder checked before anything is loaded from it.

safetensors reports a file it may not read as "No such file or directory", and a caller
then looks for a missing file; so every file the loaders read is opened here first and a
failure names the file and the fix.
"""

from __future__ import annotations

from pathlib import Path

from colorizer.errors import WeightsError

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "default"
READ_SUFFIXES = (".safetensors", ".json")  # what the generator, heads and decoding read


def readable_weights(folder: Path) -> Path:
    """`folder`, once every weights and config file in it opens for reading."""
    if not folder.is_dir():
        raise WeightsError(f"weights folder {folder}: no such folder; give a folder written "
                           "by save_pretrained")
    for path in sorted(folder.iterdir()):
        if path.suffix not in READ_SUFFIXES:
            continue
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise WeightsError(f"weights file {path}: cannot be read ({exc.strerror}); make "
                               f"it readable (e.g. chmod a+r '{path}') or give another weights "
                               "folder") from None
    return folder
