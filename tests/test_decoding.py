"""The operating point saved beside the weights, the generator's exposed shapes, and the one
fingerprint of everything that changes an output."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.model.conditioning import Conditioning
from colorizer.model.generator import ColorGenerator, GeneratorConfig
from colorizer.model.quantize import annealed_mean, geometric_median
from colorizer.pipeline.chroma import ChromaConfig
from colorizer.pipeline.decoding import DECODING_FILE, DecodingConfig
from tests.conftest import TINY


def _photo() -> Image.Image:
    return Image.fromarray((np.random.default_rng(1).random((40, 56)) * 255).astype(np.uint8))


def test_decoding_round_trips_through_its_file(tmp_path):
    saved = DecodingConfig(render_size=96, temperature=0.3, chroma_scale=1.7,
                           chroma=ChromaConfig(agreement_power=0.5, edge_radius=0.0))
    path = saved.save(tmp_path)
    assert path.name == DECODING_FILE
    assert DecodingConfig.load(tmp_path) == saved
    assert json.loads(path.read_text())["chroma"]["agreement_power"] == 0.5


def test_old_weights_keep_their_decoding_from_config_json(tmp_path):
    """Weights saved before decoding.json held these keys in config.json: both load."""
    legacy = {**TINY, "temperature": 0.25, "chroma_scale": 2.0, "render_size": 320,
              "prior_correction": 0.7, "guided_chroma_scale": 2.8}
    (tmp_path / "config.json").write_text(json.dumps(legacy))
    decoding = DecodingConfig.load(tmp_path)
    assert (decoding.temperature, decoding.chroma_scale, decoding.render_size,
            decoding.prior_correction, decoding.guided_chroma_scale) == (0.25, 2.0, 320, 0.7, 2.8)
    assert GeneratorConfig.from_dict(legacy) == GeneratorConfig(**TINY)


def test_unknown_or_bad_decoding_settings_are_named(tmp_path):
    (tmp_path / DECODING_FILE).write_text(json.dumps({"temprature": 0.3}))
    with pytest.raises(ValueError, match=r"unknown DecodingConfig keys \['temprature'\].*"
                                         r"valid keys"):
        DecodingConfig.load(tmp_path)
    with pytest.raises(ValueError, match="chroma_scale must not be negative"):
        DecodingConfig(chroma_scale=-1.0)
    with pytest.raises(ValueError, match="unknown GeneratorConfig keys"):
        GeneratorConfig.from_dict({**TINY, "widht16": 3})


def test_the_pipeline_uses_the_saved_operating_point_and_run_overrides(tiny_weights):
    DecodingConfig(render_size=64, chroma=ChromaConfig(edge_radius=0.0)).save(tiny_weights)
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    assert pipe.render_size == 64 and pipe.decoding.chroma.edge_radius == 0.0
    # A dict changes only the named chroma field; the others stay the saved ones.
    changed = pipe.with_config(chroma={"agreement_power": 2.0}, render_size=80)
    assert changed.decoding.chroma == ChromaConfig(agreement_power=2.0, edge_radius=0.0)
    assert changed.render_size == 80 and pipe.render_size == 64
    result = changed(_photo())
    assert result.settings["chroma.agreement_power"] == 2.0
    assert result.settings["chroma.edge_radius"] == 0.0
    with pytest.raises(ValueError, match=r"unknown PipelineConfig keys \['temprature'\]"):
        ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                             exemplars=False, temprature=0.3)


def test_fingerprint_follows_what_changes_the_output(tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    same = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    assert pipe.fingerprint == same.fingerprint and len(pipe.fingerprint) == 64
    # max_pixels refuses inputs but never changes an output.
    assert pipe.with_config(max_pixels=10_000).fingerprint == pipe.fingerprint
    changes = [{"chroma_scale": 1.5}, {"temperature": 0.2}, {"render_size": 96},
               {"chroma": {"edge_radius": 0.0}}, {"exemplar_transfer": 0.5},
               {"transfer": {"photo_size": 256}}]
    prints = {pipe.with_config(**c).fingerprint for c in changes}
    assert len(prints) == len(changes) and pipe.fingerprint not in prints
    # Changing the saved operating point changes it too, as do other weights.
    DecodingConfig(temperature=0.3).save(tiny_weights)
    resaved = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                   exemplars=False, render_size=64)
    assert resaved.fingerprint != pipe.fingerprint
    assert pipe(_photo()).settings["fingerprint"] == pipe.fingerprint


def test_generator_reports_attention_per_exemplar():
    torch.manual_seed(0)
    generator = ColorGenerator(GeneratorConfig(**TINY)).eval()
    assert generator.output_stride == 4
    exemplars = torch.rand(1, 2, 3, 128, 128)
    cond = Conditioning(exemplars=exemplars, exemplar_mask=torch.ones(1, 2, dtype=torch.bool),
                        era=torch.zeros(1, 2), era_mask=torch.tensor([False]),
                        text=torch.zeros(1, 384), text_mask=torch.tensor([False]))
    tokens, mask = generator.encode_conditioning(cond, 1)
    lightness = torch.rand(1, 1, 64, 96) * 100
    with torch.no_grad():
        logits, weights = generator.forward_logits(lightness, tokens, mask, True)
    mass = generator.exemplar_attention(weights, cond, tuple(logits.shape[-2:]))
    assert mass.shape == (2, 8, 12)  # two exemplars on the stride-8 grid of 64 x 96
    n = generator.tokens_per_exemplar
    # Tokens: null, era, text, then n per exemplar; the second exemplar's are the last n.
    expected = weights[-1][0, :, 3 + n:3 + 2 * n].sum(-1).reshape(8, 12)
    torch.testing.assert_close(mass[1], expected)
    # Attention over null + masked era/text + exemplars sums to 1 per pixel.
    assert float(mass.sum(0).max()) <= 1.0 + 1e-5
    none = generator.exemplar_attention((), Conditioning(), tuple(logits.shape[-2:]))
    assert none.shape == (0, 8, 12)


def test_the_median_leans_to_the_heavier_of_two_colors_and_the_mean_does_not():
    bins = torch.tensor([[0.0, 0.0], [0.0, -40.0], [30.0, 0.0]])  # gray, blue, red
    logits = torch.log(torch.tensor([0.35, 0.6, 0.05])).view(1, 3, 1, 1)
    mean = annealed_mean(logits, bins, 1.0).flatten()
    median = geometric_median(logits, bins, 1.0).flatten()
    assert mean[1] == pytest.approx(-24.0)  # between the modes
    assert median[1] < -39.0 and abs(median[0]) < 0.1  # on the blue mode
    # It minimises the expected distance: no nearby color does better.
    probs = torch.tensor([0.35, 0.6, 0.05])

    def expected(ab):
        return float((probs * (bins - ab).norm(dim=1)).sum())

    for offset in ([1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]):
        assert expected(median) <= expected(median + torch.tensor(offset)) + 1e-4
    assert expected(median) < expected(mean)


def test_a_one_mode_pixel_gets_the_same_color_from_either_estimator():
    bins = torch.tensor([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0]])
    logits = torch.log(torch.tensor([0.25, 0.5, 0.25])).view(1, 3, 1, 1).repeat(2, 1, 3, 4)
    assert torch.allclose(geometric_median(logits, bins, 1.0),
                          annealed_mean(logits, bins, 1.0), atol=1e-4)
    assert geometric_median(logits, bins, 1.0).shape == (2, 2, 3, 4)


def test_an_unknown_estimator_is_refused_by_name():
    with pytest.raises(ValueError, match="estimator must be one of"):
        DecodingConfig(estimator="mode")
    assert DecodingConfig.from_dict({"estimator": "median"}).estimator == "median"


def test_the_saved_estimator_reaches_the_photo_and_its_settings(tiny_weights):
    outputs = {}
    for estimator in ("annealed_mean", "median"):
        DecodingConfig(render_size=64, estimator=estimator).save(tiny_weights)
        pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                    exemplars=False)
        result = pipe(_photo())
        assert result.settings["estimator"] == estimator
        outputs[estimator] = (np.asarray(result.image, dtype=np.int16), pipe.fingerprint)
    assert outputs["median"][1] != outputs["annealed_mean"][1]
    assert np.abs(outputs["median"][0] - outputs["annealed_mean"][0]).max() > 0
