"""Writing a colorization to disk: the one output path of the batch CLI and the HTTP service.

What is written, next to the image `<stem><suffix>`:
- the image itself, encoded with provenance XMP (and C2PA-signed when a `Signer` is given);
- with `provenance_source` (the service): `<stem>.provenance.json`, the provenance record;
- with `report` (the batch CLI's --report): `<stem>.json` (the result, shareable: files by
  name, without local folders, URLs without tokens; `c2pa_signed` says whether the image
  carries a signed C2PA manifest), `<stem>.uncertainty.png`,
  when exemplars guided the colors `<stem>.exemplars.png`, and with color hints
  `<stem>.regions.png` (where each region's color came from; ids as in the JSON).

How it is written, so that a crash never leaves half a file: every file first goes to a fsynced
temporary name next to its target (`.<name>.<random>.tmp`), then is renamed into place (each
rename atomic). The service stages the files and publishes them inside the transaction that
records the item; the batch CLI publishes at once (`write_files`). Both stage the image while
it is encoded, and sign it from that file (`stage_under`, staged_image.py: a 16-bit master's
PNG is never whole in memory).

Formats come from one table, `IMAGE_FORMATS` in `colorizer.pipeline.provenance`. A photo with
more than 8 bits a channel (a 16-bit master) is written at 16 bits in PNG and TIFF unless
`bit_depth=8`; in JPEG and WebP at 8, with a note (`EncodedOutputs.notes`, logged as a warning).

    outputs = encode_outputs(result, outdir / "photo.png", "png", report=True)
    write_files(outputs.files)
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from PIL import Image

from colorizer.apps.staged_image import StagedImage, discard_staged
from colorizer.pipeline.provenance import (
    IMAGE_FORMATS,
    context_summary,
    encode_image,
    normalize_format,
    output_bits,
    plausibility_notes,
    provenance_record,
    write_image,
)
from colorizer.pipeline.result import ColorizationResult

# (where the file goes, its bytes or, with `stage_under`, the image already staged beside it)
FileData = tuple[Path, bytes | StagedImage]
logger = logging.getLogger(__name__)


class Signer(Protocol):
    """Signs an encoded image (`colorizer.apps.c2pa_signing.C2paSigner`); a failure raises
    (a ChronochromeError naming why), and that photo writes nothing."""

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        """`data` with a signed manifest embedded; `record` is the unsigned provenance record."""
        ...

    def sign_file(self, source: Path, dest: BinaryIO, mime: str, record: dict[str, Any],
                  title: str) -> None:
        """`sign`, from the file `source` into `dest` (open w+b), neither held in memory."""
        ...


def image_suffix(fmt: str) -> str:
    """'.png', '.jpg', '.tif' or '.webp' for a format name (aliases such as 'jpeg' allowed)."""
    return IMAGE_FORMATS[normalize_format(fmt)][1]


def image_mime(fmt: str) -> str:
    """The MIME type of a format name (aliases such as 'jpeg' allowed)."""
    return IMAGE_FORMATS[normalize_format(fmt)][2]


@dataclass
class EncodedOutputs:
    """Everything one colorization writes, encoded and not yet on disk."""

    image_path: Path
    image: bytes | StagedImage  # XMP embedded, signed with a signer; staged: `stage_under`
    mime: str
    record: dict[str, Any] | None = None  # the provenance record, when one was asked for
    record_path: Path | None = None
    files: list[FileData] = field(default_factory=list)  # the image first
    bits_per_channel: int = 8  # 16 for a 16-bit input written as PNG or TIFF
    notes: list[str] = field(default_factory=list)  # what the image does not keep, and why


def encode_outputs(result: ColorizationResult, image_path: Path, fmt: str, *,
                   report: bool = False, provenance_source: dict[str, Any] | None = None,
                   signer: Signer | None = None, bit_depth: int | None = None,
                   stage_under: Path | None = None) -> EncodedOutputs:
    """Encode the image and the files written beside it (see the module docstring).
    `bit_depth`: None (as the input: 16 bits for a 16-bit master in PNG and TIFF) or 8.
    `stage_under` (the batch CLI's OUTDIR, the service's results folder): the image is
    written beside its target as it is encoded (staged_image.py), and signed from that file,
    never whole in memory."""
    mime = image_mime(fmt)
    bits, note = output_bits(result, fmt, bit_depth)
    image: bytes | StagedImage
    if stage_under is not None:
        image = _stage_image(result, image_path, fmt, stage_under, signer, provenance_source,
                             bit_depth)
    else:
        image = encode_image(result, fmt, bit_depth=bit_depth, source=provenance_source)
        if signer is not None:
            unsigned = provenance_record(result, output=image, output_format=fmt,
                                         source=provenance_source, bit_depth=bit_depth)
            image = signer.sign(image, mime, unsigned, title=image_path.name)
    out = EncodedOutputs(image_path, image, mime, files=[(image_path, image)],
                         bits_per_channel=bits, notes=[note] if note else [])
    if note:
        logger.warning("%s: %s", image_path.name, note)
    if provenance_source is not None:
        out.record = _signed_record(result, image, fmt, provenance_source, signer is not None,
                                    bit_depth)
        out.record_path = _beside(image_path, ".provenance.json")
        out.files.append((out.record_path, json_bytes(out.record, indent=1)))
    if report:
        try:
            out.files += _report_files(result, image_path, signed=signer is not None)
        except BaseException:
            discard_staged(out.files)
            raise
    return out


def _stage_image(result: ColorizationResult, image_path: Path, fmt: str, root: Path,
                 signer: Signer | None, source: dict[str, Any] | None,
                 bit_depth: int | None) -> StagedImage:
    """The image staged beside `image_path` as it is encoded; with a signer, signed from that
    file into a second one (C2PA's library reads and writes files a piece at a time), the
    unsigned one removed. A write error is kept in the StagedImage, as unsigned."""
    image = StagedImage.write(image_path, lambda sink: write_image(
        result, fmt, sink, bit_depth=bit_depth, source=source), root)
    if signer is None or image.temp is None:
        return image
    try:
        unsigned, written = provenance_record(result, output=image, output_format=fmt,
                                              source=source, bit_depth=bit_depth), image.temp
        return StagedImage.write(image_path, lambda dest: signer.sign_file(
            written, dest, image_mime(fmt), unsigned, image_path.name), root, seekable=True)
    finally:
        image.discard()


def _signed_record(result: ColorizationResult, image: bytes | StagedImage, fmt: str,
                   source: dict[str, Any] | None, signed: bool,
                   bit_depth: int | None = None) -> dict[str, Any]:
    """The provenance record of the final bytes, with the notes IIIF viewers show."""
    record = provenance_record(result, output=image, output_format=fmt, source=source,
                               bit_depth=bit_depth)
    record["c2pa_signed"] = signed
    record["context_summary"] = context_summary(record)
    record["plausibility"] = plausibility_notes(record)
    return record


def _report_files(result: ColorizationResult, image_path: Path,
                  signed: bool = False) -> list[FileData]:
    """The result as JSON, its uncertainty map and, when exemplars guided it, their panel."""
    # Shareable: the report is what people send to colleagues (no local folders, no tokens).
    # `c2pa_signed` as in the service's provenance record: an archive that publishes only
    # signed files checks each photo's outcome here.
    report = {**result.to_dict(shareable=True), "c2pa_signed": signed}
    files = [(image_path.with_suffix(".json"), json_bytes(report, indent=2) + b"\n"),
             (_beside(image_path, ".uncertainty.png"), _png(result.uncertainty_image()))]
    panel = result.exemplar_image()
    if panel is not None:
        files.append((_beside(image_path, ".exemplars.png"), _png(panel)))
    regions = result.color_regions
    if regions is not None and any(r.kind == "hint" for r in regions.regions):
        files.append((_beside(image_path, ".regions.png"), _png(regions.image())))
    return files


def json_bytes(data: Any, indent: int) -> bytes:
    """`data` as UTF-8 JSON. A file name that is not UTF-8 (a Latin-1 or cp866 name from an
    old disk) is held as escaped surrogates, which UTF-8 cannot encode (the photo failed with
    a UnicodeEncodeError): then JSON's \\u escapes keep it exactly, as json.loads reads it."""
    try:
        return json.dumps(data, indent=indent, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, indent=indent).encode("ascii")


def _beside(image_path: Path, ending: str) -> Path:
    return image_path.with_name(f"{image_path.stem}{ending}")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class StagedFiles:
    """Files written to fsynced temporary names next to their targets, not yet in place."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []  # (temporary file, target)

    @classmethod
    def stage(cls, files: Iterable[FileData], mode: int | None = None) -> StagedFiles:
        """Stage every file, or none: a failure removes what was staged before it. `mode`:
        the permissions (default 0600, private)."""
        staged = cls()
        try:
            for path, data in files:
                staged.pending.append((stage_file(path, data, mode), path))
        except BaseException:
            staged.discard()
            raise
        return staged

    def publish(self) -> None:
        """Move the staged files into place (each rename atomic: never half a file)."""
        while self.pending:
            tmp, path = self.pending[0]
            os.replace(tmp, path)
            self.pending.pop(0)

    def discard(self) -> None:
        """Remove staged files that were not published."""
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending.clear()


def write_files(files: Iterable[FileData], mode: int | None = None) -> list[Path]:
    """Stage and publish `files` now; returns their paths. A failure leaves no temporary file.
    `mode`: the files' permissions (`default_file_mode()` for what the umask gives)."""
    files = list(files)
    staged = StagedFiles.stage(files, mode)
    try:
        staged.publish()
    finally:
        staged.discard()  # whatever a failed rename left behind
    return [path for path, _ in files]


def stage_file(path: Path, data: bytes | StagedImage, mode: int | None = None) -> Path:
    """Write `data` to a fsynced temporary file next to `path`; returns its path. The file is
    private (0600, as mkstemp makes it) unless `mode` is given."""
    if isinstance(data, StagedImage):  # written and fsynced as it was encoded
        return data.adopt(mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def default_file_mode() -> int:
    """0666 less the process's umask: the permissions `open()` would give a new file."""
    try:  # Linux: read without changing it (os.umask both sets and returns it)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def remove_stale_temp_files(folder: Path, older_than: float) -> int:
    """Temporary files left by a killed writer (never renamed, so never an output)."""
    cutoff, removed = time.time() - older_than, 0
    for path in folder.glob(".*.tmp"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
