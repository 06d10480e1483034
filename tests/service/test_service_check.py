"""POST /v1/check: behind a key, multipart, JSON findings or the HTML report; bad input is
problem+json."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from service_helpers import gray_png


def _color_png(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    gray = rng.integers(40, 220, (32, 48), dtype=np.uint8)
    rgb = np.stack([gray, (gray * 0.85).astype(np.uint8), (gray * 0.7).astype(np.uint8)], -1)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def test_check_needs_a_key(service):
    response = service.client.post("/v1/check", files={"file": ("c.png", _color_png())})
    assert response.status_code == 401


def _brightened_gray_png(data: bytes, levels: int = 40) -> bytes:
    """The colorization's own lightness, brightened: the same photo, its tones changed."""
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(gray + levels, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_check_answers_findings_and_luminance(service):
    colorized = _color_png()
    files = {"file": ("c.png", colorized, "image/png"),
             "original": ("g.png", _brightened_gray_png(colorized), "image/png")}
    response = service.client.post("/v1/check", headers=service.headers(), files=files,
                                    data={"hint": "USSR 1950"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hint"] == "USSR 1950" and body["size"] == [48, 32]
    # The server's weights folder is named, not where it lies on the server.
    assert "/" not in str(body["settings"]["model"].get("path") or "")
    # The original's tones were changed: its lightness does not match, and the check says so.
    assert body["luminance"]["matches"] is False
    assert body["findings"][0]["kind"] == "luminance" and body["passed"] is False
    # Another photo's gray is not this photo's original: refused, with the reason.
    files["original"] = ("g.png", gray_png(48, 32, seed=5), "image/png")
    other = service.client.post("/v1/check", headers=service.headers(), files=files)
    assert other.status_code == 422 and other.json()["reason"] == "not_comparable"
    assert "do not look like the same photo" in other.json()["detail"]


def test_check_report_as_html(service):
    response = service.client.post("/v1/check?report=html", headers=service.headers(),
                                   files={"file": ("c.png", _color_png(), "image/png")})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Plausibility report" in response.text and "reconstruction" in response.text


def test_bad_check_requests_are_problems(service):
    gray = service.client.post("/v1/check", headers=service.headers(),
                               files={"file": ("g.png", gray_png(), "image/png")})
    assert gray.status_code == 422 and "has no color" in gray.json()["detail"]
    junk = service.client.post("/v1/check", headers=service.headers(),
                               files={"file": ("c.png", b"not an image", "image/png")})
    assert junk.status_code in (415, 422)
    assert junk.headers["content-type"].startswith("application/problem+json")
    raw = service.client.post("/v1/check", content=_color_png(),
                              headers={**service.headers(), "Content-Type": "image/png"})
    assert raw.status_code == 415
    fmt = service.client.post("/v1/check?report=pdf", headers=service.headers(),
                              files={"file": ("c.png", _color_png(), "image/png")})
    assert fmt.status_code == 422


def _data_images(html: str) -> list[np.ndarray]:
    import base64
    import re

    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(found))).convert("L"))
            for found in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)]


def test_check_report_shows_a_16_bit_gray_original_in_its_tones(service):
    # A 16-bit master's pixels are float in [0, 1]: drawn as they were, the original in the
    # report came out black (and a float color original, a 10-bit HEIC, raised).
    colorized = _color_png()
    gray = np.asarray(Image.open(io.BytesIO(colorized)).convert("L"), dtype=np.uint16) * 257
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, format="PNG")
    files = {"file": ("c.png", colorized, "image/png"),
             "original": ("g.png", buffer.getvalue(), "image/png")}
    response = service.client.post("/v1/check?report=html", headers=service.headers(),
                                   files=files)
    assert response.status_code == 200, response.text
    means = sorted(float(image.mean()) for image in _data_images(response.text))
    assert len(means) >= 2 and means[0] > 40, means  # no black picture
