"""The code page of a file that is not UTF-8, told by its words: Czech and Polish text that
Windows-1250 and Windows-1252 both read as words (context/text_encoding.py)."""

from __future__ import annotations

import pytest

from context.text_encoding import decode_user_text


@pytest.mark.parametrize("text", [
    "Praha, Karlův most, Václavské náměstí",
    "Hradčany 1968; Staroměstské náměstí",
    "České Budějovice, náměstí Přemysla Otakara II.",
    "Brno, Masarykova třída",
])
def test_czech_that_both_code_pages_read_as_words_is_windows_1250(text):
    """These tied on every plausibility count and fell to Windows-1252, the first code page:
    "Karlùv most, Václavské námìstí". As Windows-1250 every word's accented letters are
    Czech ones; as Windows-1252 no one language writes á, ì and í together."""
    decoded = decode_user_text(text.encode("cp1250"), "photos.csv")
    assert (decoded.text, decoded.encoding) == (text, "cp1250")
    assert "read as Windows-1250 (Central European)" in decoded.note


@pytest.mark.parametrize("text, code_page", [
    ("Kraków 1950; Straße in München", "cp1252"),  # the same letters in both: the first
    ("Québec, à côté de l'église; Señora Núñez", "cp1252"),
    ("Łódź, Piotrkowska; Gdańsk", "cp1250"),
])
def test_western_text_stays_windows_1252_and_polish_1250(text, code_page):
    decoded = decode_user_text(text.encode(code_page), "photos.csv")
    assert (decoded.text, decoded.encoding) == (text, code_page)

