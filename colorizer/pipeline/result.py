"""The typed result of one colorization, serialisable to JSON for reports and the API."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from colorizer.pipeline.carried_metadata import CarriedMetadata
from colorizer.pipeline.deep_pixels import checked_rgb16
from colorizer.pipeline.full_size_field import FullSizeField, source_of
from colorizer.pipeline.map_stats import share_above, summary_figures
from colorizer.pipeline.result_display import PREVIEW_SIDE, mimebundle  # noqa: F401, re-exported
from colorizer.pipeline.shareable import names_a_folder, shareable_name, shareable_values
from context.display import era_text
from context.types import SceneContext

if TYPE_CHECKING:  # annotations only: the report module imports torch
    from colorizer.pipeline.color_regions import ColorRegions
    from colorizer.pipeline.exemplar_report import ExemplarUse


# The instance attribute holding a result's memo of its maps' figures (`map_figure`).
MAP_FIGURES = "map_figures"


@dataclass(frozen=True)
class ModelInfo:
    """Which weights produced a result: enough to reproduce or audit it."""

    name: str
    version: str
    sha256: str
    path: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256,
                "path": self.path}


@dataclass(frozen=True)
class InputInfo:
    """What the loader saw and did to the input."""

    name: str
    size: tuple[int, int]  # (width, height)
    mode: str
    format: str | None
    frames: int
    sha256: str | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": list(self.size), "mode": self.mode,
                "format": self.format, "frames": self.frames, "sha256": self.sha256,
                "notes": list(self.notes)}


def summarize_uncertainty(uncertainty: np.ndarray) -> dict[str, float]:
    """Summary of a per-pixel uncertainty map in [0, 1] (normalised entropy). The median,
    p90 and share are NumPy's figures computed band by band (map_stats.py): the whole-map
    copies of `np.median` and `np.percentile` were the CLI's peak on a 108 MP photo. The map
    may be one made when read (`ColorizationResult.uncertainty_source`, upsampled_map.py):
    the same figures, and the whole map is never made."""
    mean, median, p90, share = summary_figures(uncertainty, 90, 0.5)
    return {"mean": round(mean, 4), "median": round(median, 4), "p90": round(p90, 4),
            "share_above_0.5": round(share, 4)}


@dataclass(frozen=True)
class ColorizationResult:
    """A colorized photo with everything a historian needs to judge it."""

    image: Image.Image  # RGB, same size as the input, L* of the input kept
    # (H, W) float32 in [0, 1]: normalised entropy of the ab bins. Given an UpsampledMap (the
    # pipeline's: its small map), the array is made at the first read (full_size_field.py).
    uncertainty: np.ndarray = FullSizeField()  # type: ignore[assignment]  # noqa: RUF009
    input: InputInfo
    model: ModelInfo
    context: SceneContext  # era, region, script with evidence (empty with a reason if off)
    # Per exemplar, the user's and the retrieved ones: what it is and what it contributed.
    exemplars: tuple[ExemplarUse, ...]
    render_size: tuple[int, int]  # (width, height) at which chroma was predicted
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    settings: dict[str, Any] = field(default_factory=dict)  # temperature, chroma scale, device
    exemplar_maps: tuple[np.ndarray, ...] = ()  # per used exemplar: (h, w) attention mass
    exemplar_images: tuple[Image.Image, ...] = ()  # the used exemplars' images, same order
    # (H, W) float32 in [0, 1]: where context (retrieved exemplars found in the photo) changed
    # the colors; 0 elsewhere, where the output is the no-context output. None: not computed.
    # Made at the first read, as `uncertainty` is.
    context_region: np.ndarray | None = FullSizeField(None)  # noqa: RUF009
    # The input's EXIF/IPTC/DPI that the encoded output carries (carried_metadata.py).
    carried: CarriedMetadata | None = None
    notes: tuple[str, ...] = ()  # what the run did not use and why (e.g. a hint not understood)
    # Where each region's color came from: the user's hints, exemplars, the model (a map and
    # one record per region, colorizer.pipeline.color_regions). None: not computed.
    color_regions: ColorRegions | None = None
    # (H, W, 3) uint16 sRGB, 0-65535, the same pixels as `image` rounded to 16 bits a channel
    # (L* of the input to 16-bit precision), for an input with more than 8 bits (a 16-bit
    # master); None for an 8-bit input. PNG and TIFF outputs are written from it
    # (colorizer.pipeline.provenance: `encode_image`, `save_image`).
    image16: np.ndarray | None = None

    def __post_init__(self) -> None:
        # A result made with an image of another size (a display copy, dataclasses.replace)
        # has no 16-bit pixels: they would not be its image's.
        object.__setattr__(self, "image16", checked_rgb16(self.image16, self.image.size))

    @property
    def uncertainty_source(self) -> Any:
        """The uncertainty as held: the (H, W) array, or the map that makes it when read (its
        bands, figures and 8-bit image read without the whole of it: 432 MB on 108 MP)."""
        return source_of(self, "uncertainty")

    @property
    def context_region_source(self) -> Any:
        """The context region as held (None, an array, or a map made when read)."""
        return source_of(self, "context_region")

    def uncertainty_summary(self) -> dict[str, float]:
        """`summarize_uncertainty` of the map, read band by band from a map made when read and
        kept: the report and the provenance both give it, and each reading upsamples the map
        again (several seconds on 108 MP). An array is summarized at each call (a caller may
        have changed it in place)."""
        source = self.uncertainty_source
        if isinstance(source, np.ndarray):
            return summarize_uncertainty(source)
        return dict(self.map_figure("uncertainty", source,
                                     lambda: summarize_uncertainty(source)))

    def context_region_share(self) -> float | None:
        """Share of the photo where context changed the colors (>= 0.5), 4 decimals; None
        where the region was not computed. Kept as the uncertainty's figures are."""
        source = self.context_region_source
        if source is None:
            return None

        def share() -> float:
            return round(share_above(source, 0.5, inclusive=True), 4)

        if isinstance(source, np.ndarray):  # an array may be changed in place: read each time
            return share()
        return self.map_figure("context_region", source, share)

    def map_figure(self, name: str, source: Any, compute: Callable[[], Any]) -> Any:
        """A figure of a map made when read (or a small view of it: the web's display-size
        uncertainty), computed once by `compute`. The memo (`MAP_FIGURES`) may be
        shared: the pipeline gives every result of one base run (a photo and its edits with
        other color hints, edits.py) that run's memo, since their maps are the same small
        maps upsampled to the same size; a 12 MP edit's `to_dict` summarized the unchanged
        uncertainty again (0.7 s CPU of a 5.7 s edit, loaded 2-core machine)."""
        memo = self.__dict__.setdefault(MAP_FIGURES, {})  # frozen: set as __init__ sets fields
        key = (name, *source.shape)
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    # No `_repr_png_`: IPython adds every `_repr_*_` type a bundle lacks, so a PNG defined here
    # was stored beside the bundle in each notebook (result_display.py says what is kept).
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Jupyter's view (result_display.py): the picture (`PREVIEW_SIDE` px at most) with a
        caption (the photo, the era and place inferred, the notes) as HTML, and a small JPEG
        for converters and frontends without HTML."""
        return mimebundle(self)

    def __repr__(self) -> str:
        # The generated repr printed every array in full (uncertainty, maps, regions): one
        # result shown in a notebook cell, or a list of them, was pages of numbers.
        width, height = self.image.size
        deep = "" if self.image16 is None else ", image16=<uint16 (H, W, 3)>"
        era, region = self.context.era, self.context.region
        inferred = "" if era is None else f", era={era_text(era)}"
        inferred += "" if region is None else f", region={region.name!r}"
        return (f"ColorizationResult(image=<{self.image.mode} {width}x{height}>{deep}, "
                f"input={self.input.name!r}, model={self.model.name!r} "
                f"({self.model.version}), render_size={self.render_size}{inferred}, "
                f"exemplars={len(self.exemplars)}, notes={list(self.notes)!r})")

    def exemplar_image(self, top: int = 3) -> Image.Image | None:
        """Where the photo looked up each of the top exemplars (None when no exemplar put
        color anywhere: a panel of exemplars that changed nothing would say they did)."""
        if not self.exemplar_maps or not any(rec.colored for rec in self.exemplars):
            return None
        from colorizer.pipeline.guidance import exemplar_panel

        titles = [rec.title for rec in self.exemplars if rec.used]
        return exemplar_panel(self.image, self.exemplar_images, self.exemplar_maps, titles, top)

    def uncertainty_image(self) -> Image.Image:
        """The uncertainty map as an 8-bit grayscale image (white = unsure), made a band of
        rows at a time: on a 49 MP photo the float temporaries of the whole map were 0.4 GB at
        the moment the CLI's memory peaked (eval/bench_memory.py)."""
        from colorizer.pipeline.luminance import row_bands

        source = self.uncertainty_source
        read = source.rows if hasattr(source, "rows") else source.__getitem__
        out = np.empty(source.shape, dtype=np.uint8)
        for rows in row_bands(*out.shape[:2]):
            out[rows] = np.clip(read(rows), 0, 1) * 255 + 0.5
        return Image.fromarray(out)

    def to_dict(self, shareable: bool = False) -> dict[str, Any]:
        """The result as JSON. By default with what a program on this machine opens: the
        input's path as given, the weights folder (`model.path`), the exemplars' image files
        (`image_path`). `shareable=True` (what `--report` writes, the file people send to
        colleagues): files by their names, without the local folders, and URLs without
        their tokens (`shareable_report`)."""
        data = {
            "input": self.input.to_dict(),
            "model": self.model.to_dict(),
            "render_size": list(self.render_size),
            "settings": dict(self.settings),
            "context": self.context.to_dict(),
            "exemplars": [rec.to_dict() for rec in self.exemplars],
            "uncertainty": self.uncertainty_summary(),
            "context_region_share": self.context_region_share(),
            "notes": list(self.notes),
            "color_regions": (self.color_regions.to_dict() if self.color_regions is not None
                              else None),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }
        return shareable_report(data) if shareable else data


def shareable_report(data: dict[str, Any]) -> dict[str, Any]:
    """A result's JSON (`ColorizationResult.to_dict`) as it may be shared: the input, the
    weights folder, the exemplars' images and the color hints' reference photos named by
    their last part (`shareable_name`: "/home/alice/scans/x.tif" -> "x.tif"), also where a
    note or label quotes them, and credential-like URL parameters blanked (`shareable_text`)."""
    shared = shareable_json(data, [data["input"]["name"], data["model"]["path"],
                                   *(e.get("image_path") for e in data["exemplars"])])
    shared["input"]["name"] = shareable_name(data["input"]["name"])  # a URL's or relative path's
    return shared


def shareable_json(data: Any, paths: Iterable[str | None] = ()) -> Any:
    """`data` (JSON-like) with each of `paths` and every value that names a local folder
    (`names_a_folder`) cut to its last part wherever a text holds it, and URLs' tokens
    blanked: for JSON written to be sent to others (a report, `chronochrome check --json`)."""
    named = {path for path in paths if path} | {t for t in _strings(data) if names_a_folder(t)}
    local = sorted((p for p in named if "://" not in p), key=len, reverse=True)
    short = {path: shareable_name(path) for path in local}

    def named_here(value: Any) -> Any:
        if isinstance(value, str):
            for path in local:  # longest first: a folder never cuts a file's path short
                value = value.replace(path, short[path])
            return value
        if isinstance(value, dict):
            return {key: named_here(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [named_here(item) for item in value]
        return value

    return shareable_values(named_here(data))


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for item in data.values() for text in _strings(item)]
    if isinstance(data, list | tuple):
        return [text for item in data for text in _strings(item)]
    return []
