"""IIIF Image API inputs: read an info.json (version 2 or 3), choose the size to ask for, fetch.

- `ImageService.from_info` reads the size, the limits (maxWidth, maxHeight, maxArea; a v2
  service gives them in its profile's second entry), the listed `sizes` and the compliance
  level (from `profile`: a level-2 service may list thumbnail sizes too, and is not held to them);
- `choose_size` asks for the largest size the service allows within our pixel cap: at level 0
  one of its listed sizes; a missing maxHeight is maxWidth, as both versions of the
  specification tell clients to infer;
- `image_request_url` writes the request in the version's canonical form: `w,` in 2.x (static
  level-0 servers hold only that path, so `w,h` answered 404), `w,h` in 3.0, and the whole image
  as `full` (2.x) or `max` (3.0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from colorizer.apps.service.json_documents import JSONDocumentError, load_json
from colorizer.errors import ChronochromeError

if TYPE_CHECKING:
    from colorizer.apps.service.fetch import SafeFetcher

_LEVEL = re.compile(r"level([012])(?:\.json)?$")


class IIIFError(ChronochromeError):
    """A IIIF document does not have the structure the specification asks for."""

    reason = "invalid_iiif"


@dataclass(frozen=True)
class ImageService:
    """What an info.json says about one image."""

    id: str  # base URI, without a trailing slash
    version: int  # 2 or 3
    width: int
    height: int
    max_width: int | None = None
    max_height: int | None = None
    max_area: int | None = None
    sizes: tuple[tuple[int, int], ...] = ()  # preferred (w, h), required at level 0
    level: int | None = None  # compliance level from `profile` (None: not stated)

    @classmethod
    def from_info(cls, info: dict[str, Any], fallback_id: str) -> ImageService:
        try:
            width, height = int(info["width"]), int(info["height"])
        except (KeyError, TypeError, ValueError) as exc:
            raise IIIFError(f"{fallback_id}/info.json has no integer width and height") from exc
        if width <= 0 or height <= 0:
            raise IIIFError(f"{fallback_id}/info.json gives a size of {width} x {height}: "
                            "width and height must be positive")
        context = str(info.get("@context", ""))
        version = 2 if "image/2" in context or "@id" in info and "id" not in info else 3
        ident = str(info.get("id") or info.get("@id") or fallback_id).rstrip("/")
        profile = info.get("profile")
        profiles = profile if isinstance(profile, list) else [profile]
        extra = next((p for p in profiles if isinstance(p, dict)), {})
        limits = {k: info.get(k, extra.get(k)) for k in ("maxWidth", "maxHeight", "maxArea")}
        sizes = tuple((int(s["width"]), int(s["height"])) for s in info.get("sizes") or []
                      if isinstance(s, dict) and "width" in s and "height" in s)
        levels = [int(m.group(1)) for p in profiles if isinstance(p, str)
                  for m in [_LEVEL.search(p.strip())] if m]
        return cls(ident, version, width, height, _int(limits["maxWidth"]),
                   _int(limits["maxHeight"]), _int(limits["maxArea"]), sizes,
                   levels[0] if levels else None)

    @property
    def level0(self) -> bool:
        """Only the listed sizes are served: the profile says level 0, or, where it says no
        level, the service lists sizes and no limit."""
        if self.level is not None:
            return self.level == 0
        return bool(self.sizes) and self.max_width is None and self.max_area is None

    def description(self) -> dict[str, Any]:
        """What provenance keeps of the service: a manifest names it with the right type
        and profile, and the original at the service's full size."""
        return {"version": self.version, "level": self.level,
                "service_size": [self.width, self.height]}


def choose_size(service: ImageService, max_pixels: int) -> tuple[int, int] | None:
    """(w, h) to request, or None for the full image ('max' / 'full')."""
    w, h = service.width, service.height
    max_w = service.max_width or w
    max_h = service.max_height or service.max_width or h  # the specification's inference
    max_area = min(service.max_area or w * h, max_pixels)
    scale = min(1.0, max_w / w, max_h / h, math.sqrt(max_area / (w * h)))
    if scale >= 1.0:
        return None
    if service.level0:  # only the listed sizes are served
        fitting = [s for s in service.sizes
                   if s[0] <= max_w and s[1] <= max_h and s[0] * s[1] <= max_area]
        if not fitting:
            raise IIIFError(f"{service.id}: a level-0 service with no listed size within "
                            f"{max_pixels:,} pixels (its full image is {w} x {h}); ask its "
                            "holder for a smaller size, or raise the pixel cap")
        return max(fitting, key=lambda s: s[0] * s[1])
    # The server derives the height of a `w,` request by rounding: so do we, and step the
    # width down until that height is within the limits too.
    out_w = max(1, math.floor(w * scale))
    while out_w > 1 and (_height(out_w, w, h) > max_h or out_w * _height(out_w, w, h) > max_area):
        out_w -= 1
    return out_w, _height(out_w, w, h)


def image_request_url(service: ImageService, size: tuple[int, int] | None) -> str:
    """The Image API URL of the whole image at `size`, in the version's canonical form."""
    if size is None:
        size_part = "max" if service.version == 3 else "full"
    else:
        size_part = f"{size[0]},{size[1]}" if service.version == 3 else f"{size[0]},"
    return f"{service.id}/full/{size_part}/0/default.jpg"


def fetch_iiif_image(base: str, fetcher: SafeFetcher,
                     max_pixels: int) -> tuple[bytes, dict[str, Any]]:
    """(image bytes, what provenance says of them) from an Image API service: its info.json
    read, the largest size within `max_pixels` asked for. The service's worker and the batch
    CLI's IIIF manifests both fetch this way."""
    base = base.rstrip("/")
    try:
        info = load_json(fetcher.get(f"{base}/info.json", accept="application/ld+json").data,
                         f"{base}/info.json")
        service = ImageService.from_info(info, base)
    except (JSONDocumentError, AttributeError, TypeError) as exc:  # not an object / not JSON
        raise IIIFError(f"{base}/info.json is not a readable IIIF image description ({exc})"
                        ) from exc
    size = choose_size(service, max_pixels)
    url = image_request_url(service, size)
    got = fetcher.get(url, accept="image/*")
    return got.data, {"kind": "iiif_image", "service": service.id, "url": url,
                      "name": url, "requested_size": list(size) if size else "max",
                      **service.description()}


def _height(out_w: int, w: int, h: int) -> int:
    return max(1, round(out_w * h / w))


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
