"""FlagFinder: where a gray photo shows flag or banner cloth, from the generator's encoder maps.

The direct transfer (colorizer.pipeline.correspondence) used to admit a retrieved flag only
where its own rendered texture was found in the photo; real flags (other drawings, folds, angles,
orthochromatic film) did not look like our renders (found_in_photo ~0.07 against a gate of
0.3), so the Soviet flag stayed gray in 49/60 benchmark scenes. This head asks a different
question: *is there flag or banner cloth here at all?* (any flag: the color comes from the
retrieved exemplar, which the dense matching then maps onto the cloth).

    maps[s] (B, C_s, h_s, w_s), s in strides   (`ColorGenerator.encode`, already computed)
        -> standardized per channel (training statistics) -> 1x1 conv -> SiLU
        -> upsampled to stride 8, summed over strides
        -> 3x3 conv -> SiLU -> 3x3 conv -> sigmoid      (B, 1, h8, w8) cloth probability

It reads the maps the pipeline computes anyway (step 3), so it costs a few small convolutions
per photo. Trained by `python -m colorizer.training.train_flag_finder` on synthetic scenes (see that
module); saved as `flag_finder.safetensors` beside the generator's weights, its config in the
file's metadata. The encoder stays frozen: the finder must never change the colorizer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from colorizer.model.encoder import FEATURE_CHANNELS
from colorizer.model.head_io import read_head, save_head
from context.config_io import config_from_dict

FLAG_FINDER_FILE = "flag_finder.safetensors"
_CONFIG_KEY = "flag_finder_config"  # safetensors metadata key holding the config as JSON
CELL_STRIDE = 8  # the finder's output grid: one probability per stride-8 cell


@dataclass(frozen=True)
class FlagFinderConfig:
    """The head's shape; saved in the file's metadata."""

    strides: tuple[int, ...] = (8, 16, 32)  # encoder maps read (stride 32: the scene around)
    width: int = 32  # channels of the head

    def __post_init__(self) -> None:
        if not self.strides or len(set(self.strides)) != len(self.strides):
            raise ValueError(f"strides must be distinct and not empty, got {self.strides}")
        unknown = [s for s in self.strides if s not in FEATURE_CHANNELS]
        if unknown:
            raise ValueError(f"strides {unknown} are not encoder strides "
                             f"{sorted(FEATURE_CHANNELS)}")
        if self.width < 1:
            raise ValueError(f"width must be positive, got {self.width}")

    @classmethod
    def from_dict(cls, data: dict) -> FlagFinderConfig:
        if "strides" in data:
            data = {**data, "strides": tuple(int(s) for s in data["strides"])}  # JSON: lists
        return config_from_dict(cls, data)

    def to_dict(self) -> dict:
        return {**asdict(self), "strides": list(self.strides)}


class FlagFinder(nn.Module):
    """Encoder maps -> (B, 1, h8, w8) probability that each stride-8 cell shows flag cloth."""

    def __init__(self, config: FlagFinderConfig | None = None):
        super().__init__()
        self.config = config or FlagFinderConfig()
        w = self.config.width
        self.reads = nn.ModuleDict()
        for s in self.config.strides:
            c = FEATURE_CHANNELS[s]
            # Standardization statistics of the training scenes' maps (set by the trainer):
            # the encoder's channels differ in scale by orders of magnitude.
            self.register_buffer(f"mean{s}", torch.zeros(c))
            self.register_buffer(f"std{s}", torch.ones(c))
            self.reads[str(s)] = nn.Conv2d(c, w, 1)
        self.mix = nn.Conv2d(w, w, 3, padding=1)
        self.out = nn.Conv2d(w, 1, 3, padding=1)

    def logits(self, features: dict[int, torch.Tensor]) -> torch.Tensor:
        """`ColorGenerator.encode`'s maps -> (B, 1, h8, w8) logits (the stride-8 grid)."""
        if CELL_STRIDE not in features:
            raise KeyError(f"no stride-{CELL_STRIDE} map in the features (have "
                           f"{sorted(features)}): pass the dict that ColorGenerator.encode "
                           "returns")
        size = features[CELL_STRIDE].shape[-2:]
        y = None
        for s in self.config.strides:
            x = features[s].to(self.mix.weight.dtype)
            mean, std = getattr(self, f"mean{s}"), getattr(self, f"std{s}")
            x = (x - mean[:, None, None]) / std[:, None, None]
            part = F.silu(self.reads[str(s)](x))
            if part.shape[-2:] != size:
                part = F.interpolate(part, size=size, mode="bilinear", align_corners=False)
            y = part if y is None else y + part
        return self.out(F.silu(self.mix(y)))

    def forward(self, features: dict[int, torch.Tensor]) -> torch.Tensor:
        """(B, 1, h8, w8) cloth probability in [0, 1]."""
        return torch.sigmoid(self.logits(features))

    def set_statistics(self, mean: dict[int, torch.Tensor], std: dict[int, torch.Tensor]
                       ) -> None:
        """Per-channel mean and std of the training maps, by stride."""
        with torch.no_grad():
            for s in self.config.strides:
                getattr(self, f"mean{s}").copy_(mean[s])
                getattr(self, f"std{s}").copy_(std[s].clamp_min(1e-6))

    # --- persistence ---------------------------------------------------------------------

    def save_pretrained(self, folder: str | Path, metadata: dict | None = None) -> Path:
        """Write `flag_finder.safetensors` into folder, the config and `metadata` as string
        metadata."""
        path = Path(folder) / FLAG_FINDER_FILE
        return save_head(self, self.config.to_dict(), path, _CONFIG_KEY, metadata)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> FlagFinder:
        """Load `flag_finder.safetensors` from folder strictly (every key and shape must match)."""
        config, state = read_head(Path(folder) / FLAG_FINDER_FILE, _CONFIG_KEY,
                                  "FlagFinder.save_pretrained",
                                  "train one with `python -m colorizer.training.train_flag_finder "
                                  f"--out {folder}`")
        model = cls(FlagFinderConfig.from_dict(config))
        model.load_state_dict(state, strict=True)
        return model.eval()
