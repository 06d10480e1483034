"""Sample photos that installed packages ship (nothing from ../shared is bundled)."""

from __future__ import annotations

from pathlib import Path

# Debian's visp-images-data: the 1927 Solvay conference photo (black and white).
SOLVAY = Path("/usr/share/visp-images-data/ViSP-images/Solvay/"
              "Solvay_conference_1927_Version2_1280x881.jpg")


def skimage_camera() -> Path | None:
    """scikit-image's grayscale `camera` photo, shipped inside its wheel."""
    try:
        import skimage
    except ImportError:
        return None
    path = Path(skimage.__file__).parent / "data" / "camera.png"
    return path if path.is_file() else None


def sample_photos() -> list[Path]:
    """The bundled sample photos that exist on this machine (at least one after set-up)."""
    found = [p for p in (SOLVAY, skimage_camera()) if p is not None and p.is_file()]
    if not found:
        raise FileNotFoundError(
            "no sample photos found: run `make demo` (installs scikit-image and Debian's "
            "visp-images-data) or pass your own photos"
        )
    return found
