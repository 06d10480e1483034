"""Damaged files as an archive's drive holds them (cut short by a failed copy, bit rot, the
wrong suffix), made by seeded mutation of small real files of each format the loader reads:
each one loads or fails with the loader's clear error, and a batch over them goes on. One
photo's unexpected error (a bug its data sets off) costs that photo, not the batch."""

from __future__ import annotations

import io
import logging
import random
from pathlib import Path

import numpy as np
import pytest
from batch_helpers import photo_folder, run_colorize
from PIL import Image, ImageCms, PngImagePlugin, features

from colorizer.errors import ImageLoadError
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image

KINDS = ("truncate", "flip", "zero", "duplicate", "suffix")
SUFFIXES = (".jpg", ".png", ".tif", ".webp", ".bmp", ".gif", ".pgm")


def _photo() -> Image.Image:
    """A 48 x 40 gray photo-like picture: a gradient with seeded grain."""
    rng = np.random.default_rng(7)
    ramp = np.linspace(30, 220, 48)[None, :] + np.linspace(-20, 20, 40)[:, None]
    return Image.fromarray(np.clip(ramp + rng.normal(0, 12, (40, 48)), 0, 255).astype(np.uint8))


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def seed_files() -> dict[str, bytes]:
    """One small file per format and variant the loader accepts."""
    gray = _photo()
    rgb = gray.convert("RGB")
    deep = Image.fromarray(np.asarray(gray).astype(np.uint16) * 257)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x0112], exif[0x010E] = 6, "A street, 1920"
    text = PngImagePlugin.PngInfo()
    text.add_text("Description", "Berlin 1930")
    seeds = {
        "base.jpg": _encoded(rgb, "JPEG", exif=exif.tobytes(), icc_profile=icc),
        "prog.jpg": _encoded(gray, "JPEG", progressive=True, exif=exif.tobytes()),
        "text.png": _encoded(gray, "PNG", pnginfo=text, icc_profile=icc),
        "deep.png": _encoded(deep, "PNG"),
        "lzw.tif": _encoded(rgb, "TIFF", compression="tiff_lzw"),
        "deflate.tif": _encoded(deep, "TIFF", compression="tiff_adobe_deflate"),
        "pages.tif": _encoded(gray, "TIFF", save_all=True, append_images=[gray]),
        "x.webp": _encoded(rgb, "WEBP"),
        "x.bmp": _encoded(rgb, "BMP"),
        "x.gif": _encoded(gray, "GIF"),
        "x.pgm": _encoded(gray, "PPM"),
    }
    if features.check_codec("jpg_2000"):
        seeds["x.jp2"] = _encoded(rgb, "JPEG2000")
    return seeds


def _mutated(data: bytes, kind: str, rnd: random.Random) -> bytes:
    if kind == "truncate":
        return data[:rnd.randrange(1, len(data))]
    changed = bytearray(data)
    at, size = rnd.randrange(len(data)), rnd.choice((16, 256))
    if kind == "flip":
        for _ in range(rnd.choice((1, 4, 16))):
            changed[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
    elif kind == "zero":
        changed[at:at + size] = bytes(len(changed[at:at + size]))
    elif kind == "duplicate":
        where = rnd.randrange(len(data))
        changed[where:where] = data[at:at + size]
    return bytes(changed)


def mutated_corpus(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    """`count` seeded mutations of `seed_files`, m000_<kind>_<seed name>.<suffix>."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd, seeds = random.Random(seed), seed_files()
    names, paths = sorted(seeds), []
    for n in range(count):
        name, kind = names[n % len(names)], KINDS[rnd.randrange(len(KINDS))]
        stem, suffix = name.rsplit(".", 1)
        suffix = rnd.choice(SUFFIXES) if kind == "suffix" else "." + suffix
        path = folder / f"m{n:03d}_{kind}_{stem}{suffix}"
        path.write_bytes(_mutated(seeds[name], kind, rnd))
        paths.append(path)
    return paths


def test_every_mutated_file_loads_or_fails_with_the_loaders_error(tmp_path):
    paths = mutated_corpus(tmp_path, 48)
    failed = 0
    for path in paths:
        try:
            loaded = load_image(path)
        except ImageLoadError as exc:  # anything else fails the test: a bug, not an answer
            failed += 1
            assert str(exc).startswith(f"{path}: ") and exc.fix, str(exc)
            assert "Traceback" not in str(exc)
            continue
        assert loaded.pixels.size > 0 and loaded.sha256
    truncated = [p for p in paths if "_truncate_" in p.name]
    assert truncated and failed >= len(truncated)  # a cut-short file never passes as whole
    for path in truncated:
        with pytest.raises(ImageLoadError, match="re-download"):
            load_image(path)


def test_a_batch_over_mutated_files_goes_on_and_names_each_failure(tmp_path, tiny_weights,
                                                                   capsys):
    folder = tmp_path / "drive"
    paths = mutated_corpus(folder, 24)
    good = photo_folder(tmp_path / "good", 2)
    for photo in good.iterdir():
        photo.rename(folder / f"z_{photo.name}")
    out = tmp_path / "out"
    assert run_colorize(tiny_weights, folder, "-o", out) == 1
    err = capsys.readouterr()
    assert "Traceback" not in err.err
    errors = [line for line in err.err.splitlines() if line.startswith("error: ")]
    assert errors and all("internal error" not in line for line in errors)
    done = int(err.out.split(" colorized")[0].split()[-1])
    assert done + len(errors) == len(paths) + 2, err.out
    assert (out / "z_p0.png").is_file() and (out / "z_p1.png").is_file()
    truncated = [p for p in paths if "_truncate_" in p.name]
    for path in truncated:
        assert any(line.startswith(f"error: {path}: ") for line in errors), path.name


@pytest.mark.parametrize(("stage", "error"), [
    ("prepare", TypeError("unsupported operand")),
    ("prepare", KeyError("ImageDescription")),
    ("finish", IndexError("list index out of range")),
    ("predict", AttributeError("'NoneType' object has no attribute 'shape'")),
])
def test_one_photos_unexpected_error_costs_that_photo_not_the_batch(
        tmp_path, tiny_weights, capsys, caplog, monkeypatch, stage, error):
    """A bug one photo's data sets off ended the batch with a traceback, the photos after it
    not colorized; now the summary names that photo, the traceback goes to the log (-v)."""
    original = getattr(ColorizationPipeline, stage)

    def failing(self, first, *args, **kwargs):
        photos = first if isinstance(first, list) else [first]
        if any("p1.png" in str(getattr(getattr(p, "loaded", p), "name", "")) for p in photos):
            raise error
        return original(self, first, *args, **kwargs)

    monkeypatch.setattr(ColorizationPipeline, stage, failing)
    src, out = photo_folder(tmp_path / "in", 3), tmp_path / "out"
    with caplog.at_level(logging.DEBUG, logger="colorizer.apps.stages"):
        assert run_colorize(tiny_weights, src, "-o", out) == 1
    err = capsys.readouterr()
    assert "Traceback" not in err.err
    assert f"error: {src / 'p1.png'}: could not be colorized (internal error: " \
           f"{type(error).__name__}: " in err.err
    assert "1 colorized" not in err.out and "2 colorized, 0 skipped (already done), 1 failed" \
        in err.out
    assert (out / "p0.png").is_file() and (out / "p2.png").is_file()
    assert not (out / "p1.png").exists()
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[1] is error]
    assert logged and logged[0].levelno == logging.DEBUG  # the traceback, for -v


def _tiff_with_width(width: int) -> bytes:
    """A small uncompressed TIFF whose ImageWidth tag says `width` (a flipped header bit)."""
    data = bytearray(_encoded(_photo(), "TIFF"))
    offset = int.from_bytes(data[4:8], "little")
    for n in range(int.from_bytes(data[offset:offset + 2], "little")):
        entry = offset + 2 + 12 * n
        if int.from_bytes(data[entry:entry + 2], "little") == 256:  # ImageWidth
            data[entry + 2:entry + 12] = (4).to_bytes(2, "little") + (1).to_bytes(
                4, "little") + width.to_bytes(4, "little")  # LONG, one value
    return bytes(data)


def test_a_header_claiming_more_pixels_than_its_file_holds_is_called_damaged(tmp_path):
    """It said "raise the limit with --max-pixels 848927129400": no cap makes it a photo."""
    path = tmp_path / "scan.tif"
    path.write_bytes(_tiff_with_width(0xFD00_0000 + 48))
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    message = str(info.value)
    assert "cannot hold that many pixels, so its header is most likely damaged" in message
    assert "re-download" in message and "--max-pixels" not in message
    # A real photo above the cap still gets the cap's fix.
    big = tmp_path / "big.png"
    Image.new("L", (300, 200)).save(big)
    with pytest.raises(ImageLoadError, match=r"raise the limit with --max-pixels 60000"):
        load_image(big, max_pixels=1000)


@pytest.mark.parametrize("name", ["x.webp", "x.gif", "base.jpg", "text.png"])
def test_a_file_whose_first_bytes_rotted_is_not_sent_to_a_converter(tmp_path, name):
    """A damaged first byte of a .webp said only "convert it to PNG, JPEG, ... first"."""
    data = bytearray(seed_files()[name])
    data[0] ^= 0x40
    path = tmp_path / name
    path.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    message = str(info.value)
    assert message.startswith(f"{path}: is named {path.suffix} but its contents match no "
                              "supported format: its start is damaged")
    assert "re-download" in message and "convert it to PNG" in message


def _chunk_at(data: bytes, kind: bytes) -> int:
    """The byte where the first chunk of `kind` starts (its length field)."""
    return data.index(kind) - 4


@pytest.mark.parametrize("change", ["flip", "zero"])
def test_a_png_whose_pixel_data_rotted_is_refused_not_colorized(tmp_path, change):
    """Pillow skips the CRC of IDAT: a flipped bit or a zeroed block in the pixel data of a
    PNG decoded to garbled rows without a word, and was colorized as the photo."""
    data = bytearray(_encoded(_photo(), "PNG"))
    start = _chunk_at(bytes(data), b"IDAT") + 8  # the chunk's first data byte
    length = int.from_bytes(data[start - 8:start - 4], "big")
    at = start + length - 12  # near its end, where the rows decode without a zlib error
    if change == "flip":
        data[at] ^= 0x10
    else:
        data[at:at + 6] = bytes(6)
    path = tmp_path / "print.png"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageLoadError) as info:
        load_image(path)
    assert info.value.reason == "truncated"
    assert str(info.value).startswith(
        f"{path}: its pixel data is damaged (PNG chunk IDAT at byte {start - 8:,} fails its "
        "checksum). re-export or re-download the file")


def test_whole_pngs_still_load_with_the_checksums_checked(tmp_path):
    frames = [_photo(), _photo().rotate(180)]
    animated = tmp_path / "two.png"
    frames[0].save(animated, save_all=True, append_images=frames[1:])  # fdAT chunks
    assert b"fdAT" in animated.read_bytes()
    assert load_image(animated).frames == 2
    for name in ("text.png", "deep.png"):
        assert load_image(seed_files()[name], name=name).size == (48, 40)
