"""eval/year_pass.py: the floor sweep and the digit confusions, on hand-made rows."""

from eval.year_pass import digit_confusions, sweep


def _row(truth, shown, passed):
    return {"name": "x", "truth": truth, "shown": shown, "pass": passed}


def test_sweep_counts_right_and_wrong_years_per_floor():
    rows = [_row(1977, [], [1977, 0.95]), _row(1950, [], [1980, 0.6]),
            _row(None, [], [1931, 0.85]), _row(1960, [], None)]
    table = {t["floor"]: t for t in sweep(rows)}
    assert (table[0.5]["right"], table[0.5]["wrong"], table[0.5]["gain"]) == (1, 2, -3)
    assert (table[0.7]["right"], table[0.7]["wrong"]) == (1, 1)  # the untitled photo's year
    assert (table[0.9]["right"], table[0.9]["wrong"], table[0.9]["gain"]) == (1, 0, 1)


def test_digit_confusions_count_one_digit_misreads():
    rows = [_row(1984, [1994], None), _row(1977, [1971, 1977], [1917, 0.9]),
            _row(1950, [1850, 2000], None), _row(None, [1994], None)]
    got = digit_confusions(rows)
    assert got == {"8->9": 1, "7->1": 2, "9->8": 1}
