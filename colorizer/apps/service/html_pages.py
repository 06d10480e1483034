"""The service's own HTML pages (`/docs`, the check's `?report=html`), sent with a CSP.

Neither page has a script, loads anything from elsewhere, or has a form: its pictures are
data: URIs and its style is inline. So the policy allows only that: a name, a caption or an
error text that slipped past escaping could still not run a script, load a tracker or post
anything (both pages had no Content-Security-Policy at all).
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

PAGE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def html_page(content: str) -> HTMLResponse:
    """`content` as an HTML answer that may show data: images and inline style, nothing else."""
    return HTMLResponse(content, headers={"Content-Security-Policy": PAGE_CSP})
