"""context/script_vote.py: readings decide as before; letter shapes vote for lines not read
surely, from their floor, by their weight."""

from context.config import ContextConfig
from context.lookalike_reader import LineReading
from context.script import load_scripts
from context.script_vote import ShapeVote, script_of

SCRIPTS = load_scripts(ContextConfig().data_dir)
BOX = (10, 10, 210, 40)


def _reading(text, conf, script, box=BOX, consistency=1.0):
    return LineReading(text, box, conf, script, consistency)


def test_readings_alone_decide_as_before():
    got = script_of([_reading("Москва 1975", 0.9, "Cyrl")], (None, 0.0), SCRIPTS)
    assert got.code == "Cyrl" and got.confidence > 0.5
    assert script_of([], (None, 0.0), SCRIPTS) is None


def test_latin_counts_half_against_another_script():
    readings = [_reading("Kodak film", 0.9, "Latn"),
                _reading("Москва", 0.9, "Cyrl", box=(10, 50, 110, 80))]
    assert script_of(readings, (None, 0.0), SCRIPTS).code == "Cyrl"


def test_shapes_name_the_script_of_an_unread_line():
    shapes = {BOX: {"none": 0.03, "Cyrl": 0.95, "Latn": 0.02}}
    assert script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(0.0, 0.8)) is None
    got = script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(1.0, 0.8))
    assert got.code == "Cyrl" and 0 < got.confidence < 0.95
    assert any("shapes" in e.what and e.box == BOX for e in got.evidence)
    assert script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(1.0, 0.97)) is None


def test_shapes_outvote_a_garbled_latin_reading_but_not_a_settled_one():
    shapes = {BOX: {"none": 0.02, "Cyrl": 0.96, "Latn": 0.02}}
    garbled = [_reading("ZAANSE", 0.45, "Latn")]
    assert script_of(garbled, (None, 0.0), SCRIPTS).code == "Latn"
    assert script_of(garbled, (None, 0.0), SCRIPTS, shapes, ShapeVote(1.0, 0.8)).code == "Cyrl"
    sure = [_reading("Washington", 0.95, "Latn")]
    assert script_of(sure, (None, 0.0), SCRIPTS, shapes, ShapeVote(4.0, 0.8)).code == "Latn"


def test_no_writing_lines_vote_for_nothing():
    shapes = {BOX: {"none": 0.9, "Cyrl": 0.06, "Latn": 0.04}}
    assert script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(4.0, 0.6)) is None


class BoxOnlyReader:
    """A reader that found one line of writing and could not read it (felt-tip)."""

    name = "box only"

    def read_lines(self, image):
        return [], (None, 0.0), {BOX: 0.0}

    def read_with(self, image, boxes, models, angles):
        return {}  # no language model reads anything


def _sure_cyrillic():
    """A real classifier whose last layer is set to say Cyrillic whatever it sees."""
    import torch

    from context.line_script import LineScriptClassifier, LineScriptConfig, build_net

    cfg = LineScriptConfig(channels=(4, 8))
    net = build_net(cfg)
    with torch.no_grad():
        net[-1].weight.zero_()
        net[-1].bias.copy_(torch.tensor([0.0, 6.0, 0.0]))
    return LineScriptClassifier(net, cfg)


def test_encoder_hears_the_shapes_only_when_weighted():
    from PIL import Image

    from context import ContextEncoder

    image = Image.new("RGB", (240, 180), (120, 120, 120))
    for weight, want in ((0.0, None), (1.0, "Cyrl")):
        enc = ContextEncoder(ContextConfig(embed=False, shape_weight=weight),
                             reader=BoxOnlyReader(), line_script=_sure_cyrillic())
        ctx = enc(image)
        assert (ctx.script.code if ctx.script else None) == want
        assert ctx.sources["ocr"].detail == "box only + letter-shape classifier"
    assert any("shapes" in e.what for e in ctx.script.evidence)
    assert "Cyrillic writing (seen, not read)" in ctx.description


def test_bad_shape_settings_are_refused():
    import pytest

    with pytest.raises(ValueError, match="shape_weight"):
        ContextConfig(shape_weight=-1.0)
    with pytest.raises(ValueError, match="shape_floor"):
        ContextConfig(shape_floor=1.5)


def test_latin_shape_votes_can_be_left_out():
    shapes = {BOX: {"none": 0.02, "Cyrl": 0.03, "Latn": 0.95}}
    assert script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(1.0, 0.6)).code == "Latn"
    assert script_of([], (None, 0.0), SCRIPTS, shapes, ShapeVote(1.0, 0.6, latin=False)) is None
    cyr = {BOX: {"none": 0.02, "Cyrl": 0.95, "Latn": 0.03}}
    assert script_of([], (None, 0.0), SCRIPTS, cyr, ShapeVote(1.0, 0.6, latin=False)).code == "Cyrl"


def test_readings_shorter_than_min_letters_do_not_vote():
    short = _reading("ΠΕΣ", 0.8, "Grek")
    assert script_of([short], (None, 0.0), SCRIPTS).code == "Grek"  # by default every one votes
    assert script_of([short], (None, 0.0), SCRIPTS, min_letters=4) is None
    both = [short, _reading("Москва", 0.6, "Cyrl", box=(10, 50, 110, 80))]
    got = script_of(both, (None, 0.0), SCRIPTS, min_letters=4)
    assert got.code == "Cyrl" and all("ΠΕΣ" not in e.what for e in got.evidence)
