"""The plausibility report shows the pixels the check read (colorizer/check/report_images.py).

Run as a historian runs it: `chronochrome check COLORIZED --original PHOTO --report r.html`
and `chronochrome report PHOTO` in a subprocess, the page opened in headless Chromium and
its images read back through a canvas. The report opened files again with Pillow, without
the loader's EXIF turn or ICC conversion: a turned photo was shown on its side (its finding
boxes, placed on the check's upright image, drawn on the unturned one), an Adobe RGB one in
the wrong colors; `report` decoded its photo three times.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from colorizer.pipeline.imageio import load_image
from tests import icc_profiles
from tests.web.web_helpers import browser_api, launch_chromium

REPO = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 96, 160  # upright (portrait); a size nothing else the check decodes has
ORIENTATION_TAG = 0x0112
# The CLI with each decode of a file of the stored size (argv[1]) logged to argv[2].
COUNTED_CLI = """
import sys
from PIL import ImageFile
real = ImageFile.ImageFile.load
size = tuple(int(v) for v in sys.argv[1].split("x"))
def counted(image):
    if image.tile and image.size == size:
        with open(sys.argv[2], "a") as log:
            log.write(image.format + "\\n")
    return real(image)
ImageFile.ImageFile.load = counted
from colorizer.apps.cli import main
sys.exit(main(sys.argv[3:]))
"""
# Each image of the page as Chromium decodes it: [width, height, RGBA bytes].
IMAGES_JS = """() => [...document.images].map(img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return [c.width, c.height, Array.from(g.getImageData(0, 0, c.width, c.height).data)];
})"""


def _upright_colorization() -> np.ndarray:
    """(HEIGHT, WIDTH, 3) uint8: a red top over a blue bottom, on texture."""
    rng = np.random.default_rng(7)
    gray = np.clip(np.linspace(70, 190, HEIGHT)[:, None] + rng.normal(0, 6, (HEIGHT, WIDTH)),
                   0, 255)
    tint = np.where(np.arange(HEIGHT)[:, None, None] < HEIGHT // 2, [1.3, 0.7, 0.7],
                    [0.7, 0.85, 1.3])
    return np.clip(gray[..., None] * tint, 0, 255).astype(np.uint8)


def _turned_jpeg(upright: Image.Image, path: Path) -> Path:
    """`upright` stored on its side with EXIF orientation 6 (turn 90 degrees clockwise)."""
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(path, quality=95, exif=exif)
    with Image.open(path) as stored:
        assert stored.size == (HEIGHT, WIDTH)
        assert ImageOps.exif_transpose(stored).size == (WIDTH, HEIGHT)
    return path


def _gray_of(color: np.ndarray) -> Image.Image:
    return Image.fromarray(color, "RGB").convert("L")


def _run(args: list[str], log: Path, stored_size: tuple[int, int]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    size = f"{stored_size[0]}x{stored_size[1]}"
    return subprocess.run([sys.executable, "-c", COUNTED_CLI, size, str(log), *args,
                           "--device", "cpu"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def _shown(page: Path) -> list[np.ndarray]:
    """The page's images, (h, w, 3) uint8 each, as headless Chromium shows them."""
    api = browser_api()
    with api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            tab = browser.new_page()
            tab.goto(page.resolve().as_uri())
            images = tab.evaluate(IMAGES_JS)
        finally:
            browser.close()
    return [np.asarray(data, np.uint8).reshape(h, w, 4)[..., :3] for w, h, data in images]


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.slow
def test_check_report_shows_a_turned_colorization_upright(tmp_path):
    color = _upright_colorization()
    colorized = _turned_jpeg(Image.fromarray(color, "RGB"), tmp_path / "turned.jpg")
    original = tmp_path / "original.png"
    _gray_of(color).save(original)
    report = tmp_path / "r.html"
    run = _run(["check", str(colorized), "--original", str(original), "--report",
                str(report)], tmp_path / "log", (HEIGHT, WIDTH))
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    shown_original, shown_color, shown_marked, heat = _shown(report)
    assert shown_original.shape == shown_color.shape == (HEIGHT, WIDTH, 3)
    assert shown_marked.shape == heat.shape == (HEIGHT, WIDTH, 3)  # boxes on the upright one
    checked = load_image(colorized).pixels  # what the check read: upright
    assert _diff(shown_color, checked) < 0.5
    assert shown_color[: HEIGHT // 3, :, 0].mean() > shown_color[: HEIGHT // 3, :, 2].mean() + 40
    # Each file was decoded once, for the check and its report (the turned one was twice).
    assert (tmp_path / "log").read_text().split() == ["JPEG"]


@pytest.mark.slow
def test_check_report_shows_profiled_files_in_the_colors_the_check_read(tmp_path):
    """An Adobe RGB colorization beside a gray original in Photoshop's default gray profile
    (Dot Gain 20%). The page showed the original's numbers as if they were sRGB: 22 levels
    too dark on average (the gray profile, carried into an RGB PNG, is not one a browser
    can apply). An Adobe RGB file's PNG carried its profile and showed right in Chromium."""
    color = _upright_colorization()
    colorized = tmp_path / "adobe.jpg"
    Image.fromarray(color, "RGB").save(colorized, quality=95, icc_profile=icc_profiles.adobe_rgb())
    original = tmp_path / "dot_gain.jpg"
    _gray_of(color).save(original, quality=95, icc_profile=icc_profiles.dot_gain(0.2))
    report = tmp_path / "r.html"
    run = _run(["check", str(colorized), "--original", str(original), "--report",
                str(report)], tmp_path / "log", (WIDTH, HEIGHT))
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    shown_original, shown_color = _shown(report)[:2]
    for shown, path in ((shown_original, original), (shown_color, colorized)):
        checked = load_image(path).pixels  # in sRGB, as the check read it
        checked = checked if checked.ndim == 3 else np.repeat(checked[..., None], 3, axis=2)
        with Image.open(path) as raw:
            as_stored = np.asarray(raw.convert("RGB"))  # the file's numbers read as sRGB
        assert _diff(checked, as_stored) > 5, path  # the two differ enough to tell apart
        assert _diff(shown, checked) < 0.5, path
    # Each file decoded once, for the check and its report (the two were twice each).
    assert (tmp_path / "log").read_text().split() == ["JPEG", "JPEG"]


@pytest.mark.slow
def test_report_decodes_its_photo_once_and_shows_it_upright(tmp_path):
    gray = _gray_of(_upright_colorization())
    photo = _turned_jpeg(gray, tmp_path / "turned.jpg")
    report = tmp_path / "r.html"
    run = _run(["report", str(photo), "-o", str(report)], tmp_path / "log", (HEIGHT, WIDTH))
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "report written to" in run.stdout
    # The pipeline, the check and the report each decoded it: now the loader once.
    assert (tmp_path / "log").read_text().split() == ["JPEG"]
    shown_original, shown_color = _shown(report)[:2]
    assert shown_original.shape == shown_color.shape == (HEIGHT, WIDTH, 3)
    checked = load_image(photo).pixels  # (HEIGHT, WIDTH) gray, upright
    assert _diff(shown_original, np.repeat(checked[..., None], 3, axis=2)) < 0.5


# A report page of a large colorization with a finding and a likelihood map, its peak memory
# measured around report_html alone (PIL's pixels are not seen by tracemalloc: RSS is).
LARGE_PAGE = """
import resource, sys
import numpy as np
from PIL import Image
from colorizer.check.findings import CheckReport, Finding
from colorizer.check.report_html import report_html
from context.types import SceneContext
w, h = 8000, 6000
image = Image.fromarray(np.full((h, w, 3), 120, np.uint8))
finding = Finding("likelihood", "high", "unlikely", {}, (100, 200, 3000, 2500), 0.1, None)
check = CheckReport((finding,), SceneContext.empty("test"), (), None, (w, h), None,
                    {"model": {}}, likelihood=np.full((300, 400), 0.01, np.float32))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
page = report_html(check, image, None, name="large.png")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024, page.count("data:image/png;base64,"))
"""


@pytest.mark.slow
def test_report_page_of_a_large_colorization_holds_no_full_size_copy():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", LARGE_PAGE], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    grown_mb, images = (int(v) for v in run.stdout.split())
    assert images == 3  # colorization, findings marked, likelihood
    # The marked copy and the heat map were made at 8000 x 6000 (192 MB each as PIL RGB).
    assert grown_mb < 100, f"report_html grew the peak by {grown_mb} MB"


def test_likelihood_map_at_display_size_looks_as_the_full_size_one_shown(tmp_path):
    """The map made at the page's size, not at 3000 x 2000 and then reduced to it: the page
    looks the same (the shown pixels within a level or two)."""
    from colorizer.check.report_html import data_uri, likelihood_image

    rng = np.random.default_rng(3)
    ratio = 10 ** rng.uniform(-4, 0, (60, 90)).astype(np.float32)
    full = likelihood_image(ratio, (3000, 2000))
    shown_before = _data_uri_pixels(data_uri(full))
    shown_now = _data_uri_pixels(data_uri(likelihood_image(ratio, (900, 600))))
    assert shown_before.shape == shown_now.shape == (600, 900, 3)
    assert _diff(shown_before, shown_now) < 2.0


def _data_uri_pixels(uri: str) -> np.ndarray:
    import base64

    data = base64.b64decode(uri.split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))
