"""Optional CLIP zero-shot era and region, and the CLIP image embedding.

Used only when a checkpoint is given (a local folder in Hugging Face `CLIPModel` format, or
a hub tag on a machine with internet). Prompts are ensembles: several templates per decade
(1840s-2000s) and per region, their text embeddings averaged (the CLIP paper's recipe).
Offline with no checkpoint, `ContextEncoder` reports `sources.clip = {used: false, ...}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

DECADES = tuple(range(1840, 2010, 10))
ERA_TEMPLATES = (
    "a photograph taken in the {}s.",
    "an old photo from the {}s.",
    "a historical black and white photograph from the {}s.",
    "a vintage photo, circa {}.",
)
REGION_TEMPLATES = (
    "a photograph taken in {}.",
    "an old photo of a street in {}.",
    "a historical photograph from {}.",
)
# Regions for zero-shot: (place id in places.csv, name used in prompts).
REGIONS = (
    ("russia", "Russia"), ("tatarstan", "Tatarstan"), ("ukraine", "Ukraine"),
    ("germany", "Germany"), ("france", "France"), ("united_kingdom", "Britain"),
    ("ireland", "Ireland"), ("usa", "the United States"), ("japan", "Japan"),
    ("china", "China"), ("india", "India"), ("egypt", "Egypt"), ("turkey", "Turkey"),
    ("italy", "Italy"), ("poland", "Poland"), ("austria", "Austria"), ("mexico", "Mexico"),
)


@dataclass(frozen=True)
class ClipOutput:
    decade_probs: dict[int, float]  # decade start -> probability
    region_probs: dict[str, float]  # place id -> probability
    image_embedding: np.ndarray  # (D,) L2-normalised


class ClipZeroShot:
    """Zero-shot era/region with a `transformers` CLIPModel; pass a model+processor to test."""

    def __init__(self, model, tokenizer, image_size: int, mean: tuple[float, ...],
                 std: tuple[float, ...], name: str):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.image_size = image_size
        self.mean = torch.tensor(mean).view(3, 1, 1)
        self.std = torch.tensor(std).view(3, 1, 1)
        self.name = name
        self._decade_text = self._prompts([[t.format(d) for t in ERA_TEMPLATES]
                                           for d in DECADES])
        self._region_text = self._prompts([[t.format(n) for t in REGION_TEMPLATES]
                                           for _, n in REGIONS])

    @classmethod
    def from_pretrained(cls, checkpoint: str) -> ClipZeroShot:
        """A local folder or hub tag holding a transformers CLIPModel and its processor."""
        try:
            from transformers import AutoTokenizer, CLIPImageProcessor, CLIPModel
        except ImportError as e:
            raise ImportError("CLIP needs transformers: pip install transformers") from e
        model = CLIPModel.from_pretrained(checkpoint)
        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        proc = CLIPImageProcessor.from_pretrained(checkpoint)
        crop = proc.crop_size  # an int, a dict or a SizeDict depending on the version
        size = crop if isinstance(crop, int) else (getattr(crop, "height", None)
                                                    or crop["height"])
        return cls(model, tokenizer, int(size), tuple(proc.image_mean), tuple(proc.image_std),
                   checkpoint)

    @torch.inference_mode()
    def _prompts(self, groups: list[list[str]]) -> torch.Tensor:
        flat = [p for g in groups for p in g]
        tokens = self.tokenizer(flat, padding=True, truncation=True, return_tensors="pt")
        emb = self.model.get_text_features(**tokens)
        emb = getattr(emb, "pooler_output", emb)
        emb = torch.nn.functional.normalize(emb, dim=-1)
        out, i = [], 0
        for g in groups:  # prompt ensemble: mean of the normalised template embeddings
            out.append(torch.nn.functional.normalize(emb[i: i + len(g)].mean(0), dim=-1))
            i += len(g)
        return torch.stack(out)  # (classes, D)

    def _pixels(self, image: Image.Image) -> torch.Tensor:
        # Resized before the RGB copy: a 49 MP gray photo made a 147 MB RGB copy first.
        scale = self.image_size / min(image.size)
        img = image.resize((max(self.image_size, round(image.width * scale)),
                            max(self.image_size, round(image.height * scale))),
                           Image.BICUBIC).convert("RGB")
        left, top = (img.width - self.image_size) // 2, (img.height - self.image_size) // 2
        img = img.crop((left, top, left + self.image_size, top + self.image_size))
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
        return ((x - self.mean) / self.std)[None]  # (1, 3, S, S)

    @torch.inference_mode()
    def __call__(self, image: Image.Image) -> ClipOutput:
        emb = self.model.get_image_features(pixel_values=self._pixels(image))
        emb = getattr(emb, "pooler_output", emb)
        emb = torch.nn.functional.normalize(emb, dim=-1)[0]  # (D,)
        scale = self.model.logit_scale.exp()
        decades = (scale * self._decade_text @ emb).softmax(-1)
        regions = (scale * self._region_text @ emb).softmax(-1)
        return ClipOutput(
            {d: float(p) for d, p in zip(DECADES, decades)},
            {pid: float(p) for (pid, _), p in zip(REGIONS, regions)},
            emb.numpy().astype(np.float32),
        )
