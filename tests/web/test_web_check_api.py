"""The workbench's check and report routes without a browser: findings and the lightness
verdict, the check kept per colorization, the report's HTML, and errors as one JSON line."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from web_helpers import gray_photo


@pytest.fixture(scope="module")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="module")
def colorized_photo(client) -> tuple[str, np.ndarray]:
    """An open photo, colorized: its id and the colorization's pixels."""
    r = client.post("/api/photos", files={"file": ("p.png", gray_photo(), "image/png")})
    photo = r.json()["id"]
    assert client.post(f"/api/photos/{photo}/colorize", json={"hint": "Kazan 1950s"}
                       ).status_code == 200
    png = client.get(f"/api/photos/{photo}/colorized.png").content
    return photo, np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _error(response, status: int, reason: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["reason"] == reason and "Traceback" not in error["message"]
    return error["message"]


def test_own_check_matches_and_is_kept_per_version(client, colorized_photo):
    photo, _ = colorized_photo
    first = client.post(f"/api/photos/{photo}/check").json()
    assert first["source"] == "own" and first["version"] == 1 and first["hint"] == "Kazan 1950s"
    assert first["luminance"]["matches"] and first["luminance"]["mean_abs_delta_l"] < 1.0
    assert first["luminance_verdict"].startswith("The lightness matches the original")
    bench = client.app.state.workbench
    kept = bench.photos.get(photo).checked
    assert kept[0] == 1
    client.post(f"/api/photos/{photo}/check")
    assert bench.photos.get(photo).checked[1] is kept[1]  # not checked again


def test_someone_elses_brightened_colorization(client, colorized_photo):
    photo, pixels = colorized_photo
    bright = _png(np.clip(pixels.astype(int) + 40, 0, 255))
    for extra, form in ((None, {"original_photo": photo}),
                        (("g.png", gray_photo(), "image/png"), {})):
        files = {"file": ("b.png", bright, "image/png")}
        if extra:
            files["original"] = extra
        view = client.post("/api/check", files=files, data=form).json()
        assert view["source"] == "other" and not view["passed"]
        assert view["findings"][0]["kind"] == "luminance"
        assert view["findings"][0]["severity"] == "high"
        assert view["luminance"]["mean_abs_delta_l"] > 10
        assert "does not match" in view["luminance_verdict"]
    alone = client.post("/api/check", files={"file": ("b.png", bright, "image/png")}).json()
    assert alone["luminance"] is None and "not compared" in alone["luminance_verdict"]


def test_check_errors_are_one_json_line(client, colorized_photo):
    photo, pixels = colorized_photo
    color = ("c.png", _png(pixels), "image/png")
    message = _error(client.post("/api/check", files={"file": ("g.png", gray_photo(),
                                                               "image/png")}), 422, "no_color")
    assert "has no color" in message
    message = _error(client.post("/api/check", files={
        "file": color, "original": ("o.png", gray_photo(48, 100), "image/png")}),
        422, "not_comparable")
    assert "shapes differ" in message
    _error(client.post("/api/check", files={"file": color, "original": ("o.png", gray_photo(),
                                                                       "image/png")},
                       data={"original_photo": photo}), 422, "two_originals")
    _error(client.post("/api/check", files={"file": ("x.png", b"junk", "image/png")}),
           415, "unsupported")
    fresh = client.post("/api/photos", files={"file": ("q.png", gray_photo(), "image/png")})
    fresh_id = fresh.json()["id"]
    _error(client.post(f"/api/photos/{fresh_id}/check"), 409, "not_colorized")
    _error(client.get(f"/api/photos/{fresh_id}/report.html"), 409, "not_colorized")
    _error(client.get("/api/photos/nope/report.html"), 404, "photo_not_found")


def test_report_html_and_pdf_without_chromium(client, colorized_photo, monkeypatch):
    photo, _ = colorized_photo
    page = client.get(f"/api/photos/{photo}/report.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "The colors in this image are a reconstruction" in page.text
    assert "Kazan 1950s" in page.text and "Exemplars used by the colorization" in page.text
    monkeypatch.setenv("CHRONOCHROME_CHROMIUM", "/nonexistent/chromium")
    message = _error(client.get(f"/api/photos/{photo}/report.pdf"), 503, "pdf_unavailable")
    assert "no Chromium found" in message and ".html" in message


def test_a_gray_colorization_with_its_original_is_checked(client):
    """A colorization that came out gray is checked against its original (its lightness),
    with a note saying it has no color, instead of being refused."""
    gray = gray_photo()
    response = client.post("/api/check", files={"file": ("g.png", gray, "image/png"),
                                                "original": ("o.png", gray, "image/png")})
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["luminance"]["mean_abs_delta_l"] < 1
    assert any("has no color" in note for note in view["notes"])


def test_a_sharpened_colorization_is_not_said_to_have_changed_tones():
    # The page said "its tones were changed, retouched or come from another scan" for a
    # colorization that differs only in fine detail (the check's detail_only).
    from types import SimpleNamespace

    from colorizer.apps.web.checks import luminance_verdict
    from colorizer.check.findings import LuminanceMatch

    settings = {"luminance_mean": 2.0, "luminance_p99": 12.0}
    sharpened = LuminanceMatch(mean_abs=3.1, p99_abs=19.0, matches=False, resized=False,
                               detail_only=True)
    verdict = luminance_verdict(SimpleNamespace(luminance=sharpened, settings=settings))
    assert verdict.startswith("The tones match the original; only fine detail differs")
    assert "retouched or come from another scan" not in verdict
    retouched = LuminanceMatch(mean_abs=9.0, p99_abs=30.0, matches=False, resized=False)
    assert "its tones were changed" in luminance_verdict(
        SimpleNamespace(luminance=retouched, settings=settings))
