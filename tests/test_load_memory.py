"""The loader holds a bilevel scan as 8-bit gray, and reads 16-bit gray without a whole uint16
copy, with the same L* (so the same output) as before.

User audit (an archive colorizing huge scans): a 1-bit CCITT G4 page came back as RGB, 3 bytes
a pixel where 1 does (12000 x 9000: `load_image` peaked at 1158 MB RSS, now 521 MB; the whole
`colorize` at 1910 MB, now 1669 MB, the PNG's pixels identical), and a 16-bit gray PNG was
copied whole to uint16 before it was scaled to float32 (1235 -> 1027 MB at 108 MP).

Peaks are measured as a person would see them: the peak RSS of a child process, PIL's own
memory included (tracemalloc does not see it), reset (`/proc/self/clear_refs`) after the
imports so the import peak does not hide the load's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.pipeline.context_gray import context_gray
from colorizer.pipeline.image_pixels import to_srgb, unit_pixels
from colorizer.pipeline.imageio import load_image
from colorizer.pipeline.luminance import lightness_of


def _bilevel_page(path, size=(400, 300), seed=3):
    """A fax-coded (CCITT G4) 1-bit TIFF, as archives' document scanners write them."""
    width, height = size
    ink = np.random.default_rng(seed).random((height, width)) < 0.3
    page = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L")
    page.convert("1", dither=Image.Dither.NONE).save(path, compression="group4", dpi=(600, 600))
    return path


def test_bilevel_page_is_held_as_8bit_gray(tmp_path):
    path = _bilevel_page(tmp_path / "page.tif")
    loaded = load_image(path)
    assert loaded.source_mode == "1"
    assert loaded.pixels.shape == (300, 400) and loaded.pixels.dtype == np.uint8
    with Image.open(path) as page:
        assert np.array_equal(loaded.pixels, np.asarray(page.convert("L")))
    assert set(np.unique(loaded.pixels).tolist()) == {0, 255}
    assert not loaded.is_color and loaded.notes == ()


def test_bilevel_page_keeps_its_lightness_and_context_gray(tmp_path):
    """What the pipeline reads of the photo (its L*, and the 8-bit gray context inference
    reads) is, to the bit, what the old RGB pixels gave: the output cannot change."""
    path = _bilevel_page(tmp_path / "page.tif")
    loaded = load_image(path)
    with Image.open(path) as page:  # what the loader held before: the page as 8-bit RGB
        as_rgb = replace(loaded, pixels=np.asarray(page.convert("RGB")))
    assert torch.equal(lightness_of(loaded), lightness_of(as_rgb))
    assert context_gray(loaded).tobytes() == context_gray(as_rgb).tobytes()


def test_bilevel_page_with_an_icc_profile_is_still_converted_as_rgb(tmp_path):
    """A profile is applied to RGB pixels, as before (a bilevel page rarely carries one)."""
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with Image.open(_bilevel_page(tmp_path / "page.tif")) as page:
        page.load()
        pixels, notes = to_srgb(page, srgb, "page.tif")
    assert pixels.shape == (300, 400, 3) and any("ICC" in note for note in notes)


_PEAK_CHILD = textwrap.dedent("""
    import sys
    from colorizer.pipeline.imageio import load_image

    def peak_mb():
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        return int(status.split()[0]) / 1024

    def rss_mb():
        return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

    load_image(sys.argv[1], max_pixels=10**9)  # once: libraries' first-use buffers
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the RSS now
    before = rss_mb()
    loaded = load_image(sys.argv[1], max_pixels=10**9)
    print(peak_mb() - before, loaded.pixels.nbytes / 2**20)
""")


def _load_peak_mb(path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", _PEAK_CHILD, str(path)], capture_output=True,
                          text=True, timeout=300, check=True)
    peak, held = done.stdout.split()
    return float(peak), float(held)


def test_bilevel_load_peak_is_about_a_byte_a_pixel(tmp_path):
    """24 MP page: 239 MB above the RSS before (RGB: Pillow's 4 bytes a pixel, the array's 3)
    on the old code; about 4 bytes a pixel now (the 1-bit frame, its gray and the array, at a
    byte each in Pillow's memory and NumPy's)."""
    width, height = 6000, 4000
    peak, held = _load_peak_mb(_bilevel_page(tmp_path / "page.tif", (width, height)))
    pixels_mb = width * height / 2**20
    assert held == pytest.approx(pixels_mb)  # (H, W) uint8
    assert peak < 6 * pixels_mb, f"load peaked {peak:.0f} MB above its start"


def test_16bit_gray_is_scaled_without_a_whole_uint16_copy(tmp_path):
    """The pixels are the image's uint16 values (`unit_pixels` gives the old float32 ones to
    the bit), and the NumPy memory made on the way is the result and a band (a whole (H, W)
    uint16 copy made it 1.5 times a float32 result on older code)."""
    height, width = 3000, 4000
    ramp = (np.arange(height * width, dtype=np.uint32) * 7919 % 65536).astype(np.uint16)
    image = Image.fromarray(ramp.reshape(height, width))
    assert image.mode.startswith("I;16")
    expected = np.clip(np.asarray(image).astype(np.float32) / np.float32(65535.0), 0.0, 1.0)
    tracemalloc.start()
    try:
        pixels, notes = to_srgb(image, None, "scan.png")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pixels.dtype == np.uint16 and np.array_equal(pixels, np.asarray(image))
    assert np.array_equal(unit_pixels(pixels), expected)
    assert notes == ["16-bit grayscale scaled to [0,1]"]
    assert peak < 1.35 * pixels.nbytes, f"{peak / 2**20:.1f} MB for {pixels.nbytes / 2**20} MB"


def test_16bit_gray_png_loads_to_the_same_pixels(tmp_path):
    """Through the whole loader, from a file: the values of `np.asarray(...) / 65535`."""
    values = (np.random.default_rng(5).integers(0, 65536, (300, 500))).astype(np.uint16)
    Image.fromarray(values).save(tmp_path / "scan.png")
    loaded = load_image(tmp_path / "scan.png")
    assert loaded.pixels.dtype == np.uint16 and loaded.pixels.shape == (300, 500)
    assert np.array_equal(loaded.pixels, values)
    assert np.array_equal(unit_pixels(loaded.pixels),
                          values.astype(np.float32) / np.float32(65535.0))
    assert loaded.notes == ("16-bit grayscale scaled to [0,1]",)
