"""The scene-label floor's table and rule, on made-up predictions."""

from eval.scene_floor import MIN_PRECISION, choose, labeled_photos, table


def test_precision_and_coverage_per_floor_and_the_rule():
    preds = [[(0.9, True), (0.05, False)], [(0.3, False), (0.2, True)], [(0.06, False)]]
    rows = {r["floor"]: r for r in table(preds)}
    assert rows[0.05]["labels"] == 5 and rows[0.05]["precision"] == 0.4
    assert rows[0.05]["coverage"] == 1.0
    assert rows[0.25]["labels"] == 2 and rows[0.25]["precision"] == 0.5
    assert rows[0.5]["precision"] == 1.0 and round(rows[0.5]["coverage"], 2) == 0.33
    chosen = choose(list(rows.values()))
    assert chosen["floor"] == 0.4 and chosen["precision"] >= MIN_PRECISION  # 0.3 is wrong
    assert choose([{"floor": 0.1, "precision": 0.2}]) is None


def test_labeled_photos_map_names_and_wnids_to_imagenet_indices(tmp_path):
    for name in ("inet1k__n01440764_tench.jpg", "inet1k__n01484850_great_white_shark.jpg",
                 "imagenette__val_n03028079_n03028079_1.jpg", "inet1k__n0_no_such_class.jpg"):
        (tmp_path / name).write_bytes(b"")
    found = {p.name: i for p, i in labeled_photos(tmp_path)}
    assert found == {"inet1k__n01440764_tench.jpg": 0,
                     "inet1k__n01484850_great_white_shark.jpg": 2,
                     "imagenette__val_n03028079_n03028079_1.jpg": 497}
