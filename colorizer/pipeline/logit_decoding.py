"""Step 4's last part: the generator's logits decoded to a*b* and uncertainty at the operating
point (moved out of colorization.py, which holds the steps' order)."""

from __future__ import annotations

import torch

from colorizer.model.balance import BalancePredictor
from colorizer.model.generator import ColorGenerator
from colorizer.pipeline.chroma import hue_agreement, shift_balance
from colorizer.pipeline.decoding import DecodingConfig


def decode_logits(generator: ColorGenerator, decoding: DecodingConfig,
                  balance: BalancePredictor | None, logits: torch.Tensor,
                  features: dict[int, torch.Tensor], chroma_scale: float | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits (1, Q, h, w) -> (a*b*, uncertainty) at the operating point `decoding`: the
    annealed mean, toned down where the plausible hues disagree, moved to the balance that
    `balance` predicts from the encoder's `features`."""
    d = decoding
    scale = d.chroma_scale if chroma_scale is None else chroma_scale
    ab, uncertainty = generator.decode(logits, d.temperature, scale, d.prior_correction,
                                       d.confidence_weighted, d.estimator)
    if d.chroma.agreement_power > 0:
        probs = torch.softmax(generator.corrected_logits(logits, d.prior_correction), dim=1)
        ab = ab * hue_agreement(probs, generator.ab_bins).pow(d.chroma.agreement_power)
    if balance is not None and d.chroma.balance_strength > 0:
        target = balance(features) * d.chroma.balance_trust
        ab = shift_balance(ab, target, d.chroma.balance_strength)
    return ab, uncertainty
