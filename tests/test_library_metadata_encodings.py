"""`chronochrome library build --metadata PHOTOS.csv` reads the CSV as office tools save it:
Excel's Windows-1252 with semicolons, "CSV UTF-8" with its byte-order mark, "Unicode text"
(UTF-16, tabs), a "sep=;" line, headers in any case, blank rows; the code page it assumed and
the columns it did not read are named in a `note:`, and a file no code page reads is refused
in one line. The decoder lives in `context` (`context.text_encoding`) so `retrieval` can use it
without importing `colorizer`; its error is still a `ChronochromeError`."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image

from retrieval import cli
from retrieval.embedders import HashingTextEmbedder

ROWS = [("File", "Title", "Year", "Place"),
        ("a.jpg", "Market square, Kraków", "1910", "Poland"),
        ("b.jpg", "Marienplatz, München", "1925", "München")]


@pytest.fixture
def photos(tmp_path, monkeypatch):
    """Two small color photos; the CLI's MiniLM replaced by the hashing embedder."""
    monkeypatch.setattr(cli, "_text_embedder", lambda: HashingTextEmbedder(64))
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a.jpg", "b.jpg"):
        Image.fromarray(rng.integers(0, 255, (32, 48, 3), dtype=np.uint8)).save(folder / name)
    return folder


def _build(folder, meta, capsys) -> tuple[int, list[dict], str]:
    out = folder.parent / "lib"
    code = cli.main(["build", str(folder), "--metadata", str(meta), "--out", str(out),
                     "--no-visual"])
    err = capsys.readouterr().err
    jsonl = out / "exemplars.jsonl"
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()
               ] if jsonl.is_file() else []
    summary = f"{len(records)} added, 0 skipped -> {out}\n"  # a build's last line
    return code, records, err.removesuffix(summary) if code == 0 else err


def _csv(rows, delimiter: str) -> str:
    """The rows as Excel writes them: CRLF, a field holding the delimiter quoted."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue()


def _titles_and_places(records: list[dict]) -> list[tuple[str, list[str], int]]:
    return [(r["title"], [g["name"] for g in r["regions"]], r["start"]) for r in records]


BUILT = [("Market square, Kraków", ["Poland"], 1910), ("Marienplatz, München", ["Munich"], 1925)]


def test_excel_windows_1252_with_semicolons_builds_with_a_note(photos, capsys):
    """Excel's "CSV (comma delimited)" in Germany or Poland: Windows-1252, semicolons, CRLF.
    It was refused ("'utf-8' codec can't decode byte 0xf3")."""
    meta = photos.parent / "photos.csv"
    meta.write_bytes(_csv(ROWS, ";").encode("cp1252"))
    code, records, err = _build(photos, meta, capsys)
    assert code == 0, err
    assert _titles_and_places(records) == BUILT
    assert err == (f"note: {meta} is not UTF-8; read as Windows-1252 (Western European), which "
                   "gives 'Kraków', 'München'; if these read wrong, save it as UTF-8 (Excel: "
                   "Save As > 'CSV UTF-8'; LibreOffice: Character set 'Unicode (UTF-8)'; "
                   "Notepad: Encoding 'UTF-8')\n")


@pytest.mark.parametrize("data", [
    _csv(ROWS, ",").encode("utf-8-sig"),  # Excel's "CSV UTF-8": its mark hid the File column
    _csv(ROWS, "\t").encode("utf-16"),  # Excel's "Unicode text"
    ("sep=;\r\n" + _csv(ROWS[:2] + [("", "", "", "")] + ROWS[2:], ";")).encode(),  # blank row
], ids=["utf-8-bom", "utf-16-tabs", "sep-line"])
def test_other_excel_saves_build_without_a_note(photos, capsys, data):
    meta = photos.parent / "photos.csv"
    meta.write_bytes(data)
    code, records, err = _build(photos, meta, capsys)
    assert (code, err) == (0, "")
    assert _titles_and_places(records) == BUILT


def test_row_numbers_are_the_spreadsheets(photos, capsys):
    """After a "sep=;" line and a blank row, a missing photo is named by the row Excel shows."""
    meta = photos.parent / "photos.csv"
    rows = ROWS + [("", "", "", ""), ("gone.jpg", "Lost", "1930", "Poland")]
    meta.write_bytes(("sep=;\r\n" + _csv(rows, ";")).encode("cp1252"))
    code, records, err = _build(photos, meta, capsys)
    assert code == 1 and _titles_and_places(records) == BUILT  # the row skipped, the rest built
    assert err.splitlines()[-2:] == [
        f"error: {meta}:5: image 'gone.jpg' is not in {photos} (row skipped)",
        f"2 added, 1 skipped -> {photos.parent / 'lib'}"]


def test_unread_columns_are_named(photos, capsys):
    """A column the library does not read ("Town") is named in a note, with the names each
    field is read under; "File Name" and "Location" are read."""
    meta = photos.parent / "photos.csv"
    rows = [("File Name", "Title", "Year", "Town", "Location")] + [
        row[:3] + ("x", "Poland") for row in ROWS[1:]]
    meta.write_text(_csv(rows, ","), encoding="utf-8")
    code, records, err = _build(photos, meta, capsys)
    assert code == 0 and [r["regions"][0]["name"] for r in records] == ["Poland", "Poland"]
    assert err.startswith("note: photos.csv: column 'town' not read; the columns read are "
                          "named (file: file, filename, file_name, image, image_path; ")
    assert "region: region, place, location, country, polity;" in err


def test_a_file_no_code_page_reads_is_refused_in_one_line(photos, capsys):
    meta = photos.parent / "photos.csv"
    meta.write_bytes(bytes(range(128, 256)) * 4)
    code, records, err = _build(photos, meta, capsys)
    assert code == 2 and records == [] and err.count("\n") == 1
    assert err.startswith(f"error: {meta} is not UTF-8 (byte 0x80 at offset 0) and reads as "
                          "no Windows, DOS or Mac code page either; save it as UTF-8")


def test_a_header_without_an_image_column_is_refused(photos, capsys):
    meta = photos.parent / "photos.csv"
    meta.write_text("Picture;Title\r\na.jpg;x\r\n", encoding="utf-8")
    code, _, err = _build(photos, meta, capsys)
    assert code == 2
    assert err == (f"error: {meta}: no image column in the header row (picture, title); name "
                   "the column of image file names one of file, filename, file_name, image, "
                   "image_path (the first row names the columns)\n")


def test_the_decoders_error_is_a_chronochrome_error():
    """Moved to `context`, the error is still caught where `colorizer.errors.ChronochromeError`
    is (the `chronochrome` CLI's one-line errors) and where ValueError is (the library CLI)."""
    from colorizer.errors import ChronochromeError
    from context.text_encoding import TextEncodingError, decode_user_text

    with pytest.raises(ChronochromeError) as caught:
        decode_user_text(bytes(range(128, 256)) * 4, "photos.csv")
    assert isinstance(caught.value, TextEncodingError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_config_json_saved_by_notepad_is_read(tmp_path, encoding):
    """`ContextConfig.from_json` and `RetrieverConfig.from_json` read a file Notepad saved
    with a byte-order mark (refused as "Unexpected UTF-8 BOM") or as UTF-16."""
    from context.config import ContextConfig
    from retrieval.retriever import RetrieverConfig

    path = tmp_path / "config.json"
    path.write_bytes(json.dumps({"ocr_max_lines": 3}).encode(encoding))
    assert ContextConfig.from_json(path).ocr_max_lines == 3
    path.write_bytes(json.dumps({"candidates": 64}).encode(encoding))
    assert RetrieverConfig.from_json(path).candidates == 64


def test_config_json_in_a_windows_code_page_is_refused_with_its_words(tmp_path):
    """JSON is UTF-8: a code page is named, not guessed, and the error says how to save it."""
    from context.config import ContextConfig
    from context.text_encoding import TextEncodingError

    path = tmp_path / "config.json"
    path.write_bytes('{"data_dir": "C:/Données/gazetteer"}'.encode("cp1252"))
    with pytest.raises(TextEncodingError) as caught:
        ContextConfig.from_json(path)
    assert str(caught.value).startswith(
        f"{path} is not UTF-8 (as Windows-1252 (Western European) it would read 'Données'); "
        "save it as UTF-8 (Excel: Save As > 'CSV UTF-8';")
