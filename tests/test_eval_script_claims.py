"""eval/script_claims.py: the written rule (titles right at 0.3+ minus twice the wrong claims
at 0.3+, printed titles losing at most one against the encoder as it was, ties to the earlier
setting)."""

from context.script_vote import ShortText
from eval.script_claims import SETTINGS, choose


def _row(floor, printed, wrong, claims, hand=0):
    return {"floor": floor, "hand": hand, "printed": printed, "wrong_titles": wrong,
            "control_claims": claims}


def test_rule_scores_wrong_claims_twice_and_bounds_the_printed_titles():
    rows = [_row(0.5, 38, 5, 3), _row(0.25, 37, 3, 3), _row(0.0, 35, 2, 2)]
    got = choose(rows)
    assert got["floor"] == 0.25 and got["score"] == 37 - 2 * 6
    assert rows[0]["score"] == 38 - 2 * 8
    assert rows[2]["admissible"] is False  # 3 printed titles lost
    tie = [_row(0.5, 38, 5, 3), _row(0.25, 38, 5, 3)]
    assert choose(tie)["floor"] == 0.5  # a tie keeps the encoder as it was


def test_the_first_setting_is_the_encoder_as_it_was():
    assert SETTINGS[0] == ShortText()
