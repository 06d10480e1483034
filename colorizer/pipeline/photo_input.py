"""What the Python API takes as one photo, and how errors name it.

A path (str or Path), bytes, a binary file object or a PIL image go to the one loader
(`imageio.load_image`); a numpy array or torch tensor to `array_input.load_array`; a
`LoadedImage` is used as it is. A web address is refused with how to fetch it: the pipeline
reads no network (the HTTP service's jobs fetch URLs, with its limits).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from PIL import Image

from colorizer.errors import EmptyFileError, ImageLoadError, ImageNotFoundError, InputTypeError
from colorizer.pipeline.array_input import array_name, is_array, load_array
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import LoadedImage, load_image

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
ACCEPTED = ("a path, bytes, a binary file object, a PIL.Image.Image, a numpy array (H, W[, C]) "
            "or a torch tensor (C, H, W)")


def load_photo(image: Any, max_pixels: int) -> LoadedImage:
    """One photo of any accepted kind, loaded (errors: the loader's `ImageLoadError`s)."""
    if isinstance(image, LoadedImage):
        return image
    if is_array(image):
        return load_array(image, max_pixels)
    if isinstance(image, str) and _URL.match(image) and not os.path.exists(image):
        raise ImageNotFoundError(
            image, "is a web address, and the pipeline reads no network",
            "download it first and pass the bytes: "
            "pipe(urllib.request.urlopen(url).read())")
    if not accepted(image):
        raise InputTypeError(f"cannot colorize a {type(image).__name__}: pass {ACCEPTED}")
    _check_open(image)
    if hasattr(image, "read") and (end := _read_to_end(image)):
        # `img.save(buf, "PNG"); pipe(buf)` leaves the buffer at its end: "the file is empty
        # (0 bytes), re-download it" sent people after a file that was fine.
        raise EmptyFileError(input_name(image), f"nothing left to read: the file object is "
                             f"at its end (byte {end:,})", "call .seek(0) on it first")
    return load_image(image, max_pixels=max_pixels)


def _check_open(image: Any) -> None:
    """A closed file object or PIL image: Pillow's bare AssertionError (which escaped a list
    call's per-photo errors) or "read of closed file", said with the fix."""
    if isinstance(image, Image.Image) and _closed_image(image):
        raise ImageLoadError("<image>", "the PIL image was closed before it was read (an "
                             "Image.open whose `with` block has ended)", "pass it inside the "
                             "`with` block, call .load() on it first, or pass the path")
    if not isinstance(image, Image.Image) and getattr(image, "closed", False) is True:
        raise ImageLoadError(input_name(image), "the file object is closed",
                             "pass it while it is open, or pass the path or its bytes")


def _closed_image(image: Image.Image) -> bool:
    if getattr(image, "tile", None):  # not decoded yet: readable while its file is open
        return getattr(image, "fp", True) is None
    if 0 in image.size:
        return False  # the loader's "nothing to colorize"
    try:
        image.getpixel((0, 0))  # decoded: cheap
    except ValueError:  # "Operation on closed image"
        return True
    return False


def _read_to_end(stream: Any) -> int:
    """The position of a seekable stream that was read to its end; 0 otherwise."""
    try:
        if not stream.seekable() or (position := stream.tell()) == 0:
            return 0
        end = stream.seek(0, os.SEEK_END)
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return 0
    return position if end == position else 0


def accepted(image: Any) -> bool:
    """Whether `load_photo` reads this kind of input (not whether this one is readable)."""
    return (isinstance(image, str | os.PathLike | bytes | bytearray | memoryview | Image.Image
                       | LoadedImage) or is_array(image) or hasattr(image, "read"))


def input_name(image: Any) -> str:
    """How errors name a photo given as `image` (`load_image`'s names)."""
    if isinstance(image, LoadedImage):
        return image.name
    if isinstance(image, str | os.PathLike):
        return os.fspath(image)
    if is_array(image):
        return array_name(image)
    return "<image>" if isinstance(image, Image.Image) else "<bytes>"


def user_exemplars(exemplars: Iterable[Any] | None, max_pixels: int) -> list[UserExemplar]:
    """The user's reference photos, each of any kind `load_photo` reads (None: none). One
    photo given without a list is refused: a path string was read letter by letter ("/: is a
    folder")."""
    if exemplars is None:
        return []
    if isinstance(exemplars, str | os.PathLike | bytes | Image.Image | LoadedImage) or is_array(
            exemplars) or hasattr(exemplars, "read"):
        raise InputTypeError(f"exemplars must be a list of reference photos, not one "
                             f"{type(exemplars).__name__}: exemplars=[photo]")
    if not isinstance(exemplars, Iterable):  # an int was "object is not iterable"
        raise InputTypeError(f"exemplars must be a list of reference photos, not "
                             f"{type(exemplars).__name__}: exemplars=[photo, ...]")
    return [_user_exemplar(e, n, max_pixels) for n, e in enumerate(exemplars, 1)]


def _user_exemplar(exemplar: Any, number: int, max_pixels: int) -> UserExemplar:
    if isinstance(exemplar, UserExemplar):
        return exemplar
    if not accepted(exemplar):  # a dict of a hints file, None: the loader's TypeError named
        raise InputTypeError(  # no exemplar
            f"exemplar {number} is a {type(exemplar).__name__}: pass {ACCEPTED}")
    if not is_array(exemplar):
        return UserExemplar.load(exemplar, max_pixels=max_pixels)
    loaded = load_array(exemplar, max_pixels)  # as 8-bit RGB, what exemplars are read as
    rgb = Image.fromarray((loaded.rgb * 255 + 0.5).astype(np.uint8), "RGB")
    return dataclasses.replace(UserExemplar.load(rgb, max_pixels=max_pixels), name=loaded.name)
