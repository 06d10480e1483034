"""What surrounds a photo and is no part of it, kept as scanned: a black frame (frame.py), a
stereo card's mount (stereo.py), a card mount, mat, border or scanner bed (mount.py), the
table a photographed print lies on (table_surround.py).

The generator paints such a surround as if it were the photo (a flat card reads as sky). Each
step finds its surround from the photo's L* at the merge's working size and replaces the
chroma there, in this order: no chroma in a black frame, none on a stereo card's mount, the
scan's own chroma on a mount, else on a table (found from the photo's own chroma). A mount or
a table kept is said in the result's notes (a gray card that stays gray is not a failure to
colorize it; a black frame is not: it shows no chroma, and most slides have one), and every
surround kept is marked in `KeptSurround.kept`, so that the color hints' cast correction,
which corrects the model's colors, leaves the scan's alone (hint_step.py); a color hint
placed on the surround still sets its color there.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from colorizer.pipeline.frame import frame_inside
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.mount import mount_inside, scanned_outside
from colorizer.pipeline.stereo import stereo_inside
from colorizer.pipeline.table_surround import table_inside


@dataclass(frozen=True)
class KeptSurround:
    ab: torch.Tensor  # (1, 2, h', w') the working-size chroma with the surround kept
    kept: torch.Tensor | None  # (h', w') bool: True where it was kept; None: nothing was
    notes: tuple[str, ...]  # one per kind of surround kept, for the result's notes


def keep_surround(ab: torch.Tensor, lightness: torch.Tensor, loaded: LoadedImage,
                  frame_fill: bool) -> KeptSurround:
    """`ab` (1, 2, h', w') with the surround of the photo in `lightness` (1, 1, h', w', the
    same size) kept as scanned; the frame only with `frame_fill` (`DecodingConfig`)."""
    size = tuple(ab.shape[-2:])
    kept = torch.zeros(size, dtype=torch.bool)
    notes = []
    frame = frame_inside(lightness, size) if frame_fill else None
    if _keeps_some(frame):
        ab = ab * frame.to(ab.device, ab.dtype)
        kept |= ~frame  # not said: black shows no chroma, and 47 of 57 slides have one
    stereo = stereo_inside(lightness, size)
    if _keeps_some(stereo):
        ab = ab * stereo.to(ab.device, ab.dtype)
        kept |= ~stereo
        notes.append(_note("the stereo card's mount around its two views", stereo, "left gray"))
    mount = mount_inside(lightness, size)
    if _keeps_some(mount):
        ab = scanned_outside(ab, mount, loaded)
        kept |= ~mount
        notes.append(_note("the mount or border around the photo", mount, "kept as scanned"))
    elif _keeps_some(table := table_inside(loaded, size)):  # only a color photo: none moves
        ab = scanned_outside(ab, table, loaded)
        kept |= ~table
        notes.append(_note("the table or surface the print lies on", table,
                           "kept as photographed"))
    return KeptSurround(ab, kept if bool(kept.any()) else None, tuple(notes))


def _keeps_some(inside: torch.Tensor | None) -> bool:
    """Whether a step found a surround with pixels outside the photo (a mount whose photo,
    widened by its margin, covers the whole image keeps nothing and is not said)."""
    return inside is not None and not bool(inside.all())


def _note(what: str, inside: torch.Tensor, how: str) -> str:
    """E.g. "the mount or border around the photo (23% of the image) was kept as scanned"."""
    share = 1.0 - float(inside.float().mean())
    amount = f"{share:.0%}" if f"{share:.0%}" != "0%" else "under 1%"  # a thin strip: not 0%
    return f"{what} ({amount} of the image) was {how}; a color hint on it sets its color"
