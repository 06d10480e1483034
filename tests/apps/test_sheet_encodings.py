"""CSV lists as Excel, LibreOffice and Google Sheets export them, through the real CLI: the
encoding (a Windows code page, a byte-order mark, UTF-16), the delimiter, header spellings,
padding, and the lists that cannot be read, refused with how to save them."""

from __future__ import annotations

import pytest
from sheet_helpers import manifest, photo

from context.text_encoding import TextEncodingError, decode_user_text


@pytest.mark.parametrize("text, code_page", [
    ("Kraków 1950; Straße in München", "cp1252"),
    ("España 1950 – ¿Qué? Anna’s café, 20°", "cp1252"),
    ("Kraków 1950, Rynek Główny", "cp1250"),
    ("Łódź, ul. Piotrkowska; Gdańsk, Wrocław", "cp1250"),
    ("Praha, Karlův most, Václavské náměstí", "cp1250"),  # was 1252's "Karlùv", "námìstí"
    ("Москва 1950, Красная площадь", "cp1251"),
    ("Zürich, Genève", "cp850"),
    ("Zürich, Genève, Kraków", "mac_roman"),
])
def test_a_code_page_is_told_by_its_words_and_named_in_a_note(text, code_page):
    decoded = decode_user_text(text.encode(code_page), "photos.csv")
    assert decoded.text == text
    assert decoded.note.startswith("photos.csv is not UTF-8; read as ")
    assert "save it as UTF-8" in decoded.note


@pytest.mark.parametrize("data, encoding", [
    ("\ufeffpath,caption\r\nKraków".encode(), "utf-8-sig"),
    ("path\tcaption\r\nKraków".encode("utf-16"), "utf-16"),
    ("path,caption\nKraków".encode(), "utf-8"),
])
def test_utf_text_is_read_as_it_says_without_a_note(data, encoding):
    decoded = decode_user_text(data, "photos.csv")
    assert (decoded.text[-6:], decoded.encoding, decoded.note) == ("Kraków", encoding, "")


def test_bytes_no_code_page_reads_as_words_are_refused():
    with pytest.raises(TextEncodingError, match="photos.csv is not UTF-8 .* save it as UTF-8"):
        decode_user_text(bytes(range(128, 256)) * 4, "photos.csv")


def test_a_european_excel_list_in_windows_1252_is_read_with_a_note(colorize, tmp_path):
    """Excel's "CSV (comma delimited)" in Germany: Windows-1252, semicolons, CRLF. It was
    refused ("save it as UTF-8 text"), exit 2."""
    photo(tmp_path / "a.png", 1)
    photo(tmp_path / "b.png", 2)
    rows = "path;caption;Date\r\na.png;Kraków 1950;1950\r\nb.png;Straße in München;1961\r\n"
    (tmp_path / "photos.csv").write_bytes(rows.encode("cp1252"))
    code, _out, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    entries = manifest(tmp_path / "out")
    assert entries["a.png"]["settings"]["caption"] == "Kraków 1950; date: 1950"
    assert entries["b.png"]["settings"]["caption"] == "Straße in München; date: 1961"
    assert "photos.csv is not UTF-8; read as Windows-1252 (Western European), which gives " \
           "'Kraków', 'Straße', 'München'" in err


@pytest.mark.parametrize("caption, code_page", [("Kraków, Rynek Główny", "cp1250"),
                                                ("Hradčany, Staroměstské náměstí", "cp1250"),
                                                ("Москва, Красная площадь", "cp1251")])
def test_central_european_and_cyrillic_lists_keep_their_letters(colorize, tmp_path, caption,
                                                                code_page):
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_bytes(f"path,caption\r\na.png,\"{caption}\"\r\n"
                                          .encode(code_page))
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    assert manifest(tmp_path / "out")["a.png"]["settings"]["caption"] == caption


def test_excel_unicode_text_is_a_list_tab_separated_in_utf16(colorize, tmp_path):
    """Excel's "Unicode Text (*.txt)": UTF-16 with a byte-order mark, tabs. It was read as a
    photo: "is not a recognised image file"."""
    photo(tmp_path / "a.png")
    (tmp_path / "photos.txt").write_bytes("path\tcaption\r\na.png\tKraków 1950\r\n"
                                          .encode("utf-16"))
    (tmp_path / "notes.txt").write_text("path of the river, 1950")  # not a list
    code, _, err = colorize(tmp_path / "photos.txt", tmp_path / "notes.txt", "-o",
                            tmp_path / "out")
    assert code == 1  # notes.txt is the photo it was given as, and fails as one
    assert "notes.txt: is not a recognised image file" in err
    assert manifest(tmp_path / "out")["a.png"]["settings"]["caption"] == "Kraków 1950"


def test_header_spellings_bom_and_padding_of_spreadsheets(colorize, tmp_path):
    """"File Name" and " Date " name the columns; Excel's padding (empty columns after the
    last, a row with one cell more, empty rows) is not a misaligned row. The header was
    refused ("no 'path', 'file' or 'url' column") and a padded row failed."""
    photo(tmp_path / "a.png", 1)
    photo(tmp_path / "b.png", 2)
    rows = ("\ufeffFile Name, Date ,Caption,,\r\na.png,1950,\"Kraków,\r\nRynek\",,\r\n"
            "b.png,1961,Warszawa,,,\r\n,,,,\r\n")
    (tmp_path / "photos.csv").write_text(rows, encoding="utf-8", newline="")
    code, out, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert (code, out.strip()[:47]) == (0, "2 colorized, 0 skipped (already done), 0 failed")
    entries = manifest(tmp_path / "out")
    assert entries["a.png"]["settings"]["caption"] == "Kraków,\r\nRynek; date: 1950"
    assert entries["b.png"]["settings"]["caption"] == "Warszawa; date: 1961"
    assert "note" not in err


def test_a_column_not_read_is_named(colorize, tmp_path):
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text("path,Title,Notes\na.png,Rynek,scan 2\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0
    assert "photos.csv: columns 'title', 'notes' not read" in err


def test_a_list_without_a_header_row_is_refused_saying_to_add_one(colorize, tmp_path):
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text("a.png,Kraków 1950\nb.png,Warszawa\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 2
    assert "photos.csv: the first row (a.png, Kraków 1950) names a photo, not the columns; " \
           "add a header row naming them, e.g. path,caption" in err
    assert not (tmp_path / "out").exists()


def test_a_list_in_no_known_encoding_is_refused_saying_how_to_save_it(colorize, tmp_path):
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_bytes(b"path,caption\na.png," + bytes(range(128, 256)))
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 2
    assert "photos.csv is not UTF-8 (byte 0x80 at offset 19) and reads as no Windows, DOS or " \
           "Mac code page either; save it as UTF-8 (Excel: Save As > 'CSV UTF-8'" in err


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(colorize, tmp_path):
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text("sep=;\r\npath;caption\r\na.png;Kraków, 1950\r\n")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    assert manifest(tmp_path / "out")["a.png"]["settings"]["caption"] == "Kraków, 1950"


def test_words_garbled_before_the_list_was_saved_are_named_and_kept(colorize, tmp_path):
    """A UTF-8 list Excel opened as Windows-1252 and saved again holds "KrakÃ³w": it was read
    without a word; it is kept (the user's data), and named."""
    photo(tmp_path / "a.png")
    (tmp_path / "photos.csv").write_text("path,caption\na.png,KrakÃ³w 1950\n", encoding="utf-8")
    code, _, err = colorize(tmp_path / "photos.csv", "-o", tmp_path / "out")
    assert code == 0, err
    assert manifest(tmp_path / "out")["a.png"]["settings"]["caption"] == "KrakÃ³w 1950"
    assert "photos.csv holds 'KrakÃ³w', which looks like 'Kraków' garbled (UTF-8 read as " \
           "Windows-1252 before the file was saved" in err
