"""The batch CLI as a user meets it: what it must never lose, refuse or hang on (issue #17)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps import outputs
from colorizer.apps.cli import main
from colorizer.pipeline.colorization import ColorizationPipeline


def _photo(path: Path, seed: int = 0, size=(40, 56)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray((rng.random(size) * 255).astype(np.uint8)).save(path)
    return path


def _run(weights, *args):
    return main(["colorize", "--weights", str(weights), "--device", "cpu", "--render-size",
                 "64", "--no-context", "--no-exemplars", *map(str, args)])


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and not p.name.startswith(".")}


def test_same_name_from_two_folders_and_two_suffixes_gives_separate_outputs(
        tiny_weights, tmp_path):
    a, b = _photo(tmp_path / "a" / "photo.jpg", 1), _photo(tmp_path / "b" / "photo.jpg", 2)
    jpg, png = _photo(tmp_path / "c" / "foo.jpg", 3), _photo(tmp_path / "c" / "foo.png", 4)
    out = tmp_path / "out"
    assert _run(tiny_weights, a.parent, b.parent, jpg, png, "-o", out) == 0
    assert _files(out) == {"photo.png", "photo-2.png", "foo_jpg.png", "foo_png.png"}
    assert _run(tiny_weights, a.parent, b.parent, jpg, png, "-o", out) == 0  # same plan
    assert _files(out) == {"photo.png", "photo-2.png", "foo_jpg.png", "foo_png.png"}


def test_folders_are_searched_recursively_and_mirrored(tiny_weights, tmp_path):
    _photo(tmp_path / "in" / "1950" / "street.png")
    _photo(tmp_path / "in" / "top.png")
    assert _run(tiny_weights, tmp_path / "in", "-o", tmp_path / "out") == 0
    assert _files(tmp_path / "out") == {"1950/street.png", "top.png"}


def test_report_never_overwrites_the_users_side_files(tiny_weights, tmp_path, capsys):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.json").write_text("the user's notes")
    assert _run(tiny_weights, src, "-o", out, "--report") == 1
    assert (out / "x.json").read_text() == "the user's notes"
    assert not (out / "x.png").exists()
    assert "--overwrite" in capsys.readouterr().err


def test_colorizing_into_the_input_folder_touches_no_input_and_skips_its_outputs(
        tiny_weights, tmp_path, capsys):
    folder = tmp_path / "in"
    _photo(folder / "x.png", 1)
    _photo(folder / "x.uncertainty.png", 2)  # the user's photo, named like a side file
    before = {name: (folder / name).read_bytes() for name in _files(folder)}
    assert _run(tiny_weights, folder, "-o", folder, "--report") == 0
    assert all((folder / name).read_bytes() == data for name, data in before.items())
    capsys.readouterr()
    after = _files(folder)
    assert _run(tiny_weights, folder, "-o", folder, "--report") == 0
    assert "0 colorized, 2 skipped" in capsys.readouterr().out  # its outputs are not inputs
    assert _files(folder) == after


def test_side_files_stay_when_a_rerun_does_not_ask_for_them(tiny_weights, tmp_path):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert {"x.json", "x.uncertainty.png"} <= _files(out)
    assert _run(tiny_weights, src, "-o", out) == 0  # fewer files asked for: a skip
    assert _files(out) == {"x.png", "x.json", "x.uncertainty.png"}


class _Crash(BaseException):
    """A kill: nothing in the batch catches it."""


# The renames into place: the manifest at the start (written once), image, json, map, and
# the manifest at the end (the pending and done entries are journal lines in between).
@pytest.mark.parametrize("stage", range(5))
def test_a_crash_at_any_write_leaves_nothing_the_next_run_refuses(tiny_weights, tmp_path,
                                                                  monkeypatch, stage):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    renames, original = [], os.replace

    def crashing_replace(a, b):
        renames.append(b)
        if len(renames) == stage + 1:
            raise _Crash
        original(a, b)

    monkeypatch.setattr(outputs.os, "replace", crashing_replace)
    with pytest.raises(_Crash):
        _run(tiny_weights, src, "-o", out, "--report")
    monkeypatch.setattr(outputs.os, "replace", original)
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert _files(out) == {"x.png", "x.json", "x.uncertainty.png"}
    assert not list(out.glob(".*.tmp"))
    entry = json.loads((out / ".chronochrome-manifest.json").read_text())["x.png"]
    assert entry["state"] == "done"


def test_fifo_and_device_inputs_fail_fast_and_the_batch_goes_on(tiny_weights, tmp_path, capsys):
    good = _photo(tmp_path / "in" / "good.png")
    fifo = tmp_path / "in" / "pipe.png"
    os.mkfifo(fifo)
    zero = tmp_path / "in" / "zero.png"
    zero.symlink_to("/dev/zero")
    assert _run(tiny_weights, fifo, zero, good, "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "FIFO" in err and "character device" in err
    assert (tmp_path / "out" / "good.png").is_file()


def test_nan_in_a_float_tiff_is_replaced_and_said(tiny_weights, tmp_path, capsys):
    values = np.linspace(0, 1, 40 * 56, dtype=np.float32).reshape(40, 56)
    values[3, 4] = np.nan
    src = tmp_path / "nan.tif"
    Image.fromarray(values, "F").save(src)
    assert _run(tiny_weights, src, "-o", tmp_path / "out") == 0
    assert "not finite" in capsys.readouterr().err
    pixels = np.asarray(Image.open(tmp_path / "out" / "nan.png"))
    assert pixels.mean() > 50  # not black


def test_a_thin_strip_reaches_the_classifier_and_ocr_at_bounded_size():
    import torch

    from colorizer.model.scene import CLASSIFIER_MAX_LONG_SIDE, ImageNetSceneClassifier
    from context.ocr import DETECTOR_MAX_SIDE, RapidTextDetector

    classifier = ImageNetSceneClassifier.__new__(ImageNetSceneClassifier)
    classifier.model = type("M", (), {"normalize": staticmethod(lambda x: x)})()
    classifier.device = torch.device("cpu")
    strip = Image.new("L", (1, 5000), 128)
    assert max(classifier._pixels(strip).shape[-2:]) <= CLASSIFIER_MAX_LONG_SIDE
    seen = []
    detector = RapidTextDetector.__new__(RapidTextDetector)
    detector._quads = lambda bgr: seen.append(bgr.shape)  # the step that runs the network
    detector.min_side = 0  # no enlarging of small photos (the default)
    assert detector(strip) == []
    detector(Image.new("L", (20, 9000), 128))
    assert seen and max(seen[0][:2]) <= DETECTOR_MAX_SIDE


def test_outdir_that_is_a_file_is_a_one_line_error(tiny_weights, tmp_path, capsys):
    src = _photo(tmp_path / "x.png")
    (tmp_path / "taken").write_text("mine")
    assert _run(tiny_weights, src, "-o", tmp_path / "taken") == 2
    assert "-o takes a folder" in capsys.readouterr().err


def test_unwritable_outdir_fails_before_any_photo_is_computed(tiny_weights, tmp_path,
                                                              monkeypatch, capsys):
    src = _photo(tmp_path / "x.png")
    calls = []
    monkeypatch.setattr(ColorizationPipeline, "__call__", lambda *a, **k: calls.append(a))

    def refuse(path, data, mode=None):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outputs, "stage_file", refuse)
    assert _run(tiny_weights, src, "-o", tmp_path / "out") == 2
    assert "cannot write into" in capsys.readouterr().err and not calls


def test_long_names_are_shortened_to_fit(tiny_weights, tmp_path):
    src = _photo(tmp_path / ("n" * 250 + ".png"))
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out, "--report") == 0
    assert len(_files(out)) == 3 and all(len(n) <= 255 - 14 for n in _files(out))


def test_dangling_and_looping_links_are_reported_per_file(tiny_weights, tmp_path, capsys):
    good = _photo(tmp_path / "good.png")
    dead, loop = tmp_path / "dead.png", tmp_path / "loop.png"
    dead.symlink_to(tmp_path / "gone.png")
    loop.symlink_to(loop)
    assert _run(tiny_weights, dead, loop, good, "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "loops" in err and "Traceback" not in err
    assert (tmp_path / "out" / "good.png").is_file()


def test_ctrl_c_prints_the_summary_and_exits_130(tiny_weights, tmp_path, monkeypatch, capsys):
    for i in range(3):
        _photo(tmp_path / "in" / f"p{i}.png", i)
    original, calls = ColorizationPipeline.prepare, []

    def interrupt_second(self, *args, **kwargs):  # Ctrl-C while the second photo is read
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ColorizationPipeline, "prepare", interrupt_second)
    assert _run(tiny_weights, tmp_path / "in", "-o", tmp_path / "out") == 130
    captured = capsys.readouterr()
    assert "1 colorized" in captured.out and "interrupted" in captured.err


def test_outputs_follow_the_umask(tiny_weights, tmp_path):
    src = _photo(tmp_path / "x.png")
    old = os.umask(0o022)
    try:
        assert _run(tiny_weights, src, "-o", tmp_path / "out") == 0
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "x.png").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("flags, words", [
    (["--render-size", "99999"], "maximum 2048"),
    (["--chroma-scale", "-1"], "--chroma-scale"),
    (["--temperature", "-1"], "--temperature"),
])
def test_bad_settings_are_one_line_errors(tiny_weights, tmp_path, capsys, flags, words):
    src = _photo(tmp_path / "x.png")
    assert _run(tiny_weights, src, "-o", tmp_path / "out", *flags) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_render_size_above_the_photo_is_lowered_with_a_note(tiny_weights, tmp_path, capsys):
    src = _photo(tmp_path / "x.png", size=(30, 40))
    assert main(["colorize", "--weights", str(tiny_weights), "--device", "cpu", "--no-context",
                 "--no-exemplars", "--render-size", "2000", str(src), "-o",
                 str(tmp_path / "out"), "--report"]) == 0
    assert "render size lowered from 2000" in capsys.readouterr().err
    result = json.loads((tmp_path / "out" / "x.json").read_text())
    assert max(result["render_size"]) == 512  # the tiny model's operating point


def test_a_list_of_hints_is_a_clear_type_error(tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    with pytest.raises(TypeError, match="join"):
        pipe(Image.new("L", (32, 32)), hints=["USSR", "1950"])


def test_missing_train_config_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", "configs/train/no-such.json"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_edited_sidecar_caption_undoes_already_done(tiny_weights, tmp_path, capsys):
    src = _photo(tmp_path / "in" / "x.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, src, "-o", out) == 0
    assert _run(tiny_weights, src, "-o", out) == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    (src.parent / "x.txt").write_text("Kazan, 1950s")  # a caption added beside the photo
    assert _run(tiny_weights, src, "-o", out) == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
    assert _run(tiny_weights, src, "-o", out) == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    (src.parent / "x.txt").write_text("Prague, 1968")  # the caption edited
    assert _run(tiny_weights, src, "-o", out) == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out
