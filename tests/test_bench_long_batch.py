"""eval.bench_long_batch's own logic on tiny inputs: the levels, the growth per 100 photos, the
exit rule, the RSS reading of a real process, the photos and the service's job groups."""

import json
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from eval import bench_long_batch
from eval.long_batch_memory import (
    GROWTH_LIMIT_MB_PER_100,
    RunResult,
    Sample,
    Sampler,
    growth_of,
    level_at,
    verdict,
)
from eval.long_batch_photos import caption_of, write_photos


def samples_of(photos: int, base: float, per_photo: float, wobble: float = 0.0) -> list[Sample]:
    """Two readings per photo: RSS = base + per_photo * done, +/- wobble alternately."""
    return [Sample(n * 0.5, n // 2, base + per_photo * (n // 2) + (wobble if n % 2 else -wobble))
            for n in range(2 * photos + 2)]


def test_flat_memory_with_noise_grows_by_nothing():
    growth = growth_of(samples_of(500, 900.0, 0.0, wobble=60.0), 500)
    assert growth.per_100_mb == pytest.approx(0.0)
    assert (growth.rss_10_mb, growth.rss_50_mb, growth.rss_100_mb) == (900.0, 900.0, 900.0)
    assert growth.peak_mb == 960.0


def test_steady_growth_is_per_100_photos_from_the_warm_up_point():
    growth = growth_of(samples_of(500, 900.0, 0.5), 500)  # 0.5 MB a photo
    assert growth.per_100_mb == pytest.approx(50.0)
    assert growth.rss_10_mb == pytest.approx(925.0)  # 50 photos done
    assert growth.rss_100_mb == pytest.approx(1147.0)  # the end's window: 488-500 done


def test_warm_up_growth_is_not_counted():
    # Models loaded over the first 40 photos (+400 MB), flat after: a pass.
    samples = [Sample(n, n, 500.0 + 10.0 * min(n, 40)) for n in range(501)]
    assert growth_of(samples, 500).per_100_mb == pytest.approx(0.0)


def test_a_level_without_readings_near_it_is_the_nearest_reading():
    samples = [Sample(0.0, 0, 100.0), Sample(5.0, 80, 300.0), Sample(6.0, 100, 320.0)]
    assert level_at(samples, 10, 2) == 100.0
    assert level_at(samples, 50, 2) == 300.0  # 30 from 80, 50 from 0
    with pytest.raises(ValueError, match="no RSS samples"):
        level_at([], 10, 2)


def run_of(per_photo: float, **fields) -> RunResult:
    return RunResult("CLI batch", 500, samples_of(500, 900.0, per_photo), **fields)


def test_the_exit_rule():
    bound = GROWTH_LIMIT_MB_PER_100 / 100
    assert verdict([run_of(0.0), run_of(bound * 0.9)]) == (True, [])
    passed, broken = verdict([run_of(0.0), run_of(bound * 1.5)])
    assert not passed
    assert broken == [("CLI batch: RSS grew 30.0 MB per 100 photos after the warm-up "
                       "(bound 20 MB)")]
    assert verdict([run_of(0.0, failed=3)]) == (
        False, ["CLI batch: 3 of 500 photos not colorized"])
    assert verdict([run_of(0.0, problem="exit 2: error: no photos")]) == (
        False, ["CLI batch: exit 2: error: no photos"])
    assert verdict([RunResult("service", 10)]) == (
        False, ["service: no RSS samples: the run ended before the first reading"])


def test_the_sampler_reads_a_growing_process(tmp_path):
    # A real process that keeps 20 MB more for each "photo" it reports done in a file.
    progress = tmp_path / "done"
    progress.write_text("0")
    child = textwrap.dedent(f"""
        import pathlib, time
        kept = []
        for n in range(1, 9):
            kept.append(bytearray(20 * 1024 * 1024))
            pathlib.Path({str(progress)!r}).write_text(str(n))
            time.sleep(0.15)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child])
    sampler = Sampler(proc.pid, lambda: int(progress.read_text() or 0), 0.05)
    proc.wait()
    samples = sampler.stop()
    assert len(samples) >= 8
    growth = growth_of(samples, 8)
    assert 1200 < growth.per_100_mb < 2800  # 20 MB a photo = 2000 MB per 100
    assert growth.peak_mb >= 160


def test_photos_vary_and_every_third_has_a_numbered_caption(tmp_path):
    photos = write_photos(tmp_path, 8, 96)
    assert [p.name for p in photos.paths[:4]] == [
        "photo-00000.png", "photo-00001.jpg", "photo-00002.jpg", "photo-00003.png"]
    sizes = {Image.open(p).size for p in photos.paths}
    modes = {Image.open(p).mode for p in photos.paths}
    assert len(sizes) == 8 and all(max(s) <= 96 and max(s) >= 48 for s in sizes)
    assert modes == {"L", "RGB"}
    assert photos.captioned == 3 and caption_of(6) == "BERLIN 1936 No 6"
    assert photos.total_bytes == sum(p.stat().st_size for p in photos.paths)


def test_jobs_stay_within_the_services_items_and_bytes(tmp_path):
    paths = []
    for n, size in enumerate([100] * 45 + [4_000_000, 4_000_000]):
        path = tmp_path / f"p{n}.png"
        path.write_bytes(b"x" * size)
        paths.append(path)
    chunks = bench_long_batch.job_chunks(paths)
    assert [len(c) for c in chunks] == [20, 20, 6, 1]
    assert [p for c in chunks for p in c] == paths
    assert bench_long_batch.job_chunks([]) == []


@pytest.mark.parametrize("interval", ["0", "abc", "90"])
def test_a_bad_interval_is_one_error_line(interval, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        bench_long_batch.main(["--interval", interval, "--out", str(tmp_path)])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        f"argument --interval: must be seconds from 0.05 to 60, got {interval}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_tiny_cli_run_writes_its_report(tmp_path):
    out = tmp_path / "results"
    done = subprocess.run([sys.executable, "-m", "eval.bench_long_batch", "--photos", "3",
                           "--side", "64", "--no-service", "--interval", "0.2",
                           "--out", str(out)], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode in (0, 1), done.stderr
    figures = json.loads((out / "long-batch.json").read_text())
    assert figures["photos"] == 3 and figures["bound_mb_per_100"] == GROWTH_LIMIT_MB_PER_100
    (cli,) = figures["runs"]
    assert cli["failed"] == 0 and cli["problem"] == "" and cli["samples"]
    assert cli["peak_mb"] >= cli["rss_100_mb"] > 50
    assert "| CLI batch (colorize FOLDER -o OUT) | 3 |" in (out / "long-batch.md").read_text()
    assert "| CLI batch (colorize FOLDER -o OUT) | 3 |" in done.stdout
