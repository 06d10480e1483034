"""A Python user's own context encoder (built by hand: their text reader's detector, their
torch scene classifier) in a pipeline mapped over photos by worker processes forked from the
one that built it (a multiprocessing Pool with fork, Linux's default, and a
ProcessPoolExecutor given fork). The parent read first, so the reader's Tesseract threads had
started; fork copies none of them, and each worker's first photo waited forever on them (a
`Pool(2)` over three photos gave nothing in 120 s). Now each worker reads as the parent did:
the same text, the same context, colors within one 8-bit level (torch runs on one thread
there, fork_guard.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork is Linux's default")

SCRIPT = textwrap.dedent("""
    import json, multiprocessing, sys
    from concurrent.futures import ProcessPoolExecutor, TimeoutError as FuturesTimeout
    import numpy as np, torch
    from PIL import Image, ImageDraw, ImageFont
    from colorizer import ColorizationPipeline
    from context import ContextEncoder
    from context.config import ContextConfig
    from context.ocr import TextReader
    from context.script import load_scripts

    torch.set_num_threads(2)  # the user's scene model runs on torch's OpenMP pool here

    class TitleBox:  # the user's text detector: their photos' titles sit in one band
        name = "title band"
        def __call__(self, image):
            return [(10, 20, 390, 80, 0.99)]

    class DarkScenes(torch.nn.Module):  # the user's scene classifier, a small torch model
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.conv = torch.nn.Conv2d(1, 4, 5)
        def forward(self, image):
            x = torch.from_numpy(np.asarray(image.convert("L"), np.float32) / 255)[None, None]
            with torch.no_grad():
                score = float(torch.sigmoid(self.conv(x).mean()))
            return [(978, round(score, 4))]  # 978: seashore

    config = ContextConfig(embed=False)
    reader = TextReader(load_scripts(config.data_dir), detector=TitleBox(), threads=2)
    encoder = ContextEncoder(config, reader=reader, scene_classifier=DarkScenes())
    base = ColorizationPipeline.from_pretrained(sys.argv[1], device="cpu", context=False,
                                                exemplars=False, render_size=64)
    PIPE = ColorizationPipeline(
        base.generator, base.model_info, base.config, "cpu",
        context_fn=lambda image, hints, captions: encoder(image, hint=hints, captions=captions))

    def photo(i):
        image = Image.new("L", (400, 300), 70 + 20 * i)
        font = ImageFont.load_default(size=44)
        ImageDraw.Draw(image).text((20, 26), f"KAZAN 195{i}", fill=250, font=font)
        return image

    def work(i):
        result = PIPE(photo(i))
        context = result.context
        return (np.asarray(result.image), [line.text for line in context.text],
                [f"{cue.label} {cue.score}" for cue in context.scene], str(context.era))

    def compare(name, got, serial):
        for (pixels, *ctx), (want, *want_ctx) in zip(got, serial):
            if ctx != want_ctx or np.abs(pixels.astype(int) - want).max() > 1:
                return f"{name} differs: {ctx} != {want_ctx}"
        return f"{name} same"

    if __name__ == "__main__":
        serial = [work(i) for i in range(3)]  # the parent reads first: its threads start
        print(json.dumps({"read": serial[1][1], "era": serial[1][3]}), flush=True)
        fork = multiprocessing.get_context("fork")
        with fork.Pool(2) as pool:
            try:
                print(compare("pool", pool.map_async(work, range(3)).get(timeout=90),
                              serial), flush=True)
            except multiprocessing.TimeoutError:
                print("pool hung", flush=True)
                pool.terminate()
                sys.exit(1)
        executor = ProcessPoolExecutor(2, mp_context=fork)
        try:
            print(compare("executor", list(executor.map(work, range(3), timeout=90)),
                          serial), flush=True)
        except FuturesTimeout:
            print("executor hung", flush=True)
            for process in executor._processes.values():
                process.kill()
            sys.exit(1)
        executor.shutdown()
        print(compare("parent", [work(i) for i in range(3)], serial))  # still reads
""")


@pytest.mark.slow  # 35-70 s on the shared 2-core CPU (Tesseract in 3 processes, 12 photos)
def test_a_users_own_context_encoder_reads_in_forked_workers(shared_tiny_weights, tmp_path):
    pytest.importorskip("tesserocr", reason="the user's text reader runs Tesseract")
    script = tmp_path / "users_pool.py"
    script.write_text(SCRIPT)
    run = subprocess.run([sys.executable, str(script), str(shared_tiny_weights)],
                         check=False, capture_output=True, text=True, timeout=400)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    read = json.loads(lines[0])
    assert any("1951" in text for text in read["read"]), read  # the title was read
    assert "1951" in read["era"]
    assert lines[1:] == ["pool same", "executor same", "parent same"]
