"""`PipelineSpec`: how to build a pipeline, as plain values a worker on another machine can
receive (colorizer.apps.engines, colorizer.apps.ray_engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from colorizer.pipeline.colorization import ColorizationPipeline
    from retrieval.retriever import RetrieverConfig


@dataclass(frozen=True)
class PipelineSpec:
    """How to build the pipeline: what a worker on another machine needs to build the same
    one (weights by path, so every node must see them at that path, as the inputs)."""

    weights: Path | None = None  # a save_pretrained folder; None: the embedded weights
    device: str = "auto"
    context: bool = True  # context inference (OCR, hints, scene cues)
    exemplars: bool = True  # exemplar retrieval from the default library
    precision: str = "auto"
    compile: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # PipelineConfig overrides
    # Photos per generator pass (the batch's --batch-size); None: the runner's default, 16.
    # Not a setting of the colors: a photo's colors in a pass equal its colors alone.
    max_batch: int | None = None
    library: Path | None = None  # --library: the exemplar library folder; None: the default

    def __post_init__(self) -> None:
        if self.library is not None:  # a folder that cannot serve: told once, before any photo
            from retrieval.library import check_library_option

            check_library_option(self.library, self.exemplars)
            # Absolute, as the outputs' fingerprint records it: a run from another
            # folder with the same relative path searches another library.
            object.__setattr__(self, "library", Path(self.library).resolve())

    def retriever_config(self) -> RetrieverConfig | None:
        from retrieval.retriever import RetrieverConfig

        return RetrieverConfig(library=str(self.library)) if self.library else None

    def build(self, device: str | None = None) -> ColorizationPipeline:
        from colorizer.pipeline.colorization import ColorizationPipeline

        pipe = ColorizationPipeline.from_pretrained(
            self.weights, device=device or self.device, context=self.context,
            exemplars=self.exemplars, retriever_config=self.retriever_config(),
            precision=self.precision, **self.settings)
        if self.max_batch is not None:
            pipe.runner.max_batch = self.max_batch
        if self.compile:
            pipe.compile()
        return pipe
