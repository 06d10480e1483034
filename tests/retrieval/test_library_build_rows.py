"""`library build --metadata CSV`: one bad row never stops the build (user audit: the first row
with an unknown place ended the whole build with "no place or polity found in 'Atlantis'",
naming no row; a year "19x5" took the --era default without a word). Each bad row is one
`error:` line naming the CSV's row and the problem; the build goes on and ends with "N added,
M skipped", exit code 1 as `chronochrome colorize` where some failed, and with no usable row
nothing is written (an earlier library stays). A damaged library says which file to rebuild."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image

from retrieval.archive import ArchiveDefaults, archive_records
from retrieval.cli import main
from retrieval.embedders import HashingTextEmbedder
from retrieval.library import ExemplarLibrary

GOOD = [("a.jpg", "1910", "Paris"), ("b.jpg", "1925", "Poland"), ("c.png", "1930", "")]


@pytest.fixture
def archive(tmp_path):
    """Three good photos, five files a row may name wrongly, and a CSV of good and bad rows."""
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, _, _ in GOOD:
        Image.fromarray(rng.integers(0, 255, (40, 56, 3), dtype=np.uint8)).save(folder / name)
    whole = (folder / "a.jpg").read_bytes()
    (folder / "cut.jpg").write_bytes(whole[:len(whole) // 2])  # a copy stopped mid-file
    (folder / "text.png").write_text("not a photo")
    (folder / "other").mkdir()
    Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(folder / "other/a.jpg")
    rows = [("file", "year", "place", "kind"),
            ("a.jpg", "1910", "Paris", ""),
            ("atlantis.jpg", "1920", "Atlantis of the North", ""),  # row 3: place unknown
            ("b.jpg", "1925", "Poland", ""),
            ("a.jpg", "19x5", "France", ""),  # row 5: no year (and the file is a.jpg again)
            ("gone.jpg", "1950", "France", ""),  # row 6: no such file
            ("cut.jpg", "1930", "Poland", ""),  # row 7: truncated JPEG
            ("text.png", "1930", "Poland", ""),  # row 8: not an image
            ("other/a.jpg", "1931", "Poland", ""),  # row 9: id "a" is row 2's
            ("c.png", "1930", "", "painting"),  # row 10: no such kind
            ("c.png", "1930", "", "")]
    (folder / "atlantis.jpg").write_bytes((folder / "b.jpg").read_bytes())
    meta = tmp_path / "list.csv"
    with meta.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder, meta


def _build(folder, meta, out, *extra):
    return main(["build", str(folder), "--metadata", str(meta), "--out", str(out),
                 "--no-visual", *extra])


@pytest.fixture
def hashing_text(monkeypatch):
    from retrieval import cli

    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))


def test_bad_rows_are_skipped_one_line_each_and_the_rest_built(archive, tmp_path, capsys,
                                                               hashing_text):
    folder, meta = archive
    out = tmp_path / "lib"
    assert _build(folder, meta, out) == 1  # some rows skipped: as colorize with some failed
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 8 and all(line.endswith(" (row skipped)") for line in err[:7])
    assert all(line.startswith(f"error: {meta}:") for line in err[:7])
    problems = {int(line.split(":")[2]): line.split(":", 3)[3] for line in err[:7]}
    assert sorted(problems) == [3, 5, 6, 7, 8, 9, 10]  # one line per bad row
    assert problems[3].startswith(" place 'Atlantis of the North' is not one the gazetteer "
                                  "knows")
    assert problems[5].startswith(" '19x5' is not a year; write e.g. 1910")
    assert problems[6] == f" image 'gone.jpg' is not in {folder} (row skipped)"
    assert problems[7].startswith(f" {folder / 'cut.jpg'} is not a readable image (image file "
                                  "is truncated")
    assert problems[8].startswith(f" {folder / 'text.png'} is not a readable image (cannot "
                                  "identify image file")
    assert problems[9].startswith(" id 'a' is already row 2's (the same file name stem)")
    assert "kind 'painting' is not one of" in problems[10]
    assert err[7] == f"3 added, 7 skipped -> {out}"
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)
    assert (report["count"], report["skipped"]) == (3, 7)
    library = ExemplarLibrary.load(out)
    assert [(e.id, e.start, [r.name for r in e.regions]) for e in library.exemplars] == [
        ("a", 1910, ["Paris"]), ("b", 1925, ["Poland"]), ("c", 1930, [])]


def test_no_usable_row_writes_nothing_and_keeps_the_library(archive, tmp_path, capsys,
                                                            hashing_text):
    folder, meta = archive
    out = tmp_path / "lib"
    assert _build(folder, meta, out) == 1
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    bad.write_text("file,year\ngone.jpg,1910\ncut.jpg,1920\n")
    assert _build(folder, bad, out, "--overwrite") == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"0 added, 2 skipped: no row of {bad} was usable; nothing was written to {out}")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert _build(folder, bad, tmp_path / "new") == 1
    assert not (tmp_path / "new").exists()


def test_the_python_api_raises_on_a_bad_row_naming_it(archive, resolver):
    folder, meta = archive
    records = archive_records(folder, meta, resolver, ArchiveDefaults())
    assert next(records)[0].id == "a"
    with pytest.raises(ValueError, match=r"list\.csv:3: place 'Atlantis of the North'"):
        next(records)


def test_a_default_era_does_not_hide_a_year_that_is_wrong(archive, resolver):
    folder, meta = archive
    skipped = []
    eras = {e.id: (e.start, e.end) for e, _ in archive_records(
        folder, meta, resolver, ArchiveDefaults(era=(1900, 1940)), on_skip=skipped.append)}
    assert eras == {"a": (1910, 1910), "b": (1925, 1925), "c": (1930, 1930)}
    assert any(":5: '19x5' is not a year" in line for line in skipped)


@pytest.mark.parametrize("damage, says", [
    (lambda lib: (lib / "text.faiss").write_bytes((lib / "text.faiss").read_bytes()[:100]),
     "text.faiss is cut short or damaged (FAISS cannot read it); rebuild the library"),
    (lambda lib: (lib / "exemplars.jsonl").write_text('{"id": "a"}\n'),
     "exemplars.jsonl:1: not an exemplar record"),
    (lambda lib: (lib / "library.json").write_text("{not json"),
     "library.json is damaged"),
])
def test_a_damaged_library_says_which_file(archive, tmp_path, hashing_text, capsys, damage,
                                           says):
    folder, _ = archive
    good = tmp_path / "good.csv"
    good.write_text("file,year,place\n" + "".join(f"{n},{y},{p}\n" for n, y, p in GOOD))
    out = tmp_path / "lib"
    assert _build(folder, good, out) == 0
    damage(out)
    with pytest.raises(ValueError) as caught:
        ExemplarLibrary.load(out, HashingTextEmbedder(64))
    assert says in str(caught.value)
