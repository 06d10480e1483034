"""Numpy arrays and torch tensors given to `pipe(...)` as a notebook user has them: each kind
read as the same photo as its PIL equivalent (same size, same luminance), or refused with an
error that says what to pass instead; never a wrong photo without a word."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data as skdata

from colorizer import ColorizationFailure, ColorizationPipeline, ColorizationResult
from colorizer.errors import ImageNotFoundError, ImageTooLargeError, UnsupportedImageError
from colorizer.pipeline.edits import EditCache

CAMERA = skdata.camera()[:96, :72]  # (H, W) uint8: 96 high, 72 wide
ASTRONAUT = skdata.astronaut()[:96, :72]  # (H, W, 3) uint8


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.edits = EditCache(0)  # every call computes its photo again
    return pipe


@pytest.fixture(scope="module")
def gray_ref(pipe):
    return np.asarray(pipe(Image.fromarray(CAMERA)).image, np.int16)


@pytest.fixture(scope="module")
def color_ref(pipe):
    return np.asarray(pipe(Image.fromarray(ASTRONAUT)).image, np.int16)


def _same(result, reference) -> None:
    out = np.asarray(result.image, np.int16)
    assert result.image.size == (72, 96) and out.shape == reference.shape
    assert np.abs(out - reference).max() <= 1  # float vs 8-bit arithmetic: a level at most


GRAY_KINDS = {
    "uint8 (H, W)": lambda: CAMERA,
    "uint8 (H, W, 1)": lambda: CAMERA[..., None],
    "uint16 (H, W)": lambda: CAMERA.astype(np.uint16) * 257,
    "float32 in [0, 1]": lambda: CAMERA.astype(np.float32) / 255,
    "float64 in 0-255": lambda: CAMERA.astype(np.float64),
    "int64 in 0-255": lambda: CAMERA.astype(np.int64),
    "a strided view": lambda: np.repeat(np.repeat(CAMERA, 2, 0), 2, 1)[::2, ::2],
    "torch (H, W) float": lambda: torch.from_numpy(CAMERA.copy()).float() / 255,
    "torch (1, H, W) uint8": lambda: torch.from_numpy(CAMERA.copy())[None],
    "torch requires_grad": lambda: (torch.from_numpy(CAMERA.copy()).float() / 255
                                    ).requires_grad_(),
}


@pytest.mark.parametrize("kind", sorted(GRAY_KINDS))
def test_a_gray_array_is_the_same_photo_as_its_pil_image(pipe, gray_ref, kind):
    array = GRAY_KINDS[kind]()
    result = pipe(array)
    assert isinstance(result, ColorizationResult)
    _same(result, gray_ref)
    assert not result.input.notes or "luminance" not in " ".join(result.input.notes)
    json.dumps(result.to_dict())


COLOR_KINDS = {
    "uint8 (H, W, 3)": lambda: ASTRONAUT,
    "uint8 (H, W, 4) opaque": lambda: np.dstack([ASTRONAUT, np.full(CAMERA.shape, 255,
                                                                     np.uint8)]),
    "float32 (H, W, 3)": lambda: ASTRONAUT.astype(np.float32) / 255,
    "float32 (H, W, 4) opaque": lambda: np.dstack([ASTRONAUT / 255.0,
                                                    np.ones(CAMERA.shape)]).astype(np.float32),
    "torch (3, H, W) float": lambda: torch.from_numpy(ASTRONAUT.transpose(2, 0, 1) / 255.0),
    "torch (1, 3, H, W) uint8": lambda: torch.from_numpy(
        ASTRONAUT.transpose(2, 0, 1).copy())[None],
    "torch (3, H, W) float16": lambda: torch.from_numpy(ASTRONAUT.transpose(2, 0, 1) / 255.0
                                                        ).half(),
}


@pytest.mark.parametrize("kind", sorted(COLOR_KINDS))
def test_a_color_array_is_the_same_photo_as_its_pil_image(pipe, color_ref, kind):
    result = pipe(COLOR_KINDS[kind]())
    _same(result, color_ref)
    assert "color input reduced to luminance" in result.input.notes


def test_a_mirrored_view_is_read_as_shown(pipe):
    # arr[:, ::-1] has a negative stride; the photo is the mirrored one, not the stored one.
    mirrored = CAMERA[:, ::-1]
    expected = np.asarray(pipe(Image.fromarray(np.ascontiguousarray(mirrored))).image)
    assert np.array_equal(np.asarray(pipe(mirrored).image), expected)


@pytest.mark.slow
def test_translucent_rgba_is_flattened_on_white_as_a_file_is(pipe):
    rgba = np.dstack([ASTRONAUT, np.full(CAMERA.shape, 128, np.uint8)])
    expected = pipe(Image.fromarray(rgba, "RGBA"))
    result = pipe(rgba)
    assert np.array_equal(np.asarray(result.image), np.asarray(expected.image))
    assert "alpha composited on white" in result.input.notes
    as_float = pipe(rgba.astype(np.float32) / 255)
    assert np.abs(np.asarray(as_float.image, np.int16)
                  - np.asarray(expected.image, np.int16)).max() <= 1


@pytest.mark.slow
def test_readings_that_are_assumed_are_noted(pipe):
    assert "float array with values above 1 taken as 0-255 and scaled by 255" in pipe(
        CAMERA.astype(np.float32)).input.notes
    assert "16-bit array scaled by 65535" in pipe(CAMERA.astype(np.uint16) * 257).input.notes
    result = pipe(CAMERA > 128)
    assert "boolean array read as black (False) and white (True)" in result.input.notes
    assert set(np.unique(np.asarray(result.image.convert("L")))) <= {0, 255}


@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_a_resamplers_overshoot_is_clipped_not_read_as_another_range(pipe, scale):
    # Bicubic resizing takes [0, 1] data a little past 1 and below 0: read as 0-255 because
    # its peak passed 1, the photo came back black.
    values = CAMERA.astype(np.float32) / 255 * scale
    overshot = values.copy()
    overshot[0, :3] = (1.03 * scale, -0.02 * scale, 0.5 * scale)
    clipped = np.clip(overshot, 0, scale)
    result, expected = pipe(overshot), pipe(clipped)
    assert np.array_equal(np.asarray(result.image), np.asarray(expected.image))
    assert any(note.startswith("float values outside the range") for note in
               result.input.notes)


def test_nan_and_infinity_are_black_and_noted_as_in_a_float_tiff(pipe):
    values = CAMERA.astype(np.float32) / 255
    values[:10, :10] = np.nan
    values[-1, -1] = np.inf
    result = pipe(values)
    assert "101 pixel values were not finite (NaN or infinite) and were set to black" in (
        result.input.notes)
    assert np.asarray(result.image)[:10, :10].max() == 0


def test_the_callers_array_is_not_changed_and_a_changed_one_is_a_new_photo(pipe):
    fresh = pipe.with_config()  # with the edit cache, as a notebook's pipe has it
    values = CAMERA.copy()
    first = np.asarray(fresh(values).image)
    assert np.array_equal(values, CAMERA)
    values[:] = 0  # the caller reuses the buffer: a new photo, not the cached first one
    assert np.asarray(fresh(values).image).max() == 0
    assert first.max() > 0


REFUSED = {
    "numpy (C, H, W)": (lambda: ASTRONAUT.transpose(2, 0, 1), "arr.transpose(1, 2, 0)"),
    "numpy batch": (lambda: np.stack([ASTRONAUT, ASTRONAUT]), "list(arr)"),
    "torch (H, W, C)": (lambda: torch.from_numpy(ASTRONAUT.copy()), "t.permute(2, 0, 1)"),
    "torch batch": (lambda: torch.zeros(2, 3, 8, 8), "list(batch)"),
    "two channels": (lambda: np.zeros((8, 8, 2), np.uint8), "(H, W, 3)"),
    "8-bit levels in uint16": (lambda: CAMERA.astype(np.uint16), "arr.astype(np.uint8)"),
    "a [-1, 1] network input": (lambda: np.linspace(-1, 1, 48 * 64).reshape(48, 64),
                                "(x + 1) / 2"),
    "floats above 255": (lambda: CAMERA * 300.0, "values in [0, 1]"),
    "negative integers": (lambda: np.arange(-32, 32, dtype=np.int16).reshape(8, 8),
                          "uint8 (0-255)"),
    "all NaN": (lambda: np.full((8, 8), np.nan), "pixel values"),
    "complex": (lambda: np.zeros((8, 8), np.complex64), "uint8 (0-255)"),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_an_array_that_would_need_a_guess_is_refused_with_the_fix(pipe, kind):
    make, fix = REFUSED[kind]
    with pytest.raises(UnsupportedImageError) as caught:
        pipe(make())
    assert fix in str(caught.value) and caught.value.reason == "unsupported"
    assert str(caught.value).startswith(("<array>: ", "<tensor>: "))


def test_the_pixel_limit_applies_to_arrays(shared_tiny_weights):
    small = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                 context=False, exemplars=False,
                                                 max_pixels=1000)
    with pytest.raises(ImageTooLargeError, match="max_pixels=6912"):
        small(CAMERA)


def test_a_web_address_is_refused_with_how_to_fetch_it(pipe):
    with pytest.raises(ImageNotFoundError, match="web address.*urlopen"):
        pipe("https://example.org/photo.jpg")


def test_a_list_mixes_every_kind_in_order(pipe, gray_ref, tmp_path):
    path = tmp_path / "camera.png"
    Image.fromarray(CAMERA).save(path)
    results = pipe([CAMERA, torch.from_numpy(CAMERA.copy()), path, str(path),
                    path.read_bytes(), Image.fromarray(CAMERA), CAMERA.transpose()[None]])
    for result in results[:6]:
        _same(result, gray_ref)
    assert isinstance(results[6], ColorizationFailure) and results[6].reason == "unsupported"
    assert results[6].input == "<array>" and results[6].index == 6
    assert [r.input.name for r in results[:2]] == ["<array>", "<tensor>"]
    with pytest.raises(TypeError, match="photo 1 of the list is a dict: pass .*numpy array"):
        pipe([CAMERA, {"image": CAMERA}])
