"""The photos a CSV list names, as lists are written on other machines (Windows backslashes
and case, a Mac's decomposed names, Latin-1 names from an old disk), and the output names
lists ask for (a Mac's decomposed id, a folder name over 255 bytes), through the real CLI."""

from __future__ import annotations

import os
import unicodedata

from sheet_helpers import manifest, photo

NFD_KRAKOW = unicodedata.normalize("NFD", "Kraków")


def test_windows_and_mac_spellings_of_a_path_find_the_photo(colorize, tmp_path):
    """Each was "no such file": a relative path with backslashes, a composed name for a file
    a Mac stored decomposed, a Windows-1252 list naming a Latin-1 file name."""
    photo(tmp_path / "scans" / "1950" / "a.png", 1)
    photo(tmp_path / "scans" / f"{NFD_KRAKOW}.png", 2)
    photo(tmp_path / "scans" / os.fsdecode(b"M\xfcnchen.png"), 3)
    rows = "path,caption\r\nscans\\1950\\a.png,one\r\nscans/Kraków.png,two\r\n" \
           "scans/München.png,three\r\n"
    (tmp_path / "photos.csv").write_bytes(rows.encode("cp1252"))
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    entries = manifest(tmp_path / "out")
    assert {key: entry["settings"]["caption"] for key, entry in entries.items()} == {
        "scans/1950/a.png": "one", "scans/Kraków.png": "two", "scans/München.png": "three"}
    assert (tmp_path / "out" / "scans" / "München.png").is_file()  # not "M_nchen.png"


def test_a_name_in_another_case_is_taken_with_a_note_and_two_are_refused(colorize, tmp_path):
    photo(tmp_path / "IMG_0001.png", 1)
    photo(tmp_path / "b.png", 2)
    photo(tmp_path / "B.PNG", 3)
    (tmp_path / "photos.csv").write_text("path\nimg_0001.PNG\nb.png\nb.Png\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 1
    assert "row 2 of photos.csv names 'img_0001.PNG': read as 'IMG_0001.png', the only file " \
           "of that name in another case" in err
    assert f"no such file; 'B.PNG' and 'b.png' in {tmp_path} both match 'b.Png' ignoring " \
           "case: write the exact name (row 4 of" in err
    assert set(manifest(tmp_path / "out")) == {"IMG_0001.png", "b.png"}


def test_paths_from_the_current_folder_and_windows_drives_say_what_to_write(
        colorize, tmp_path, monkeypatch):
    photo(tmp_path / "scans" / "a.png")
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "photos.csv").write_text("path\nscans/a.png\nC:\\Scans\\a.png\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = colorize("lists/photos.csv", "-o", "out")
    assert code == 1
    assert "lists/scans/a.png: no such file in the list's folder (lists); paths in a list " \
           "are read from its folder, and this one is in the current folder: write " \
           "'../scans/a.png' (row 2 of lists/photos.csv)" in err
    assert "C:\\Scans\\a.png: is a Windows path; give the photo's path on this machine, or " \
           "relative to the list's folder (lists) (row 3 of lists/photos.csv)" in err


def test_a_decomposed_id_is_composed_and_never_takes_another_rows_file(colorize, tmp_path):
    """A Mac's "o" + accent was written "Krako_w.png"; composed, it is the name another row
    asks for, so it is numbered with a note, never written over."""
    photo(tmp_path / "a.png", 1)
    photo(tmp_path / "b.png", 2)
    (tmp_path / "photos.csv").write_text(f"path,id\na.png,Kraków\nb.png,{NFD_KRAKOW}\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    assert set(manifest(tmp_path / "out")) == {"Kraków.png", "Kraków-2.png"}
    assert "row 3 of photos.csv asks for the name Kraków.png (another photo of this run asks " \
           "for it too); written as Kraków-2.png" in err


def test_an_id_with_a_folder_name_over_255_bytes_is_cut_to_fit(colorize, tmp_path):
    """It ended the run with a traceback (OSError: File name too long)."""
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text(f"path,id\na.png,{'ł' * 200}/x\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    (key,) = manifest(tmp_path / "out")
    assert key == f"{'ł' * 127}/x.png"  # 254 bytes: 255 would cut a letter in two
    assert (tmp_path / "out" / key).is_file()
