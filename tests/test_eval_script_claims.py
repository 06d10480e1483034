"""eval/script_claims.py: the written rule (the shape rule's score against N = 0, printed
titles losing at most one, ties to the smaller N)."""

from eval.script_claims import choose


def _row(n, hand, printed, claims):
    return {"min_letters": n, "hand": hand, "printed": printed, "control_claims": claims}


def test_rule_scores_against_no_minimum_and_bounds_the_printed_titles():
    rows = [_row(0, 24, 37, 4), _row(3, 24, 37, 4), _row(4, 24, 36, 2), _row(5, 24, 33, 0)]
    got = choose(rows)
    assert got["min_letters"] == 4 and got["score"] == 24 + 36 + 4  # two claims fewer: +4
    assert rows[1]["score"] == rows[0]["score"] == 61  # a tie keeps the smaller N
    assert rows[3]["admissible"] is False  # 4 printed titles lost
    assert choose(rows[:2])["min_letters"] == 0
