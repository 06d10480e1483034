"""Download names (RFC 6266 / RFC 5987): a result and an uploaded original are offered under
the original's name, non-ASCII kept in `filename*`, with an ASCII `filename` for old tools."""

from __future__ import annotations

from email.message import Message
from urllib.parse import unquote

from service_helpers import gray_png

from colorizer.apps.service.item_names import content_disposition


def _names(header: str) -> tuple[str, str | None]:
    """(filename, filename* decoded) as a mail/HTTP library reads the header."""
    message = Message()
    message["content-disposition"] = header
    plain = message.get_param("filename", header="content-disposition", unquote=True)
    star = None
    if "filename*=UTF-8''" in header:
        star = unquote(header.split("filename*=UTF-8''", 1)[1].split(";")[0], "utf-8")
    return plain, star


def test_results_and_originals_download_under_their_non_ascii_names(service):
    names = ["Großmutter 1931 – Köln.jpg", "東京 1950.png", "50%20off.png"]
    files = [("file", (n, gray_png(seed=i), "image/png")) for i, n in enumerate(names)]
    location = service.client.post("/v1/jobs", headers=service.headers(),
                                   files=files).headers["location"]
    assert service.drain() == 3
    expected = [("Großmutter 1931 – Köln", "Gro_mutter 1931 _ K_ln"), ("東京 1950", "__ 1950"),
                ("50%20off", "50_20off")]
    for index, (stem, ascii_stem) in enumerate(expected):
        result = service.client.get(f"{location}/items/{index}/result",
                                    headers=service.headers())
        assert _names(result.headers["content-disposition"]) == (f"{ascii_stem}.png",
                                                                 f"{stem}.png")
        original = service.client.head(f"{location}/items/{index}/original",
                                       headers=service.headers())
        assert original.status_code == 200
        assert _names(original.headers["content-disposition"])[1] == names[index]


def test_a_percent_never_reaches_the_plain_filename():
    header = content_disposition("50%20off.png")
    assert header == ("attachment; filename=\"50_20off.png\"; "
                      "filename*=UTF-8''50%2520off.png")
    assert content_disposition("plain name.png") == 'attachment; filename="plain name.png"'
