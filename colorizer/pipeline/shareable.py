"""Text that goes into a file meant to be shared (the output's XMP, the provenance record),
with what belongs to the machine that ran it taken out.

A colorized file travels: a colleague, an archive's catalogue, a publisher. What it says of
its making named the machine's own places and secrets:
- a reference photo of a color hint by its absolute path (`/home/alice/private/ref.jpg`:
  the user name and folder layout), in the hint's label of `chronochrome:ColorSources`;
- an input listed by URL (a CSV list, a service job) with a signed link's query
  (`?X-Amz-Signature=...`, `?token=...`): the record's source, and the file-name caption.

`shareable_name` keeps a local path's last part (the file name); `shareable_text` blanks the
values of credential-like query parameters and a URL's user:password, wherever they are in a
text; `names_a_folder` tells a path that says where on a machine a file is.
"""

from __future__ import annotations

import re
from pathlib import PureWindowsPath
from typing import Any

REDACTED = "REDACTED"
# Query parameters that carry a credential: signed links (S3, GCS, Azure SAS, IIIF auth,
# chronochrome's own `sig`), API keys and tokens.
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.-]*(?:token|signature|secret|password|passwd|credential|api[_-]?key|"
    r"access[_-]?key)[\w.-]*|sig|key|auth|authorization|x-amz-[\w-]+|x-goog-[\w-]+)=)"
    # The value, to the link's end (a space, or `"<>`, which no URL holds unencoded), less
    # the punctuation that ends a sentence or closes a bracket after a link in a text:
    # "...?token=abc, 1950" lost its comma. Inside the value such a sign stays redacted.
    r"[^&;#\s\"<>]*?(?=[.,:!?')\]}]*(?:[&;#\s\"<>]|$))")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")


def shareable_text(text: str) -> str:
    """`text` with credential-like query values and URLs' user:password blanked."""
    return _USERINFO.sub(r"\1", _SECRET_PARAM.sub(rf"\g<1>{REDACTED}", text))


def shareable_name(name: str) -> str:
    """A photo's name as it may be shared: a local path's last part (`ref.jpg`), a URL with
    its credentials blanked (`shareable_text`)."""
    if "://" in name or name.startswith("data:"):
        return shareable_text(name)
    # Relative paths too: "../alice/scans/x.jpg" names its owner as well as an absolute one.
    return shareable_text(PureWindowsPath(name).name or name)  # splits on both / and \


def names_a_folder(text: str) -> bool:
    """Whether `text` is a path that says where on a machine a file is: absolute, from the
    home folder, or climbing out of the current one. A label such as "swatch / cloth" or a
    relative "refs/a.png" in a hints file is the user's own wording, kept."""
    if "://" in text:
        return False
    parts = PureWindowsPath(text).parts
    return text.startswith(("/", "\\", "~")) or bool(PureWindowsPath(text).drive) or ".." in parts


def shareable_values(data: Any) -> Any:
    """`data` (JSON-like) with `shareable_text` applied to every string in it."""
    if isinstance(data, str):
        return shareable_text(data)
    if isinstance(data, dict):
        return {key: shareable_values(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [shareable_values(value) for value in data]
    return data
