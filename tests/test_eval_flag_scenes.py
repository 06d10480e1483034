"""Flag scenes unlike our training renders: builder, masks, film, geometry, scoring, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image
from scipy.ndimage import binary_dilation

from colorizer.pipeline.config_edits import parse_settings
from colorizer.training.data import split_of
from context.types import SceneContext
from eval import flag_bench as fb
from eval import flag_scenes as fs
from eval import metrics

torch.set_num_threads(1)

RED, GOLD, BLUE, WHITE, GREEN, BLACK = ("#cc0000", "#e8be3c", "#0033a0", "#ffffff", "#1e7a32",
                                        "#000000")


def svg(stripes: list[str], emblem: str | None = None) -> str:
    """A flag of horizontal stripes (and a small square emblem in the canton) as SVG."""
    band = 200 / len(stripes)
    rects = "".join(f'<rect x="0" y="{i * band}" width="300" height="{band}" fill="{c}"/>'
                    for i, c in enumerate(stripes))
    mark = f'<rect x="30" y="20" width="40" height="40" fill="{emblem}"/>' if emblem else ""
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">{rects}{mark}</svg>'


def background(height: int = 150, width: int = 200, seed: int = 0) -> np.ndarray:
    """A smooth photo stand-in (H, W, 3) with no red in it (greens, grays, blues)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    base = np.stack([0.35 + 0.1 * xx, 0.5 + 0.15 * yy, 0.45 + 0.2 * xx * yy], axis=-1)
    return np.round(np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1) * 255) / 255


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A stand-in for ../shared/datasets: every design the scenes use, and test-split photos."""
    root = tmp_path_factory.mktemp("shared")
    flags = root / "flags"
    flags.mkdir()
    designs = {fb.SOVIET.file: svg([RED], GOLD),
               **{f: svg([BLUE, WHITE, GREEN][: 1 + i % 3][::-1] + [WHITE])
                  for i, f in enumerate(fs.DISTRACTORS)},
               fs.OTHER_FLAGS[0].file: svg([BLACK, WHITE, RED]),
               fs.OTHER_FLAGS[1].file: svg([WHITE, BLUE, RED])}
    rows = ["file,flag_name,visual_check_note"]
    for name, markup in designs.items():
        (flags / name).write_text(markup)
        rows.append(f"{name},{name},looks right")
    (flags / "manifest.csv").write_text("\n".join(rows) + "\n")
    photos = root / "photos-train"
    photos.mkdir()
    names = (f"bg{i}.png" for i in range(10_000))
    chosen = [n for n in names if split_of(Path(n), fb.VAL_FRACTION) == "test"][:4]
    for i, name in enumerate(chosen):
        Image.fromarray((background(240, 320, seed=i) * 255).astype(np.uint8)).save(photos / name)
    return root


@pytest.fixture(scope="module")
def book(shared) -> fs.DesignBook:
    return fs.load_designs(shared / "flags")


def soviet(book: fs.DesignBook, kind: str, seed: int = 0) -> fs.FlagScene:
    return fs.soviet_scene(book, background(seed=seed), "bg.png", kind, 0,
                           np.random.default_rng(seed))


def test_build_scenes_is_deterministic_for_a_seed(shared):
    first = fs.build_scenes(2, 1, 1, seed=5, shared=shared, long_side=240)
    again = fs.build_scenes(2, 1, 1, seed=5, shared=shared, long_side=240)
    other = fs.build_scenes(1, 0, 0, seed=6, shared=shared, long_side=240)
    prefix = fs.build_scenes(1, 1, 1, seed=5, shared=shared, long_side=240)  # as --limit 1
    assert [s.id for s in first] == ["angle-00", "fold-01", "control-00", "germanempire-00",
                                     "russia-00"]
    assert [s.group for s in first] == ["soviet", "soviet", "control", "other", "other"]
    for a, b in zip(first, again):
        assert (a.background, a.designs) == (b.background, b.designs)
        for field in ("truth", "gray", "labels", "red_mask", "flag_mask"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(first[0].truth, other[0].truth)
    for a, b in zip(prefix, [first[0], first[2], first[3], first[4]]):
        assert a.id == b.id and a.background == b.background
        np.testing.assert_array_equal(a.truth, b.truth)
    assert first[0].hint == "USSR 1950" and first[0].caption in fs.CAPTIONS
    assert first[3].hint == "German Empire 1910" and first[3].palette
    assert max(first[0].truth.shape[:2]) == 240 and first[0].gray.dtype == np.uint8


@pytest.mark.parametrize("kind", fs.KINDS)
def test_masks_align_with_the_truths_red_pixels(book, kind):
    scene = soviet(book, kind, seed=2)
    truth_red = fs.red_pixels(metrics.lab_of(scene.truth), fs.RED_CHROMA)
    assert scene.red_mask.sum() >= fs.MIN_RED_PIXELS
    assert truth_red[scene.red_mask].all() and scene.flag_mask[scene.red_mask].all()
    # The labels are where the cloth really is: red cloth is red in the truth ...
    assert truth_red[scene.labels == fs.RED].mean() > 0.9
    # ... and no red shows outside the flag (the stand-in photo has none of its own).
    outside = ~binary_dilation(scene.flag_mask, iterations=2)
    assert truth_red[outside].mean() < 0.002
    if kind == "beside":
        assert scene.other_mask.any() and not (scene.other_mask & scene.red_mask).any()


def test_orthochromatic_gray_renders_red_darker_than_plain_lightness(book):
    patches = np.zeros((8, 16, 3))
    patches[:, :8] = (0.8, 0.0, 0.0)
    patches[:, 8:] = (0.1, 0.3, 0.9)
    rng = np.random.default_rng
    plain = fs.film_gray(patches, "L*", rng(0)).astype(float)
    ortho = fs.film_gray(patches, "orthochromatic", rng(0)).astype(float)
    assert ortho[:, :8].mean() < plain[:, :8].mean() - 40  # red prints dark
    assert ortho[:, 8:].mean() > plain[:, 8:].mean() + 20  # blue prints light
    np.testing.assert_allclose(plain, metrics.gray_baseline(patches)[..., 0] * 255, atol=10)
    scene = soviet(book, "ortho", seed=1)
    assert scene.film == "orthochromatic" and scene.geometry in fs.ORTHO_GEOMETRIES
    lit = fs.film_gray(scene.truth, "L*", rng(0)).astype(float)
    assert scene.gray[scene.red_mask].mean() < lit[scene.red_mask].mean() - 25


def _flat(layer: fs.Layer) -> fs.Placement:
    """The same cloth, flat and square-on in the quad's bounding box (a plain paste)."""
    pts = np.asarray(layer.placement.quad)
    (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
    return fs.Placement(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


@pytest.mark.parametrize("style", ["angle", "fold"])
def test_perspective_and_folds_differ_from_the_flat_render(style):
    shape = (150, 200)
    stripes = np.zeros((60, 90, 4))
    stripes[..., 3] = 1
    stripes[:, (np.arange(90) // 10) % 2 == 0, :3] = (0.8, 0.0, 0.0)
    stripes[:, (np.arange(90) // 10) % 2 == 1, :3] = 1.0
    parts = np.where(stripes[..., 0] > 0.9, fs.DETAIL, fs.RED)
    texture = fs.Texture("stripes", stripes, parts)
    layer = fs._single(np.random.default_rng(4), shape, lambda r: texture, style)[0]
    _, _, alpha, labels, shade = fs.warp(layer.texture, layer.placement, shape)
    _, _, flat_alpha, flat_labels, flat_shade = fs.warp(layer.texture, _flat(layer), shape)
    cloth, flat_cloth = alpha > 0.5, flat_alpha > 0.5
    if style == "angle":  # the outline is a quadrilateral, not the box
        assert (cloth & flat_cloth).sum() / (cloth | flat_cloth).sum() < 0.85
    else:  # folds move the stripes sideways and shade the cloth
        both = cloth & flat_cloth
        assert (labels[both] != flat_labels[both]).mean() > 0.1
        assert shade[cloth].std() > 0.08 and flat_shade[flat_cloth].std() < 1e-6


def test_scoring_of_constructed_outputs(book):
    scene = soviet(book, "fold", seed=3)
    truth = fs.score_output(scene, scene.truth)
    assert truth["red_share"] == 1.0 and truth["red"] and truth["leak"] == 0.0
    gray = fs.score_output(scene, metrics.gray_baseline(scene.truth))
    assert gray["red_share"] == 0.0 and not gray["red"] and gray["leak"] == 0.0
    near = scene.truth.copy()  # red bleeding onto the emblem, pole and edges is no leak
    near[binary_dilation(scene.flag_mask, iterations=fs.LEAK_DILATE - 1)] = (0.8, 0.1, 0.1)
    bled = fs.score_output(scene, near)
    assert bled["red"] and bled["leak"] == 0.0 and bled["strong_share"] > scene.red_mask.mean()
    painted = scene.truth.copy()
    far = ~binary_dilation(scene.flag_mask, iterations=fs.LEAK_DILATE)
    painted[far] = (0.8, 0.1, 0.1)  # the whole photo red around a gray flag
    painted[scene.red_mask] = metrics.gray_baseline(scene.truth)[scene.red_mask]
    leaky = fs.score_output(scene, painted)
    assert leaky["leak"] > 0.95 and not leaky["red"]


class HintPaintsRed:
    """A stand-in pipeline: everything red when given a hint, the gray input otherwise."""

    model_info = SimpleNamespace(to_dict=lambda: {"name": "fake", "version": "0"})

    def __call__(self, image: Image.Image, hints=None, caption=None) -> SimpleNamespace:
        rgb = np.asarray(image.convert("RGB")).copy()
        if hints:
            rgb[..., 0], rgb[..., 1:] = 200, 20
        record = {"id": "ussr_state_flag", "kind": "flag", "used": True,
                  "found_in_photo": 0.1, "attention_share": 0.0, "transfer_share": 0.0}
        exemplars = (SimpleNamespace(**record, to_dict=lambda: dict(record)),)
        return SimpleNamespace(image=Image.fromarray(rgb), exemplars=exemplars,
                               context=SceneContext.empty("a stand-in result"))


def test_score_scenes_headline_counts_hint_caption_leak_and_control_gain(book):
    scenes = [soviet(book, "angle", seed=5),
              fs.control_scene(background(seed=7), "bg.png", 0, np.random.default_rng(0))]
    seen = []
    scored = fs.score_scenes(HintPaintsRed(), scenes, lambda s, c, i: seen.append((s.id, c)))
    h = scored["summary"]["headline"]
    assert (h["scenes"], h["red_hint"], h["red_caption"], h["red_none"]) == (1, 1, 0, 0)
    assert h["leak_hint"] > 0.95 and h["leak_caption"] == 0.0
    assert h["control_gain"] > 0.95 and not h["pass"]["control_gain"] and h["pass"]["hint"]
    control = scored["summary"]["control"]  # the gray input back without a hint: no false red
    assert control["leak_none"] == 0.0 and control["leak_hint"] > 0.95
    kind = scored["summary"]["kinds"][0]
    assert kind["hint"]["exemplars"]["admitted"] == 0
    assert kind["caption"]["misses"] == {"gray": 1, "weak": 0, "hue": 0}  # the gray input back
    assert ("angle-00", "caption") in seen and ("control-00", "none") in seen
    assert len(scored["records"]) == 2


def test_set_values_are_json_and_reach_nested_configs(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    changes = parse_settings(["temperature=0.3", "transfer.min_presence=0.2"])
    assert changes == {"temperature": 0.3, "transfer.min_presence": 0.2}
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False,
                                                device="cpu")
    tuned = fs.configured(pipe, changes)
    assert tuned.config.temperature == 0.3 and tuned.config.transfer.min_presence == 0.2
    # A min raised past the shipped full is valid with its full, in either order.
    shipped = pipe.config.transfer
    for order in ([0, 1], [1, 0]):
        items = ["transfer.min_cloth_evidence=0.99", "transfer.full_cloth_evidence=0.995"]
        raised = fs.configured(pipe, parse_settings([items[i] for i in order])).config.transfer
        assert (raised.min_cloth_evidence, raised.full_cloth_evidence) == (0.99, 0.995)
    assert shipped.full_cloth_evidence < 0.99  # so the pair really crosses the old full
    with pytest.raises(ValueError, match="cloth evidence"):
        fs.configured(pipe, parse_settings(["transfer.min_cloth_evidence=0.999"]))


def test_cli_writes_json_markdown_and_sheet_with_a_tiny_pipeline(tmp_path, shared, tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False,
                                                device="cpu", render_size=64)
    out = tmp_path / "out"
    report = fs.main(["--limit", "2", "--controls", "1", "--others", "0", "--out", str(out),
                      "--shared", str(shared), "--set", "temperature=0.3", "--long-side", "240"],
                     pipeline=pipe)
    data = json.loads((out / "flag_scenes.json").read_text(encoding="utf-8"))
    assert data["summary"]["headline"]["scenes"] == 2 and len(data["records"]) == 2 + 1
    assert data["settings"]["set"] == {"temperature": 0.3}
    assert data["summary"]["headline"]["truth_red"] == 2
    assert data["summary"]["headline"]["gray_red"] == 0
    record = data["records"][0]
    assert set(record["conditions"]) == {"hint", "caption", "none"}
    assert record["conditions"]["caption"]["caption"] == fs.CAPTIONS[0]
    table = (out / "flag_scenes.md").read_text(encoding="utf-8")
    assert 'Soviet red with hint "USSR 1950"' in table and "| angle | 1 |" in table
    sheet = Image.open(out / "sheet.png")
    assert sheet.height > 2 * 170 and report["summary"] == data["summary"]
    # A setting that does not exist stops the run with its name, before any file is written.
    with pytest.raises(SystemExit, match="no_such_knob"):
        fs.main(["--limit", "1", "--controls", "0", "--others", "0", "--out",
                 str(tmp_path / "bad"), "--shared", str(shared), "--set",
                 "transfer.no_such_knob=1"], pipeline=pipe)
    assert not (tmp_path / "bad").exists()


@pytest.mark.shared
def test_real_designs_and_held_out_backgrounds(shared_datasets):
    scenes = fs.build_scenes(1, 1, 0, seed=0, shared=shared_datasets, long_side=240)
    held_out = {p.name for p in fb.background_photos(shared_datasets)}
    assert {s.background for s in scenes} <= held_out
    assert scenes[0].red_mask.sum() >= fs.MIN_RED_PIXELS
    assert len(fs.load_designs(shared_datasets / "flags").distractors) == len(fs.DISTRACTORS)
