"""Edits of a photo file do not decode it again (colorizer/pipeline/edit_decode.py).

`pipe("photo.jpg", color_hints=[...])` run again with one more hint reuses steps 2-6, and now
the decode too from the first edit on: the file is read and hashed, and its kept decode used
where the bytes are unchanged. Decodes are counted with cProfile around the real pipeline
(calls of the one loader, `imageio.load_image`); the outputs are a fresh pipeline's, to the
bit; a file rewritten between two edits is decoded again and colored as the new photo.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.color_hints import ColorHint, Point
from colorizer.pipeline.colorization import ColorizationPipeline

RED, BLUE, GREEN = "#b22222", "#2050c0", "#20a040"
HINTS = [ColorHint(Point(20, 30), RED), ColorHint(Point(80, 10), BLUE),
         ColorHint(Point(50, 50), GREEN)]


def _pipeline(weights: Path) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


def _jpeg(seed: int) -> bytes:
    """96 x 64 gray JPEG: a dark left half, a light right half, grain."""
    rng = np.random.default_rng(seed)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 9, (64, 96))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L").save(buffer, "JPEG")
    return buffer.getvalue()


def _decoded(call) -> tuple[int, object]:
    """(calls of the loader `load_image` while `call()` ran, its answer), by cProfile."""
    profile = cProfile.Profile()
    answer = profile.runcall(call)
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, calls, tt, ct, callers)}
    calls = sum(row[1] for (file, _, name), row in stats.items()
                if name == "load_image" and file.endswith("imageio.py"))
    return calls, answer


def _same(a, b) -> None:
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert np.array_equal(a.uncertainty, b.uncertainty)
    assert a.notes == b.notes
    assert a.input == b.input


@pytest.fixture
def photo(tmp_path) -> Path:
    path = tmp_path / "street.jpg"
    path.write_bytes(_jpeg(1))
    return path


def test_edits_of_a_photo_file_decode_it_once_more_then_never(shared_tiny_weights, photo):
    pipe = _pipeline(shared_tiny_weights)
    counts = []
    for end in (0, 1, 2, 3):  # a fresh run, then one more color point each time
        calls, result = _decoded(lambda end=end: pipe(str(photo), color_hints=HINTS[:end]))
        counts.append(calls)
    # The fresh run decodes, the first edit too (and keeps it); the later edits reuse it.
    assert counts == [1, 1, 0, 0]
    assert pipe.edits.held_bytes == 96 * 64  # one 8-bit gray photo, nothing more
    _same(result, _pipeline(shared_tiny_weights)(str(photo), color_hints=HINTS))


def test_bytes_given_again_are_not_decoded_again(shared_tiny_weights):
    pipe = _pipeline(shared_tiny_weights)
    data = _jpeg(2)
    counts = [_decoded(lambda end=end: pipe(data, color_hints=HINTS[:end]))[0]
              for end in (0, 1, 2)]
    assert counts == [1, 1, 0]


def test_a_file_rewritten_between_edits_is_decoded_and_colored_as_the_new_photo(
        shared_tiny_weights, photo):
    pipe = _pipeline(shared_tiny_weights)
    for end in (0, 1, 2):
        pipe(photo, color_hints=HINTS[:end])
    before = pipe(photo, color_hints=HINTS)
    new = _jpeg(3)
    photo.write_bytes(new)  # the user retouched the scan between two edits
    calls, after = _decoded(lambda: pipe(photo, color_hints=HINTS))
    assert calls == 1
    assert "generator" in after.timings  # a new photo: steps 2-6 run again, nothing reused
    assert not np.array_equal(np.asarray(after.image), np.asarray(before.image))
    _same(after, _pipeline(shared_tiny_weights)(photo, color_hints=HINTS))


def test_fresh_runs_keep_no_decode_and_another_photo_lets_it_go(shared_tiny_weights,
                                                                  tmp_path, photo):
    pipe = _pipeline(shared_tiny_weights)
    others = []
    for seed in (4, 5, 6):  # a batch of new photos: no edit, nothing kept
        path = tmp_path / f"other{seed}.jpg"
        path.write_bytes(_jpeg(seed))
        pipe(path)
        others.append(path)
    assert pipe.edits.held_bytes == 0
    pipe(photo)
    pipe(photo, color_hints=HINTS[:1])  # an edit: its decode kept
    assert pipe.edits.held_bytes == 96 * 64
    calls, _ = _decoded(lambda: pipe(others[0]))  # another photo: the kept one let go
    assert calls == 1 and pipe.edits.held_bytes == 0
    pipe(photo, color_hints=HINTS[:2])
    pipe(photo, color_hints=HINTS[:3])
    assert pipe.edits.held_bytes == 96 * 64
    pipe.edits.clear()
    assert pipe.edits.held_bytes == 0
