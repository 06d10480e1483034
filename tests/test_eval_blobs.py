"""Blob metric: constructed images with known answers, the contact sheet, and the CLI."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage as ndi

from eval import blobs as bl

SIZE = 400  # short side: the ring spans 4-12 px, candidates 80-8000 px
GRAY = np.array([128.0, 128.0, 128.0])
RED = np.array([215.0, 35.0, 35.0])  # C* about 75, hue about 40 degrees
BLUE = np.array([40.0, 70.0, 210.0])  # C* about 65
GREEN = np.array([112.0, 138.0, 100.0])  # C* about 25: a lawn's moderate chroma


@pytest.fixture(autouse=True)
def one_thread():
    """The machine is shared: one torch thread, restored afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def disc(radius: float, center: tuple[float, float] = (200, 200), size: int = SIZE) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    return np.hypot(yy - center[0], xx - center[1]) <= radius


def paint(alpha: np.ndarray, color: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """uint8 image: `base` (gray by default) blended towards `color` by alpha in [0, 1]."""
    if base is None:
        base = np.broadcast_to(GRAY, (*alpha.shape, 3))
    a = alpha.astype(np.float64)[..., None]
    return np.clip(base + a * (color - base), 0, 255).round().astype(np.uint8)


# --- the metric on constructed images -----------------------------------------------------


def test_small_red_disc_on_gray_is_one_isolated_blob():
    mask = disc(20)
    found = bl.find_blobs(paint(mask, RED))
    assert len(found) == 1
    blob = found[0]
    assert blob.isolated
    assert abs(blob.area - mask.sum()) <= 0.03 * mask.sum()  # the opening keeps a disc whole
    assert blob.area_share == pytest.approx(blob.area / SIZE**2)
    assert blob.ring_chroma < 1.0  # flat gray around it
    assert blob.mean_chroma > 60 and 25 < blob.hue < 55  # red
    assert bl.hue_family(blob.hue) == "red/orange"
    # The disc's 1-pixel tips at its four poles are single pixels: the opening drops them.
    assert blob.bbox == (181, 181, 220, 220)
    np.testing.assert_allclose(blob.center, (200, 200), atol=0.5)


def test_summary_of_one_blob():
    mask = disc(20)
    candidates = bl.candidate_blobs(paint(mask, RED))
    summary = bl.blob_summary(candidates)
    blob = candidates[0]
    assert summary.blobs == summary.candidates == 1 and summary.has_blobs
    assert summary.area_share == pytest.approx(blob.area_share)
    assert summary.score == pytest.approx(100 * blob.area_share * blob.mean_chroma / 40.0)
    assert summary.largest_chroma == pytest.approx(blob.mean_chroma)
    assert summary.largest_hue == pytest.approx(blob.hue)


def test_float_and_pil_inputs_agree_with_uint8():
    image = paint(disc(20), RED)
    areas = {len(bl.find_blobs(x)) for x in (image, image / 255.0, Image.fromarray(image))}
    assert areas == {1}


def test_soft_halo_of_its_own_color_does_not_hide_a_blob():
    """The colorizer's chroma is upsampled bilinearly: every blob fades out through a halo.
    The ring skips the first 1% of the short side so that the halo is not read as surround."""
    image = paint(np.clip(ndi.gaussian_filter(disc(24).astype(float), 7), 0, 1), RED)
    (blob,) = bl.candidate_blobs(image)
    assert blob.isolated and blob.ring_chroma < 15
    (at_edge,) = bl.candidate_blobs(image, bl.BlobSettings(ring_gap=0.0))
    assert not at_edge.isolated  # measured right at the edge, the halo would hide it


def test_half_the_image_saturated_is_a_region_not_a_blob():
    half = np.zeros((SIZE, SIZE), dtype=bool)
    half[:, : SIZE // 2] = True
    image = paint(half, RED)
    assert bl.find_blobs(image) == []
    assert bl.candidate_blobs(image) == []  # over 5% of the photo: not even a candidate
    assert bl.blob_summary([]).score == 0 and not bl.blob_summary([]).has_blobs


def test_disc_inside_saturated_surround_is_not_isolated():
    # A red disc, a 4 px gray gap, then saturated blue everywhere else.
    image = paint(disc(20), RED, base=paint(~disc(24), BLUE).astype(np.float64))
    candidates = bl.candidate_blobs(image)
    assert len(candidates) == 1  # the disc; the blue surround is a region (over 5%)
    assert candidates[0].ring_chroma > 40 and not candidates[0].isolated
    assert bl.find_blobs(image) == []


def test_disc_inside_moderately_colored_surround_is_not_isolated():
    # A saturated patch on a lawn-like surround (C* about 25, below the saturated threshold).
    image = paint(disc(20), RED, base=np.broadcast_to(GREEN, (SIZE, SIZE, 3)).astype(float))
    (candidate,) = bl.candidate_blobs(image)
    assert 18 < candidate.ring_chroma < 40
    assert bl.find_blobs(image) == []


@pytest.mark.parametrize("density", [0.02, 0.3])
def test_single_pixel_speckle_is_not_a_blob(density):
    rng = np.random.default_rng(0)
    image = paint(rng.random((SIZE, SIZE)) < density, RED)
    assert bl.candidate_blobs(image) == []
    if density > 0.1:  # dense 8-connected speckle would form components without the opening
        assert bl.candidate_blobs(image, bl.BlobSettings(opening_px=1))


def test_two_blobs_are_counted_and_ranked_by_size():
    image = paint(disc(12, (100, 100)) | disc(25, (280, 280)), RED)
    found = bl.find_blobs(image)
    summary = bl.blob_summary(found)
    assert summary.blobs == 2
    assert summary.area_share == pytest.approx(sum(b.area_share for b in found))
    assert summary.largest_chroma == pytest.approx(max(found, key=lambda b: b.area).mean_chroma)


def test_dataset_summary_counts_photos_with_blobs():
    with_blob = bl.blob_summary(bl.candidate_blobs(paint(disc(20), RED)))
    without = bl.blob_summary([])
    summary = bl.dataset_summary([with_blob, without, without, with_blob])
    assert summary["photos"] == 4 and summary["photos_with_blobs"] == 2
    assert summary["share_with_blobs"] == 0.5 and summary["isolated_blobs"] == 2


def test_hue_families_wrap_around_zero():
    assert bl.hue_family(350.0) == bl.hue_family(10.0) == "red/orange"
    assert bl.hue_family(140.0) == "green" and bl.hue_family(270.0) == "blue"
    with pytest.raises(ValueError):
        bl.BlobSettings(min_area_share=0.1, max_area_share=0.05)


# --- the contact sheet -------------------------------------------------------------------


def sheet_entry(name: str = "photo.jpg") -> bl.SheetEntry:
    image = paint(disc(30), RED)
    found = tuple(bl.find_blobs(image))
    return bl.SheetEntry(name, bl.gray_of(image), image, found, bl.blob_summary(found).score)


def test_sheet_outlines_blobs_in_cyan_beside_the_gray_input(tmp_path):
    entry = sheet_entry()
    assert entry.gray.shape == (SIZE, SIZE) and abs(int(entry.gray[0, 0]) - 128) <= 1
    sheet = np.asarray(bl.contact_sheet([entry], thumb=200, columns=1))
    cyan = np.all(sheet == bl.OUTLINE, axis=-1)
    ys, xs = np.nonzero(cyan)
    assert cyan.sum() > 50
    assert xs.min() > 200  # only on the output, right of the gray input
    # Drawn around the disc (radius 30 of 400 -> 15 px on the 200 px thumbnail).
    np.testing.assert_allclose([np.median(ys), np.median(xs)], [8 + 100, 8 + 200 + 8 + 100],
                               atol=3)


def test_sheet_shrinks_to_fit_the_byte_limit(tmp_path):
    rng = np.random.default_rng(1)
    noisy = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)  # compresses badly
    entries = [bl.SheetEntry(f"n{i}.jpg", noisy[..., 0], noisy, (), 0.0) for i in range(4)]
    path = bl.save_sheet(entries, tmp_path / "sheet.png", max_bytes=400_000)
    assert path.stat().st_size <= 400_000
    assert Image.open(path).width < 2 * (2 * bl.SHEET_THUMB + 8) + 8


# --- the command line --------------------------------------------------------------------


def write_photos(folder: Path) -> list[str]:
    """Three small gray photos and a manifest listing them out of alphabetical order."""
    folder.mkdir()
    names = ["c_street.jpg", "a_portrait.png", "b_field.jpg"]
    yy, xx = np.mgrid[:48, :64]
    for i, name in enumerate(names):
        pixels = ((yy * (i + 1) + xx * 2) % 256).astype(np.uint8)
        Image.fromarray(pixels, "L").save(folder / name)
    with (folder / "manifest.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "tone"])
        writer.writerows([[name, "grayscale"] for name in names])
    return names


def cli_args(photos: Path, out: Path, weights: Path, *extra: str) -> list[str]:
    return ["--data-dir", str(photos), "--out", str(out), "--weights", str(weights),
            "--no-context", "--no-exemplars", "--device", "cpu", "--set", "render_size=64",
            *extra]


def test_cli_writes_json_markdown_and_sheet(tmp_path, tiny_weights):
    from colorizer.model.generator import WEIGHTS_FILE
    from colorizer.pipeline.colorization import ColorizationPipeline, file_sha256

    names = write_photos(tmp_path / "photos")
    out = tmp_path / "out"
    assert bl.main(cli_args(tmp_path / "photos", out, tiny_weights)) == 0

    report = json.loads((out / "blobs.json").read_text())
    assert [row["file"] for row in report["rows"]] == names  # manifest order
    assert report["settings"]["model"]["sha256"] == file_sha256(tiny_weights / WEIGHTS_FILE)
    assert report["settings"]["pipeline"]["set"] == {"render_size": 64}
    assert report["settings"]["pipeline"]["config"]["render_size"] == 64  # the full config
    assert set(report["settings"]["code"]) == {"commit", "modified_files"}
    assert report["settings"]["constants"]["saturated_chroma"] == bl.SATURATED_CHROMA
    summary = report["summary"]
    assert summary["photos"] == 3
    assert summary["photos_with_blobs"] == sum(row["blobs"] > 0 for row in report["rows"])
    for row in report["rows"]:
        assert row["tone"] == "grayscale" and row["size"] == [64, 48]
        assert row["blobs"] == len(row["isolated_blobs"]) <= row["candidates"]
        assert math.isfinite(row["score"]) and row["score"] >= 0

    # The row is the metric of what the same pipeline makes of the file path.
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False,
                                                device="cpu").with_config(render_size=64)
    output = np.asarray(pipe(str(tmp_path / "photos" / names[0])).image)
    expected = bl.blob_summary(bl.candidate_blobs(output))
    assert report["rows"][0]["candidates"] == expected.candidates
    assert report["rows"][0]["score"] == pytest.approx(expected.score, abs=1e-4)
    lab = bl.lab_of_output(output)
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    assert report["rows"][0]["mean_chroma"] == pytest.approx(float(chroma.mean()), abs=1e-4)
    color = report["output_color"]
    means = [row["mean_chroma"] for row in report["rows"]]
    assert color["photos"] == 3
    assert color["mean_chroma"] == pytest.approx(float(np.mean(means)), abs=1e-4)
    assert color["near_gray"] == sum(m < 2.0 for m in means)

    markdown = (out / "blobs.md").read_text()
    assert f"Photos with isolated blobs: {summary['photos_with_blobs']}/3" in markdown
    assert "## Definition" in markdown and "C* ≥ 40" in markdown
    assert "outputs read as gray (mean C* < 2)" in markdown
    assert Image.open(out / "worst10.png").size[0] > 0


def test_cli_limit_and_no_sheet(tmp_path, tiny_weights):
    names = write_photos(tmp_path / "photos")
    out = tmp_path / "out"
    assert bl.main(cli_args(tmp_path / "photos", out, tiny_weights, "--limit", "2",
                            "--no-sheet")) == 0
    report = json.loads((out / "blobs.json").read_text())
    assert [row["file"] for row in report["rows"]] == names[:2]
    assert not (out / "worst10.png").exists()


def test_cli_refuses_an_unknown_setting(tmp_path, tiny_weights, capsys):
    write_photos(tmp_path / "photos")
    args = cli_args(tmp_path / "photos", tmp_path / "out", tiny_weights, "--set", "bogus=1")
    assert bl.main(args) == 2
    assert "bogus" in capsys.readouterr().err


def test_cli_changes_one_field_of_a_nested_setting(tmp_path, tiny_weights):
    """`transfer.min_presence=0.2` changes that field and keeps the section's others."""
    args = bl.build_parser().parse_args(cli_args(
        tmp_path / "photos", tmp_path / "out", tiny_weights, "--set", "transfer.min_presence=0.2",
        "--set", "transfer.full_presence=0.5"))
    pipe = bl.load_pipeline(args)
    assert (pipe.config.transfer.min_presence, pipe.config.transfer.full_presence) == (0.2, 0.5)
    assert pipe.config.transfer.size == type(pipe.config.transfer)().size
    with pytest.raises(bl.SettingError, match="transfer.bogus"):
        bl.load_pipeline(bl.build_parser().parse_args(cli_args(
            tmp_path / "photos", tmp_path / "out", tiny_weights, "--set", "transfer.bogus=1")))
