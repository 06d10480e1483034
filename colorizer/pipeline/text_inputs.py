"""The free text a caller gives with a photo (a hint, a caption), checked before any work.

The limits are the HTTP service's (`colorizer.apps.service.schemas`): a 100,000-character
hint once took 28 s and wrote a 17 MB report of evidence for one small photo.
"""

from __future__ import annotations

from colorizer.errors import ChronochromeError, InputTypeError

MAX_CHARS = {"hints": 500, "caption": 2000}


def check_text(**values: object) -> None:
    """Hints and captions are one string each (a list would be read as its repr), of at most
    `MAX_CHARS` characters."""
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise InputTypeError(f"{name} must be one string such as 'USSR 1950', not "
                                 f"{type(value).__name__} {value!r}; join a list first: "
                                 f"{name}=' '.join(...)")
        if value is not None and len(value) > MAX_CHARS[name]:
            raise TextInputError(f"{name}: {len(value):,} characters; at most {MAX_CHARS[name]:,} "
                             "(a place and a period, or an archive caption)")


class TextInputError(ChronochromeError, ValueError):
    """A hint or caption too long to be one."""
