"""A bad training config fails at once, in one line, before any photo is loaded or any file
written; paths of a config outside the repository resolve from the current folder; a resumed
run says so at the start; the console shows progress between validations."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from colorizer.apps import cli
from colorizer.training import train as train_module
from colorizer.training.config_check import Progress
from colorizer.training.train_config import TrainConfig, resolve

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_training(monkeypatch):
    """Replace the trainer: a config error must be caught before it is ever called."""
    calls: list[TrainConfig] = []

    def fake_train(config: TrainConfig) -> Path:
        calls.append(config)
        return Path("model.safetensors")

    monkeypatch.setattr(train_module, "train", fake_train)
    return calls


def _run(tmp_path, monkeypatch, capsys, config) -> tuple[int, str]:
    """`chronochrome train --config cfg.json` from tmp_path; (exit code, stderr)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cfg.json"
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    code = cli.main(["train", "--config", str(path)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("config", "message"), [
    ({"steps": "two"}, 'steps must be an integer, not "two"'),
    ({"steps": 2.5}, "steps must be an integer, not 2.5"),
    ({"lr": "fast"}, 'lr must be a number, not "fast"'),
    ({"exemplars": 1}, "exemplars must be true or false, not 1"),
    ({"output_dir": 3}, "output_dir must be a string, not 3"),
    ({"sizes": [[0.5, "big"]]}, 'sizes[0][1] must be an integer, not "big"'),
    ({"sizes": 224}, "sizes must be a list, not 224"),
    ({"film_mix": {"lstar": "all"}}, 'film_mix["lstar"] must be a number, not "all"'),
    ({"sources": [{"path": 7}]}, "sources[0].path must be a string, not 7"),
    ({"exemplar_mix": {"slots": 2.5}}, "exemplar_mix.slots must be an integer, not 2.5"),
    ([1, 2], "must be a JSON object"),
    ('{"steps": ', "not valid JSON"),
])
def test_a_wrong_value_type_fails_at_once_in_one_line(tmp_path, monkeypatch, capsys,
                                                       no_training, config, message):
    code, err = _run(tmp_path, monkeypatch, capsys, config)
    assert code == 2
    assert err.startswith(f"error: --config {tmp_path / 'cfg.json'}: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert no_training == []  # no photo loaded, nothing trained
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cfg.json"]  # nothing written


def test_an_int_is_a_number_and_the_repository_configs_all_load():
    for path in sorted((REPO / "configs/train").glob("*.json")):
        TrainConfig.from_json(path)
    config = TrainConfig.from_json(REPO / "configs/train/smoke.json")
    assert config.sizes == ((0.5, 64), (1.0, 96))
    assert resolve(config.output_dir) == REPO / "runs/smoke"  # from the repository root


def test_a_config_outside_the_repository_resolves_from_the_current_folder(tmp_path,
                                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"steps": 6, "lr": 1, "data_dir": "photos",
                                "sources": [{"path": "extra", "share": 2}]}))
    config = TrainConfig.from_json(path)
    assert resolve(config.output_dir) == tmp_path / "runs" / "mine"  # not <repo>/runs/lite0-v1
    assert resolve(config.data_dir) == tmp_path / "photos"
    assert config.photo_sources()[0].path == str(tmp_path / "extra")
    assert resolve(config.generator) == REPO / config.generator  # defaults: repository presets
    path.write_text(json.dumps({"output_dir": "out"}))
    assert resolve(TrainConfig.from_json(path).output_dir) == tmp_path / "out"


def test_a_file_the_config_reads_that_is_not_there_is_refused_up_front(tmp_path, monkeypatch,
                                                                      capsys, no_training):
    """smoke.json copied out of the repository names its generator preset relative to the
    repository; from elsewhere that path is missing: one line, before any photo."""
    config = json.loads((REPO / "configs/train/smoke.json").read_text())
    code, err = _run(tmp_path, monkeypatch, capsys, config)
    assert code == 2 and no_training == []
    assert f"generator {tmp_path / config['generator']}: no such file or folder" in err
    assert "relative to the current folder" in err and len(err.splitlines()) == 1


def test_an_output_dir_that_is_a_file_is_refused_up_front(tmp_path, monkeypatch, capsys,
                                                          no_training):
    (tmp_path / "taken").write_text("a file")
    code, err = _run(tmp_path, monkeypatch, capsys, {"output_dir": "taken/run", "steps": 2})
    assert code == 2
    assert err == (f"error: --config {tmp_path / 'cfg.json'}: output_dir {tmp_path}/taken/run "
                   f"is not a folder ({tmp_path}/taken is a file): give a folder for "
                   "checkpoints and weights\n")
    assert no_training == [] and (tmp_path / "taken").read_text() == "a file"


def test_train_refuses_an_output_dir_that_is_a_file_before_loading_photos(tmp_path,
                                                                          monkeypatch):
    def no_trainer(config):
        raise AssertionError("photos loaded before the output folder was checked")

    monkeypatch.setattr(train_module, "Trainer", no_trainer)
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(ValueError, match="taken is not a folder"):
        train_module.train(TrainConfig(output_dir=str(tmp_path / "taken")))


def test_a_resumed_run_says_so_at_the_start(tmp_path, monkeypatch, capsys, no_training):
    code, err = _run(tmp_path, monkeypatch, capsys, {"steps": 6})
    assert code == 0 and err == f"training 6 steps into {tmp_path}/runs/cfg\n"
    ckpt = tmp_path / "runs" / "cfg" / "checkpoints" / "step_0000004"
    ckpt.mkdir(parents=True)
    (ckpt / "trainer.json").write_text(json.dumps({"step": 4}))
    code, err = _run(tmp_path, monkeypatch, capsys, {"steps": 6})
    assert code == 0 and len(no_training) == 2
    assert err.startswith(f"resuming from {ckpt} at step 4 of 6; to start afresh, delete")


def test_progress_lines_come_after_the_first_step_then_every_30_seconds():
    now = [0.0]
    progress = Progress(total=100, every_s=30.0, clock=lambda: now[0])
    lines = []
    for step, seconds in enumerate([2.0] * 40, start=1):
        now[0] += seconds
        lines.append(progress.update(step, loss=4.0 + step % 2, seconds=seconds))
    printed = [(i + 1, line) for i, line in enumerate(lines) if line]
    assert [step for step, _ in printed] == [1, 16, 31]
    assert printed[1][1] == "step 16/100: loss 4.4667, 2.00 s/step"  # mean of steps 2..16


def test_the_smoke_config_is_documented_and_make_train_runs_it(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.build_parser().parse_args(["train", "--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "chronochrome train --config configs/train/smoke.json" in help_text
    readme = (REPO / "README.md").read_text()
    assert "chronochrome train --config configs/train/smoke.json" in readme
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", "train"], cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert "chronochrome train --config configs/train/smoke.json" in dry.stdout


@pytest.mark.parametrize(("data", "message"), [
    ("absent", "training data folder {data} does not exist: set data_dir in the train config"),
    ("empty", "no train images in {data} (val_fraction=0.05): point data_dir"),
])
def test_training_photos_that_are_not_there_are_one_line_not_a_traceback(tmp_path, monkeypatch,
                                                                         capsys, data, message):
    """A config whose data_dir is missing or holds no photo stopped with a traceback once the
    trainer listed them; it is now `error: ...` and exit 2, like every other config error."""
    if data == "empty":
        (tmp_path / data).mkdir()
    code, err = _run(tmp_path, monkeypatch, capsys,
                     {"steps": 1, "data_dir": data, "threads": 1, "workers": 0})
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(
        "error: " + message.format(data=tmp_path / data))
