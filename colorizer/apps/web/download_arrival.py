"""The page's word that a download's file arrived: a cookie set by the file's answer.

The page asks for each download in a hidden frame of its own (static/downloads.js): a refusal
(JSON) loads in the frame, where the page reads it, but a file arrives as a browser download
and the frame never loads, so nothing told the page it could remove the frame: fifty
downloads left fifty hidden frames until the page was reloaded. A page cannot see a download
start, but it can read a cookie: the page sends a token of its own making with the download
(`?token=...`) and the file's answer, and only it, sets `chronochrome-download-<token>`
(the jQuery fileDownload pattern). Its headers go out once the file is whole (download.py), so
the cookie says the browser has the download in hand; the page removes the frame then.
"""

from __future__ import annotations

import re

from colorizer.apps.web.opening import OpenError

COOKIE_PREFIX = "chronochrome-download-"
# Long enough for the page's 128 random bits in hex, short enough for a cookie's name.
_TOKEN = re.compile(r"[A-Za-z0-9]{1,64}")
# The page reads the cookie within a second and deletes it; one left behind (the page closed
# meanwhile) goes by itself. Ten minutes: a background tab's timers may run once a minute.
MAX_AGE_S = 600


def arrival_cookie_name(token: str | None) -> str | None:
    """The cookie the file's answer sets for `token`; None without one (a download asked for
    by its address alone). A token the page could not have made is refused in words, before
    any file is encoded."""
    if token is None:
        return None
    if not _TOKEN.fullmatch(token):
        raise OpenError("invalid_download_token", "the download's token must be 1 to 64 "
                        "letters or digits (the page makes one): leave `token` out of the "
                        "address to download without one", 422)
    return COOKIE_PREFIX + token
