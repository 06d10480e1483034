import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.training.data import split_of
from eval import report

METRIC_KEYS = {"psnr_db", "ssim", "ciede2000", "colorfulness", "colorfulness_gap",
               "hue_js_bits", "blue_share", "blue_share_gap", "frechet_encoder",
               "seconds_per_image"}


def _color_photo(path, seed, size=(56, 40)):
    """A small smooth color image saved as PNG (lossless, so the test is exact)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : size[1], 0 : size[0]] / max(size)
    phases = rng.uniform(0, 2 * np.pi, 3)
    rgb = np.stack([0.5 + 0.4 * np.sin(5 * x + 2 * y + p) for p in phases], -1)
    Image.fromarray((rgb * 255).astype(np.uint8)).save(path)
    return path


def _train_names(count, split="train"):
    """File names that `split_of` puts in `split` (it hashes the name)."""
    names, i = [], 0
    while len(names) < count:
        name = f"photo_{i:04d}.png"
        if split_of(Path(name), report.VAL_FRACTION) == split:
            names.append(name)
        i += 1
    return names


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(2):
        _color_photo(folder / f"plate_{seed}.png", seed)
    (folder / "notes.txt").write_text("not an image")
    return folder


@pytest.fixture
def train_dir(tmp_path):
    folder = tmp_path / "train"
    folder.mkdir()
    for seed, name in enumerate(_train_names(3)):
        _color_photo(folder / name, 10 + seed, size=(24, 16))
    return folder


def test_end_to_end_report_with_a_tiny_model(tmp_path, photos, train_dir, tiny_weights, capsys):
    out = tmp_path / "results"
    code = report.main(["--data-dir", str(photos), "--weights", str(tiny_weights),
                        "--train-dir", str(train_dir), "--out", str(out),
                        "--render-size", "64", "--device", "cpu", "--no-context"])
    assert code == 0
    data = json.loads((out / "latest-photos.json").read_text())
    assert data["dataset"]["name"] == "photos" and data["dataset"]["count"] == 2
    assert data["dataset"]["files"] == ["plate_0.png", "plate_1.png"]
    assert [r["label"] for r in data["rows"]] == ["gray baseline", "sepia baseline",
                                                  "tiny-model test"]
    for row in data["rows"]:
        assert set(row["metrics"]) == METRIC_KEYS
        assert len(row["per_image"]) == 2
    gray, sepia, model = (r["metrics"] for r in data["rows"])
    assert gray["colorfulness"] == 0 and gray["hue_js_bits"] == 1 and gray["blue_share"] == 0
    assert gray["colorfulness_gap"] == pytest.approx(-data["truth"]["colorfulness"], abs=1e-4)
    assert sepia["colorfulness"] > 0 and sepia["ciede2000"] > 0
    assert model["frechet_encoder"] >= 0 and 0 <= model["hue_js_bits"] <= 1
    assert data["rows"][2]["model"]["sha256"] and data["rows"][0]["model"] is None
    assert {"command", "started_at", "finished_at", "settings", "truth"} <= set(data)
    assert data["command"].startswith("python -m eval.report --data-dir")
    assert data["settings"]["context"] is False

    table = (out / "latest-photos.md").read_text()
    for label in ("gray baseline", "sepia baseline", "tiny-model test", "ground truth"):
        assert f"| {label} |" in table
    assert "| gray baseline |" in capsys.readouterr().out

    cache = json.loads((out / report.MEAN_AB_CACHE).read_text())
    assert cache["count"] == 3 and data["settings"]["sepia_ab"] == cache["mean_ab"]


def test_own_exemplar_row_gets_the_photos_augmented_color(tmp_path, photos, tiny_weights):
    out = tmp_path / "results"
    assert report.main(["--data-dir", str(photos), "--weights", str(tiny_weights),
                        "--sepia-ab", "1", "7", "--out", str(out), "--render-size", "64",
                        "--device", "cpu", "--no-context", "--own-exemplar"]) == 0
    rows = json.loads((out / "latest-photos.json").read_text())["rows"]
    assert [r["label"] for r in rows][-2:] == ["tiny-model test",
                                               "tiny-model test + own exemplar"]
    assert rows[-1]["metrics"]["ciede2000"] != rows[-2]["metrics"]["ciede2000"]


def test_augmented_view_keeps_colors_and_size():
    truth = np.zeros((40, 60, 3))
    truth[:, :30] = (0.8, 0.1, 0.1)  # red left half
    truth[:, 30:] = (0.1, 0.1, 0.8)  # blue right half
    view = np.asarray(report.augmented_view(truth), dtype=np.float64) / 255
    assert view.shape == (40, 60, 3)
    assert view[20, 5, 2] > 0.7 and view[20, 55, 0] > 0.7  # mirrored: blue left, red right


def test_train_mean_ab_is_cached_and_recomputed_when_files_change(tmp_path, train_dir):
    cache = tmp_path / "mean_ab.json"
    first = report.train_mean_ab(train_dir, cache)
    stored = json.loads(cache.read_text())
    stored["mean_ab"] = [1.0, 2.0]  # a reused cache returns what it holds
    cache.write_text(json.dumps(stored))
    assert report.train_mean_ab(train_dir, cache) == (1.0, 2.0)
    _color_photo(train_dir / _train_names(4)[-1], 99, size=(24, 16))
    again = report.train_mean_ab(train_dir, cache)
    assert again != (1.0, 2.0) and again != first


def test_limit_and_baselines_only(tmp_path, photos):
    out = tmp_path / "results"
    code = report.main(["--data-dir", str(photos), "--baselines-only", "--limit", "1",
                        "--sepia-ab", "3", "9", "--out", str(out)])
    assert code == 0
    data = json.loads((out / "latest-photos.json").read_text())
    assert data["dataset"]["count"] == 1
    assert [r["label"] for r in data["rows"]] == ["gray baseline", "sepia baseline"]
    assert data["settings"]["sepia_ab"] == [3.0, 9.0]
    assert data["rows"][0]["metrics"]["frechet_encoder"] is None  # one image: no covariance
    assert "—" in (out / "latest-photos.md").read_text()


def test_val_split_lists_only_held_out_names(tmp_path):
    folder = tmp_path / "datasets" / report.TRAIN_PHOTOS
    folder.mkdir(parents=True)
    val, train = _train_names(2, "val"), _train_names(5)
    for name in val + train:
        (folder / name).touch()
    dataset = report.DATASETS["val-split"](tmp_path / "datasets")
    assert dataset.name == "val-split"
    assert [p.name for p in dataset.files] == sorted(val)


def test_missing_default_shared_data_skips_with_a_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report.cli, "SHARED_DATASETS", tmp_path / "absent")
    assert report.main(["--out", str(tmp_path)]) == 0  # machines without ../shared pass
    assert "eval skipped" in capsys.readouterr().err
    assert not (tmp_path / "latest.json").exists()


def test_typed_shared_or_dataset_that_is_absent_is_an_error(tmp_path, monkeypatch, capsys):
    assert report.main(["--limit", "2", "--shared", str(tmp_path / "absent"),
                        "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(tmp_path / "absent") in err
    monkeypatch.setattr(report.cli, "SHARED_DATASETS", tmp_path / "absent")
    assert report.main(["--dataset", "heldout", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / "latest.json").exists()


def test_partial_run_is_written_outside_eval_results(tmp_path, photos, monkeypatch, capsys):
    from eval import common

    committed = common.RESULTS_DIR / "latest-photos.json"
    assert not committed.exists()  # so this test cannot overwrite a committed report
    monkeypatch.setattr(common, "PARTIAL_RUNS", tmp_path / "partial")
    assert report.main(["--data-dir", str(photos), "--baselines-only", "--limit", "1",
                        "--sepia-ab", "3", "9"]) == 0
    assert f"writing to {tmp_path / 'partial'}, not eval/results" in capsys.readouterr().err
    assert (tmp_path / "partial" / "latest-photos.json").is_file()
    assert not committed.exists()


def test_bad_paths_are_errors(tmp_path, photos, capsys):
    assert report.main(["--data-dir", str(tmp_path / "nope")]) == 2
    assert report.main(["--data-dir", str(photos), "--weights", str(tmp_path / "nope"),
                        "--sepia-ab", "0", "0", "--out", str(tmp_path)]) == 2
    assert "save_pretrained" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        report.main(["--limit", "0"])


@pytest.mark.shared
def test_prokudin_gorsky_plate(tmp_path, tiny_weights, shared_datasets):
    shared = shared_datasets
    if not (shared / "prokudin-gorsky").is_dir():
        pytest.skip("../shared/datasets/prokudin-gorsky is absent")
    out = tmp_path / "results"
    assert report.main(["--shared", str(shared), "--limit", "1", "--weights", str(tiny_weights),
                        "--sepia-ab", "1", "7", "--render-size", "64", "--no-context",
                        "--hint", "", "--out", str(out)]) == 0
    data = json.loads((out / "latest.json").read_text())
    assert data["dataset"]["name"] == "prokudin-gorsky" and data["dataset"]["count"] == 1
    assert data["truth"]["colorfulness"] > 5


# --- the speed benchmark (eval/bench_speed.py) writes speed.json beside the report ----------


@pytest.mark.slow  # runs the whole speed benchmark (30-60 s on 2 cores): `pytest -m slow`
def test_speed_benchmark_merges_its_section(tmp_path, tiny_weights, capsys):
    from eval import bench_speed

    out = tmp_path / "results"
    out.mkdir()
    (out / "speed.json").write_text(json.dumps({"cuda": {"images_per_s": 123.0}}))
    assert bench_speed.main(["--weights", str(tiny_weights), "--size", "64", "--repeats", "2",
                             "--device", "cpu", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "cpu 64px: median" in printed and "retrieved flags not in the photo" in printed
    data = json.loads((out / "speed.json").read_text())
    assert data["cuda"] == {"images_per_s": 123.0}  # another machine's figures are kept
    assert data["cpu"]["threads"] == 2 and len(data["cpu"]["times_s"]) == 2
    assert data["cpu"]["median_s"] > 0 and data["cpu"]["model"]["version"] == "test"
    assert data["cpu"]["median_s_with_retrieved_absent"] > 0
    assert data["cpu"]["median_s_with_context"] > 0 and "with context and retrieval" in printed


@pytest.mark.gpu
def test_speed_benchmark_on_cuda(tmp_path, tiny_weights):
    import torch

    from eval import bench_speed

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    assert bench_speed.main(["--weights", str(tiny_weights), "--size", "128", "--repeats", "2",
                             "--batch", "4", "--device", "cuda", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "speed.json").read_text())["cuda"]["images_per_s"] > 0


def test_speed_benchmark_times_fresh_runs_not_edits(tiny_weights):
    """Every timed call runs the generator: the edit cache would turn a re-run of the same
    photo into an edit (measured 0.04-0.06 s against ~0.2 s fresh before this was fixed)."""
    import torch

    from eval import bench_speed

    torch.set_num_threads(1)
    pipe = bench_speed.load_pipeline(tiny_weights, "cpu")
    forwards = []
    pipe.generator.head.register_forward_hook(lambda *args: forwards.append(1))
    times = bench_speed.time_pipeline(pipe, 64, repeats=3)
    assert len(times) == 3 and all(t > 0 for t in times)
    assert len(forwards) == 4  # the warm-up and each of the three timed calls
