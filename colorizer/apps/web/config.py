"""`WebConfig`: the one frozen config of the workbench (`chronochrome web`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WebConfig:
    # Photos kept in memory (their bytes, the last colorization at display size and its
    # full-size output for the download: 4 bytes a pixel as PIL holds RGB, 6 for a 16-bit
    # master); the least recently used one is dropped first when there are more than
    # `max_photos` or they hold more than `max_memory_bytes` (eight 108 MP scans held 3.5 GB):
    # a long session never grows without bound. The newest photo is always kept.
    max_photos: int = 8
    max_memory_bytes: int = 2_000_000_000
    max_upload_bytes: int = 40_000_000  # an upload or a fetched original, bytes
    max_pixels: int = 50_000_000  # the pipeline's own cap on a photo's pixels
    display_side: int = 1600  # long side (px) of the images the page shows
    # Opening a server-side path or a job of the service reads files and URLs chosen by the
    # person at the page: only for a workbench on this machine (`chronochrome web` on a
    # loopback address sets it), and only inside `path_roots`.
    local: bool = False
    path_roots: tuple[Path, ...] = field(default_factory=tuple)
    fetch_timeout: float = 20.0  # seconds for one request to the HTTP service

    def __post_init__(self) -> None:
        if self.max_photos < 1:
            raise ValueError(f"max_photos must be >= 1, got {self.max_photos}")
        if self.max_memory_bytes < 1 or self.max_upload_bytes < 1:
            raise ValueError("max_memory_bytes and max_upload_bytes must be positive, got "
                             f"{self.max_memory_bytes} and {self.max_upload_bytes}")
        if self.display_side < 64:
            raise ValueError(f"display_side must be >= 64 px, got {self.display_side}")
        object.__setattr__(self, "path_roots", tuple(Path(p).resolve() for p in self.path_roots))
