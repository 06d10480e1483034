"""The loader's note on a deep color file names the file's own depth: a 12-bit scanner's PPM
(maxval 4095) was "16-bit color read at 16 bits a channel"."""

from __future__ import annotations

import numpy as np

from colorizer.pipeline.imageio import load_image

HEIGHT, WIDTH = 32, 48


def _ppm(values: np.ndarray, maxval: int) -> bytes:
    """A binary color PPM as scanimage writes it, big-endian at more than 8 bits."""
    header = f"P6\n# scanimage\n{WIDTH} {HEIGHT}\n{maxval}\n".encode()
    return header + values.astype(">u2").tobytes()


def _sepia(maxval: int) -> np.ndarray:
    t = np.linspace(0.05, 0.95, WIDTH)[None, :] * np.linspace(0.8, 1.0, HEIGHT)[:, None]
    return np.round(np.stack([t ** 0.9, t, t ** 1.15], axis=-1) * maxval).astype(np.uint16)


def test_a_12bit_color_ppm_is_said_to_be_12_bits():
    values = _sepia(4095)
    loaded = load_image(_ppm(values, 4095), name="slide.ppm")
    # Was "16-bit color read at 16 bits a channel".
    assert "12-bit color read at 12 bits a channel" in loaded.notes
    assert not any("16-bit" in note for note in loaded.notes), loaded.notes
    np.testing.assert_allclose(loaded.pixels, values / 4095, atol=1e-6)  # read as before


def test_a_12bit_gray_print_scanned_in_color_is_said_to_be_12_bits():
    gray = _sepia(4095)[..., 1:2].repeat(3, axis=-1)
    loaded = load_image(_ppm(gray, 4095), name="print.ppm")
    assert loaded.notes == ("12-bit RGB of a gray photo read at 12 bits, as grayscale",)


def test_a_16bit_color_ppm_keeps_its_note():
    loaded = load_image(_ppm(_sepia(65535), 65535), name="scan.ppm")
    assert "16-bit color read at 16 bits a channel" in loaded.notes
