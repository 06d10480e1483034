"""The operating point: how the generator's bin distribution becomes the photo's a*b*.

The generator predicts a distribution over a*b* bins; everything that turns it into colors
(temperature, chroma scale, how much of the training's rebalancing is undone, the render size,
and the chroma steps of `colorizer.pipeline.chroma`) is a choice made on validation photos,
not part of the architecture. It lives here, saved beside the weights as `decoding.json`:

    decoding = DecodingConfig.load(folder)      # decoding.json (or the legacy config.json keys)
    decoding.save(folder)                       # what `python -m eval.tradeoff --apply` writes

A caller changes it per run through `PipelineConfig` (`render_size`, `temperature`,
`chroma_scale`, `chroma`); `resolve` says what a run actually used.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from colorizer.model.generator import CONFIG_FILE, LEGACY_DECODING_KEYS
from colorizer.model.quantize import ESTIMATORS
from colorizer.pipeline.chroma import ChromaConfig
from context.config_io import config_from_dict

DECODING_FILE = "decoding.json"
MIN_RENDER_SIZE = 64


@dataclass(frozen=True)
class DecodingConfig:
    """The operating point of a set of weights (chosen by `python -m eval.operating_point`)."""

    # Long side (px) of the luminance the generator reads: the model sees a photo best at
    # the scale it was trained on (crops of 60-100% of a short side at 160-192 px).
    render_size: int = 512
    temperature: float = 0.38  # annealed mean (lower: the likeliest bin, duller here; rule 13)
    chroma_scale: float = 1.0  # multiplies decoded a*b*
    # Chroma scale when the user's own reference photos guide the colors (None = chroma_scale);
    # retrieved exemplars do not switch to it.
    guided_chroma_scale: float | None = None
    # How much of the training's class rebalancing is undone before decoding (0 = none, 1 =
    # the photo's calibrated distribution; needs the class weights stored with the weights).
    prior_correction: float = 0.0
    # chroma_scale applied in full only where the bin distribution is flat (entropy 1), not
    # where it is certain: a guess is toned down, a sure color is not.
    confidence_weighted: bool = False
    # The point taken from each pixel's distribution: "annealed_mean" (the mean of the
    # distribution sharpened by the temperature) or "median" (its geometric median: the least
    # expected a*b* distance; rule 22 of eval/operating_point_rules.md).
    estimator: str = "annealed_mean"
    # The generator reads the photo without its black frame (colorizer.pipeline.frame; rule 56).
    frame_fill: bool = False
    chroma: ChromaConfig = field(default_factory=ChromaConfig)  # agreement, balance, edges

    def __post_init__(self) -> None:
        if self.render_size < MIN_RENDER_SIZE:
            raise ValueError(f"render_size must be at least {MIN_RENDER_SIZE}, got "
                             f"{self.render_size}")
        if self.temperature <= 0:
            raise ValueError(f"temperature must be positive, got {self.temperature}")
        for name in ("chroma_scale", "guided_chroma_scale"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {sorted(ESTIMATORS)}, got "
                             f"{self.estimator!r}")
        if not 0.0 <= self.prior_correction <= 1.0:
            raise ValueError(f"prior_correction must be within [0, 1], got "
                             f"{self.prior_correction}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecodingConfig:
        data = dict(data)
        if isinstance(data.get("chroma"), dict):
            data["chroma"] = config_from_dict(ChromaConfig, data["chroma"])
        return config_from_dict(cls, data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def flat(self) -> dict[str, Any]:
        """One level: the chroma fields as `chroma.<name>` (for reports and fingerprints)."""
        out = {k: v for k, v in self.to_dict().items() if k != "chroma"}
        return {**out, **{f"chroma.{k}": v for k, v in asdict(self.chroma).items()}}

    def reported(self) -> dict[str, Any]:
        """What a result's settings name of this point beside the run's own (temperature,
        chroma scale, render size): the chroma steps and the frame fill."""
        return {k: v for k, v in self.flat().items()
                if k.startswith("chroma.") or k == "frame_fill"}

    def save(self, folder: str | Path) -> Path:
        """`decoding.json` in the weights' folder (what `from_pretrained` reads)."""
        return self.write(Path(folder) / DECODING_FILE)

    def write(self, path: str | Path) -> Path:
        """The operating point as its own JSON file (`from_dict` reads it back)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: str | Path) -> DecodingConfig:
        """`decoding.json` beside the weights; weights saved before it existed kept these
        settings in config.json, and they are read from there; else the defaults."""
        folder = Path(folder)
        path = folder / DECODING_FILE
        if path.is_file():
            return cls.from_dict(_read_json(path))
        legacy = _read_json(folder / CONFIG_FILE) if (folder / CONFIG_FILE).is_file() else {}
        return cls.from_dict({k: v for k, v in legacy.items() if k in LEGACY_DECODING_KEYS})

    def resolve(self, render_size: int | None = None, temperature: float | None = None,
                chroma_scale: float | None = None, chroma: ChromaConfig | None = None
                ) -> DecodingConfig:
        """This operating point with a run's overrides (None keeps the saved value; 0.0 is a
        value)."""
        given = {"render_size": render_size, "temperature": temperature,
                 "chroma_scale": chroma_scale, "chroma": chroma}
        return replace(self, **{k: v for k, v in given.items() if v is not None})


def decoding_fields() -> set[str]:
    return {f.name for f in fields(DecodingConfig)}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}; restore it from the repository or "
                         "write it again with DecodingConfig.save") from exc
    if not isinstance(data, dict):  # a file's content, not a caller's type: ValueError
        raise ValueError(f"{path} must hold a JSON object of settings")  # noqa: TRY004
    return data
