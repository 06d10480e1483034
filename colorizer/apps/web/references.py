"""The reference photos a person adds on the workbench page: what `chronochrome colorize
--exemplar PATH` and the Python API's `exemplars=[...]` take, "the whole photo takes its colors
from this reference where they match".

The page reads the chosen file as a data: URI and sends it with every colorization
(`{"references": [{"name": "postcard.jpg", "data": "data:image/jpeg;base64,..."}]}`): the
workbench keeps no state besides the photos, and a run that only adds a color hint still
reuses the pipeline's cached steps. Each one is decoded here, checked, and named after the
file the person chose (the region map and the provenance say "the user's reference photo
postcard.jpg", as the command line names its --exemplar file).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from colorizer.apps.service.item_names import clean_name
from colorizer.apps.web.opening import OpenError
from colorizer.errors import ChronochromeError
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.imageio import load_image

MAX_REFERENCES = 4  # the page adds one; the API takes a few, as --exemplar is repeatable


@dataclass(frozen=True)
class ReferencePhoto:
    """One reference photo as the page sent it: the file's name and its bytes."""

    name: str
    data: bytes


def decode_reference(name: str, data_uri: str, max_bytes: int) -> ReferencePhoto:
    """`data_uri` ("data:image/...;base64,...") decoded; refused in words where it is no
    base64 data: URI or its file is over the workbench's upload limit (`max_bytes`)."""
    shown = clean_name(name) or "reference photo"
    header, comma, payload = data_uri.partition(",")
    if not header.startswith("data:") or not header.endswith(";base64") or not comma:
        raise OpenError("bad_reference", f"reference photo {shown}: not sent as a base64 "
                        "data: URI (data:image/jpeg;base64,...); choose the file again")
    if len(payload) * 3 // 4 > max_bytes:
        raise OpenError("too_large", f"reference photo {shown}: larger than the workbench's "
                        f"{max_bytes / 1e6:.0f} MB limit; choose a smaller copy", 413)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise OpenError("bad_reference", f"reference photo {shown}: its data: URI is not "
                        "valid base64; choose the file again") from None
    return ReferencePhoto(shown, data)


def reference_exemplars(references: Sequence[ReferencePhoto], max_pixels: int
                        ) -> list[UserExemplar]:
    """The pipeline's user exemplars, in the page's order, each named after its file; a photo
    that cannot lend colors (unreadable, gray, too large) is refused naming it and the fix."""
    if len(references) > MAX_REFERENCES:
        raise OpenError("too_many_references", f"{len(references)} reference photos; give "
                        f"at most {MAX_REFERENCES}")
    return [_exemplar(ref, max_pixels) for ref in references]


def _exemplar(ref: ReferencePhoto, max_pixels: int) -> UserExemplar:
    try:
        loaded = load_image(ref.data, max_pixels=max_pixels, name=ref.name)
    except ChronochromeError as exc:
        raise OpenError("bad_reference", f"reference photo: {exc}") from None
    if not loaded.is_color:
        raise OpenError("bad_reference", f"reference photo {ref.name}: the image is "
                        "grayscale, so it has no color to lend; choose a color photo of a "
                        "similar scene or object")
    # 8-bit RGB exactly as UserExemplar.load makes it from a --exemplar file: the same
    # reference gives the command line's colors.
    rgb = Image.fromarray((loaded.rgb * 255 + 0.5).astype(np.uint8), "RGB")
    return UserExemplar(name=ref.name, image=rgb, sha256=loaded.sha256)
