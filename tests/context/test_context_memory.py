"""What is held while context inference reads a photo (OCR, scene cues).

On a 12000 x 9000 scan the context step's peak was the text detector's network stacked on
what the caller held meanwhile: colorize held the photo's whole float L* (1, 1, H, W), 432 MB,
which steps 2-3 do not read (they read the 8-bit gray), and `chronochrome context` held the
decoded photo (its pixels: 432 MB as 16-bit) until the command ended, for its captions. Now
the L* is let go during steps 2-3 and made again after (the same to the bit), and the
command reads the captions when it decodes the photo and lets the pixels go. Both are
checked here where the context step runs, with real components; the reading is unchanged.
"""

from __future__ import annotations

import gc
import json
import warnings

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont

from context.config import ContextConfig
from context.encoder import ContextEncoder

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _titled_photo(path, mode: str = "L") -> None:
    """A 640 x 480 gray photo (gradient) with a dark title on a light band, saved in `mode`."""
    image = Image.linear_gradient("L").resize((640, 480)).point(lambda v: 50 + v // 2)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 130), fill=235)
    draw.text((60, 55), "KAZAN 1950", font=ImageFont.truetype(FONT, 56), fill=20)
    if mode == "I;16":  # PIL's convert would keep 0-255: the 16-bit scale is 257 a level
        image = Image.fromarray(np.asarray(image).astype(np.uint16) * 257)
    image.convert(mode).save(path)


def _alive(kind: type) -> list:
    """The objects of `kind` alive now (those the garbage collector tracks)."""
    gc.collect()
    with warnings.catch_warnings():  # isinstance on torch.distributed's deprecated names
        warnings.simplefilter("ignore", FutureWarning)
        return [o for o in gc.get_objects() if isinstance(o, kind)]


def _full_size_floats(height: int, width: int) -> list[tuple[int, ...]]:
    """Shapes of the live float tensors of the photo's size (..., H, W)."""
    return [tuple(t.shape) for t in _alive(torch.Tensor)
            if t.is_floating_point() and tuple(t.shape[-2:]) == (height, width)]


def _loaded_photos() -> list[str]:
    """Names of the decoded photos (the loader's LoadedImage) alive now."""
    from colorizer.pipeline.imageio import LoadedImage

    return [o.name for o in _alive(LoadedImage)]


@pytest.mark.parametrize("mode", ["L", "RGB", "I;16"])
def test_colorize_holds_no_full_size_float_lightness_while_the_context_step_runs(
        tmp_path, shared_tiny_weights, mode):
    from colorizer import ColorizationPipeline
    from colorizer.pipeline.imageio import load_image
    from colorizer.pipeline.luminance import gray_image, lightness_of

    path = tmp_path / f"titled-{mode.replace(';', '')}.png"
    _titled_photo(path, mode)
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    during = []

    def context_fn(image, hints, captions):  # the real encoder, looked at as it is called
        during.append((_full_size_floats(480, 640), np.asarray(image).copy()))
        return encoder(image, hint=hints, captions=captions)

    base = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    pipe = ColorizationPipeline(base.generator, base.model_info, base.config, "cpu",
                                context_fn=context_fn)
    photo = pipe.prepare(str(path), hints="Kazan 1950s")
    floats, gray = during[0]
    assert floats == [], f"the whole L* was held during the context step: {floats}"
    # What the context step reads, and the L* the later steps read, are as before.
    expected = lightness_of(load_image(str(path)))
    assert np.array_equal(gray, np.asarray(gray_image(expected)))
    assert torch.equal(photo.lightness, expected)
    assert photo.context.region.name.startswith("Kazan") and photo.context.era.start == 1950
    result = pipe(str(path), hints="Kazan 1950s")
    assert result.image.size == (640, 480)


def test_context_command_lets_the_decoded_photo_go_before_inference(tmp_path, monkeypatch,
                                                                    capsys):
    from colorizer.apps.cli import main

    path = tmp_path / "Kazan_1950.png"
    _titled_photo(path, "I;16")
    seen = []
    call = ContextEncoder.__call__

    def looked_at(self, image, *args, **kwargs):  # the real encoder, looked at first
        # This photo's: an earlier test's photo may be alive still (a kept traceback).
        mine = [name for name in _loaded_photos() if name == str(path)]
        seen.append((mine, image.mode, image.size))
        return call(self, image, *args, **kwargs)

    monkeypatch.setattr(ContextEncoder, "__call__", looked_at)
    assert main(["context", str(path), "--no-embedding"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert seen == [([], "L", (640, 480))], seen  # before: the 16-bit photo's LoadedImage
    # Its captions were still read (the file name), and its writing (KAZAN read in Greek
    # look-alikes, as before).
    assert [c["source"] for c in out["captions"]] == ["filename"]
    assert out["era"]["start"] == 1950 and out["region"]["name"].startswith("Kazan")
    assert any("1950" in line["text"] for line in out["text"]), out["text"]
