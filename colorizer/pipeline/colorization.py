"""ColorizationPipeline: load -> luminance -> context -> exemplars -> chroma -> merge.

    pipe = ColorizationPipeline.from_pretrained()       # the embedded default weights
    result = pipe("photo.jpg", hints="Kazan 1950s")     # -> ColorizationResult
    result = pipe("photo.jpg", exemplars=["color_print.jpg"])  # the user's own references

Chroma is predicted at a working resolution (`render_size`, the long side) and upsampled onto
the full-resolution L* of the input, which is kept exactly: the output's L* equals the
input's (out-of-gamut chroma is reduced, never the lightness).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from colorizer.config_io import config_from_dict
from colorizer.errors import ChronochromeError
from colorizer.model.balance import BALANCE_FILE, BalancePredictor
from colorizer.model.colorspace import (
    gray_rgb_from_lightness,
    lab_to_rgb_keep_luminance,
    luminance_of_rgb,
)
from colorizer.model.flag_finder import FLAG_FINDER_FILE, FlagFinder
from colorizer.model.generator import WEIGHTS_FILE, ColorGenerator
from colorizer.pipeline.chroma import ChromaConfig, chroma_at, hue_agreement, shift_balance
from colorizer.pipeline.components import ContextFn, ExemplarFn, default_components
from colorizer.pipeline.correspondence import ExemplarCache, TransferConfig, exemplar_transfer
from colorizer.pipeline.guidance import (
    GuidingExemplar,
    UserExemplar,
    attention_per_exemplar,
    build_guidance,
    contribution_maps,
)
from colorizer.pipeline.imageio import DEFAULT_MAX_PIXELS, LoadedImage, load_image
from colorizer.pipeline.result import ColorizationResult, InputInfo, ModelInfo
from context.config import ContextConfig
from context.types import SceneContext
from retrieval.types import RetrievedExemplar

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "default"
CLOTH_KINDS = ("flag", "banner", "ensign")  # retrieved exemplars the flag finder looks for
MIN_RENDER_SIZE = 64


class DeviceUnavailableError(ChronochromeError):
    """An explicitly requested device does not exist on this machine."""


def resolve_device(device: str) -> torch.device:
    """'auto' -> CUDA if present else CPU; an explicit device that is missing is an error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"--device {device} was requested but no CUDA device is available: "
            "use --device auto or --device cpu"
        )
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise DeviceUnavailableError(f"unknown device {device!r}: use auto, cpu or cuda[:N]")
    return torch.device(device)


@dataclass(frozen=True)
class PipelineConfig:
    """Run-time settings of the pipeline (the model's own settings live in its config)."""

    # Long side (px) at which chroma is predicted; None = the model's operating point.
    render_size: int | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS  # refuse larger inputs (checked from the header)
    temperature: float | None = None  # annealed-mean temperature; None = the model's default
    chroma_scale: float | None = None  # multiplies predicted chroma; None = the model's default
    max_exemplars: int = 4  # exemplars fed to cross-attention (the user's first, then retrieved)
    exemplar_score_margin: float = 0.15  # skip retrieved ones scoring this far below the best
    exemplar_transfer: float = 1.0  # direct color transfer from the user's exemplars (0 = off)
    retrieved_transfer: float = 1.0  # ... and from retrieved ones found in the photo
    transfer: TransferConfig = field(default_factory=TransferConfig)  # how cells are matched
    chroma: ChromaConfig = field(default_factory=ChromaConfig)  # agreement, balance, edges

    def __post_init__(self) -> None:
        if self.render_size is not None and self.render_size < MIN_RENDER_SIZE:
            raise ValueError(f"render_size must be at least {MIN_RENDER_SIZE}, got {self.render_size}")
        if self.max_pixels <= 0:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
        for name in ("exemplar_transfer", "retrieved_transfer"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {getattr(self, name)}")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def render_shape(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(w, h) with the given long side, aspect kept (never squashed to a square)."""
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def lightness_at(lightness: torch.Tensor, long_side: int) -> torch.Tensor:
    """(B, 1, H, W) L* resized (antialiased) to the given long side, aspect kept."""
    width, height = render_shape(lightness.shape[-1], lightness.shape[-2], long_side)
    return F.interpolate(lightness, size=(height, width), mode="bilinear", antialias=True,
                         align_corners=False)


class ColorizationPipeline:
    """Components go in the constructor, so tests can pass tiny ones."""

    def __init__(
        self,
        generator: ColorGenerator,
        model_info: ModelInfo,
        config: PipelineConfig | None = None,
        device: str | torch.device = "cpu",
        context_fn: ContextFn | None = None,
        exemplar_fn: ExemplarFn | None = None,
        exemplar_cache: ExemplarCache | None = None,
        balance: BalancePredictor | None = None,
        flag_finder: FlagFinder | None = None,
    ):
        self.config = config or PipelineConfig()
        self.device = device if isinstance(device, torch.device) else resolve_device(device)
        self.generator = generator.to(self.device).eval()
        self.model_info = model_info
        self.context_fn = context_fn
        self.exemplar_fn = exemplar_fn
        # The generator's encoder matches exemplars for the direct transfer; what it made of
        # an exemplar image is kept for the next photo (a batch with one hint reuses it).
        self.exemplar_cache = exemplar_cache or ExemplarCache()
        # Reads the photo's overall color balance from the generator's encoder maps.
        self.balance = balance.to(self.device).eval() if balance is not None else None
        # Finds flag and banner cloth in the photo from the same maps: a retrieved flag is
        # transferred only onto it (colorizer.pipeline.correspondence); without one, the old test.
        self.flag_finder = (flag_finder.to(self.device).eval() if flag_finder is not None
                            else None)

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path | None = None,
        device: str = "auto",
        context: bool = True,
        exemplars: bool = True,
        context_config: ContextConfig | None = None,
        **config: Any,
    ) -> ColorizationPipeline:
        """Load weights saved by `ColorGenerator.save_pretrained` (default: the embedded ones).

        With `context=True` the offline context encoder (OCR, hints, scene cues, text
        embedding) runs on every photo, with `context_config` (default: `ContextConfig()`).
        With `exemplars=True` exemplars are retrieved from the default library.
        """
        folder = Path(path) if path else DEFAULT_WEIGHTS
        generator = ColorGenerator.from_pretrained(folder)
        info = ModelInfo(
            name=folder.name if path else "chronochrome-default",
            version=_weights_version(folder),
            sha256=file_sha256(folder / WEIGHTS_FILE),
            path=str(folder),
        )
        torch_device = resolve_device(device)
        context_fn, exemplar_fn = default_components(torch_device, context, exemplars,
                                                     context_config)
        # Weights saved before the balance predictor existed decode without one.
        balance = (BalancePredictor.from_pretrained(folder)
                   if (folder / BALANCE_FILE).is_file() else None)
        flag_finder = (FlagFinder.from_pretrained(folder)
                       if (folder / FLAG_FINDER_FILE).is_file() else None)
        return cls(generator, info, PipelineConfig(**config), device=torch_device,
                   context_fn=context_fn, exemplar_fn=exemplar_fn, balance=balance,
                   flag_finder=flag_finder)

    def with_config(self, **changes: Any) -> ColorizationPipeline:
        """The same components with other run-time settings (`chroma` and `transfer` may be
        given as dicts of the fields that change)."""
        for name, kind in (("chroma", ChromaConfig), ("transfer", TransferConfig)):
            if isinstance(changes.get(name), dict):
                current = asdict(getattr(self.config, name))
                changes[name] = config_from_dict(kind, {**current, **changes[name]})
        return ColorizationPipeline(self.generator, self.model_info,
                                    replace(self.config, **changes), self.device,
                                    self.context_fn, self.exemplar_fn, self.exemplar_cache,
                                    self.balance, self.flag_finder)

    @property
    def render_size(self) -> int:
        """The long side (px) at which chroma is predicted: the caller's or the model's."""
        return self.config.render_size or self.generator.config.render_size

    @torch.inference_mode()
    def __call__(
        self,
        image: str | Path | bytes | Image.Image | LoadedImage,
        hints: str | None = None,
        caption: str | None = None,
        exemplars: Sequence[str | Path | bytes | Image.Image | UserExemplar] = (),
    ) -> ColorizationResult:
        """Colorize one photo. `exemplars` are the user's own color reference photos; they
        take the first exemplar slots, before the retrieved ones."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        # 1. Load: one loader for every input kind; color input is reduced to its L*.
        loaded = image if isinstance(image, LoadedImage) else load_image(
            image, max_pixels=self.config.max_pixels)
        lightness = lightness_of(loaded)  # (1, 1, H, W)
        timings["load"], clock = _lap(clock)

        # 2. Context and exemplars (hint outranks inference; both optional components).
        #    Without an explicit caption, a file's name is the caption: archives put place
        #    and year there ("Detroit_circa_1915.jpg").
        gray = gray_image(lightness)
        if caption is None and isinstance(image, (str, Path, LoadedImage)) and loaded.name:
            caption = Path(loaded.name).name
        context = (self.context_fn(gray, hints, caption) if self.context_fn
                   else _empty_context(hints, caption))
        # A hint in which no era or place was found is reported and not used: its words would
        # otherwise reach retrieval as a query ("asdfgh qwerty" retrieved three flags).
        hint_note = context.unknown.get("hint")
        query = None if hint_note else hints
        timings["context"], clock = _lap(clock)
        user = [e if isinstance(e, UserExemplar) else
                UserExemplar.load(e, max_pixels=self.config.max_pixels) for e in exemplars]
        retrieved = list(self.exemplar_fn(context, gray, query)) if self.exemplar_fn else []
        gen_config = self.generator.config
        guidance = build_guidance(retrieved, user, gen_config.exemplar_size,
                                  gen_config.text_dim, self.config.max_exemplars,
                                  self.config.exemplar_score_margin)
        timings["retrieval"], clock = _lap(clock)

        # 3. Chroma at the working resolution. Only the user's own exemplars are attended to;
        #    without them this is the photo's own, no-context color.
        small = lightness_at(lightness, self.render_size).to(self.device)
        rh, rw = small.shape[-2:]
        attended = guidance.attended
        tokens, mask = self.generator.encode_conditioning(guidance.conditioning, 1)
        features = self.generator.encode(small)  # reused by the balance and the transfer
        logits, weights = self.generator.logits_from_features(features, tokens, mask,
                                                              return_attention=attended > 0)
        chroma_scale = self.config.chroma_scale  # the caller's override wins
        if chroma_scale is None and user:
            # The user's own reference photo of the scene is trusted for bolder color; a
            # retrieved exemplar (a flag for the era) matches only part of the photo at best.
            chroma_scale = gen_config.guided_chroma_scale
        ab, uncertainty = self.decode(logits, features, chroma_scale)

        # 4. Exemplar colors copied where each exemplar is found (retrieved ones must be found
        #    in the photo first); `context_weight` is where retrieved ones changed the colors.
        used = len(guidance.used)
        context_weight = torch.zeros_like(uncertainty)
        shares, maps, moved, contributed, found = [], [], [], [], [None] * used
        if used:
            h8, w8 = -(-logits.shape[-2] // 2), -(-logits.shape[-1] // 2)
            shares, maps = attention_per_exemplar(weights[-1] if attended else None, used,
                                                  attended, self.generator.tokens_per_exemplar,
                                                  (h8, w8))
            moved, contributed = [0.0] * used, list(shares)
            strengths = [self.config.exemplar_transfer if i < len(user)
                         else self.config.retrieved_transfer for i in range(used)]
            active = [i for i, strength in enumerate(strengths) if strength > 0]
            # Retrieved flags and banners are found by the flag finder (on the maps of step
            # 3) and colored only on the cloth it finds; other exemplars as before.
            cloth_kind = [i >= len(user) and guidance.used[i].kind in CLOTH_KINDS
                          for i in active]
            cloth = (self.flag_finder(features)
                     if active and self.flag_finder is not None and any(cloth_kind) else None)
            if active:
                photo, photo_maps = self._matching_view(lightness, small, features)
                transfer = exemplar_transfer(
                    self.generator.encoder, photo, [guidance.images[i] for i in active],
                    self.config.transfer, trusted=[i < len(user) for i in active],
                    cache=self.exemplar_cache, photo_maps=photo_maps, cloth=cloth,
                    cloth_kind=cloth_kind)
                for i, presence in zip(active, transfer.presence.tolist()):
                    found[i] = round(presence, 4)
                if float(transfer.admitted.max()) > 0:  # else: nothing found, nothing changes
                    if photo.shape[-1] > ab.shape[-1]:  # blend on the finer grid of the two
                        grid = (photo.shape[-2] // 4, photo.shape[-1] // 4)
                        ab = F.interpolate(ab, size=grid, mode="bilinear", align_corners=False)
                        uncertainty = F.interpolate(uncertainty, size=grid, mode="bilinear",
                                                    align_corners=False)
                    active_strengths = [strengths[i] for i in active]
                    ab, uncertainty, applied = transfer.blend(ab, uncertainty, active_strengths)
                    context_weight = transfer.applied_by(
                        active_strengths, [i >= len(user) for i in active], ab.shape[-2:])
                    mass = torch.zeros(used, *transfer.mass.shape[1:])
                    mass[active] = transfer.mass.cpu()
                    maps, moved, contributed = contribution_maps(maps, mass, applied)
        exemplar_records = _exemplar_report(guidance.used, shares, moved, contributed, found,
                                            retrieved)
        timings["generator"], clock = _lap(clock)

        # 5. Chroma onto the full-resolution L*, following its edges; L* kept exactly.
        height, width = lightness.shape[-2:]
        ab_full = chroma_at(ab.float().cpu(), lightness, self.config.chroma)
        unc_full = F.interpolate(uncertainty.float().cpu(), size=(height, width),
                                 mode="bilinear", align_corners=False)
        region_full = F.interpolate(context_weight.float().cpu(), size=(height, width),
                                    mode="bilinear", align_corners=False)
        out_rgb = lab_to_rgb_keep_luminance(lightness, ab_full)
        pixels = (out_rgb[0].permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
        timings["merge"], clock = _lap(clock)

        return ColorizationResult(
            image=Image.fromarray(pixels, "RGB"),
            uncertainty=unc_full[0, 0].numpy().clip(0, 1).astype(np.float32),
            input=InputInfo(name=loaded.name, size=loaded.size, mode=loaded.source_mode,
                            format=loaded.source_format, frames=loaded.frames,
                            sha256=loaded.sha256, notes=loaded.notes),
            model=self.model_info,
            context=context.to_dict(),
            exemplars=tuple(exemplar_records),
            exemplar_maps=tuple(maps),
            exemplar_images=guidance.images,
            render_size=(rw, rh),
            timings=timings,
            context_region=region_full[0, 0].numpy().clip(0, 1).astype(np.float32),
            notes=(f"hint not used: {hint_note}",) if hint_note else (),
            settings={
                "device": str(self.device),
                "temperature": _given(self.config.temperature,
                                      self.generator.config.temperature),
                "chroma_scale": _given(chroma_scale, self.generator.config.chroma_scale),
                **{f"chroma.{k}": v for k, v in asdict(self.config.chroma).items()},
                "balance": self.balance is not None,
                "exemplar_transfer": self.config.exemplar_transfer if user else 0.0,
                "retrieved_transfer": (self.config.retrieved_transfer
                                       if len(guidance.used) > len(user) else 0.0),
                "render_size": self.render_size,
                "hints": hints,
                "caption": caption,
            },
        )

    def decode(self, logits: torch.Tensor, features: dict[int, torch.Tensor],
               chroma_scale: float | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (1, Q, h, w) -> (a*b*, uncertainty) at the operating point: the annealed
        mean, toned down where the plausible hues disagree, moved to the predicted balance."""
        ab, uncertainty = self.generator.decode(logits, self.config.temperature, chroma_scale)
        chroma = self.config.chroma
        if chroma.agreement_power > 0:
            probs = torch.softmax(self.generator.corrected_logits(logits), dim=1)
            agreement = hue_agreement(probs, self.generator.ab_bins)
            ab = ab * agreement.pow(chroma.agreement_power)
        if self.balance is not None and chroma.balance_strength > 0:
            target = self.balance(features) * chroma.balance_trust
            ab = shift_balance(ab, target, chroma.balance_strength)
        return ab, uncertainty

    def _matching_view(self, lightness: torch.Tensor, small: torch.Tensor,
                       features: dict[int, torch.Tensor]
                       ) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """The photo's L* at the transfer's matching size (never magnified past the photo
        itself, never below the render size) and the encoder's maps of it (the generator's own
        when the sizes agree)."""
        long_side = max(min(self.config.transfer.photo_size, max(lightness.shape[-2:])),
                        max(small.shape[-2:]))
        if long_side == max(small.shape[-2:]):
            return small, features
        photo = lightness_at(lightness, long_side).to(self.device)
        return photo, self.generator.encode(photo)


def _exemplar_report(used: tuple[GuidingExemplar, ...], shares: list[float], moved: list[float],
                     contributed: list[float], found: list[float | None],
                     retrieved: list[RetrievedExemplar]) -> list[dict[str, Any]]:
    """Every exemplar, used ones first with their shares, then retrieved ones that did not fit
    into the slots (listed so a historian sees what else matched).

    attention_share: mean cross-attention mass on the exemplar's tokens (what the generator
    looked up); transfer_share: the share of the image's color copied from it by the direct
    transfer; color_share: both together, the share of the image's color it contributed;
    found_in_photo: the share of the exemplar's colored cells that the transfer found in the
    photo (a retrieved exemplar transfers only when its object is there; None: transfer off).
    """
    out = [{**rec.to_dict(), "used": True, "attention_share": share, "transfer_share": move,
            "color_share": total, "found_in_photo": presence}
           for rec, share, move, total, presence in zip(used, shares, moved, contributed, found)]
    used_ids = {rec.id for rec in used}
    out += [{**rec.to_dict(), "used": False, "attention_share": None, "transfer_share": None,
             "color_share": None, "found_in_photo": None}
            for rec in retrieved if rec.id not in used_ids]
    return out


def _given(value: float | None, default: float) -> float:
    """The caller's setting, or the model's where none was given (0.0 is a setting)."""
    return default if value is None else value


def _lap(start: float) -> tuple[float, float]:
    now = time.perf_counter()
    return now - start, now


def lightness_of(loaded: LoadedImage) -> torch.Tensor:
    """L* (1, 1, H, W) float32 of a loaded image (color input reduced to its luminance)."""
    rgb = torch.from_numpy(np.ascontiguousarray(loaded.rgb)).permute(2, 0, 1)[None]
    return luminance_of_rgb(rgb.to(torch.float64)).to(torch.float32)


def gray_image(lightness: torch.Tensor) -> Image.Image:
    """The luminance as an 8-bit gray sRGB PIL image (what context inference looks at)."""
    g = gray_rgb_from_lightness(lightness)[0, 0].numpy()
    return Image.fromarray((g * 255 + 0.5).astype(np.uint8), "L")


def _empty_context(hints: str | None, caption: str | None) -> SceneContext:
    return SceneContext.empty("context inference switched off for this pipeline")


def _weights_version(folder: Path) -> str:
    from safetensors import safe_open

    with safe_open(str(folder / WEIGHTS_FILE), framework="pt") as handle:
        meta = handle.metadata() or {}
    return meta.get("version", "unversioned")
