"""A phone photo of a gray print lying on a wooden table: the table is no part of the old
photo, its colors were photographed, and they are kept, as a mount's are; the print is
colorized. Through the command line (a real subprocess, the tiny model). Before: the table
was colorized from its luminance like the photo (C* 36.8 as photographed, 0.2-3.5 out on
four 12 MP phone photos), with no note. A gray or toned photo, with no colored table
around it, is never read as one (its pixels cannot move)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.imageio import load_image

REPO = Path(__file__).resolve().parents[1]
FAST = ("--no-context", "--no-exemplars", "--render-size", "64", "--device", "cpu")
WIDTH, HEIGHT = 320, 240


def wood(width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """(H, W, 3) uint8: a brown table with its grain and the phone's noise (C* ~37; not
    flat, so no mount: the mount step reads a flat surround)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    noise = np.random.default_rng(11).normal(0, 0.04, (height, width))
    grain = 0.55 + 0.25 * (np.sin(x / 5 + 3 * np.sin(y / 40)) * 0.5 + 0.5) + noise
    return np.stack([150 * grain + 40, 95 * grain + 25, 55 * grain + 10], -1).astype(np.uint8)


def print_on_table(tone: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> Image.Image:
    """A gray print (or one of `tone`), white-bordered, tilted 6 degrees, on the table."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:120, 0:160]
    gray = 60 + 120 * (x / 160) + 40 * np.sin(y / 9) + rng.normal(0, 12, (120, 160))
    photo = np.repeat(np.clip(gray, 0, 255)[..., None], 3, axis=2) * tone
    card = np.full((140, 180, 3), 240.0)
    card[10:130, 10:170] = photo
    tilted = Image.fromarray(card.astype(np.uint8)).rotate(6, Image.BICUBIC, expand=True)
    mask = Image.new("L", (180, 140), 255).rotate(6, Image.BICUBIC, expand=True)
    table = Image.fromarray(wood())
    table.paste(tilted, ((WIDTH - tilted.width) // 2, (HEIGHT - tilted.height) // 2), mask)
    return table


def lab(pixels: np.ndarray) -> np.ndarray:
    rgb = torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None]
    return rgb_to_lab(rgb)[0].numpy()


def colorize(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    argv = [str(arg) for arg in args]
    code = f"import sys\nfrom colorizer.apps.cli import main\nsys.exit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_the_table_around_a_photographed_print_keeps_its_colors(tmp_path, shared_tiny_weights):
    phone = tmp_path / "IMG_3001.jpg"
    print_on_table().save(phone, quality=95)
    done = colorize("colorize", phone, "-o", tmp_path / "out", "--weights",
                    shared_tiny_weights, *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "the table or surface the print lies on (" in said
    assert "of the image) was kept as photographed" in said
    taken = np.asarray(Image.open(phone).convert("RGB"))
    out = np.asarray(Image.open(tmp_path / "out" / "IMG_3001.png").convert("RGB"))
    corner = (slice(0, 30), slice(0, 40))  # table only: the print is in the middle
    given, made = lab(taken[corner]), lab(out[corner])
    assert np.abs(made[1:] - given[1:]).mean() < 2.0  # a*b* as photographed
    assert np.hypot(*made[1:]).mean() > 30  # still a brown table
    # The luminance is the photo's, everywhere, as always.
    assert np.abs(lab(out)[0] - lab(taken)[0]).mean() < 1.0


@pytest.mark.parametrize("kind", ["gray", "toned"])
def test_a_gray_or_toned_photo_is_no_print_on_a_table(tmp_path, kind):
    from colorizer.pipeline.table_surround import table_inside

    rng = np.random.default_rng(5)
    gray = np.clip(rng.normal(128, 40, (HEIGHT, WIDTH)), 0, 255)
    tone = (1.0, 1.0, 1.0) if kind == "gray" else (1.0, 0.8, 0.55)  # sepia: edges colored
    path = tmp_path / f"{kind}.png"
    Image.fromarray((np.repeat(gray[..., None], 3, axis=2) * tone).astype(np.uint8)).save(path)
    assert table_inside(load_image(path), (HEIGHT, WIDTH)) is None


def test_a_sepia_print_on_the_table_is_found_and_the_print_kept_inside(tmp_path):
    from colorizer.pipeline.table_surround import table_inside

    path = tmp_path / "sepia_on_table.png"
    print_on_table((1.0, 0.86, 0.66)).save(path)
    inside = table_inside(load_image(path), (HEIGHT, WIDTH))
    assert inside is not None
    assert inside[HEIGHT // 2, WIDTH // 2] and not inside[5, 5] and not inside[-5, -5]
    assert 0.25 < float(inside.float().mean()) < 0.5  # the 180 x 140 card, tilted, of 320 x 240


@pytest.mark.slow
def test_no_photo_of_historical_bw_reads_as_a_print_on_a_table(shared_datasets):
    from colorizer.pipeline.table_surround import table_inside

    folder = shared_datasets / "historical-bw"
    fired = []
    for path in sorted(folder.glob("*.jpg")):
        loaded = load_image(path)
        height, width = loaded.pixels.shape[:2]
        if table_inside(loaded, (height, width)) is not None:
            fired.append(path.name)
    assert fired == []
