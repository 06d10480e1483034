"""Errors chronochrome raises on purpose.

`ChronochromeError` is the root: catch it to handle every expected failure and let real bugs
(TypeError, KeyError from our own code, ...) propagate. Each image-loading error carries a
short machine-readable `reason` so front ends can map it without parsing messages, e.g. an HTTP
API: "too_large" -> 413, "unsupported" -> 415, "empty"/"truncated" -> 422, "not_found" -> 404.
"""

from __future__ import annotations

from typing import ClassVar

# The root lives in `context` so that `context` and `retrieval`, which never import colorizer,
# raise it too; it is the same class here.
from context.errors import ChronochromeError


class ImageLoadError(ChronochromeError):
    """An input could not be turned into pixels.

    The message reads "<name>: <problem>. <fix>"; the parts stay available as attributes.
    Raised directly only for I/O failures such as a permission error (reason "unreadable").
    """

    reason: ClassVar[str] = "unreadable"

    def __init__(self, name: str, problem: str, fix: str = "") -> None:
        self.name = name  # file path, or the name given for bytes / file-like input
        self.problem = problem
        self.fix = fix
        message = f"{name}: {problem}"
        super().__init__(f"{message}. {fix}" if fix else message)

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # The default pickling passes only the message back to __init__, which would fail;
        # errors must survive the trip out of DataLoader workers and process pools.
        return (type(self), (self.name, self.problem, self.fix))


class EmptyFileError(ImageLoadError):
    """The input has zero bytes."""

    reason: ClassVar[str] = "empty"


class TruncatedImageError(ImageLoadError):
    """The input is a recognised image format but its data ends early or is corrupt."""

    reason: ClassVar[str] = "truncated"


class UnsupportedImageError(ImageLoadError):
    """The input is not an image, or is in a format or pixel mode we do not read."""

    reason: ClassVar[str] = "unsupported"


class ImageTooLargeError(ImageLoadError):
    """The image has more pixels than the caller's cap (checked from the header alone)."""

    reason: ClassVar[str] = "too_large"


class ImageNotFoundError(ImageLoadError):
    """The path does not exist, is a directory, or a folder holds no image files."""

    reason: ClassVar[str] = "not_found"


class TrainingDataError(ChronochromeError, ValueError):
    """A training config's photos cannot be found: no such folder or tar, or none of the split
    in it. `chronochrome train` prints it as one line (a ValueError for older callers)."""


class WeightsError(ChronochromeError):
    """A weights folder that cannot be read: missing, or a file in it unreadable."""


class InputTypeError(ChronochromeError, TypeError):
    """A Python API argument of a kind chronochrome does not take (a dict where a hint string
    belongs, None as a photo, a text-mode file): the message names what to pass instead.
    A TypeError too, so callers that caught the TypeError raised before still do."""

    reason: ClassVar[str] = "wrong_type"
