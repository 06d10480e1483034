"""The original as the colorization shows it, and how their lightness compares.

The order (each step only where the one before did not match):
1. same shape (aspect): compared after resizing, as before (framing.resize_note);
2. the shape turned a quarter turn: the better turn, if it then matches well enough;
3. registered (align.py): cropped, framed, given a caption strip, mirrored, straightened,
   in any mix; used, with a note saying what was done, where it puts the original
   elsewhere than 1-2 do (a corner moved by IN_PLACE of its pixels or more); where the
   two cannot be lined up and do not look alike, the check stops and says so instead of
   reporting "lightness changed" for two images that do not line up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.check import align, framing
from colorizer.check.config import CheckConfig
from colorizer.check.findings import LuminanceMatch
from colorizer.check.local_change import local_change
from colorizer.check.reduce import MAX_WORK_PIXELS, shrunk
from colorizer.check.refine import centred
from colorizer.errors import ChronochromeError
from colorizer.model.colorspace import gray_rgb_from_lightness
from colorizer.pipeline.imageio import LoadedImage
from colorizer.pipeline.luminance import lightness_of, row_bands

TURNED_MEAN = 3.0  # a turned original must match this many times the luminance tolerance
IN_PLACE = 0.5  # original pixels: a registration this close to steps 1-2 is the same place
DETAIL = 2.0  # blur (original pixels) that hides sharpening, denoising, upscaling, JPEG blocks
SAMPLE = 1_000_000  # |delta L*| values the 99th percentile is read from
MAX_PERMUTED = 16_000_000  # pixels up to which they are drawn without replacement
SAME_PHOTO = 0.5  # lightness correlation below which two same-shaped images are not one photo


class CheckInputError(ChronochromeError):
    """The images given to the check cannot be compared (one line: what and how to fix)."""


@dataclass(frozen=True)
class LinedUp:
    gray: LoadedImage  # the original as the model reads it
    match: LuminanceMatch
    notes: list[str]
    registration: align.Registration | None = None  # step 3's, where it was used


def compare(ours: torch.Tensor, theirs: torch.Tensor | None, config: CheckConfig,
            resized: bool, detail: float, valid: torch.Tensor | None = None,
            aligned: dict | None = None) -> LuminanceMatch:
    """`ours`, `theirs`: (1, 1, H, W) L*; `valid`: (H, W) bool, where both show the photo;
    `detail`: the blur (pixels) below which a difference is only in fine detail;
    `theirs` None: `ours` is already the difference (ours - theirs, (H, W)), and is
    consumed (turned into its magnitude in place)."""
    difference = ours if theirs is None else (ours - theirs)[0, 0]
    if valid is not None:
        difference.masked_fill_(~valid, 0.0)  # torch.where(valid, d, 0) without a copy
    # One full-size float array throughout (an archive-size one is 432 MB a copy): the
    # difference becomes its magnitude in place, its sign kept as one bit a pixel.
    negative = _signs(difference)
    mean, p99, signed = _spread(difference, valid)
    ok = mean <= config.luminance_mean and p99 <= config.luminance_p99
    share, box = local_change(difference, config.luminance_mean)
    detail_only = False
    if not ok and box is None:
        # Sharpening, denoising, AI upscaling or heavy JPEG move edges by tens of L* while
        # every area keeps its tone; a colorist's brightening or curves move the areas.
        from scipy.ndimage import gaussian_filter

        _signed_again(difference, negative)
        del negative
        smooth = torch.from_numpy(gaussian_filter(difference.numpy(), detail))
        del difference
        s_mean, s_p99, _ = _spread(smooth, valid)
        detail_only = s_mean <= config.luminance_mean and s_p99 <= config.luminance_p99
    return LuminanceMatch(mean, p99, ok, resized, signed, share, box, aligned, detail_only)


def _spread(difference: torch.Tensor, valid: torch.Tensor | None
            ) -> tuple[float, float, float]:
    """Mean |delta|, its 99th percentile and the mean delta over the valid pixels of
    `difference` ((H, W), 0 outside `valid`), which is left holding |delta|: the figures
    are those of |difference| read as a copy, without one."""
    values = _valid_values(difference, valid) if valid is not None else difference.view(-1)
    signed = float(values.mean())
    # |x| of the drawn values is the draw of |x|: the same indices, the same values.
    p99 = float(torch.quantile(_sample(values).abs(), 0.99))
    values.abs_()
    mean = float(values.mean())
    if valid is not None:  # `values` was a copy of the valid pixels
        del values
        difference.abs_()
    return mean, p99, signed


def _valid_values(difference: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """`difference[valid]`, gathered a band of rows at a time: the same values in the same
    order, without the whole mask's index array (torch makes one of 16 bytes a pixel)."""
    return torch.cat([difference[band][valid[band]]
                      for band in row_bands(*difference.shape)])


def _signs(difference: torch.Tensor) -> list[np.ndarray]:
    """Where `difference` ((H, W)) is negative, packed 8 pixels a byte, a band of rows at a
    time (13.5 MB for 108 MP, not a 108 MB bool mask)."""
    return [np.packbits((difference[band] < 0).numpy())
            for band in row_bands(*difference.shape)]


def _signed_again(magnitude: torch.Tensor, negative: list[np.ndarray]) -> None:
    """|delta| ((H, W)) back to delta in place from its signs (`_signs`), a band of rows at
    a time (-|x| is x exactly for x < 0)."""
    for band, packed in zip(row_bands(*magnitude.shape), negative):
        rows = magnitude[band]
        below = np.unpackbits(packed, count=rows.numel()).reshape(rows.shape).astype(bool)
        rows.copy_(torch.where(torch.from_numpy(below), -rows, rows))


def _sample(delta: torch.Tensor) -> torch.Tensor:
    """At most SAMPLE values of `delta`, a fixed draw: a permutation of every index (8 bytes a
    pixel) up to MAX_PERMUTED pixels, as the figures were set; beyond, indices drawn with
    replacement (an archive-size image's permutation was 860 MB)."""
    n = delta.numel()
    if n <= SAMPLE:
        return delta.float()
    generator = torch.Generator().manual_seed(0)
    if n <= MAX_PERMUTED:
        return delta[torch.randperm(n, generator=generator)[:SAMPLE]].float()
    return delta[torch.randint(n, (SAMPLE,), generator=generator)].float()


def plain(color: LoadedImage, gray: LoadedImage, config: CheckConfig) -> LuminanceMatch:
    """|delta L*| with the original resized to the colorization (same aspect only)."""
    (cw, ch), (gw, gh) = color.size, gray.size
    if not framing.same_aspect(color.size, gray.size):
        raise CheckInputError(framing.mismatch_message(color.size, gray.size))
    resized = (cw, ch) != (gw, gh)
    if not resized:  # L* of both a band at a time: one full-size array, not three
        return compare(_difference(color, gray), None, config, resized, DETAIL)
    ours = lightness_of(color)
    theirs = F.interpolate(lightness_of(gray), size=(ch, cw), mode="bilinear",
                           antialias=True, align_corners=False)
    difference = ours.sub_(theirs)[0, 0]  # in place: ours - theirs, one full-size array
    del ours, theirs
    return compare(difference, None, config, resized, DETAIL * max(1.0, cw / gw))


def _difference(color: LoadedImage, gray: LoadedImage) -> torch.Tensor:
    """The colorization's L* less the original's ((H, W); the two of the same size)."""
    height, width = color.pixels.shape[:2]
    out = torch.empty((height, width), dtype=torch.float32)
    for band in row_bands(height, width):
        ours = lightness_of(replace(color, pixels=color.pixels[band]))
        out[band] = (ours - lightness_of(replace(gray, pixels=gray.pixels[band])))[0, 0]
    return out


def line_up(color: LoadedImage, gray: LoadedImage, config: CheckConfig) -> LinedUp:
    """The steps of the module docstring; raises CheckInputError where none lines them up."""
    lined = _steps(color, gray, config)
    match = lined.match
    if note := _jpeg_note(color, match):
        lined.notes.insert(0, note)
    if match.detail_only:
        lined.notes.append(
            f"the colorization's fine detail differs from the original's (mean |delta L*| "
            f"{match.mean_abs:.1f}, 99th percentile {match.p99_abs:.1f}) while every area "
            "keeps its tone (blurred by a couple of the original's pixels, the two match): "
            "edges sharpened or softened after colorizing (sharpening, denoising, AI "
            "upscaling, heavy JPEG), not a change of tones, so no lightness finding")
    return lined


def _steps(color: LoadedImage, gray: LoadedImage, config: CheckConfig) -> LinedUp:
    first, notes = None, []
    if framing.same_aspect(color.size, gray.size):
        first = plain(color, gray, config)
    elif framing.same_aspect(color.size, gray.size[::-1]):
        turns = [framing.rotated(gray, k) for k in (1, 3)]
        matches = [plain(color, turned, config) for turned in turns]
        best = int(matches[1].mean_abs < matches[0].mean_abs)
        if matches[best].mean_abs <= TURNED_MEAN * config.luminance_mean:
            gray, first = turns[best], matches[best]
            notes.append(f"the colorization is turned a quarter turn "
                         f"({('counterclockwise', 'clockwise')[best]}) from the original: "
                         "its lightness was compared after turning the original the same way")
    if first is not None and first.matches:
        return _plain_result(color, gray, first, notes)
    # Registered even where it looks in place but for its tones or detail: a shift of a
    # few pixels (a 1% crop of a small photo) also passes for "fine detail" when blurred.
    registered = _registered(color, gray, config)
    if registered is not None and (first is None or not _in_place(registered, color, gray)):
        return replace(registered, notes=notes + registered.notes)
    if first is None:
        # Another photo (of the same scene, say) is what most often neither lines up nor
        # shares the shape: said first, not after a reading of the shapes as a crop.
        if (alike := _correlation(color, gray)) < SAME_PHOTO:
            raise CheckInputError(_another_photo(color, gray, alike, shaped=True))
        raise CheckInputError(framing.mismatch_message(color.size, gray.size)
                              .replace(", or it is another photo;", ", or it is another "
                                       "photo (the two could not be lined up: no crop, "
                                       "frame, turn or mirror of the original matches it);"))
    alike = _correlation(color, gray) if registered is None else 1.0
    if alike <= -SAME_PHOTO:  # the same forms with light and dark exchanged
        notes.append(f"the original's lightness is the inverse of the colorization's "
                     f"(correlation {alike:.2f}): is --original a negative?")
    elif alike < SAME_PHOTO:
        raise CheckInputError(_another_photo(color, gray, alike))
    return _plain_result(color, gray, first, notes)


def _another_photo(color: LoadedImage, gray: LoadedImage, alike: float,
                   shaped: bool = False) -> str:
    """The error for a colorization that is not of the original given; `shaped`: their
    shapes differ too (said after, as what the shapes would otherwise suggest)."""
    (cw, ch), (gw, gh) = color.size, gray.size
    shapes = (f" and their shapes differ (the original is {gw}x{gh} and the colorization "
              f"{cw}x{ch}: {framing.shape_change(color.size, gray.size)})" if shaped else "")
    return (f"the colorization {color.name} and the original {gray.name} do not look like the "
            f"same photo (lightness correlation {alike:.2f}){shapes}; the two could not be "
            "lined up (no crop, frame, turn or mirror of the original matches it): it may be "
            "a colorization of another photo, another shot of the same scene included; give "
            "the original it was made from, or check without --original (its colors are "
            "still checked)")


def _in_place(registered: LinedUp, color: LoadedImage, gray: LoadedImage) -> bool:
    """Whether the registration found the original where the plain comparison put it (a
    corner moves less than IN_PLACE of the original's pixels): its tones or detail differ,
    not its place, and the plain comparison's figures stand."""
    (cw, ch), (gw, gh) = color.size, gray.size
    resize = centred(gw / cw, gh / ch)
    matrix = registered.registration.matrix
    corners = np.array([[0, cw, 0, cw], [0, 0, ch, ch], [1, 1, 1, 1.0]])
    return float(np.abs((matrix - resize) @ corners)[:2].max()) < IN_PLACE


def _plain_result(color: LoadedImage, gray: LoadedImage, match: LuminanceMatch,
                  notes: list[str]) -> LinedUp:
    note = framing.resize_note(color.size, gray.size)
    return LinedUp(gray, match, notes + ([note] if note else []))


def _jpeg_note(color: LoadedImage, match: LuminanceMatch) -> str | None:
    if (color.source_format == "JPEG" and not match.matches
            and abs(match.mean_signed) < 0.7 * match.mean_abs):
        # A JPEG saved at very low quality (about 10 of 100) moves pixels both ways by
        # 10+ L* (blocks, ringing) while the tones overall hold: say so beside the finding.
        return (f"{color.name} is a JPEG and its lightness differs both ways "
                f"(mean |delta L*| {match.mean_abs:.1f}, overall shift "
                f"{match.mean_signed:+.1f}): if it was saved at very low quality, "
                "heavy compression alone can make this difference")
    return None


def _correlation(color: LoadedImage, gray: LoadedImage) -> float:
    ours = lightness_of(color)
    theirs = F.interpolate(lightness_of(gray), size=ours.shape[-2:], mode="bilinear",
                           antialias=True, align_corners=False)
    a, b = ours.flatten().double(), theirs.flatten().double()
    if float(a.std()) < 1e-6 or float(b.std()) < 1e-6:
        return 1.0  # a flat image: nothing to tell them apart by
    return float(torch.corrcoef(torch.stack([a, b]))[0, 1])


def _registered(color: LoadedImage, gray: LoadedImage, config: CheckConfig) -> LinedUp | None:
    """The original registered onto the colorization (align.py), or None."""
    ours = lightness_of(color)
    theirs = lightness_of(gray)[0, 0].numpy()
    found = align.register(ours[0, 0].numpy(), theirs)
    if found is None:
        return None
    theirs, matrix = _prescaled(theirs, found)
    warped, valid = align.warp_into(theirs, matrix, tuple(ours.shape[-2:]))
    del theirs  # the original's L* (full size where it was not shrunk) is read no more
    # Where the colorization shows more than the original (a frame, a caption strip), the
    # model reads the colorization's own lightness there: not compared, nothing invented.
    warped = torch.from_numpy(warped).float()[None, None]
    valid = torch.from_numpy(valid)
    pixels = _gray_pixels(torch.where(valid, warped, ours)[0, 0], gray.pixels.dtype)
    lined = replace(gray, pixels=pixels, size=(pixels.shape[1], pixels.shape[0]))
    match = compare(ours, warped, config, abs(found.scale - 1) > 0.01,
                    DETAIL * max(1.0, found.scale), valid, found.to_dict())
    return LinedUp(lined, match, [registration_note(found, color.size, gray.size)], found)


def _gray_pixels(lightness: torch.Tensor, dtype: np.dtype) -> np.ndarray:
    """The lined-up L* ((H, W)) as compact gray: 8-bit for an 8-bit original, float32 in
    [0, 1] for a deeper one (a 16-bit original's uint16 too: rounded to 8 bits, its tones
    would band), a band of rows at a time (float64 of a whole archive-size image is hundreds
    of MB)."""
    height, width = lightness.shape
    deep = dtype != np.uint8
    out = np.empty((height, width), dtype=np.float32 if deep else np.uint8)
    for band in row_bands(height, width):
        level = gray_rgb_from_lightness(lightness[band].double()[None, None])[0, 0].numpy()
        out[band] = level if deep else np.clip(np.rint(level * 255), 0, 255)
    return out


def _prescaled(lightness: np.ndarray, found: align.Registration
               ) -> tuple[np.ndarray, np.ndarray]:
    """The original's L* shrunk first where the colorization is smaller (resampling a large
    image onto a small grid would alias), and the matrix from the colorization to it."""
    if found.scale >= 0.8:
        return lightness, found.matrix
    from PIL import Image

    h, w = lightness.shape
    size = (max(1, round(w * found.scale)), max(1, round(h * found.scale)))
    if lightness.size > MAX_WORK_PIXELS:  # an archive-size original: no full-size copy
        small = shrunk(lightness, size)
    else:
        small = np.asarray(Image.fromarray(lightness.astype(np.float32), mode="F")
                           .resize(size, Image.LANCZOS), dtype=np.float64)
    return small, centred(size[0] / w, size[1] / h) @ found.matrix


def registration_note(found: align.Registration, color_size: tuple[int, int],
                      gray_size: tuple[int, int]) -> str:
    """What was done to line the original up, in a historian's words."""
    done = []
    if found.mirrored:
        done.append("mirrored left to right")
    turn = (found.angle + 180) % 360 - 180
    quarter = round(turn / 90)
    if quarter:
        done.append("turned a half turn" if abs(quarter) == 2 else
                    f"turned a quarter turn {'counterclockwise' if quarter > 0 else 'clockwise'}")
    if abs(turn - 90 * quarter) >= 0.3:
        done.append(f"turned {abs(turn - 90 * quarter):.1f} degrees "
                    f"{'counterclockwise' if turn - 90 * quarter > 0 else 'clockwise'} "
                    "(straightened or tilted)")
    x0, y0, x1, y1 = found.shown
    cut = [f"{name} {100 * share:.0f}%" for name, share in
           (("left", x0), ("top", y0), ("right", 1 - x1), ("bottom", 1 - y1)) if share >= 0.005]
    if cut:
        done.append(f"cropped ({', '.join(cut)} of the original cut off)")
    if found.cover < 0.995:
        done.append(f"given {100 * (1 - found.cover):.0f}% of its area beyond the original's "
                    "edges (a frame, border, caption strip or padding: not compared)")
    if abs(found.scale - 1) > 0.01:
        done.append(f"resized to {100 * found.scale:.0f}% of the original's scale")
    what = "; ".join(done) if done else "shifted"
    return (f"the colorization ({color_size[0]}x{color_size[1]}) does not line up with the "
            f"original ({gray_size[0]}x{gray_size[1]}) pixel for pixel; the original was "
            f"found in it ({found.inliers} matching features, lightness correlation "
            f"{found.correlation:.2f}): the colorization is {what}. Its lightness and colors "
            "were compared after lining the original up the same way")
