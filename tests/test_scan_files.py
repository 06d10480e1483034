"""A folder of real-world scans as an archive's drive holds them: JPEG data damaged in ways
libjpeg decodes anyway, multi-page TIFFs with a preview page, files named for another format,
and an array given to the Python API. Each is colorized with a note that says what was read,
through the loader and the CLI (a real subprocess) alike."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import FLAGS
from PIL import Image, TiffImagePlugin

from colorizer.pipeline.array_input import load_array
from colorizer.pipeline.imageio import load_image, shown_notes
from colorizer.pipeline.jpeg_damage import jpeg_damage_note
from colorizer.pipeline.tint_note import SEVERAL_HUES_NOTE


def _photo(width: int = 256, height: int = 192, seed: int = 5) -> Image.Image:
    """A gray photo-like picture: gradients, a few shapes, seeded grain."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    values = 40 + 150 * x / width + 30 * np.sin(y / 9.0) + rng.normal(0, 10, (height, width))
    values[height // 3: height // 2, width // 4: width // 2] = 230
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **{"quality": 90, **options})
    return out.getvalue()


def _cut_and_closed(data: bytes, share: float = 0.6) -> bytes:
    """A copy cut short that a recovery tool closed again with the end marker."""
    return data[: int(len(data) * share)] + b"\xff\xd9"


def _cli(weights: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights", str(weights),
         *FLAGS, *map(str, args)], capture_output=True, text=True, timeout=300, check=False)


def test_a_jpeg_cut_short_and_closed_again_is_colorized_with_a_note(tiny_weights, tmp_path):
    folder, out = tmp_path / "scans", tmp_path / "out"
    folder.mkdir()
    (folder / "cut.jpg").write_bytes(_cut_and_closed(_jpeg(_photo())))
    (folder / "whole.jpg").write_bytes(_jpeg(_photo(seed=6)))
    run = _cli(tiny_weights, folder, "-o", out, "--report")
    assert run.returncode == 0, run.stderr
    shown = [line for line in run.stderr.splitlines() if line.startswith("note: ")]
    assert any(f"{folder / 'cut.jpg'}: JPEG data damaged: its image data ends early, at "
               "about row" in line and "of 192" in line for line in shown), run.stderr
    assert not any("whole.jpg" in line and "damaged" in line for line in shown)
    assert Image.open(out / "cut.png").size == (256, 192)  # still colorized, whole size
    notes = json.loads((out / "cut.json").read_text())["input"]["notes"]
    assert any(note.startswith("JPEG data damaged: its image data ends early") for note in notes)
    assert json.loads((out / "whole.json").read_text())["input"]["notes"] == []


def test_the_note_says_where_the_data_ends():
    note = jpeg_damage_note(_cut_and_closed(_jpeg(_photo(width=64, height=400)), 0.5))
    row = int(note.split("about row ")[1].split(" of 400")[0])
    assert 120 <= row <= 280, note  # half the data: about half the rows
    assert "the lower" in note and "gray" in note


def test_bytes_overwritten_mid_file_get_a_note():
    data = bytearray(_jpeg(_photo()))
    at, rnd = len(data) // 2, random.Random(3)
    data[at:at + 200] = bytes(rnd.randrange(256) for _ in range(200))
    loaded = load_image(bytes(data), name="rot.jpg")
    assert loaded.size == (256, 192)
    assert [n for n in shown_notes(loaded.notes) if n.startswith("JPEG data damaged")], (
        loaded.notes)


def test_a_progressive_jpeg_cut_between_scans_gets_a_note():
    data = _jpeg(_photo(), progressive=True)
    last_scan = data.rfind(b"\xff\xda")
    loaded = load_image(data[:last_scan] + b"\xff\xd9", name="prog.jpg")
    assert any("its scans stop before the last one" in note for note in loaded.notes)


def test_a_skipped_restart_marker_gets_a_note():
    data = bytearray(_jpeg(_photo(), restart_marker_rows=1))
    third = data.find(b"\xff\xd2")
    data[third + 1] = 0xD4  # RST2 read as RST4: a flipped bit
    loaded = load_image(bytes(data), name="rst.jpg")
    assert any("restart markers break off" in note for note in loaded.notes), loaded.notes


@pytest.mark.parametrize("options", [
    {}, {"progressive": True}, {"restart_marker_rows": 2}, {"subsampling": 0},
    {"subsampling": 2}, {"quality": 30}, {"optimize": True}])
@pytest.mark.parametrize("size", [(256, 192), (1, 1), (17, 9), (640, 16), (9, 500)])
def test_whole_jpegs_get_no_damage_note(options, size):
    image = _photo(*size).convert("RGB") if "subsampling" in options else _photo(*size)
    data = _jpeg(image, **options)
    assert jpeg_damage_note(data) is None
    assert not any("damaged" in note for note in load_image(data).notes)


def test_a_tiff_whose_first_page_is_a_thumbnail_gives_the_full_scan(tiny_weights, tmp_path):
    folder, out = tmp_path / "scans", tmp_path / "out"
    folder.mkdir()
    scan = _photo(320, 240)
    thumb = scan.resize((64, 48))
    thumb.save(folder / "scan.tif", save_all=True, append_images=[scan])
    loaded = load_image(folder / "scan.tif")
    assert loaded.size == (320, 240) and loaded.frames == 2
    assert loaded.notes[0] == ("page 2 of 2 used, the full-size one (320x240); page 1 (64x48) "
                               "is a preview of it, left out")
    run = _cli(tiny_weights, folder, "-o", out)
    assert run.returncode == 0, run.stderr
    assert Image.open(out / "scan.png").size == (320, 240)  # was the 64 x 48 thumbnail
    assert "scan.tif: page 2 of 2 used, the full-size one" in run.stderr


def test_a_tiff_of_two_photos_names_the_page_left_out(tmp_path):
    path = tmp_path / "album.tif"
    _photo(200, 150).save(path, save_all=True, append_images=[_photo(150, 200, seed=9)])
    loaded = load_image(path)
    assert loaded.size == (200, 150)
    assert shown_notes(loaded.notes) == [(
        "first of 2 frames used; page 2 (150x200) not colorized: split the pages into files "
        "to colorize each (libtiff's `tiffsplit FILE`, or ImageMagick's `magick FILE "
        "page-%d.tif`)")]


def test_a_page_marked_reduced_resolution_is_never_the_one_used(tmp_path):
    # A preview marked NewSubfileType 1 loses to the scan even where it is not smaller.
    path = tmp_path / "marked.tif"
    preview = TiffImagePlugin.ImageFileDirectory_v2()
    preview[254] = 1
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as pages:  # own tags each
        _photo(120, 90, seed=1).save(pages, "TIFF", tiffinfo=preview)
        pages.newFrame()
        _photo(100, 80).save(pages, "TIFF")
    with Image.open(path) as check:
        assert check.tag_v2.get(254) == 1 and check.n_frames == 2
        check.seek(1)
        assert check.tag_v2.get(254) in (None, 0)
    loaded = load_image(path)
    assert loaded.size == (100, 80)
    assert loaded.notes[0].startswith("page 2 of 2 used, the full-size one (100x80); page 1")


@pytest.mark.parametrize(("name", "fmt", "said"), [
    ("png_inside.jpg", "PNG", ("a PNG file named .jpg: read as PNG by its contents (rename "
                               "it png_inside.png for tools that go by the suffix)")),
    ("tiff_inside.png", "TIFF", ("a TIFF file named .png: read as TIFF by its contents "
                                 "(rename it tiff_inside.tif for tools that go by the suffix)"))])
def test_a_file_named_for_another_format_is_read_by_its_contents(tiny_weights, tmp_path,
                                                                  name, fmt, said):
    folder, out = tmp_path / "scans", tmp_path / "out"
    folder.mkdir()
    _photo(96, 64).save(folder / name, fmt)
    loaded = load_image(folder / name)
    assert said in loaded.notes and said not in shown_notes(loaded.notes)  # the report's
    run = _cli(tiny_weights, folder, "-o", out, "--report", "--format", "jpg")
    assert run.returncode == 0, run.stderr
    stem = name.rsplit(".", 1)[0]
    with Image.open(out / f"{stem}.jpg") as result:  # named and typed by --format
        assert (result.format, result.size) == ("JPEG", (96, 64))
    assert said in json.loads((out / f"{stem}.json").read_text())["input"]["notes"]
    assert "note: " not in run.stderr  # nothing for the terminal: the output is right


def test_an_array_gets_the_tint_note_a_file_of_it_gets():
    rng = np.random.default_rng(0)
    hues = np.array([[180, 90, 90], [70, 130, 70], [90, 110, 170]], np.uint8)
    tinted = hues[rng.integers(0, 3, (60, 80))]  # a print tinted in several hues
    buffer = io.BytesIO()
    Image.fromarray(tinted).save(buffer, "PNG")
    assert SEVERAL_HUES_NOTE in load_image(buffer.getvalue()).notes
    assert SEVERAL_HUES_NOTE in load_array(tinted, 10_000).notes
    assert SEVERAL_HUES_NOTE not in load_array(np.full((60, 80, 3), (160, 120, 80),
                                                       np.uint8), 10_000).notes


def test_libtiff_adds_nothing_to_the_terminal(tiny_weights, tmp_path):
    # Scanner software writes private tags; libtiff (compressed pages) warned of each one
    # ("TIFFReadDirectory: Warning, Unknown field with tag ...") on stderr in some builds.
    folder, out = tmp_path / "scans", tmp_path / "out"
    folder.mkdir()
    private = TiffImagePlugin.ImageFileDirectory_v2()
    private[65000], private.tagtype[65000] = "scanner settings", 2
    private[50000], private.tagtype[50000] = 7, 3
    for compression in ("tiff_lzw", "group4", "tiff_adobe_deflate"):
        image = _photo(64, 48).convert("1") if compression == "group4" else _photo(64, 48)
        image.save(folder / f"{compression}.tif", compression=compression, tiffinfo=private)
    run = _cli(tiny_weights, folder, "-o", out, "-q")
    assert run.returncode == 0, run.stderr
    assert "TIFF" not in run.stderr and "Warning" not in run.stderr, run.stderr
