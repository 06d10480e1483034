"""A user's audit of the batch CLI: re-runs that keep side files, notes that name their photo,
CSV rows named in every error, the --trust-host fix for a private address, renamed ids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from colorizer.apps.cli import main
from colorizer.apps.service.fetch import FetchConfig, FetchRefused, SafeFetcher

SIDES = {"x.json", "x.uncertainty.png"}


def _photo(path: Path, seed: int = 0, size=(40, 56)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random(size) * 255).astype(np.uint8)).save(path)
    return path


def _run(weights, *args, render_size: int = 64) -> int:
    return main(["colorize", "--weights", str(weights), "--device", "cpu", "--no-context",
                 "--no-exemplars", "--render-size", str(render_size), *map(str, args)])


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def _entry(out: Path, key: str) -> dict:
    return json.loads((out / ".chronochrome-manifest.json").read_text())[key]


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("note: ")]


def test_a_rerun_asking_for_fewer_files_skips_and_keeps_every_file(tiny_weights, tmp_path,
                                                                    capsys):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    written = {name: (out / name).read_bytes() for name in _files(out)}
    assert {"x.png", *SIDES} <= set(written)
    capsys.readouterr()
    assert _run(tiny_weights, src, "-o", out) == 0  # the same photo, without --report
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    assert {name: (out / name).read_bytes() for name in _files(out)} == written
    assert set(_entry(out, "x.png")["files"]) == set(written)


def test_a_rerun_asking_for_more_redoes_the_photo(tiny_weights, tmp_path, capsys):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out) == 0
    assert _files(out) == {"x.png"}
    capsys.readouterr()
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
    assert _files(out) == {"x.png", *SIDES}
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out


def test_a_redo_removes_the_earlier_runs_reports_it_does_not_replace(tiny_weights, tmp_path,
                                                                     capsys):
    """Other settings redo the photo: the first run's report describes another colorization,
    so it goes (it was ours); a skip never removes anything."""
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert _run(tiny_weights, src, "-o", out, "--chroma-scale", "1.5") == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
    assert _files(out) == {"x.png"} and _entry(out, "x.png")["files"] == ["x.png"]
    assert _run(tiny_weights, src, "-o", out, "--chroma-scale", "1.5", "--report") == 0
    assert _run(tiny_weights, src, "-o", out, "--chroma-scale", "1.5") == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    assert _files(out) == {"x.png", *SIDES}


def test_notes_name_their_photo_in_input_order(tiny_weights, tmp_path, capsys):
    folder = tmp_path / "in"
    _photo(folder / "z.png", 1, size=(50, 60))  # first in the list, last by name
    _photo(folder / "a.png", 2, size=(30, 40))
    (folder / "list.csv").write_text("path\nz.png\na.png\n")
    assert _run(tiny_weights, folder / "list.csv", "-o", tmp_path / "out",
                render_size=2000) == 0
    notes = _notes(capsys.readouterr().err)
    assert len(notes) == 2, notes
    assert notes[0].startswith(f"note: {folder / 'z.png'}: ")
    assert "the photo's long side is 60 px" in notes[0]
    assert notes[1].startswith(f"note: {folder / 'a.png'}: ")
    assert "the photo's long side is 40 px" in notes[1]


def test_a_csv_row_that_is_not_an_image_names_its_row(tiny_weights, tmp_path, capsys):
    folder = tmp_path / "in"
    _photo(folder / "a.png")
    (folder / "notes.txt").write_text("a text file, not a photo\n")
    (folder / "badrow.csv").write_text("path\na.png\nnotes.txt\nmissing.png\n")
    assert _run(tiny_weights, folder / "badrow.csv", "-o", tmp_path / "out") == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, errors
    assert "notes.txt: is not a recognised image file" in errors[0]
    assert f"(row 3 of {folder / 'badrow.csv'})" in errors[0]
    assert "row 4 of" in errors[1]
    assert "1 colorized, 0 skipped (already done), 2 failed" in captured.out


def test_a_private_address_from_the_cli_says_which_flag_trusts_it(tiny_weights, tmp_path, web,
                                                                   capsys):
    site, base = web
    _photo(site / "one.png", 3)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "list.csv").write_text(f"url\n{base}/one.png\n")
    assert _run(tiny_weights, folder / "list.csv", "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "127.0.0.1 is not a public address; pass --trust-host 127.0.0.1" in err
    assert "row 2 of" in err and "the service fetches" not in err
    # The manifest itself on a private address: a one-line error with the same fix.
    (site / "manifest.json").write_text("{}")
    assert _run(tiny_weights, f"{base}/manifest.json", "-o", tmp_path / "out2") == 2
    err = capsys.readouterr().err.strip()
    assert "pass --trust-host 127.0.0.1" in err and "\n" not in err
    assert _run(tiny_weights, folder / "list.csv", "-o", tmp_path / "out",
                "--trust-host", "127.0.0.1") == 0


def test_the_service_keeps_its_wording_for_a_private_address():
    fetcher = SafeFetcher(FetchConfig())
    try:
        fetcher.check_url("http://127.0.0.1:8931/a.png")
    except FetchRefused as exc:
        assert exc.reason == "address_not_allowed"
        assert str(exc) == ("http://127.0.0.1:8931/a.png: 127.0.0.1 is not a public address; "
                            "the service fetches only from the public internet")
    else:
        raise AssertionError("a loopback address was fetched")
    finally:
        fetcher.close()


def test_duplicate_csv_ids_are_renamed_with_a_note(tiny_weights, tmp_path, capsys):
    folder = tmp_path / "in"
    for n in range(3):
        _photo(folder / f"p{n}.png", n)
    (folder / "list.csv").write_text("path,id\np0.png,same\np1.png,other\np2.png,same\n")
    out = tmp_path / "out"
    assert _run(tiny_weights, folder / "list.csv", "-o", out) == 0
    assert _files(out) == {"same.png", "other.png", "same-2.png"}
    notes = _notes(capsys.readouterr().err)
    assert len(notes) == 1, notes
    assert notes[0].startswith(f"note: {folder / 'p2.png'}: ")
    assert "row 4 of list.csv" in notes[0] and "same-2.png" in notes[0]


def test_a_note_many_photos_share_is_one_line_naming_the_first(tmp_path):
    from colorizer.apps.batch import BatchItem, BatchSummary

    said = {"p0": "hint 'Atlantis' not understood", "p1": "nearly gray (mean chroma C* 0.4)"}
    items = [BatchItem(Path(f"p{n}.jpg"), tmp_path / f"p{n}.png", "done",
                       said.get(f"p{n}", said["p0"])) for n in range(6)]
    items.append(BatchItem(Path("bad.jpg"), tmp_path / "bad.png", "failed", "bad.jpg: empty"))
    assert BatchSummary(items).notes() == [
        "p0.jpg, p2.jpg, p3.jpg and 2 more: hint 'Atlantis' not understood",
        "p1.jpg: nearly gray (mean chroma C* 0.4)"]
