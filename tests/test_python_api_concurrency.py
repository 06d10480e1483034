"""The Python API in a user's own batch script: one pipeline shared by threads, worker
processes (spawn, with an initializer or given the pipeline itself), pickling, and caches
that stay bounded over many photos (README: Using the pipeline from threads and processes)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from colorizer import ColorizationPipeline
from colorizer.errors import ChronochromeError


def _text_photo(width: int, height: int, seed: int) -> Image.Image:
    """A gray photo with printed lines (the text detector finds them) over a gradient."""
    y, x = np.mgrid[0:height, 0:width]
    image = Image.fromarray((np.sin(x / (9 + seed)) * 40 + 150 + y % 7).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(14, height // 14))
    for line in range(3):
        draw.text((width // 10 + 9 * seed, height // 6 + line * height // 4),
                  f"MOSCOW {1950 + seed + line}", fill=15, font=font)
    return image


def _report(result) -> dict:
    """What a run reports, without its timings (those differ from run to run)."""
    report = result.to_dict()
    report.pop("timings", None)
    return report


@pytest.mark.slow
def test_four_threads_on_eight_photos_give_the_sequential_pixels_and_reports(
        shared_tiny_weights):
    """A script's ThreadPoolExecutor(4) over one pipeline with the default context encoder
    (OCR's detector and Tesseract, the scene model): each photo's pixels and report are those
    of a sequential run. Photos of two size classes (1100 and 320 px long): rapidocr's
    detector stored each photo's resize in itself, which another thread's photo could use."""
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                exemplars=False, render_size=64)
    jobs = [(_text_photo(1100, 800, i) if i % 2 else _text_photo(320, 240, i),
             "Moscow 1950" if i % 3 == 0 else None) for i in range(8)]

    def colorize(job):
        result = pipe(job[0], hints=job[1])
        return result.image.tobytes(), _report(result)

    alone = [colorize(job) for job in jobs]
    pipe.edits.clear()
    with ThreadPoolExecutor(4) as threads:
        together = list(threads.map(colorize, jobs))
    assert [pixels for pixels, _ in together] == [pixels for pixels, _ in alone]
    assert [report for _, report in together] == [report for _, report in alone]
    assert len({pixels for pixels, _ in alone}) == 8


def test_the_text_detector_keeps_no_state_between_calls():
    """Threads share one detector: a call leaves it as it was (rapidocr's own call stored the
    photo's resize in it, for the next line to read back), and finds what rapidocr's own
    call finds, in each size class."""
    from context.detector import RapidTextDetector

    detector = RapidTextDetector()
    for size in ((1100, 800), (320, 240)):
        photo = _text_photo(*size, seed=1)
        bgr = np.ascontiguousarray(np.asarray(photo.convert("RGB"))[:, :, ::-1])
        boxes = detector._quads(bgr)
        assert detector._det.preprocess_op is None  # nothing stored for another thread
        assert len(boxes) >= 3
        assert np.array_equal(boxes, detector._det(bgr)[0])  # rapidocr's own call
        detector._det.preprocess_op = None


POOLS = textwrap.dedent("""
    import hashlib, multiprocessing, os, sys
    import numpy as np, torch
    from PIL import Image
    from colorizer import ColorizationPipeline
    PIPE = None
    def load(weights):  # the initializer: one pipeline per worker, torch on one thread
        global PIPE
        torch.set_num_threads(1)
        PIPE = ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                    render_size=64, chroma_scale=3.0)
    def photo(i):
        y, x = np.mgrid[0:120, 0:160]
        return Image.fromarray((np.sin(x / (5 + i)) * 80 + 128 + y % 9).astype(np.uint8))
    def work(i):
        return hashlib.sha256(PIPE(photo(i)).image.tobytes()).hexdigest()
    def work_with(job):  # the pipeline itself sent with each task (pickled)
        pipe, i = job
        return hashlib.sha256(pipe(photo(i)).image.tobytes()).hexdigest(), os.getpid(), id(pipe)
    if __name__ == "__main__":
        load(sys.argv[1])
        serial = [work(i) for i in range(6)]
        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(2, load, (sys.argv[1],)) as pool:
            pooled = pool.map_async(work, range(6)).get(timeout=240)
        print("initializer", "same" if pooled == serial else "differ")
        with spawn.Pool(2) as pool:
            sent = pool.map_async(work_with, [(PIPE, i) for i in range(6)], chunksize=1
                                  ).get(timeout=240)
        print("pickled", "same" if [s[0] for s in sent] == serial else "differ")
        per_worker = {pid: {ident for _, p, ident in sent if p == pid} for _, pid, _ in sent}
        print("pipelines per worker", max(len(v) for v in per_worker.values()))
""")


@pytest.mark.slow
def test_a_spawn_pool_gives_the_pixels_of_a_sequential_run(shared_tiny_weights, tmp_path):
    """A spawn Pool whose initializer loads the pipeline, and one given the pipeline with each
    task: each photo's pixels are the parent's. A worker unpickles the pipeline once and
    keeps it for its later tasks (loading it per task cost seconds a photo)."""
    script = tmp_path / "pools.py"
    script.write_text(POOLS)
    run = subprocess.run([sys.executable, str(script), str(shared_tiny_weights)],
                         check=False, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert run.stdout.splitlines() == ["initializer same", "pickled same",
                                       "pipelines per worker 1"]


def _photo(seed: int) -> Image.Image:
    y, x = np.mgrid[0:96, 0:128]
    return Image.fromarray((np.sin(x / (5 + seed)) * 80 + 128 + y % 9).astype(np.uint8))


def test_a_pickled_pipeline_is_a_working_copy_with_its_settings(shared_tiny_weights):
    """Pickled as how it was loaded (weights, switches, settings): the copy colorizes alike;
    pickled again, it is the copy already loaded in this process."""
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, render_size=64
                                                ).with_config(chroma_scale=3.0)
    data = pickle.dumps(pipe)
    assert len(data) < 10_000  # the recipe, not the models
    copy = pickle.loads(data)
    assert copy is not pipe
    assert copy.fingerprint == pipe.fingerprint
    assert (copy.render_size, copy.config.chroma_scale) == (64, 3.0)
    assert copy(_photo(1)).image.tobytes() == pipe(_photo(1)).image.tobytes()
    assert pickle.loads(data) is copy


def test_a_pipeline_built_from_components_refuses_pickling_with_what_to_do(
        shared_tiny_weights):
    """A pipeline that no recipe describes says to create it in each worker, not "Can't
    pickle local object 'default_components.<locals>.context_fn'"."""
    from colorizer.pipeline.pipeline_recipe import PipelinePickleError

    loaded = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                  context=False, render_size=64)
    built = ColorizationPipeline(loaded.generator, loaded.model_info,
                                 exemplar_fn=lambda context, image, hints: [])
    with pytest.raises(PipelinePickleError, match="built from its components") as raised:
        pickle.dumps(built)
    assert "initializer" in str(raised.value)
    assert isinstance(raised.value, TypeError)

    loaded.exemplar_fn = lambda context, image, hints: []  # a user's own retrieval
    with pytest.raises(PipelinePickleError, match="components were replaced"):
        pickle.dumps(loaded)


def test_a_pipeline_whose_weights_changed_on_disk_is_refused(tiny_weights, tiny_generator):
    """The receiving process loads the weights folder again: other weights there would give
    other colors, silently; it says which folder instead."""
    import torch

    pipe = ColorizationPipeline.from_pretrained(tiny_weights, device="cpu", context=False,
                                                exemplars=False)
    data = pickle.dumps(pipe)
    with torch.no_grad():
        next(tiny_generator.parameters()).add_(0.5)
    tiny_generator.save_pretrained(tiny_weights, metadata={"version": "test"})
    with pytest.raises(ChronochromeError, match=str(tiny_weights)):
        pickle.loads(data)


def test_a_process_keeps_at_most_two_unpickled_pipelines(tmp_path, tiny_generator):
    """Each unpickled recipe holds its models: three distinct ones keep the last two."""
    from colorizer.pipeline import pipeline_recipe

    folders = []
    for i in range(pipeline_recipe.KEPT_PIPELINES + 1):
        folder = tmp_path / f"model-{i}"
        tiny_generator.save_pretrained(folder, metadata={"version": f"test-{i}"})
        folders.append(folder)
    sent = [pickle.dumps(ColorizationPipeline.from_pretrained(
        folder, device="cpu", context=False, exemplars=False)) for folder in folders]
    copies = [pickle.loads(data) for data in sent]
    kept = list(pipeline_recipe._kept.values())
    assert len(kept) == pipeline_recipe.KEPT_PIPELINES
    assert kept == copies[1:]  # the least recently sent one let go


def test_the_edit_cache_keeps_the_last_two_photos(shared_tiny_weights):
    """A long run keeps what an edit reuses for two photos, never one per photo."""
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False,
                                                render_size=64)
    for seed in range(pipe.edits.size + 1):
        pipe(_photo(seed))
    assert len(pipe.edits._runs) == pipe.edits.size == 2
