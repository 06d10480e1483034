"""eval/shape_rule.py: the written rule (most right minus twice the new false claims, the
printed titles kept within one, ties to the smaller weight), and scoring stored reads."""

from context import ContextConfig, ContextEncoder
from context.lookalike_reader import LineReading
from context.script_vote import ShapeVote
from eval.shape_rule import Read, choose, score


def _row(w, f, hand, printed, claims):
    return {"weight": w, "floor": f, "hand": hand, "printed": printed, "control_claims": claims}


def test_rule_weighs_false_claims_and_keeps_printed_titles():
    rows = [_row(0.0, 0.9, 10, 50, 2), _row(1.0, 0.9, 16, 50, 4), _row(2.0, 0.9, 20, 48, 3),
            _row(4.0, 0.9, 15, 51, 2)]
    chosen = choose(rows)
    # 1.0: 66 - 4 = 62; 2.0 would score 66 but loses 2 printed; 4.0: 66 - 0 = 66
    assert chosen["weight"] == 4.0 and not rows[2]["admissible"]
    tie = [_row(0.0, 0.9, 10, 50, 2), _row(0.5, 0.9, 12, 50, 2), _row(1.0, 0.9, 12, 50, 2)]
    assert choose(tie)["weight"] == 0.5


def test_score_counts_groups_and_claims():
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    box = (0, 0, 200, 30)
    cyr = {box: {"none": 0.02, "Cyrl": 0.95, "Latn": 0.03}}
    reads = [Read("s1-gen00-hand-pangolin", "hand", "Cyrl", (), (None, 0.0), cyr),
             Read("s1-gen01-DejaVuSans", "printed", "Latn",
                  (LineReading("London", box, 0.9, "Latn", 1.0),), (None, 0.0), {}),
             Read("none-x", "none", None, (), (None, 0.0), cyr)]
    off = score(reads, enc, ShapeVote(0.0, 0.8))
    on = score(reads, enc, ShapeVote(1.0, 0.8))
    assert off == {"hand": 0, "printed": 1, "held_out_faces": 0, "control_claims": 0}
    assert on == {"hand": 1, "printed": 1, "held_out_faces": 1, "control_claims": 1}
