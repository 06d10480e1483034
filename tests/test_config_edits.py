"""`--set KEY=VALUE`: one reading of pipeline settings for every tool that takes them (the
benchmarks and the flag finder's gate), and the gate measured under such a setting."""

from __future__ import annotations

import re

import pytest
import torch
from PIL import Image

from colorizer.pipeline.config import PipelineConfig
from colorizer.pipeline.config_edits import config_changes, parse_setting, parse_settings


def test_values_are_json_and_nested_fields_are_changed_alone():
    config = PipelineConfig()
    pairs = [parse_setting("temperature=0.3"), parse_setting(" transfer.photo_size=384")]
    changes = config_changes(config, pairs)
    assert changes["temperature"] == 0.3 and changes["transfer"].photo_size == 384
    assert changes["transfer"].size == config.transfer.size  # the section's other fields
    assert parse_settings(['hints="USSR 1950"', "temperature=0.2", "temperature=0.4"]) == {
        "hints": "USSR 1950", "temperature": 0.4}  # a later key wins
    with pytest.raises(ValueError, match="unknown pipeline setting 'no_such_knob'"):
        config_changes(config, [("no_such_knob", 1)])
    with pytest.raises(ValueError, match="unknown pipeline setting 'transfer.no_such_knob'"):
        config_changes(config, [("transfer.no_such_knob", 1)])


@pytest.mark.parametrize("text, message", [
    ("temperature=0,3", "must be JSON"),  # a typo is not kept as the text "0,3"
    ("estimator=median", "quote text: estimator='\"median\"'"),
    ("no-equals-sign", "expected KEY=VALUE"),
    ("=0.3", "expected KEY=VALUE"),
])
def test_a_bad_setting_says_how_to_write_it(text, message):
    with pytest.raises(Exception, match=message.replace("'", ".").replace('"', ".")):
        parse_setting(text)


def _cli_mains():
    from colorizer.training import flag_finder_gate
    from eval.blobs import cli as blobs
    from eval.flag_scenes import cli as flag_scenes
    from eval.real_photos import cli as real_photos

    return {"eval.blobs": blobs.main, "eval.flag_scenes": flag_scenes.main,
            "eval.real_photos": real_photos.main,
            "flag_finder_gate": lambda argv: flag_finder_gate.main(["--weights", "w", *argv])}


@pytest.mark.parametrize("tool", ["eval.blobs", "eval.flag_scenes", "eval.real_photos",
                                  "flag_finder_gate"])
def test_every_tool_refuses_a_bad_setting_before_it_runs(tool, capsys):
    with pytest.raises(SystemExit) as stop:
        _cli_mains()[tool](["--set", "temperature=warm"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--set" in err and "must be JSON" in err and "Traceback" not in err


def test_the_gate_refuses_to_be_set_its_own_fields(capsys):
    from colorizer.training.flag_finder_gate import main

    with pytest.raises(SystemExit) as stop:
        main(["--weights", "w", "--set", "transfer.min_cloth_evidence=0.5"])
    assert stop.value.code == 2
    assert "opens that field itself" in capsys.readouterr().err


@pytest.fixture
def finder_weights(tiny_weights):
    from colorizer.model.flag_finder import FlagFinder, FlagFinderConfig

    torch.manual_seed(0)
    FlagFinder(FlagFinderConfig(strides=(8, 16), width=8)).save_pretrained(tiny_weights)
    return tiny_weights


@pytest.mark.slow
def test_the_gate_measures_under_a_setting_and_names_an_unknown_one(finder_weights, tmp_path):
    from colorizer.training.flag_finder_gate import measure

    photo = tmp_path / "bare.png"
    Image.new("RGB", (96, 64), (120, 140, 90)).save(photo)
    evidence, share = measure(finder_weights, [photo],
                              settings=[("transfer.identity_tolerance", 10.0)])
    assert evidence.shape == share.shape == (1,)
    assert 0.0 <= float(evidence[0]) <= 1.0 and 0.0 <= float(share[0]) <= 1.0
    with pytest.raises(ValueError, match="transfer.no_such_knob"):
        measure(finder_weights, [photo], settings=[("transfer.no_such_knob", 1)])


def test_with_settings_applies_the_pairs_and_names_a_refused_value(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.config_edits import with_settings

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    assert with_settings(pipe, []) is pipe  # nothing to change: the same pipeline
    tuned = with_settings(pipe, [("temperature", 0.3), ("transfer.min_presence", 0.2)])
    assert tuned.config.temperature == 0.3 and tuned.config.transfer.min_presence == 0.2
    assert pipe.config.temperature is None  # the original is untouched
    with pytest.raises(ValueError):  # a text where a number belongs: not a TypeError
        with_settings(pipe, [("temperature", "warm")])
    with pytest.raises(ValueError, match="no_such_knob"):
        with_settings(pipe, [("no_such_knob", 1)])


@pytest.mark.parametrize("settings, named", [
    ({"render_size": "320"}, "render_size must be an integer or None, got '320' (str)"),
    ({"temperature": "0.4"}, "temperature must be a number or None, got '0.4' (str)"),
    ({"max_exemplars": True}, "max_exemplars must be an integer, got True (bool)"),
    ({"max_pixels": 1.5}, "max_pixels must be an integer, got 1.5 (float)"),
])
def test_a_setting_of_the_wrong_type_is_named_before_anything_loads(settings, named):
    """from_pretrained(render_size="320") failed inside with "'<' not supported"."""
    with pytest.raises(ValueError, match=re.escape(named)):
        PipelineConfig(**settings)
    import numpy as np  # numpy's numbers are numbers
    assert PipelineConfig(render_size=np.int64(320), temperature=np.float32(0.3)).render_size == 320


def test_a_number_given_as_an_int_or_numpy_is_stored_as_the_cli_stores_it():
    """`chroma_scale=3` (Python) and `--chroma-scale 3` (CLI, 3.0) are one setting: they
    were recorded as 3 and 3.0 and fingerprinted apart."""
    import dataclasses
    import json

    import numpy as np

    from_api = PipelineConfig(chroma_scale=3, temperature=np.float32(0.5),
                              render_size=np.int64(320))
    from_cli = PipelineConfig(chroma_scale=3.0, temperature=0.5, render_size=320)
    assert type(from_api.chroma_scale) is float and type(from_api.render_size) is int
    assert json.dumps(dataclasses.asdict(from_api), sort_keys=True, default=str) == json.dumps(
        dataclasses.asdict(from_cli), sort_keys=True, default=str)
