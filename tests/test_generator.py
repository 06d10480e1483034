import pytest
import torch

from colorizer.model.colorspace import rgb_to_lab
from colorizer.model.conditioning import Conditioning
from colorizer.model.generator import ColorGenerator, GeneratorConfig
from colorizer.model.quantize import in_gamut_ab_bins
from colorizer.training.loss import classification_loss, lab_targets


def _inputs(batch=2, size=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 1, size, size, generator=g) * 100


def test_output_shapes(tiny_generator):
    out = tiny_generator(_inputs(2, 64))
    q = tiny_generator.num_bins
    assert out.logits.shape == (2, q, 16, 16)
    assert out.ab.shape == (2, 2, 16, 16)
    assert out.uncertainty.shape == (2, 1, 16, 16)
    assert 0 <= float(out.uncertainty.detach().min()) and float(out.uncertainty.detach().max()) <= 1


def test_non_square_any_size(tiny_generator):
    out = tiny_generator(torch.rand(1, 1, 72, 120) * 100)
    assert out.ab.shape[-2:] == (18, 30)


def test_every_parameter_receives_a_gradient(tiny_generator):
    # Era, context text and exemplars: every part of the conditioning encoder is used.
    cond = Conditioning(exemplars=torch.rand(2, 2, 3, 64, 64),
                        era=torch.tensor([[1950.0, 1955.0], [1900.0, 1910.0]]),
                        text=torch.randn(2, tiny_generator.config.text_dim))
    tokens, mask = tiny_generator.encode_conditioning(cond, 2)
    logits, _ = tiny_generator.forward_logits(_inputs(2, 64), tokens, mask)
    logits.square().mean().backward()
    missing = [n for n, p in tiny_generator.named_parameters() if p.grad is None or
               not torch.isfinite(p.grad).all() or p.grad.abs().sum() == 0]
    assert missing == []


def test_output_changes_when_tokens_change(tiny_generator):
    tiny_generator.eval()
    x = _inputs(1, 64)
    a = torch.randn(1, 4, tiny_generator.config.cond_dim)
    b = torch.randn(1, 4, tiny_generator.config.cond_dim)
    with torch.no_grad():
        assert (tiny_generator(x, a).logits - tiny_generator(x, b).logits).abs().max() > 1e-4


def test_masked_tokens_have_no_effect(tiny_generator):
    tiny_generator.eval()
    x = _inputs(1, 64)
    real = torch.randn(1, 2, tiny_generator.config.cond_dim)
    junk = torch.randn(1, 3, tiny_generator.config.cond_dim) * 50
    mask = torch.tensor([[True, True, False, False, False]])
    with torch.no_grad():
        with_junk = tiny_generator(x, torch.cat([real, junk], 1), mask).logits
        alone = tiny_generator(x, real).logits
        fully_masked = tiny_generator(x, junk, torch.zeros(1, 3, dtype=torch.bool)).logits
        empty = tiny_generator(x).logits
    assert torch.allclose(with_junk, alone, atol=1e-5)
    assert torch.allclose(fully_masked, empty, atol=1e-5)


@pytest.mark.slow
def test_tiny_model_overfits_one_image():
    torch.manual_seed(0)
    model = ColorGenerator(GeneratorConfig(width16=32, width8=32, width4=32, heads=2,
                                           cond_dim=8, grid_samples=24))
    # A photo-like target: smooth color gradients over a textured luminance.
    yy, xx = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 64), indexing="ij")
    rgb = torch.stack([xx, 0.3 + 0.4 * yy, 1 - xx]).unsqueeze(0).clamp(0, 1)
    lightness, ab = lab_targets(rgb)
    weights = torch.ones(model.num_bins)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(150):
        loss = classification_loss(model(lightness).logits, ab, model.ab_bins, weights)
        first = first if first is not None else float(loss.detach())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # Soft targets over 5 bins have an entropy floor of about 1.0 nats; 5.3 = log(Q) at start.
    assert float(loss.detach()) < 1.6 < first
    with torch.no_grad():  # train mode: BN running stats of a random encoder are not settled
        mean_ab, _ = model.decode(model(lightness).logits, temperature=1.0)
        err = (mean_ab - ab).norm(dim=1).mean()
    assert float(err) < 6.0  # mean ab error (CIELAB units) of the plain mean after overfitting


def test_save_and_load_round_trip_is_strict(tmp_path, tiny_generator):
    folder = tiny_generator.save_pretrained(tmp_path / "m", metadata={"version": "x"}).parent
    loaded = ColorGenerator.from_pretrained(folder)
    x = _inputs(1, 64)
    tiny_generator.eval()
    with torch.no_grad():
        assert torch.allclose(loaded(x).logits, tiny_generator(x).logits)
    other = ColorGenerator(GeneratorConfig(width16=8, width8=8, width4=8, heads=2, cond_dim=8,
                                           grid_samples=24))
    other.save_pretrained(tmp_path / "other")
    (tmp_path / "other" / "config.json").write_text((folder / "config.json").read_text())
    with pytest.raises(RuntimeError):
        ColorGenerator.from_pretrained(tmp_path / "other")


def test_config_rejects_unknown_keys():
    with pytest.raises(ValueError, match="valid keys"):
        GeneratorConfig.from_dict({"width16": 8, "widht8": 8})


def test_bins_cover_the_gamut():
    bins = in_gamut_ab_bins(samples_per_axis=48)
    rgb = torch.rand(1, 3, 20, 20, dtype=torch.float64)
    ab = rgb_to_lab(rgb)[0, 1:].reshape(2, -1).T.float()
    nearest = torch.cdist(ab, bins).min(1).values
    assert nearest.max() < 7.1  # within half a cell diagonal of the 10-unit grid


def test_confidence_weighted_chroma_tones_down_guesses_not_certainties():
    model = ColorGenerator(GeneratorConfig(width16=8, width8=8, width4=8, heads=2, cond_dim=8,
                                           grid_samples=24))
    q = model.num_bins
    red = int(((model.ab_bins - torch.tensor([60.0, 40.0])).norm(dim=1)).argmin())
    certain = torch.full((1, q, 1, 1), -30.0)
    certain[0, red] = 30.0  # all mass on one red bin
    plain, _ = model.decode(certain, chroma_scale=0.5)
    weighted, uncertainty = model.decode(certain, chroma_scale=0.5, confidence_weighted=True)
    assert float(uncertainty.max()) < 1e-3
    assert torch.allclose(weighted, plain / 0.5, atol=1e-3)  # certain: no toning down
    flat = torch.zeros(1, q, 1, 1)
    flat[0, red] = 0.5  # nearly flat: scaled by almost the full 0.5
    guess, u = model.decode(flat, chroma_scale=0.5, confidence_weighted=True)
    uniform, _ = model.decode(flat, chroma_scale=0.5)
    assert float(u) > 0.99 and torch.allclose(guess, uniform, rtol=0.02, atol=0.05)
