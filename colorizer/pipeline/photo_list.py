"""A list of photos through the pipeline: one bad photo never stops the others.

    results = pipe(["a.jpg", "missing.jpg", "notes.txt"])
    [type(r).__name__ for r in results]  # ColorizationResult, ColorizationFailure, ...

`pipe([...])` gives one entry per photo, in the list's order: its `ColorizationResult`, or a
`ColorizationFailure` saying why that photo could not be colorized (no such file, not an
image, too large, out of memory) in the words the CLI's batch prints after "error:", with
the error's machine-readable `reason` (the loader's "not_found", "unsupported", ..., a
hint's "invalid_hint"; "error" for others) and the exception itself. The errors caught per
photo are `PER_PHOTO`, bad input and its limits; a bug (a TypeError, a KeyError from our own
code) propagates, for the caller to see, where the CLI's batch records it as that photo's
failure too (`colorizer.apps.stages.CAUGHT`: a night's batch goes on). A batch of the
generator that fails is run again photo by photo, as the CLI does, so a failure stays its
photo's own.
An item of the wrong type (an int, None) is a mistake in the call, not a bad file: it raises
TypeError before any photo is colorized.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from colorizer.errors import ChronochromeError, InputTypeError
from colorizer.pipeline.batching import PreparedPhoto
from colorizer.pipeline.exemplar_step import Prediction
from colorizer.pipeline.photo_input import ACCEPTED, accepted, input_name
from colorizer.pipeline.result import ColorizationResult

# One photo's failure here; anything else (a TypeError, a KeyError from our own code) is a bug
# and propagates. The CLI's batch catches these and any other Exception (stages.CAUGHT).
PER_PHOTO = (ChronochromeError, MemoryError, OSError, ValueError, RuntimeError)


@dataclass(frozen=True)
class ColorizationFailure:
    """A photo of a list call that could not be colorized; the other photos were."""

    input: str  # the photo as errors name it: its path, "<bytes>", "<image>"
    index: int  # its place in the list
    message: str  # "<input>: <problem>. <fix>", as the CLI prints it after "error: "
    # the error's `reason` (ImageLoadError's "not_found", "unsupported", "too_large", ...,
    # HintError's "invalid_hint"), "out_of_memory", else "error"
    reason: str
    error: BaseException = field(repr=False, compare=False)  # `raise failure.error`

    def to_dict(self) -> dict[str, Any]:
        return {"input": {"name": self.input}, "index": self.index,
                "error": {"reason": self.reason, "type": type(self.error).__name__,
                          "message": self.message}}


class Steps(Protocol):
    """The pipeline's steps (colorizer.pipeline.colorization.ColorizationPipeline)."""

    def prepare(self, image: Any, hints: str | None, caption: str | None, user: Sequence[Any],
                color_hints: Sequence[Any]) -> PreparedPhoto: ...

    def predict(self, photos: Sequence[PreparedPhoto]) -> list[Prediction]: ...

    def finish(self, photo: PreparedPhoto, prediction: Prediction) -> ColorizationResult: ...


def colorize_list(pipe: Steps, images: Sequence[Any], hints: str | None,
                  caption: str | None, user: Sequence[Any], color_hints: Sequence[Any]
                  ) -> list[ColorizationResult | ColorizationFailure]:
    """Each photo's result or failure, in order; the generator runs on the photos that
    loaded, together (`pipe.predict`)."""
    for n, image in enumerate(images):
        check_input(image, n)
    out: list[ColorizationResult | ColorizationFailure | None] = [None] * len(images)
    prepared: list[tuple[int, PreparedPhoto]] = []
    for n, image in enumerate(images):
        try:
            prepared.append((n, pipe.prepare(image, hints, caption, user, color_hints)))
        except PER_PHOTO as exc:
            out[n] = failure(n, image, exc)
    for (n, photo), prediction in zip(prepared, _predict(pipe, prepared, images, out)):
        if prediction is None:
            continue
        try:
            out[n] = pipe.finish(photo, prediction)
        except PER_PHOTO as exc:
            out[n] = failure(n, images[n], exc)
    return out  # type: ignore[return-value]  # every entry is set above


def _predict(pipe: Steps, prepared: list[tuple[int, PreparedPhoto]], images: Sequence[Any],
             out: list) -> list[Prediction | None]:
    """The generator on all prepared photos at once; if that fails, photo by photo, and a
    photo that fails alone is recorded in `out`."""
    if not prepared:
        return []
    try:
        return list(pipe.predict([photo for _, photo in prepared]))
    except PER_PHOTO:
        pass
    predictions: list[Prediction | None] = []
    for n, photo in prepared:
        try:
            predictions.append(pipe.predict([photo])[0])
        except PER_PHOTO as exc:
            out[n] = failure(n, images[n], exc)
            predictions.append(None)
    return predictions


def check_input(image: Any, index: int) -> None:
    """InputTypeError (a TypeError) for an item no loader reads (photo_input.py's kinds)."""
    if not accepted(image):
        raise InputTypeError(f"photo {index} of the list is a {type(image).__name__}: "
                             f"pass {ACCEPTED}")


def failure(index: int, image: Any, exc: BaseException) -> ColorizationFailure:
    """The photo's failure in the words of the CLI's batch (colorizer.apps.stages.fail)."""
    name = input_name(image)
    if isinstance(exc, MemoryError):
        message = (f"{name}: not enough memory for this photo; downscale it or lower "
                   "render_size")
    elif isinstance(exc, ChronochromeError):
        message = str(exc) if str(exc).startswith(name) else f"{name}: {exc}"
    else:
        message = f"{name}: {type(exc).__name__}: {exc}"
    reason = ("out_of_memory" if isinstance(exc, MemoryError) else
              exc.reason if isinstance(getattr(exc, "reason", None), str) else "error")
    return ColorizationFailure(name, index, message, reason, exc)
