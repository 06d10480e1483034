"""ColorGenerator: ImageNet encoder on L* -> U-Net decoder with attention -> ab-bin logits.

    L* (B,1,H,W) -> gray RGB -> EfficientNet-Lite0 -> features at strides 4/8/16/32
    s32 -> proj -> up(s16) -> AttentionBlock(self + cross) -> up(s8) -> AttentionBlock(cross)
        -> up(s4) -> 1x1 head -> logits over Q ab bins (B, Q, H/4, W/4)

Conditioning tokens (context, exemplars; see conditioning.py) enter through cross-attention;
with none the model relies on what it learned (every cross-attention also sees a learned null
token).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from colorizer.model.conditioning import (
    EXEMPLAR_STRIDE,
    ConditionEncoder,
    Conditioning,
    exemplar_inputs,
)
from colorizer.model.encoder import FEATURE_CHANNELS, EfficientNetLite0, load_imagenet_encoder
from colorizer.model.layers import AttentionBlock, ConvUnit, UpBlock
from colorizer.model.quantize import (
    ESTIMATORS,
    in_gamut_ab_bins,
    normalized_entropy,
    undo_rebalancing,
)
from context.config_io import config_from_dict

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
OUTPUT_STRIDE = 4  # logits are predicted at 1/4 of the input's size
ATTENTION_STRIDE = 8  # the cross-attention whose weights say where exemplars were read
DEFAULT_TEMPERATURE = 0.38  # plain decoding (training's previews); the pipeline's is its own
NULL_TOKENS = 1  # every attention block prepends one learned null token (layers.py)
# Decoding settings that config.json carried before they moved to the pipeline's
# decoding.json (colorizer.pipeline.decoding); read from there for old weights.
LEGACY_DECODING_KEYS = frozenset({"prior_correction", "temperature", "chroma_scale",
                                  "confidence_weighted", "guided_chroma_scale", "render_size"})


@dataclass(frozen=True)
class GeneratorConfig:
    """Architecture of the generator; saved beside the weights as config.json."""

    width16: int = 192  # channels of the decoder at stride 16 (attention dim there)
    width8: int = 128  # channels at stride 8
    width4: int = 96  # channels at stride 4 (where the head predicts bins)
    heads: int = 4  # attention heads in both attention blocks
    cond_dim: int = 256  # dimension of conditioning tokens fed to cross-attention
    self_attention_s8: bool = False  # self-attention at stride 8 too (costly at 512 px)
    grid_samples: int = 96  # sRGB cube samples per axis used to find the in-gamut ab bins
    exemplar_size: int = 128  # exemplar images are squeezed to this square (8 x 8 tokens each)
    text_dim: int = 384  # dimension of the context's sentence embedding (MiniLM)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GeneratorConfig:
        """Architecture keys only; the decoding keys that config.json held before
        decoding.json existed are left to `DecodingConfig.load`."""
        return config_from_dict(cls, {k: v for k, v in data.items()
                                      if k not in LEGACY_DECODING_KEYS})

    @classmethod
    def from_json(cls, path: str | Path) -> GeneratorConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GeneratorOutput:
    """What one forward pass predicts, at stride 4 of the input."""

    logits: torch.Tensor  # (B, Q, h, w) scores over ab bins
    ab: torch.Tensor  # (B, 2, h, w) decoded a*b* (annealed mean, scaled)
    uncertainty: torch.Tensor  # (B, 1, h, w) normalised entropy in [0, 1]
    attention: tuple[torch.Tensor, ...] = ()  # per block (B, h*w, 1+N) when requested


class ColorGenerator(nn.Module):
    def __init__(self, config: GeneratorConfig, encoder: EfficientNetLite0 | None = None,
                 ab_bins: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        self.encoder = encoder if encoder is not None else EfficientNetLite0(include_head=False)
        # Saved weights carry their bins (from_pretrained passes them): computing them again
        # costs about 1 s of every start-up at grid_samples 96.
        bins = (ab_bins if ab_bins is not None
                else in_gamut_ab_bins(samples_per_axis=config.grid_samples))
        self.register_buffer("ab_bins", bins)  # (Q, 2) bin centers, saved with the weights
        # log of the class-rebalancing weights the model was trained with (zeros: unknown or
        # no rebalancing); set by the trainer, used by decode() to undo the vivid bias.
        self.register_buffer("class_log_weights", torch.zeros(bins.shape[0]))
        c = config
        self.proj32 = nn.Sequential(nn.Conv2d(FEATURE_CHANNELS[32], c.width16, 1), nn.SiLU())
        self.up16 = UpBlock(c.width16, FEATURE_CHANNELS[16], c.width16)
        self.attn16 = AttentionBlock(c.width16, c.cond_dim, c.heads, self_attention=True)
        self.up8 = UpBlock(c.width16, FEATURE_CHANNELS[8], c.width8)
        self.attn8 = AttentionBlock(c.width8, c.cond_dim, c.heads, c.self_attention_s8)
        self.up4 = UpBlock(c.width8, FEATURE_CHANNELS[4], c.width4)
        self.refine = ConvUnit(c.width4, c.width4)
        self.head = nn.Conv2d(c.width4, bins.shape[0], 1)
        self.condition = ConditionEncoder(c.cond_dim, FEATURE_CHANNELS[16], c.text_dim)

    @property
    def num_bins(self) -> int:
        return int(self.ab_bins.shape[0])

    def empty_tokens(self, batch: int, device: torch.device | None = None) -> tuple:
        """An empty conditioning set: tokens (B, 0, Dc) and mask (B, 0)."""
        device = device or self.ab_bins.device
        tokens = torch.zeros(batch, 0, self.config.cond_dim, device=device)
        return tokens, torch.zeros(batch, 0, dtype=torch.bool, device=device)

    @property
    def tokens_per_exemplar(self) -> int:
        return (self.config.exemplar_size // EXEMPLAR_STRIDE) ** 2

    def encode_conditioning(self, cond: Conditioning | None, batch: int) -> tuple:
        """Conditioning -> tokens (B, N, Dc) and mask (B, N), ordered era, text, exemplars.

        Exemplar features come from the same encoder as the photo's, without gradient and
        with frozen batch statistics: they are a lookup key, not something to train on.
        """
        device = self.ab_bins.device
        if cond is None:
            return self.empty_tokens(batch, device)
        parts, masks = [], []

        def present(mask: torch.Tensor | None, shape: tuple) -> torch.Tensor:
            if mask is None:
                return torch.ones(shape, dtype=torch.bool, device=device)
            return mask.to(device=device, dtype=torch.bool).reshape(shape)

        if cond.era is not None:
            parts.append(self.condition.era_token(cond.era.to(device)))
            masks.append(present(cond.era_mask, (batch, 1)))
        if cond.text is not None:
            parts.append(self.condition.text_token(cond.text.to(device)))
            masks.append(present(cond.text_mask, (batch, 1)))
        if cond.num_exemplars:
            b, k = cond.exemplars.shape[:2]
            gray, ab = exemplar_inputs(cond.exemplars.flatten(0, 1).to(device))
            was_training = self.encoder.training
            self.encoder.eval()
            with torch.no_grad():
                feats = self.encoder.forward_features(self.encoder.normalize(gray)).maps[16]
            self.encoder.train(was_training)
            tokens = self.condition.exemplar_tokens(feats, ab)  # (B*K, n, Dc)
            n = tokens.shape[1]
            parts.append(tokens.reshape(b, k * n, -1))
            masks.append(present(cond.exemplar_mask, (b, k)).repeat_interleave(n, dim=1))
        if not parts:
            return self.empty_tokens(batch, device)
        return torch.cat(parts, dim=1), torch.cat(masks, dim=1)

    def forward_logits(
        self,
        lightness: torch.Tensor,
        tokens: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """lightness: (B, 1, H, W) L* in [0, 100] -> logits (B, Q, H/4, W/4)."""
        return self.logits_from_features(self.encode(lightness), tokens, mask, return_attention)

    def encode(self, lightness: torch.Tensor) -> dict[int, torch.Tensor]:
        """The encoder's feature maps of the luminance, by stride (4, 8, 16, 32)."""
        return self.encoder.lightness_maps(lightness)

    def logits_from_features(
        self,
        feats: dict[int, torch.Tensor],
        tokens: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """`forward_logits` from `encode`'s maps (the pipeline reuses them for matching)."""
        if tokens is None:
            tokens, mask = self.empty_tokens(feats[32].shape[0], feats[32].device)
        elif mask is None:
            mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        y = self.proj32(feats[32])
        y = self.up16(y, feats[16])
        y, w16 = self.attn16(y, tokens, mask, return_attention)
        y = self.up8(y, feats[8])
        y, w8 = self.attn8(y, tokens, mask, return_attention)
        y = self.refine(self.up4(y, feats[4]))
        weights = tuple(w for w in (w16, w8) if w is not None)
        return self.head(y), weights

    def decode(
        self,
        logits: torch.Tensor,
        temperature: float = DEFAULT_TEMPERATURE,
        chroma_scale: float = 1.0,
        prior_correction: float = 0.0,
        confidence_weighted: bool = False,
        estimator: str = "annealed_mean",
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """logits -> (ab (B, 2, h, w), uncertainty (B, 1, h, w)); the pipeline passes its
        operating point (colorizer.pipeline.decoding), training the plain defaults.

        The uncertainty is the entropy of the corrected distribution: the one that says how
        spread the plausible colors of a pixel are, not how the training loss was weighted.
        With `confidence_weighted`, chroma_scale applies in full only where that distribution
        is flat: a guess is toned down, a color the model is sure of is not. `estimator`
        names the point taken from each pixel's distribution (`quantize.ESTIMATORS`).
        """
        logits = self.corrected_logits(logits, prior_correction)
        uncertainty = normalized_entropy(logits)
        s = chroma_scale
        factor = 1.0 - (1.0 - s) * uncertainty if confidence_weighted else s
        return ESTIMATORS[estimator](logits, self.ab_bins, temperature) * factor, uncertainty

    def corrected_logits(self, logits: torch.Tensor, prior_correction: float = 0.0
                         ) -> torch.Tensor:
        """Logits of the photo's color distribution: the training's rebalancing undone as far
        as `prior_correction` says."""
        return undo_rebalancing(logits, self.class_log_weights, prior_correction)

    @property
    def output_stride(self) -> int:
        """Logits (and decoded a*b*) are at 1/output_stride of the input's size."""
        return OUTPUT_STRIDE

    def exemplar_attention(self, weights: tuple[torch.Tensor, ...], cond: Conditioning,
                           logits_size: tuple[int, int]) -> torch.Tensor:
        """Cross-attention mass on each exemplar's tokens: (K, h8, w8) on the stride-8 grid.

        `weights` are `logits_from_features(..., return_attention=True)`'s (one per attention
        block, stride 16 first); `cond` is what `encode_conditioning` read, which fixes the
        token order (null, era if present, text if present, then exemplars)."""
        h8 = -(-logits_size[0] // (ATTENTION_STRIDE // OUTPUT_STRIDE))
        w8 = -(-logits_size[1] // (ATTENTION_STRIDE // OUTPUT_STRIDE))
        if not weights or not cond.num_exemplars:
            return torch.zeros(0, h8, w8)
        stride8 = weights[-1]  # (1, h8*w8, tokens): the blocks are stride 16, then stride 8
        start = NULL_TOKENS + (cond.era is not None) + (cond.text is not None)
        n = self.tokens_per_exemplar
        mass = stride8[0, :, start:start + cond.num_exemplars * n].float()
        return mass.reshape(h8 * w8, cond.num_exemplars, n).sum(-1).T.reshape(-1, h8, w8)

    def forward(
        self,
        lightness: torch.Tensor,
        tokens: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
        conditioning: Conditioning | None = None,
    ) -> GeneratorOutput:
        """Tokens given directly, or encoded here from `conditioning` (inside forward, so a
        distributed wrapper sees every parameter that is used)."""
        if conditioning is not None:
            tokens, mask = self.encode_conditioning(conditioning, lightness.shape[0])
        logits, weights = self.forward_logits(lightness, tokens, mask, return_attention)
        ab, uncertainty = self.decode(logits)  # the plain decoding (training's previews)
        return GeneratorOutput(logits=logits, ab=ab, uncertainty=uncertainty, attention=weights)

    # --- persistence -------------------------------------------------------------------

    def save_pretrained(self, folder: str | Path, metadata: dict | None = None) -> Path:
        """Write config.json and model.safetensors (with `metadata` as string values)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_FILE).write_text(json.dumps(self.config.to_dict(), indent=2) + "\n")
        state = {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items()}
        meta = {k: str(v) for k, v in (metadata or {}).items()}
        save_file(state, str(folder / WEIGHTS_FILE), metadata=meta)
        return folder / WEIGHTS_FILE

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> ColorGenerator:
        """Load config.json + model.safetensors strictly (every key must match)."""
        folder = Path(folder)
        weights = folder / WEIGHTS_FILE
        if not weights.is_file():
            raise FileNotFoundError(
                f"no {WEIGHTS_FILE} in {folder}: pass a folder written by save_pretrained"
            )
        state = load_file(str(weights))
        model = cls(GeneratorConfig.from_json(folder / CONFIG_FILE), ab_bins=state.get("ab_bins"))
        model.load_state_dict(state, strict=True)
        return model.eval()

    @classmethod
    def from_unconditioned(cls, folder: str | Path) -> ColorGenerator:
        """Start from weights saved before the conditioning encoder existed: every key must
        match except the new `condition.*` ones, which keep their fresh initialisation, and
        the class weights, which the trainer sets."""
        return cls.load_allowing_missing(folder, ("condition.", "class_log_weights"))

    @classmethod
    def load_allowing_missing(cls, folder: str | Path, prefixes: tuple[str, ...]) -> ColorGenerator:
        """Load weights that may lack keys starting with `prefixes` (parts added after they
        were saved); any other missing or unexpected key is an error."""
        folder = Path(folder)
        model = cls(GeneratorConfig.from_json(folder / CONFIG_FILE))
        missing, unexpected = model.load_state_dict(load_file(str(folder / WEIGHTS_FILE)),
                                                    strict=False)
        stray = [k for k in missing if not k.startswith(prefixes)] + list(unexpected)
        if stray:
            raise ValueError(f"{folder} does not fit this generator: mismatched keys "
                             f"{stray[:8]} (only keys starting with {prefixes} may be absent)")
        return model

    @classmethod
    def from_imagenet(cls, config: GeneratorConfig) -> ColorGenerator:
        """A new generator whose encoder starts from the ImageNet Lite0 weights."""
        return cls(config, encoder=load_imagenet_encoder(include_head=False))
