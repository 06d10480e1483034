"""Plain-text PNM (P1, P2, P3) decoded by numpy (colorizer/pipeline/plain_pnm.py): the pixels
Pillow's own per-number decoder gives, bit for bit, odd files included, and the same refusal
(its reason word for word) where Pillow refuses one."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest
from PIL import Image, ImageFile

from colorizer.errors import TruncatedImageError
from colorizer.pipeline import plain_pnm
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.plain_pnm import use_plain_decoder


def _decode(data: bytes, fast: bool) -> tuple[str, np.ndarray | None, str | None]:
    """(mode, pixels, None) or (mode, None, the error) for `data` by either decoder."""
    with Image.open(io.BytesIO(data)) as image:
        if fast:
            assert use_plain_decoder(image)
            assert image.tile[0].codec_name != "ppm_plain"
        try:
            image.load()
        except (ValueError, OSError) as exc:
            return image.mode, None, f"{type(exc).__name__}: {exc}"
        return image.mode, np.asarray(image).copy(), None


def _assert_as_pillow(data: bytes) -> None:
    mode, pixels, error = _decode(data, fast=True)
    pillows_mode, pillows_pixels, pillows_error = _decode(data, fast=False)
    assert (mode, error) == (pillows_mode, pillows_error)
    if pillows_pixels is not None:
        assert pixels is not None and pixels.dtype == pillows_pixels.dtype
        np.testing.assert_array_equal(pixels, pillows_pixels)


def _plain(magic: str, width: int, height: int, maxval: int | None, seed: int = 0,
           line_end: bytes = b"\n", per_line: int = 7, comment_every: int = 0) -> bytes:
    """A plain PNM with random samples (the ties of the scaling first), `per_line` a line,
    a comment after every `comment_every`-th sample when given."""
    bands = 3 if magic == "P3" else 1
    top = 1 if maxval is None else maxval
    values = np.random.default_rng(seed).integers(0, top + 1, width * height * bands)
    values[:4] = [0, top, top // 2, (top + 1) // 2][: values.size]
    header = [magic.encode(), f"{width} {height}".encode()]
    if line_end in (b"\n", b"\r\n", b"\r"):  # (else the comment runs on to the file's end)
        header.insert(1, b"# a comment in the header")
    header += [] if maxval is None else [str(maxval).encode()]
    words = [str(v).encode() for v in values]
    if comment_every:
        words = [w + (b" #c 1 2" + line_end if i % comment_every == 0 else b"")
                 for i, w in enumerate(words)]
    lines = [b" ".join(words[i:i + per_line]) for i in range(0, len(words), per_line)]
    return line_end.join(header + lines) + line_end


@pytest.mark.parametrize(("magic", "maxval"), [
    ("P2", 255), ("P2", 1), ("P2", 100), ("P2", 1000), ("P2", 4095), ("P2", 65535),
    ("P3", 255), ("P3", 1), ("P3", 1000), ("P3", 4095), ("P3", 65535), ("P1", None)])
@pytest.mark.parametrize("width", [1, 7, 37, 64])
def test_the_pixels_are_pillows_own(magic, maxval, width):
    _assert_as_pillow(_plain(magic, width, 23, maxval, seed=width))


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r", b"\t", b"\x0b", b"\x0c"])
@pytest.mark.parametrize("magic", ["P1", "P2", "P3"])
def test_comments_between_samples_and_any_line_end(magic, line_end):
    maxval = None if magic == "P1" else 1000
    _assert_as_pillow(_plain(magic, 29, 11, maxval, line_end=line_end, comment_every=5))


@pytest.mark.parametrize("body", [
    b"1 2 3 4 5 6",  # no white space at the end
    b"1 2 3 4 5 6 junk_after_the_last_sample",  # a long word after the pixels, Pillow refuses
    b"1 2 3 4 5 6 7 8 9 999 -1 abc",  # past the last sample: not read
    b"1 2#x\n3 4 5 6\n",  # a comment glued to a number joins it to the next: 23
    b"1 2 3 4 5 6#",  # a comment the file ends in
    b"+1 2 0_3 4 5 6\n",  # what Python's int() takes
    b"1 2 3 -4 5 6\n", b"1 2 3 4 5 a\n", b"1 2 12345678901 4 5 6\n",
    b"1 2 3 1001 5 6\n", b"1 2 3\n", b"", b"00000000001 2 3 4 5 6\n", b"0000000001 2 3 4 5 6\n",
    b"1\x002 3 4 5 6\n", b"1 2 3 4 5 6 7 8 9 10 11 12 99999999999999\n"])
def test_odd_text_decodes_or_fails_as_with_pillow(body):
    _assert_as_pillow(b"P2 3 2 1000\n" + body)
    _assert_as_pillow(b"P3 1 2 1000\n" + body)


@pytest.mark.parametrize("body", [b"0 1 0\n1 1 0\n", b"010110", b"01#x\n0110", b"0101", b"01012",
                                  b"010110 2", b"010110\n# end", b"01 01 10 x"])
def test_odd_bitmaps_decode_or_fail_as_with_pillow(body):
    _assert_as_pillow(b"P1 3 2\n" + body)


@pytest.mark.parametrize("seed", range(40))
def test_random_files_read_in_tiny_blocks_as_with_pillow(monkeypatch, seed):
    """Tiny blocks and pieces put numbers, comments and CR/LF pairs across every boundary
    (Pillow's quirks there included); now and then a stray word, a file cut short."""
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(ImageFile, "SAFEBLOCK", int(rng.integers(1, 12)))
    monkeypatch.setattr(plain_pnm, "_PIECE", int(rng.integers(1, 9)))
    magic = ("P1", "P2", "P3")[seed % 3]
    maxval = None if magic == "P1" else int(rng.choice([1, 255, 1000, 65535]))
    data = _plain(magic, int(rng.integers(1, 30)), int(rng.integers(1, 9)), maxval, seed,
                  line_end=(b"\n", b"\r\n", b"\r")[seed % 3], per_line=int(rng.integers(1, 9)),
                  comment_every=int(rng.choice([0, 3, 11])))
    if seed % 4 == 1:
        data = data[: int(rng.integers(len(data) // 2, len(data)))]  # cut short
    if seed % 5 == 2:
        at = int(rng.integers(20, len(data)))
        data = data[:at] + rng.choice([b" 7 ", b"x", b" +3 ", b"1", b"#\r", b"\n#a"]) + data[at:]
    _assert_as_pillow(data)


def test_a_large_file_across_pillows_blocks_is_pillows_own():
    """3.5 MB of text: numbers, comments and CR LF across Pillow's 1 MB blocks."""
    data = _plain("P3", 601, 400, 4095, line_end=b"\r\n", per_line=13, comment_every=997)
    assert len(data) > 3 * ImageFile.SAFEBLOCK
    _assert_as_pillow(data)


@pytest.mark.parametrize("magic", ["P1", "P2", "P3"])
def test_the_loader_takes_the_numpy_decoder_for_a_plain_file(tmp_path, monkeypatch, magic):
    """`load_image` of a file registers and uses our decoder; its pixels are those of the
    loader given the opened image (which decodes with Pillow's own, as it always did)."""
    maxval = {"P1": None, "P2": 1000, "P3": 255}[magic]  # (a deeper P3 is read again, by OpenCV)
    path = tmp_path / "scan.pnm"
    path.write_bytes(_plain(magic, 40, 30, maxval))
    monkeypatch.delitem(Image.DECODERS, plain_pnm._NAME, raising=False)
    loaded = load_image(path)
    assert Image.DECODERS[plain_pnm._NAME] is plain_pnm.FastPlainPnmDecoder
    with Image.open(path) as image:
        by_pillow = load_image(image)
    assert image.tile == [] and loaded.notes == by_pillow.notes
    np.testing.assert_array_equal(loaded.pixels, by_pillow.pixels)


def test_other_files_keep_pillows_decoder():
    for data in (b"P5 2 1 255\n\x00\x01", b"P6 1 1 255\n\x00\x01\x02"):
        with Image.open(io.BytesIO(data)) as binary:
            tile = binary.tile
            assert not use_plain_decoder(binary)
            assert binary.tile == tile


@pytest.mark.parametrize("cut", [1, 5, 3001])
def test_a_file_cut_short_is_refused_with_pillows_reason(tmp_path, cut):
    path = tmp_path / "cut.pgm"
    path.write_bytes(_plain("P2", 64, 48, 255)[:-cut].rsplit(None, 1)[0])  # samples missing
    with pytest.raises(TruncatedImageError, match=r"ends early or is corrupt \(not enough image"):
        load_image(path)


@pytest.mark.parametrize(("magic", "maxval", "bytes_a_sample"), [
    ("P2", 255, 1), ("P2", 65535, 4), ("P3", 1000, 1), ("P1", None, 1)])
def test_memory_stays_near_the_pixels_size(magic, maxval, bytes_a_sample):
    """1.2 MP of text: the numbers are never held as Python objects (Pillow's decoder holds
    a list of one bytes object per number of a 1 MB block: 21-49 MB here, traced)."""
    data = _plain(magic, 1200, 1000, maxval, per_line=20)
    with Image.open(io.BytesIO(data)) as image:
        assert use_plain_decoder(image)
        tracemalloc.start()
        try:
            image.load()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    output = 1200 * 1000 * len(image.getbands()) * bytes_a_sample
    assert peak < 2 * output + 2 * ImageFile.SAFEBLOCK + 4_000_000, peak  # (2: bytes of it)
