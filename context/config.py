"""`ContextConfig`: the one frozen config of the context encoder, stored as JSON."""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from context.config_io import config_from_dict
from context.text_encoding import decode_json_text

# The gazetteer and label data are authored in configs/context/; `context/data` links there in
# a checkout, and a built wheel carries real copies as package data, so an installed
# chronochrome finds them without the repository.
DEFAULT_DATA_DIR = Path(str(importlib.resources.files("context").joinpath("data")))


@dataclass(frozen=True)
class ContextConfig:
    data_dir: str = str(DEFAULT_DATA_DIR)  # gazetteer, periods, scripts, scene cues, labels
    use_ocr: bool = True  # read writing in the image (text detector + Tesseract)
    ocr_max_lines: int = 8  # read at most this many detected text boxes (largest first)
    ocr_min_confidence: float = 0.35  # drop recognised lines below this mean confidence
    detector_side: int = 736  # longer image side fed to the text-box detector, pixels
    # Smaller photos are enlarged to this long side for the detector (0: never): a 240 x 180
    # slide's hand title is found in 39 of 39 titled slides at 480 against 35 at 240.
    detector_min_side: int = 480
    # A second reader of each line, PP-OCR in look-alike letters (context/lookalike_reader.py).
    lookalike_reading: bool = True
    # The letter-shape classifier's vote on the script (context/script_vote.py; 0: off), and
    # the probability from which a line counts. `python -m eval.shape_rule` (rule in its
    # docstring, on generated titles and photos without writing) chose weight 0.5 at floor
    # 0.6: 61 -> 67, handwritten titles' script 24 -> 30 of 60, printed 37 -> 39, photos
    # without writing given one 4 -> 5. Off by default all the same: on real photos, the
    # judge, it gained nothing (titled slides 35/39 either way: two set right, two read in
    # Cyrillic turned Latin) and claimed writing on 4 more Prokudin-Gorsky plates (10/54;
    # eval/results/real-writing-shapes/). Set 0.5 to use it.
    shape_weight: float = 0.0
    shape_floor: float = 0.6
    shape_latin: bool = True  # lines that look Latin vote too (eval/shape_rule.py stage 2)
    tesseract_threads: int = 2  # recognisers run in parallel (one Tesseract process each)
    # The text detector's onnxruntime threads. One: its second thread spin-waits, so two spent
    # 0.14 s of CPU per 640-px photo against 0.073 s for one (the same boxes on 24 photos;
    # eval/bench_throughput.py), and no faster on a loaded 2-core machine.
    detector_threads: int = 1
    circa_years: int = 5  # "circa 1915" -> 1910-1920
    scene_top_k: int = 5  # ImageNet labels kept in `scene`
    # A scene label is shown and used only from this probability on: on 2061 labeled gray
    # photos the top-5 labels at >= 0.25 are the true class 75% of the time, at 0.05 only 33%
    # (`python -m eval.scene_floor`, rule: the smallest floor with precision >= 0.7).
    scene_min_score: float = 0.25
    clip_checkpoint: str | None = None  # local path or hub tag; None = CLIP not used
    clip_min_probability: float = 0.25  # zero-shot era/region must reach this to add evidence
    embed: bool = True  # compute the MiniLM text embedding of the description

    def __post_init__(self) -> None:
        if self.ocr_max_lines < 1:
            raise ValueError(f"ocr_max_lines must be >= 1, got {self.ocr_max_lines}")
        if not 0.0 <= self.ocr_min_confidence <= 1.0:
            raise ValueError(f"ocr_min_confidence must be in [0, 1], got {self.ocr_min_confidence}")
        if self.shape_weight < 0 or not 0.0 <= self.shape_floor <= 1.0:
            raise ValueError("shape_weight must be >= 0 and shape_floor in [0, 1], got "
                             f"{self.shape_weight} and {self.shape_floor}")
        if self.circa_years < 0:
            raise ValueError(f"circa_years must be >= 0, got {self.circa_years}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContextConfig:
        return config_from_dict(cls, data)

    @classmethod
    def from_json(cls, path: str | Path) -> ContextConfig:
        """The config in a JSON file as Notepad saves it (a byte-order mark, UTF-16)."""
        return cls.from_dict(json.loads(decode_json_text(Path(path).read_bytes(), str(path))))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
