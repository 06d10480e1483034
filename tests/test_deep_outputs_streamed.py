"""A 16-bit master's PNG or TIFF is written to its file as it is encoded, a band of rows at a
time (deep_encode.py, staged_image.py): the bytes are the ones the whole-file encoder wrote
(kept here as the reference), saving holds a band and never the file, and the batch CLI
writes it beside its place and renames it in, leaving no temporary file and a user's file as
it was when a photo fails."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tracemalloc
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin, TiffTags

from colorizer.apps.outputs import write_files
from colorizer.pipeline import deep_encode, provenance

cv2 = pytest.importorskip("cv2")  # installed with rapidocr: reads 16-bit PNG back

XMP = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
REPO = Path(__file__).resolve().parents[1]


def _old_encode_png16(rgb16: np.ndarray, metadata_png: bytes) -> bytes:
    """deep_encode.encode_png16 as it was (HEAD before streaming): every chunk in memory."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)) & 0xFFFFFFFF))

    height, width = rgb16.shape[:2]
    before, after, seen = [], [], False
    for kind, body in deep_encode.png_chunks(metadata_png):
        if kind == b"IDAT":
            seen = True
        elif kind not in (b"IHDR", b"IEND"):
            (after if seen else before).append(chunk(kind, body))
    rows = max(1, deep_encode._BAND_BYTES // (width * 6))
    compressor, pieces = zlib.compressobj(3), []
    for top in range(0, height, rows):
        raw = rgb16[top: top + rows].astype(">u2").view(np.uint8).reshape(-1, width * 6)
        filtered = np.empty((raw.shape[0], width * 6 + 1), dtype=np.uint8)
        filtered[:, 0] = 1
        filtered[:, 1:7] = raw[:, :6]
        np.subtract(raw[:, 6:], raw[:, :-6], out=filtered[:, 7:])
        pieces.append(compressor.compress(filtered.tobytes()))
    pieces.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return b"".join([b"\x89PNG\r\n\x1a\n", chunk(b"IHDR", header), *before,
                     *(chunk(b"IDAT", p) for p in pieces if p), *after, chunk(b"IEND", b"")])


def _old_encode_tiff16(rgb16: np.ndarray, tags: TiffImagePlugin.ImageFileDirectory_v2
                       ) -> bytes:
    """deep_encode.encode_tiff16 as it was: the IFD, then every sample joined at once."""
    height, width = rgb16.shape[:2]
    stride = width * 6
    rows = max(1, min(height, deep_encode._STRIP_BYTES // stride))
    strips = (height + rows - 1) // rows
    tags[284], tags[256], tags[257], tags[258] = 1, width, height, (16, 16, 16)
    tags[277], tags[262], tags[259], tags[278] = 3, 2, 1, rows
    counts = (stride * rows,) * (strips - 1) + (stride * (height - rows * (strips - 1)),)
    for tag, values in ((279, counts), (273, tuple(range(0, stride * rows * strips,
                                                          stride * rows)))):
        tags[tag] = values
        tags.tagtype[tag] = TiffTags.LONG
    header = b"II*\x00" + struct.pack("<I", 8)
    return b"".join([header, tags.tobytes(len(header)),
                     memoryview(np.ascontiguousarray(rgb16, dtype="<u2")).cast("B")])


def _grainy(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A scan's tones: a gradient with film grain (compresses as a real master does)."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(8000, 50000, width, dtype=np.float32)[None, :, None]
    grain = rng.normal(0, 900, size=(height, width, 3)).astype(np.float32)
    return np.clip(ramp + grain, 0, 65535).astype(np.uint16)


@pytest.mark.parametrize("band_rows", [3, 1000])
def test_16bit_png_bytes_are_the_whole_file_encoders(tmp_path, monkeypatch, band_rows):
    from colorizer.pipeline.provenance import write_deep_with_xmp

    rgb = _grainy(41, 29)
    monkeypatch.setattr(deep_encode, "_BAND_BYTES", 6 * 29 * band_rows)  # several IDATs
    metadata = provenance.encode_with_xmp(Image.new("RGB", (1, 1)), "PNG", XMP)
    expected = _old_encode_png16(rgb, metadata)
    with open(tmp_path / "a.png", "wb") as handle:
        write_deep_with_xmp(rgb, "PNG", XMP, handle)
    assert (tmp_path / "a.png").read_bytes() == expected
    assert provenance.encode_deep_with_xmp(rgb, "PNG", XMP) == expected
    back = cv2.imread(str(tmp_path / "a.png"), cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert np.array_equal(back, rgb)


def test_16bit_tiff_bytes_are_the_whole_file_encoders(tmp_path, monkeypatch):
    from colorizer.pipeline.provenance import write_deep_with_xmp

    rgb = _grainy(37, 53)
    monkeypatch.setattr(deep_encode, "_STRIP_BYTES", 6 * 53 * 2)  # strips of 2 rows
    monkeypatch.setattr(deep_encode, "_TIFF_BAND_STRIPS", 3)  # bands of 6 rows
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[700] = XMP
    tags.tagtype[700] = 1  # BYTE, as provenance writes it
    whole = _old_encode_tiff16(rgb, tags)
    assert provenance.encode_deep_with_xmp(rgb, "TIFF", XMP) == whole
    with open(tmp_path / "a.tif", "wb") as handle:
        write_deep_with_xmp(rgb, "TIFF", XMP, handle)
    assert (tmp_path / "a.tif").read_bytes() == whole
    with Image.open(tmp_path / "a.tif") as image:
        assert image.size == (53, 37) and image.info["xmp"] == XMP


@pytest.fixture
def big_master(tiny_weights):
    """A colorized 16-bit master of 12 MP (a tiny model's result with mid-size pixels)."""
    from colorizer import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    small = pipe(_grainy(48, 64)[..., 0] / np.float32(65535))
    rgb16 = _grainy(3000, 4000, seed=1)  # 72 MB of samples; its PNG is ~60 MB
    return replace(small, image=Image.fromarray((rgb16 >> 8).astype(np.uint8), "RGB"),
                   image16=rgb16)


@pytest.mark.slow
def test_saving_a_16bit_master_holds_a_band_not_the_file(big_master, tmp_path):
    tmp_path = tmp_path / "saved"
    tmp_path.mkdir()
    tracemalloc.start()
    try:
        provenance.save_image(big_master, tmp_path / "master.png")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (tmp_path / "master.png").stat().st_size
    assert size > 40e6  # the file is bigger than everything held while writing it
    # Before: every compressed piece, then all of them joined: twice the file (~120 MB).
    assert peak < 40e6, f"saving held {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB file"
    back = cv2.imread(str(tmp_path / "master.png"), cv2.IMREAD_UNCHANGED)[..., ::-1]
    assert np.array_equal(back, big_master.image16)
    assert [p.name for p in tmp_path.iterdir()] == ["master.png"]  # no temporary left


def test_a_staging_error_is_raised_by_the_writer_and_leaves_nothing(tmp_path):
    from colorizer.apps.staged_image import StagedImage

    (tmp_path / "taken").write_bytes(b"a user's file")
    target = tmp_path / "taken" / "photo.png"  # its folder is a file: no temporary can go
    staged = StagedImage.write(target, lambda sink: sink.write(b"pixels"), tmp_path)
    assert isinstance(staged.error, OSError)
    with pytest.raises(OSError):
        write_files([(target, staged)])
    assert (tmp_path / "taken").read_bytes() == b"a user's file"
    # An output folder removed while the batch ran is not made again (its subfolders are).
    gone = StagedImage.write(tmp_path / "gone" / "a" / "p.png", lambda sink: None,
                             tmp_path / "gone")
    assert isinstance(gone.error, FileNotFoundError) and not (tmp_path / "gone").exists()
    target = tmp_path / "out" / "sub" / "photo.png"
    (tmp_path / "out").mkdir()
    good = StagedImage.write(target, lambda sink: sink.write(b"px"), tmp_path / "out")
    assert good.size == 2 and good.temp.parent == target.parent
    write_files([(target, good)], mode=0o644)
    assert target.read_bytes() == b"px" and os.listdir(target.parent) == ["photo.png"]
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.slow
def test_the_batch_cli_stages_16bit_outputs_and_leaves_users_files(tiny_weights, tmp_path):
    masters, out = tmp_path / "masters", tmp_path / "out"
    masters.mkdir()
    out.mkdir()
    for name in ("a", "b"):
        pixels = _grainy(300, 400, seed=ord(name))[..., 0].astype("<u2")
        Image.frombytes("I;16", (400, 300), pixels.tobytes()).save(masters / f"{name}.png")
    (out / "b.png").write_bytes(b"the user's own b.png")  # not chronochrome's: a conflict
    run = subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights", str(tiny_weights),
         "--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars",
         str(masters), "-o", str(out)],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "b.png exists and was not written by chronochrome" in (
        run.stdout + run.stderr)
    assert (out / "b.png").read_bytes() == b"the user's own b.png"
    written = cv2.imread(str(out / "a.png"), cv2.IMREAD_UNCHANGED)
    assert written.dtype == np.uint16 and written.shape == (300, 400, 3)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    with Image.open(io.BytesIO((out / "a.png").read_bytes())) as image:
        assert b"compositeWithTrainedAlgorithmicMedia" in image.info["xmp"]
