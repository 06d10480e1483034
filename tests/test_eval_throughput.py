"""The throughput benchmark's rate: Ray returns photos a block at a time, so the photos that
arrive with the first one are not counted against the time after it."""

from eval.bench_throughput import steady_rate


def test_steady_rate_leaves_out_the_first_burst():
    assert steady_rate([10.0, 11.0, 12.0, 13.0]) == 1.0  # one photo a second
    # Four photos at 10 s (one block), four more by 12.03 s: 4 / 2.03 s.
    assert steady_rate([10.0, 10.01, 10.02, 10.03, 12.0, 12.01, 12.02, 12.03]) == 1.97
    assert steady_rate([5.0, 5.0, 5.01]) is None  # all in one burst: no steady figure


def test_per_photo_seconds_count_from_the_first_photo_written():
    from eval.bench_throughput import per_photo

    # Start-up before the first photo is left out: 3 photos in 2 s wall, 1.5 s CPU.
    assert per_photo([30.0, 31.0, 32.0], [9.0, 9.5, 10.5]) == {
        "s_per_photo": 1.0, "cpu_s_per_photo": 0.75}
    assert per_photo([30.0, 31.5], None) == {"s_per_photo": 1.5, "cpu_s_per_photo": None}
    assert per_photo([30.0], [1.0]) == {"s_per_photo": None, "cpu_s_per_photo": None}


def test_stage_timing_counts_calls_and_puts_the_methods_back():
    from collections import defaultdict

    from PIL import Image

    from context.ocr import RapidTextDetector
    from eval.bench_stages import timed

    original = RapidTextDetector.__call__
    totals = defaultdict(lambda: [0.0, 0.0, 0])
    with timed(totals):
        # A photo thinner than the detector's stride returns before the model is touched.
        assert RapidTextDetector.__call__(None, Image.new("L", (4, 4))) == []
    assert totals["context/ocr/detector"][2] == 1
    assert RapidTextDetector.__call__ is original
