"""Context inference for historical photographs: era, region, script, with evidence.

    from context import ContextEncoder
    encoder = ContextEncoder.from_default()
    ctx = encoder(image, hint="Kazan, 1950s")
    ctx.to_dict()  # JSON

Importing this package loads no model and starts nothing; components load in
`ContextEncoder.from_default`.
"""

from context.config import ContextConfig
from context.encoder import ContextEncoder
from context.scene import SceneClassifier
from context.types import (
                           Conflict,
                           Era,
                           Evidence,
                           PlaceRef,
                           Region,
                           SceneContext,
                           SceneLabel,
                           Script,
                           SourceStatus,
                           TextLine,
)

__all__ = [
    "Conflict", "ContextConfig", "ContextEncoder", "Era", "Evidence", "PlaceRef", "Region",
    "SceneClassifier", "SceneContext", "SceneLabel", "Script", "SourceStatus", "TextLine",
]
