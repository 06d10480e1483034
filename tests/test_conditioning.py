"""Conditioning tokens: layout, masking, and that exemplars really steer the color."""

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.model.colorspace import lab_to_rgb_keep_luminance
from colorizer.model.conditioning import Conditioning, exemplar_tensor
from colorizer.model.generator import ColorGenerator, GeneratorConfig
from colorizer.training.loss import classification_loss, lab_targets
from retrieval.types import Exemplar, RetrievedExemplar

TINY = {"width16": 16, "width8": 16, "width4": 16, "heads": 2, "cond_dim": 8, "grid_samples": 24,
            "exemplar_size": 32, "text_dim": 6}


def _retrieved(ident: str, image_path: str, kind: str = "photo",
               score: float = 0.7) -> RetrievedExemplar:
    """A library hit as the retriever returns it, for an image made by the test."""
    exemplar = Exemplar(ident, kind, ident, 1900, 2000, (), (), "test", "test", image_path)
    return RetrievedExemplar(exemplar, score, {}, (), image_path)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return ColorGenerator(GeneratorConfig(**TINY)).eval()


def _lightness(size=64):
    g = torch.Generator().manual_seed(1)
    return torch.rand(1, 1, size, size, generator=g) * 100


def test_token_layout_and_mask(model):
    n = model.tokens_per_exemplar
    assert n == 4  # 32 px exemplars at stride 16
    cond = Conditioning(exemplars=torch.rand(2, 3, 3, 32, 32),
                        exemplar_mask=torch.tensor([[True, True, False], [False, False, False]]),
                        era=torch.tensor([[1950.0, 1950.0], [0.0, 0.0]]),
                        era_mask=torch.tensor([True, False]),
                        text=torch.randn(2, 6), text_mask=torch.tensor([False, True]))
    tokens, mask = model.encode_conditioning(cond, 2)
    assert tokens.shape == (2, 2 + 3 * n, 8)
    assert mask[0].tolist() == [True, False] + [True] * n * 2 + [False] * n
    assert mask[1].tolist() == [False, True] + [False] * n * 3


def test_masked_exemplars_and_context_change_nothing(model):
    x = _lightness()
    junk = Conditioning(exemplars=torch.rand(1, 2, 3, 32, 32),
                        exemplar_mask=torch.zeros(1, 2, dtype=torch.bool),
                        era=torch.tensor([[1917.0, 1920.0]]), era_mask=torch.tensor([False]),
                        text=torch.randn(1, 6), text_mask=torch.tensor([False]))
    with torch.no_grad():
        assert torch.allclose(model(x, conditioning=junk).logits, model(x).logits, atol=1e-5)


def test_exemplar_chroma_alone_changes_the_output(model):
    """Same exemplar luminance, other colors: the value half must carry the chroma."""
    lab = torch.zeros(1, 3, 32, 32)
    lab[:, 0] = 55.0
    red, blue = lab.clone(), lab.clone()
    red[:, 1], red[:, 2] = 60.0, 40.0
    blue[:, 1], blue[:, 2] = 10.0, -50.0
    as_rgb = lambda t: lab_to_rgb_keep_luminance(t[:, :1], t[:, 1:])
    x = _lightness()
    with torch.no_grad():
        a = model(x, conditioning=Conditioning(exemplars=as_rgb(red)[:, None])).logits
        b = model(x, conditioning=Conditioning(exemplars=as_rgb(blue)[:, None])).logits
    assert (a - b).abs().max() > 1e-4


def test_exemplar_tensor_squeezes_to_a_square():
    img = Image.new("RGB", (90, 30), (200, 10, 10))
    t = exemplar_tensor(img, 32)
    assert t.shape == (3, 32, 32) and abs(float(t[0].mean()) - 200 / 255) < 1e-3


def _square_scene(color_lab: tuple[float, float, float], size=64) -> torch.Tensor:
    """A colored square on a gray ground; the square's L* is the same for every color."""
    lab = torch.zeros(1, 3, size, size)
    lab[:, 0] = 40.0
    lab[:, 0, 16:48, 16:48] = color_lab[0]
    lab[:, 1, 16:48, 16:48] = color_lab[1]
    lab[:, 2, 16:48, 16:48] = color_lab[2]
    return lab_to_rgb_keep_luminance(lab[:, :1], lab[:, 1:]).clamp(0, 1)


@pytest.mark.slow
def test_tiny_model_learns_to_take_the_color_from_the_exemplar():
    """Two scenes with identical luminance, a red and a blue square: only the exemplar says
    which. After training, the square follows the exemplar's color."""
    torch.manual_seed(0)
    model = ColorGenerator(GeneratorConfig(**{**TINY, "width16": 32, "width8": 32,
                                              "width4": 32, "cond_dim": 16}))
    red = _square_scene((50.0, 60.0, 45.0))
    blue = _square_scene((50.0, 15.0, -55.0))
    rgb = torch.cat([red, blue])
    exemplars = torch.nn.functional.interpolate(rgb, size=(32, 32), mode="bilinear")[:, None]
    lightness, ab = lab_targets(rgb)
    assert torch.allclose(lightness[0], lightness[1], atol=0.2)
    cond = Conditioning(exemplars=exemplars)
    weights = torch.ones(model.num_bins)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.encoder.requires_grad_(False)
    for _ in range(200):
        loss = classification_loss(model(lightness, conditioning=cond).logits, ab,
                                   model.ab_bins, weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():  # train mode: BN running stats of a random encoder are not settled
        pred = model(lightness, conditioning=cond).ab[:, :, 6:10, 6:10].mean((2, 3))
    hue = torch.rad2deg(torch.atan2(pred[:, 1], pred[:, 0])) % 360
    assert 0 <= float(hue[0]) <= 60, pred  # red square red
    assert 240 <= float(hue[1]) <= 320, pred  # blue square blue


def test_weak_retrieved_matches_are_left_out_and_retrieved_ones_are_not_attended(tmp_path):
    from colorizer.pipeline.guidance import UserExemplar, build_guidance

    paths = []
    for k, color in enumerate([(200, 0, 0), (0, 0, 200), (0, 200, 0)]):
        path = tmp_path / f"ex{k}.png"
        Image.new("RGB", (16, 16), color).save(path)
        paths.append(str(path))
    retrieved = [_retrieved("strong", paths[0], score=0.65),
                 _retrieved("close", paths[1], score=0.55),
                 _retrieved("weak", paths[2], score=0.46),
                 _retrieved("no image", str(tmp_path / "gone.png"), score=0.64)]
    guidance = build_guidance(retrieved, [], 32, 6, max_exemplars=4)
    assert [r.id for r in guidance.used] == ["strong", "close"]
    assert len(guidance.images) == 2
    # Retrieved exemplars reach the photo only through the direct transfer: no tokens.
    assert guidance.attended == 0 and guidance.conditioning.exemplars is None
    user = UserExemplar("mine.png", Image.new("RGB", (16, 16), (0, 120, 0)), None)
    guidance = build_guidance(retrieved, [user], 32, 6, max_exemplars=4)
    assert [r.id for r in guidance.used] == ["user:mine.png", "strong", "close"]
    assert guidance.attended == 1
    assert guidance.conditioning.exemplars.shape == (1, 1, 3, 32, 32)


def test_era_and_context_sentence_tokens_stay_masked():
    # Trained on synthetic pairs only, they moved colors on real photos without helping.
    from colorizer.pipeline.guidance import build_guidance

    cond = build_guidance([], [], 32, 6, max_exemplars=4).conditioning
    assert not bool(cond.text_mask[0]) and not bool(cond.era_mask[0])


def test_guided_chroma_scale_applies_only_when_the_user_gives_exemplars(tmp_path):
    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.decoding import DecodingConfig

    torch.manual_seed(0)
    config = {**TINY, "exemplar_size": 128, "text_dim": 384}
    ColorGenerator(GeneratorConfig(**config)).save_pretrained(tmp_path / "m")
    DecodingConfig(chroma_scale=0.2, guided_chroma_scale=1.0).save(tmp_path / "m")
    pipe = ColorizationPipeline.from_pretrained(tmp_path / "m", device="cpu", context=False,
                                                exemplars=False, render_size=64)
    gray = Image.fromarray((np.random.default_rng(0).random((48, 64)) * 255).astype(np.uint8))
    reference = Image.new("RGB", (32, 32), (200, 30, 30))
    assert pipe(gray).settings["chroma_scale"] == 0.2
    assert pipe(gray, exemplars=[reference]).settings["chroma_scale"] == 1.0
    override = pipe.with_config(chroma_scale=0.5)
    assert override(gray, exemplars=[reference]).settings["chroma_scale"] == 0.5
    # A retrieved exemplar guides too, but only matches part of a photo: no bolder scale.
    reference.save(tmp_path / "flag.png")
    retrieving = ColorizationPipeline(
        pipe.generator, pipe.model_info, pipe.config, device="cpu",
        decoding=pipe.saved_decoding,
        exemplar_fn=lambda context, gray, hints: [_retrieved("flag", str(tmp_path / "flag.png"))])
    result = retrieving(gray)
    assert [e.id for e in result.exemplars if e.used] == ["flag"]
    assert result.settings["chroma_scale"] == 0.2
