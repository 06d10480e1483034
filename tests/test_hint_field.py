"""The learned point-hint field: its pair features, its reach (learned on tiny synthetic
photos here), strict loading, and the pipeline using it beyond the hints' regions only when
the weights folder has one."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.head_io import save_head
from colorizer.model.hint_field import (
    PAIR_FEATURES,
    FieldInputs,
    HintField,
    HintFieldConfig,
    pair_features,
)
from colorizer.pipeline.color_hints import Box, ColorHint, Point
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.training.train_hint_field import FieldPhoto, fit

RED = "#c01818"


def _inputs(h: int = 6, w: int = 8, seed: int = 0) -> FieldInputs:
    gen = torch.Generator().manual_seed(seed)
    unit = torch.nn.functional.normalize(torch.rand(4, h, w, generator=gen), dim=0)
    return FieldInputs(unit, torch.rand(h, w, generator=gen) * 100,
                       torch.randn(2, h, w, generator=gen) * 5, torch.zeros(h, w))


def test_pair_features_describe_each_pixel_against_each_point():
    inputs = _inputs()
    residuals = torch.tensor([[10.0, 0.0], [0.0, -20.0]])
    x = pair_features(inputs, [(1, 1), (4, 6)], residuals)
    assert x.shape == (2, 6, 8, PAIR_FEATURES)
    assert float(x[0, 1, 1, 0]) == pytest.approx(0.0, abs=1e-6)  # same descriptor at the point
    assert float(x[1, 4, 6, 3]) == 0.0  # no distance at the point
    assert float(x[0, 0, 0, 3]) > 0
    assert float(x[0, 0, 0, 7]) == pytest.approx(10.0 / 20.0)  # |r_k| / 20
    assert torch.all(x[..., 11] == 2 / 5)  # two points
    assert torch.all(x[..., -1] == 1.0)


def test_no_points_correct_nothing():
    field = HintField()
    assert torch.equal(field.correction(_inputs(), [], torch.zeros(0, 2)),
                       torch.zeros(2, 6, 8))


def _cast_photos(count: int = 6) -> list[FieldPhoto]:
    """Photos whose truth is the prediction plus one cast: a point's residual belongs
    everywhere."""
    photos = []
    for i in range(count):
        inputs = _inputs(12, 16, seed=i)
        truth = inputs.ab + torch.tensor([12.0, -8.0])[:, None, None]
        rgb = np.zeros((48, 64, 3), np.uint8)  # hint colors come from sample_points' truth
        photos.append(FieldPhoto(inputs, truth, inputs.ab[None].clone(), rgb))
    return photos


def _one_point_error(model: HintField, photo: FieldPhoto) -> tuple[float, float]:
    residual = (photo.truth_ab[:, 5, 5] - photo.inputs.ab[:, 5, 5])[None]
    with torch.no_grad():
        correction = model.correction(photo.inputs, [(5, 5)], residual)
    error = (photo.inputs.ab + correction - photo.truth_ab).norm(dim=0).mean()
    return float(error), float(correction.norm(dim=0).mean())


def test_fitting_learns_how_far_a_residual_reaches(monkeypatch):
    photos = _cast_photos()
    # sample_points reads the hints' colors from the photo: give it the synthetic truth's
    # residuals directly (same cells, same shapes as the real ones).
    import colorizer.training.train_hint_field as training

    def residual_points(rng, photo, count):
        h, w = photo.inputs.lightness.shape
        cells = [(int(rng.integers(h)), int(rng.integers(w))) for _ in range(count)]
        return cells, torch.stack([photo.truth_ab[:, r, c] - photo.inputs.ab[:, r, c]
                                   for r, c in cells]).double()

    monkeypatch.setattr(training, "sample_points", residual_points)
    config = HintFieldConfig(hidden=8, grid=16)
    before, _ = _one_point_error(HintField(config), photos[0])
    free = fit(photos, 120, 0.0, config, batch=4, log=lambda _: None)
    after, reach = _one_point_error(free, photos[0])
    assert after < 0.5 * before  # the cast is learned: one point corrects the whole photo
    held = fit(photos, 120, 3.0, config, batch=4, log=lambda _: None)
    assert _one_point_error(held, photos[0])[1] < 0.5 * reach  # the penalty holds it back


def test_weights_round_trip_strictly(tmp_path):
    model = HintField(HintFieldConfig(hidden=8))
    model.save_pretrained(tmp_path, {"command": "test"})
    loaded = HintField.from_pretrained(tmp_path)
    x = pair_features(_inputs(), [(2, 2)], torch.tensor([[5.0, 5.0]]))
    assert torch.equal(loaded.shares(x), model.shares(x))
    with pytest.raises(FileNotFoundError, match="train_hint_field"):
        HintField.from_pretrained(tmp_path / "nowhere")
    other = torch.nn.Linear(3, 3)  # the right config, the wrong tensors
    save_head(other, HintFieldConfig(hidden=8).to_dict(), tmp_path / "hint_field.safetensors",
              "hint_field_config")
    with pytest.raises(RuntimeError):
        HintField.from_pretrained(tmp_path)


@pytest.fixture(scope="module")
def halves() -> Image.Image:
    rng = np.random.default_rng(1)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def _reaching_field() -> HintField:
    field = HintField(HintFieldConfig(hidden=8))
    torch.nn.init.zeros_(field.net[-1].weight)
    torch.nn.init.constant_(field.net[-1].bias, 8.0)  # every share ~1: reaches everywhere
    return field.eval()


def test_the_pipeline_loads_the_field_and_one_point_reaches_beyond_its_region(
        shared_tiny_weights, tmp_path, halves):
    folder = tmp_path / "with-field"
    shutil.copytree(shared_tiny_weights, folder)
    plain_pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                      context=False, exemplars=False,
                                                      render_size=64)
    _reaching_field().save_pretrained(folder)
    pipe = ColorizationPipeline.from_pretrained(folder, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    assert pipe.hint_field is not None and plain_pipe.hint_field is None
    assert pipe.fingerprint != plain_pipe.fingerprint
    light = (slice(None), slice(60, 96))  # the light half: the point's region stops at x 48
    point = [ColorHint(Point(20, 30), RED)]
    plain = pipe(halves)
    assert np.array_equal(np.asarray(plain.image), np.asarray(plain_pipe(halves).image))
    hinted = pipe(halves, color_hints=point)
    unreached = plain_pipe(halves, color_hints=point)
    assert np.array_equal(np.asarray(unreached.image)[light], np.asarray(plain.image)[light])
    moved = np.abs(np.asarray(hinted.image, dtype=int)[light]
                   - np.asarray(plain.image, dtype=int)[light]).mean()
    assert moved > 1.0
    assert any("learned field" in note for note in hinted.notes)


def test_a_box_hint_alone_does_not_use_the_field(shared_tiny_weights, halves):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    plain = pipe(halves)
    pipe.hint_field = _reaching_field()
    boxed = pipe(halves, color_hints=[ColorHint(Box(0, 0, 20, 20), RED)])
    light = (slice(None), slice(60, 96))
    assert np.array_equal(np.asarray(boxed.image)[light], np.asarray(plain.image)[light])


def _ab_of(image: Image.Image) -> np.ndarray:
    from colorizer.model.colorspace import rgb_to_lab

    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return rgb_to_lab(rgb.permute(2, 0, 1)[None])[0, 1:].permute(1, 2, 0).numpy()


def test_one_point_lends_at_most_its_cap_and_several_points_at_most_theirs(
        shared_tiny_weights, halves):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    pipe.hint_field = _reaching_field()
    light = (slice(None), slice(60, 96))
    plain = _ab_of(pipe(halves).image)[light]

    def change(config: dict, hints: list[ColorHint]) -> float:
        variant = pipe.with_config(hint_balance=config)
        variant.hint_field = pipe.hint_field
        return float(np.linalg.norm(_ab_of(variant(halves, color_hints=hints).image)[light]
                                    - plain, axis=-1).mean())

    one = [ColorHint(Point(20, 30), RED)]  # red: a residual of ~60 a*b*
    capped, uncapped = change({}, one), change({"learned_one_point_cap": 0.0}, one)
    assert 3.0 < capped <= 10.5 < uncapped
    two = one + [ColorHint(Point(30, 10), RED)]
    assert change({}, two) > 10.5  # several points: their own, larger cap (40)
    capped20 = change({"learned_several_cap": 20.0}, two)
    assert 3.0 < capped20 <= 20.5 < change({"learned_several_cap": 0.0}, two)
    # The field's scale: half its correction, or none (the regions alone decide)
    # (a change within the light half's gamut: capped, as one point is by default)
    assert change({"learned_scale": 0.5}, one) == pytest.approx(capped / 2, rel=0.15)
    assert change({"learned_scale": 0.0}, one) < 0.5


def test_the_default_field_was_fitted_for_the_default_generator():
    """New generator weights need a refitted field (it reads the generator's colors and
    descriptors): `python -m colorizer.training.train_hint_field --out
    colorizer/weights/default --penalty 1 --flag-scenes 150`."""
    from safetensors import safe_open

    from colorizer.model.generator import WEIGHTS_FILE
    from colorizer.model.hint_field import HINT_FIELD_FILE
    from colorizer.pipeline.colorization import DEFAULT_WEIGHTS
    from colorizer.pipeline.fingerprint import file_sha256

    with safe_open(str(DEFAULT_WEIGHTS / HINT_FIELD_FILE), framework="pt") as handle:
        fitted_for = (handle.metadata() or {}).get("generator_sha256")
    assert fitted_for == file_sha256(DEFAULT_WEIGHTS / WEIGHTS_FILE)


def test_on_a_flag_scene_the_first_point_lands_on_the_cloth_half_the_time():
    """sample_points: a photo with a cloth mask gets its first point there in about half the
    draws (with the cloth's true color and residual), a photo without one never looks."""
    from colorizer.training.train_hint_field import sample_points

    height, width = 48, 64
    truth = np.zeros((height, width, 3), np.uint8)
    truth[:] = (128, 128, 128)
    truth[10:20, 30:50] = (200, 20, 20)  # the red cloth
    cloth = np.zeros((height, width), bool)
    cloth[10:20, 30:50] = True
    inputs = _inputs(12, 16)
    ab_work = torch.zeros(1, 2, 12, 16)
    scene = FieldPhoto(inputs, torch.zeros(2, 12, 16), ab_work, truth, cloth)
    plain = FieldPhoto(inputs, torch.zeros(2, 12, 16), ab_work, truth)
    rng = np.random.default_rng(3)
    on_cloth = 0
    for _ in range(200):
        cells, residuals = sample_points(rng, scene, 3)
        assert len(cells) == 3 and residuals.shape == (3, 2)
        if float(residuals[0, 0]) > 40:  # red against gray: the first point is on the cloth
            on_cloth += 1
            row, col = cells[0]
            assert 2 <= row < 5 and 7 <= col < 13  # its cell: the cloth's on the 12 x 16 grid
    assert 0.4 < on_cloth / 200 < 0.65  # half the draws, plus random points that fall there
    hits = sum(float(sample_points(rng, plain, 1)[1][0, 0]) > 40 for _ in range(100))
    assert hits < 20  # no cloth: uniform places only (the cloth is 6% of the photo)


def _two_color_distribution(h: int = 6, w: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """Bins: gray, red, blue; the left half of the grid sure of red or gray, the right half
    sure of blue or gray."""
    bins = torch.tensor([[0.0, 0.0], [60.0, 40.0], [0.0, -50.0]])
    probs = torch.zeros(1, 3, h, w)
    probs[0, 0] = 0.5
    probs[0, 1, :, : w // 2] = 0.5
    probs[0, 2, :, w // 2:] = 0.5
    return probs, bins


def test_the_distribution_says_where_a_color_is_plausible():
    from colorizer.model.hint_field import ColorDistribution

    probs, bins = _two_color_distribution()
    colors = ColorDistribution.build(probs[0], bins)
    red = torch.tensor([60.0, 40.0])[None, :, None, None].expand(1, 2, 6, 8)
    plausible = colors.plausible(red)[0]
    assert plausible.shape == (6, 8)
    assert torch.allclose(plausible[:, :4], torch.ones(6, 4), atol=1e-3)  # as sure as gray
    assert float(plausible[:, 4:].max()) < 0.05  # the right half never saw red


def test_a_plausibility_field_reads_two_more_features_and_needs_the_distribution():
    inputs = _inputs()
    residuals = torch.tensor([[10.0, 0.0], [0.0, -20.0]])
    with pytest.raises(ValueError, match="distribution"):
        pair_features(inputs, [(1, 1), (4, 6)], residuals, plausibility=True)
    probs, bins = _two_color_distribution()
    rich = FieldInputs.build(inputs.unit[None], inputs.lightness[None, None], inputs.ab[None],
                             torch.ones(1, 1, 6, 8), grid=80, distribution=(probs, bins))
    x = pair_features(rich, [(1, 1), (4, 6)], residuals, plausibility=True)
    assert x.shape == (2, 6, 8, PAIR_FEATURES + 2)
    assert torch.all(x[..., -1] == 1.0) and torch.all(x[..., 11] == 2 / 5)  # as before
    assert float(x[..., 12:14].min()) >= 0.0 and float(x[..., 12:14].max()) <= 1.0
    assert HintField(HintFieldConfig(plausibility=True)).net[0].in_features == PAIR_FEATURES + 2


def test_a_point_reaches_only_where_its_color_is_plausible():
    """A field that lends as far as the generator finds the point's color plausible: a red
    point lends to the half that could be red, not to the half that could only be blue."""
    field = HintField(HintFieldConfig(hidden=8, plausibility=True))
    for layer in (field.net[0], field.net[2], field.net[4]):
        torch.nn.init.zeros_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    with torch.no_grad():
        field.net[0].weight[0, 12] = 1.0  # hidden unit 0 = the pixel's plausibility
        field.net[2].weight[0, 0] = 1.0
        field.net[4].weight[0, 0] = 40.0
        field.net[4].bias.fill_(-12.0)  # sigmoid(40 gelu(gelu(p)) - 12): ~0 at 0, ~1 at 1
    probs, bins = _two_color_distribution()
    gray = torch.zeros(1, 2, 6, 8)
    inputs = FieldInputs.build(torch.ones(1, 4, 6, 8), torch.full((1, 1, 6, 8), 50.0), gray,
                               torch.ones(1, 1, 6, 8), grid=80, distribution=(probs, bins))
    with torch.no_grad():
        correction = field.correction(inputs, [(2, 1)], torch.tensor([[60.0, 40.0]]))
    assert float(correction[:, :, :4].norm(dim=0).min()) > 50.0
    assert float(correction[:, :, 4:].norm(dim=0).max()) < 1.0


def test_the_pipeline_hands_a_plausibility_field_the_distribution(shared_tiny_weights, halves):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    plain = pipe(halves)
    field = HintField(HintFieldConfig(hidden=8, plausibility=True))
    torch.nn.init.zeros_(field.net[-1].weight)
    torch.nn.init.constant_(field.net[-1].bias, 8.0)
    pipe.hint_field = field.eval()
    hinted = pipe(halves, color_hints=[ColorHint(Point(20, 30), RED)])
    light = (slice(None), slice(60, 96))
    moved = np.abs(np.asarray(hinted.image, dtype=int)[light]
                   - np.asarray(plain.image, dtype=int)[light]).mean()
    assert moved > 1.0  # it reached beyond the point's region, having read the distribution


def test_a_plausibility_field_round_trips_and_an_older_file_reads_without_it(tmp_path):
    field = HintField(HintFieldConfig(hidden=8, plausibility=True))
    field.save_pretrained(tmp_path / "new")
    loaded = HintField.from_pretrained(tmp_path / "new")
    assert loaded.config.plausibility and loaded.net[0].in_features == PAIR_FEATURES + 2
    assert HintFieldConfig.from_dict({"hidden": 32, "grid": 80}).plausibility is False


def test_the_unseen_photos_are_ones_no_generator_trained_on(shared_datasets):
    from colorizer.training.data import split_of
    from colorizer.training.train_hint_field import unseen_photos

    photos = unseen_photos(shared_datasets)
    assert len(photos) > 100
    assert all(split_of(p, 0.05) == "val" for p in photos)
    assert all(p.parent.name == "photos-train-extra" for p in photos)


def test_nothing_to_fit_on_is_refused_with_its_reason(tmp_path, capsys):
    from colorizer.training.train_hint_field import main

    assert main(["--out", str(tmp_path), "--photos", "0"]) == 2
    assert "no photos to fit on" in capsys.readouterr().err
