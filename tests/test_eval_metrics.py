import numpy as np
import pytest

from eval import metrics


def _flat(color, shape=(16, 20)):
    return np.broadcast_to(np.asarray(color, dtype=np.float64), (*shape, 3)).copy()


def _photo(seed=0, shape=(40, 56)):
    """A smooth random color image (photos are smooth; SSIM needs some structure)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]] / max(shape)
    phases = rng.uniform(0, 2 * np.pi, 3)
    channels = [0.5 + 0.4 * np.sin(4 * x + 3 * y + p) for p in phases]
    return np.clip(np.stack(channels, -1) + rng.normal(0, 0.02, (*shape, 3)), 0, 1)


def test_identical_images_are_perfect():
    img = _photo()
    assert metrics.mean_ciede2000(img, img) == 0.0
    assert metrics.psnr(img, img) == metrics.PSNR_CAP_DB
    assert metrics.ssim(img, img) == pytest.approx(1.0)


def test_psnr_of_a_known_error():
    truth = _flat((0.4, 0.5, 0.6))
    assert metrics.psnr(truth + 0.1, truth) == pytest.approx(20.0)


def test_ciede2000_grows_with_the_color_error():
    truth = _photo()
    near = np.clip(truth + [0.02, 0, 0], 0, 1)
    far = np.clip(truth + [0.2, 0, 0], 0, 1)
    assert 0 < metrics.mean_ciede2000(near, truth) < metrics.mean_ciede2000(far, truth)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="same shape"):
        metrics.psnr(_photo(shape=(8, 8)), _photo(shape=(8, 9)))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        metrics.colorfulness(np.zeros((8, 8)))


def test_gray_has_no_colorfulness_hue_or_blue():
    gray = np.repeat(_photo()[..., :1], 3, axis=-1)
    assert metrics.colorfulness(gray) == pytest.approx(0.0, abs=1e-9)
    assert metrics.blue_share(gray) == 0.0
    assert metrics.hue_histogram(gray).sum() == 0.0


def test_colorfulness_of_flat_red_is_the_mean_term_only():
    # rg = 255, yb = 127.5, no spread: M = 0.3 * hypot(255, 127.5)
    assert metrics.colorfulness(_flat((1, 0, 0))) == pytest.approx(0.3 * np.hypot(255, 127.5))


@pytest.mark.parametrize("color, share", [
    ((0, 0, 1), 1.0),  # sRGB blue primary, hue ~306 deg
    ((0.53, 0.81, 0.92), 1.0),  # sky blue, hue ~234 deg
    ((1, 0, 0), 0.0),
    ((1, 0, 1), 0.0),  # magenta (~328 deg) is not blue
    ((0.9, 0.8, 0.3), 0.0),
])
def test_blue_share_of_flat_colors(color, share):
    assert metrics.blue_share(_flat(color)) == share


def test_blue_share_is_the_blue_part_of_chroma():
    img = _flat((1, 0, 0))
    img[:, 10:] = (0, 0, 1)  # half red, half blue
    blue, total = metrics.blue_chroma(img)
    _, chroma_blue = metrics.blue_chroma(_flat((0, 0, 1), (16, 10)))
    assert blue == pytest.approx(chroma_blue)
    assert metrics.blue_share(img) == pytest.approx(blue / total)
    assert 0.4 < metrics.blue_share(img) < 0.7


def test_hue_histogram_is_chroma_weighted_in_the_right_bin():
    green = _flat((0, 1, 0))  # CIELAB hue ~136 deg -> 10-degree bin 13
    hist = metrics.hue_histogram(green)
    lab = metrics.lab_of(green)
    assert hist.shape == (metrics.HUE_BINS,)
    assert np.argmax(hist) == 13
    assert hist.sum() == pytest.approx(np.hypot(lab[..., 1], lab[..., 2]).sum())


def test_hue_divergence_bounds_and_conventions():
    red = metrics.hue_histogram(_flat((1, 0, 0)))
    blue = metrics.hue_histogram(_flat((0, 0, 1)))
    mixed = red + blue
    empty = np.zeros_like(red)
    assert metrics.hue_divergence(red, red * 7) == pytest.approx(0.0)  # scale-free
    assert metrics.hue_divergence(red, blue) == pytest.approx(1.0)  # disjoint: 1 bit
    half = metrics.hue_divergence(red, mixed)
    assert 0 < half < 1 and half == pytest.approx(metrics.hue_divergence(mixed, red))
    assert metrics.hue_divergence(empty, red) == 1.0
    assert metrics.hue_divergence(empty, empty) == 0.0


def test_frechet_distance_of_identical_and_shifted_sets():
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(40, 12))
    shift = rng.normal(size=12)
    assert metrics.frechet_distance(feats, feats) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(feats + shift, feats) == pytest.approx(shift @ shift, rel=1e-5)


def _frechet_full(a, b, eps=1e-6):
    """The textbook formula in all D dimensions, for reference."""
    from scipy import linalg

    cov_a = np.cov(a, rowvar=False) + eps * np.eye(a.shape[1])
    cov_b = np.cov(b, rowvar=False) + eps * np.eye(a.shape[1])
    diff = a.mean(0) - b.mean(0)
    root = np.real(linalg.sqrtm(cov_a @ cov_b))
    return diff @ diff + np.trace(cov_a + cov_b - 2 * root)


def test_frechet_distance_in_the_sample_span_equals_the_full_formula():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(6, 40)) * rng.uniform(0.1, 3, 40)
    b = rng.normal(size=(9, 40)) + 0.5
    assert metrics.frechet_distance(a, b) == pytest.approx(_frechet_full(a, b), rel=1e-6)
    c = rng.normal(size=(60, 40))  # more samples than dimensions: the direct path
    assert metrics.frechet_distance(c, b) == pytest.approx(_frechet_full(c, b), rel=1e-6)


def test_frechet_distance_with_fewer_samples_than_dimensions():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 64)), rng.normal(size=(6, 64))
    value = metrics.frechet_distance(a, b)
    assert np.isfinite(value) and value > 0
    assert metrics.frechet_distance(a, a + 3.0) == pytest.approx(64 * 9.0, rel=1e-4)
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(a[:1], b)


def test_encoder_features_accept_any_aspect():
    from colorizer.model.encoder import POOLED_DIM, EfficientNetLite0

    encoder = EfficientNetLite0(include_head=True).eval()  # random weights: shapes only
    feats = metrics.encoder_features([_photo(0, (30, 50)), _photo(1, (64, 40))], encoder,
                                     short_side=32)
    assert feats.shape == (2, POOLED_DIM) and np.isfinite(feats).all()


def test_gray_baseline_keeps_lightness_and_drops_chroma():
    truth = _photo()
    gray = metrics.gray_baseline(truth)
    np.testing.assert_allclose(metrics.lightness_of(gray), metrics.lightness_of(truth),
                               atol=1e-3)
    assert np.abs(metrics.lab_of(gray)[..., 1:]).max() < 1e-3
    assert metrics.colorfulness(gray) == pytest.approx(0.0, abs=1e-6)


def test_sepia_baseline_keeps_lightness_with_constant_chroma():
    truth = 0.3 + 0.4 * _photo()  # mid tones: a mild tint stays in gamut everywhere
    sepia = metrics.sepia_baseline(truth, (4.0, 12.0))
    np.testing.assert_allclose(metrics.lightness_of(sepia), metrics.lightness_of(truth),
                               atol=1e-3)
    np.testing.assert_allclose(metrics.lab_of(sepia)[..., 1:], np.broadcast_to(
        [4.0, 12.0], truth.shape[:2] + (2,)), atol=1e-2)
