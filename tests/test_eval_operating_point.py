"""The operating-point rules (eval/operating_point_rules.md), on constructed sweep rows."""

from __future__ import annotations

import json

from eval.operating_point import choose, rows_from_logs


def _row(name: str, real_de: float, real_cf: float, blobs: float, vivid: float = 0.001,
         val_de: float = 10.0, val_cf: float = 0.7) -> dict:
    return {"point": {"name": name},
            "scores": {"val": {"de": val_de, "gray": 11.0, "cf_ratio": val_cf,
                               "falsely_vivid": 0.0},
                       "real": {"de": real_de, "gray": 11.0, "cf_ratio": real_cf,
                                "falsely_vivid": vivid},
                       "bw": {"blob_share": blobs}}}


def test_an_admissible_point_wins_over_a_truer_inadmissible_one():
    rows = [_row("dull", 9.0, 0.3, 0.0), _row("ok", 10.5, 0.65, 0.02),
            _row("blobby", 10.0, 0.7, 0.2)]
    chosen, why = choose(rows)
    assert chosen["point"]["name"] == "ok" and why.startswith("admissible")


def test_without_admissible_points_the_safety_bounds_come_first():
    rows = [_row("blobby", 11.2, 0.4, 0.13), _row("smooth", 11.3, 0.35, 0.0),
            _row("vivid", 11.1, 0.4, 0.0, vivid=0.01)]
    chosen, why = choose(rows)
    assert chosen["point"]["name"] == "smooth" and "safety" in why
    chosen, why = choose([rows[0], rows[2]])
    assert chosen["point"]["name"] == "vivid" and why.startswith("none safe")


def _reddened(row: dict, mean: float, worst: float) -> dict:
    row["scores"]["real"].update(falsely_red=mean, falsely_red_worst=worst)
    return row


def test_the_red_guard_chooses_only_among_points_within_rule_8s_bounds():
    truest_but_red = _reddened(_row("red", 10.0, 0.4, 0.0), 0.0029, 0.16)
    one_red_photo = _reddened(_row("one photo", 10.2, 0.4, 0.0), 0.0008, 0.06)
    clean = _reddened(_row("clean", 10.4, 0.3, 0.0), 0.0005, 0.02)
    rows = [truest_but_red, one_red_photo, clean]
    assert choose(rows)[0]["point"]["name"] == "red"  # rules 1-4 alone
    chosen, why = choose(rows, red_guard=True)
    assert chosen["point"]["name"] == "clean" and "safety" in why
    chosen, why = choose([truest_but_red, one_red_photo], red_guard=True)
    assert chosen is None and "committed point stays" in why


def test_the_sweep_report_shows_each_points_red_share(tmp_path):
    from eval.operating_point import markdown
    rows = [_reddened(_row("a", 10.0, 0.4, 0.0), 0.0029, 0.1636), _row("old sweep", 10.1, 0.4, 0.0)]
    text = markdown(rows, None, "no point within rule 8's red bounds")
    assert "**Chosen** (no point within rule 8's red bounds): `none`" in text
    assert "| 0.290 (16.4) |" in text and "| — |" in text


def test_rows_are_read_back_from_the_printed_lines(tmp_path):
    row = _row("a", 11.0, 0.4, 0.0)
    line = json.dumps({"point": row["point"], "gain": 0.0, **row["scores"]})
    log = tmp_path / "sweep.log"
    log.write_text(f"loading...\n{line}\n{line}\n")
    assert rows_from_logs([log]) == [row]


def test_a_point_sets_the_saved_only_prior_correction_and_the_run_overrides(tiny_weights):
    from colorizer.pipeline.colorization import ColorizationPipeline
    from eval.operating_point import point_pipe

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    point = point_pipe(pipe, {"prior_correction": 0.85, "temperature": 0.5,
                              "chroma_scale": 1.25, "agreement_power": 0.5})
    assert point.decoding.prior_correction == 0.85
    assert (point.decoding.temperature, point.decoding.chroma_scale) == (0.5, 1.25)
    assert point.decoding.chroma.agreement_power == 0.5
    assert pipe.decoding.prior_correction != 0.85  # the pipeline swept from is unchanged


def test_mirrored_predictions_do_not_depend_on_which_way_the_photo_faces(tiny_weights,
                                                                         tmp_path):
    import numpy as np
    import torch
    from PIL import Image

    from colorizer.pipeline.colorization import ColorizationPipeline
    from eval.operating_point import prepare

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    rng = np.random.default_rng(0)
    photo = (rng.random((48, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(photo).save(tmp_path / "a.png")
    Image.fromarray(photo[:, ::-1].copy()).save(tmp_path / "b.png")
    files = [(tmp_path / "a.png", "val"), (tmp_path / "b.png", "val")]
    plain = prepare(pipe, files)
    mirrored = prepare(pipe, files, mirror=True)
    # A plain generator sees the two ways differently; the mirrored average does not.
    assert not torch.allclose(plain[0].logits, plain[1].logits.flip(-1), atol=1e-4)
    torch.testing.assert_close(mirrored[0].logits, mirrored[1].logits.flip(-1), atol=1e-4,
                               rtol=1e-4)
    assert mirrored[0].gray_de == plain[0].gray_de


def test_a_chosen_point_is_written_where_decoding_config_reads_it(tmp_path):
    from colorizer.pipeline.decoding import DecodingConfig
    from eval.operating_point import apply_point

    DecodingConfig(chroma_scale=1.5).save(tmp_path)
    path = tmp_path / "decoding.json"
    raw = json.loads(path.read_text())
    del raw["estimator"]  # a file written before the field existed
    path.write_text(json.dumps(raw))
    apply_point({"estimator": "median", "prior_correction": 0.85, "chroma_scale": 1.0,
                 "agreement_power": 0.5}, path)
    saved = DecodingConfig.load(tmp_path)
    assert (saved.estimator, saved.prior_correction, saved.chroma_scale) == ("median", 0.85, 1.0)
    assert saved.chroma.agreement_power == 0.5


def test_a_sweep_runs_the_generator_at_the_render_size_it_is_given(tiny_weights, tmp_path):
    import numpy as np
    from PIL import Image

    from eval.operating_point import prepare, sweep_pipe

    photo = (np.random.default_rng(1).random((48, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(photo).save(tmp_path / "a.png")
    files = [(tmp_path / "a.png", "val")]
    own, small = sweep_pipe(tiny_weights), sweep_pipe(tiny_weights, render_size=64)
    assert small.render_size == 64 and own.render_size != 64
    grid_own = prepare(own, files)[0].logits.shape[-1]
    grid_small = prepare(small, files)[0].logits.shape[-1]
    # The logits' grid follows the render size (stride fixed): 64 px wide -> 64 / stride.
    assert grid_small * own.render_size == grid_own * 64


def test_the_sweep_reads_a_framed_photo_as_the_pipeline_does(tiny_weights, tmp_path):
    """Rules 56-57: with the frame fill the sweep's generator reads the photo mirrored over
    its black bars, and the bars are scored gray, as `ColorizationPipeline` makes them."""
    import numpy as np
    import torch
    from PIL import Image

    from colorizer.pipeline.colorization import ColorizationPipeline
    from eval.operating_point import colorize, point_pipe, prepare

    rng = np.random.default_rng(0)
    photo = (rng.random((48, 64, 3)) * 200 + 40).astype(np.uint8)
    photo[:, :10] = photo[:, -10:] = 5  # black bars on both sides
    Image.fromarray(photo).save(tmp_path / "framed.png")
    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    plain, filled = (point_pipe(pipe, {"frame_fill": fill}) for fill in (False, True))
    assert filled.decoding.frame_fill and not plain.decoding.frame_fill
    [seen_plain] = prepare(plain, [(tmp_path / "framed.png", "val")])
    [seen_filled] = prepare(filled, [(tmp_path / "framed.png", "val")])
    assert not torch.allclose(seen_plain.logits, seen_filled.logits)
    def bar_spread(rgb: np.ndarray) -> float:  # how far R, G, B part within the left bar
        bars = rgb[:, :8]
        return float(np.abs(bars - bars[..., :1]).max())

    assert bar_spread(colorize(plain, seen_plain)) > 3 / 255  # without the fill: colored
    assert bar_spread(colorize(filled, seen_filled)) <= 1 / 255  # with it: gray
