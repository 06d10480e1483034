"""Cues, other than tone histograms, that a gray scan might be a B&W negative (measured by
eval/negative_look.py; none is reliable enough for the pipeline to use, see its report).

- Faces one way round: a frontal-face detector finds faces in the inverted scan and none in
  the scan as it is (people's faces are what a negative gets most visibly wrong). The
  detector is scikit-image's LBP frontal-face cascade, the only face model this project's
  packages ship (mediapipe's wheel carries no face model; its tasks download one).
- A bright frame: the unexposed rebate of a negative is clear film, so a scan by
  transmission shows it bright along every edge. A print's white margin looks the same.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np
from PIL import Image
from skimage import data
from skimage.feature import Cascade

FACE_SIDE = 384  # the detector reads the photo at this longest side (faces of a family photo)
_MIN_FACE = 20  # smallest face, pixels at FACE_SIDE
_FRAME_SHARE = 0.02  # the frame: this share of the shorter side along each edge
_FRAME_LEVEL = 0.85  # a frame pixel at least this light (0..1) is bright
_FRAME_BRIGHT = 0.9  # a bright frame: at least this share of its pixels bright


@dataclasses.dataclass(frozen=True)
class GrayCues:
    """What the cues read from one gray photo."""

    faces_as_is: int  # faces found in the photo as it is
    faces_inverted: int  # faces found in its inverse (255 - v)
    bright_frame: bool  # a bright frame along every edge (a clear rebate, or a white margin)

    def faces_only_inverted(self, at_least: int) -> bool:
        """The face cue: `at_least` faces in the inverse, none as it is."""
        return self.faces_as_is == 0 and self.faces_inverted >= at_least


@lru_cache(maxsize=1)
def _face_detector() -> Cascade:
    return Cascade(data.lbp_frontal_face_cascade_filename())


def count_faces(gray: np.ndarray) -> int:
    """Frontal faces in `gray` ((H, W) uint8), read at `FACE_SIDE` pixels at most."""
    image = Image.fromarray(gray)
    image.thumbnail((FACE_SIDE, FACE_SIDE), Image.BILINEAR)
    levels = np.asarray(image, dtype=np.float32) / 255.0
    side = max(levels.shape)
    found = _face_detector().detect_multi_scale(
        img=levels, scale_factor=1.25, step_ratio=1, min_size=(_MIN_FACE, _MIN_FACE),
        max_size=(side, side), min_neighbor_number=4)
    return len(found)


def has_bright_frame(gray: np.ndarray) -> bool:
    """Whether every edge of `gray` ((H, W) uint8) is bright, as a clear rebate scans."""
    width = max(2, int(_FRAME_SHARE * min(gray.shape)))
    edges = (gray[:width], gray[-width:], gray[:, :width], gray[:, -width:])
    return all((edge >= 255 * _FRAME_LEVEL).mean() >= _FRAME_BRIGHT for edge in edges)


def gray_cues(gray: np.ndarray) -> GrayCues:
    """Both cues on one gray photo ((H, W) uint8)."""
    return GrayCues(faces_as_is=count_faces(gray), faces_inverted=count_faces(255 - gray),
                    bright_frame=has_bright_frame(gray))
