"""`--shared DIR` on the benchmarks that read ../shared/datasets (eval.tradeoff, eval.faces,
eval.scene_floor, and every other command in OTHERS), as eval.report and eval.real_photos take
it: a typed folder is read, a typed one that is absent or lacks the data is one `error:` line
and exit 2 before any work, and the default being absent (a machine without ../shared) is a
quiet skip (or, for the few that need none of it, a run on what they have)."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.training.data import split_of
from eval import __main__ as dispatcher
from eval import common, faces, scene_floor, tradeoff
from eval.common import VAL_FRACTION

MODULES = {"tradeoff": tradeoff, "faces": faces, "scene_floor": scene_floor}


def _names(prefix: str, split: str, count: int) -> list[str]:
    """`count` file names that the file-name-hash split puts in `split`."""
    found, i = [], 0
    while len(found) < count:
        name = f"{prefix}{i:04d}.jpg"
        if split_of(Path(name), VAL_FRACTION) == split:
            found.append(name)
        i += 1
    return found


def _save(path: Path, rgb: tuple[int, int, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(rgb) + rng.normal(0, 6, (48, 40, 3)), 0, 255)
    Image.fromarray(pixels.astype(np.uint8)).save(path)


@pytest.mark.parametrize("command", list(MODULES))
def test_a_typed_shared_that_is_absent_is_one_error_line_and_exit_2(command, tmp_path,
                                                                      capsys):
    absent = tmp_path / "absent"
    with pytest.raises(SystemExit) as stop:
        dispatcher.main([command, "--shared", str(absent), "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: --shared {absent} is not a folder"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", list(MODULES))
def test_a_typed_shared_without_the_data_is_an_error(command, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as stop:
        MODULES[command].main(["--shared", str(tmp_path / "empty"),
                               "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert str(tmp_path / "empty") in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", list(MODULES))
def test_the_default_shared_absent_is_a_quiet_skip(command, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(common, "SHARED_DATASETS", tmp_path / "absent")
    assert MODULES[command].main(["--out", str(tmp_path / "out")]) == 0
    assert f"{command} skipped: " in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_help_names_the_option(capsys):
    for module in MODULES.values():
        with pytest.raises(SystemExit):
            module.main(["--help"])
        assert "--shared DIR" in capsys.readouterr().out


def test_tradeoff_sweeps_the_val_split_of_the_typed_folder(tmp_path, tiny_weights):
    train = tmp_path / "data" / "photos-train"
    train.mkdir(parents=True)
    val = _names("photo_", "val", 2)
    for seed, name in enumerate([*val, *_names("photo_", "train", 3)]):
        _save(train / name, (90 + 40 * seed, 120, 160 - 20 * seed), seed)
    out = tmp_path / "out"
    assert tradeoff.main(["--shared", str(tmp_path / "data"), "--weights", str(tiny_weights),
                          "--render-sizes", "64", "--out", str(out)]) == 0
    document = json.loads((out / "tradeoff.json").read_text())
    assert document["dataset"] == "val-split"
    assert document["reference"]["count"] == len(val)  # the val photos, not the train ones
    assert len(document["points"]) == len(tradeoff.TEMPERATURES) * len(tradeoff.CHROMA_SCALES)
    assert (out / "tradeoff.md").is_file() and (out / "tradeoff.png").is_file()


def test_faces_scores_the_held_out_faces_of_the_typed_folder(tmp_path, tiny_weights):
    folder = tmp_path / "data" / faces.FACES
    folder.mkdir(parents=True)
    held_out = _names(faces.PATTERN, "test", 2)
    for seed, name in enumerate([*held_out, *_names(faces.PATTERN, "train", 2)]):
        _save(folder / name, (224, 172, 140), seed)  # skin: inside the YCbCr skin box
    out = tmp_path / "out"
    assert faces.main(["--shared", str(tmp_path / "data"), "--weights", str(tiny_weights),
                       "--out", str(out)]) == 0
    report = json.loads((out / "faces.json").read_text())
    assert report["summary"]["faces"] == len(held_out)
    assert sorted(row["file"] for row in report["faces"]) == sorted(held_out)
    assert report["summary"]["hue_truth"] == pytest.approx(60, abs=15)  # the skin we drew


def test_scene_floor_reads_the_labeled_photos_of_the_typed_folder(tmp_path):
    train = tmp_path / "data" / "photos-train"
    train.mkdir(parents=True)
    names = ["inet1k__n01440764_tench.jpg", "imagenette__val_n03028079_n03028079_1.jpg",
             "unlabeled.jpg"]
    for seed, name in enumerate(names):
        _save(train / name, (120, 110, 100), seed)
    out = tmp_path / "out"
    assert scene_floor.main(["--shared", str(tmp_path / "data"), "--out", str(out)]) == 0
    document = json.loads((out / "scene-floor.json").read_text())
    assert document["photos"] == 2  # the two labeled ones
    assert [row["floor"] for row in document["rows"]] == list(scene_floor.FLOORS)
    assert 0 <= document["rows"][0]["labels"] <= 2 * scene_floor.TOP_K  # top-5 of 2 photos
    assert (out / "scene-floor.md").is_file()


# Every other command that reads ../shared/datasets, with the options it needs besides
# --shared ("{out}": a path under the test's folder; "{weights}": a model folder).
OTHERS = {
    "operating_point": ["--out", "{out}"],
    "film_inputs": ["--out", "{out}"],
    "language_floor": ["--out", "{out}"],
    "language_claims": ["--out", "{out}"],  # eval.language_floor's command line
    "lookalike_rule": ["--out", "{out}"],
    "year_pass": ["--out", "{out}"],
    "shape_rule": ["--out", "{out}"],
    "script_claims": ["--out", "{out}"],
    "real_writing": ["--out", "{out}"],
    "place_floor": ["--out", "{out}"],  # a file
    "check_reports": ["--out", "{out}"],
    "check": ["--out", "{out}"],
    "color_hints": ["--out", "{out}"],
    "color_hints.bound": ["--out", "{out}"],
    "color_hints.tuning": ["--out", "{out}"],  # a file
    "flag_bench": ["--out", "{out}"],
    "flag_scenes": ["--out", "{out}"],
    "tune_transfer": ["--out", "{out}"],
    "blobs": ["--out", "{out}"],
    "val_loss": ["{weights}", "--out", "{out}"],  # a file
    "behaviour": ["--out", "{out}"],  # a file
    "retrieval_suite": ["--out", "{out}"],  # a file
    "context_suite": [],
    "bench_context": [],
}
# Those that run on what they have when the default folder lacks the data (the sample photos,
# a synthetic photo, the curated library); every other one skips.
RUN_WITHOUT = {"behaviour", "retrieval_suite", "context_suite", "bench_context"}


@pytest.fixture
def no_work(monkeypatch):
    """Loading a model, a checker or a reader is work: a command that gets there did not stop
    before it (and the test stays fast)."""
    from colorizer.check.checker import ColorizationChecker
    from colorizer.pipeline.colorization import ColorizationPipeline
    from context import ContextEncoder
    from context.gazetteer import Gazetteer
    from context.line_script import LineScriptClassifier

    def refuse(*args, **kwargs):
        raise AssertionError("the command started work")

    for owner, name in ((ColorizationPipeline, "from_pretrained"),
                        (ColorizationChecker, "from_pretrained"),
                        (ContextEncoder, "from_default"), (ContextEncoder, "__init__"),
                        (LineScriptClassifier, "from_pretrained"), (Gazetteer, "__init__")):
        monkeypatch.setattr(owner, name, refuse)


def _argv(command: str, tmp_path: Path, *shared: str) -> list[str]:
    weights = str(common.REPO / "colorizer" / "weights" / "default")
    return [command, *(a.format(out=tmp_path / "out", weights=weights) for a in OTHERS[command]),
            *shared]


def _exit_code(argv: list[str]) -> int:
    """The dispatcher's exit code: what it returns, or what a SystemExit carries."""
    try:
        return dispatcher.main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize("command", list(OTHERS))
def test_every_command_refuses_a_typed_shared_that_is_absent(command, tmp_path, capsys,
                                                              no_work):
    absent = tmp_path / "absent"
    assert _exit_code(_argv(command, tmp_path, "--shared", str(absent))) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: --shared {absent} is not a folder"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", list(OTHERS))
def test_every_command_refuses_a_typed_shared_without_its_data(command, tmp_path, capsys,
                                                                no_work):
    (tmp_path / "empty").mkdir()
    assert _exit_code(_argv(command, tmp_path, "--shared", str(tmp_path / "empty"))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {tmp_path / 'empty'}"), err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", sorted(set(OTHERS) - RUN_WITHOUT))
def test_every_command_skips_when_the_default_shared_is_absent(command, tmp_path, monkeypatch,
                                                                capsys, no_work):
    monkeypatch.setattr(common, "SHARED_DATASETS", tmp_path / "absent")
    assert _exit_code(_argv(command, tmp_path)) == 0
    assert f"{command} skipped: {tmp_path / 'absent'}" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", list(OTHERS))
def test_every_command_help_names_the_option(command, capsys):
    assert _exit_code([command, "--help"]) == 0
    assert "--shared DIR" in capsys.readouterr().out
