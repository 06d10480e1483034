"""ImageNet scene classifier on the encoder's original weights, injected into `context`.

The generator fine-tunes its copy of the encoder and drops the classifier head, so scene cues
come from a separate, untouched ImageNet EfficientNet-Lite0 (4.7 M parameters, ~0.03 s at
224 px on two CPU cores). It sees the photo's luminance replicated to three channels, as the
photo is black and white.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.model.encoder import EfficientNetLite0, load_imagenet_encoder

CLASSIFIER_SIZE = 224
CLASSIFIER_MAX_LONG_SIDE = 4 * CLASSIFIER_SIZE  # photos up to 4:1 are seen as before
# Above this many pixels the photo is first reduced (box-averaged, 8-bit) to at least twice
# the classifier's input size: its float copy (and the antialiased resize's 3-channel input)
# at full size was 432 MB and more of `chronochrome check`'s peak on a 108 MP photo. Below
# it, the copy is at most 64 MB and the classifier sees the pixels exactly as before.
REDUCE_ABOVE_PIXELS = 16_000_000


def classifier_copy(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo's 8-bit gray that the classifier resizes to `size` (h, w): a photo over
    `REDUCE_ABOVE_PIXELS` reduced by a whole factor that keeps it at least twice `size`
    (an RGB photo before its conversion to gray: no full-size gray copy either)."""
    w, h = image.size
    factor = min(h // (2 * size[0]), w // (2 * size[1]))
    if w * h > REDUCE_ABOVE_PIXELS and factor >= 2:
        image = image.reduce(factor) if image.mode in ("L", "RGB") else (
            image.convert("L").reduce(factor))
    return image if image.mode == "L" else image.convert("L")


class ImageNetSceneClassifier:
    """PIL image -> top-k [(imagenet_class_index, probability)], as `context` expects."""

    def __init__(self, model: EfficientNetLite0 | None = None, top_k: int = 10,
                 device: str | torch.device = "cpu"):
        self.device = torch.device(device)
        self.model = (model or load_imagenet_encoder(include_head=True)).to(self.device).eval()
        if not self.model.include_head:
            raise ValueError("the scene classifier needs an encoder with its ImageNet head")
        self.top_k = top_k

    def _pixels(self, image: Image.Image) -> torch.Tensor:
        w, h = image.size
        # Short side 224, aspect kept, as in training; the long side capped, or a 1 x 5000
        # strip would become 224 x 1,120,000 (24 GB).
        scale = min(CLASSIFIER_SIZE / min(h, w), CLASSIFIER_MAX_LONG_SIDE / max(h, w))
        size = (max(CLASSIFIER_SIZE, round(h * scale)), max(CLASSIFIER_SIZE, round(w * scale)))
        gray = np.asarray(classifier_copy(image, size), dtype=np.float32) / 255.0
        x = torch.from_numpy(gray)[None, None].expand(1, 3, -1, -1)
        x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
        return self.model.normalize(x).to(self.device)

    @torch.inference_mode()
    def __call__(self, image: Image.Image) -> list[tuple[int, float]]:
        probs = self.model(self._pixels(image)).softmax(-1)[0]
        values, indices = probs.topk(self.top_k)
        return [(int(i), float(v)) for i, v in zip(indices, values)]
