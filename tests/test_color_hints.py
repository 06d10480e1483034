"""Color hints: their forms and checks, how they spread, what they leave alone, what the
report says about them, and fast edits."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image, ImageColor

from colorizer.model.colorspace import rgb_to_lab
from colorizer.pipeline.color_hints import (
    Box,
    ColorHint,
    HintError,
    Mask,
    Point,
    Polygon,
    ReferenceHint,
    check_hints,
    parse_color,
)
from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.hint_json import hints_from_json, point_hint, read_color_hints
from colorizer.pipeline.provenance import build_xmp

RED, BLUE = "#c01818", "#1840c0"


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


@pytest.fixture(scope="module")
def halves() -> Image.Image:
    """96 x 64 gray: a dark left half, a light right half, a sharp edge at x = 48, grain."""
    rng = np.random.default_rng(0)
    pixels = np.where(np.arange(96)[None, :] < 48, 70.0, 190.0) + rng.normal(0, 2, (64, 96))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def _lab(image: Image.Image) -> np.ndarray:
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return rgb_to_lab(rgb.permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()


def _png_data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# -- forms and checks ----------------------------------------------------------------------

def test_colors_in_common_syntaxes_and_a_clear_error_for_others():
    assert parse_color("#b22222") == parse_color("firebrick") == (178, 34, 34)
    assert parse_color("#f00") == parse_color("rgb(255, 0, 0)") == (255, 0, 0)
    assert parse_color([0, 128, 0]) == (0, 128, 0)
    with pytest.raises(HintError, match="'reddish' is not a color; write '#RRGGBB'"):
        parse_color("reddish")
    with pytest.raises(HintError, match="is not a color"):
        parse_color([300, 0, 0])


def test_point_outside_the_image_is_refused_with_the_image_size():
    with pytest.raises(HintError, match=r"color hint 2 \(point 96,10\) is outside the image; "
                                        r"the image is 96 x 64 px"):
        check_hints([ColorHint(Point(5, 5), RED), ColorHint(Point(96, 10), RED)], (96, 64))
    with pytest.raises(HintError, match="outside the image"):
        check_hints([ColorHint(Box(100, 0, 120, 10), RED)], (96, 64))
    with pytest.raises(HintError, match="x1 > x0"):
        check_hints([ColorHint(Box(10, 10, 5, 20), RED)], (96, 64))
    with pytest.raises(HintError, match="must have the image's size"):
        check_hints([ColorHint(Mask(np.ones((10, 10), bool)), RED)], (96, 64))
    with pytest.raises(HintError, match="unknown color|is not a color"):
        check_hints([ColorHint(Point(1, 1), "#12345")], (96, 64))


def test_two_hints_on_one_spot_with_different_colors_conflict():
    with pytest.raises(HintError, match=r"color hints 1 \(point 10,10\) and 2 \(point 11,10\) "
                                        r"conflict.*#c01818 and #1840c0"):
        check_hints([ColorHint(Point(10, 10), RED), ColorHint(Point(11, 10), BLUE)], (96, 64))
    with pytest.raises(HintError, match="conflict"):
        check_hints([ColorHint(Box(0, 0, 40, 40), RED), ColorHint(Box(2, 2, 40, 40), BLUE)],
                    (96, 64))
    # The same color twice, points far apart, and a point refining an area are all fine.
    ok = [ColorHint(Point(10, 10), RED), ColorHint(Point(11, 10), "#c11919"),
          ColorHint(Point(80, 50), BLUE), ColorHint(Box(0, 0, 40, 40), BLUE),
          ColorHint(Point(20, 20), RED)]
    assert len(check_hints(ok, (96, 64))) == 5


def test_json_forms_and_their_errors(tmp_path):
    mask = Image.new("L", (96, 64), 0)
    mask.paste(255, (0, 0, 10, 10))
    hints = hints_from_json([
        {"point": [12, 8], "color": "#b22222", "source": "museum catalogue 1234"},
        {"box": [0, 0, 20, 10], "color": [0, 0, 128]},
        {"polygon": [[0, 0], [30, 0], [15, 20]], "color": "navy"},
        {"mask": _png_data_uri(mask), "color": "olive"},
        {"box": [40, 0, 90, 60], "reference": _png_data_uri(Image.new("RGB", (8, 8), "red")),
         "name": "postcard.png"}])
    assert isinstance(hints[0].where, Point) and hints[0].source == "museum catalogue 1234"
    assert isinstance(hints[2].where, Polygon) and isinstance(hints[3].where, Mask)
    assert int(hints[3].where.mask.sum()) == 100
    assert isinstance(hints[4], ReferenceHint) and hints[4].title == "postcard.png"
    for bad, message in [
            ({"point": [1, 2]}, "give exactly one of .*found none"),
            ({"point": [1, 2], "colour": "red"}, "unknown keys \\['colour'\\]"),
            ({"point": [1], "color": "red"}, "a point is \\[x, y\\] in pixels"),
            ({"box": [0, 0, 5, 5], "point": [1, 1], "color": "red"}, "give exactly one of"),
            ({"mask": "mask.png", "color": "red"}, "the mask must be a data: URI"),
            ({"point": [1, 2], "color": "blurple"}, "'blurple' is not a color"),
            # refused with the file, before any photo
            ({"box": [100, 100, 50, 50], "color": "red"}, "box 100,100,50,50: a box is")]:
        with pytest.raises(HintError, match="color hint 1: " + message):
            hints_from_json([bad])
    with pytest.raises(HintError, match="must be a JSON list"):
        hints_from_json({"point": [1, 2]})
    # In a hints file, paths are read relative to it.
    mask.save(tmp_path / "mask.png")
    (tmp_path / "hints.json").write_text(json.dumps([{"mask": "mask.png", "color": "red"}]))
    read = read_color_hints(tmp_path / "hints.json", ["5,6=#00ff00"])
    assert int(read[0].where.mask.sum()) == 100 and read[1].where == Point(5, 6)
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(HintError, match="broken.json is not JSON"):
        read_color_hints(tmp_path / "broken.json")


def test_compact_point_form():
    hint = point_hint("120,80=#b22222")
    assert hint.where == Point(120, 80) and hint.rgb == (178, 34, 34)
    for bad in ("120,80", "120=#fff", "a,b=#fff", "1,2=notacolor"):
        with pytest.raises(HintError, match=f"--point '{bad}'"):
            point_hint(bad)


# -- spreading, through the pipeline ---------------------------------------------------------

def test_python_takes_the_hints_files_dicts_and_refuses_one_bare_hint(pipe, halves):
    """`from colorizer import ColorHint, Point` as the README shows; a dict in the hints
    file's form gives the same colors as its typed hint; a string or one hint not in a list
    is a clear error, not a character-by-character one."""
    from colorizer import ColorHint as ExportedHint
    from colorizer import Point as ExportedPoint

    typed = pipe(halves, color_hints=[ExportedHint(ExportedPoint(20, 30), RED, source="x")])
    as_dict = pipe(halves, color_hints=[{"point": [20, 30], "color": RED, "source": "x"}])
    assert np.array_equal(np.asarray(typed.image), np.asarray(as_dict.image))
    for bad in ("#b22222", ColorHint(Point(20, 30), RED), {"point": [20, 30], "color": RED}):
        with pytest.raises(HintError, match="must be a list of hints"):
            pipe(halves, color_hints=bad)
    with pytest.raises(HintError, match=r"color hint 2: .*point"):
        pipe(halves, color_hints=[ColorHint(Point(2, 3), RED), {"point": [1], "color": RED}])


def test_point_fills_its_region_stops_at_the_edge_and_keeps_lightness(pipe, halves):
    plain = pipe(halves)
    hinted = pipe(halves, color_hints=[ColorHint(Point(20, 30), RED, source="a letter")])
    lab, before = _lab(hinted.image), np.asarray(plain.image)
    after = np.asarray(hinted.image)
    red_ab = _lab(Image.new("RGB", (1, 1), RED))[0, 0, 1:]
    # The dark half takes the red's hue everywhere (within a few pixels of the edge too;
    # its chroma as far as the gamut allows at that lightness) ...
    inside = lab[:, 2:44, 1:]
    hue = np.degrees(np.arctan2(inside[..., 1], inside[..., 0]))
    assert np.abs(hue - np.degrees(np.arctan2(red_ab[1], red_ab[0]))).max() < 6
    assert np.hypot(inside[..., 0], inside[..., 1]).min() > 35
    # ... the light half is exactly what it was without the hint ...
    assert np.array_equal(after[:, 54:], before[:, 54:])
    # ... and L* is the input's (only chroma changes).
    gray_l = _lab(halves)[..., 0]
    assert np.percentile(np.abs(lab[..., 0] - gray_l), 99) <= 1.0


def test_two_points_split_and_an_area_stays_inside_its_box(pipe, halves):
    result = pipe(halves, color_hints=[ColorHint(Point(10, 10), RED),
                                       ColorHint(Point(80, 50), BLUE)])
    lab = _lab(result.image)
    assert lab[:, :40, 1].mean() > 30 and lab[:, :40, 2].mean() > 10  # red: a* and b* up
    assert lab[:, 56:, 2].mean() < -30  # blue: b* down
    plain = np.asarray(pipe(halves).image)
    boxed = pipe(halves, color_hints=[ColorHint(Box(60, 10, 90, 40), "#20a020")])
    out = np.asarray(boxed.image)
    assert _lab(boxed.image)[14:36, 64:86, 1].mean() < -25  # green inside
    assert np.array_equal(out[50:], plain[50:]) and np.array_equal(out[:, :50], plain[:, :50])


def test_report_says_where_each_color_came_from(pipe, halves):
    result = pipe(halves, color_hints=[ColorHint(Point(20, 30), RED, source="a letter, 1931")])
    report = json.loads(json.dumps(result.to_dict()))["color_regions"]
    model, hint = report["regions"]
    assert model["kind"] == "model" and hint["kind"] == "hint"
    assert hint["source"] == "a letter, 1931" and hint["detail"]["color"] == RED
    assert 0.4 < hint["share"] < 0.6 and 0.5 < hint["confidence"] <= 1.0
    assert hint["box"][0] == 0 and 44 <= hint["box"][2] <= 52  # the dark half
    cells = np.array(report["map"]["cells"])
    assert (cells[:, :10] == 1).all() and (cells[:, -10:] == 0).all()
    picture = result.color_regions.image().convert("RGB")
    assert picture.size == (96, 64)
    # The map paints the hint's region in the hint's own color (the model's stays gray), as
    # the workbench does, so a person matches a region to the hint they gave.
    assert picture.getpixel((5, 30)) == ImageColor.getrgb(RED)
    assert picture.getpixel((90, 30)) == (128, 128, 128)
    xmp = build_xmp(result).decode()
    assert "<chronochrome:ColorSources>" in xmp and "source: a letter, 1931" in xmp
    # Without hints the model decided everything, and the XMP says nothing more.
    plain = pipe(halves)
    assert [r["kind"] for r in plain.to_dict()["color_regions"]["regions"]] == ["model"]
    assert "ColorSources" not in build_xmp(plain).decode()


def test_reference_hint_takes_the_reference_colors_inside_its_area(pipe, halves):
    green = Image.new("RGB", (64, 64), "#208020")
    result = pipe(halves, color_hints=[ReferenceHint(Box(56, 8, 90, 56), green,
                                                     source="postcard", name="green.png")])
    lab = _lab(result.image)
    assert lab[12:52, 60:86, 1].mean() < -20  # the reference's green
    regions = result.to_dict()["color_regions"]["regions"]
    assert regions[1]["detail"]["reference"] == "green.png" and regions[1]["share"] > 0.15
    with pytest.raises(HintError, match="color hint 1 .*the image is grayscale"):
        pipe(halves, color_hints=[ReferenceHint(Box(0, 0, 9, 9), Image.new("L", (8, 8)))])


def test_an_edit_reuses_the_first_run_and_matches_a_fresh_run(pipe, shared_tiny_weights,
                                                              halves):
    hints = [ColorHint(Point(20, 30), RED)]
    halves = halves.rotate(180)  # a photo no other test gave this module's pipeline
    first = pipe(halves)
    assert "generator" in first.timings
    edit = pipe(halves, color_hints=hints)
    assert "generator" not in edit.timings and "hints" in edit.timings  # steps 2-6 reused
    fresh = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                 context=False, exemplars=False,
                                                 render_size=64)(halves, color_hints=hints)
    assert np.array_equal(np.asarray(edit.image), np.asarray(fresh.image))
    # One more hint: the first point's distance comes from the edit's memo, the same pixels.
    more = hints + [ColorHint(Point(80, 10), (20, 60, 200))]
    second = pipe(halves, color_hints=more)
    fresh_more = ColorizationPipeline.from_pretrained(
        shared_tiny_weights, device="cpu", context=False, exemplars=False,
        render_size=64)(halves, color_hints=more)
    assert np.array_equal(np.asarray(second.image), np.asarray(fresh_more.image))
    assert not np.array_equal(np.asarray(second.image), np.asarray(edit.image))
    # Another photo, or another text hint, is not an edit of this one.
    other = pipe(halves.transpose(Image.FLIP_LEFT_RIGHT), color_hints=hints[:0])
    assert "generator" in other.timings
