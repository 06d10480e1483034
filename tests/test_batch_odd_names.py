"""File names and folders as archives hold them, through the CLI: names that are not UTF-8,
names a Mac decomposed, names at the file system's length limit, control characters, folders
gathered by links, a NAS's thumbnails and a colorized folder kept inside the scans."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from batch_helpers import FLAGS, noise_photo, run_colorize, visible_files

REPO = Path(__file__).resolve().parent.parent





def test_a_name_that_is_not_utf8_is_colorized_under_the_same_bytes(tiny_weights, tmp_path,
                                                                 capsys):
    # "café Пра.png" as a Windows-1252 / cp866 disk wrote it: os.fsdecode keeps the bytes.
    name = os.fsdecode(b"caf\xe9 \x8f\xe0\xa8.png")
    noise_photo(tmp_path / "in" / name)
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", out, "--report") == 0
    assert "Traceback" not in capsys.readouterr().err
    written = {os.fsencode(p.name) for p in out.iterdir() if not p.name.startswith(".")}
    assert written == {b"caf\xe9 \x8f\xe0\xa8.png", b"caf\xe9 \x8f\xe0\xa8.json",
                       b"caf\xe9 \x8f\xe0\xa8.uncertainty.png"}
    manifest = json.loads((out / ".chronochrome-manifest.json").read_text(encoding="utf-8"))
    assert list(manifest) == [name]  # the exact name, read back
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", out, "--report") == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out


def test_a_decomposed_and_a_composed_name_never_share_an_output(tiny_weights, tmp_path):
    # A Mac's copy names "Café" decomposed (e + U+0301); on APFS it is the composed name's
    # file, so "Café.png" twice, in two spellings, was one output replacing the other.
    noise_photo(tmp_path / "in" / unicodedata.normalize("NFD", "Café.jpg"), 1)
    noise_photo(tmp_path / "in" / unicodedata.normalize("NFC", "Café.png"), 2)
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", out) == 0
    names = {unicodedata.normalize("NFC", name) for name in visible_files(out)}
    assert names == {"Café_jpg.png", "Café_png.png"}


def test_names_at_the_length_limit_fit_with_their_suffix_and_number(tiny_weights, tmp_path,
                                                                    capsys):
    stem = "n" * 250
    given = [noise_photo(tmp_path / "a" / f"{stem}.jpg", 1), noise_photo(tmp_path / "a" / f"{stem}.tiff", 2),
             noise_photo(tmp_path / "b" / f"{stem}.jpg", 3)]  # foo_jpg, foo_tiff, foo_jpg-2
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, *given, "-o", out, "--report") == 0
    assert "3 colorized, 0 skipped (already done), 0 failed" in capsys.readouterr().out
    names = visible_files(out)
    assert len(names) == 9 and all(n.startswith("n" * 200) for n in names)
    assert sum(n.endswith("_jpg-2.uncertainty.png") for n in names) == 1
    assert all(len(n.encode()) + len(".x.12345678.tmp") <= 255 for n in names)


def test_a_name_with_a_newline_or_escape_codes_is_one_line_of_the_log(tiny_weights, tmp_path,
                                                                     capsys):
    noise_photo(tmp_path / "in" / "new\nline.png", 1)
    noise_photo(tmp_path / "in" / "red\x1b[31m.png", 2)
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", tmp_path / "out") == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and all(line.startswith("done     ") for line in lines)
    assert lines[0].startswith("done     1/2 ") and "in/new\\nline.png -> " in lines[0]
    assert "red\\x1b[31m.png" in lines[1] and "\x1b" not in lines[1]
    assert {name.count("\n") for name in visible_files(tmp_path / "out")} == {0, 1}  # names kept


def test_quiet_and_verbose_after_the_command(tiny_weights, tmp_path, capsys):
    noise_photo(tmp_path / "in" / "a.png")
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", tmp_path / "out", "-q") == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "1 colorized" in captured.out
    assert run_colorize(tiny_weights, tmp_path / "in", "-o", tmp_path / "out", "-v") == 0
    assert "skipped  1/1 " in capsys.readouterr().err


def test_linked_folders_nas_thumbnails_and_a_colorized_folder_inside_the_scans(
        tiny_weights, tmp_path, capsys):
    scans, elsewhere = tmp_path / "scans", tmp_path / "disk2" / "1951"
    noise_photo(scans / "1950" / "street.png", 1)
    noise_photo(elsewhere / "square.png", 2)
    (scans / "1951").symlink_to(elsewhere)  # a collection gathered by a link: followed
    (scans / "1950" / "up").symlink_to("..")  # a link back up: not walked again
    (scans / "again").symlink_to("1950")  # the same folder by another name: once
    noise_photo(scans / "@eaDir" / "street.png" / "SYNOPHOTO_THUMB_XL.jpg", 3)  # a NAS's thumbnail
    assert run_colorize(tiny_weights, scans, "-o", scans / "colorized") == 0
    assert visible_files(scans / "colorized") == {"1950/street.png", "1951/square.png"}
    capsys.readouterr()
    # The archive colorized into a folder of its own: the copy kept in scans/ is no input.
    assert run_colorize(tiny_weights, scans, "-o", tmp_path / "archive") == 0
    assert visible_files(tmp_path / "archive") == {"1950/street.png", "1951/square.png"}
    assert "reduced to luminance" not in capsys.readouterr().err


def test_a_file_whose_name_starts_with_a_dash_is_told_how_to_give_it(tiny_weights, tmp_path,
                                                                     monkeypatch, capsys):
    noise_photo(tmp_path / "-001.png")  # a scanner's numbering
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        run_colorize(tiny_weights, "-001.png", "-o", "out")
    assert stopped.value.code == 2
    assert ("unrecognized arguments: -001.png; -001.png is a file: write ./-001.png, or put "
            "-- before the file names") in capsys.readouterr().err
    assert run_colorize(tiny_weights, "-o", "out", "--", "-001.png") == 0
    assert visible_files(tmp_path / "out") == {"-001.png"}


def _on_a_terminal(weights, src: Path, out: Path, locale: str) -> tuple[str, bytes]:
    """The CLI run as `chronochrome colorize SRC -o OUT > log.txt` on a terminal: stdout
    piped, stderr a pseudo-terminal. Returns (stdout, what the terminal received)."""
    main_fd, term_fd = pty.openpty()
    env = {**os.environ, "LC_ALL": locale, "COLUMNS": "40"}
    env.pop("LANG", None), env.pop("LC_CTYPE", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "colorizer.apps.cli", "colorize", "--weights", str(weights),
         *FLAGS, str(src), "-o", str(out)],
        stdout=subprocess.PIPE, stderr=term_fd, cwd=REPO, env=env)
    os.close(term_fd)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the terminal's other end closed: the child is done
            break
        if not chunk:
            break
        shown += chunk
    stdout = child.communicate(timeout=60)[0].decode()
    os.close(main_fd)
    return stdout, shown


@pytest.mark.slow
def test_the_progress_bar_is_drawn_on_the_terminal_in_its_characters(tiny_weights, tmp_path):
    for i in range(3):
        noise_photo(tmp_path / "in" / f"p{i}.png", i)
    stdout, shown = _on_a_terminal(tiny_weights, tmp_path / "in", tmp_path / "out", "C")
    # The bar was written to stdout: nothing on the terminal, a bar in the user's log.
    assert stdout == f"3 colorized, 0 skipped (already done), 0 failed -> {tmp_path / 'out'}\n"
    assert b"colorizing" in shown and b"3/3" in shown
    assert shown.isascii()  # an ASCII-only terminal (LC_ALL=C): `-`, not box drawing
    _, shown = _on_a_terminal(tiny_weights, tmp_path / "in", tmp_path / "out2", "C.UTF-8")
    assert "━".encode() in shown


def test_a_phones_heic_in_a_folder_fails_with_how_to_convert_it(tiny_weights, tmp_path, capsys):
    """A folder of iPhone photos was skipped without a word (exit 0, "0 colorized"): each
    HEIC is now a failed photo that says how to convert it, and the others go on."""
    folder = tmp_path / "in"
    noise_photo(folder / "a.png")
    ftyp = (24).to_bytes(4, "big") + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    (folder / "IMG_0001.HEIC").write_bytes(ftyp + bytes(64))
    assert run_colorize(tiny_weights, folder, "-o", tmp_path / "out") == 1
    captured = capsys.readouterr()
    assert "1 colorized, 0 skipped (already done), 1 failed" in captured.out
    assert "IMG_0001.HEIC" in captured.err and "HEIC/HEIF photo" in captured.err
    assert "heif-convert" in captured.err and "Traceback" not in captured.err
