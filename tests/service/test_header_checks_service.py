"""POST /v1/jobs of a GIF, an RLE BMP or a plain-text PNM: checked without decoding them.

Intake decoded these whole only to refuse a damaged file (the worker decodes them anyway): an
8000x6000 GIF rose `chronochrome serve` 60 MB, an RLE8 BMP of that size 168 MB in 7 s, a
4000x3000 P2 PGM 93 MB in 31 s (Pillow's Python loops; measured 2026-12-07). Now their data
is walked instead (`coded_data_walks`): a GIF's LZW sub-blocks, an RLE BMP's run codes as
Pillow's decoder walks them, a plain PNM's samples. A file cut short is still refused at the
POST with the same status and reason; damage inside a GIF's LZW codes, which only a decode
finds, fails the item in the worker, with the reason the POST gave before.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from threaded_serve import served
from upload_helpers import failed_in_the_worker, post_upload, upload_app

from colorizer.apps.service.upload_lengths import data_is_whole
from colorizer.errors import ImageLoadError
from colorizer.pipeline.imageio import load_image


def _pattern(height: int, width: int) -> np.ndarray:
    """Gray bands 16 pixels wide, shifted every 8 rows: runs for RLE, little to compress."""
    y, x = np.mgrid[0:height, 0:width]
    return ((x // 16 + y // 8) % 256).astype(np.uint8)


def _noise(height: int, width: int, top: int = 256) -> np.ndarray:
    return np.random.default_rng(3).integers(0, top, (height, width), np.uint8)


def _gif(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "GIF")
    return out.getvalue()


def _rle_codes(row: np.ndarray, rle4: bool, literal: int) -> bytes:
    """One row's codes: its first `literal` pixels in absolute mode, then runs, then the
    end-of-line code."""
    codes = b""
    if literal:
        head = row[:literal]
        if rle4:
            packed = bytes((a << 4) | b for a, b in zip(head[0::2], np.r_[head[1::2], 0]))
        else:
            packed = head.tobytes()
        codes += bytes((0, literal)) + packed + b"\0" * (len(packed) % 2)
        row = row[literal:]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    lengths = np.diff(np.r_[starts, len(row)])
    values = row[starts] * 17 if rle4 else row[starts]  # RLE4: the value in both nibbles
    return codes + np.column_stack((lengths, values)).astype(np.uint8).tobytes() + b"\0\0"


def _rle_bmp(pixels: np.ndarray, rle4: bool = False, literal: int = 0) -> bytes:
    """A palette BMP compressed RLE8 (RLE4: values below 16), as Windows writes them (Pillow
    reads them but does not write them); runs at most 255 long."""
    height, width = pixels.shape
    data = b"".join(_rle_codes(row, rle4, literal) for row in pixels[::-1]) + b"\0\1"
    colors = 16 if rle4 else 256
    palette = b"".join(bytes((i * 255 // (colors - 1),) * 3 + (0,)) for i in range(colors))
    offset = 14 + 40 + len(palette)
    head = b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 4 if rle4 else 8,
                       2 if rle4 else 1, len(data), 2835, 2835, colors, 0)
    return head + info + palette + data


def _plain(pixels: np.ndarray, magic: bytes, maxval: int = 255) -> bytes:
    """A plain-text PBM (P1), PGM (P2) or PPM (P3) of `pixels` (P1: above 127 is black)."""
    height, width = pixels.shape[:2]
    if magic == b"P1":
        rows = ["".join("1" if v > 127 else "0" for v in row) for row in pixels.tolist()]
        return b"P1\n%d %d\n" % (width, height) + "\n".join(rows).encode() + b"\n"
    rows = [" ".join(map(str, row)) for row in pixels.reshape(height, -1).tolist()]
    return b"%s\n%d %d\n%d\n" % (magic, width, height, maxval) + "\n".join(rows).encode() + b"\n"


def _wholes() -> dict[str, bytes]:
    rgb = np.random.default_rng(4).integers(0, 256, (20, 30, 3), np.uint8)
    return {"smooth.gif": _gif(_pattern(61, 97)), "noisy.gif": _gif(_noise(40, 50)),
            "rle8.bmp": _rle_bmp(_pattern(61, 97)),
            "rle8_literal.bmp": _rle_bmp(_noise(40, 50), literal=21),
            "rle4.bmp": _rle_bmp(_pattern(61, 97) % 16, rle4=True),
            "rle4_literal.bmp": _rle_bmp(_noise(40, 50, 16), rle4=True, literal=21),
            "plain.pbm": _plain(_noise(40, 50), b"P1"), "plain.pgm": _plain(_noise(40, 50), b"P2"),
            "plain16.pgm": _plain(_noise(40, 50).astype(int) * 200, b"P2", 65535),
            "plain.ppm": _plain(rgb, b"P3")}


def _is_whole(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return data_is_whole(image, data)


def _decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, SyntaxError):
        return False
    return True


@pytest.mark.parametrize("name", sorted(_wholes()))
def test_a_whole_file_is_known_whole_and_a_cut_one_is_not(name):
    data = _wholes()[name]
    assert _decodes(data)
    assert _is_whole(data)  # old: False for all of these, so intake decoded them
    for share in (0.5, 0.9, 0.99):
        assert not _is_whole(data[:int(len(data) * share)]), share


def test_what_is_taken_as_whole_always_decodes():
    """Over flipped bytes anywhere in the data: never True where Pillow's decode refuses
    (for a GIF, but for its LZW codes, which only a decode reads)."""
    rng = np.random.default_rng(5)
    for name, whole in _wholes().items():
        for _ in range(40):
            data = bytearray(whole)
            at = int(rng.integers(len(data) // 4, len(data)))
            data[at] ^= int(rng.integers(1, 256))
            if _is_whole(bytes(data)) and not name.endswith(".gif"):
                assert _decodes(bytes(data)), (name, at)


def test_a_cut_file_is_still_refused_at_the_post(tmp_path, tiny_pipeline):
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        for name, whole in _wholes().items():
            for share in (0.5, 0.97):
                answer = post_upload(url, auth, name, whole[:int(len(whole) * share)],
                                     "application/octet-stream")
                body = answer.json()
                assert answer.status_code == 422 and body["reason"] == "truncated", (name, body)
                assert body["detail"].startswith(f"{name}: "), body
    assert app.state.service.store.queue_depth() == 0


def _lzw_damaged(whole: bytes) -> bytes:
    """`whole` with the first byte of its LZW codes (not a sub-block's length) whose flip
    Pillow's decode refuses."""
    with Image.open(io.BytesIO(whole)) as image:
        at = image.tile[0].offset
    lengths = set()
    while whole[at]:  # the sub-block chain: a length byte, that many bytes of codes
        lengths.add(at)
        at += 1 + whole[at]
    for flip in range(min(lengths) + 1, at):
        data = bytearray(whole)
        data[flip] ^= 0xFF
        if flip not in lengths and not _decodes(bytes(data)):
            return bytes(data)
    raise AssertionError("no flip inside the LZW codes breaks the decode")


def test_damage_inside_a_gifs_lzw_codes_fails_its_item_in_the_worker(tmp_path, tiny_pipeline):
    """Only a decode reads the codes: the POST takes it (old: 422 truncated at the POST), the
    worker fails the item with the loader's reason, as it does a URL item's."""
    data = _lzw_damaged(_gif(_noise(40, 50)))
    with pytest.raises(ImageLoadError) as refused:
        load_image(bytes(data), name="scan.gif")
    error = failed_in_the_worker(tmp_path, tiny_pipeline, "scan.gif", data, "image/gif")
    assert error["reason"] == refused.value.reason == "truncated", error
    assert error["status"] == 422 and "scan.gif" in error["detail"], error


def _megabytes(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/self/status")


@pytest.mark.slow  # 2-8 s each: a 24 MP GIF takes Pillow seconds to write
@pytest.mark.parametrize(("name", "ctype"), [("big.gif", "image/gif"),
                                             ("big.bmp", "image/bmp"),
                                             ("big.pgm", "image/x-portable-graymap")])
def test_a_big_upload_is_not_decoded_at_the_post(tmp_path, tiny_pipeline, name, ctype):
    """The serving process's peak RSS over the POST: a 6000x4000 GIF (6.1 MB) rose it 35 MB,
    now 15; an RLE8 BMP of that size (2.9 MB) 72, now 2; a 2000x1500 P2 PGM (8.3 MB) 31, now
    7 (what the request's copies of the file hold: a binary one of its size rises as much)."""
    if name.endswith(".gif"):
        data = _gif(_pattern(4000, 6000))
    elif name.endswith(".bmp"):
        data = _rle_bmp(_pattern(4000, 6000))
    else:
        data = _plain(_pattern(1500, 2000) % 100, b"P2")
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        post_upload(url, auth, "warm-up.gif", _gif(_pattern(48, 64)), "image/gif")
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        before = _megabytes("VmRSS")
        answer = post_upload(url, auth, name, data, ctype)
        rise_mb = _megabytes("VmHWM") - before
    assert answer.status_code == 202, answer.text
    assert app.state.service.store.upload(f"{answer.json()['id']}-0") == data
    assert rise_mb < 1.5 * len(data) / 2**20 + 10, (rise_mb, len(data) / 2**20)
