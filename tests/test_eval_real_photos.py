import csv
import json
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.imageio import load_image
from eval import metrics
from eval import real_photos as rp

RED = (0.85, 0.15, 0.1)  # C* ~ 70, hue ~ 40 degrees
BLUE = (0.1, 0.2, 0.85)  # C* ~ 70, hue ~ 290 degrees
GREEN = (0.2, 0.6, 0.2)  # C* ~ 50, hue ~ 135 degrees

MANIFEST_COLUMNS = ["file", "set", "source_repo", "path", "commit", "license", "photo_rights",
                    "content", "orig_w", "orig_h", "w", "h", "bytes", "mean_chroma", "era",
                    "era_source", "place", "place_en", "caption", "text_on_image",
                    "split_group", "note"]


def _gray(h=10, w=20, level=0.5):
    return np.full((h, w, 3), level)


def _lab(rgb):
    return metrics.lab_of(np.asarray(rgb, dtype=np.float64))


# --- pixel statistics ----------------------------------------------------------------------


def test_falsely_vivid_share_is_the_saturated_patch_over_a_gray_truth():
    truth, out = _gray(), _gray()
    out[2:6, 3:8] = RED  # 20 of 200 pixels
    assert rp.falsely_vivid_share(_lab(out), _lab(truth)) == pytest.approx(20 / 200, abs=1e-12)
    truth[2:4, 3:8] = GREEN  # a colorful truth there: vivid output is not false
    assert rp.falsely_vivid_share(_lab(out), _lab(truth)) == pytest.approx(10 / 200, abs=1e-12)
    assert rp.falsely_vivid_share(_lab(truth), _lab(truth)) == 0.0


def test_falsely_red_counts_red_where_the_truth_is_not_red():
    truth, out = _gray(), _gray()
    out[0:2, 0:5] = RED  # 10 px: red over gray -> false
    out[4:6, 0:5] = BLUE  # 10 px: vivid but not red -> not counted
    out[8:10, 0:5] = RED  # 10 px: red over red -> right
    truth[8:10, 0:5] = RED
    out[0:2, 10:15] = RED  # 10 px: red over green -> false
    truth[0:2, 10:15] = GREEN
    assert rp.falsely_red_share(_lab(out), _lab(truth)) == pytest.approx(20 / 200, abs=1e-12)


def test_red_hue_range_wraps_through_zero():
    hues = np.array([0.0, 30.0, 60.0, 61.0, 180.0, 339.0, 340.0, 359.0])
    assert rp.in_red_range(hues).tolist() == [True, True, True, False, False, False, True, True]


def test_context_effect_outside_the_region_ignores_what_the_hint_was_about():
    plain = _gray(8, 8)
    hinted = plain.copy()
    hinted[:, :4] = RED  # the hint recolored the left half
    region = np.zeros((8, 8))
    region[:, :4] = 1.0
    overall, outside = rp.context_effect(_lab(hinted), _lab(plain), region)
    assert overall > 10 and outside == pytest.approx(0.0, abs=1e-9)
    overall_right, outside_right = rp.context_effect(_lab(hinted), _lab(plain), 1 - region)
    assert outside_right == pytest.approx(2 * overall_right)  # all of the change is outside
    assert rp.context_effect(_lab(hinted), _lab(plain), None)[1] is None
    small = np.zeros((4, 4))  # a coarser map is resized to the photo
    assert rp.context_effect(_lab(hinted), _lab(plain), small)[1] == pytest.approx(overall)


# --- hints ---------------------------------------------------------------------------------


def test_hints_from_manifest_rows():
    row = {"file": "sokirko__Part7__Abchasia_2.jpg", "era": "1969-1986",
           "place_en": "Abkhazia (Pitsunda, Gudauta), Georgian SSR"}
    assert rp.right_hint(row) == "Abkhazia, Georgian SSR 1969"
    assert rp.right_hint({"file": "x.jpg", "era": "1971",
                          "place_en": "Lviv (Lvov, Ukrainian SSR)"}) == "Lviv 1971"
    assert rp.right_hint({"file": "sokirko__a.jpg", "era": "1977", "place_en": ""}) == "1977"
    assert rp.right_hint({"file": "bopb__old_d.png", "era": "", "place_en": ""}) == "Paris 1910"
    assert rp.right_hint({"file": "bopb__old_z.png", "era": "", "place_en": ""}) is None
    assert rp.wrong_hint("sokirko__Part1__Kozha.jpg") == "USA 1950"
    assert rp.wrong_hint("pg_bird.jpg") == "USA 1950"
    assert rp.wrong_hint("bopb__old_d.png") == "USSR 1950"


def test_a_photo_without_a_right_hint_skips_that_condition(tmp_path):
    photo = rp.RealPhoto("bopb__old_z.png", tmp_path / "z.png", "bopb-old", None, "USSR 1950")
    assert not photo.applies("right") and photo.applies("none") and photo.applies("wrong")
    assert photo.hint("none") is None and photo.hint("wrong") == "USSR 1950"
    with pytest.raises(ValueError):
        photo.hint("right")


# --- scoring with a stand-in pipeline --------------------------------------------------------


class PaintingPipe:
    """Returns the gray input, with a red patch (rows 0-3 of 20) for the hint 'USA 1950' and a
    context region covering that patch: exact expectations for every figure."""

    def __init__(self):
        self.calls = []

    def __call__(self, image, hints=None):
        self.calls.append((image.mode, hints))
        rgb = np.asarray(image.convert("RGB"), dtype=np.float64) / 255
        region = np.zeros(rgb.shape[:2])
        if hints == "USA 1950":
            rgb[:4] = RED
            region[:4] = 1.0
        out = Image.fromarray(np.round(rgb * 255).astype(np.uint8), "RGB")
        return SimpleNamespace(image=out, context_region=region)


def _save(path, rgb):
    Image.fromarray(np.round(np.asarray(rgb) * 255).astype(np.uint8), "RGB").save(path)
    return path


def test_score_dataset_on_known_outputs(tmp_path):
    gray_path = _save(tmp_path / "gray.png", _gray(20, 16, 0.4))
    photos = [rp.RealPhoto("pg_a.png", gray_path, "plates", "Russian Empire 1910", "USA 1950"),
              rp.RealPhoto("bopb__old_z.png", gray_path, "bopb-old", None, "USA 1950")]
    pipe = PaintingPipe()
    seen = []
    scores = rp.score_dataset(pipe, photos, rp.CONDITIONS,
                              on_photo=lambda p, s, images: seen.append(sorted(images)))
    assert [c[1] for c in pipe.calls] == [None, "Russian Empire 1910", "USA 1950",
                                          None, "USA 1950"]
    assert all(mode == "L" for mode, _ in pipe.calls)  # a bare gray image, no file name
    assert seen[0] == ["gray", "none", "right", "truth", "wrong"]
    assert seen[1] == ["gray", "none", "truth", "wrong"]

    first, second = scores
    assert first.gray_ciede2000 == pytest.approx(0.0, abs=1e-6)  # a gray photo is its own L*
    assert first.truth_colorfulness == 0.0
    none, right, wrong = (first.get(c) for c in rp.CONDITIONS)
    assert none.ciede2000 == pytest.approx(0.0, abs=1e-6) and none.context_effect is None
    assert right.context_effect == pytest.approx(0.0, abs=1e-9)
    assert wrong.falsely_vivid == pytest.approx(4 / 20) and wrong.falsely_red == pytest.approx(0.2)
    assert wrong.colorfulness_ratio is None  # colorless truth: no ratio
    assert wrong.context_effect == pytest.approx(wrong.ciede2000)  # none == truth here
    assert wrong.context_effect_outside == pytest.approx(0.0, abs=1e-9)
    assert wrong.mean_a > 5 and wrong.mean_b > 5
    assert second.get("right") is None and second.not_applicable == ("right",)

    agg = rp.aggregate_by_subset(scores)
    assert list(agg) == ["all", "bopb-old", "plates"]
    right_all, wrong_all = agg["all"]["right"], agg["all"]["wrong"]
    assert right_all.count == 1 and right_all.not_applicable == 1
    assert right_all.worse_than_none == 0 and wrong_all.worse_than_none == 2
    assert wrong_all.falsely_red_pct == pytest.approx(20.0)
    assert wrong_all.colorfulness_pct_of_truth is None
    assert agg["all"]["none"].worse_than_none is None


def test_score_dataset_rejects_unknown_conditions(tmp_path):
    with pytest.raises(ValueError, match="unknown conditions"):
        rp.score_dataset(PaintingPipe(), [], ["none", "sideways"])


# --- end to end with a tiny real model -----------------------------------------------------


def _photo(path, seed, size=(48, 32)):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : size[1], 0 : size[0]] / max(size)
    phases = rng.uniform(0, 2 * np.pi, 3)
    return _save(path, np.stack([0.5 + 0.4 * np.sin(5 * x + 2 * y + p) for p in phases], -1))


@pytest.fixture
def shared(tmp_path):
    """A tiny real-color-dev: a BOPB photo with a table hint, one with none, one slide."""
    root = tmp_path / "shared" / "real-color-dev"
    root.mkdir(parents=True)
    rows = [("bopb__old_d.png", "bopb-old", "photo", "", ""),
            ("bopb__old_z.png", "bopb-old", "photo", "", ""),
            ("sokirko__Part3__lvov.png", "sokirko-slides", "photo_with_text", "1971",
             "Lviv (Lvov, Ukrainian SSR)")]
    with (root / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, MANIFEST_COLUMNS)
        writer.writeheader()
        for seed, (file, subset, content, era, place) in enumerate(rows):
            _photo(root / file, seed, size=(48, 32) if seed != 1 else (30, 40))
            writer.writerow({**dict.fromkeys(MANIFEST_COLUMNS, ""), "file": file, "set": subset,
                             "content": content, "era": era, "place_en": place})
    return tmp_path / "shared"


def test_command_line_writes_json_markdown_sheets_and_summary(tmp_path, shared, tiny_weights,
                                                                capsys):
    out = tmp_path / "results"
    out.mkdir()
    (out / "real-color-dev-sheet-9.png").write_bytes(b"stale")
    code = rp.main(["--dataset", "real-color-dev", "--shared", str(shared), "--weights",
                    str(tiny_weights), "--device", "cpu", "--no-context", "--no-exemplars",
                    "--out", str(out), "--set", "render_size=64"])
    assert code == 0
    data = json.loads((out / "real-color-dev.json").read_text())
    assert data["dataset"]["files"] == ["bopb__old_d.png", "bopb__old_z.png",
                                        "sokirko__Part3__lvov.png"]
    assert data["model"]["sha256"] and data["model"]["version"] == "test"
    assert data["settings"]["overrides"] == {"render_size": 64}
    assert data["settings"]["pipeline_config"]["render_size"] == 64
    assert data["not_applicable"]["right"] == ["bopb__old_z.png"]
    photos = {p["file"]: p for p in data["photos"]}
    assert photos["bopb__old_d.png"]["hints"] == {"none": None, "right": "Paris 1910",
                                                  "wrong": "USSR 1950"}
    assert photos["sokirko__Part3__lvov.png"]["hints"]["right"] == "Lviv 1971"
    assert photos["sokirko__Part3__lvov.png"]["hints"]["wrong"] == "USA 1950"
    assert photos["bopb__old_z.png"]["conditions"]["right"] is None
    assert set(photos["bopb__old_d.png"]["conditions"]) == set(rp.CONDITIONS)

    # The gray baseline is the protocol's: the photo's L* as 8-bit gray, against the photo.
    truth = load_image(shared / "real-color-dev" / "bopb__old_d.png").rgb.astype(np.float64)
    gray = np.asarray(rp.luminance_input(truth), dtype=np.float64)[..., None] / 255
    expected = metrics.mean_ciede2000(np.repeat(gray, 3, 2), truth)
    assert photos["bopb__old_d.png"]["gray_ciede2000"] == pytest.approx(expected, abs=1e-4)
    assert photos["bopb__old_d.png"]["conditions"]["none"]["ciede2000"] > 0

    aggregates = data["aggregates"]
    assert list(aggregates) == ["all", "bopb-old", "slides-text"]
    assert aggregates["all"]["right"]["count"] == 2
    assert aggregates["all"]["right"]["not_applicable"] == 1
    assert aggregates["bopb-old"]["none"]["count"] == 2
    none_de = [p["conditions"]["none"]["ciede2000"] for p in data["photos"]]
    assert aggregates["all"]["none"]["ciede2000"] == pytest.approx(np.mean(none_de), abs=1e-4)

    md = (out / "real-color-dev.md").read_text()
    assert md.index("## all photos (3)") < md.index("## Per photo")
    assert "| right hint | 2 |" in md and "`bopb__old_z.png`" in md
    assert "Right hint n/a" in md and "| `bopb__old_z.png` | bopb-old | n/a |" in md
    summary = (out / "summary.md").read_text()
    assert "| real-color-dev | no hint | 3 |" in summary
    assert "| real-color-dev | no hint | 3 |" in capsys.readouterr().out

    sheets = sorted(out.glob("real-color-dev-sheet-*.png"))
    assert [p.name for p in sheets] == ["real-color-dev-sheet-1.png"]  # the stale page is gone
    page = Image.open(sheets[0])
    row_h = rp.THUMB_HEIGHT + rp.LABEL_HEIGHT + rp.PAD
    assert page.height == 2 * rp.HEADER_HEIGHT + 3 * row_h + rp.PAD
    # Columns are as wide as their widest thumbnail (48x32 photos -> 225 px at 150 px tall).
    # Row 2's right-hint cell is the gray n/a box; row 1's holds the photo's thumbnail.
    top, right_left = 2 * rp.HEADER_HEIGHT, rp.PAD + 3 * (225 + rp.PAD)
    assert page.width >= 5 * 225 + 6 * rp.PAD
    assert page.getpixel((right_left + 3, top + row_h + 3)) == (221, 221, 221)
    assert page.getpixel((right_left + 3, top + 3)) != (221, 221, 221)
    assert page.getpixel((right_left + 3, top + 2 * row_h + 3)) != (221, 221, 221)


def test_limit_and_missing_dataset(tmp_path, shared, tiny_weights, capsys):
    out = tmp_path / "results"
    code = rp.main(["--shared", str(shared), "--weights", str(tiny_weights), "--device", "cpu",
                    "--no-context", "--no-exemplars", "--no-sheets", "--limit", "1",
                    "--out", str(out), "--set", "render_size=64"])
    assert code == 0
    assert "prokudin-gorsky skipped" in capsys.readouterr().err
    data = json.loads((out / "real-color-dev.json").read_text())
    assert data["dataset"]["count"] == 1 and data["settings"]["limit"] == 1
    assert not list(out.glob("*.png"))
    assert "first 1 photos only" in (out / "summary.md").read_text()
    assert rp.main(["--shared", str(shared), "--weights", str(tiny_weights), "--device", "cpu",
                    "--no-context", "--no-exemplars", "--out", str(out),
                    "--set", "no_such_knob=1"]) == 2


def test_tiny_pipeline_scores_through_the_python_api(shared, tiny_weights):
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, context=False, exemplars=False,
                                                device="cpu", render_size=64)
    photos = rp.load_real_color_dev(shared / "real-color-dev")
    scores = rp.score_dataset(pipe, photos[:1], ["none", "wrong"])
    assert [c.condition for c in scores[0].conditions] == ["none", "wrong"]
    assert scores[0].not_applicable == ()
    agg = rp.aggregate(scores, ["none", "wrong"])
    assert agg["none"].count == 1 and agg["wrong"].worse_than_none == 0


def test_typed_shared_or_dataset_that_is_absent_is_an_error(tmp_path, shared, capsys):
    out = tmp_path / "results"
    code = rp.main(["--dataset", "real-color-dev", "--limit", "2", "--shared",
                    str(tmp_path / "nonexistent"), "--out", str(out)])
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(
        f"error: --shared {tmp_path / 'nonexistent'} is not a folder")
    assert rp.main(["--dataset", "prokudin-gorsky", "--shared", str(shared),
                    "--out", str(out)]) == 2  # the folder is there, the dataset is not
    assert f"error: {shared / 'prokudin-gorsky'}: absent" in capsys.readouterr().err
    assert not out.exists()


def test_default_shared_that_is_absent_is_a_quiet_skip(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(rp.cli, "SHARED_DATASETS", tmp_path / "absent")
    assert rp.main(["--out", str(tmp_path / "results")]) == 0  # machines without ../shared
    err = capsys.readouterr().err
    assert "real-color-dev skipped" in err and "error" not in err
    assert not (tmp_path / "results").exists()
