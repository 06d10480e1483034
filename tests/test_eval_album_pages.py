"""`python -m eval.album_pages`: synthetic album pages built from a datasets folder laid out as
../shared/datasets, colorized whole, split and cropped, reported as JSON, markdown and a
contact sheet; a typed --shared without the data is one error line."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from eval import album_pages, common
from tests.album_page_images import gradient_photo

REPO = Path(album_pages.__file__).resolve().parent.parent


@pytest.fixture
def datasets(tmp_path) -> Path:
    root = tmp_path / "datasets"
    for n, name in enumerate(album_pages.DATASETS):
        (root / name).mkdir(parents=True)
        for i in range(6):  # a 3x2 page's worth
            gradient_photo(root / name / f"photo{i}.jpg", seed=10 * n + i)
        (root / name / "manifest.csv").write_text("file\n")  # not a photo: passed over
    return root


def _check_one_page(result: dict, out: Path, name: str) -> None:
    """A dataset's figures from one 2x2 page of the generated photos, and its sheet."""
    summary, (page,) = result["summary"], result["pages"]
    assert result["errors"] == []
    assert page["layout"] == "2x2" and page["paper"] == "dark"
    assert summary["pages"] == 1 and summary["prints"] == 4 == summary["placed"]
    # The 4 prints on flat paper are found, each where it was placed.
    assert summary["found"] == 4 and summary["matched"] == 4 and summary["recall"] == 1.0
    assert set(summary["de00"]) == {"whole", "split", "crop", "gray"}
    assert all(0 < value < 60 for value in summary["de00"].values())
    # The split keeps the paper neutral (L* alone); the oracle leaves it gray.
    assert summary["paper_chroma"]["split"] < 0.5
    assert summary["paper_chroma"]["crop"] < 0.5
    assert summary["paper_chroma"]["whole"] >= 0
    assert result["sheet"] == f"sheet-{name}.png"
    sheet = Image.open(out / result["sheet"])
    assert sheet.height == album_pages.SHEET_HEIGHT + 24 + 10  # one page: one row
    assert sheet.width > 3 * album_pages.SHEET_HEIGHT  # gray | whole | split, side by side


def test_one_page_of_a_dataset_gives_its_figures_and_sheet(datasets, tmp_path, tiny_weights):
    split = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                 exemplars=False, render_size=64)
    result = album_pages.run_dataset((split, split.with_config(split_page=False)),
                                     datasets / "prokudin-gorsky", 1, tmp_path)
    _check_one_page(result, tmp_path, "prokudin-gorsky")


@pytest.mark.slow  # 3 datasets: over 10 s on 2 busy cores
def test_one_page_a_dataset_writes_the_report_json_markdown_and_sheets(datasets, tmp_path,
                                                                        tiny_weights, capsys):
    out = tmp_path / "report"
    # render_size 64 (the least): the pages and the prints' search are the same, 5x faster.
    assert album_pages.main(["--out", str(out), "--shared", str(datasets), "--limit", "1",
                             "--weights", str(tiny_weights), "--set", "render_size=64"]) == 0
    assert f"wrote {out / 'report.json'}" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "report.json", "report.md", "sheet-photos-train.png", "sheet-prokudin-gorsky.png",
        "sheet-real-color-dev.png"]
    report = json.loads((out / "report.json").read_text())
    assert report["pages_per_dataset"] == 1 and report["seed"] == album_pages.SEED
    assert report["settings"] == {"render_size": 64}
    assert list(report["datasets"]) == list(album_pages.DATASETS)
    for name, result in report["datasets"].items():
        _check_one_page(result, out, name)
    text = (out / "report.md").read_text()
    assert "| photos-train | 4 |" in text and "a partial run; " in text
    assert "no context, no exemplars; render_size=64)" in text
    assert "![prokudin-gorsky: gray | whole | split](sheet-prokudin-gorsky.png)" in text


@pytest.mark.slow
def test_the_command_runs_as_a_person_types_it(datasets, tmp_path, tiny_weights):
    out = tmp_path / "report"
    run = subprocess.run([sys.executable, "-m", "eval", "album_pages", "--out", str(out),
                          "--shared", str(datasets), "--limit", "1", "--weights",
                          str(tiny_weights), "--set", "render_size=64"], check=False, cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "photos-train page 0 2x2 dark: whole " in run.stdout
    assert json.loads((out / "report.json").read_text())["datasets"]["photos-train"][
        "summary"]["recall"] == 1.0


def test_the_pages_are_the_same_whatever_the_limit(datasets):
    first = [page for _, page in album_pages.dataset_pages(datasets / "photos-train", 1)]
    again = [page for _, page in album_pages.dataset_pages(datasets / "photos-train", 2)]
    assert len(again) == 2 and again[1].layout == "3x2" and len(again[1].boxes) == 6
    np.testing.assert_array_equal(first[0].truth, again[0].truth)
    assert first[0].boxes == again[0].boxes
    # Each print's photo mask lies inside its box, and none touches the paper mask.
    for mask, (left, top, right, bottom) in zip(first[0].masks, first[0].boxes, strict=True):
        assert mask.sum() > 0.8 * (album_pages.PRINT_SIDE * 0.75) ** 2
        assert not mask[:, :left].any() and not mask[:top].any()
        assert not (mask & first[0].paper).any()


def test_a_folder_of_too_few_photos_loses_the_page_that_needs_more(datasets):
    folder = datasets / "photos-train"
    for extra in sorted(folder.glob("*.jpg"))[4:]:
        extra.unlink()
    pages = list(album_pages.dataset_pages(folder, 2))
    assert isinstance(pages[0][1], album_pages.AlbumPage)
    assert pages[1] == (1, (f"{folder} holds 4 photos (.jpg/.png); a 3x2 page needs 6: add "
                           "photos or pass --limit 1"))


def test_a_bad_setting_is_one_error_line(datasets, tmp_path, tiny_weights, capsys):
    with pytest.raises(SystemExit) as stop:
        album_pages.main(["--shared", str(datasets), "--out", str(tmp_path / "out"),
                          "--weights", str(tiny_weights), "--set", "render_size=8"])
    assert stop.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: --set: ") and "render_size must be at least 64" in line
    assert not (tmp_path / "out").exists()


def test_a_typed_shared_without_the_data_is_one_error_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as stop:
        album_pages.main(["--shared", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: {tmp_path / 'empty' / 'photos-train'} is absent"]
    assert not (tmp_path / "out").exists()


def test_the_default_shared_absent_is_a_quiet_skip(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(common, "SHARED_DATASETS", tmp_path / "absent")
    assert album_pages.main(["--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == (
        f"album_pages skipped: {tmp_path / 'absent' / 'photos-train'} is absent\n")
    assert not (tmp_path / "out").exists()
