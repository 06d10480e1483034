"""PIL's process-wide decode settings, held at the loader's values while any load runs
(`imageio.load_image` enters `PIL_SETTINGS` around every load).

The one instance lives in `context.pil_settings` (context never imports colorizer, and
`python -m context` reads photos with the same settings); this name is kept for colorizer's
readers."""

from __future__ import annotations

from context.pil_settings import PIL_SETTINGS, PilSettingsOverride

__all__ = ["PIL_SETTINGS", "PilSettingsOverride"]
