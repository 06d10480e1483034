"""Finding where the original lies in a colorization that was handled after it was made.

Colorizations found on the web are resized, cropped (a few percent, to 16:9 or square),
framed, given a caption strip, mirrored or straightened by a degree or two. Comparing them
with the archive's original pixel by pixel then reports "lightness changed" everywhere, and
the model reads the original where the colorization shows something else. So the two are
registered: ORB features of both lightness images, matched, and a similarity transform
(scale, turn, shift; the original also tried mirrored) fitted by RANSAC. It is used only
when it is sure: many features agree, and the lightness of the two, once lined up,
correlates strongly over enough of the image. Otherwise `register` answers None and the
caller says the two could not be lined up (another photo, or changed beyond recognition).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from colorizer.check.reduce import MAX_WORK_PIXELS, reduced
from colorizer.check.refine import centred, refine
from colorizer.pipeline.luminance import row_bands

WORK_SIDE = 512  # features are found with the longer side at this size (both images)
KEYPOINTS = 600
MIN_INLIERS = 20  # features that agree with the fitted transform
MIN_CORRELATION = 0.85  # of the two lightness images over their overlap, once lined up
MIN_COVER = 0.3  # the overlap must cover at least this share of the colorization
MIN_SHOWN = 0.2  # ... and show at least this share of the original
SCALE_RANGE = (0.05, 20.0)  # colorization pixels per original pixel


@dataclass(frozen=True)
class Registration:
    """Where each colorization pixel lies in the original."""

    matrix: np.ndarray  # (3, 3): colorization (x, y, 1) -> original (x, y, 1), full pixels
    mirrored: bool  # the colorization is the original mirrored left to right
    scale: float  # colorization pixels per original pixel
    angle: float  # degrees the colorization is turned counterclockwise from the original
    inliers: int  # features that agree with the transform
    correlation: float  # of the two lightness images over the overlap, once lined up
    cover: float  # share of the colorization the original covers
    shown: tuple[float, float, float, float]  # share of the original shown: x0, y0, x1, y1

    def to_dict(self) -> dict:
        return {"mirrored": self.mirrored, "scale": round(self.scale, 4),
                "angle_degrees": round(self.angle, 2), "inliers": self.inliers,
                "correlation": round(self.correlation, 4), "cover": round(self.cover, 4),
                "original_shown": [round(v, 4) for v in self.shown],
                "matrix": [[round(float(v), 6) for v in row] for row in self.matrix]}


def _work(lightness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image at WORK_SIDE (values 0-1) and the matrix from full to work pixels."""
    h, w = lightness.shape
    s = min(1.0, WORK_SIDE / max(h, w))
    image = Image.fromarray(np.clip(lightness, 0, 100).astype(np.float32) / 100, mode="F")
    if s < 1:
        image = image.resize((max(8, round(w * s)), max(8, round(h * s))), Image.LANCZOS)
    work = np.asarray(image, dtype=np.float64)
    return work, centred(work.shape[1] / w, work.shape[0] / h)


def _features(image: np.ndarray):
    from skimage.feature import ORB

    orb = ORB(n_keypoints=KEYPOINTS, fast_threshold=0.05)
    try:
        orb.detect_and_extract(image)
    except (RuntimeError, ValueError):  # a flat image: no corners to find
        return None
    if len(orb.keypoints) < MIN_INLIERS:
        return None
    return orb.keypoints[:, ::-1].copy(), orb.descriptors  # (x, y)


def _fit(ours, theirs):
    """The similarity transform ours -> theirs (work pixels) and its inlier count."""
    from skimage.feature import match_descriptors
    from skimage.measure import ransac
    from skimage.transform import SimilarityTransform

    matches = match_descriptors(ours[1], theirs[1], cross_check=True, max_ratio=0.85)
    if len(matches) < MIN_INLIERS:
        return None, 0
    model, inliers = ransac((ours[0][matches[:, 0]], theirs[0][matches[:, 1]]),
                            SimilarityTransform, min_samples=3, residual_threshold=1.5,
                            max_trials=2000, rng=0)
    if model is None or inliers is None:
        return None, 0
    return model.params, int(inliers.sum())


def register(ours: np.ndarray, theirs: np.ndarray) -> Registration | None:
    """Where the original (`theirs`, (H, W) L*) lies in the colorization (`ours`, L*);
    None unless sure (module docstring). Archive-size images are lined up on reduced
    copies (reduce.py) and the transform mapped back to their full pixels."""
    (ours_r, to_ours), (theirs_r, to_theirs) = reduced(ours), reduced(theirs)
    found = _registered(ours_r, theirs_r)
    if found is None:
        return None
    matrix, mirrored, inliers, works = found
    if ours_r is not ours or theirs_r is not theirs:
        matrix = np.linalg.inv(to_theirs) @ matrix @ to_ours
    return _judged(matrix, mirrored, inliers, works, (ours.shape, theirs.shape))


def _registered(ours: np.ndarray, theirs: np.ndarray):
    """`register` on images of at most a few megapixels: the matrix (their pixels), whether
    mirrored, the inlier count and the work images; None where no transform was found."""
    ours_work, s_ours = _work(ours)
    theirs_work, s_theirs = _work(theirs)
    found = _features(ours_work)
    if found is None:
        return None
    best = None
    for mirrored in (False, True):
        seen = theirs_work[:, ::-1] if mirrored else theirs_work
        features = _features(seen)
        if features is None:
            continue
        params, inliers = _fit(found, features)
        if params is not None and (best is None or inliers > best[2]):
            best = (params, mirrored, inliers)
        if best is not None and best[2] >= 4 * MIN_INLIERS:
            break  # clearly found unmirrored: spare the mirrored search
    if best is None or best[2] < MIN_INLIERS:
        return None
    params, mirrored, inliers = best
    flip = np.array([[-1.0, 0, theirs_work.shape[1] - 1], [0, 1, 0], [0, 0, 1]])
    work = (flip @ params) if mirrored else params  # ours work -> theirs work (unmirrored)
    matrix = refine(ours, theirs, np.linalg.inv(s_theirs) @ work @ s_ours)
    return matrix, mirrored, inliers, (ours_work, theirs_work, work)


def _judged(matrix, mirrored, inliers, works, shapes) -> Registration | None:
    """The registration if the lined-up images agree (MIN_CORRELATION over MIN_COVER)."""
    ours_work, theirs_work, work = works
    linear = matrix[:2, :2]
    scale = 1.0 / math.sqrt(abs(np.linalg.det(linear)))
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
        return None
    # The angle of the colorization's x axis in the original; mirrored: of the flipped one.
    ax = linear @ np.array([1.0, 0.0])
    angle = math.degrees(math.atan2(ax[1], -ax[0] if mirrored else ax[0]))
    warped, valid = warp_into(theirs_work, work, ours_work.shape, rim=0)
    cover = float(valid.mean())
    if cover < MIN_COVER or valid.sum() < 100:
        return None
    a, b = ours_work[valid], warped[valid]
    if a.std() < 1e-3 or b.std() < 1e-3:
        return None
    correlation = float(np.corrcoef(a, b)[0, 1])
    shown = _shown(matrix, *shapes)
    if correlation < MIN_CORRELATION or (shown[2] - shown[0]) * (shown[3] - shown[1]) < MIN_SHOWN:
        return None
    return Registration(matrix, mirrored, scale, angle, inliers, correlation, cover, shown)


def _shown(matrix: np.ndarray, ours_shape: tuple[int, int], theirs_shape: tuple[int, int]
           ) -> tuple[float, float, float, float]:
    """The box of the original the colorization shows, as shares of its width and height."""
    h, w = ours_shape
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float64).T
    mapped = (matrix @ corners)[:2]
    th, tw = theirs_shape
    x0, x1 = np.clip([mapped[0].min() / tw, mapped[0].max() / tw], 0, 1)
    y0, y1 = np.clip([mapped[1].min() / th, mapped[1].max() / th], 0, 1)
    return float(x0), float(y0), float(x1), float(y1)


def warp_into(image: np.ndarray, matrix: np.ndarray, shape: tuple[int, int],
              rim: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """`image` ((H, W)) resampled onto a (h, w) grid whose pixel (x, y) lies at
    matrix @ (x, y, 1) in it, and where that lies inside it (less a `rim` of pixels:
    resampling blends the edge with the outside). An archive-size grid is made a band of
    rows at a time, each from the part of `image` it reads (float32 out)."""
    from scipy.ndimage import binary_erosion

    if shape[0] * shape[1] <= MAX_WORK_PIXELS:
        warped, inside = _warped(image, matrix, shape)
    else:
        warped = np.empty(shape, dtype=np.float32)
        inside = np.empty(shape, dtype=bool)
        for band in row_bands(*shape):
            rows = (band.stop - band.start, shape[1])
            down = np.array([[1.0, 0, 0], [0, 1, band.start], [0, 0, 1]])
            window, offset = _window(image.shape, matrix @ down, rows)
            warped[band], inside[band] = _warped(image[window], offset @ matrix @ down, rows)
    valid = binary_erosion(inside, iterations=rim) if rim and inside.any() else inside
    return warped, valid


def _warped(image: np.ndarray, matrix: np.ndarray, shape: tuple[int, int]
            ) -> tuple[np.ndarray, np.ndarray]:
    from skimage.transform import ProjectiveTransform, warp

    transform = ProjectiveTransform(matrix)
    inside = warp(np.ones(image.shape[:2]), transform, output_shape=shape, order=0,
                  cval=0.0) > 0.5
    warped = warp(image.astype(np.float64), transform, output_shape=shape, order=1,
                  cval=0.0, preserve_range=True)
    return warped, inside


def _window(source: tuple[int, int], matrix: np.ndarray, shape: tuple[int, int]):
    """The part of `source` ((H, W)) a (h, w) grid mapped by `matrix` reads (with a margin
    for interpolation), and the matrix from source pixels to the part's."""
    h, w = shape
    corners = matrix @ np.array([[0, w, 0, w], [0, 0, h, h], [1, 1, 1, 1.0]])
    x0, y0 = (max(0, math.floor(v) - 2) for v in corners[:2].min(axis=1))
    x1 = min(source[1], max(x0 + 1, math.ceil(corners[0].max()) + 3))
    y1 = min(source[0], max(y0 + 1, math.ceil(corners[1].max()) + 3))
    x0, y0 = min(x0, x1 - 1), min(y0, y1 - 1)
    offset = np.array([[1.0, 0, -x0], [0, 1, -y0], [0, 0, 1]])
    return (slice(y0, y1), slice(x0, x1)), offset
