"""The gray case of eval/negative_look.py: the cues that might tell a B&W negative scanned as
gray (eval/gray_negative_cues.py), run on real photos with the real face detector."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import data

from eval.gray_negative_cues import gray_cues, has_bright_frame
from eval.negative_look import gray_lines, measure_gray


def _face() -> np.ndarray:
    """scikit-image's astronaut portrait, gray (H, W) uint8: one frontal face."""
    return np.asarray(Image.fromarray(data.astronaut()).convert("L"))


def _with_white_margin(gray: np.ndarray, width: int = 24) -> np.ndarray:
    """A print with a white paper margin around `gray`."""
    return np.pad(gray, width, constant_values=250)


def test_the_face_cue_fires_on_a_negative_of_a_face_and_not_on_the_photo():
    photo, negative = gray_cues(_face()), gray_cues(255 - _face())
    assert photo.faces_as_is >= 1 and photo.faces_inverted == 0
    assert not photo.faces_only_inverted(1)
    assert negative.faces_only_inverted(1)


def test_the_frame_cue_cannot_tell_a_clear_rebate_from_a_white_margin():
    camera = data.camera()
    assert not has_bright_frame(camera)
    assert has_bright_frame(_with_white_margin(camera))  # an ordinary print: a false alarm


def test_the_gray_case_counts_false_alarms_and_hits(tmp_path):
    folder = tmp_path / "historical-bw"
    folder.mkdir()
    Image.fromarray(_face()).save(folder / "portrait.png")
    Image.fromarray(_with_white_margin(data.camera())).save(folder / "margin.png")
    gray = measure_gray(tmp_path)
    assert gray["photos"] == 2 and gray["sets"] == {"historical-bw": 2}
    assert gray["with_people"] == 1
    assert gray["faces"][1] == {"false_alarms": [], "hits": 1, "hits_with_people": 1}
    assert gray["frame"]["false_alarms"] == ["historical-bw/margin.png"]
    assert gray["cue_ms_median_512px"] > 0
    report = "\n".join(gray_lines(gray))
    assert "| at least 1 face(s) in the inverse, none as it is | 0 of 2 | 1 of 2 | 1 of 1 |" \
        in report
    assert "| a bright frame on every edge (a clear rebate) | 1 of 2 |" in report
