"""--max-pixels is judged on the page that is decoded: a multi-page TIFF whose page 1 is a small
preview (as scanners' and archives' software write it) and whose page 2, the one colorize
decodes, is over the cap passed the check made on page 1 and was decoded whole (a 64x43
preview before a 30000x20000 page: past 3 GB of memory, where the same page alone is refused
at once). Now it is refused in the words of a too-large single-page photo, and a batch goes
on to its next file. Every file is made here."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.errors import ImageTooLargeError
from colorizer.pipeline.imageio import load_image

REPO = Path(__file__).resolve().parents[1]
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main(sys.argv[1:]))"
_WIDTH_TAG, _LENGTH_TAG = 256, 257


def _preview_first_tiff(path: Path, size: tuple[int, int], preview: tuple[int, int]) -> Path:
    """A TIFF whose page 1 is a `preview`-sized copy of page 2 (`size`): deflated, so small."""
    rng = np.random.default_rng(0)
    page = Image.fromarray((rng.random((size[1], size[0])) * 255).astype(np.uint8))
    page.resize(preview).save(path, save_all=True, append_images=[page],
                              compression="tiff_adobe_deflate")
    return path


def _claim_page2_size(path: Path, width: int, height: int) -> None:
    """Rewrite page 2's width and height tags (a flipped bit in a header: the pixel data
    stays the small page's)."""
    data = bytearray(path.read_bytes())
    assert data[:4] == b"II*\x00"  # Pillow writes little-endian
    ifd = struct.unpack_from("<I", data, 4)[0]
    ifd = struct.unpack_from("<I", data, ifd + 2 + 12 * struct.unpack_from("<H", data, ifd)[0])[0]
    for entry in range(struct.unpack_from("<H", data, ifd)[0]):
        at = ifd + 2 + 12 * entry
        tag, kind = struct.unpack_from("<HH", data, at)
        if tag in (_WIDTH_TAG, _LENGTH_TAG):
            value = width if tag == _WIDTH_TAG else height
            struct.pack_into("<H" if kind == 3 else "<I", data, at + 8, value)
    path.write_bytes(bytes(data))


def _colorize(tiny_weights: Path, *args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's code
    return subprocess.run(
        [sys.executable, "-c", CLI, "colorize", "--weights", str(tiny_weights), "--device",
         "cpu", "--render-size", "64", "--no-context", "--no-exemplars", *map(str, args)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_batch_refuses_a_tiffs_page_over_the_cap_and_colorizes_the_next(tiny_weights,
                                                                          tmp_path):
    photos = tmp_path / "in"
    photos.mkdir()
    _preview_first_tiff(photos / "a_scan.tif", (1200, 1000), (40, 33))
    Image.new("L", (60, 40), 90).save(photos / "b_plain.png")
    out = tmp_path / "out"
    run = _colorize(tiny_weights, photos, "-o", out, "--max-pixels", 1_000_000)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert (f"error: {photos / 'a_scan.tif'}: image is 1200x1000 = 1,200,000 pixels (page 2 of "
            "2, the full-size one), above the limit of 1,000,000. downscale it first, or raise "
            "the limit with --max-pixels 1200000") in run.stderr
    assert sorted(p.name for p in out.glob("*.png")) == ["b_plain.png"]
    assert "1 colorized, 0 skipped (already done), 1 failed" in run.stdout


def test_the_raised_cap_colorizes_the_full_size_page(tiny_weights, tmp_path):
    scan = _preview_first_tiff(tmp_path / "scan.tif", (1200, 1000), (40, 33))
    run = _colorize(tiny_weights, scan, "-o", tmp_path / "out", "--max-pixels", 1_200_000)
    assert run.returncode == 0, run.stderr
    assert Image.open(tmp_path / "out" / "scan.png").size == (1200, 1000)


def test_the_loader_judges_the_page_it_decodes(tmp_path):
    scan = _preview_first_tiff(tmp_path / "scan.tif", (300, 200), (30, 20))
    with pytest.raises(ImageTooLargeError, match=r"image is 300x200 = 60,000 pixels \(page 2 "
                                                 r"of 2, the full-size one\), above the "
                                                 r"limit of 50,000"):
        load_image(scan, max_pixels=50_000)
    assert load_image(scan, max_pixels=60_000).size == (300, 200)


def test_a_damaged_size_on_page_2_is_called_damaged_before_any_decode(tmp_path):
    """The decompression-bomb guard (more pixels than the file's bytes can hold) is judged on
    the page decoded too: this one claims 65535x65535 in a file of a few hundred bytes."""
    scan = _preview_first_tiff(tmp_path / "scan.tif", (40, 30), (8, 6))
    _claim_page2_size(scan, 65535, 65535)
    with pytest.raises(ImageTooLargeError, match=r"image is 65535x65535 = 4,294,836,225 pixels "
                                                 r"\(page 2 of 2, the full-size one\).*its "
                                                 r"header is most likely damaged"):
        load_image(scan)


def test_check_refuses_a_tiffs_page_over_its_cap(tmp_path):
    scan = _preview_first_tiff(tmp_path / "scan.tif", (1200, 1000), (40, 33))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", CLI, "check", str(scan), "--device", "cpu",
                          "--max-pixels", "1000000"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert ("image is 1200x1000 = 1,200,000 pixels (page 2 of 2, the full-size one), above "
            "the limit of 1,000,000") in run.stderr


def _rgb_tiff(pages: list[np.ndarray]) -> bytes:
    """An uncompressed little-endian RGB TIFF of `pages` (uint8 or uint16, (H, W, 3)): Pillow
    writes no 16-bit color TIFF, so its bytes are laid out here."""
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    link = 4  # where the offset of the next IFD goes
    for pixels in pages:
        height, width, _ = pixels.shape
        bits = pixels.dtype.itemsize * 8
        bits_at = len(out)
        out += struct.pack("<3H", bits, bits, bits)
        data_at = len(out)
        out += pixels.astype(pixels.dtype.newbyteorder("<")).tobytes()
        out += b"\x00" * (len(out) % 2)
        struct.pack_into("<I", out, link, len(out))
        entries = [(256, 4, width), (257, 4, height), (258, 3, bits_at), (259, 3, 1),
                   (262, 3, 2), (273, 4, data_at), (277, 3, 3), (278, 4, height),
                   (279, 4, pixels.nbytes), (284, 3, 1)]
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            count = 3 if tag == 258 else 1  # BitsPerSample: an offset to three SHORTs
            out += struct.pack("<HHI", tag, kind, count)
            out += struct.pack("<HH", value, 0) if kind == 3 and count == 1 else \
                struct.pack("<I", value)
        link = len(out)
        out += b"\x00\x00\x00\x00"
    return bytes(out)


def test_the_depth_of_the_page_decoded_is_what_the_notes_say(tmp_path):
    """Deep color was judged on page 1 too: a 16-bit full-size page after an 8-bit preview
    was read at 8 bits in silence. Its pixels stay Pillow's 8-bit ones (the 16-bit reader
    reads page 1 only); the note now says so."""
    deep = (np.random.default_rng(0).random((30, 40, 3)) * 65535).astype(np.uint16)
    scan = tmp_path / "scan.tif"
    scan.write_bytes(_rgb_tiff([(deep[::10, ::10] >> 8).astype(np.uint8), deep]))
    loaded = load_image(scan)
    assert loaded.size == (40, 30)
    assert ("16-bit color read at 8 bits a channel (its full-size page is not its first, "
            "which the 16-bit reader reads)") in loaded.notes


def test_context_refuses_a_tiffs_page_over_its_cap(tmp_path):
    """`chronochrome context` reads through the same loader (`python -m context` has its own
    reader, which already checked the page it reads)."""
    scan = _preview_first_tiff(tmp_path / "scan.tif", (1200, 1000), (40, 33))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", CLI, "context", str(scan), "--no-embedding",
                          "--max-pixels", "1000000"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert ("image is 1200x1000 = 1,200,000 pixels (page 2 of 2, the full-size one), above "
            "the limit of 1,000,000") in run.stderr


def test_checks_report_shows_the_page_it_checked(tmp_path):
    """The report's images were read again from page 1: a 40x30 preview of the 400x300 page
    the check judged (its boxes are in that page's pixels)."""
    pixels = np.zeros((300, 400, 3), np.uint8)
    pixels[..., 0] = np.linspace(40, 220, 400)[None, :]
    pixels[..., 1] = 120
    pixels[..., 2] = np.linspace(200, 60, 300)[:, None]
    colorized = Image.fromarray(pixels)
    scan = tmp_path / "colorized.tif"
    colorized.resize((40, 30)).save(scan, save_all=True, append_images=[colorized])
    report = tmp_path / "report.html"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", CLI, "check", str(scan), "--device", "cpu",
                          "--report", str(report)], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    shown = report.read_text().split("data:image/png;base64,")[1:]
    assert shown
    for encoded in shown:
        png = base64.b64decode(encoded.split('"')[0])
        assert struct.unpack(">II", png[16:24]) == (400, 300)
