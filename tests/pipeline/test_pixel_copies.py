"""Big photos make no doubled or full-size temporary copies: the loader's pixels are copied a
band of rows at a time (`np.asarray` joins `tobytes` chunks, holding the photo twice), and the
exemplar panel shrinks a big photo before making it gray.

The loader's bound is read with tracemalloc, which sees Python's bytes and NumPy's arrays; the
panel's with the peak RSS of a child process (PIL's own memory is invisible to tracemalloc)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline import image_pixels
from colorizer.pipeline.guidance import exemplar_panel
from colorizer.pipeline.image_pixels import to_srgb

_SMALL_BAND = 1 << 12  # 4 KB bands: a 64x200 photo is copied in many bands


def _photo(mode: str, size: tuple[int, int] = (64, 200)) -> Image.Image:
    values = np.random.default_rng(7).integers(0, 256, (size[1], size[0], 4), dtype=np.uint8)
    rgba = Image.fromarray(values, "RGBA")
    if mode in ("I;16", "I;16B", "I", "F"):
        wide = values[..., 0].astype(np.int32) * 257 - (mode == "I") * 1000
        image = Image.fromarray(wide.astype(np.float32 if mode == "F" else np.int32), "I"
                                if mode != "F" else "F")
        return image.convert(mode) if mode.startswith("I;16") else image
    return rgba.convert(mode)


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA", "1", "P", "CMYK", "I;16",
                                  "I;16B", "I", "F"])
def test_band_copy_is_the_same_array(monkeypatch, mode):
    from colorizer.pipeline.image_pixels import pixel_array

    monkeypatch.setattr(image_pixels, "_BAND_BYTES", _SMALL_BAND)
    image = _photo(mode)
    expected = np.asarray(image)
    copied = pixel_array(image)
    assert copied.dtype == expected.dtype and copied.shape == expected.shape
    assert np.array_equal(copied, expected)


def test_band_copy_of_one_band_photo_is_asarray():
    from colorizer.pipeline.image_pixels import pixel_array

    image = _photo("RGB", (5, 3))
    assert np.array_equal(pixel_array(image), np.asarray(image))


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_to_srgb_holds_the_pixels_once(monkeypatch, mode):
    """np.asarray held tobytes' chunks and their join: twice the pixels at once."""
    monkeypatch.setattr(image_pixels, "_BAND_BYTES", 1 << 16, raising=False)
    image = _photo(mode, (2000, 1500))
    expected = np.asarray(image)
    tracemalloc.start()
    try:
        pixels, _ = to_srgb(image, None, "big")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(pixels, expected)
    assert peak < 1.3 * pixels.nbytes, f"{peak / pixels.nbytes:.2f}x the pixels at once"


def _panel(photo: Image.Image) -> np.ndarray:
    maps = (np.linspace(0, 1, 12 * 16, dtype=np.float32).reshape(12, 16),)
    exemplar = Image.new("RGB", (40, 40), (200, 30, 30))
    return np.asarray(exemplar_panel(photo, (exemplar,), maps, ["flag"]))


def test_panel_of_an_ordinary_photo_is_made_as_before():
    photo = _photo("RGB", (900, 600))
    gray = np.asarray(photo.convert("L").resize((288, 192)), dtype=np.float32) / 255.0
    heat = np.asarray(Image.fromarray(np.linspace(0, 1, 12 * 16, dtype=np.float32)
                                      .reshape(12, 16)).resize((288, 192), Image.BILINEAR))
    heat = np.clip(heat / max(float(heat.max()), 1e-6), 0, 1)
    over = np.stack([gray * (1 - heat) + heat, gray * (1 - heat), gray * (1 - heat)], -1)
    assert np.array_equal(_panel(photo)[4:196, 204:], (over * 255).astype(np.uint8))


_PANEL_PEAK = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from PIL import Image
    from colorizer.pipeline.guidance import exemplar_panel
    photo = Image.new("RGB", (6000, 4400), (120, 80, 40))
    maps = (np.linspace(0, 1, 12 * 16, dtype=np.float32).reshape(12, 16),)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    panel = exemplar_panel(photo, (photo.crop((0, 0, 40, 40)),), maps, ["flag"])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) * 1024, panel.size)
""")


def test_panel_shrinks_a_huge_photo_before_making_it_gray():
    """A 26 MP photo's full-size gray copy is 26 MB; the panel needs 256x192 of it."""
    from colorizer.pipeline import guidance

    assert 6000 * 4400 > getattr(guidance, "PANEL_FULL_SIZE_GRAY_PIXELS", 0)
    done = subprocess.run([sys.executable, "-c", _PANEL_PEAK], capture_output=True, text=True,
                          timeout=120, check=True)
    grown, size = done.stdout.split(maxsplit=1)
    assert size.strip() == "(466, 216)"  # one row: the exemplar, and the 6000x4400 photo at 262x192
    assert int(grown) < 10 * 2**20, f"the panel grew the peak by {int(grown) / 2**20:.0f} MB"


def test_big_panel_is_the_exact_panel_within_one_level(monkeypatch):
    photo = _photo("RGB", (900, 600))
    exact = _panel(photo).astype(np.int16)
    monkeypatch.setattr("colorizer.pipeline.guidance.PANEL_FULL_SIZE_GRAY_PIXELS", 1000)
    shrunk_first = _panel(photo).astype(np.int16)
    assert np.abs(shrunk_first - exact).max() <= 1
