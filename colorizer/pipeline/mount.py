"""A photo's mount (a card, a mat, a print's white border, the scanner bed), kept as scanned.

A carte de visite on its card, a daguerreotype behind its oval mat, a print with a white
border: the generator reads the flat surround as sky and paints it blue (hue ~270: a gray
arched mat C* 2.0, p95 7.2), and a toned card or a brass mat loses its tone to that blue (C*
16.5 and 22.2 as scanned, 2.4 and 1.0 colorized: eval/results/mount-surround.md). The
surround is no part of the photo: it keeps the scan's own chroma (a gray card stays gray, a
toned card keeps its tone: C* 15.3 and 20.3, the p95 as scanned), and the photo inside keeps
the colors it had (CIEDE2000 0.00 on every scan there).

A mount is recognised by what it looks like at a small size (long side `_SIDE`):

    flat   = pixels whose L* barely varies around them (local std < FLAT_DETAIL)
    marks  = the card's small or thin marks: an imprint's gilt letters, ruled or embossed
             frames and their rosettes, foxing, a stain's tide line, a tear, the card's own
             edge on the scanner bed (`_marks`: all but the photo's detail, thick pieces small)
    mount  = the flat pixels joined to the image's edge, through the marks, around nearly
             all of it (read again over the flat pixels alone when that finds nothing)
    photo  = the one large region the mount surrounds, filled, and nearly convex
             (a rectangle, an oval, an arch: a cut print or a mat's window); where its rim is
             itself a flat ring (card inside a ruled frame), the photo inside that ring

Each test must pass (see `MountEvidence`), else nothing changes: an ordinary photo's flat sky
reaches one or two edges, not all four. Of 298 ordinary photos (real-color-dev, the
Prokudin-Gorsky plates, photos-train's val and held-out splits) it fires on 6: four have a
border or a mask of their own (a round autochrome mask, a Polaroid's frame, two bordered
prints), two are objects on a plain backdrop; only one output moved (a ball on a green
backdrop, kept gray: CIEDE2000 to its true colors 21.3 -> 18.6). Reading through the marks
added no fire there (eval/results/mount-surround.md).

A print whose own flat sky, snow or shore meets its card or border with little contrast (the
sky read as card), or whose edge a stain or foxing crosses (the stain read as photo), leaves
a photo that is not convex: when neither read finds the mount, the cut print is read back from
its straight sides and the faint line of its edge (mount_edges.py), over the flat pixels and
then over the finer flat that edge bounds. On the 492 ordinary photos above it adds no fire.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.mount_edges import faint_edge_flat, print_rectangle

_SIDE = 256  # the long side (px) the surround is read at
FLAT_DETAIL = 1.2  # L*: a mount pixel's 3x3 neighbourhood varies less than this (std)
MIN_EDGE_SHARE = 0.85  # of the image's outermost pixels lie on the mount
MIN_SIDE_SHARE = 0.6  # and at least this share of each side's: all four sides are mount
MIN_PHOTO_SHARE, MAX_PHOTO_SHARE = 0.15, 0.98  # of the image: the photo the mount holds
MIN_SOLIDITY = 0.96  # the photo's area over its convex hull's: a cut print or a mat window
MIN_DETAIL_RATIO = 4.0  # the photo's mean detail over the mount's: a photo, not more card
MAX_OTHER_SHARE = 0.03  # of the image: the largest other thing on the mount (an imprint's
#                         letters, a stain; a stereo card's second view is not: stereo.py)
_MARGIN = 2  # px at _SIDE: the photo is widened by this before the mount is taken outside it
MAX_MARK_SHARE = 0.03  # of the image: a mark on the mount (letters, a spot) at most this large
MAX_MARKS_SHARE = 0.15  # of the image: all the marks on the mount together
_THIN = 2  # px at _SIDE: a line thinner than twice this is a mark, whatever its length
_MAX_PEEL = 8  # px at _SIDE: the deepest a flat ring inside an inner frame is looked for
MIN_PEELED_SHARE = 0.5  # of the photo found: the photo inside an inner frame, at least


@dataclass(frozen=True)
class MountEvidence:
    """What the surround test measured on one image (for reports and the eval)."""

    edge_share: float  # of the outermost pixels on the mount
    side_share: float  # the least of the four sides' shares
    photo_share: float  # of the image inside the mount
    solidity: float  # the photo's area over its convex hull's
    detail_ratio: float  # the photo's mean detail over the mount's
    other_share: float  # of the image: the largest thing on the mount besides the photo
    mark_share: float = 0.0  # of the image: the marks on the mount (see `_marks`)

    @property
    def found(self) -> bool:
        return (self.edge_share >= MIN_EDGE_SHARE and self.side_share >= MIN_SIDE_SHARE
                and MIN_PHOTO_SHARE <= self.photo_share <= MAX_PHOTO_SHARE
                and self.solidity >= MIN_SOLIDITY and self.detail_ratio >= MIN_DETAIL_RATIO
                and self.other_share <= MAX_OTHER_SHARE
                and self.mark_share <= MAX_MARKS_SHARE)


def _small(lightness: np.ndarray) -> np.ndarray:
    height, width = lightness.shape
    scale = _SIDE / max(height, width)
    size = (max(8, round(height * scale)), max(8, round(width * scale)))
    return F.interpolate(torch.from_numpy(np.ascontiguousarray(lightness, np.float32))[None, None],
                         size=size, mode="bilinear", antialias=True,
                         align_corners=False)[0, 0].double().numpy()


def _detail(small: np.ndarray) -> np.ndarray:
    """Local std of L* over 3x3 pixels."""
    from scipy.ndimage import uniform_filter

    mean = uniform_filter(small, 3, mode="nearest")
    return np.sqrt(np.maximum(uniform_filter(small * small, 3, mode="nearest") - mean * mean,
                              0.0))


def _edge_shares(mount: np.ndarray) -> tuple[float, float]:
    sides = (mount[0], mount[-1], mount[:, 0], mount[:, -1])
    shares = [float(s.mean()) for s in sides]
    total = sum(float(s.sum()) for s in sides) / sum(s.size for s in sides)
    return total, min(shares)


def _marks(flat: np.ndarray) -> np.ndarray:
    """(h, w) bool: the marks on the surround, which a worn or ornamented card carries and a
    plain one does not: each part of the detail (~flat) but the largest (the photo's) whose
    thick pieces (what an opening by _THIN px leaves) are all small, at most MAX_MARK_SHARE
    of the image: an imprint's letters, foxing, a ruled or embossed frame and its rosettes, a
    card's edge on the scanner bed, a crease. The flat surround is read through them."""
    from scipy.ndimage import binary_opening, label, maximum

    parts, count = label(~flat)
    if count < 2:
        return np.zeros_like(flat)
    sizes = np.bincount(parts.ravel(), minlength=count + 1)
    thick, pieces = label(binary_opening(~flat, iterations=_THIN))
    piece_sizes = np.bincount(thick.ravel(), minlength=pieces + 1)
    piece_sizes[0] = 0  # the thin pixels: a piece of no size
    largest_piece = np.asarray(maximum(piece_sizes[thick], parts, np.arange(count + 1)))
    mark = largest_piece <= MAX_MARK_SHARE * flat.size
    mark[0] = False  # the flat pixels
    mark[int(np.argmax(sizes[1:])) + 1] = False  # the photo's detail is never a mark
    return mark[parts]


def _photo_of(rest: np.ndarray, opening: int = 0) -> tuple[np.ndarray, float]:
    """The photo among `rest` (bool, the pixels off the mount): its largest part, filled and
    opened by `opening` px (foxing or a tide line touching the print is no part of its
    outline); and the next largest part's share of the image."""
    from scipy.ndimage import binary_fill_holes, binary_opening, label

    parts, count = label(rest)
    sizes = np.bincount(parts.ravel())[1:]  # the pixels of each region off the mount
    photo = binary_fill_holes(parts == 1 + int(np.argmax(sizes)))
    if opening:
        opened, pieces = label(binary_opening(photo, iterations=opening))
        if pieces:
            photo = opened == 1 + int(np.argmax(np.bincount(opened.ravel())[1:]))
    other = float(np.sort(sizes)[-2]) / rest.size if count > 1 else 0.0
    return photo, other


def _surround(flat: np.ndarray, marks: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """(h, w) bool: the flat pixels and marks joined to `seeds` (the flat pixels on the
    outline the surround is read from)."""
    from scipy.ndimage import label

    regions, _ = label(flat | marks)
    joined = np.unique(regions[seeds])
    return np.isin(regions, joined[joined > 0])


def _peeled(photo: np.ndarray, flat: np.ndarray, marks: np.ndarray) -> np.ndarray:
    """The photo inside `photo` when its rim is a flat ring of card around an inner frame (a
    ruled or embossed line round the print, a card lying on the scanner bed): the region
    inside, read as the mount test reads the whole image; `photo` itself otherwise."""
    from scipy.ndimage import binary_erosion

    for depth in range(1, _MAX_PEEL + 1):
        inner = binary_erosion(photo, iterations=depth)
        rim = inner & ~binary_erosion(inner)
        if not rim.any() or flat[rim].mean() < MIN_EDGE_SHARE:
            continue
        surround = _surround(flat & inner, marks & inner, flat & rim)
        if not (inner & ~surround).any():
            return photo
        core, _ = _photo_of(inner & ~surround, _THIN)
        if core.sum() >= MIN_PEELED_SHARE * photo.sum() and _solidity(core) >= MIN_SOLIDITY:
            return core
        return photo
    return photo


def _solidity(photo: np.ndarray) -> float:
    from skimage.morphology import convex_hull_image

    return float(photo.sum() / max(1, convex_hull_image(photo).sum()))


def _read(detail: np.ndarray, flat: np.ndarray, marks: np.ndarray, edge: np.ndarray,
          rectangle: bool = False) -> tuple[MountEvidence, np.ndarray] | None:
    """The evidence for a mount of the flat pixels and `marks` joined to `edge` (the image's
    outermost pixels), and the photo (filled, at the small size) it holds; None when it holds
    nothing. With `rectangle`, the photo is the cut print read back from its straight sides
    (mount_edges.py: a pale sky or a stain lost part of its outline); None when it has none."""
    mount = _surround(flat, marks, flat & edge)
    if mount.all():
        return None
    photo, other = _photo_of(~mount, _THIN if marks.any() else 0)
    if rectangle:
        photo = print_rectangle(photo, detail, mount & flat)
        if photo is None:
            return None
        mount &= ~photo  # the sky the card had taken back is the print's
    edge_share, side_share = _edge_shares(mount & flat)
    return MountEvidence(
        edge_share=round(edge_share, 3), side_share=round(side_share, 3),
        photo_share=round(float(photo.mean()), 3), solidity=round(_solidity(photo), 3),
        detail_ratio=round(float(detail[photo].mean() / (detail[mount & flat].mean() + 1e-6)),
                           2),
        other_share=round(other, 3), mark_share=round(float((mount & marks).mean()), 3)), photo


def _print_read(detail: np.ndarray, flat: np.ndarray, marks: np.ndarray, edge: np.ndarray
                ) -> tuple[MountEvidence, np.ndarray] | None:
    """The first read whose photo is a cut print read back from its straight sides and passes
    the mount test: over the flat pixels, then over the finer flat that a print's faint edge
    bounds (mount_edges.py), each through its marks then alone; None when none does."""
    fine = faint_edge_flat(detail, flat & edge)
    for surface, surface_marks in ((flat, marks), (fine, _marks(fine))):
        for through in (surface_marks, np.zeros_like(flat)):
            read = _read(detail, surface, through, edge, rectangle=True)
            if read is not None and read[0].found:
                return read
    return None


def measure_mount(lightness: np.ndarray) -> tuple[MountEvidence, np.ndarray] | None:
    """The evidence for a mount around the photo in `lightness` (H, W) L*, and the photo's
    region (bool, at the small size: hull widened by _MARGIN); None when no flat surround
    reaches the image's edge at all (most photos: the test ends there).

    Read twice: through the marks on the card (a worn or ornamented one), and, when that
    finds nothing, over the flat pixels alone (a plain card; and a print in a black frame on
    the scanner bed, whose frame would join the bed through its edge and leave the photo
    inside it not convex where its own shadows meet the frame); when neither finds it, the
    cut print read back from its straight sides (`_print_read`: a pale sky meeting the
    card, a stain across the print's edge)."""
    from scipy.ndimage import binary_dilation
    from skimage.morphology import convex_hull_image

    detail = _detail(_small(lightness))
    flat = detail < FLAT_DETAIL
    edge = np.zeros_like(flat)
    edge[0] = edge[-1] = True
    edge[:, 0] = edge[:, -1] = True
    if (flat & edge).mean() * flat.size / edge.sum() < MIN_EDGE_SHARE:
        return None
    marks = _marks(flat)
    read = _read(detail, flat, marks, edge)
    if read is None or not read[0].found:
        read = _read(detail, flat, np.zeros_like(flat), edge) or read
    if read is None:
        return None
    if not read[0].found and (printed := _print_read(detail, flat, marks, edge)):
        return printed[0], binary_dilation(printed[1], iterations=_MARGIN)
    evidence, photo = read
    inside = _peeled(photo, flat, marks)
    return evidence, binary_dilation(convex_hull_image(inside), iterations=_MARGIN)


def photo_region(lightness: np.ndarray) -> np.ndarray | None:
    """(h, w) bool at the small size, True on the photo and False on its mount, when
    `lightness` (H, W) is a photo on a mount; None otherwise."""
    measured = measure_mount(lightness)
    if measured is None or not measured[0].found:
        return None
    return measured[1]


def scanned_chroma(loaded: LoadedImage, size: tuple[int, int]) -> torch.Tensor:
    """(1, 2, h, w) the scan's own a*b* at `size` (h, w): zeros for a gray scan. Resized
    first, so a large scan costs no full-size float copy."""
    if not loaded.is_color or loaded.pixels.ndim != 3:
        return torch.zeros(1, 2, *size)
    small = Image.fromarray(_eight_bit(loaded.pixels)).resize(size[::-1], Image.Resampling.BOX)
    rgb = torch.from_numpy(np.asarray(small, np.float32) / 255.0).permute(2, 0, 1)[None]
    return rgb_to_lab(rgb)[:, 1:]


def _eight_bit(pixels: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 of color pixels: uint8 as they are; float in [0, 1] (a 10-bit HEIC read
    at its depth) or 16-bit levels (uint16, read as [0, 1] by `unit_pixels`) rounded a band
    of rows at a time, with no whole float temporary."""
    if pixels.dtype == np.uint8:
        return pixels
    out = np.empty(pixels.shape, np.uint8)
    rows = max(1, (1 << 20) // max(1, pixels.shape[1]))
    for top in range(0, pixels.shape[0], rows):
        band = np.clip(unit_pixels(pixels[top:top + rows]), 0.0, 1.0) * 255.0 + 0.5
        out[top:top + rows] = band.astype(np.uint8)
    return out


def keep_mount(ab: torch.Tensor, lightness: torch.Tensor, loaded: LoadedImage) -> torch.Tensor:
    """(1, 2, h, w) chroma with the scan's own chroma on the mount when `lightness`
    (1, 1, h, w) shows a photo on a mount; `ab` itself otherwise."""
    inside = mount_inside(lightness, tuple(ab.shape[-2:]))
    return ab if inside is None else scanned_outside(ab, inside, loaded)


def mount_inside(lightness: torch.Tensor, size: tuple[int, int]) -> torch.Tensor | None:
    """(h, w) bool at `size` (h, w): True on the photo, False on its mount, when `lightness`
    (1, 1, H, W) shows a photo on a mount; None otherwise."""
    region = photo_region(lightness[0, 0].float().cpu().numpy())
    if region is None:
        return None
    return F.interpolate(torch.from_numpy(region)[None, None].float(), size=size,
                         mode="nearest")[0, 0] > 0.5


def scanned_outside(ab: torch.Tensor, inside: torch.Tensor, loaded: LoadedImage
                    ) -> torch.Tensor:
    """(1, 2, h, w) `ab` where `inside` (h, w) is True, the scan's own chroma elsewhere."""
    scanned = scanned_chroma(loaded, tuple(ab.shape[-2:])).to(ab.device, ab.dtype)
    return torch.where(inside.to(ab.device), ab, scanned)
