"""What a command imports for its photos (tests/test_fast_start.py covers --help and argument
errors): `chronochrome context` reads a photo as the pipeline does without the colorization
pipeline itself (its edits, color hints and scipy.ndimage: ~0.5 s of its start on the 2-core
CPU), and the color hint and cloth modules leave scipy.ndimage (0.2-0.5 s) to the photos that
use it. Timing itself is measured by `python -m eval.bench_start`."""

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent

# `chronochrome context PHOTO` with the context encoder left out: the command's own reading
# of the photo and its captions runs, then which modules are loaded is printed.
CONTEXT_PROBE = """
import json, sys
import context.cli
from colorizer.apps.cli import main

def read_only(args, open_image, make_scene_classifier, read_captions):
    image = open_image(args.image)
    captions, _ = read_captions(args.image, True)
    print("PROBE" + json.dumps({"size": list(image.size), "mode": image.mode,
                                "captions": [c.text for c in captions],
                                "colorization": "colorizer.pipeline.colorization" in sys.modules,
                                "scipy.ndimage": "scipy.ndimage" in sys.modules}))
    return 0

context.cli.run_context_command = read_only
sys.exit(main(["context", sys.argv[1]]))
"""


def test_context_reads_the_photo_without_the_colorization_pipeline(tmp_path):
    photo = tmp_path / "Kazan_1950.png"
    Image.new("RGB", (48, 32), (120, 90, 60)).save(photo)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", CONTEXT_PROBE, str(photo)], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("PROBE")][-1]
    assert json.loads(line[len("PROBE"):]) == {
        "size": [48, 32], "mode": "L", "captions": ["Kazan_1950.png"],
        "colorization": False, "scipy.ndimage": False}



def test_color_hint_and_cloth_modules_import_scipy_ndimage_when_used():
    """The modules are imported by every colorize; scipy.ndimage only serves photos with
    color hints (hint_spread) or exemplars (cloth_identity)."""
    probe = ("import sys, colorizer.pipeline.hint_spread, colorizer.pipeline.cloth_identity; "
             "print('scipy.ndimage' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120, check=False)
    assert done.stdout.strip() == "False", done.stdout + done.stderr
