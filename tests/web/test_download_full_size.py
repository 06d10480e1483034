"""The workbench's "Download the colorization" saves what `chronochrome colorize` writes for
the same photo, hint and color hints: the full-size PNG (16 bits a channel for a 16-bit
master) with its provenance XMP, named after the photo (Content-Disposition). It saved the
page's display-size copy (a 3000x2000 photo came back 1600 px wide) with no metadata at all.
The page's own picture stays display-size. Driven through the real app with its test client;
the command line runs in-process (`colorizer.apps.cli.main`) with the same tiny model."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from colorizer.apps.cli import main
from colorizer.pipeline.provenance import DIGITAL_SOURCE_TYPE, read_xmp

cv2 = pytest.importorskip("cv2")  # reads 16-bit RGB PNG (Pillow reads it at 8 bits)

HINT = "Paris 1925"
COLOR_HINTS = [{"point": [40, 150], "color": "#b22222", "source": "the family's memory"}]
SIZE = (320, 200)  # the display copy is 64 px: every difference shows
CLI_ARGS = ("--render-size", "64", "--no-context", "--no-exemplars", "--chroma-scale", "3")


def _pipeline(weights):
    from colorizer import ColorizationPipeline

    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64, chroma_scale=3.0)


@pytest.fixture(scope="module")
def client(shared_tiny_weights):
    from colorizer.apps.web.app import create_app
    from colorizer.apps.web.config import WebConfig

    config = WebConfig(max_photos=3, display_side=64)
    return TestClient(create_app(_pipeline(shared_tiny_weights), config))


def _gray(deep: bool = False) -> bytes:
    y, x = np.mgrid[0:SIZE[1], 0:SIZE[0]]
    ramp = 0.15 + 0.6 * (x / SIZE[0]) * 0.7 + 0.2 * (y > SIZE[1] // 2)
    pixels = np.round(ramp * (65535 if deep else 255)).astype(np.uint16 if deep else np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _colorize_and_download(client, name: str, data: bytes):
    photo = client.post("/api/photos", files={"file": (name, data, "image/png")}).json()
    answer = client.post(f"/api/photos/{photo['id']}/colorize",
                         json={"hint": HINT, "color_hints": COLOR_HINTS})
    assert answer.status_code == 200, answer.text
    return photo, client.get(f"/api/photos/{photo['id']}/download")


def _cli_output(weights, tmp_path, name: str, data: bytes) -> bytes:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "hints.json").write_text(json.dumps(COLOR_HINTS))
    out = tmp_path / "out"
    assert main(["colorize", "--weights", str(weights), "--device", "cpu", *CLI_ARGS,
                 "--hint", HINT, "--color-hints", str(tmp_path / "hints.json"),
                 str(tmp_path / name), "-o", str(out)]) == 0
    (written,) = out.glob("*.png")
    return written.read_bytes()


def _pixels(data: bytes) -> np.ndarray:
    """RGB as stored, 8 or 16 bits."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)[..., ::-1]


def _lightness(pixels: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB pixels, gray (H, W) or RGB (H, W, 3), 8 or 16 bits."""
    c = pixels.astype(np.float64) / np.iinfo(pixels.dtype).max
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126729, 0.7151522, 0.0721750]) if c.ndim == 3 else linear
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def _stable(xmp: bytes) -> str:
    """The XMP without what differs between two runs: dates, document and instance ids."""
    text = xmp.decode("utf-8")
    text = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)?", "<date>", text)
    return re.sub(r"(xmp\.[id]id|uuid):[0-9a-fA-F-]+", "<id>", text)


@pytest.mark.parametrize("deep", [False, True], ids=["8-bit", "16-bit master"])
def test_the_download_is_what_the_command_line_writes(client, shared_tiny_weights, tmp_path,
                                                      deep):
    data = _gray(deep)
    _photo, answer = _colorize_and_download(client, "family photo.png", data)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="family photo.colorized.png"')
    downloaded = _pixels(answer.content)
    assert downloaded.shape == (SIZE[1], SIZE[0], 3)  # the input's size, not the page's 64 px
    assert downloaded.dtype == (np.uint16 if deep else np.uint8)
    cli = _cli_output(shared_tiny_weights, tmp_path, "family photo.png", data)
    assert np.array_equal(downloaded, _pixels(cli))
    source = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)  # gray
    gap = np.abs(_lightness(downloaded) - _lightness(source))
    assert gap.max() < (0.02 if deep else 0.5), gap.max()  # L* kept (8 bits: rounding)
    xmp = read_xmp(answer.content)
    assert xmp is not None and DIGITAL_SOURCE_TYPE.encode() in xmp
    model = re.search(rb"<chronochrome:ModelName>([^<]+)</chronochrome:ModelName>", xmp)
    assert model and b"(model " + model.group(1) in xmp  # and in AISystemVersionUsed
    assert b"<Iptc4xmpExt:AIPromptInformation>Paris 1925" in xmp
    assert b"the family&apos;s memory" in xmp or b"the family's memory" in xmp
    assert _stable(xmp) == _stable(read_xmp(cli))


def test_the_page_still_shows_a_display_size_copy(client):
    photo, answer = _colorize_and_download(client, "street.png", _gray())
    shown = Image.open(io.BytesIO(client.get(f"/api/photos/{photo['id']}/colorized.png")
                                  .content))
    assert shown.size == (64, 40)
    assert Image.open(io.BytesIO(answer.content)).size == SIZE


@pytest.mark.parametrize(("name", "header"), [
    ("Großmutter 1931.jpg", ("attachment; filename=\"Gro_mutter 1931.colorized.png\"; "
                            "filename*=UTF-8''Gro%C3%9Fmutter%201931.colorized.png")),
    ("../../etc/scan.tif", 'attachment; filename="scan.colorized.png"'),
    ("box 3/50% off.png", ('attachment; filename="50_ off.colorized.png"; '
                          "filename*=UTF-8''50%25%20off.colorized.png")),
])
def test_the_download_is_named_after_the_photo(client, name, header):
    _, answer = _colorize_and_download(client, name, _gray())
    assert answer.headers["content-disposition"] == header


def test_a_photo_not_colorized_yet_has_nothing_to_download(client):
    photo = client.post("/api/photos", files={"file": ("x.png", _gray(), "image/png")}).json()
    answer = client.get(f"/api/photos/{photo['id']}/download")
    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "not_colorized"
    missing = client.get("/api/photos/0123456789abcdef/download")
    assert missing.status_code == 404 and "open it again" in missing.json()["error"]["message"]
