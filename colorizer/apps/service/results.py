"""An item's result files in `results/`: `<item id>.<ext>` and `<item id>.provenance.json`,
written through the one output writer (`colorizer.apps.outputs`), timed, and described the way
`JobStore.complete` and `JobStore.add_done_job` record them.

The image is written to its temporary name beside its place as it is encoded, and C2PA-signed
from that file into another (`encode_outputs(stage_under=...)`, staged_image.py): held as bytes
from the encoder to the writer, a 100 MP scan's 16-bit PNG (500 MB) or TIFF (650 MB) was the top
of the worker's memory peak. It reaches its name only inside the store's transaction (or never),
so a half-written result is never served."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colorizer.apps.outputs import Signer, StagedFiles, encode_outputs, image_suffix
from colorizer.apps.staged_image import StagedImage
from colorizer.pipeline.result import ColorizationResult


@dataclass
class ItemOutputs:
    """An item's encoded outputs and their files, staged or already in place."""

    image_path: Path
    image_file: StagedImage  # as written: XMP embedded, C2PA-signed with a signer
    mime: str
    record: dict[str, Any]  # the provenance record written beside the image
    record_path: Path
    staged: StagedFiles  # empty once published
    timings: dict[str, float]  # the item's stage timings, "encode" and "write" included

    def completion(self) -> dict[str, Any]:
        """What the store records for a done item."""
        return {"result_file": self.image_path.name,
                "result_sha256": self.record["output"]["sha256"],
                "provenance_file": self.record_path.name, "timings": self.timings}

    @property
    def image(self) -> bytes:
        """The image's bytes, read from its file once published: for POST /v1/colorize,
        which answers with them (a small image: `sync_max_pixels`), never for a job's item."""
        return self.image_path.read_bytes()


def write_item_outputs(result: ColorizationResult, fmt: str, item_id: str, results_dir: Path,
                       source_info: dict[str, Any], signer: Signer | None,
                       timings: dict[str, float], publish: bool = True,
                       bit_depth: int | None = None) -> ItemOutputs:
    """Encode with XMP (and C2PA) into the image's fsynced temporary file, stage its provenance
    record beside it and, with `publish`, move them into place.

    `publish=False` leaves them for `staged.publish()` (inside the store's transaction) or
    `staged.discard()`. `timings` gains "encode" (the image, written as it is encoded) and
    "write" (the record, and both renamed in). A 16-bit input's PNG or TIFF is 16 bits a
    channel unless `bit_depth=8` (the record's output.bits_per_channel says which). A full or
    read-only disk raises its OSError, nothing left behind.
    """
    clock = time.perf_counter()
    encoded = encode_outputs(result, results_dir / f"{item_id}{image_suffix(fmt)}", fmt,
                             provenance_source=source_info, signer=signer,
                             bit_depth=bit_depth, stage_under=results_dir)
    image = encoded.image
    assert isinstance(image, StagedImage)  # stage_under was given
    timings["encode"] = time.perf_counter() - clock
    clock = time.perf_counter()
    try:
        staged = StagedFiles.stage(encoded.files)  # raises the image's own write error
        if publish:
            staged.publish()
    finally:
        image.discard()  # unless the writer took it
    timings["write"] = time.perf_counter() - clock
    # provenance_source was given, so the record is there
    assert encoded.record is not None and encoded.record_path is not None
    return ItemOutputs(encoded.image_path, image, encoded.mime, encoded.record,
                       encoded.record_path, staged, timings)
