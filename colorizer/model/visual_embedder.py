"""`LuminanceEncoderEmbedder`: the retrieval package's visual embedder, from our own encoder.

Exemplar keys must live in the feature space the colorizer sees, and the colorizer sees only
luminance: each image is turned to gray (ITU-R 601 luma, replicated to 3 channels), resized
to a short side of 224, and encoded by the ImageNet EfficientNet-Lite0; the globally pooled
head features (1280-d) are L2-normalised. Implements `retrieval.embedders.VisualEmbedder`
(retrieval never imports colorizer; callers pass this object in).
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

from colorizer.model.encoder import EfficientNetLite0, load_imagenet_encoder

SHORT_SIDE = 224
MAX_LONG_SIDE = 448  # panoramas are cropped to this long side (centre) to bound the cost


class LuminanceEncoderEmbedder:
    """`embedder(images) -> (N, 1280)` float32, rows L2-normalised."""

    dim = 1280

    def __init__(self, encoder: EfficientNetLite0 | None = None, device: str = "cpu"):
        self.device = torch.device(device)
        self.encoder = (encoder or load_imagenet_encoder(include_head=True)).to(self.device).eval()
        self.name = f"efficientnet-lite0-imagenet-luma-pooled-s{SHORT_SIDE}"

    def _tensor(self, image: Image.Image) -> torch.Tensor:
        gray = image.convert("L")
        w, h = gray.size
        scale = SHORT_SIDE / min(w, h)
        size = (max(SHORT_SIDE, round(w * scale)), max(SHORT_SIDE, round(h * scale)))
        gray = gray.resize(size, Image.BILINEAR)
        w, h = gray.size
        if max(w, h) > MAX_LONG_SIDE:
            left, top = (w - min(w, MAX_LONG_SIDE)) // 2, (h - min(h, MAX_LONG_SIDE)) // 2
            gray = gray.crop((left, top, left + min(w, MAX_LONG_SIDE), top + min(h, MAX_LONG_SIDE)))
        x = torch.from_numpy(np.asarray(gray, dtype=np.float32) / 255.0)  # (H, W) in [0, 1]
        return x[None].expand(3, -1, -1)  # (3, H, W): luminance replicated

    @torch.inference_mode()
    def __call__(self, images: list[Image.Image]) -> np.ndarray:
        if not images:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        for image in images:  # sizes differ (aspect kept): one forward each
            x = self._tensor(image)[None].to(self.device)  # (1, 3, H, W)
            rows.append(self.encoder.forward_pooled(self.encoder.normalize(x)))
        return F.normalize(torch.cat(rows), dim=-1).cpu().numpy().astype(np.float32)
