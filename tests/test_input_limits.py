"""Inputs the tool accepts keep memory bounded, and those it refuses are refused before any
pixel is decoded: a mask that is a decompression bomb or over the pixel limit, more hints than
a photo takes, masks or reference photos too large together, a hints file of megabytes, a
hint or caption the length of a book."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from colorizer.pipeline import hint_json, hint_step
from colorizer.pipeline.color_hints import Box, HintError, ReferenceHint
from colorizer.pipeline.hint_json import hints_from_json, read_color_hints
from colorizer.pipeline.text_inputs import TextInputError, check_text

REPO = Path(__file__).resolve().parents[1]


def _png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims width x height and holds no pixel data (a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize(("size", "says"), [
    ((60000, 60000), "not a readable image"),  # PIL's own bomb limit
    ((8000, 7000), "over the 50,000,000-pixel limit")])
def test_a_mask_too_large_is_refused_from_its_header(tmp_path, size, says):
    _png_header(tmp_path / "mask.png", *size)
    (tmp_path / "hints.json").write_text(json.dumps([{"mask": "mask.png", "color": "red"}]))
    with pytest.raises(HintError, match=says):
        read_color_hints(tmp_path / "hints.json")


def test_hints_are_counted_before_any_is_built():
    hints = [{"point": [1, 1], "color": "red"}] * 64 + [{"mask": "nowhere.png", "color": "red"}]
    with pytest.raises(HintError, match="65 color hints: at most 64"):
        hints_from_json(hints)


def test_masks_together_have_a_budget(tmp_path):
    Image.new("L", (8, 8), 255).save(tmp_path / "m.png")  # 64 pixels, the photo's limit
    hints = [{"mask": "m.png", "color": "red"}] * 4  # 4 x 64: the most all masks may hold
    assert len(hints_from_json(hints, tmp_path, max_pixels=64)) == 4
    with pytest.raises(HintError, match="color hint 5: the masks hold 320 pixels in all, over "
                                        "4 x the 64-pixel limit"):
        hints_from_json([*hints, {"mask": "m.png", "color": "blue"}], tmp_path, max_pixels=64)


def test_a_hints_file_of_megabytes_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(hint_json, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.json").write_text(json.dumps([{"point": [1, 1], "color": "red"}] * 40))
    with pytest.raises(HintError, match="big.json: over 0 MiB; 64 hints never need"):
        read_color_hints(tmp_path / "big.json")


def test_reference_photos_together_have_a_budget():
    photo = Image.new("RGB", (30, 30), (200, 40, 30))  # 900 pixels each; the limit 1,000
    hints = [ReferenceHint(Box(0, 0, 5, 5), photo) for _ in range(3)]
    assert len(hint_step.load_references(hints[:2], max_pixels=1000)) == 2
    with pytest.raises(HintError, match=r"color hint 3 .*hold 2,700 pixels in all, over 2 x"):
        hint_step.load_references(hints, max_pixels=1000)


def test_a_hint_or_caption_the_length_of_a_book_is_refused():
    check_text(hints="x" * 500, caption="y" * 2000)
    with pytest.raises(TextInputError, match="hints: 501 characters; at most 500"):
        check_text(hints="x" * 501)
    with pytest.raises(TextInputError, match="caption: 2,001 characters; at most 2,000"):
        check_text(caption="y" * 2001)


def test_the_cli_refuses_them_before_any_photo(tmp_path):
    Image.new("L", (32, 24), 120).save(tmp_path / "p.png")
    _png_header(tmp_path / "bomb.png", 60000, 60000)
    (tmp_path / "hints.json").write_text(json.dumps([{"mask": "bomb.png", "color": "red"}]))
    for args, says in ((["--color-hints", str(tmp_path / "hints.json")], "not a readable image"),
                       (["--hint", "x" * 600], "hints: 600 characters")):
        done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "colorize",
                               str(tmp_path / "p.png"), "-o", str(tmp_path / "out"), *args],
                              cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "out").exists()
