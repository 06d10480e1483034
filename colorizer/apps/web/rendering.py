"""One colorization as the page shows it: images at display size and a JSON view.

`render(result, side)` keeps only what the page asks for (the colorized image, the
uncertainty and the region map at display size, exemplar thumbnails) and, for the download,
the output's full-size pixels as integers (download.py: RGB, 4 bytes a pixel as PIL holds
it, 6 for a 16-bit master), never the pipeline's float arrays; the full-size float uncertainty is never made
for the display either (display_map.py), and the region map is the working size's. The PNG
encoders draw the overlays: the uncertainty in the legend's colors (`UNCERTAINTY_STOPS`, also
drawn by the page's CSS), the region map as `region_map` does (a hint's region in the hint's
own color, numbered), whose colors, numbers and label points the view's region records carry
for the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from colorizer.apps.web.context_card import context_card
from colorizer.apps.web.display_map import display_map
from colorizer.apps.web.download import FullSize
from colorizer.apps.web.page_notes import page_notes
from colorizer.apps.web.region_map import hint_numbers, label_points, region_hex

if TYPE_CHECKING:
    from colorizer.pipeline.color_regions import ColorRegions
    from colorizer.pipeline.result import ColorizationResult

THUMB_SIDE = 160  # px, long side of an exemplar's thumbnail
# Uncertainty 0 (sure) .. 1 (unsure): blue, pale yellow, red; opacity grows with it so sure
# areas stay readable under the overlay. The page's legend draws the same stops.
UNCERTAINTY_STOPS = ((0.0, (49, 54, 149)), (0.5, (254, 224, 144)), (1.0, (165, 0, 38)))


@dataclass(frozen=True, eq=False)
class Rendering:
    colorized: Image.Image  # RGB at display size
    uncertainty: np.ndarray  # (h, w) float32 in [0, 1] at display size
    regions: ColorRegions | None
    thumbnails: tuple[Image.Image, ...]  # the used exemplars', in their order
    view: dict[str, Any]  # the JSON the page reads
    # The result with its images at display size and its per-exemplar maps dropped: what
    # the check and the plausibility report of this colorization read.
    result: ColorizationResult
    full: FullSize  # what "Download" saves, at the input's size (download.py)


def display_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def render(result: ColorizationResult, side: int) -> Rendering:
    size = display_size(result.image.size, side)
    output = result.image  # resized as it is when RGB: `convert` would copy it whole first
    rgb = output if output.mode == "RGB" else output.convert("RGB")
    colorized = rgb.resize(size, Image.LANCZOS)
    uncertainty = _display_uncertainty(result, size)
    thumbs = []
    for image in result.exemplar_images:
        thumb = image.convert("RGB")
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
        thumbs.append(thumb)
    slim = replace(result, image=colorized, uncertainty=uncertainty, exemplar_maps=(),
                   exemplar_images=(), context_region=None)
    return Rendering(colorized, uncertainty, result.color_regions, tuple(thumbs),
                     result_view(result), slim, FullSize.of(result))


def _display_uncertainty(result: ColorizationResult, size: tuple[int, int]) -> np.ndarray:
    """The uncertainty at display size, in [0, 1], read-only. Made from the map as held, a
    band at a time: `result.uncertainty` would make the whole float32 map (432 MB on a 108 MP
    scan) to keep its display size (display_map.py). A map made when read is the base run's,
    the same for every color point placed on the photo: made once for the photo and its
    edits (`map_figure`; 0.3-1.5 s of a 12 MP photo's point, on a loaded 2-core machine)."""
    source = result.uncertainty_source

    def shown() -> np.ndarray:
        small = np.clip(display_map(source, size), 0, 1)
        small.flags.writeable = False  # shared by the edits' renderings
        return small

    if isinstance(source, np.ndarray):  # an array may be changed in place: read each time
        return shown()
    return result.map_figure(f"display {size[0]}x{size[1]}", source, shown)


def result_view(result: ColorizationResult) -> dict[str, Any]:
    data = result.to_dict()
    regions = (result.color_regions.regions if result.color_regions is not None else ())
    region_of = {(r.detail or {}).get("id"): r.id for r in regions if r.kind == "exemplar"}
    exemplars, thumb = [], 0
    for record in data["exemplars"]:
        record.pop("image_path", None)  # a server's paths are not sources
        used = record.get("used")
        exemplars.append({**record, "region": region_of.get(record["id"]) if used else None,
                          "thumbnail": thumb if used else None})
        thumb += bool(used)
    return {
        "context": context_card(result.context),
        "exemplars": exemplars,
        "regions": _region_records(result.color_regions),
        "uncertainty": data["uncertainty"],
        # The input's notes first (a color negative's look, color reduced to luminance):
        # said where the run's are, or the page would not say them at all; advice in the
        # page's words, not the command line's (page_notes.py).
        "notes": page_notes([*data["input"].get("notes", []), *data["notes"]]),
        "settings": {k: data["settings"].get(k) for k in ("hints", "render_size", "device")},
        "timings": data["timings"],
    }


def _region_records(regions: ColorRegions | None) -> list[dict[str, Any]]:
    """Each region's record with the color the map paints it in; a hint's also with its
    number and where the page puts that number on the map (`label_at`, fractions of the
    photo's width and height; None when its region holds no pixel)."""
    if regions is None:
        return []
    numbers, points = hint_numbers(regions), label_points(regions)
    records = []
    for r in regions.regions:
        record = {**r.to_dict(), "color": region_hex(r)}
        if r.id in numbers:
            record.update(number=numbers[r.id], label_at=points.get(r.id))
        records.append(record)
    return records


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)  # speed over size: a local page
    return buffer.getvalue()


def uncertainty_png(uncertainty: np.ndarray) -> bytes:
    """RGBA: the legend's colors, opacity 25%..85% from sure to unsure; made a band of rows
    at a time: done whole, a 1600-px map's float64 temporaries were 150 MB, which the server
    kept resident after every colorization the page showed
    (tests/web/test_web_edit_memory.py)."""
    out = np.empty((*uncertainty.shape, 4), dtype=np.uint8)
    for top in range(0, uncertainty.shape[0], _UNCERTAINTY_BAND_ROWS):
        band = slice(top, top + _UNCERTAINTY_BAND_ROWS)
        out[band] = _uncertainty_rgba(uncertainty[band])
    return png(Image.fromarray(out, "RGBA"))


_UNCERTAINTY_BAND_ROWS = 128  # 1600-px rows: 6 MB of float64 temporaries a band


def _uncertainty_rgba(uncertainty: np.ndarray) -> np.ndarray:
    """(h, w) uncertainty -> (h, w, 4) uint8 RGBA, each pixel on its own."""
    xs = [s for s, _ in UNCERTAINTY_STOPS]
    rgb = np.stack([np.interp(uncertainty, xs, [c[i] for _, c in UNCERTAINTY_STOPS])
                    for i in range(3)], axis=-1)
    alpha = (0.25 + 0.6 * uncertainty) * 255
    pixels = np.concatenate([rgb, alpha[..., None]], axis=-1)
    return np.round(pixels).astype(np.uint8)
