"""The color-balance predictor: fitting, shapes, strict save/load, and the training cache's
contract with `pool_features`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from colorizer.model.balance import (
    ABSOLUTE_DELTA,
    BALANCE_FILE,
    BalanceConfig,
    BalancePredictor,
    pool_features,
)
from colorizer.model.generator import ColorGenerator, GeneratorConfig
from colorizer.pipeline.colorization import lightness_at, lightness_of
from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.imageio import load_image
from colorizer.training.balance_data import PhotoSet, photo_stats
from colorizer.training.train_balance import ridge_predictions
from tests.conftest import TINY

SIZE = 96  # synthetic photos' side: big enough for a stride-32 map of 3 x 3


def synthetic_photo(sky: float, stripes: float, rng: np.random.Generator) -> torch.Tensor:
    """(1, 1, SIZE, SIZE) L*: a smooth bright "sky" over the top `sky` share, below it
    vertical stripes on the left `stripes` share of the width and noise on the rest."""
    lum = np.empty((SIZE, SIZE))
    top = round(sky * SIZE)
    lum[:top] = 80 + np.linspace(0, 10, SIZE)[None, :]
    ground = SIZE - top
    split = round(stripes * SIZE)
    cols = np.arange(split)
    lum[top:, :split] = 30 + 30 * ((cols // 3) % 2)[None, :].repeat(ground, 0)
    lum[top:, split:] = rng.uniform(20, 60, size=(ground, SIZE - split))
    return torch.from_numpy(lum).float()[None, None]


def balance_of(sky: float, stripes: float) -> tuple[float, float]:
    """The synthetic truth: stripes make it redder, sky makes it bluer."""
    return 25.0 * stripes - 10.0, 15.0 - 30.0 * sky


def synthetic_set(generator: ColorGenerator, n: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Pooled (N, D) features of n random synthetic photos and their (N, 2) balance."""
    rng = np.random.default_rng(seed)
    pooled, targets = [], []
    for _ in range(n):
        sky, stripes = rng.uniform(0.1, 0.9, size=2)
        with torch.inference_mode():
            feats = generator.encode(synthetic_photo(sky, stripes, rng))
        pooled.append(pool_features(feats, (16, 32), pool_std=True))
        targets.append(balance_of(sky, stripes))
    return torch.cat(pooled), torch.tensor(targets, dtype=torch.float32)


@pytest.fixture
def fitted(tiny_generator) -> BalancePredictor:
    tiny_generator.eval()
    x, y = synthetic_set(tiny_generator, 4, seed=1)
    return BalancePredictor.fit(x, y, BalanceConfig(ridge=1.0))


@pytest.mark.slow
def test_fit_recovers_the_balance_on_held_out_photos(tiny_generator):
    tiny_generator.eval()
    train_x, train_y = synthetic_set(tiny_generator, 48, seed=0)
    test_x, test_y = synthetic_set(tiny_generator, 16, seed=1)
    model = BalancePredictor.fit(train_x, train_y, BalanceConfig(ridge=0.1))
    with torch.no_grad():
        error = (model.forward_pooled(test_x) - test_y).abs().mean()
    constant = (train_y.mean(0) - test_y).abs().mean()
    assert float(error) < 0.5 * float(constant), (float(error), float(constant))


def test_fit_is_exact_on_linear_data_without_ridge():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(60, 5, generator=g) * torch.tensor([1.0, 10.0, 0.1, 3.0, 1.0]) + 4
    w = torch.randn(5, 2, generator=g)
    y = x @ w + torch.tensor([-2.8, -1.8])
    model = BalancePredictor.fit(x, y, BalanceConfig(strides=(32,), ridge=0.0))
    with torch.no_grad():
        np.testing.assert_allclose(model.forward_pooled(x).numpy(), y.numpy(), atol=1e-4)


def test_ridge_shrinks_toward_the_mean_balance():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 8, generator=g), torch.randn(40, 2, generator=g) * 10
    model = BalancePredictor.fit(x, y, BalanceConfig(ridge=1e6))
    with torch.no_grad():
        np.testing.assert_allclose(model.forward_pooled(x).numpy(),
                                   y.mean(0).expand(40, 2).numpy(), atol=1e-3)


def test_absolute_loss_fits_the_median_and_squared_the_mean():
    """With the features shrunk away only the intercept is left: the mean for the squared
    loss, the smoothed median (the minimizer of sum sqrt(r^2 + delta^2)) for the absolute."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(301, 3, generator=g)
    y = -5.0 * torch.rand(301, 2, generator=g).log()  # exponential: skewed like yellow casts
    grid = torch.linspace(0.0, 10.0, 20001)  # (G,)
    objective = torch.sqrt((y[None] - grid[:, None, None]) ** 2 + ABSOLUTE_DELTA**2).sum(1)
    smoothed_median = grid[objective.argmin(dim=0)]  # (2,)
    squared = BalancePredictor.fit(x, y, BalanceConfig(ridge=1e6, loss="squared"))
    absolute = BalancePredictor.fit(x, y, BalanceConfig(ridge=1e6, loss="absolute"))
    np.testing.assert_allclose(squared.linear.bias.detach().numpy(), y.mean(0).numpy(),
                               atol=1e-4)
    np.testing.assert_allclose(absolute.linear.bias.detach().numpy(), smoothed_median.numpy(),
                               atol=0.01)
    median = y.median(0).values
    assert ((absolute.linear.bias - median).abs() < (y.mean(0) - median).abs() / 4).all()


def test_absolute_loss_resists_outliers():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 4, generator=g)
    w = torch.randn(4, 2, generator=g) * 5
    y = x @ w
    y[::10] += 60.0  # a tenth of the photos far off, all to one side
    errors = {}
    for loss in ("squared", "absolute"):
        model = BalancePredictor.fit(x, y, BalanceConfig(ridge=1e-3, loss=loss))
        with torch.no_grad():
            errors[loss] = float((model.forward_pooled(x) - x @ w).abs().mean())
    assert errors["absolute"] < 0.2 * errors["squared"], errors


def test_forward_shapes(tiny_generator, fitted):
    with torch.inference_mode():
        feats = tiny_generator.encode(torch.rand(3, 1, 64, 96) * 100)
        out = fitted(feats)
    assert out.shape == (3, 2)
    assert torch.isfinite(out).all()


def test_forward_refuses_features_of_another_shape(fitted):
    feats = {16: torch.rand(1, 7, 4, 4), 32: torch.rand(1, 9, 2, 2)}
    with pytest.raises(ValueError, match="fitted on"):
        fitted(feats)
    with pytest.raises(KeyError, match="stride-16"):
        fitted({32: torch.rand(1, 320, 2, 2)})


def test_save_load_round_trip_is_exact(tmp_path, tiny_generator, fitted):
    path = fitted.save_pretrained(tmp_path, metadata={"version": "test"})
    assert path == tmp_path / BALANCE_FILE
    loaded = BalancePredictor.from_pretrained(tmp_path)
    assert loaded.config == fitted.config
    for key, value in fitted.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    with torch.inference_mode():
        feats = tiny_generator.encode(torch.rand(2, 1, 64, 64) * 100)
        assert torch.equal(loaded(feats), fitted(feats))


@pytest.mark.parametrize("tamper", ["missing", "extra", "shape"])
def test_loading_is_strict(tmp_path, fitted, tamper):
    from safetensors import safe_open

    path = fitted.save_pretrained(tmp_path)
    with safe_open(str(path), framework="pt") as handle:
        meta = handle.metadata()
    state = load_file(str(path))
    if tamper == "missing":
        del state["feature_std"]
    elif tamper == "extra":
        state["stray"] = torch.zeros(1)
    else:
        state["linear.weight"] = torch.zeros(2, 3)
    save_file(state, str(path), metadata=meta)
    with pytest.raises(RuntimeError, match="feature_std|stray|linear.weight"):
        BalancePredictor.from_pretrained(tmp_path)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=BALANCE_FILE):
        BalancePredictor.from_pretrained(tmp_path)


def test_config_rejects_unknown_keys_and_round_trips():
    config = BalanceConfig(strides=(8, 16, 32), pool_std=False, ridge=3.0, loss="absolute",
                           feature_count=472)
    assert BalanceConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="valid keys"):
        BalanceConfig.from_dict({"stride": [32]})
    with pytest.raises(ValueError, match="loss"):
        BalanceConfig(loss="huber")


def test_ridge_path_matches_fit():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(50, 12, generator=g) * 3 + 1, torch.randn(50, 2, generator=g)
    val = torch.randn(7, 12, generator=g)
    for ridge, pred in zip((0.1, 10.0), ridge_predictions(x.numpy(), y.numpy(), val.numpy(),
                                                          (0.1, 10.0))):
        model = BalancePredictor.fit(x, y, BalanceConfig(ridge=ridge))
        with torch.no_grad():
            np.testing.assert_allclose(model.forward_pooled(val).numpy(), pred, atol=1e-4)


def test_cached_stats_follow_pool_features(tmp_path):
    """What training caches per photo is what the module computes from the pipeline's maps."""
    torch.manual_seed(0)
    generator = ColorGenerator(GeneratorConfig(**TINY)).eval()
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(40, 56, 3), dtype=np.uint8)
    pixels[..., 2] = 255  # bluish: b* < 0
    Image.fromarray(pixels).save(tmp_path / "photo.png")
    stats = photo_stats(tmp_path / "photo.png", generator, DecodingConfig(render_size=64),
                        decode=True)
    assert stats is not None and stats["truth"][1] < 0
    photos = PhotoSet(names=["photo.png"], truth=stats["truth"][None],
                      pooled={k: v[None] for k, v in stats.items() if k[:3] in ("mea", "std")},
                      generator_ab=stats["generator_ab"][None], output_ab=stats["output_ab"][None])

    lightness = lightness_at(lightness_of(load_image(tmp_path / "photo.png")), 64)
    with torch.inference_mode():
        live = pool_features(generator.encode(lightness), (8, 16, 32), pool_std=True)
    np.testing.assert_allclose(photos.features((8, 16, 32), True), live.numpy(), rtol=1e-5)


def test_gray_photos_are_skipped(tmp_path, tiny_generator):
    Image.fromarray(np.full((32, 32), 128, dtype=np.uint8), "L").save(tmp_path / "gray.png")
    assert photo_stats(tmp_path / "gray.png", tiny_generator, DecodingConfig(),
                       decode=False) is None
