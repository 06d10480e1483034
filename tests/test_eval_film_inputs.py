"""eval/film_inputs.py: only the chroma is scored, under the truth's own L*."""

import numpy as np
import pytest
import torch

from colorizer.pipeline.colorization import ColorizationPipeline, lightness_at
from colorizer.training.film import film_lightness
from eval import metrics
from eval.film_inputs import chroma_error, markdown
from eval.operating_point import Photo, colorize


@pytest.fixture(scope="module")
def pipe():
    return ColorizationPipeline.from_pretrained(device="cpu", context=False, exemplars=False)


def test_a_gray_truth_scores_the_chroma_the_model_adds(pipe):
    rng = np.random.default_rng(0)
    gray = np.repeat(rng.uniform(0.2, 0.8, (48, 64, 1)), 3, axis=2)
    # Every film sees a neutral gray alike, so the input and the score are the same.
    errors = {f: chroma_error(pipe, gray, f) for f in ("lstar", "orthochromatic")}
    assert errors["lstar"] == pytest.approx(errors["orthochromatic"], abs=1e-6)
    assert 0.0 <= errors["lstar"] < 20.0


def test_the_films_tones_do_not_count(pipe):
    # A saturated blue patch is far lighter on blue-sensitive film (L* ~88) than to the eye
    # (~27). The output keeps the film's tones; scored as it is, that lightness would swamp
    # the score. Under the truth's L*, only the a*b* the model chose is compared.
    truth = np.zeros((48, 64, 3))
    truth[..., 2] = 0.9
    rgb = torch.from_numpy(truth).float().permute(2, 0, 1)[None]
    lightness = film_lightness(rgb, "blue_sensitive")
    assert float(lightness.mean()) - float(metrics.lab_of(truth)[..., 0].mean()) > 40
    features = pipe.generator.encode(lightness_at(lightness, pipe.render_size))
    logits, _ = pipe.generator.logits_from_features(features)
    output = colorize(pipe, Photo("", "", truth, lightness, logits, features, 0.0, 0.0))
    as_is = metrics.mean_ciede2000(output, truth)
    error = chroma_error(pipe, truth, "blue_sensitive")
    assert error < as_is - 10.0
    pred, true = metrics.lab_of(output), metrics.lab_of(truth)
    pred[..., 0] = true[..., 0]
    assert error == pytest.approx(metrics.mean_ciede2000(truth, truth, pred_lab=pred,
                                                         truth_lab=true), abs=1e-6)


def test_markdown_has_a_row_per_weights_and_film():
    result = {"gray": {"val": 11.0}, "n": {"val": 3},
              "rows": [{"version": "gen-v2", "film": f, "de": {"val": 9.0 + i}}
                       for i, f in enumerate(("lstar", "orthochromatic"))]}
    lines = markdown(result)
    assert "| gray (a*b* = 0) | any | 11.00 |" in lines
    assert "| gen-v2 | orthochromatic | 10.00 |" in lines
