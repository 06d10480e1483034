"""Historical film as training input: the gray a photo would have had on an old emulsion.

A plate or film records a weighted sum of the scene's light, and the weights of old emulsions
differ from the eye's: blue-sensitive (wet collodion, albumen era) saw almost only blue,
orthochromatic plates blue and green but no red, early panchromatic film all three with too
much blue. A red flag or lips are dark on such a plate and a blue sky is white. Training on
these grays (target: the photo's true a*b*) teaches the generator what old photos look like;
the pipeline still keeps the input's tones exactly, so only the chroma it predicts changes.

The weights are broad approximations of published sensitivity curves, integrated over the
sRGB primaries (linear light, normalised so a neutral gray keeps its lightness).
"""

from __future__ import annotations

import torch

from colorizer.model.colorspace import lightness_of_luminance, srgb_to_linear

# Weights on linear R, G, B. "lstar" is the eye's response (CIE Y): the photo's own L*.
FILM_RESPONSES: dict[str, tuple[float, float, float]] = {
    "lstar": (0.2126, 0.7152, 0.0722),
    "blue_sensitive": (0.0, 0.08, 0.92),
    "orthochromatic": (0.02, 0.43, 0.55),
    "early_panchromatic": (0.25, 0.42, 0.33),
}


def check_film_mix(mix: dict[str, float]) -> None:
    """Refuse unknown emulsions and negative or all-zero shares, naming the fix."""
    unknown = sorted(set(mix) - set(FILM_RESPONSES))
    if unknown:
        raise ValueError(f"unknown film response(s) {unknown} in film_mix: "
                         f"use {sorted(FILM_RESPONSES)}")
    if any(v < 0 for v in mix.values()) or (mix and sum(mix.values()) <= 0):
        raise ValueError(f"film_mix shares must be >= 0 and not all zero, got {mix}")


def film_lightness(rgb: torch.Tensor, response: str) -> torch.Tensor:
    """(B, 3, H, W) sRGB in [0, 1] -> (B, 1, H, W) lightness (L* scale) on that emulsion."""
    weights = rgb.new_tensor(FILM_RESPONSES[response]).view(1, 3, 1, 1)
    luminance = (srgb_to_linear(rgb) * weights).sum(1, keepdim=True)
    return lightness_of_luminance(luminance)


def film_inputs(rgb: torch.Tensor, mix: dict[str, float], g: torch.Generator) -> torch.Tensor:
    """Per sample, the lightness of an emulsion drawn from `mix` (shares, any scale)."""
    names = [n for n, share in mix.items() if share > 0]
    shares = torch.tensor([mix[n] for n in names], dtype=torch.float64)
    picks = torch.multinomial(shares, rgb.shape[0], replacement=True, generator=g)
    return torch.cat([film_lightness(rgb[i : i + 1], names[int(k)])
                      for i, k in enumerate(picks)])


# Tone curves of old prints and scans (rule 23 of eval/operating_point_rules.md): a gamma
# exp(U(-GAMMA_LOG, GAMMA_LOG)) and a contrast about mid-gray in CONTRAST, clipped to [0, 100].
GAMMA_LOG = 0.35
CONTRAST = (0.8, 1.35)


def tone_jitter(lightness: torch.Tensor, share: float, g: torch.Generator) -> torch.Tensor:
    """(B, 1, H, W) input lightness, `share` of the samples through a random tone curve.

    The target stays the photo's true a*b*: the generator learns colors that do not hang on
    the exact L* a modern camera records, since the pipeline keeps a print's own tones.
    """
    check_tone_jitter(share)
    count = lightness.shape[0]
    chosen = torch.rand(count, generator=g) < share
    gamma = torch.exp((torch.rand(count, generator=g) * 2 - 1) * GAMMA_LOG)
    low, high = CONTRAST
    contrast = low + torch.rand(count, generator=g) * (high - low)
    x = (lightness / 100).clamp(0, 1).pow(gamma.view(-1, 1, 1, 1).to(lightness))
    x = (0.5 + contrast.view(-1, 1, 1, 1).to(lightness) * (x - 0.5)).clamp(0, 1)
    return torch.where(chosen.view(-1, 1, 1, 1).to(lightness.device), x * 100, lightness)


def check_tone_jitter(share: float) -> None:
    """A config's tone-curve share, refused when it is not a share (read once per config)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"tone_jitter must be within [0, 1], got {share}")


def training_input(rgb: torch.Tensor, lightness: torch.Tensor, mix: dict[str, float],
                   tone_share: float, g: torch.Generator) -> torch.Tensor:
    """The generator's input for a batch: an emulsion's gray from `mix` (else the photo's own
    L*), then `tone_share` of it through tone curves; the target stays the true a*b*. The tone
    curves draw after the film, so runs without them reproduce."""
    if mix:
        lightness = film_inputs(rgb, mix, g)
    return tone_jitter(lightness, tone_share, g) if tone_share else lightness
