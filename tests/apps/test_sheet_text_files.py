"""Hints files and sidecar captions written on Windows: Notepad's byte-order mark, UTF-16, CRLF,
a Windows code page; read as written, or refused saying how to save them, never garbled."""

from __future__ import annotations

import pytest
from sheet_helpers import manifest, photo

from colorizer.pipeline.captions import sidecar_captions
from colorizer.pipeline.hint_json import read_color_hints

HINTS = '[{"point": [10, 10], "color": "#b22222", "source": "Zeitzeuge Müller"}]\r\n'


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf" + HINTS.encode(), HINTS.encode("utf-16")],
                         ids=["utf8-bom", "utf16"])
def test_a_hints_file_from_notepad_is_read(colorize, tmp_path, data):
    """Both were refused: "is not JSON (Unexpected UTF-8 BOM ...)", "(... byte 0xff ...)"."""
    photo(tmp_path / "a.png")
    (tmp_path / "hints.json").write_bytes(data)
    (hint,) = read_color_hints(tmp_path / "hints.json")
    assert hint.source == "Zeitzeuge Müller"
    code, _, err = colorize(tmp_path / "a.png", "-o", tmp_path / "out", "--color-hints",
                            tmp_path / "hints.json")
    assert code == 0, err
    assert len(manifest(tmp_path / "out")["a.png"]["settings"]["color_hints"]) == 1


def test_a_hints_file_in_a_windows_code_page_is_refused_with_its_words(colorize, tmp_path):
    """It said "is not JSON ('utf-8' codec can't decode byte 0xfc ...)": the file is JSON."""
    photo(tmp_path / "a.png")
    (tmp_path / "hints.json").write_bytes(HINTS.encode("cp1252"))
    code, _, err = colorize(tmp_path / "a.png", "-o", tmp_path / "out", "--color-hints",
                            tmp_path / "hints.json")
    assert code == 2
    assert "hints.json is not UTF-8 (as Windows-1252 (Western European) it would read " \
           "'Müller'); save it as UTF-8" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("suffix, data", [
    (".txt", "Kraków 1950, Rynek Główny\r\n".encode("cp1250")),
    (".json", '{"Caption": "Kraków 1950, Rynek Główny"}'.encode("cp1250")),
])
def test_a_sidecar_in_a_windows_code_page_keeps_its_letters_with_a_note(tmp_path, suffix, data):
    """The .txt was read "Krak\ufffdw 1950, Rynek G\ufffd\ufffdwny" without a word; the
    .json was not read."""
    photo(tmp_path / "krakow.png")
    (tmp_path / f"krakow{suffix}").write_bytes(data)
    captions, notes = sidecar_captions(tmp_path / "krakow.png")
    assert [c.text for c in captions] == ["Kraków 1950, Rynek Główny"]
    assert notes == [(f"sidecar krakow{suffix} is not UTF-8; read as Windows-1250 (Central "
                     "European), which gives 'Kraków', 'Główny'; if these read wrong, save it "
                     "as UTF-8 (Excel: Save As > 'CSV UTF-8'; LibreOffice: Character set "
                     "'Unicode (UTF-8)'; Notepad: Encoding 'UTF-8')")]


def test_a_utf16_sidecar_is_read_without_a_note(tmp_path):
    photo(tmp_path / "krakow.png")
    (tmp_path / "krakow.txt").write_bytes("Kraków 1950".encode("utf-16"))
    captions, notes = sidecar_captions(tmp_path / "krakow.png")
    assert ([c.text for c in captions], notes) == (["Kraków 1950"], [])
