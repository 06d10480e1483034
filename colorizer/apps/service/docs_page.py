"""GET /docs: the API reference as one plain HTML page, made from the OpenAPI document.

FastAPI's own /docs loads Swagger UI's scripts from a CDN and is blank on a machine without
internet (an archive's reading room often is one); this page needs nothing but the service.
The full machine-readable description stays at /openapi.json.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_METHODS = ("get", "post", "put", "patch", "delete")


def docs_html(openapi: dict[str, Any]) -> str:
    info = openapi.get("info", {})
    rows = []
    for path, operations in openapi.get("paths", {}).items():
        for method in _METHODS:
            op = operations.get(method)
            if op is None:
                continue
            codes = ", ".join(sorted(op.get("responses", {})))
            text = op.get("description") or op.get("summary") or ""
            rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}"
                        f"</code></td><td>{escape(text)}</td><td>{escape(codes)}</td></tr>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(info.get('title', 'API'))} API</title><style>"
            "body{font-family:sans-serif;margin:2em;max-width:70em}"
            "td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;"
            "vertical-align:top}</style></head><body>"
            f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))}</h1>"
            f"<p>{escape(info.get('description', ''))}</p>"
            "<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code> (keys: "
            "<code>chronochrome keys create --name NAME</code>). Errors are "
            "<code>application/problem+json</code>. The full description: "
            "<a href='/openapi.json'>/openapi.json</a>.</p>"
            "<table><tr><th>method</th><th>path</th><th>what it does</th><th>statuses</th></tr>"
            + "".join(rows) + "</table></body></html>")


def install_docs_page(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_html(app.openapi()))
