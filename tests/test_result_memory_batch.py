"""The batch lets a photo's input go once its result is made: the loaded pixels (108 MB of
uint8 on a 108 MP JPEG, 216 MB of uint16 on a 16-bit scan) were held while every output was
encoded, at the moment the CLI's memory peaked."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizationPipeline
from colorizer.apps.batch import BatchItem
from colorizer.apps.planner import find_sources, plan_outputs
from colorizer.apps.stages import PhotoStages, Work


class InputWatchingSigner:
    """A signer (outputs.Signer) that signs nothing: it notes, when the encoded image reaches
    it, whether the photo's input pixels are still alive."""

    def __init__(self) -> None:
        self.pixels: weakref.ref | None = None
        self.input_alive: list[bool] = []

    def sign(self, data: bytes, mime: str, record: dict[str, Any], title: str) -> bytes:
        self.input_alive.append(self.pixels is not None and self.pixels() is not None)
        return data

    def sign_file(self, source: Path, dest: BinaryIO, mime: str, record: dict[str, Any],
                  title: str) -> None:
        self.input_alive.append(self.pixels is not None and self.pixels() is not None)
        dest.write(source.read_bytes())


@pytest.mark.parametrize("bits", [8, 16])
def test_the_input_is_let_go_before_the_outputs_are_encoded(tmp_path, shared_tiny_weights,
                                                            bits):
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu", context=False,
                                                exemplars=False, render_size=64)
    ramp = np.linspace(0, 1, 300)[None, :] * np.ones((200, 1))
    photo = tmp_path / "scan.png"
    if bits == 16:
        Image.fromarray((ramp * 65535).astype(np.uint16)).save(photo)
    else:
        Image.fromarray((ramp * 255).astype(np.uint8)).save(photo)
    plan = plan_outputs(find_sources([photo]), tmp_path / "out", "png")[0]
    work = Work(item=BatchItem(source=photo, output=plan.image, plan=plan))
    signer = InputWatchingSigner()
    stages = PhotoStages(pipe, "png", True, [], None, None, signer=signer)

    stages.read(work)
    signer.pixels = weakref.ref(work.prepared.loaded.pixels)
    assert work.prepared.loaded.pixels.dtype == (np.uint16 if bits == 16 else np.uint8)
    stages.generate([work])
    stages.encode(work)

    assert work.item.status != "failed", work.item.message
    assert sorted(path.name for path, _ in work.files) == [
        "scan.json", "scan.png", "scan.uncertainty.png"]
    assert signer.input_alive == [False], "the input's pixels were held while encoding"
