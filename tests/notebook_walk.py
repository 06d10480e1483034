"""A notebook's session with one pipeline, run as a script (tests/test_notebook_session.py):
display a result, stop calls part-way (Ctrl-C, the notebook's stop button), and check that the
pipeline still gives each photo the colors a fresh pipeline gives. Prints one JSON line.

    python tests/notebook_walk.py WEIGHTS_FOLDER [STRIDE]

A KeyboardInterrupt lands at the next Python bytecode; here it is raised at every STRIDE-th
function call of a call (a trace function), so every step of the pipeline gets one.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from PIL import Image

from colorizer import ColorHint, ColorizationPipeline, Point


def photo(seed: int) -> Image.Image:
    y, x = np.mgrid[0:48, 0:64]
    pixels = 128 + 90 * np.sin(x / (3 + seed)) * np.cos(y / (2 + seed))
    return Image.fromarray(pixels.astype(np.uint8), "L")


# A notebook's calls: a photo, the same photo with a point (the edit cache), another photo.
CALLS = [(photo(0), ()), (photo(0), (ColorHint(Point(20, 12), "#2255aa"),)), (photo(1), ())]


def load(weights: str) -> ColorizationPipeline:
    return ColorizationPipeline.from_pretrained(weights, device="cpu", context=False,
                                                exemplars=False, render_size=64,
                                                chroma_scale=3.0)


def colors(pipe: ColorizationPipeline) -> list[bytes]:
    return [pipe(image, color_hints=list(hints)).image.tobytes() for image, hints in CALLS]


def interrupted_at(pipe: ColorizationPipeline, call: int, at: int) -> bool:
    """Run CALLS[call] with a KeyboardInterrupt raised at its `at`-th function call; True when
    it was interrupted (False: the call has fewer than `at` function calls)."""
    count = 0

    def tracer(frame, event, arg):  # sys.settrace's; no local tracing (returns None)
        nonlocal count
        if event == "call":
            count += 1
            if count == at:
                raise KeyboardInterrupt  # the trace function is unset by the raise

    image, hints = CALLS[call]
    sys.settrace(tracer)  # this thread's: Ctrl-C lands in the main thread
    try:
        pipe(image, color_hints=list(hints))
        return False
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)


def main(weights: str, stride: int) -> dict:
    expected = colors(load(weights))
    pipe = load(weights)
    interrupts, wrong = 0, []
    for call in range(len(CALLS)):
        at = 1
        while interrupted_at(pipe, call, at):
            interrupts += 1
            if colors(pipe) != expected:
                wrong.append([call, at])
            at += stride
    result = pipe(*CALLS[1][:1], color_hints=list(CALLS[1][1]))
    bundle = result._repr_mimebundle_()
    return {"interrupts": interrupts, "wrong_after": wrong, "repr": repr(result),
            "context_repr": repr(result.context), "bundle": sorted(bundle)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40)))
