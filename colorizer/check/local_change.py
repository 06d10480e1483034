"""Where a lightness difference lies: over the whole image (tones changed) or in one small
part (a watermark, a caption, a stamp or a local retouch added after the colorization).

A watermark moves a few pixels by 50+ L*, so the 99th percentile fails while the rest of
the photo keeps its tones; the finding then says where, instead of "tones changed".
"""

from __future__ import annotations

import torch

from colorizer.pipeline.luminance import row_bands

LARGE = 20.0  # |delta L*| that no re-save or resize makes: something was drawn there
LOCAL_SHARE = 0.05  # at most this share of the image changed that much: a local change
MAX_BOX = 0.2  # ... within a box of at most this share of the image
MIN_FILL = 0.1  # ... that the changed pixels fill at least this much (text, a logo)


def local_change(delta: torch.Tensor, tolerance: float
                 ) -> tuple[float, tuple[int, int, int, int] | None]:
    """`delta`: (H, W) |delta L*|. The share of the image changed by over LARGE L*, and the
    box (x0, y0, x1, y1) holding it where the change is local (at most LOCAL_SHARE of the
    image, the rest within `tolerance` on average); None where it is not local. Read a band
    of rows at a time: no full-size mask or copy (an archive-size one is 108-432 MB each)."""
    bands = row_bands(*delta.shape)
    changed = sum(int((delta[band] > LARGE).count_nonzero()) for band in bands)
    # The float32 mean of the 0/1 mask, as it was read (exact up to 2**24 changed pixels).
    share = float(torch.tensor(changed, dtype=torch.float32) / delta.numel())
    if share == 0 or share > LOCAL_SHARE or _mean_unchanged(delta, bands) > tolerance:
        return share, None
    # The box of the changed pixels without their 1% outliers; a change spread over the
    # image (a low-quality JPEG's blocks) fills little of a large box: not local.
    ys, xs = _changed_pixels(delta, bands)
    q = torch.tensor([0.01, 0.99], dtype=torch.float64)
    y0, y1 = (int(v) for v in torch.quantile(ys.double(), q))
    x0, x1 = (int(v) for v in torch.quantile(xs.double(), q))
    area = (y1 + 1 - y0) * (x1 + 1 - x0)
    if area > MAX_BOX * delta.numel() or share * delta.numel() < MIN_FILL * area:
        return share, None
    return share, (x0, y0, x1 + 1, y1 + 1)


def _mean_unchanged(delta: torch.Tensor, bands: list[slice]) -> float:
    """Mean of `delta` where at most LARGE (float64 sums), not a gathered copy of it."""
    total, count = 0.0, 0
    for band in bands:
        kept = delta[band][delta[band] <= LARGE]
        total += float(kept.double().sum())
        count += kept.numel()
    return total / max(1, count)


def _changed_pixels(delta: torch.Tensor, bands: list[slice]
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows and columns of the pixels changed by over LARGE, in reading order (as
    torch.nonzero of the whole mask gives them)."""
    found = [torch.nonzero(delta[band] > LARGE, as_tuple=True) for band in bands]
    ys = torch.cat([rows + band.start for band, (rows, _) in zip(bands, found)])
    xs = torch.cat([columns for _, columns in found])
    return ys, xs
