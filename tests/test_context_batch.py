"""`chronochrome context PATH [PATH ...]` through the CLI, as a historian runs it on a folder:
one row a photo (JSON Lines or CSV), a corrupt file a row naming it, an archive's captions
CSV reaching its photos' rows, an existing -o file refused, and the single-photo form's
output unchanged (colorizer/apps/context_batch.py)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FAST = ("--no-ocr", "--no-embedding")  # the scene classifier still loads and runs

# `chronochrome context Detroit_circa_1915.png --no-ocr --no-embedding` as the code before
# the table printed it (commit c482c77): scripts read these bytes, so they must not change.
SINGLE_PHOTO_OUTPUT = {
    "era": {"start": 1910, "end": 1920, "confidence": 0.675, "source": "caption",
            "evidence": [{"source": "caption", "what": 'circa "circa 1915" in caption (filename)',
                          "score": 0.675, "value": "1910-1920", "box": None, "span": [8, 18],
                          "origin": "filename"}],
            "month": None},
    "region": {"name": "Detroit, United States", "wikidata": "Q12439", "iso": "US",
               "confidence": 0.81, "source": "caption",
               "evidence": [{"source": "caption", "what": 'place "Detroit" in caption (filename)',
                             "score": 0.81, "value": "detroit", "box": None, "span": [0, 7],
                             "origin": "filename"},
                            {"source": "gazetteer",
                             "what": "polity in 1910-1920: Detroit, United States from "
                                     "https://en.wikipedia.org/wiki/United_States",
                             "score": 1.0, "value": "US", "box": None, "span": None,
                             "origin": None}],
               "hierarchy": [{"name": "Detroit", "kind": "city", "wikidata": "Q12439",
                              "iso": None},
                             {"name": "United States", "kind": "polity", "wikidata": "Q30",
                              "iso": "US"}],
               "modern_iso": "US", "candidates": []},
    "script": None, "language": None, "text": [], "scene": [], "conflicts": [],
    "description": "A photograph from 1910-1920 in Detroit, United States.",
    "embedding": None, "embedding_model": None, "image_embedding": None,
    "sources": {"ocr": {"used": False, "detail": "switched off (use_ocr=False / --no-ocr)"},
                "scene": {"used": True, "detail": "ImageNetSceneClassifier"},
                "clip": {"used": False,
                         "detail": "no CLIP checkpoint given (--clip-checkpoint PATH_OR_TAG)"},
                "embedding": {"used": False, "detail": "switched off (embed=False)"}},
    "unknown": {"script": "OCR not used: switched off (use_ocr=False / --no-ocr)",
                "language": "OCR not used: switched off (use_ocr=False / --no-ocr)",
                "embedding": "switched off (embed=False)"},
    "captions": [{"text": "Detroit_circa_1915.png", "source": "filename"}],
    "language_detail": None,
}


def _photo(path: Path, shift: int = 0) -> Path:
    """A small real gray photo (a gradient: no writing, no scene the classifier is sure of)."""
    y, x = np.mgrid[0:64, 0:96]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(((x * 2 + y + shift) % 256).astype("uint8"), "L").save(path)
    return path


def _context(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # cwd outside the checkout: `python -m` puts the current folder first on sys.path.
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "context", *args],
                          check=False, capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.slow
def test_a_folder_gives_one_json_line_a_photo_and_a_corrupt_file_its_error(tmp_path):
    scans = tmp_path / "scans"
    _photo(scans / "Detroit_circa_1915.png")
    _photo(scans / "Berlin_1945.png", shift=40)
    _photo(scans / "1950s" / "street.png", shift=80)  # found in a sub-folder, as colorize
    (scans / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (scans / "notes.txt").write_text("not a photo")  # not an image: no row

    done = _context(str(scans), *FAST, cwd=tmp_path)

    assert done.returncode == 1, done.stderr  # a photo failed; the others were read
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(row["path"]).relative_to(scans).as_posix() for row in rows] == [
        "Berlin_1945.png", "Detroit_circa_1915.png", "broken.jpg", "1950s/street.png"]
    broken = rows[2]
    assert set(broken) == {"path", "error"} and "broken.jpg" in broken["error"]
    assert "broken.jpg" in done.stderr and "4 of 4 photos, 3 read, 1 failed" in done.stderr
    assert "photos/s once the models were loaded, in" in done.stderr
    by_name = {Path(row["path"]).name: row for row in rows}
    assert by_name["Berlin_1945.png"]["era"]["start"] == 1945
    assert by_name["Berlin_1945.png"]["region"]["wikidata"] == "Q64"
    detroit = dict(by_name["Detroit_circa_1915.png"])
    detroit.pop("path")
    assert detroit == SINGLE_PHOTO_OUTPUT  # the object the single-photo form prints


@pytest.mark.slow
def test_single_photo_output_is_byte_for_byte_what_it_was(tmp_path):
    photo = _photo(tmp_path / "Detroit_circa_1915.png")

    done = _context(str(photo), *FAST, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == json.dumps(SINGLE_PHOTO_OUTPUT, indent=2, ensure_ascii=False) + "\n"
    assert done.stderr == "caption (filename): Detroit_circa_1915.png\n"
    # The same photo given with another makes a table: JSON Lines, each line that object.
    other = _photo(tmp_path / "other.png", shift=9)
    table = _context(str(photo), str(other), *FAST, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    first = json.loads(table.stdout.splitlines()[0])
    assert first.pop("path") == str(photo) and first == SINGLE_PHOTO_OUTPUT
    assert len(table.stdout.splitlines()) == 2


@pytest.mark.slow
def test_csv_table_with_an_archives_captions_on_the_right_rows(tmp_path):
    scans = tmp_path / "scans"
    for name, shift in (("a.png", 0), ("b.png", 30), ("c.png", 60)):
        _photo(scans / name, shift)
    captions = tmp_path / "archive.csv"
    captions.write_text("Filename,Caption,Date\n"
                        "a.png,\"Kazan, Tatar ASSR\",1955\n"
                        "B.PNG,Street in Berlin,1945\n"  # a list written on Windows: any case
                        "missing.png,Paris,1900\n", encoding="utf-8")
    table = tmp_path / "table.csv"

    done = _context(str(scans), *FAST, "--format", "csv", "-o", str(table), "--captions",
                    str(captions), "--hint", "no date here", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # the table went to -o
    assert "row 4 'missing.png'" in done.stderr  # a row that named no photo is told
    with table.open(encoding="utf-8-sig", newline="") as stream:  # Excel reads the BOM
        reader = csv.DictReader(stream)
        assert reader.fieldnames == [
            "path", "era_start", "era_end", "era_confidence", "region", "region_confidence",
            "script", "script_confidence", "language", "language_confidence",
            "hint_understood", "evidence", "error"]
        rows = {Path(row["path"]).name: row for row in reader}
    assert set(rows) == {"a.png", "b.png", "c.png"}
    assert rows["a.png"]["region"].startswith("Kazan") and rows["a.png"]["era_start"] == "1955"
    assert rows["b.png"]["region"].startswith("Berlin") and rows["b.png"]["era_start"] == "1945"
    assert "Berlin" in rows["b.png"]["evidence"]
    assert rows["c.png"]["region"] == "" and rows["c.png"]["era_start"] == ""
    assert {row["hint_understood"] for row in rows.values()} == {"no"}
    assert all(row["error"] == "" and float(row["region_confidence"] or 0) <= 1
               for row in rows.values())


def test_an_existing_output_file_is_refused_before_any_photo(tmp_path):
    photo = _photo(tmp_path / "photo.png")
    table = tmp_path / "table.csv"
    table.write_text("the archivist's own table\n")

    done = _context(str(photo), "--format", "csv", "-o", str(table), cwd=tmp_path)

    assert done.returncode == 2
    assert done.stderr == f"error: {table} exists; move it away or pass --overwrite\n"
    assert table.read_text() == "the archivist's own table\n"


def test_a_folder_of_no_photos_says_so(tmp_path):
    (tmp_path / "empty").mkdir()

    done = _context(str(tmp_path / "empty"), cwd=tmp_path)

    assert done.returncode == 2
    assert done.stderr.startswith("error: no image files found in")
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_progress_bar_on_a_terminal_and_rows_on_stdout(tmp_path):
    """stderr a terminal (a pseudo-terminal), stdout a pipe, as `... > table.jsonl` in a
    shell: the bar counts the photos, the rows are all on stdout."""
    import os
    import pty
    import threading

    photos = [str(_photo(tmp_path / f"p{i}.png", shift=i * 20)) for i in range(2)]
    main, terminal = pty.openpty()
    shown = bytearray()

    def drain() -> None:  # the bar redraws often: a full pty buffer would block the run
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed (Linux: EIO)
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    with subprocess.Popen([sys.executable, "-m", "colorizer.apps.cli", "context", *photos,
                           *FAST], cwd=tmp_path, stdout=subprocess.PIPE, stderr=terminal,
                          env=env) as run:
        os.close(terminal)
        out, _ = run.communicate(timeout=600)
    reader.join(timeout=10)
    os.close(main)

    assert run.returncode == 0
    assert [json.loads(line)["path"] for line in out.decode().splitlines()] == photos
    text = shown.decode("utf-8", "replace")
    assert "2/2" in text and "context: 2 of 2 photos, 2 read" in text
