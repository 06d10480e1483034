"""`PipelineConfig`: what a caller may change per run, on top of the weights' operating point.

The operating point itself (temperature, chroma scale, render size, the chroma steps) is the
weights' `decoding.json` (colorizer.pipeline.decoding); the four decoding fields here override
it for a run, None keeping the saved value.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from colorizer.pipeline.chroma import ChromaConfig
from colorizer.pipeline.decoding import MIN_RENDER_SIZE, DecodingConfig
from colorizer.pipeline.hint_balance import BalanceConfig
from colorizer.pipeline.hint_spread import SpreadConfig
from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS
from colorizer.pipeline.transfer import TransferConfig
from context.config_io import config_from_dict


@dataclass(frozen=True)
class PipelineConfig:
    """Run-time settings of the pipeline (the model's own settings live in its config)."""

    # Long side (px) at which chroma is predicted; None = the weights' operating point.
    render_size: int | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS  # refuse larger inputs (checked from the header)
    temperature: float | None = None  # annealed-mean temperature; None = the weights'
    chroma_scale: float | None = None  # multiplies predicted chroma; None = the weights'
    chroma: ChromaConfig | None = None  # agreement, balance, edges; None = the weights'
    max_exemplars: int = 4  # exemplar slots (the user's first, then retrieved)
    exemplar_score_margin: float = 0.15  # skip retrieved ones scoring this far below the best
    exemplar_transfer: float = 1.0  # direct color transfer from the user's exemplars (0 = off)
    retrieved_transfer: float = 1.0  # ... and from retrieved ones found in the photo
    transfer: TransferConfig = field(default_factory=TransferConfig)  # how cells are matched
    # Read the file name as a caption ("Prague1968.png"); False: only the user's caption, the
    # file's metadata and its sidecar (colorizer.pipeline.captions).
    filename_caption: bool = True
    hint_spread: SpreadConfig = field(default_factory=SpreadConfig)  # how color hints spread
    # ... and how far several point hints correct the photo beyond their regions
    hint_balance: BalanceConfig = field(default_factory=BalanceConfig)
    # The photos are scanned negatives: their tones are inverted before anything reads them
    # (colorizer.pipeline.negative); the output's L* is the inverted scan's.
    negative: bool = False
    # An album page (several prints on paper) has each print colorized on its own and the
    # paper kept neutral (colorizer.pipeline.album_page); False: colorized as one photo.
    split_page: bool = True

    def __post_init__(self) -> None:
        _check_numbers(self)
        if self.render_size is not None and self.render_size < MIN_RENDER_SIZE:
            raise ValueError(f"render_size must be at least {MIN_RENDER_SIZE}, got "
                             f"{self.render_size}")
        if self.max_pixels <= 0:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
        # "false" from a form would invert photos; a ValueError, as every setting's check is
        # (the CLI and the service report those as bad settings)
        if not isinstance(self.negative, bool):
            raise ValueError(  # noqa: TRY004
                f"negative must be True or False, got {self.negative!r}")
        if not isinstance(self.split_page, bool):
            raise ValueError(  # noqa: TRY004
                f"split_page must be True or False, got {self.split_page!r}")
        for name in ("exemplar_transfer", "retrieved_transfer"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {getattr(self, name)}")

    def decoding(self, saved: DecodingConfig) -> DecodingConfig:
        """The operating point a run uses: the weights' `saved` one with these overrides."""
        return saved.resolve(self.render_size, self.temperature, self.chroma_scale, self.chroma)

    def run_chroma_scale(self, decoding: DecodingConfig, guided: bool) -> float:
        """The caller's override wins; else the user's own reference photo of the scene is
        trusted for bolder color (a retrieved exemplar matches only part of the photo)."""
        if self.chroma_scale is None and guided and decoding.guided_chroma_scale is not None:
            return decoding.guided_chroma_scale
        return decoding.chroma_scale

    def changed(self, saved: DecodingConfig, changes: dict[str, Any]) -> PipelineConfig:
        """This config with `changes`; `chroma` and `transfer` may be dicts of the fields that
        change (the others kept from what the run would use now)."""
        changes = dict(changes)
        current = {"chroma": self.decoding(saved).chroma, "transfer": self.transfer}
        current["hint_spread"] = self.hint_spread
        current["hint_balance"] = self.hint_balance
        for name, kind in (("chroma", ChromaConfig), ("transfer", TransferConfig),
                           ("hint_spread", SpreadConfig), ("hint_balance", BalanceConfig)):
            if isinstance(changes.get(name), dict):
                changes[name] = config_from_dict(kind, {**asdict(current[name]),
                                                        **changes[name]})
        base = {f.name: getattr(self, f.name) for f in fields(self)}
        return config_from_dict(PipelineConfig, {**base, **changes})


# Fields that must be numbers (None where it keeps the weights' value): a string from a form
# or an environment variable ("320") failed deep inside with "'<' not supported".
_INTEGERS = ("render_size", "max_pixels", "max_exemplars")
_NUMBERS = ("temperature", "chroma_scale", "exemplar_score_margin", "exemplar_transfer",
            "retrieved_transfer")
_MAY_BE_NONE = ("render_size", "temperature", "chroma_scale")


def _check_numbers(config: PipelineConfig) -> None:
    """ValueError naming a numeric field given as something else (numpy numbers count)."""
    for name in _INTEGERS + _NUMBERS:
        value = getattr(config, name)
        kind = numbers.Integral if name in _INTEGERS else numbers.Real
        if (value is None and name in _MAY_BE_NONE) or (
                isinstance(value, kind) and not isinstance(value, bool)):
            continue
        what = ("an integer" if name in _INTEGERS else "a number") + (
            " or None" if name in _MAY_BE_NONE else "")
        raise ValueError(f"{name} must be {what}, got {value!r} ({type(value).__name__}); "
                         f"pass it as a number, e.g. {name}={_EXAMPLES.get(name, 1.0)}")
    # 3 and 3.0 (or numpy's float32) are one setting: stored as float, they record and
    # fingerprint alike (the CLI's `--chroma-scale 3` gave 3.0, the API's chroma_scale=3 gave 3).
    for names, kind in ((_NUMBERS, float), (_INTEGERS, int)):
        for name in names:
            value = getattr(config, name)
            if value is not None and type(value) is not kind:
                object.__setattr__(config, name, kind(value))


_EXAMPLES = {"render_size": 320, "max_pixels": 50_000_000, "max_exemplars": 4}
