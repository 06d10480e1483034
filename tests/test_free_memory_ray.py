"""A Ray worker hands a big photo's freed memory back to the system before its next photos.

As in the local batch (tests/test_free_memory.py), glibc kept what a photo freed in the
actor's heap. Measured 2026-12-07 (`--engine ray --no-context`, CPU, the released model):
over 12 photos of which two 8000x6000, one worker taking one photo per call, the actor sat
at 840-990 MB over the small photos after the big ones and ended at 799-809 MB; with the
freed heap handed back at the end of `ColorizeWorker.__call__`
(`context.heap.release_freed_memory`), 600-700 MB and 531-596 MB. Over 30 photos (three
8000x6000, two workers of four photos) the last actor ended at 646-959 MB before and
523-604 MB after; the actors' CPU time 37.7-38.5 s after against 41.3-43.0 s before (a
shared machine); the 42 outputs' pixels identical.

An actor's memory read from outside (the driver's "done" lines) is a race: Ray Data runs the
next photos before the driver reports the last, and a tiny model's photos are done before a
sampler sees them. The test runs `ColorizeWorker` itself in a fresh process, with the
batches Ray Data gives it (numpy columns of pickled plans and entries), and reads the
process's memory after each call returns.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("ray", reason="the Ray engine is an extra: pip install '.[ray]'")

REPO = Path(__file__).resolve().parent.parent

# One worker, as Ray Data builds it, fed one photo per call; the process's resident memory
# (MB) after each call, printed as JSON.
WORKER_SCRIPT = """
import json, sys
from pathlib import Path
import numpy as np
from colorizer.apps.batch import create_outdir, prepare_outdir
from colorizer.apps.ray_engine import ColorizeWorker, RayBatchColorizer, _row
from colorizer.apps.spec import PipelineSpec

weights, outdir, photos = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
spec = PipelineSpec(weights, "cpu", context=False, exemplars=False,
                    settings={"render_size": 64})
create_outdir(outdir)
manifest = prepare_outdir(outdir)
batch = RayBatchColorizer(spec, outdir)
items = batch.plan([Path(p) for p in photos], manifest)
rows = [_row(i, batch.work(item, manifest)) for i, item in enumerate(items)]
worker = ColorizeWorker(spec, "png", False, [], None, None, (), None, "cpu")

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

seen = []
for row in rows:
    out = worker({"index": np.asarray([row["index"]]),
                  "plan": np.asarray([row["plan"]], dtype=object),
                  "entry": np.asarray([row["entry"]], dtype=object)})
    del out
    seen.append(rss_mb())
print(json.dumps({"rss": seen, "names": [item.plan.image.name for item in items]}))
"""


def _noise_png(path: Path, width: int, height: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)).save(
        path, compress_level=1)
    return path


@pytest.mark.slow  # a worker in a subprocess and a 12 MP photo: 10-30 s
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_ray_worker_falls_back_to_its_small_photo_memory_after_a_big_photo(
        tmp_path, tiny_weights):
    # A small photo, a 12 MP one, two small ones, one per call: the 12 MP photo's full-size
    # steps (luminance, upsampled chroma, the encoded PNG) free over 100 MB. Before, the
    # worker kept them: 440 MB after the first photo, 565 after the big one, 511 after the
    # next; now 438, 448, 448.
    photos = tmp_path / "photos"
    photos.mkdir()
    paths = [_noise_png(photos / "a_small.png", 64, 48, seed=0),
             _noise_png(photos / "b_big.png", 4000, 3000, seed=1),
             _noise_png(photos / "c_small.png", 64, 48, seed=2),
             _noise_png(photos / "d_small.png", 64, 48, seed=3)]
    done = subprocess.run(
        [sys.executable, "-c", WORKER_SCRIPT, str(tiny_weights), str(tmp_path / "out"),
         *map(str, paths)], check=False, cwd=REPO, capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["names"] == ["a_small.png", "b_big.png", "c_small.png", "d_small.png"]
    first_small, after_big, after_small = result["rss"][:3]
    assert after_big - first_small < 60, result["rss"]
    assert after_small - first_small < 60, result["rss"]
