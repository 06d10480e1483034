"""HEIC/HEIF photos, as iPhones save them and Android phones share them, read through
pillow-heif (registered only when a HEIC is met): upright by their EXIF orientation, their
Display P3 converted to sRGB, a burst's primary image used and the others named, 10-bit color
said, through the command line (a real subprocess), the Python API and the loader. An install
without pillow-heif is told `pip install pillow-heif`. Every file is made here."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms

from colorizer import ColorizationPipeline
from colorizer.errors import UnsupportedImageError
from colorizer.pipeline.imageio import load_image, shown_notes
from tests.heic_files import (
    GREEN_P3,
    ORANGE_P3,
    display_p3,
    iphone_heic,
    stored_photo,
    ten_bit_heic,
    write_heic,
)

pytest.importorskip("pillow_heif")
REPO = Path(__file__).resolve().parents[1]
CLI_FLAGS = ("--device", "cpu", "--render-size", "64", "--no-context", "--no-exemplars")


def _in_srgb(p3_color: tuple[int, int, int]) -> np.ndarray:
    """What littleCMS makes of a Display P3 color in sRGB."""
    pixel = Image.new("RGB", (1, 1), p3_color)
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(display_p3()))
    return np.asarray(ImageCms.profileToProfile(pixel, p3, ImageCms.createProfile("sRGB")))[0, 0]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _cli(*args: object, cwd: Path, prelude: str = "") -> subprocess.CompletedProcess:
    """`chronochrome ARGS` in a fresh interpreter; `prelude` runs first (e.g. to hide a
    module, as on a machine where it is not installed)."""
    argv = [str(arg) for arg in args]
    code = f"{prelude}\nimport sys\nfrom colorizer.apps.cli import main\nsys.exit(main({argv!r}))"
    return _python(code, cwd)


def test_an_iphone_heic_is_read_upright_and_in_srgb(tmp_path):
    # The loader refused every HEIC: "convert it to JPEG or PNG first".
    loaded = load_image(iphone_heic(tmp_path / "IMG_0001.HEIC"))
    assert loaded.source_format == "HEIF" and loaded.size == (32, 48)  # stored 48 x 32
    assert "EXIF orientation 6 applied" in loaded.notes
    assert "embedded ICC profile 'Display P3' converted to sRGB" in loaded.notes
    # Orientation 6 turns the stored top left (green) to the top right.
    np.testing.assert_allclose(loaded.pixels[0, -1], _in_srgb(GREEN_P3), atol=2)
    np.testing.assert_allclose(loaded.pixels[-1, 0], _in_srgb(ORANGE_P3), atol=2)
    assert abs(int(loaded.pixels[-1, 0, 0]) - ORANGE_P3[0]) > 8  # converted, not read as sRGB
    assert loaded.carried.exif is not None and b"iPhone 13" in loaded.carried.exif


def test_a_burst_uses_its_primary_image_and_names_the_others(tmp_path):
    others = [Image.new("RGB", (40, 24), (90, 90, 90)), Image.new("RGB", (40, 24), (10, 10, 10))]
    path = write_heic(tmp_path / "burst.heic", [others[0], stored_photo(), others[1]], primary=1)
    loaded = load_image(path)
    assert loaded.size == (48, 32) and loaded.frames == 3
    note = "frame 2 of 3 used (the primary image); the other 2 (a burst's or a Live Photo's"
    assert any(shown.startswith(note) for shown in shown_notes(loaded.notes))


def test_a_10_bit_heic_is_read_at_its_depth(tmp_path):
    loaded = load_image(ten_bit_heic(tmp_path / "hdr.heic"))  # more: test_heic_depth.py
    assert "10-bit color read at its depth (scaled by its white, 10 bits)" in loaded.notes
    ramp = loaded.pixels[..., 0].ravel()
    assert loaded.pixels.dtype == np.float32 and np.unique(ramp).size > 256
    assert ramp[0] <= 1 / 255 and ramp[-1] >= 254 / 255 and np.all(np.diff(ramp) >= -1 / 255)


def test_an_nclx_only_p3_heic_says_its_colors_are_read_as_srgb(tmp_path):
    # Some Android phones describe a HEIC's colors by an nclx box alone, without ICC.
    nclx = {"color_primaries": 12, "transfer_characteristics": 13, "matrix_coefficients": 6,
            "full_range_flag": 1}
    loaded = load_image(write_heic(tmp_path / "android.heic", [stored_photo()],
                                   nclx_profile=nclx))
    note = "nclx color profile ignored (Display P3 primaries): colors read as sRGB"
    assert note in shown_notes(loaded.notes)
    plain = load_image(write_heic(tmp_path / "srgb.heic", [stored_photo()]))
    assert not any("nclx" in note for note in plain.notes)


def test_depth_maps_and_gain_maps_are_named_as_not_used():
    # pillow-heif writes neither, so the note is checked on its info as it reports an iPhone
    # portrait's (a depth image; an HDR gain map and a matte among the auxiliary images).
    from colorizer.pipeline.heif_opener import heif_notes  # new: absent before

    info = {"depth_images": [object()], "bit_depth": 8,
            "aux": {"urn:com:apple:photo:2020:aux:hdrgainmap": [51],
                    "urn:com:apple:photo:2019:aux:semanticskinmatte": [52]}}
    image = Image.new("RGB", (4, 4))
    image.info.update(info)
    note = "depth map, HDR gain map, portrait matte in the file not used (the primary image"
    assert heif_notes(image, 1) == [f"{note} is colorized)"]


def test_a_damaged_heic_says_so_and_how_to_get_a_whole_one(tmp_path):
    data = iphone_heic(tmp_path / "whole.heic").read_bytes()
    path = tmp_path / "IMG_0002.HEIC"
    path.write_bytes(data[:200])  # the ftyp box and a part of the meta box
    with pytest.raises(UnsupportedImageError) as caught:
        load_image(path)
    message = str(caught.value)
    assert "is a HEIC/HEIF photo (as iPhones save them) that pillow-heif could not read" in message
    assert "re-download" in message and "Most Compatible" in message


def test_the_python_api_colorizes_a_heic(tmp_path, shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    result = pipe(iphone_heic(tmp_path / "IMG_0003.HEIC"))
    assert result.image.size == (32, 48)
    assert result.to_dict()["input"]["format"] == "HEIF"


def test_the_python_api_reads_a_folder_of_phone_photos(tmp_path):
    # A folder of HEICs was "folder holds no image files" to the Python API and training.
    from colorizer.pipeline.imageio import iter_image_files

    iphone_heic(tmp_path / "IMG_0005.HEIC")
    iphone_heic(tmp_path / "IMG_0006.heif")
    assert [p.name for p in iter_image_files([tmp_path])] == ["IMG_0005.HEIC", "IMG_0006.heif"]


def test_the_cli_colorizes_a_folder_of_phone_photos(tmp_path, shared_tiny_weights):
    # A folder of iPhone photos failed each HEIC with "convert it to JPEG or PNG first".
    iphone_heic(tmp_path / "in" / "IMG_0004.HEIC")
    write_heic(tmp_path / "in" / "shared.heif", [stored_photo()])
    done = _cli("colorize", tmp_path / "in", "-o", tmp_path / "out", "--weights",
                shared_tiny_weights, *CLI_FLAGS, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 colorized, 0 skipped (already done), 0 failed" in done.stdout
    with Image.open(tmp_path / "out" / "IMG_0004.png") as upright:
        assert upright.size == (32, 48)
    assert (tmp_path / "out" / "shared.png").is_file() and "Traceback" not in done.stderr


def test_without_pillow_heif_the_error_says_pip_install_pillow_heif(tmp_path,
                                                                    shared_tiny_weights):
    photo = iphone_heic(tmp_path / "IMG_0005.HEIC")
    hidden = "import sys; sys.modules['pillow_heif'] = None  # as if not installed"
    done = _cli("colorize", photo, "-o", tmp_path / "out", "--weights", shared_tiny_weights,
                *CLI_FLAGS, cwd=tmp_path, prelude=hidden)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "IMG_0005.HEIC: is a HEIC/HEIF photo (as iPhones save them), and pillow-heif, " \
           "which reads it, is not installed" in done.stderr
    assert "pip install --upgrade pillow-heif" in done.stderr and "heif-convert" in done.stderr


def test_pillow_heif_is_loaded_only_when_a_heic_is_met(tmp_path, shared_tiny_weights):
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (48, 1))).save(tmp_path / "a.png")
    iphone_heic(tmp_path / "b.heic")
    code = (f"import sys\nfrom colorizer.apps.cli import main\n"
            f"main(['colorize', 'a.png', '-o', 'out', '--weights', {str(shared_tiny_weights)!r},"
            f" *{CLI_FLAGS!r}])\n"
            "print('after a PNG:', 'pillow_heif' in sys.modules)\n"
            "from colorizer.pipeline.imageio import load_image\nload_image('b.heic')\n"
            "print('after a HEIC:', 'pillow_heif' in sys.modules)\n")
    done = _python(code, tmp_path)
    assert "after a PNG: False" in done.stdout and "after a HEIC: True" in done.stdout, done.stderr


def test_registering_pillow_heif_changes_no_other_format(tmp_path):
    """Every other format reads to the same pixels and notes after the HEIF opener is in."""
    photo = stored_photo()
    for name, options in (("a.png", {}), ("b.jpg", {"exif": Image.Exif()}), ("c.tif", {}),
                          ("d.webp", {"lossless": True}), ("e.gif", {}), ("f.bmp", {}),
                          ("g.avif", {"quality": 100})):
        try:
            photo.save(tmp_path / name, **options)
        except (KeyError, OSError):  # a Pillow without that encoder
            continue
    code = ("import hashlib, pathlib\nfrom colorizer.pipeline import heif_opener\n"
            "from colorizer.pipeline.imageio import load_image\n"
            "def read():\n"
            "    return {p.name: (hashlib.sha256(load_image(p).pixels.tobytes()).hexdigest(),"
            " load_image(p).notes, load_image(p).source_format)"
            " for p in sorted(pathlib.Path('.').iterdir())}\n"
            "before = read()\nassert heif_opener.heif_reader_problem() is None\n"
            "print(len(before), before == read())\n")
    done = _python(code, tmp_path)
    assert done.stdout.split()[-1] == "True" and int(done.stdout.split()[0]) >= 6, done.stderr


@pytest.mark.shared
def test_a_real_photo_saved_as_heic_colorizes_as_its_jpeg_does(tmp_path, shared_datasets,
                                                                shared_tiny_weights):
    source = shared_datasets / "historical-bw" / "deoldify__LondonKidsEarly1900s.jpg"
    with Image.open(source) as jpeg:
        photo = jpeg.convert("RGB").resize((160, 120))
    heic = iphone_heic(tmp_path / "in" / "IMG_0006.HEIC", photo)
    done = _cli("colorize", heic, "-o", tmp_path / "out", "--weights", shared_tiny_weights,
                *CLI_FLAGS, "--report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / "out" / "IMG_0006.png") as colorized:
        assert colorized.size == (120, 160)
    loaded = load_image(heic)
    expected = np.asarray(photo.rotate(-90, expand=True).convert("L"), dtype=float)
    lightness = np.asarray(Image.fromarray(loaded.pixels).convert("L"), dtype=float)
    assert np.abs(lightness - expected).mean() < 6  # its pixels, turned; P3 changes little
