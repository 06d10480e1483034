"""`library build` on what a real archive folder holds (user audit, 23 files): a 108 MP scan
was decoded whole (peak RSS 1305 MB) under PIL's "DecompressionBombWarning ... could be
decompression bomb DOS attack" with a source line, and the build had no `--max-pixels`; a
16-bit gray scan became a pure white exemplar (#FFFFFF five times) and a gray photo a gray
one, which would gray the photos they match; a photo with EXIF orientation was kept sideways;
a link loop in the folder was called "not in" it; a 74-byte PNG claiming 50000 x 50000 got
PIL's "decompression bomb DOS attack" words. Each is now one `error:` line naming the file
and the fix, the rest of the folder is built, and an ordinary photo's exemplar is the same
bytes as before."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from retrieval.cli import main
from retrieval.library import ExemplarLibrary
from tests.bomb_files import bomb_png

REPO = Path(__file__).resolve().parents[2]
RED, BLUE = (200, 30, 30), (30, 40, 200)


def _red_left_blue_right(width: int = 60, height: int = 40) -> Image.Image:
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2], pixels[:, width // 2:] = RED, BLUE
    return Image.fromarray(pixels)


@pytest.fixture
def archive(tmp_path):
    """A folder as an archivist's holds it, and a CSV naming every file (one row each)."""
    folder = tmp_path / "holdings"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(folder / "a.jpg")
    Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).convert("CMYK").save(
        folder / "Straße in Kazań.jpg")
    Image.fromarray(rng.integers(0, 255, (40, 56), dtype=np.uint8)).save(folder / "gray.jpg")
    gray16 = rng.integers(0, 65535, (40, 56), dtype=np.uint16)
    Image.fromarray(gray16).save(folder / "scan16.png")
    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned clockwise: shown turned back (PIL's ROTATE_90)
    _red_left_blue_right().transpose(Image.Transpose.ROTATE_270).save(folder / "turned.jpg",
                                                                      exif=exif, quality=95)
    bomb_png(folder / "bomb.png")
    os.symlink("loop_b.jpg", folder / "loop_a.jpg")
    os.symlink("loop_a.jpg", folder / "loop_b.jpg")
    meta = tmp_path / "holdings.csv"
    names = ["a.jpg", "Straße in Kazań.jpg", "gray.jpg", "scan16.png", "turned.jpg", "bomb.png",
             "loop_a.jpg"]
    with meta.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("file", "year", "place"),
                                 *[(name, "1912", "Russian Empire") for name in names]])
    return folder, meta


@pytest.fixture
def hashing_text(monkeypatch):
    """The CLI's MiniLM replaced by the tiny real hashing embedder (no weights to load)."""
    from retrieval import cli
    from retrieval.embedders import HashingTextEmbedder

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))


def test_each_odd_file_is_one_line_naming_it_and_the_rest_is_built(archive, tmp_path, capsys,
                                                                   hashing_text):
    folder, meta = archive
    out = tmp_path / "lib"
    code = main(["build", str(folder), "--metadata", str(meta), "--out", str(out),
                 "--no-visual"])
    captured = capsys.readouterr()
    assert code == 1  # some rows skipped, as colorize with some photos failed
    assert "Traceback" not in captured.err and "Warning" not in captured.err
    lines = captured.err.splitlines()
    assert lines[-1] == f"3 added, 4 skipped -> {out}"
    problems = {int(line.split(":")[2]): line.split(":", 3)[3] for line in lines[:-1]}
    assert sorted(problems) == [4, 5, 7, 8]
    for row, name in ((4, "gray.jpg"), (5, "scan16.png")):
        assert problems[row].startswith(f" {folder / name} is a black-and-white photo")
        assert "give color photos, or remove the row" in problems[row]
    assert problems[7].startswith(" bomb.png is 50000x50000 = 2,500,000,000 pixels, but a file "
                                  "of 74 bytes cannot hold that many pixels")
    assert problems[8].startswith(f" image 'loop_a.jpg' in {folder} is a link that leads to no "
                                  "file (a loop of links")
    library = ExemplarLibrary.load(out)
    assert [e.id for e in library.exemplars] == ["a", "Straße in Kazań", "turned"]
    upright = np.asarray(Image.open(library.image_path(library["turned"])), dtype=int)
    assert upright.shape == (40, 60, 3)  # as the photo is shown, not as it is stored
    assert np.abs(upright[20, 5] - RED).max() < 40 and np.abs(upright[20, 54] - BLUE).max() < 40


def _one_row(tmp_path, name):
    meta = tmp_path / "one.csv"
    meta.write_text(f"file,year\n{name},1912\n", encoding="utf-8")
    return meta


def test_a_photo_with_exif_orientation_is_kept_upright(archive, tmp_path, resolver):
    from retrieval.archive import ArchiveDefaults, archive_records

    folder, _ = archive
    meta = _one_row(tmp_path, "turned.jpg")
    [(_, image)] = list(archive_records(folder, meta, resolver, ArchiveDefaults()))
    upright = np.asarray(image(), dtype=int)
    assert upright.shape == (40, 60, 3)  # stored 60 high and 40 wide
    assert np.abs(upright[20, 5] - RED).max() < 40 and np.abs(upright[20, 54] - BLUE).max() < 40


def test_a_link_loop_is_named_as_one(archive, tmp_path, resolver):
    from retrieval.archive import ArchiveDefaults, archive_records

    folder, _ = archive
    skipped = []
    meta = _one_row(tmp_path, "loop_a.jpg")
    assert list(archive_records(folder, meta, resolver, ArchiveDefaults(),
                                on_skip=skipped.append)) == []
    assert skipped == [(f"{meta}:2: image 'loop_a.jpg' in {folder} is a link that leads to "
                        "no file (a loop of links, or its target was moved or deleted); point "
                        "it at the photo or put the photo in its place")]


def test_a_16_bit_gray_scan_keeps_its_levels(tmp_path, resolver):
    """The Python API keeps gray photos (`color_only` is the CLI's): a 16-bit one was clipped
    to pure white by PIL's conversion; its levels are scaled to 8 bits now."""
    from retrieval.archive import ArchiveDefaults, archive_records

    folder = tmp_path / "scans"
    folder.mkdir()
    levels = np.tile(np.linspace(0, 65535, 64), (32, 1)).astype(np.uint16)  # black to white
    Image.fromarray(levels).save(folder / "ramp.png")
    meta = tmp_path / "scans.csv"
    meta.write_text("file,year\nramp.png,1912\n")
    [(exemplar, image)] = list(archive_records(folder, meta, resolver, ArchiveDefaults()))
    kept = np.asarray(image(), dtype=int)
    assert kept.shape == (32, 64, 3)
    assert kept[0, 0].tolist() == [0, 0, 0] and kept[0, -1].tolist() == [255, 255, 255]
    assert abs(kept.mean() - 127.5) < 2  # the ramp's mean, not 255
    assert {color.name for color in exemplar.colors} != {"white"}


def test_max_pixels_skips_a_larger_photo_in_colorizes_words(tmp_path, capsys, hashing_text):
    folder = tmp_path / "holdings"
    folder.mkdir()
    rng = np.random.default_rng(2)
    for name, side in (("small.jpg", 60), ("big.jpg", 100)):
        Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(folder / name)
    meta = tmp_path / "holdings.csv"
    meta.write_text("file,year\nsmall.jpg,1912\nbig.jpg,1912\n")
    out = tmp_path / "lib"
    assert main(["build", str(folder), "--metadata", str(meta), "--out", str(out),
                 "--no-visual", "--max-pixels", "5000"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        (f"error: {meta}:3: {folder / 'big.jpg'}: image is 100x100 = 10,000 pixels, above "
         "the limit of 5,000; downscale it first, or raise the limit with --max-pixels 10000 "
         "(row skipped)"), f"1 added, 1 skipped -> {out}"]
    assert [e.id for e in ExemplarLibrary.load(out).exemplars] == ["small"]


def test_max_pixels_takes_a_positive_whole_number(archive, tmp_path, capsys):
    folder, meta = archive
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(folder), "--metadata", str(meta), "--max-pixels", "0"])
    assert exit_.value.code == 2
    assert ("'0' is not a whole number of 1 or more; write e.g. --max-pixels 120000000"
            in capsys.readouterr().err)


def test_an_ordinary_photo_is_kept_as_before(tmp_path):
    """Under 50 MP a photo is read as before (open, RGB, LANCZOS to 512): the same pixels."""
    from retrieval.exemplar_photo import MAX_SIDE, read_exemplar_photo

    path = tmp_path / "street.jpg"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (700, 900, 3), dtype=np.uint8)).save(path)
    before = Image.open(path).convert("RGB")
    before.thumbnail((MAX_SIDE, MAX_SIDE), Image.LANCZOS)
    assert np.array_equal(np.asarray(read_exemplar_photo(path)), np.asarray(before))


# Reads the scan as `library build` does, in a fresh process, and prints how much its peak
# resident memory grew (VmHWM: ru_maxrss would carry over pytest's own peak through the fork).
_READ_SCAN = """
import sys
from retrieval.archive import ArchiveDefaults, archive_records
from retrieval.cli import _resolver

def peak_mb():
    with open("/proc/self/status") as status_file:
        status = status_file.read()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024

limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
extra = {"max_pixels": limit} if limit else {}
records = archive_records(sys.argv[1], sys.argv[2], _resolver(), ArchiveDefaults(),
                          on_skip=print, **extra)
before = peak_mb()
for exemplar, image in records:
    print("read", exemplar.id, image().size)
print("grew_mb", peak_mb() - before)
"""


def test_a_huge_scan_needs_max_pixels_and_is_then_read_reduced(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    scan = folder / "scan.jpg"  # 52 MP: over colorize's default limit of 50,000,000
    _red_left_blue_right(8000, 6500).save(scan, quality=80)
    meta = tmp_path / "scans.csv"
    meta.write_text("file,year\nscan.jpg,1912\n")

    def read(*limit: str) -> str:
        run = subprocess.run([sys.executable, "-c", _READ_SCAN, str(folder), str(meta), *limit],
                             check=False, capture_output=True, text=True, timeout=300,
                             cwd=REPO,
                             env={**os.environ, "PYTHONWARNINGS": "default"})
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert "Warning" not in run.stderr, run.stderr
        return run.stdout

    refused = read()
    assert (f"{scan}: image is 8000x6500 = 52,000,000 pixels, above the limit of 50,000,000; "
            "downscale it first, or raise the limit with --max-pixels 52000000") in refused
    allowed = read("60000000")
    assert "read scan (512, 416)" in allowed
    # Whole, its RGB pixels alone are 156 MB; read reduced by the JPEG decoder, 1/4 of that.
    grew_mb = int(allowed.split("grew_mb ")[1])
    assert grew_mb < 60, json.dumps(allowed)


@pytest.mark.slow
def test_chronochrome_library_build_on_the_whole_folder(archive, tmp_path):
    """As the archivist runs it: `chronochrome library build` (MiniLM and the visual encoder)
    in a real process, over the odd files and a 52 MP scan let in by --max-pixels."""
    folder, meta = archive
    _red_left_blue_right(8000, 6500).save(folder / "scan.jpg", quality=80)
    with meta.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(("scan.jpg", "1912", "Russian Empire"))
    out = tmp_path / "lib"
    done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "library", "build",
                           str(folder), "--metadata", str(meta), "--out", str(out),
                           "--max-pixels", "60000000"], check=False, capture_output=True,
                          text=True, timeout=600, cwd=REPO)
    assert done.returncode == 1, done.stderr  # the four odd files skipped
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert lines[-1] == f"4 added, 4 skipped -> {out}"
    assert [line.split(":")[2] for line in lines if line.startswith("error: ")] == [
        "4", "5", "7", "8"]
    assert json.loads(done.stdout)["count"] == 4
    library = ExemplarLibrary.load(out)
    assert library.info.visual_embedder is not None
    assert Image.open(library.image_path(library["scan"])).size == (512, 416)
