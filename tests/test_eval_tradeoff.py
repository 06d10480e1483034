import json
from types import SimpleNamespace

import numpy as np
from PIL import Image

from colorizer.pipeline.colorization import ColorizationPipeline
from colorizer.pipeline.decoding import DECODING_FILE, DecodingConfig
from eval import tradeoff
from eval.report import merge_history
from eval.tradeoff import choose, operating_point, plot, sweep


def _tiny_pipe(weights):
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False)


def _points():
    return [
        {"temperature": 0.2, "chroma_scale": 1.2, "ciede2000": 11.0, "colorfulness": 60.0,
         "blue_share": 0.10},
        {"temperature": 0.38, "chroma_scale": 1.0, "ciede2000": 11.5, "colorfulness": 41.0,
         "blue_share": 0.15},
        {"temperature": 0.5, "chroma_scale": 0.8, "ciede2000": 10.0, "colorfulness": 25.0,
         "blue_share": 0.30},
        {"temperature": 1.0, "chroma_scale": 1.2, "ciede2000": 13.5, "colorfulness": 44.0,
         "blue_share": 0.30},
    ]


def test_choose_takes_the_truest_point_vivid_and_cool_enough():
    reference = {"gray_ciede2000": 12.0, "truth_colorfulness": 42.0, "truth_blue_share": 0.12}
    # With half the truth's blue share asked, 11.0 and 11.5 are below gray, vivid and cool
    # enough; 10.0 is too dull, 13.5 above gray.
    chosen = choose(_points(), reference, margin=0.2, min_blue=0.5)
    assert (chosen["temperature"], chosen["ciede2000"]) == (0.2, 11.0)
    # The default asks for the truth's blue share: the warm one (0.10 < 0.12) is out.
    chosen = choose(_points(), reference, margin=0.2)
    assert chosen["ciede2000"] == 11.5


def test_choose_prefers_truth_like_vividness_when_none_is_balanced():
    reference = {"gray_ciede2000": 12.0, "truth_colorfulness": 42.0, "truth_blue_share": 0.5}
    chosen = choose(_points(), reference, margin=0.2)
    assert (chosen["temperature"], chosen["chroma_scale"]) == (0.38, 1.0)


def test_choose_falls_back_to_lowest_error_when_nothing_beats_gray():
    reference = {"gray_ciede2000": 9.0, "truth_colorfulness": 42.0, "truth_blue_share": 0.1}
    assert choose(_points(), reference, margin=0.2)["ciede2000"] == 10.0


def test_sweep_scores_every_setting_through_the_pipeline(tmp_path, tiny_weights):
    rng = np.random.default_rng(0)
    files = []
    for i in range(2):
        path = tmp_path / f"p{i}.png"
        Image.fromarray((rng.random((40, 64, 3)) * 255).astype(np.uint8)).save(path)
        files.append(path)
    points, reference = sweep(_tiny_pipe(tiny_weights), files, (64, 96),
                              temperatures=(0.3, 1.0), scales=(0.5, 1.0))
    assert len(points) == 8
    summaries = [p.summary() for p in points]
    assert all(len(p.ciede2000) == 2 for p in points)
    # The prior correction is the model's own (not a pipeline setting): one value throughout.
    assert {p["prior_correction"] for p in summaries} == {0.0}

    def at(r, t, s):
        return next(p for p in summaries
                    if (p["render_size"], p["temperature"], p["chroma_scale"]) == (r, t, s))

    low, high = at(64, 0.3, 0.5), at(64, 0.3, 1.0)
    assert high["colorfulness"] > low["colorfulness"]
    # The render size is a real setting: the model reads the photo at another scale.
    assert at(96, 0.3, 1.0)["ciede2000"] != high["ciede2000"]
    assert reference["gray_ciede2000"] > 0 and reference["truth_colorfulness"] > 10
    plot(summaries, reference, summaries[0], tmp_path / "t.png")
    assert Image.open(tmp_path / "t.png").size == (720, 480)


def test_history_keeps_earlier_versions(tmp_path):
    def report(label, value):
        return {"dataset": {"name": "d"}, "finished_at": "now",
                "rows": [{"label": "gray baseline", "kind": "baseline", "metrics": {}},
                         {"label": label, "kind": "model", "model": {},
                          "metrics": {"ciede2000": value}}]}

    merge_history(report("m v1", 12.0), tmp_path, record=True)
    second = merge_history(report("m v2", 11.0), tmp_path, record=True)
    assert [(r["label"], r["metrics"]["ciede2000"]) for r in second["history"]] == [("m v1", 12.0)]
    quick = merge_history(report("m v3", 10.0), tmp_path, record=False)
    assert {r["label"] for r in quick["history"]} == {"m v1", "m v2"}


def test_guided_sweep_gives_each_photo_its_own_color_as_exemplar(tmp_path, tiny_weights):
    rng = np.random.default_rng(1)
    path = tmp_path / "p.png"
    Image.fromarray((rng.random((40, 64, 3)) * 255).astype(np.uint8)).save(path)
    pipe = _tiny_pipe(tiny_weights)
    one = {"temperatures": (None,), "scales": (1.0,)}
    plain, _ = sweep(pipe, [path], (None,), **one)
    guided, _ = sweep(pipe, [path], (None,), **one, guided=True)
    # The exemplar changes the prediction (a random tiny model still reads its tokens).
    assert guided[0].ciede2000[0] != plain[0].ciede2000[0]
    # None: the model's own render size and temperature, as the pipeline reports them.
    assert guided[0].render_size == pipe.render_size


def test_apply_writes_the_point_as_its_own_file_and_leaves_the_weights_alone(
        tmp_path, tiny_weights, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(2)
    Image.fromarray((rng.random((40, 64, 3)) * 255).astype(np.uint8)).save(photos / "a.png")
    dataset = SimpleNamespace(name="val-split", description="tiny", files=(photos / "a.png",))
    monkeypatch.setitem(tradeoff.DATASETS, "val-split", lambda shared: dataset)
    before = {p.name: p.read_bytes() for p in tiny_weights.iterdir()}
    target = tmp_path / "point.json"
    code = tradeoff.main(["--weights", str(tiny_weights), "--render-sizes", "64",
                          "--out", str(tmp_path / "out"), "--apply", str(target)])
    assert code == 0
    point = DecodingConfig.from_dict(json.loads(target.read_text()))
    chosen = json.loads((tmp_path / "out" / "tradeoff.json").read_text())["chosen"]
    assert point == operating_point(DecodingConfig(), chosen, guided=False)
    assert (point.render_size, point.temperature, point.chroma_scale) == (
        chosen["render_size"], chosen["temperature"], chosen["chroma_scale"])
    assert {p.name: p.read_bytes() for p in tiny_weights.iterdir()} == before
    # Written as a weights folder's decoding.json, it is that model's operating point.
    target.replace(tiny_weights / DECODING_FILE)
    assert _tiny_pipe(tiny_weights).decoding == point
