"""Context inference for historical photographs: era, region, script, with evidence.

    from context import ContextEncoder
    encoder = ContextEncoder.from_default()
    ctx = encoder(image, hint="Kazan, 1950s")
    ctx.to_dict()  # JSON

Importing this package loads no model and starts nothing; components load in
`ContextEncoder.from_default`. Its names are imported on first use, so a module that needs
only `context.types` or `context.config_io` does not pay for the encoder's imports (OCR,
sentence embeddings: about 2 s).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from context.config import ContextConfig
    from context.encoder import ContextEncoder
    from context.scene import SceneClassifier
    from context.types import (
        Caption,
        Conflict,
        Era,
        Evidence,
        Language,
        PlaceRef,
        Region,
        RegionCandidate,
        SceneContext,
        SceneLabel,
        Script,
        SourceStatus,
        TextLine,
    )

_HOMES = {
    "ContextConfig": "context.config", "ContextEncoder": "context.encoder",
    "SceneClassifier": "context.scene",
    **dict.fromkeys(("Caption", "Conflict", "Era", "Evidence", "Language", "PlaceRef", "Region",
                     "RegionCandidate", "SceneContext", "SceneLabel", "Script", "SourceStatus",
                     "TextLine"), "context.types"),
}
__all__ = [
    "Caption", "Conflict", "ContextConfig", "ContextEncoder", "Era", "Evidence", "Language",
    "PlaceRef", "Region", "RegionCandidate", "SceneClassifier", "SceneContext", "SceneLabel",
    "Script", "SourceStatus", "TextLine",
]


def __getattr__(name: str) -> object:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'context' has no attribute {name!r}")
