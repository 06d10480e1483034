"""`python -m eval.check.whole_photo`: the whole-photo statistic of a colorization, the
threshold rule (at most 3% of true photos flagged) and the keep decision.

With the real default model on scikit-image's `chelsea` (a real color photo of a cat) at
160 px: its true colors have almost no unlikely area, every hue turned 120 degrees (a
blue-green cat) a large one; and the command itself runs on two train-split photos.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from eval.check import whole_photo as wp

REPO = Path(__file__).resolve().parents[1]


def test_statistic_counts_only_colorful_pixels_and_skips_a_gray_photo():
    lab = np.zeros((40, 40, 3))
    lab[..., 0] = 50.0
    lab[:20, :, 1] = 30.0  # top half colorful (C* 30), bottom gray
    ratio = np.ones((40, 40))
    ratio[:10] = 0.001  # half of the colorful pixels unlikely
    ratio[30:] = 0.001  # gray pixels: not judged, whatever their ratio
    stat = wp.whole_photo_statistic(lab, ratio, 10.0, 0.01, 0.1)
    assert stat is not None
    assert (stat.judged_share, stat.unlikely_share) == (0.5, 0.5)
    gray = lab.copy()
    gray[..., 1] = 2.0
    assert wp.whole_photo_statistic(gray, ratio, 10.0, 0.01, 0.1) is None


def test_threshold_flags_at_most_the_false_alarm_rate_of_true_photos():
    true = [i / 100 for i in range(100)]  # 0.00 .. 0.99
    t = wp.threshold(true)  # 3% of 100: at most 3 above T
    assert t == 0.96
    assert sum(s > t for s in true) == 3
    assert wp.threshold([0.123, 0.0, None, 0.05], 0.0) == 0.13  # rounded up to 0.01


def _rows(true: float, hue: float, swap: float, n: int) -> list[dict]:
    count = len(wp.CANDIDATES)
    return [{"file": f"{i}.jpg", "hint": None,
             "shares": {"true": [true] * count, "hue120": [hue] * count,
                        "swap": [swap] * count}} for i in range(n)]


def test_choice_and_keep_decision():
    # Half the photos: true 0.1, turned 0.9 (caught); the other half: all 0.05 (not caught).
    rows = _rows(0.1, 0.9, 0.9, 10) + _rows(0.05, 0.05, 0.05, 10)
    result = wp.choose(rows)
    assert result["chosen"]["threshold"] == 0.10
    assert result["chosen"]["flagged"] == {"true": 0, "hue120": 10, "swap": 10}
    assert result["kept"] is True  # 50% >= 20%
    few = _rows(0.1, 0.9, 0.9, 3) + _rows(0.05, 0.05, 0.05, 17)
    assert wp.choose(few)["kept"] is False  # 15% < 20%
    assert "Kept in the product: no" in wp.markdown(
        {**wp.choose(few), "photos": 20, "at": "now", "seconds": 0})


def test_real_model_finds_turned_hues_unlikely_over_the_photo():
    import skimage.data
    import torch

    from colorizer.check.checker import ColorizationChecker
    from eval.common import luminance_input, pixels

    torch.set_num_threads(1)
    checker = ColorizationChecker.from_pretrained(device="cpu")
    truth = Image.fromarray(skimage.data.chelsea()).convert("RGB")
    truth.thumbnail((160, 160))
    seen = checker.analyse(truth, original=luminance_input(pixels(truth)))
    got = {name: wp.shares(checker, seen, image) for name, image in wp.versions(truth).items()}
    chosen = wp.CANDIDATES.index((0.03, 20.0))  # the setting the calibration chose
    assert got["true"][chosen] < 0.01
    assert got["hue120"][chosen] > 0.5
    assert got["swap"][chosen] > 0.5


@pytest.mark.slow
def test_command_writes_its_tables_on_two_train_photos(tmp_path):
    from eval.common import SHARED_DATASETS

    if not (SHARED_DATASETS / "photos-train").is_dir():
        pytest.skip("no shared photos-train here")
    done = subprocess.run([sys.executable, "-m", "eval.check.whole_photo", "--count", "2",
                           "--out", str(tmp_path)], cwd=REPO, capture_output=True,
                          text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "check-whole-photo.json").read_text(encoding="utf-8"))
    assert result["photos"] == 2 and len(result["candidates"]) == len(wp.CANDIDATES)
    assert "| ratio below | chroma floor | T |" in (tmp_path / "check-whole-photo.md").read_text(
        encoding="utf-8")
