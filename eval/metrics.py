"""Colorization metrics on numpy images: pure functions, no I/O.

Every image argument is a float array (H, W, 3) of gamma-encoded sRGB in [0, 1]; `pred` is
what a colorizer produced and `truth` the original color photo, of the same shape. Lab
conversions go through `colorizer.model.colorspace` (D65), the project's only color math.

Definitions that need a choice, made once here:
- PSNR of identical images is infinite; it is capped at `PSNR_CAP_DB` so dataset means and
  JSON stay finite.
- Hue statistics use the CIELAB hue angle h = atan2(b*, a*) in [0, 360), weight each pixel by
  its chroma C* = hypot(a*, b*), and ignore pixels with C* <= `MIN_CHROMA` (near-neutral
  pixels have a noise-driven hue).
- The "blue" hues are h in [`BLUE_HUE_RANGE`) = [180, 315) degrees: the b* < 0 half-plane from
  cyan (about 196) through sky blues (about 230-280) to the sRGB blue primary (306), stopping
  before purple and magenta (about 328). Blue share = chroma in blue hues / all chroma.
- Over a dataset, hue histograms and blue/total chroma are *pooled* (summed over images)
  before the divergence or share is taken: a palette bias is about where the chroma goes, so
  vivid images weigh more than nearly gray ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from scipy import linalg
from skimage.color import deltaE_ciede2000
from skimage.metrics import structural_similarity

from colorizer.model.colorfulness import colorfulness
from colorizer.model.colorspace import (
    gray_rgb_from_lightness,
    lab_to_rgb_keep_luminance,
    luminance_of_rgb,
    rgb_to_lab,
)
from colorizer.model.encoder import load_imagenet_encoder

PSNR_CAP_DB = 100.0  # PSNR reported for identical images (an 8-bit error is ~48 dB already)
MIN_CHROMA = 5.0  # C* at or below which a pixel counts as neutral (no hue)
HUE_BINS = 36  # 10-degree bins
BLUE_HUE_RANGE = (180.0, 315.0)  # degrees, half-open
FEATURE_SHORT_SIDE = 224  # images are resized to this short side before the encoder


# --- conversions ---------------------------------------------------------------------------


def _to_bchw(rgb: np.ndarray) -> torch.Tensor:
    """(H, W, 3) numpy -> (1, 3, H, W) float64 tensor (float64: metrics should not round)."""
    _check_rgb(rgb)
    return torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float64)).permute(2, 0, 1)[None]


def _check_rgb(rgb: np.ndarray) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) sRGB array, got shape {rgb.shape}")


def _check_pair(pred: np.ndarray, truth: np.ndarray) -> None:
    if pred.shape != truth.shape:
        raise ValueError(f"pred {pred.shape} and truth {truth.shape} must have the same shape")


def lab_of(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) sRGB in [0, 1] -> (H, W, 3) L*a*b* (float64)."""
    return rgb_to_lab(_to_bchw(rgb))[0].permute(1, 2, 0).numpy()


def lightness_of(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) sRGB -> (H, W) L* in [0, 100]."""
    return luminance_of_rgb(_to_bchw(rgb))[0, 0].numpy()


def _hue_and_chroma(rgb: np.ndarray, lab: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Hue angle in degrees [0, 360) and chroma C*, both (H, W)."""
    lab = lab_of(rgb) if lab is None else lab
    a, b = lab[..., 1], lab[..., 2]
    return np.degrees(np.arctan2(b, a)) % 360.0, np.hypot(a, b)


# --- fidelity to the ground truth -----------------------------------------------------------


def psnr(pred: np.ndarray, truth: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB over all three sRGB channels (data range 1)."""
    _check_pair(pred, truth)
    mse = float(np.mean((pred.astype(np.float64) - truth.astype(np.float64)) ** 2))
    if mse == 0.0:
        return PSNR_CAP_DB
    return min(PSNR_CAP_DB, 10.0 * np.log10(1.0 / mse))


def ssim(pred: np.ndarray, truth: np.ndarray) -> float:
    """Structural similarity on sRGB (mean over channels, 7x7 windows, data range 1)."""
    _check_pair(pred, truth)
    return float(structural_similarity(pred.astype(np.float64), truth.astype(np.float64),
                                       channel_axis=-1, data_range=1.0))


def mean_ciede2000(pred: np.ndarray, truth: np.ndarray, *, pred_lab: np.ndarray | None = None,
                   truth_lab: np.ndarray | None = None) -> float:
    """Mean CIEDE2000 color difference per pixel (0 = identical, ~2.3 = just noticeable).

    `pred_lab` / `truth_lab`: their `lab_of`, when the caller has it already (it is the
    costly part on megapixel images).
    """
    _check_pair(pred, truth)
    truth_lab = lab_of(truth) if truth_lab is None else truth_lab
    pred_lab = lab_of(pred) if pred_lab is None else pred_lab
    return float(np.mean(deltaE_ciede2000(truth_lab, pred_lab, channel_axis=-1)))


# --- vividness and palette -----------------------------------------------------------------

# `colorfulness` (Hasler-Suesstrunk) is colorizer.model.colorfulness's, shared with training.


def hue_histogram(rgb: np.ndarray, bins: int = HUE_BINS, min_chroma: float = MIN_CHROMA, *,
                  lab: np.ndarray | None = None) -> np.ndarray:
    """Chroma-weighted histogram of CIELAB hue angles: (bins,) float64, *not* normalised.

    Bin i covers [i, i + 1) * 360 / bins degrees. Unnormalised so that histograms of several
    images can be summed (pooled) before `hue_divergence`; a gray image gives all zeros.
    `lab`: the image's `lab_of`, when already computed.
    """
    hue, chroma = _hue_and_chroma(rgb, lab)
    keep = chroma > min_chroma
    hist, _ = np.histogram(hue[keep], bins=bins, range=(0.0, 360.0), weights=chroma[keep])
    return hist.astype(np.float64)


def hue_divergence(pred_hist: np.ndarray, truth_hist: np.ndarray) -> float:
    """Jensen-Shannon divergence (base 2, so in [0, 1] bits) between two hue histograms.

    The histograms are normalised here. A histogram with no mass (a gray image has no hue)
    is taken as maximally different from any non-empty one (1 bit) and equal to another
    empty one (0), as if all its mass sat in a separate "no hue" bin.
    """
    p = np.asarray(pred_hist, dtype=np.float64)
    q = np.asarray(truth_hist, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"histograms differ in bins: {p.shape} vs {q.shape}")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("hue histograms must be non-negative")
    p_mass, q_mass = p.sum(), q.sum()
    if p_mass == 0 or q_mass == 0:
        return 0.0 if p_mass == q_mass else 1.0
    p, q = p / p_mass, q / q_mass
    m = 0.5 * (p + q)
    return float(0.5 * _kl_bits(p, m) + 0.5 * _kl_bits(q, m))


def _kl_bits(p: np.ndarray, m: np.ndarray) -> float:
    nz = p > 0  # 0 * log 0 = 0; m > 0 wherever p > 0
    return float(np.sum(p[nz] * np.log2(p[nz] / m[nz])))


def blue_chroma(rgb: np.ndarray, min_chroma: float = MIN_CHROMA, *,
                lab: np.ndarray | None = None) -> tuple[float, float]:
    """(chroma in blue hues, all chroma) summed over pixels above `min_chroma`.

    The two sums let a dataset's blue share be pooled; `blue_share` is their ratio.
    """
    hue, chroma = _hue_and_chroma(rgb, lab)
    keep = chroma > min_chroma
    lo, hi = BLUE_HUE_RANGE
    blue = keep & (hue >= lo) & (hue < hi)
    return float(chroma[blue].sum()), float(chroma[keep].sum())


def blue_share(rgb: np.ndarray, min_chroma: float = MIN_CHROMA) -> float:
    """Share of the image's chroma that sits in blue hues (see `BLUE_HUE_RANGE`); gray -> 0."""
    blue, total = blue_chroma(rgb, min_chroma)
    return blue / total if total > 0 else 0.0


# --- distribution distance in encoder features ---------------------------------------------


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray, eps: float = 1e-6) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (N, D), as in FID.

    |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), with eps * I added to both
    covariances: with fewer samples than dimensions they are singular (the distance of a set
    to a shifted copy of itself stays exactly |shift|^2). Tiny imaginary parts from sqrtm are
    numerical noise and dropped.

    When N_a + N_b < D (54 plates in 1280 dimensions), the same value is computed in the
    span of the centered samples: both covariances vanish outside it, where each term is
    eps * I and the trace terms cancel. That makes sqrtm act on a (k, k) matrix, k <= N_a + N_b,
    instead of (D, D), which takes tens of seconds on a busy 2-core machine.
    """
    a = np.asarray(feats_a, dtype=np.float64)
    b = np.asarray(feats_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"expected (N, D) feature sets with equal D, got {a.shape}, {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise ValueError("a Frechet distance needs at least 2 samples per set")
    diff = a.mean(axis=0) - b.mean(axis=0)
    a_c, b_c = a - a.mean(axis=0), b - b.mean(axis=0)
    if len(a) + len(b) < a.shape[1]:
        # Orthonormal rows spanning every centered sample: (k, D), k = N_a + N_b.
        basis = np.linalg.svd(np.concatenate([a_c, b_c]), full_matrices=False)[2]
        a_c, b_c = a_c @ basis.T, b_c @ basis.T  # (N, k) coordinates in that span
    eye = eps * np.eye(a_c.shape[1])
    cov_a = a_c.T @ a_c / (len(a) - 1) + eye
    cov_b = b_c.T @ b_c / (len(b) - 1) + eye
    covmean = np.real(linalg.sqrtm(cov_a @ cov_b))
    value = diff @ diff + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(covmean)
    return float(max(value, 0.0))  # rounding can push an exact 0 slightly negative


@torch.inference_mode()
def encoder_features(images: Sequence[np.ndarray], encoder: torch.nn.Module | None = None,
                     short_side: int = FEATURE_SHORT_SIDE) -> np.ndarray:
    """Pooled ImageNet-encoder features (N, 1280) of sRGB images, for `frechet_distance`.

    Each image is resized (bilinear, antialiased, aspect kept) so its short side is
    `short_side`, and goes through the encoder alone: the global average pool accepts any
    size, so nothing is cropped away. `encoder` defaults to the ImageNet EfficientNet-Lite0
    with its head (load it once and pass it in when calling repeatedly).
    """
    if encoder is None:
        encoder = load_imagenet_encoder(include_head=True)
    encoder = encoder.eval()
    device = next(encoder.parameters()).device
    out = []
    for rgb in images:
        x = _to_bchw(rgb).float()
        h, w = x.shape[-2:]
        scale = short_side / min(h, w)
        size = (max(short_side, round(h * scale)), max(short_side, round(w * scale)))
        x = torch.nn.functional.interpolate(x, size=size, mode="bilinear", antialias=True,
                                            align_corners=False).clamp(0, 1)
        out.append(encoder.forward_pooled(encoder.normalize(x.to(device))).cpu())
    return torch.cat(out).double().numpy()


# --- pooling over a dataset ------------------------------------------------------------


@dataclass
class Palette:
    """Pooled statistics of a set of images (a model's outputs, or the ground truth).

    Hue histograms and blue/total chroma are summed over images, as the module docstring
    explains; colorfulness and encoder features are kept per image.
    """

    hue_hist: np.ndarray = field(default_factory=lambda: np.zeros(HUE_BINS))
    blue: float = 0.0  # chroma summed over blue-hued pixels
    chroma: float = 0.0  # chroma summed over all hued pixels
    cf: list[float] = field(default_factory=list)  # colorfulness of each image
    features: list[np.ndarray] = field(default_factory=list)  # pooled encoder features

    def add(self, rgb: np.ndarray, encoder: torch.nn.Module,
            lab: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """Pool one image (`lab`: its `lab_of` if known); returns its hue histogram and blue
        share."""
        lab = lab_of(rgb) if lab is None else lab
        hist = hue_histogram(rgb, lab=lab)
        blue, chroma = blue_chroma(rgb, lab=lab)
        self.hue_hist += hist
        self.blue += blue
        self.chroma += chroma
        self.cf.append(colorfulness(rgb))
        self.features.append(encoder_features([rgb], encoder)[0])
        return hist, blue / chroma if chroma > 0 else 0.0

    @property
    def blue_share(self) -> float:
        return self.blue / self.chroma if self.chroma > 0 else 0.0


# --- baselines -----------------------------------------------------------------------------


def constant_chroma_image(truth: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    """L* of `truth` with a constant (a*, b*), in gamut with L* kept (to ~1e-4)."""
    # float32: the gamut bisection is the slow part, and L* needs no more precision.
    lightness = luminance_of_rgb(_to_bchw(truth)).float()  # (1, 1, H, W)
    ab_map = lightness.new_tensor(ab).view(1, 2, 1, 1).expand(-1, -1, *lightness.shape[-2:])
    rgb = lab_to_rgb_keep_luminance(lightness, ab_map.contiguous())
    return rgb[0].permute(1, 2, 0).double().numpy()


def gray_baseline(truth: np.ndarray) -> np.ndarray:
    """The "no chroma" answer: L* of the truth with a* = b* = 0 (exactly R = G = B)."""
    gray = gray_rgb_from_lightness(luminance_of_rgb(_to_bchw(truth)))  # (1, 3, H, W)
    return gray[0].permute(1, 2, 0).numpy()


def sepia_baseline(truth: np.ndarray, mean_ab: tuple[float, float]) -> np.ndarray:
    """The "one tint for everything" answer: L* of the truth with a constant a*b*."""
    return constant_chroma_image(truth, mean_ab)
