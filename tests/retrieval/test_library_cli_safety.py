"""`library build` never deletes what it did not write; `library search` refuses bad input
with one line and exit code 2 (user audit: an --out folder emptied, the source photos deleted,
a traceback for a text file given as --image, -k 0 answered with 5 results)."""

import argparse
import csv
import json
import re

import pytest

from retrieval.cli import _add_arguments, main, run_library_command
from retrieval.embedders import ThumbnailEmbedder
from retrieval.library import ExemplarLibrary


def _build(folder, meta, out, *extra):
    return main(["build", str(folder), "--metadata", str(meta), "--era", "1905-1915",
                 "--region", "Russian Empire", "--out", str(out), "--no-visual", *extra])


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _one_line_error(err):
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_build_refuses_a_folder_that_is_not_a_library(tmp_path, tiny_archive, capsys,
                                                       offline_text):
    folder, meta = tiny_archive
    out = tmp_path / "mine"
    (out / "sub").mkdir(parents=True)
    (out / "b.txt").write_text("keep me")
    (out / "sub" / "a.txt").write_text("keep me too")
    for extra in ((), ("--overwrite",)):
        assert _build(folder, meta, out, *extra) == 2
        err = _one_line_error(capsys.readouterr().err)
        assert f"--out {out} is not empty and is not an exemplar library" in err
        assert "choose a new or empty folder" in err
    assert _files(out) == ["b.txt", "sub", "sub/a.txt"]
    assert (out / "b.txt").read_text() == "keep me"
    assert not [p for p in tmp_path.iterdir() if "building" in p.name]


def test_default_build_refuses_a_folder_that_is_not_a_library(tmp_path, capsys, offline_text):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "b.txt").write_text("keep me")
    assert main(["build", "--default", "--out", str(out), "--overwrite"]) == 2
    assert "is not an exemplar library" in _one_line_error(capsys.readouterr().err)
    assert _files(out) == ["b.txt"]


def test_build_refuses_the_source_folder_inside_or_around_it(tmp_path, tiny_archive, capsys,
                                                             offline_text):
    folder, meta = tiny_archive
    local_meta = folder / "meta.csv"  # the audit's layout: the CSV in the photo folder
    local_meta.write_bytes(meta.read_bytes())
    before = _files(folder)
    for out, says in ((folder, "is the source folder or inside it"),
                      (folder / "lib", "is the source folder or inside it"),
                      (tmp_path, "lies inside --out")):
        assert _build(folder, local_meta, out, "--overwrite") == 2
        assert says in _one_line_error(capsys.readouterr().err)
    assert _files(folder) == before == ["meta.csv", "p0.jpg", "p1.jpg", "p2.jpg"]


@pytest.fixture
def built(tmp_path, tiny_archive, capsys, offline_text):
    """(photo folder, metadata, library folder) of a library built once."""
    folder, meta = tiny_archive
    out = tmp_path / "lib"
    assert _build(folder, meta, out) == 0
    capsys.readouterr()
    return folder, meta, out


def test_rebuild_needs_overwrite_and_replaces_only_the_library(built, tmp_path, capsys):
    folder, meta, out = built
    (out / "notes.txt").write_text("mine")
    assert _build(folder, meta, out) == 2
    err = _one_line_error(capsys.readouterr().err)
    assert "already holds an exemplar library; pass --overwrite" in err

    two = tmp_path / "two.csv"  # the rebuild has two photos: p2's image must go
    with meta.open() as f:
        rows = list(csv.DictReader(f))
    with two.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows[:2])
    assert _build(folder, two, out, "--overwrite") == 0
    assert json.loads(capsys.readouterr().out)["count"] == 2
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in (out / "images").iterdir()) == ["p0.png", "p1.png"]
    assert len(ExemplarLibrary.load(out)) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_rebuild_leaves_the_old_library(tmp_path, tiny_archive, capsys, offline_text):
    folder, meta = tiny_archive
    out = tmp_path / "lib"
    assert _build(folder, meta, out) == 0
    capsys.readouterr()
    before = {p: (out / p).read_bytes() for p in _files(out) if (out / p).is_file()}
    broken = tmp_path / "broken.csv"  # no row names a photo that is there: nothing to build
    broken.write_text(re.sub(r"\bp(\d)\.jpg", r"gone\1.jpg", meta.read_text()))
    assert _build(folder, broken, out, "--overwrite") == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(": image ")[1] for line in err[:3]] == [
        f"'gone{i}.jpg' is not in {folder} (row skipped)" for i in range(3)]
    assert err[3:] == [(f"0 added, 3 skipped: no row of {broken} was usable; nothing was "
                        f"written to {out}")]
    assert {p: (out / p).read_bytes() for p in _files(out) if (out / p).is_file()} == before
    assert len(ExemplarLibrary.load(out)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv", "lib", "manifest.csv",
                                                          "plates"]


def test_library_build_itself_refuses_other_files(tmp_path, resolver):
    from retrieval.embedders import HashingTextEmbedder
    from retrieval.knowledge import curated_records

    (tmp_path / "photo.jpg").write_text("an original")
    records = [r for r in curated_records(resolver) if r[0].id == "hinomaru"]
    with pytest.raises(ValueError, match="not an exemplar library"):
        ExemplarLibrary.build(tmp_path, records, HashingTextEmbedder(32))
    assert _files(tmp_path) == ["photo.jpg"]


def test_missing_metadata_says_check_the_path(tmp_path, tiny_archive, capsys, offline_text):
    folder, _ = tiny_archive
    assert _build(folder, "nosuch.csv", tmp_path / "lib") == 2
    assert capsys.readouterr().err == "error: --metadata nosuch.csv: no such file; check the path\n"
    assert not (tmp_path / "lib").exists()


def test_search_refuses_a_file_that_is_not_an_image(tmp_path, capsys, offline_text):
    parser = argparse.ArgumentParser()
    _add_arguments(parser)
    bad = tmp_path / "bad.jpg"
    bad.write_text("not a photo")
    args = parser.parse_args(["search", "--image", str(bad)])
    assert run_library_command(args, ThumbnailEmbedder(8)) == 2
    err = _one_line_error(capsys.readouterr().err)
    assert f"{bad} is not an image" in err


@pytest.mark.parametrize("k", ["0", "-3", "two"])
def test_search_refuses_k_below_one(k, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "--hint", "USSR 1950", "-k", k])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert "argument -k" in captured.err and "1 or more" in captured.err
    assert captured.out == ""


def test_search_says_when_the_hint_is_not_understood(built, capsys):
    _, _, out = built
    assert main(["search", "--hint", "asdfgh qwerty", "--library", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    assert "hint not used as context: no year, period or place found" in captured.err
    assert "ranked by text similarity to the hint only" in captured.err
    result = json.loads(captured.out)
    assert result["query"]["hint_note"].startswith("no year, period or place")
    assert len(result["results"]) == 3
    assert main(["search", "--hint", "Russian Empire 1910", "--library", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith("1. ")


def test_a_failed_swap_puts_the_old_library_back(tmp_path, resolver, monkeypatch):
    """A move failing mid-swap (a full disk, a permission) restores the old library."""
    from pathlib import Path

    from retrieval.embedders import HashingTextEmbedder
    from retrieval.knowledge import curated_records

    records = [r for r in curated_records(resolver) if r[0].id in ("hinomaru", "union_flag")]
    out = tmp_path / "lib"
    ExemplarLibrary.build(out, records, HashingTextEmbedder(32))
    (out / "notes.txt").write_text("mine")
    before = {p: (out / p).read_bytes() for p in _files(out) if (out / p).is_file()}
    rename = Path.rename

    def failing_rename(self, target):
        if self.name == "exemplars.jsonl" and ".building-" in self.parent.name:
            raise OSError("no space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError, match="no space"):
        ExemplarLibrary.build(out, records[:1], HashingTextEmbedder(32))
    assert {p: (out / p).read_bytes() for p in _files(out) if (out / p).is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib"]


def test_build_names_an_archive_file_that_is_not_an_image(tmp_path, tiny_archive, capsys,
                                                          offline_text):
    folder, meta = tiny_archive
    (folder / "p1.jpg").write_text("not a photo")
    assert _build(folder, meta, tmp_path / "lib") == 1  # as colorize: some failed
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "Traceback" not in err[0]
    assert err[0].startswith(f"error: {meta}:3: {folder / 'p1.jpg'} is not a readable image")
    assert err[0].endswith("(row skipped)")
    assert err[1] == f"2 added, 1 skipped -> {tmp_path / 'lib'}"
    assert [e.id for e in ExemplarLibrary.load(tmp_path / "lib").exemplars] == ["p0", "p2"]
