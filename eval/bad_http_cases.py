"""The requests of the HTTP bad-input suite (eval/bad_http.py), and the hostile upstream server
its URL and IIIF cases point the service at.

Each `Request` is sent as raw bytes over a socket, so that what no HTTP client library would
send (a made-up method, a 64 KB header, a body shorter than its Content-Length) can be sent too.
"""

from __future__ import annotations

import io
import json
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
from PIL import Image

from eval.bad_inputs import _encoded, _file_cases, _gray


@dataclass
class Request:
    name: str
    method: str = "GET"
    path: str = "/v1/jobs"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    auth: str | None = "key"  # "key": the suite's API key; None: no Authorization header
    declared_length: int | None = None  # Content-Length to claim; None: the body's length
    pause_after: float = 0.0  # seconds to stay silent after sending (a slow or stuck client)
    group: str = "misc"


def raw_bytes(req: Request, key: str, host: str) -> bytes:
    """The request as it goes on the wire (HTTP/1.1, Connection: close)."""
    headers = {"Host": host, "Connection": "close", **req.headers}
    if req.auth == "key":
        headers.setdefault("Authorization", f"Bearer {key}")
    has_body = (req.body or req.declared_length is not None
                or req.method in ("POST", "PUT", "PATCH"))
    if has_body and "Transfer-Encoding" not in headers:
        length = req.declared_length if req.declared_length is not None else len(req.body)
        headers.setdefault("Content-Length", str(length))
    head = f"{req.method} {req.path} HTTP/1.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1", "replace") + req.body


def _png(image: Image.Image) -> bytes:
    return _encoded(image, "PNG")


def bomb_png(width: int, height: int) -> bytes:
    """A valid all-black PNG that compresses to a few KB whatever its size (a zip bomb)."""
    raw = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(raw.compress(row) for _ in range(height)) + raw.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


def _json(name: str, body: Any, group: str = "json", **kw: Any) -> Request:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Request(name, "POST", "/v1/jobs", {"Content-Type": "application/json"}, data,
                   group=group, **kw)


def _multipart(parts: list[tuple[str, str | None, str | None, bytes]],
               boundary: str = "xYzBoundary") -> tuple[dict[str, str], bytes]:
    """(headers, body) of a multipart/form-data body of (field, file name, type, data)."""
    out = io.BytesIO()
    for name, filename, ctype, data in parts:
        out.write(f"--{boundary}\r\n".encode())
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"Content-Disposition: {disp}\r\n".encode())
        if ctype:
            out.write(f"Content-Type: {ctype}\r\n".encode())
        out.write(b"\r\n" + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}, out.getvalue()


JOB = "/v1/jobs/nosuchjob"  # a route that exists for GET, so auth is what answers


def auth_cases() -> list[Request]:
    bad = [("none", {}), ("empty bearer", {"Authorization": "Bearer "}),
           ("wrong key", {"Authorization": "Bearer nope"}),
           ("basic", {"Authorization": "Basic dXNlcjpwYXNz"}),
           ("10 KB key", {"Authorization": "Bearer " + "k" * 10_000}),
           ("latin-1 key", {"Authorization": "Bearer \xe9\xff\xfe"}),
           ("x-api-key wrong", {"X-API-Key": "wrong"})]
    return [Request(f"auth {label}", path=JOB, headers=h, auth=None, group="auth")
            for label, h in bad] + [
        Request("auth metrics without token", path="/metrics", auth=None, group="auth"),
        Request("auth metrics with api key", path="/metrics", group="auth")]


def method_and_path_cases() -> list[Request]:
    cases = [Request(f"method {m} /v1/jobs", m, group="method")
             for m in ("PUT", "PATCH", "TRACE", "OPTIONS", "FOO", "X" * 200)]
    cases += [Request("method GET /v1/colorize", "GET", "/v1/colorize", group="method"),
              Request("method DELETE /livez", "DELETE", "/livez", group="method")]
    for label, path in [("unknown job", "/v1/jobs/nosuchjob"),
                        ("dotdot id", "/v1/jobs/..%2F..%2Fetc%2Fpasswd"),
                        ("NUL id", "/v1/jobs/%00"),
                        ("5000-char id", "/v1/jobs/" + "a" * 5000),
                        ("unicode id", "/v1/jobs/%E2%98%83"),
                        ("negative item", "/v1/jobs/nosuchjob/items/-1/result"),
                        ("huge item", "/v1/jobs/nosuchjob/items/99999999999999999999999/result"),
                        ("text item", "/v1/jobs/nosuchjob/items/abc/provenance"),
                        ("unknown manifest", "/v1/jobs/nosuchjob/manifest"),
                        ("unknown original", "/v1/jobs/nosuchjob/items/0/original"),
                        ("no such route", "/v2/everything"),
                        ("delete unknown", "/v1/jobs/nosuchjob")]:
        cases.append(Request(f"path {label}", "DELETE" if label == "delete unknown" else "GET",
                             path, group="path"))
    return cases


def json_cases() -> list[Request]:
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        _json("json malformed", b"{"), _json("json empty body", b""), _json("json null", None),
        _json("json array", []), _json("json string", "x"), _json("json number", 123),
        _json("json items string", {"items": "x"}), _json("json items empty", {"items": []}),
        _json("json item empty", {"items": [{}]}),
        _json("json url is number", {"items": [{"url": 5}]}),
        _json("json upload negative", {"items": [{"upload": -1}]}),
        _json("json upload missing file", {"items": [{"upload": 3}]}),
        _json("json two sources", {"items": [{"url": "http://a.example/x.png", "upload": 0}]}),
        _json("json nested 100k", deep), _json("json nested object 70",
                                               b'{"a":' * 70 + b"1" + b"}" * 70),
        _json("json 1e999", b'{"items": [{"upload": 1e999}]}'),
        _json("json bad utf-8", b'{"items": [{"url": "\xff\xfe"}]}'),
        _json("json BOM", b"\xef\xbb\xbf" + json.dumps({"items": [{"upload": 0}]}).encode()),
        _json("json format bmp", {"items": [{"url": "http://a.example/x.png"}],
                                  "format": "bmp"}),
        _json("json hint 1 MB", {"items": [{"url": "http://a.example/x.png",
                                            "hint": "h" * 1_000_000}]}),
        _json("json unknown field", {"items": [{"url": "http://a.example/x.png"}], "zz": 1}),
        _json("json 10000 items", {"items": [{"url": "http://a.example/x.png"}] * 10_000}),
        _json("json webhook file url", {"items": [{"url": "http://a.example/x.png"}],
                                        "webhook": {"url": "file:///etc/passwd"}}),
        _json("json webhook bad secret", {"items": [{"url": "http://a.example/x.png"}],
                                          "webhook": {"url": "http://a.example/h",
                                                      "secret": "short"}}),
    ]


def header_and_body_cases(max_upload: int) -> list[Request]:
    png = _png(_gray())
    cases = [
        Request("header 64 KB value", path="/v1/jobs/nosuchjob",
                headers={"X-Big": "v" * 65_536}, group="header"),
        Request("header 1 MB value", path="/v1/jobs/nosuchjob",
                headers={"X-Big": "v" * 1_048_576}, group="header"),
        Request("header 300 headers", path="/v1/jobs/nosuchjob",
                headers={f"X-H{i}": "v" for i in range(300)}, group="header"),
        Request("header bad content-length", "POST", headers={"Content-Length": "abc",
                                                              "Content-Type": "image/png"},
                body=png, group="header"),
        Request("header negative content-length", "POST",
                headers={"Content-Length": "-5", "Content-Type": "image/png"}, group="header"),
        Request("header CL and TE", "POST", headers={"Content-Type": "image/png",
                                                     "Transfer-Encoding": "chunked",
                                                     "Content-Length": "5"},
                body=b"zz\r\nhello\r\n0\r\n\r\n", group="header"),
        Request("header no content-type", "POST", body=png, group="header"),
        Request("header odd content-type", "POST", headers={"Content-Type": "text/html"},
                body=b"<html>", group="header"),
        Request("body declared above cap", "POST", headers={"Content-Type": "image/png"},
                declared_length=max_upload + 1, group="body"),
        Request("body chunked above cap", "POST",
                headers={"Content-Type": "image/png", "Transfer-Encoding": "chunked"},
                body=_chunked(b"\x00" * (max_upload + 1024)), group="body"),
        Request("body shorter than declared (slow loris)", "POST",
                headers={"Content-Type": "image/png"}, body=png[:20],
                declared_length=len(png), pause_after=1.0, group="body"),
    ]
    headers, body = _multipart([("file", "a.png", "image/png", png)], boundary="one")
    cases += [
        Request("multipart wrong boundary", "POST", "/v1/jobs", {**headers, "Content-Type":
                "multipart/form-data; boundary=other"}, body, group="multipart"),
        Request("multipart no boundary", "POST", "/v1/jobs",
                {"Content-Type": "multipart/form-data"}, body, group="multipart"),
        Request("multipart garbage", "POST", "/v1/jobs", headers, b"--one\r\n\x00\xff" * 50,
                group="multipart"),
    ]
    for label, parts in [
        ("request not JSON", [("request", None, None, b"{nope"), ("file", "a.png",
                                                                  "image/png", png)]),
        ("request nested", [("request", None, None, b"[" * 50_000)]),
        ("2000 files", [("file", f"{i}.png", "image/png", b"x") for i in range(2000)]),
        ("file is text", [("file", "a.png", "text/plain", b"hello")]),
        ("upload index beyond files", [("request", None, None,
                                        b'{"items": [{"upload": 5}]}'),
                                       ("file", "a.png", "image/png", png)]),
    ]:
        headers, body = _multipart(parts)
        cases.append(Request(f"multipart {label}", "POST", "/v1/jobs", headers, body,
                             group="multipart"))
    return cases


def _chunked(data: bytes, size: int = 1 << 20) -> bytes:
    parts = [f"{len(data[i:i + size]):x}\r\n".encode() + data[i:i + size] + b"\r\n"
             for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def image_cases() -> list[Request]:
    files = _file_cases(None)  # type: ignore[arg-type]  # the root is not used
    chosen = ["truncated-50.png", "truncated-90.jpg", "garbage.png", "text.tif", "empty.png",
              "flipped-bytes.webp", "pdf.jpg", "heic.jpg", "zip.png", "header-100000x100000.png",
              "header-2147483647x1.png", "header-65000x65000.jpg", "header-huge.gif",
              "header-huge.bmp", "mode-F-nan-all.tif", "mode-CMYK.jpg", "mode-animated.gif",
              "mode-I16.png", "strip-1x5000-real.png"]
    cases = [Request(f"image {n} /v1/colorize", "POST", "/v1/colorize",
                     {"Content-Type": "application/octet-stream"}, files[n], group="image")
             for n in chosen]
    bomb = bomb_png(20_000, 20_000)  # 400 MP behind ~1 MB: refused from the header
    cases += [Request("image bomb 400 MP /v1/jobs", "POST", "/v1/jobs",
                      {"Content-Type": "image/png"}, bomb, group="image"),
              Request("image above sync cap /v1/colorize", "POST", "/v1/colorize",
                      {"Content-Type": "image/png"}, bomb_png(3000, 3000), group="image")]
    return cases


def url_cases(upstream: str) -> list[Request]:
    """Jobs whose photos the worker fetches from the hostile upstream (or must refuse)."""
    def job(name: str, item: dict[str, str]) -> Request:
        return _json(f"url {name}", {"items": [item]}, group="url")

    cases = [job("file scheme", {"url": "file:///etc/passwd"}),
             job("gopher scheme", {"url": "gopher://a.example/"}),
             job("metadata address", {"url": "http://169.254.169.254/latest/meta-data"}),
             job("not a url", {"url": "not a url"}),
             job("no host", {"url": "http:///x.png"}),
             job("userinfo to loopback", {"url": "http://a.example@10.0.0.1/x.png"})]
    for path in UPSTREAM_ROUTES:
        kind = "iiif_image" if path.startswith("/iiif/") else (
            "iiif_manifest" if path.startswith("/manifest") else "url")
        base = path.removesuffix("/info.json")  # an Image API item names its base URL
        cases.append(job(f"{kind} {base}", {kind: upstream + base}))
    return cases


def _manifest(label: Any, canvases: int) -> bytes:
    items = [{"id": f"c{i}", "type": "Canvas", "width": 10, "height": 10, "items": []}
             for i in range(canvases)]
    return json.dumps({"@context": "http://iiif.io/api/presentation/3/context.json",
                       "id": "m", "type": "Manifest", "label": label, "items": items}).encode()


def _info(width: int, height: int) -> bytes:
    return json.dumps({"@context": "http://iiif.io/api/image/3/context.json", "id": "x",
                       "type": "ImageService3", "profile": "level0", "width": width,
                       "height": height}).encode()


# path -> (status, headers, body) of the hostile upstream; PORT is replaced by its port.
UPSTREAM_ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/garbage.png": (200, {"Content-Type": "image/png"}, b"\x89PNG garbage" * 10),
    "/missing.png": (404, {}, b"no"),
    "/error.png": (500, {}, b"boom"),
    "/loop.png": (302, {"Location": "/loop.png"}, b""),
    "/to-metadata.png": (302, {"Location": "http://169.254.169.254/x"}, b""),
    "/to-file.png": (302, {"Location": "file:///etc/passwd"}, b""),
    "/no-location.png": (302, {}, b""),
    "/huge-declared.png": (200, {"Content-Type": "image/png", "Content-Length": "99999999999"},
                           b""),
    "/bomb.png": (200, {"Content-Type": "image/png"}, bomb_png(20_000, 20_000)),
    "/html.png": (200, {"Content-Type": "text/html"}, b"<html>hi</html>"),
    "/iiif/notjson/info.json": (200, {}, b"<html>not json</html>"),
    "/iiif/width0/info.json": (200, {}, _info(0, 100)),
    "/iiif/huge/info.json": (200, {}, _info(10**9, 10**9)),
    "/iiif/nested/info.json": (200, {}, b"[" * 100_000),
    "/iiif/list/info.json": (200, {}, b"[1, 2, 3]"),
    "/manifest-notjson": (200, {}, b"{nope"),
    "/manifest-nested": (200, {}, b'{"items":' * 5000 + b"1" + b"}" * 5000),
    "/manifest-string-label": (200, {}, _manifest("just a string", 1)),
    "/manifest-no-canvases": (200, {}, _manifest({"en": ["x"]}, 0)),
    "/manifest-10000-canvases": (200, {}, _manifest({"en": ["x"]}, 10_000)),
    "/manifest-wrong-types": (200, {}, json.dumps({"items": "x", "label": 5}).encode()),
}


class Upstream:
    """A local HTTP server serving UPSTREAM_ROUTES (on loopback only)."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None
                 ) -> None:
        routes = UPSTREAM_ROUTES if routes is None else routes
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value.replace("PORT", str(owner.port)))
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def good_upload_cases() -> list[Request]:
    """Valid photos, so the suite also shows that good requests still succeed."""
    gray = _gray(64, 48)
    headers, body = _multipart([("file", "a.png", "image/png", _png(gray)),
                                ("hint", None, None, b"Kazan 1950s")])
    return [Request("good colorize png", "POST", "/v1/colorize", {"Content-Type": "image/png"},
                    _png(gray), group="good"),
            Request("good job multipart", "POST", "/v1/jobs", headers, body, group="good"),
            Request("good livez", path="/livez", auth=None, group="good")]


def build_requests(upstream: str, max_upload: int) -> list[Request]:
    makers: list[Callable[[], list[Request]]] = [
        auth_cases, method_and_path_cases, json_cases, image_cases, good_upload_cases,
        lambda: header_and_body_cases(max_upload), lambda: url_cases(upstream)]
    cases = [case for make in makers for case in make()]
    rng = np.random.default_rng(17)
    cases.append(Request("image random bytes job", "POST", "/v1/jobs",
                         {"Content-Type": "image/jpeg"}, rng.bytes(5000), group="image"))
    return cases
