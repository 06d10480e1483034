"""The merge at full size does not hold the photo's whole L* (full_lightness.py), and 16-bit
gray is scaled without whole-photo float temporaries (image_pixels.scaled_gray): the same
pixels, less memory (eval/bench_memory.py has the 108 MP figures)."""

from __future__ import annotations

import gc
import io
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.pipeline import luminance
from colorizer.pipeline.image_pixels import to_srgb, unit_pixels
from colorizer.pipeline.imageio import load_image

REPO = Path(__file__).resolve().parents[2]


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")  # uint16 (H, W): "I;16"
    return buffer.getvalue()


def test_sixteen_bit_gray_is_scaled_without_whole_photo_temporaries():
    values = np.random.default_rng(3).integers(0, 65536, (2048, 2048), dtype=np.uint16)
    image = Image.fromarray(values)
    assert image.mode == "I;16"
    tracemalloc.start()
    try:
        gray, notes = to_srgb(image, None, "scan.png")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    want = np.clip(values.astype(np.float32) / np.float32(65535.0), 0.0, 1.0)
    assert gray.dtype == np.uint16 and np.array_equal(gray, values)  # kept as its values
    assert np.array_equal(unit_pixels(gray), want)
    assert notes == ["16-bit grayscale scaled to [0,1]"]
    # The pixels read (8 MB, briefly twice), the result (16 MB) and a 4 MB band: 32 MB. The
    # cast, the quotient and the clip of the whole photo were 16 MB each: 40 MB at once.
    assert peak < 36 * 2**20, f"{peak / 2**20:.1f} MB"


@pytest.mark.parametrize("mode", ["L", "RGB", "I;16"])
def test_lightness_by_rows_is_the_whole_lightness_to_the_bit(mode, monkeypatch):
    monkeypatch.setattr(luminance, "BAND_PIXELS", 37 * 50)  # many bands
    rng = np.random.default_rng(5)
    array = {"L": rng.integers(0, 256, (203, 50), dtype=np.uint8),
             "RGB": rng.integers(0, 256, (203, 50, 3), dtype=np.uint8),
             "I;16": rng.integers(0, 65536, (203, 50), dtype=np.uint16)}[mode]
    loaded = load_image(_png(array))
    whole = luminance.lightness_of(loaded)
    for band in luminance.row_bands(203, 50):
        assert torch.equal(luminance.lightness_rows(loaded.pixels, band), whole[..., band, :])


def test_the_prepared_photo_lets_its_lightness_go_for_the_merge(shared_tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False)
    photo = pipe.prepare(np.random.default_rng(0).integers(0, 256, (300, 400), dtype=np.uint8))
    whole = weakref.ref(photo.lightness)
    want = photo.lightness.clone()
    result = pipe.finish(photo, pipe.predict([photo])[0])
    gc.collect()
    assert whole() is None, "the whole L* is still held after the merge"
    assert torch.equal(photo.lightness, want)  # asked again, it is made again, the same
    assert result.image.size == (400, 300)


_MERGE_PEAK = textwrap.dedent("""
    import sys
    import numpy as np
    from colorizer.pipeline.colorization import ColorizationPipeline

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) / 1024

    pipe = ColorizationPipeline.from_pretrained(sys.argv[1], device="cpu", context=False,
                                                exemplars=False)
    across = np.linspace(30, 220, 6000, dtype=np.float32)
    down = np.linspace(30, 220, 4000, dtype=np.float32)
    pixels = ((across[None, :] + down[:, None]) / 2).astype(np.uint8)  # 24 MP gray
    photo = pipe.prepare(pixels)
    prediction = pipe.predict([photo])[0]
    del pixels
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from here
    before = status("VmRSS")
    pipe.finish(photo, prediction)
    print(status("VmHWM") - before)
""")


@pytest.mark.slow
def test_the_merge_of_a_24_mp_photo_adds_its_output_not_a_held_lightness(shared_tiny_weights):
    """The merge makes the 8-bit RGB (96 MB in PIL), the uncertainty map (96 MB) and its
    band work: 376 MB more. The photo's L* (96 MB of float32) was held through it as well:
    476 MB (2026-12-07, 2 shared cores)."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc to read a peak")
    done = subprocess.run([sys.executable, "-c", _MERGE_PEAK, str(shared_tiny_weights)],
                          capture_output=True, text=True, timeout=300, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    added = float(done.stdout.split()[-1])
    assert added < 425, f"the merge raised the peak by {added:.0f} MB"
