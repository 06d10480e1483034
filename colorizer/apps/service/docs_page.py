"""GET /docs: the API reference as one plain HTML page, made from the OpenAPI document.

FastAPI's own /docs loads Swagger UI's scripts from a CDN and is blank on a machine without
internet (an archive's reading room often is one); this page needs nothing but the service.
For each operation it shows what /openapi.json holds: its summary and description, its query
parameters and headers, its request body's fields (form fields or JSON properties, with types,
limits and descriptions) and the statuses it answers with. Descriptions are written for
clients: `code` in them becomes <code>.

The OpenAPI document is tidied once (`public_openapi`): FastAPI adds a "422 Validation Error"
with its own body to every route with a parameter, even where no parameter can be invalid,
and we never send that body (a 422 is problem+json); routes declare their real 422s. Then the
answers' schemas are added (`openapi_answers.complete`); a body's schema may be a reference to
one of them, which this page shows as the fields of the object referred to.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from colorizer.apps.service.html_pages import html_page
from colorizer.apps.service.openapi_answers import complete

_METHODS = ("get", "post", "put", "patch", "delete")
_HIDDEN_PARAMETERS = {"x-api-key"}  # the key: said once, at the top of the page
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def public_openapi(openapi: dict[str, Any]) -> dict[str, Any]:
    """The document without FastAPI's "Validation Error" answers (module docstring)."""
    for operations in openapi.get("paths", {}).values():
        for op in operations.values():
            answer = op.get("responses", {}).get("422", {})
            if _FASTAPI_422 in str(answer.get("content", {})):
                del op["responses"]["422"]
    schemas = openapi.get("components", {}).get("schemas", {})
    if _FASTAPI_422.rsplit("/", 1)[1] in schemas and _FASTAPI_422 not in str(openapi["paths"]):
        schemas.pop("HTTPValidationError")
        schemas.pop("ValidationError", None)
    return openapi


def docs_html(openapi: dict[str, Any]) -> str:
    info = openapi.get("info", {})
    title = escape(f"{info.get('title', 'API')} {info.get('version', '')}")
    index, sections = [], []
    named = openapi.get("components", {}).get("schemas", {})
    for path, operations in openapi.get("paths", {}).items():
        for method in _METHODS:
            op = operations.get(method)
            if op is None:
                continue
            anchor = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
            index.append(f"<li><a href='#{anchor}'><code>{method.upper()} {escape(path)}</code>"
                         f"</a> {_text(op.get('summary', ''))}</li>")
            sections.append(_operation(anchor, method, path, op, named))
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title} API</title><style>"
            "body{font-family:sans-serif;margin:2em;max-width:70em}"
            "section{border-top:2px solid #ccc;margin-top:2em}"
            "table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em;"
            "text-align:left;vertical-align:top}</style></head><body>"
            # landmarks: a screen reader's user jumps to the operations or past them
            f"<main><h1>{title}</h1><p>{_text(info.get('description', ''))}</p>"
            "<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code> or "
            "<code>X-API-Key: &lt;key&gt;</code> (keys: <code>chronochrome keys create --name "
            "NAME</code>). Errors are <code>application/problem+json</code> with a "
            "<code>reason</code>. The full description: "
            # relative: behind a proxy's prefix it is {prefix}/openapi.json
            "<a href='openapi.json'>/openapi.json</a>.</p>"
            f"<nav aria-label='operations'><ul>{''.join(index)}</ul></nav>"
            f"{''.join(sections)}</main></body></html>")


def _operation(anchor: str, method: str, path: str, op: dict[str, Any],
               named: dict[str, Any]) -> str:
    parts = [f"<section id='{anchor}'><h2><code>{method.upper()} {escape(path)}</code></h2>",
             f"<p><strong>{_text(op.get('summary', ''))}</strong></p>"]
    if op.get("description"):
        parts.append(f"<p>{_text(op['description'])}</p>")
    for where, heading in (("query", "Query parameters"), ("header", "Headers")):
        rows = [(p["name"], p.get("schema", {}), p.get("required", False),
                 p.get("description") or p.get("schema", {}).get("description", ""))
                for p in op.get("parameters", [])
                if p["in"] == where and p["name"].lower() not in _HIDDEN_PARAMETERS]
        if rows:
            parts.append(f"<h3>{heading}</h3>{_table(rows)}")
    body = op.get("requestBody")
    if body:
        parts.append("<h3>Request body</h3>")
        for ctype, content in body.get("content", {}).items():
            schema = _schema(content.get("schema", {}), named)
            parts.append(f"<h4><code>{escape(ctype)}</code></h4>{schema}")
    answers = "".join(
        f"<li><strong>{escape(code)}</strong> {_text(answer.get('description', ''))}"
        + (f" (<code>{escape(', '.join(answer['content']))}</code>)"
           if answer.get("content") else "") + "</li>"
        for code, answer in sorted(op.get("responses", {}).items()))
    parts.append(f"<h3>Answers</h3><ul>{answers}</ul></section>")
    return "".join(parts)


def _schema(schema: dict[str, Any], named: dict[str, Any]) -> str:
    """A body's schema: its fields as a table, then each object type it refers to (`named`:
    the document's components/schemas, where a `$ref` points)."""
    schema = named.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    if "properties" not in schema:
        return f"<p>{_text(schema.get('description', ''))} ({escape(_type(schema))})</p>"
    required = set(schema.get("required", []))
    rows = [(name, field, name in required, field.get("description", ""))
            for name, field in schema["properties"].items()]
    html = [_table(rows)]
    for name in _refs(schema["properties"]):
        sub = named.get(name, {})
        html.append(f"<h5>{escape(name)}</h5>")
        if sub.get("description"):
            html.append(f"<p>{_text(sub['description'])}</p>")
        html.append(_schema({k: v for k, v in sub.items() if k != "description"}, named))
    return "".join(html)


def _refs(node: Any) -> list[str]:
    """The names of the components/schemas that `node` refers to, in order, each once."""
    if isinstance(node, dict):
        own = [node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else []
        return list(dict.fromkeys(own + [n for value in node.values() for n in _refs(value)]))
    if isinstance(node, list):
        return list(dict.fromkeys(n for value in node for n in _refs(value)))
    return []


def _table(rows: list[tuple[str, dict[str, Any], bool, str]]) -> str:
    lines = "".join(f"<tr><td><code>{escape(name)}</code></td><td>{escape(_type(schema))}"
                    f"</td><td>{'required' if required else ''}</td><td>{_text(text)}</td></tr>"
                    for name, schema, required, text in rows)
    return (f"<table><tr><th>name</th><th>type</th><th>required</th><th>what it is</th></tr>"
            f"{lines}</table>")


def _type(schema: dict[str, Any]) -> str:
    """A JSON schema's type in words, with its limits: 'string, at most 500 characters'."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "string" and schema.get("format") == "binary":
        kind = "file"
    elif kind == "array":
        items = schema.get("items") or {}
        kind = f"list of {_type(items)}" if items else "list"
    limits = {"maxLength": "at most {} characters", "maxItems": "at most {} items",
              "minItems": "at least {} items", "minimum": "at least {}",
              "maximum": "at most {}"}
    said = [text.format(schema[key]) for key, text in limits.items() if key in schema]
    return ", ".join([kind, *said])


def _text(text: str) -> str:
    """Escaped text with `code` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def install_docs_page(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(public_openapi(generate()),
                                          app.state.service.config.metrics_token is not None)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return html_page(docs_html(app.openapi()))  # with its Content-Security-Policy
