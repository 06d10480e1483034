"""Flag benchmark: rasterizing, scene building, scoring, and a tiny end-to-end run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.training.data import split_of
from eval import flag_bench as fb
from eval import metrics

RED, BLUE, WHITE = "#cc0000", "#0033a0", "#ffffff"


def svg(stripes: list[str], width: int = 300, height: int = 200) -> str:
    """A flag of horizontal stripes as SVG markup."""
    band = height / len(stripes)
    rects = "".join(f'<rect x="0" y="{i * band}" width="{width}" height="{band}" fill="{c}"/>'
                    for i, c in enumerate(stripes))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f"{rects}</svg>")


def write_flags(folder: Path, designs: dict[str, list[str]], note: str = "looks right") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,flag_name,visual_check_note"]
    for name, stripes in designs.items():
        (folder / name).write_text(svg(stripes))
        rows.append(f"{name},{name},{note}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return folder


def spec(file: str) -> fb.FlagSpec:
    return fb.FlagSpec(file, file, "USSR 1950", ("КАЗАНЬ 1952",), "USSR")


def background(height: int = 240, width: int = 360, seed: int = 0) -> np.ndarray:
    """A smooth, mildly colored photo stand-in (H, W, 3) in [0, 1]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    base = np.stack([0.4 + 0.2 * xx, 0.5 + 0.1 * yy, 0.45 + 0.1 * xx * yy], axis=-1)
    return np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1)


@pytest.fixture
def red_blue(tmp_path) -> fb.Flag:
    folder = write_flags(tmp_path / "flags", {"rb.svg": [RED, BLUE]})
    return fb.load_flag(folder, spec("rb.svg"))


def test_rasterize_svg_string():
    rgba = fb.rasterize(svg([RED, WHITE, BLUE]), 60)
    assert rgba.shape == (40, 60, 4)
    np.testing.assert_allclose(rgba[5, 30], [0.8, 0, 0, 1], atol=0.01)
    np.testing.assert_allclose(rgba[20, 30], [1, 1, 1, 1], atol=0.01)
    np.testing.assert_allclose(rgba[35, 30], [0, 0.2, 0.627, 1], atol=0.01)


def test_palette_and_scored_colors(red_blue):
    assert len(red_blue.palette) == 2
    np.testing.assert_allclose(red_blue.shares, [0.5, 0.5], atol=0.02)
    hues = sorted(np.degrees(np.arctan2(red_blue.palette[:, 2], red_blue.palette[:, 1])) % 360)
    assert 30 < hues[0] < 50 and 280 < hues[1] < 310  # red and blue
    assert red_blue.scored == (0, 1)


def test_manifest_caution_is_refused(tmp_path):
    folder = write_flags(tmp_path / "flags", {"x.svg": [RED]}, note="CAUTION: wrong design")
    with pytest.raises(ValueError, match="CAUTION"):
        fb.load_flag(folder, spec("x.svg"))


def test_scene_has_gray_input_mask_and_red_truth(tmp_path):
    folder = write_flags(tmp_path / "flags", {"red.svg": [RED]})
    flag = fb.load_flag(folder, spec("red.svg"))
    scene = fb.build_scene(flag, background(), "КАЗАНЬ 1952", np.random.default_rng(3))
    gray = scene.gray()
    assert gray.mode == "L" and gray.size == (360, 240)
    assert fb.SHARE_RANGE[0] <= scene.mask_share <= fb.SHARE_RANGE[1]
    assert scene.mask.shape == (240, 360) and 0.5 * scene.mask_share < scene.mask.mean()
    hue, chroma = fb.hue_chroma(metrics.lab_of(scene.truth), scene.mask)
    assert fb.is_red(hue, chroma)
    # The sign is drawn, legible (changes pixels) and off the flag.
    changed = np.abs(scene.caption_truth - scene.truth).sum(-1) > 0.1
    assert changed.sum() > 500 and not (changed & scene.mask).any()
    assert np.asarray(scene.gray(True)).std() > 0
    again = fb.build_scene(flag, background(), "КАЗАНЬ 1952", np.random.default_rng(3))
    np.testing.assert_array_equal(again.caption_truth, scene.caption_truth)  # seeded


def test_red_test_marks_red_patch_red_and_blue_not():
    patch = np.ones((20, 20), bool)
    red = np.broadcast_to([0.8, 0.05, 0.05], (20, 20, 3))
    blue = np.broadcast_to([0.05, 0.2, 0.7], (20, 20, 3))
    pale = np.broadcast_to([0.6, 0.5, 0.5], (20, 20, 3))
    assert fb.is_red(*fb.hue_chroma(metrics.lab_of(red), patch))
    assert not fb.is_red(*fb.hue_chroma(metrics.lab_of(blue), patch))
    assert not fb.is_red(*fb.hue_chroma(metrics.lab_of(pale), patch))  # reddish but not vivid


def test_own_colors_pass_on_truth_and_fail_on_gray_or_swapped(red_blue):
    scene = fb.build_scene(red_blue, background(), "BERLIN 1900", np.random.default_rng(1))
    truth = fb.score(scene.truth, scene)
    assert truth["own"] and len(truth["regions"]) == 2
    assert not fb.score(metrics.gray_baseline(scene.truth), scene)["own"]
    swapped = scene.truth.copy()
    swapped[scene.mask] = swapped[scene.mask][:, ::-1]  # red <-> blue channels on the flag
    result = fb.score(swapped, scene)
    assert not result["own"] and not result["red"]


def _shared_folder(root: Path) -> Path:
    """A stand-in for ../shared/datasets: every benchmark design and a few test-split photos."""
    designs = {fb.SOVIET.file: [RED]}
    designs.update({s.file: [WHITE, BLUE, RED] for s in fb.OTHERS})
    write_flags(root / "flags", designs)
    photos = root / "photos-train"
    photos.mkdir()
    names = (f"bg{i}.png" for i in range(10_000))
    chosen = [n for n in names if split_of(Path(n), fb.VAL_FRACTION) == "test"][:3]
    for i, name in enumerate(chosen):
        Image.fromarray((background(seed=i) * 255).astype(np.uint8)).save(photos / name)
    return root


@pytest.mark.slow
def test_main_writes_report_with_tiny_pipeline(tmp_path, tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    shared = _shared_folder(tmp_path / "shared")
    out, saved = tmp_path / "out", tmp_path / "scenes"
    report = fb.main(["--shared", str(shared), "--out", str(out), "--limit", "1",
                      "--save-scenes", str(saved)], pipeline=pipe)
    data = json.loads((out / "flags.json").read_text())
    assert data["scenes"]["count"] == 1 + len(fb.OTHERS) == len(data["records"])
    assert {"rows", "per_flag", "records", "model", "settings", "command"} <= set(data)
    record = data["records"][0]
    assert set(record["conditions"]) == set(fb.CONDITIONS)
    assert record["conditions"]["hint"]["hints"] == "USSR 1950"
    assert {"region", "hierarchy", "era", "reads_polity"} <= set(
        record["conditions"]["caption"]["context"])
    rows = {r["label"]: r for r in data["rows"]}
    assert rows[f'Soviet flag · hint "{fb.SOVIET.hint}" · red']["target_text"] == ">= 90%"
    assert rows["truth (sanity) · Soviet flag · red"]["rate"] == 1.0
    assert rows["truth (sanity) · other flags · own colors"]["rate"] == 1.0
    assert rows["gray baseline · other flags · own colors"]["passed"] == 0
    assert all(r["status"] in ("PASS", "FAIL", "info") or r["status"].startswith("n/a")
               for r in data["rows"])
    table = (out / "flags.md").read_text()
    assert "| condition | scenes | pass | rate | target | status |" in table
    assert report["rows"] == data["rows"]
    assert (saved / "soviet-00.caption.gray.png").is_file()
    assert (saved / "soviet-00.none.png").is_file()


def test_context_reads_the_drawn_caption(tmp_path):
    """The caption rows mean something only if the project's context reads the sign."""
    from context import ContextConfig, ContextEncoder

    encoder = ContextEncoder.from_default(ContextConfig(embed=False, tesseract_threads=1))
    if encoder.reader is None:
        pytest.skip("OCR (rapidocr + Tesseract) is not installed")
    folder = write_flags(tmp_path / "flags", {"red.svg": [RED]})
    flag = fb.load_flag(folder, spec("red.svg"))
    scene = fb.build_scene(flag, background(), "КАЗАНЬ 1952", np.random.default_rng(0))
    read = fb._context_read(encoder(scene.gray(True)).to_dict(), "USSR")
    assert read["reads_polity"], read
    assert read["era"][0] == 1952


@pytest.mark.shared
def test_benchmark_designs_and_backgrounds_exist(shared_datasets):
    flags = [fb.load_flag(shared_datasets / "flags", s) for s in (fb.SOVIET, *fb.OTHERS)]
    assert len(flags) >= 5
    assert flags[0].scored == (0,)  # the red field; the small gold emblem is not scored
    assert len(fb.background_photos(shared_datasets)) >= 40
