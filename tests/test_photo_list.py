"""A list of photos through the Python API: one bad photo never stops the others. Each bad
one is its own ColorizationFailure, in its place; the good ones are colorized as alone."""

import json

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizationFailure, ColorizationPipeline, ColorizationResult
from colorizer.errors import ImageLoadError
from colorizer.pipeline.color_hints import ColorHint, Point
from colorizer.pipeline.edits import EditCache
from colorizer.pipeline.imageio import load_image


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    pipe.edits = EditCache(0)  # every call computes its photos again
    return pipe


def _photo(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray((rng.random((height, width)) * 255).astype(np.uint8), "L")


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.png"
    _photo(60, 40, 0).save(good)
    notes = tmp_path / "notes.jpg"
    notes.write_text("a shopping list, not a photo")
    return good, tmp_path / "missing.jpg", notes


def _same(a: ColorizationResult, b: ColorizationResult) -> None:
    assert np.abs(np.asarray(a.image, np.int16) - np.asarray(b.image, np.int16)).max() <= 1
    assert a.input == b.input


def test_bad_files_in_a_list_fail_alone_and_the_good_photos_are_colorized(pipe, files):
    good, missing, notes = files
    photo = _photo(48, 32, 1)
    results = pipe([str(good), missing, photo, str(notes)])
    assert [type(r).__name__ for r in results] == [
        "ColorizationResult", "ColorizationFailure", "ColorizationResult", "ColorizationFailure"]
    _same(results[0], pipe(str(good)))
    _same(results[2], pipe(photo))
    lost, garbage = results[1], results[3]
    assert (lost.index, lost.input, lost.reason) == (1, str(missing), "not_found")
    assert (garbage.index, garbage.input, garbage.reason) == (3, str(notes), "unsupported")
    # The words the CLI's batch prints for the file ("error: <message>"): the loader's error.
    with pytest.raises(ImageLoadError) as raised:
        load_image(missing)
    assert lost.message == str(raised.value) and lost.message.startswith(f"{missing}: ")
    assert isinstance(lost.error, ImageLoadError)
    assert json.loads(json.dumps(garbage.to_dict())) == {
        "input": {"name": str(notes)}, "index": 3,
        "error": {"reason": "unsupported", "type": "UnsupportedImageError",
                  "message": garbage.message}}
    # One photo alone still raises: there is nothing else to colorize.
    with pytest.raises(ImageLoadError):
        pipe(missing)


def test_a_color_hint_outside_one_photo_fails_that_photo_only(pipe):
    big, small = _photo(96, 64, 2), _photo(40, 30, 3)
    results = pipe([big, small], color_hints=[ColorHint(Point(80, 50), "#b22222")])
    assert isinstance(results[0], ColorizationResult)
    assert any(r.kind == "hint" for r in results[0].color_regions.regions)
    assert isinstance(results[1], ColorizationFailure) and results[1].reason == "invalid_hint"
    assert results[1].message.startswith("<image>: ") and "outside the image" in results[1].message


def test_a_generator_batch_that_fails_is_run_photo_by_photo(pipe, monkeypatch):
    """As in the CLI: a batch that fails (a GPU out of memory) is run again photo by photo,
    and only the photo that fails alone is a failure."""
    real = pipe.predict
    photos = [_photo(60, 40, 4), _photo(90, 60, 5), _photo(30, 20, 6)]  # one render shape

    def predict(prepared):
        if len(prepared) > 1 or prepared[0].loaded.size == (90, 60):
            raise RuntimeError("CUDA out of memory")
        return real(prepared)

    monkeypatch.setattr(pipe, "predict", predict)
    results = pipe(photos)
    monkeypatch.undo()
    assert isinstance(results[1], ColorizationFailure)
    assert results[1].message == "<image>: RuntimeError: CUDA out of memory"
    _same(results[0], pipe(photos[0]))
    _same(results[2], pipe(photos[2]))


def test_an_item_of_the_wrong_type_raises_before_any_work(pipe, files, monkeypatch):
    prepared = []
    monkeypatch.setattr(pipe, "prepare", lambda *a, **k: prepared.append(a) or 1 / 0)
    with pytest.raises(TypeError, match="photo 1 of the list is a NoneType"):
        pipe([str(files[0]), None])
    assert prepared == []
