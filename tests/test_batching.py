"""Photos colorized together (#21): the generator runs on batches of photos that share a
render shape, and every photo's colors equal its colors when colorized alone."""

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.pipeline.batching import groups, resolve_precision
from colorizer.pipeline.color_hints import Box, ColorHint
from colorizer.pipeline.edits import EditCache
from colorizer.pipeline.guidance import UserExemplar


def _pipeline(weights, edits: int = 0) -> ColorizationPipeline:
    pipe = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64,
                                                chroma_scale=3.0)
    # No edit cache by default: a photo colorized alone after its batch must be computed
    # again, not taken from the cache, for the comparisons to mean anything.
    pipe.edits = EditCache(edits)
    return pipe


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return _pipeline(shared_tiny_weights)


def _photo(width: int, height: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(width, height)
    base = 0.5 + 0.4 * np.sin(5 * x + seed) * np.cos(3 * y)
    pixels = np.clip(base + rng.normal(0, 0.05, base.shape), 0, 1) * 255
    return Image.fromarray(pixels.astype(np.uint8), "L")


# Three landscape photos share one render shape, the portrait and the square have their own.
SHAPES = [(96, 64), (48, 32), (90, 60), (40, 80), (50, 50)]


def _assert_same(batched, alone):
    a, b = np.asarray(batched.image, np.int16), np.asarray(alone.image, np.int16)
    assert a.shape == b.shape
    assert np.abs(a - b).max() <= 1  # float noise may flip a rounding, nothing more
    np.testing.assert_allclose(batched.uncertainty, alone.uncertainty, atol=1e-4)
    assert batched.settings == alone.settings
    assert batched.input == alone.input


@pytest.mark.slow
def test_a_list_of_photos_gives_each_photo_its_own_colors(pipe):
    photos = [_photo(w, h, seed) for seed, (w, h) in enumerate(SHAPES)]
    pipe.runner.batches.clear()
    batched = pipe(photos)
    assert pipe.runner.batches == {3: 1, 1: 2}  # the landscapes went through together
    assert isinstance(batched, list) and len(batched) == len(photos)
    for photo, result in zip(photos, batched):
        _assert_same(result, pipe(photo))
    # Not a copy of one photo's colors: the photos differ, so do their outputs.
    assert not np.array_equal(np.asarray(batched[0].image.resize((48, 32))),
                              np.asarray(batched[1].image))


@pytest.mark.slow
def test_batches_with_the_users_exemplars_match_single_calls(pipe):
    rng = np.random.default_rng(7)
    ref = UserExemplar("ref", Image.fromarray((rng.random((40, 40, 3)) * 255).astype(np.uint8)),
                       None)
    photos = [_photo(64, 48, seed) for seed in range(3)]
    batched = pipe(photos, exemplars=[ref])
    for photo, result in zip(photos, batched):
        alone = pipe(photo, exemplars=[ref])
        _assert_same(result, alone)
        assert result.exemplars[0].to_dict() == alone.exemplars[0].to_dict()


def _redness(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    rgb = np.asarray(image.crop(box), np.float64)
    return float((rgb[..., 0] - rgb[..., 1]).mean())


@pytest.mark.slow
def test_color_hints_in_a_batch_and_the_edit_cache(pipe, shared_tiny_weights):
    hints = [ColorHint(Box(4, 4, 40, 30), "#b22222")]
    photos = [_photo(96, 64, seed) for seed in range(3)]
    editing = _pipeline(shared_tiny_weights, edits=2)
    editing.runner.batches.clear()
    hinted = editing(photos, color_hints=hints)
    assert editing.runner.batches == {3: 1}  # one forward pass; the hints come after it
    for photo, result in zip(photos, hinted):
        _assert_same(result, pipe(photo, color_hints=hints))  # hints per photo, as alone
        assert "hint" in [r["kind"] for r in result.color_regions.to_dict()["regions"]]
        assert _redness(result.image, (8, 8, 36, 26)) > _redness(pipe(photo).image,
                                                                  (8, 8, 36, 26)) + 20
    # The hints taken away from the last two photos: steps 2-6 come from the edit cache (no
    # forward pass), and the colors are the photos' own again.
    again = editing(photos[1:])
    assert editing.runner.batches == {3: 1}
    assert set(again[0].timings) == {"load", "hints", "finish"}
    for photo, result in zip(photos[1:], again):
        _assert_same(result, pipe(photo))


@pytest.mark.slow
def test_max_batch_splits_a_group(pipe):
    photos = [_photo(64, 48, seed) for seed in range(5)]
    pipe.runner.batches.clear()
    pipe.runner.max_batch = 2
    try:
        pipe(photos)
    finally:
        pipe.runner.max_batch = 16
    assert pipe.runner.batches == {2: 2, 1: 1}


def test_groups_keep_first_appearance_order():
    assert groups(6, lambda i: "abacbd"[i]) == [[0, 2], [1, 4], [3], [5]]


def test_precision_is_explicit_and_checked(pipe, shared_tiny_weights):
    assert resolve_precision("auto", torch.device("cpu")) == "fp32"
    with pytest.raises(ValueError, match="fp16 needs a CUDA device"):
        resolve_precision("fp16", torch.device("cpu"))
    with pytest.raises(ValueError, match="use auto, fp32, bf16 or fp16"):
        resolve_precision("half", torch.device("cpu"))
    bf16 = ColorizationPipeline.from_pretrained(
        shared_tiny_weights, device="cpu", context=False, exemplars=False, render_size=64,
        chroma_scale=3.0, precision="bf16")
    photo = _photo(64, 48, 0)
    low, full = bf16(photo), pipe(photo)
    assert low.settings["precision"] == "bf16" and full.settings["precision"] == "fp32"
    # Another precision is another output: resuming must not take one for the other.
    assert bf16.fingerprint != pipe.fingerprint
    diff = np.abs(np.asarray(low.image, np.int16) - np.asarray(full.image, np.int16))
    assert 0 < diff.max() <= 12  # close, not equal


def test_the_batch_writer_on_threads_and_batches_writes_what_one_at_a_time_writes(
        pipe, tmp_path):
    from colorizer.apps.batch import BatchColorizer

    folder = tmp_path / "in"
    folder.mkdir()
    for seed, (w, h) in enumerate([*SHAPES, (96, 64)]):
        _photo(w, h, seed).save(folder / f"p{seed}.jpg")
    (folder / "broken.jpg").write_bytes(b"no jpeg here")
    plain = BatchColorizer(pipe, tmp_path / "plain", "jpg").run([folder])
    seen = []
    fed = BatchColorizer(pipe, tmp_path / "fed", "jpg", batch_size=4, threads=2).run(
        [folder], on_item=lambda item: seen.append(item.source.name))
    assert seen == sorted(p.name for p in folder.iterdir())  # reported in input order
    assert [(i.source, i.status) for i in fed.items] == [(i.source, i.status)
                                                         for i in plain.items]
    assert fed.count("done") == 6 and "broken.jpg" in fed.failed[0].message
    for item in plain.items[1:]:
        a = np.asarray(Image.open(item.output), np.int16)
        b = np.asarray(Image.open(tmp_path / "fed" / item.output.name), np.int16)
        assert np.abs(a - b).max() <= 1
    again = BatchColorizer(pipe, tmp_path / "fed", "jpg", batch_size=4, threads=2).run([folder])
    assert again.count("skipped") == 6


@pytest.mark.slow  # torch.compile on the CPU: ~45 s
def test_a_compiled_generator_gives_the_eager_colors(shared_tiny_weights):
    compiled = ColorizationPipeline.from_pretrained(
        shared_tiny_weights, device="cpu", context=False, exemplars=False, render_size=64,
        chroma_scale=3.0)
    photos = [_photo(64, 48, seed) for seed in range(2)]
    eager = compiled(photos)
    assert compiled.compile() is True
    for photo, alone in zip(photos, eager):
        _assert_same(compiled([photo])[0], alone)
    assert compiled.runner.compiled


def test_a_cpu_batch_runs_torch_on_one_thread_and_gives_the_count_back(tiny_weights, tmp_path):
    """Two threads on a loaded 2-core machine spin for the cores (6.1 s CPU per photo against
    0.72 s): a CPU batch runs on one, `torch_threads` overrides, and the caller's count
    returns."""
    from colorizer.apps.batch import BatchColorizer

    pipe = _pipeline(tiny_weights)
    seen = []
    predict = pipe.predict
    pipe.predict = lambda photos: seen.append(torch.get_num_threads()) or predict(photos)
    _photo(40, 32, 0).save(tmp_path / "a.png")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        BatchColorizer(pipe, tmp_path / "one").run([tmp_path / "a.png"])
        BatchColorizer(pipe, tmp_path / "two", torch_threads=2).run([tmp_path / "a.png"])
        assert seen == [1, 2]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
def test_batch_size_is_the_generators_pass_for_both_engines(shared_tiny_weights, tmp_path):
    """--batch-size 20: twenty same-shape photos are one forward pass (they were cut into
    passes of 16 and 4), and each photo's colors are those of batches of one."""
    from colorizer.apps.engines import PipelineSpec, make_batch
    from colorizer.pipeline.batching import DEFAULT_MAX_BATCH

    folder = tmp_path / "in"
    folder.mkdir()
    for seed in range(20):
        _photo(64, 48, seed).save(folder / f"p{seed:02d}.png")
    spec = PipelineSpec(shared_tiny_weights, "cpu", context=False, exemplars=False,
                        settings={"render_size": 64, "chroma_scale": 3.0})
    big = make_batch(spec, tmp_path / "big", batch_size=20)
    assert big.run([folder]).count("done") == 20
    assert big.pipeline.runner.batches == {20: 1}
    one = make_batch(spec, tmp_path / "one", batch_size=1)
    assert one.run([folder]).count("done") == 20
    assert one.pipeline.runner.batches == {1: 20}
    for path in sorted((tmp_path / "one").glob("p*.png")):
        alone = np.asarray(Image.open(path), np.int16)
        together = np.asarray(Image.open(tmp_path / "big" / path.name), np.int16)
        assert np.abs(alone - together).max() <= 1
    # The Python API's list keeps its passes of at most 16; a spec without a batch size too.
    assert spec.build().runner.max_batch == DEFAULT_MAX_BATCH == 16
    pytest.importorskip("ray", reason="the Ray engine is an extra")
    ray_batch = make_batch(spec, tmp_path / "ray", engine="ray", batch_size=20)
    assert ray_batch.batch_size == 20  # Ray's map_batches hands a worker 20 photos at once ...
    assert ray_batch.spec.build("cpu").runner.max_batch == 20  # ... and its pipeline (as
    # ColorizeWorker builds it) runs them in one pass
