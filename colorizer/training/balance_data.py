"""Per-photo statistics the balance predictor is fitted on, cached so refits take seconds.

Each photo goes the pipeline's way (L* of the loaded file at the weights' render size,
`generator.encode`); the maps are pooled (`balance.pool_features`: every stride, mean and std)
and kept with the true mean a*b* in a .npz under `CACHE_DIR`
(~/.cache/chronochrome/training/balance, `cache_dir.training_cache`). A stopped extraction
resumes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from colorizer.model.balance import pool_features
from colorizer.model.colorspace import lab_to_rgb_keep_luminance, rgb_to_lab
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_at, lightness_of
from colorizer.training.cache_dir import training_cache

ALL_STRIDES = (4, 8, 16, 32)
CACHE_DIR = training_cache("balance")
CACHE_VERSION = "2"  # bump when what is cached changes (2: keyed by the operating point)
SAVE_EVERY = 500  # photos between partial cache writes (a stopped run resumes from there)
_CACHE_SCALARS = ("done", "seconds", "names")  # cache entries that are not per-photo rows


# --- features ------------------------------------------------------------------------------


@dataclass
class PhotoSet:
    """Cached per-photo statistics of one list of photos."""

    names: list[str]
    truth: np.ndarray  # (N, 2) mean a*, b* of the photo
    pooled: dict[str, np.ndarray]  # "mean4", "std4", ... -> (N, C) pooled encoder maps
    generator_ab: np.ndarray | None  # (N, 2) mean of the decoded a*b* grid (what a shift moves)
    output_ab: np.ndarray | None  # (N, 2) mean a*b* of the rendered 8-bit output the user sees
    seconds: float = 0.0  # time the extraction took, over all runs that filled the cache

    def features(self, strides: tuple[int, ...], pool_std: bool) -> np.ndarray:
        """(N, D) in `pool_features`'s order: per stride, means then stds."""
        parts = []
        for s in strides:
            parts.append(self.pooled[f"mean{s}"])
            if pool_std:
                parts.append(self.pooled[f"std{s}"])
        return np.concatenate(parts, axis=1)

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def concat(cls, sets: list[PhotoSet]) -> PhotoSet:
        def cat(arrays: list[np.ndarray | None]) -> np.ndarray | None:
            return None if any(a is None for a in arrays) else np.concatenate(arrays)

        return cls(names=[n for s in sets for n in s.names],
                   truth=np.concatenate([s.truth for s in sets]),
                   pooled={k: np.concatenate([s.pooled[k] for s in sets]) for k in sets[0].pooled},
                   generator_ab=cat([s.generator_ab for s in sets]),
                   output_ab=cat([s.output_ab for s in sets]),
                   seconds=sum(s.seconds for s in sets))


@torch.inference_mode()
def photo_stats(path: Path, generator: ColorGenerator, decoding: DecodingConfig, decode: bool
                ) -> dict[str, np.ndarray] | None:
    """One photo -> truth mean a*b*, pooled maps (and the generator's output means); None for
    a gray file (its balance is (0, 0) by construction and teaches nothing)."""
    loaded = load_image(path)
    if not loaded.is_color:
        return None
    rgb = torch.from_numpy(np.ascontiguousarray(loaded.rgb)).permute(2, 0, 1)[None].double()
    out: dict[str, np.ndarray] = {
        "truth": rgb_to_lab(rgb)[0, 1:].mean(dim=(1, 2)).float().numpy()}  # (2,)
    lightness = lightness_of(loaded)  # (1, 1, H, W), as the pipeline computes it
    small = lightness_at(lightness, decoding.render_size)
    features = generator.encode(small)
    for s in ALL_STRIDES:
        both = pool_features(features, (s,), pool_std=True)[0].numpy()  # (2C,)
        out[f"mean{s}"], out[f"std{s}"] = np.split(both, 2)
    if decode:
        logits, _ = generator.logits_from_features(features)
        ab, _ = generator.decode(logits, decoding.temperature, decoding.chroma_scale,
                                 decoding.prior_correction, decoding.confidence_weighted)
        out["generator_ab"] = ab[0].mean(dim=(1, 2)).numpy()
        # What the pipeline renders: chroma upsampled onto the full L*, gamut kept, 8 bits.
        full = F.interpolate(ab, size=lightness.shape[-2:], mode="bilinear", align_corners=False)
        rendered = (lab_to_rgb_keep_luminance(lightness, full) * 255.0 + 0.5).floor() / 255.0
        out["output_ab"] = rgb_to_lab(rendered.double())[0, 1:].mean(dim=(1, 2)).float().numpy()
    return out


def cache_path(name: str, paths: list[Path], weights: Path, decoding: DecodingConfig,
               decode: bool) -> Path:
    """A cache file named after everything that changes its contents."""
    digest = hashlib.sha256()
    point = json.dumps(decoding.to_dict(), sort_keys=True)
    for part in (CACHE_VERSION, point, str(decode), *(p.name for p in paths)):
        digest.update(part.encode() + b"\0")
    for file in (weights / WEIGHTS_FILE, weights / "config.json"):
        digest.update(file.read_bytes())
    return CACHE_DIR / f"{name}-{digest.hexdigest()[:16]}.npz"


def extract(name: str, paths: list[Path], generator: ColorGenerator, weights: Path,
            decode: bool, log: Callable[[str], None]) -> PhotoSet:
    """Per-photo statistics of `paths`, from the cache when present; resumes a partial one."""
    decoding = DecodingConfig.load(weights)  # the weights' operating point
    path = cache_path(name, paths, weights, decoding, decode)
    rows: dict[str, list[np.ndarray]] = {}
    names: list[str] = []
    done, before = 0, 0.0
    if path.is_file():
        with np.load(path) as cached:
            done, before = int(cached["done"]), float(cached["seconds"])
            names = [str(n) for n in cached["names"]]
            rows = {k: list(cached[k]) for k in cached.files if k not in _CACHE_SCALARS}
        log(f"{name}: {done}/{len(paths)} photos from {path}")
    started = time.perf_counter()
    for i in range(done, len(paths)):
        stats = photo_stats(paths[i], generator, decoding, decode)
        if stats is not None:
            names.append(paths[i].name)
            for k, v in stats.items():
                rows.setdefault(k, []).append(v)
        done = i + 1
        if done % SAVE_EVERY == 0 or done == len(paths):
            _save_cache(path, done, before + time.perf_counter() - started, names, rows)
            log(f"{name}: {done}/{len(paths)} photos, {len(names)} kept, "
                f"{time.perf_counter() - started:.0f} s this run")
    return PhotoSet(seconds=before + time.perf_counter() - started, names=names,
                    truth=np.stack(rows["truth"]),
                    pooled={f"{p}{s}": np.stack(rows[f"{p}{s}"])
                            for s in ALL_STRIDES for p in ("mean", "std")},
                    generator_ab=np.stack(rows["generator_ab"]) if decode else None,
                    output_ab=np.stack(rows["output_ab"]) if decode else None)


def _save_cache(path: Path, done: int, seconds: float, names: list[str],
                rows: dict[str, list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, done=np.array(done), seconds=np.array(seconds),
             names=np.array(names, dtype=str),
             **{k: np.stack(v) for k, v in rows.items()})
    partial.replace(path)  # atomic: a run stopped mid-write leaves the previous cache


# --- fitting -------------------------------------------------------------------------------
