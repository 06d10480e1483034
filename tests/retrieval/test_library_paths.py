"""Where `library build --metadata CSV` reads a row's image from (user audit: a row naming
`../x.jpg` or an absolute path copied a file from outside the photo folder into the library,
which an archive may share; a CSV from elsewhere could pull in any image the account reads).

A file cell is a path in the photo folder (a subfolder included), or one relative to the CSV's
own folder that lands in the photo folder; anything else is one `error: CSV:ROW:` line that
says how to fix it (copy the file in, or pass --allow-outside-folder)."""

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
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary

REPO = Path(__file__).resolve().parents[2]


def _photo(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(path)


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(photo folder, CSV beside it, a private photo beside the CSV, outside the folder)."""
    photos = tmp_path / "photos"
    for i, name in enumerate(["a.jpg", "sub/b.jpg", "c.jpg", "d.jpg"]):
        _photo(photos / name, i)
    private = tmp_path / "private.jpg"
    _photo(private, 9)
    rows = [("file", "year", "place"),
            ("a.jpg", "1910", "Paris"),  # 2: in the folder
            ("sub/b.jpg", "1910", "Paris"),  # 3: in a subfolder
            ("../private.jpg", "1910", "Paris"),  # 4: climbs out
            (str(private), "1910", "Paris"),  # 5: absolute, outside
            (str(photos / "c.jpg"), "1910", "Paris"),  # 6: absolute, inside
            ("photos/d.jpg", "1910", "Paris"),  # 7: from the CSV's folder, inside
            ("private.jpg", "1910", "Paris"),  # 8: from the CSV's folder, outside
            ("sub/../../private.jpg", "1910", "Paris"),  # 9: climbs out through sub/
            ("x" * 300 + ".jpg", "1910", "Paris")]  # 10: a caption pasted into the cell
    meta = tmp_path / "list.csv"
    with meta.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return photos, meta, private


def _skips(err: str) -> dict[int, str]:
    lines = [line for line in err.splitlines() if line.endswith(" (row skipped)")]
    return {int(line.split(":")[2]): line.split(":", 3)[3].strip() for line in lines}


@pytest.mark.slow  # the CLI in a subprocess, with MiniLM: about 20 s
def test_a_row_naming_a_file_outside_the_folder_is_skipped_saying_how_to_fix_it(archive,
                                                                                 tmp_path):
    photos, meta, private = archive
    out = tmp_path / "lib"
    done = subprocess.run([sys.executable, "-m", "retrieval", "build", str(photos),
                           "--metadata", str(meta), "--out", str(out), "--no-visual"],
                          check=False, capture_output=True, text=True, timeout=600,
                          cwd=REPO, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1, done.stderr  # rows skipped, as colorize with some failed
    assert "Traceback" not in done.stderr
    skips = _skips(done.stderr)
    assert sorted(skips) == [4, 5, 8, 9, 10]
    fix = f"copy it into {photos} and write its cell as 'private.jpg', or pass " \
          "--allow-outside-folder to read files outside it (row skipped)"
    assert skips[4] == f"image '../private.jpg' lies outside the photo folder {photos}; {fix}"
    assert skips[5] == f"image '{private}' lies outside the photo folder {photos}; {fix}"
    assert skips[8] == (f"image 'private.jpg' lies outside the photo folder {photos}; copy it "
                        f"into {photos}, or pass --allow-outside-folder to read files outside "
                        "it (row skipped)")
    assert "lies outside the photo folder" in skips[9]
    assert "is not a file name the system can look up (File name too long)" in skips[10]
    assert json.loads(done.stdout)["count"] == 4
    ids = sorted(e.id for e in ExemplarLibrary.load(out).exemplars)
    assert ids == ["a", "b", "c", "d"]  # nothing of private.jpg's came in


def test_allow_outside_folder_reads_them(archive, tmp_path, capsys, monkeypatch):
    from retrieval import cli

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))
    photos, meta, _ = archive
    keep = [0, 3]  # the header and row 4: ../private.jpg
    rows = list(csv.reader(meta.open(newline="")))
    with meta.open("w", newline="") as f:
        csv.writer(f).writerows(rows[i] for i in keep)
    out = tmp_path / "lib"
    assert main(["build", str(photos), "--metadata", str(meta), "--out", str(out),
                 "--no-visual"]) == 1
    assert "lies outside the photo folder" in capsys.readouterr().err
    assert main(["build", str(photos), "--metadata", str(meta), "--out", str(out),
                 "--no-visual", "--allow-outside-folder"]) == 0
    [exemplar] = ExemplarLibrary.load(out).exemplars
    assert exemplar.id == "private"
    stored = np.asarray(Image.open(out / exemplar.image).convert("RGB"))
    assert stored.shape == (24, 32, 3)


def test_a_link_the_archivist_put_in_the_folder_is_followed(archive, tmp_path, capsys,
                                                            monkeypatch):
    """The check is on the cell as written: a link inside the folder (photos kept on another
    disk) is the archivist's own choice, not a way out."""
    from retrieval import cli

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))
    photos, _, private = archive
    (photos / "linked.jpg").symlink_to(private)
    meta = tmp_path / "linked.csv"
    meta.write_text("file,year,place\nlinked.jpg,1910,Paris\n")
    assert main(["build", str(photos), "--metadata", str(meta), "--out", str(tmp_path / "lib"),
                 "--no-visual"]) == 0, capsys.readouterr().err


def test_a_catalogue_written_on_windows_names_subfolders_with_backslashes(archive, tmp_path,
                                                                          capsys, monkeypatch):
    from retrieval import cli

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))
    photos, _, _ = archive
    meta = tmp_path / "windows.csv"
    meta.write_text("file,year,place\r\nsub\\b.jpg,1910,Paris\r\n..\\private.jpg,1910,Paris\r\n")
    assert main(["build", str(photos), "--metadata", str(meta), "--out", str(tmp_path / "lib"),
                 "--no-visual"]) == 1
    assert _skips(capsys.readouterr().err) == {3: (
        f"image '..\\\\private.jpg' lies outside the photo folder {photos}; copy it into "
        f"{photos} and write its cell as 'private.jpg', or pass --allow-outside-folder to "
        "read files outside it (row skipped)")}
    [exemplar] = ExemplarLibrary.load(tmp_path / "lib").exemplars
    assert exemplar.id == "b" and exemplar.image == "images/b.png"
