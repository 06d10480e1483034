"""The Python API as a notebook uses it: devices named as people name them, results that print
in a line, photos without bytes keyed without a float copy, hints built with numpy."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data as skdata

from colorizer import Box, ColorHint, ColorizationPipeline, Point, Polygon
from colorizer.pipeline import loaded_image
from colorizer.pipeline.device import DeviceUnavailableError, resolve_device
from colorizer.pipeline.edits import edit_key
from colorizer.pipeline.imageio import load_image

PHOTO = Image.fromarray(skdata.camera()[:80, :120])  # 120 wide, 80 high


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)


# --- devices -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["CPU", " cpu ", "cpu:0"])
def test_the_cpu_however_spelled_is_the_cpu(name):
    assert resolve_device(name).type == "cpu"


@pytest.mark.parametrize("device", ["mps", torch.device("mps"), "gpu", "cuda:x"])
def test_a_device_chronochrome_does_not_run_on_is_refused_with_what_to_use(device):
    with pytest.raises(DeviceUnavailableError, match="use 'auto' .* or 'cpu'"):
        resolve_device(device)


def test_a_missing_cuda_given_as_a_torch_device_is_refused_at_once():
    # torch.device("cuda") skipped every check and failed at the first photo, inside torch.
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceUnavailableError, match="no CUDA device is available"):
        resolve_device(torch.device("cuda"))


def test_a_cuda_index_beyond_the_machines_gpus_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(DeviceUnavailableError, match=r"has 1 CUDA device \(cuda:0 to cuda:0\)"):
        resolve_device("cuda:1")
    assert resolve_device("cuda:0") == torch.device("cuda:0")


# --- results -------------------------------------------------------------------------------


def test_a_result_prints_in_one_line_not_its_arrays(pipe):
    result = pipe(PHOTO)
    text = repr(result)
    assert text.startswith("ColorizationResult(image=<RGB 120x80>, input='<image>', model=")
    assert "\n" not in text and "array(" not in text and len(text) < 600
    assert "render_size=" in text and "exemplars=0" in text


# --- photos given without bytes ----------------------------------------------------------


def test_a_pil_photos_edit_key_is_taken_without_a_float_copy(monkeypatch):
    loaded = load_image(PHOTO)
    key = edit_key(loaded, None, None, [], "f")

    def no_float_copy(pixels):
        raise AssertionError("the edit key made a float RGB copy of the photo")

    monkeypatch.setattr(loaded_image, "float_rgb", no_float_copy)  # what `loaded.rgb` calls
    assert edit_key(load_image(PHOTO), None, None, [], "f") == key
    other = PHOTO.copy()
    other.putpixel((0, 0), 255 - other.getpixel((0, 0)))
    assert edit_key(load_image(other), None, None, [], "f") != key


# --- color hints with numpy numbers --------------------------------------------------------


def _hinted(pipe, hints):
    plain = pipe(PHOTO, color_hints=[ColorHint(Point(30, 20), "#b22222")])
    result = pipe(PHOTO, color_hints=hints)
    assert np.array_equal(np.asarray(result.image), np.asarray(plain.image))
    json.dumps(result.to_dict())
    return result


@pytest.mark.parametrize("x, y", [(np.int64(30), np.int64(20)), (np.float32(30), np.int32(20)),
                                  (np.uint16(30), np.float64(20))])
def test_a_point_in_numpy_numbers_is_the_same_point(pipe, x, y):
    # It was refused as "outside the image" while naming coordinates inside it.
    _hinted(pipe, [ColorHint(Point(x, y), "#b22222")])
    _hinted(pipe, [{"point": [x, y], "color": "#b22222"}])
    _hinted(pipe, [{"point": np.array([30, 20]), "color": "#b22222"}])


def test_boxes_and_polygons_in_numpy_numbers_are_read(pipe):
    where = [ColorHint(Box(*np.array([10, 10, 60, 40])), "#2222b2"),
             ColorHint(Polygon(tuple(map(tuple, np.array([[70, 10], [110, 10], [90, 60]])))),
                       "#22b222")]
    as_dicts = [{"box": np.array([10, 10, 60, 40]), "color": "#2222b2"},
                {"polygon": np.array([[70, 10], [110, 10], [90, 60]]), "color": "#22b222"}]
    first, second = pipe(PHOTO, color_hints=where), pipe(PHOTO, color_hints=as_dicts)
    assert np.array_equal(np.asarray(first.image), np.asarray(second.image))
    json.dumps(first.to_dict())


def test_a_point_really_outside_is_still_refused(pipe):
    from colorizer.pipeline.color_hints import HintError

    with pytest.raises(HintError, match="outside the image"):
        pipe(PHOTO, color_hints=[ColorHint(Point(np.int64(500), np.int64(20)), "#b22222")])


# --- the user's exemplars ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", [str, __import__("pathlib").Path])
def test_one_exemplar_without_a_list_is_refused_with_the_list_to_pass(pipe, tmp_path, kind):
    # A path string was read letter by letter: "/: is a folder, not an image file".
    path = tmp_path / "coffee.png"
    Image.fromarray(skdata.coffee()).save(path)
    with pytest.raises(TypeError, match=r"exemplars must be a list .* exemplars=\[photo\]"):
        pipe(PHOTO, exemplars=kind(path))
    assert pipe(PHOTO, exemplars=[kind(path)]).exemplars[0].title == "coffee.png"


@pytest.mark.slow
def test_an_exemplar_may_be_an_array_as_the_photo_may(pipe):
    coffee = skdata.coffee()
    from_pil = pipe(PHOTO, exemplars=[Image.fromarray(coffee)])
    from_array = pipe(PHOTO, exemplars=[coffee])
    assert np.array_equal(np.asarray(from_array.image), np.asarray(from_pil.image))
    assert from_array.to_dict()["exemplars"][0]["id"] == "user:<array>"
    from_tensor = pipe(PHOTO, exemplars=[torch.from_numpy(coffee).permute(2, 0, 1) / 255.0])
    assert np.array_equal(np.asarray(from_tensor.image), np.asarray(from_pil.image))


# --- the edit cache ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_same_bytes_under_another_name_get_their_own_context(shared_tiny_weights,
                                                                  tmp_path):
    # The file name is read as a caption; the edit cache keyed the photo by its bytes alone,
    # so a copy named Paris_1925.png after Moscow_1950.png came back with Moscow's context.
    from colorizer.model.generator import ColorGenerator
    from context.types import SceneContext

    seen = []

    def context_fn(gray, hints, captions):
        seen.append(tuple(c.text for c in captions))
        return SceneContext.empty("test")

    tiny = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    pipe = ColorizationPipeline(ColorGenerator.from_pretrained(shared_tiny_weights),
                                tiny.model_info, tiny.config, "cpu", context_fn=context_fn)
    for name in ("Moscow_1950.png", "Paris_1925.png"):
        PHOTO.save(tmp_path / name)
    pipe(tmp_path / "Moscow_1950.png")
    pipe(tmp_path / "Paris_1925.png")
    assert len(seen) == 2 and any("Paris" in text for text in seen[1])
    pipe(tmp_path / "Paris_1925.png", color_hints=[ColorHint(Point(30, 20), "#b22222")])
    assert len(seen) == 2  # an edit of one photo still reuses its run
    # A sidecar caption edited between two calls in a notebook is a new context too.
    (tmp_path / "Paris_1925.txt").write_text("Lyon 1931")
    pipe(tmp_path / "Paris_1925.png")
    assert len(seen) == 3 and "Lyon 1931" in seen[2]


# --- file objects --------------------------------------------------------------------------


def test_a_buffer_left_at_its_end_says_to_seek_not_that_the_file_is_empty(pipe):
    import io

    from colorizer.errors import EmptyFileError

    buffer = io.BytesIO()
    PHOTO.save(buffer, "PNG")  # leaves the position at the end
    with pytest.raises(EmptyFileError, match=r"at its end \(byte [\d,]+\)\. call \.seek\(0\)"):
        pipe(buffer)
    buffer.seek(0)
    assert pipe(buffer).image.size == PHOTO.size
    with pytest.raises(EmptyFileError, match="the file is empty"):
        pipe(io.BytesIO())  # a really empty one is still said to be empty


def test_a_closed_image_or_file_is_said_to_be_closed_with_the_fix(pipe, tmp_path):
    from colorizer import ColorizationFailure
    from colorizer.errors import ImageLoadError

    path = tmp_path / "photo.png"
    PHOTO.save(path)
    with Image.open(path) as unread:
        pass  # closed before it was read: Pillow's bare AssertionError, which ended a list
    loaded_then_closed = Image.open(path)
    loaded_then_closed.load()
    loaded_then_closed.close()
    with open(path, "rb") as closed_file:
        pass
    for image, fix in ((unread, r"inside the `with` block"),
                       (loaded_then_closed, r"inside the `with` block"),
                       (closed_file, "while it is open")):
        with pytest.raises(ImageLoadError, match=fix):
            pipe(image)
    results = pipe([unread, path])
    assert isinstance(results[0], ColorizationFailure) and "closed" in results[0].message
    assert results[1].image.size == PHOTO.size
