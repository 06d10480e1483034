"""The text-box detector: PP-OCRv4 det shipped by `rapidocr-onnxruntime`, offline.

It finds words and lines in a photo; context/ocr.py joins and reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from context.detector_tiles import TILE_PIXELS, grid_size, tiled_quads
from context.heap import release_freed_memory
from context.regions import quad_angle

# Long side the text detector is handed at most: rapidocr's own working size. rapidocr (its
# get_preprocess) ignores `side` with limit_type "max": it works on a photo at its own size
# up to 2000 px long and shrinks larger ones to 2000 px itself (cv2's linear resize, which
# skips pixels). So a larger photo is shrunk here, antialiased, straight to that size: the
# network sees as many pixels as before, and the RGB and BGR copies at up to 4096 px (the
# old cap) and rapidocr's own resize of them are not made (detection on a 6000 x 4500 photo:
# 630 MB over the start before, 540 MB now; the network's memory grows with the area it
# reads, ~150 MB a megapixel, and reading in bands found other boxes). Photos up to 2000 px are
# handed over as they are, so their readings, and every eval figure (no dataset photo is
# over 2000 px), stay the same. The network reads inputs over 1216 x 1216 px in overlapping
# tiles (context/detector_tiles.py: one 2000-px pass took ~560 MB, tiles ~300 MB).
DETECTOR_MAX_SIDE = 2000


class TextBoxDetector(Protocol):
    """Finds text lines: returns (x0, y0, x1, y1, score) boxes in image pixels, optionally
    with a sixth field, the line's angle in degrees (context/regions.py)."""

    def __call__(self, image: Image.Image) -> list[tuple]: ...


class RapidTextDetector:
    """PP-OCRv4 text detection shipped by `rapidocr-onnxruntime` (no network needed)."""

    name = "rapidocr-onnxruntime PP-OCRv4 det"

    def __init__(self, side: int = 736, threads: int = 1, min_side: int = 0):
        try:
            import rapidocr_onnxruntime
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
        except ImportError as e:
            raise ImportError(
                "text detection needs rapidocr-onnxruntime: pip install rapidocr-onnxruntime"
            ) from e
        root = Path(rapidocr_onnxruntime.__file__).parent
        self.side = side
        # Smaller photos may be enlarged to this long side first (0: never; the encoder
        # sets ContextConfig.detector_min_side, 480: on the 240 x 180 titled slides of
        # eval/real_writing.py the detector finds the title in 39/39 at 480, 35/39 without).
        self.min_side = min_side
        self._det = TextDetector({
            "model_path": str(root / "models" / "ch_PP-OCRv4_det_infer.onnx"),
            "limit_side_len": side, "limit_type": "max",
            "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
            "thresh": 0.3, "box_thresh": 0.5, "max_candidates": 200, "unclip_ratio": 1.6,
            "use_dilation": True, "score_mode": "fast",
            "intra_op_num_threads": threads, "inter_op_num_threads": 1,
            "use_cuda": False, "use_dml": False,
        })

    def __call__(self, image: Image.Image) -> list[tuple[int, int, int, int, float, float]]:
        """(x0, y0, x1, y1, score, angle) per text box, in `image` pixels."""
        # Past DETECTOR_MAX_SIDE a photo is shrunk before the copy (boxes scaled back), and a
        # strip thinner than the detector's stride is skipped; a small one is enlarged to
        # `min_side` only when that is set (off: see above).
        if min(image.size) < 8:
            return []
        scale = min(max(1.0, self.min_side / max(image.size)),
                    DETECTOR_MAX_SIDE / max(image.size))
        if scale != 1.0:
            image = image.resize((max(1, round(image.width * scale)),
                                  max(1, round(image.height * scale))),
                                 Image.BICUBIC if scale > 1.0 else Image.BILINEAR)
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])  # (H, W, 3)
        quads = self._quads(bgr)
        del bgr
        release_freed_memory()  # the network's freed blocks, before Tesseract's (heap.py)
        if quads is None or len(quads) == 0:
            return []
        out = []
        for q in quads:  # (4, 2) corner points
            x0, y0 = q.min(axis=0) / scale
            x1, y1 = q.max(axis=0) / scale
            out.append((int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1)), 1.0,
                        round(quad_angle(q), 1)))
        return out

    def _quads(self, bgr: np.ndarray) -> np.ndarray | None:
        """rapidocr's corner points of each text box in `bgr`: in one pass when its network
        input is at most TILE_PIXELS (every dataset photo), else tile by tile in bounded
        memory (context/detector_tiles.py: a 2000-px photo's detection took ~570 MB in one
        pass)."""
        preprocess = self._det.get_preprocess(max(bgr.shape[:2]))
        grid = grid_size(*bgr.shape[:2], preprocess.limit_side_len)
        if grid[0] * grid[1] <= TILE_PIXELS:
            return _one_pass_quads(self._det, preprocess, bgr)
        return tiled_quads(self._det, bgr)


def _one_pass_quads(det, preprocess, bgr: np.ndarray) -> np.ndarray | None:
    """rapidocr's `TextDetector.__call__(bgr)[0]`, step by step, without its first step: it
    stores the photo's resize in the detector (`det.preprocess_op`) and then reads it back,
    so threads sharing one pipeline (one detector) could resize a photo by another photo's
    size class: a 1400-px photo shrunk to 960 px (other boxes, another reading). `det` is a
    rapidocr_onnxruntime.ch_ppocr_det.TextDetector, `preprocess` its `get_preprocess` for
    this photo; the session, post-processing and filter keep no state between calls."""
    shape = bgr.shape[:2]
    network_input = preprocess(bgr)  # (1, 3, H', W') float32, or None
    if network_input is None:
        return None
    probability = det.infer(network_input)[0]  # (1, 1, H', W')
    quads, _ = det.postprocess_op(probability, shape)
    return det.filter_tag_det_res(quads, shape)
