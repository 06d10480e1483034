"""A photo's black frame: found only where it is, mirrored out of what the generator reads,
and left without chroma (colorizer.pipeline.frame)."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from colorizer.pipeline.decoding import DecodingConfig
from colorizer.pipeline.frame import Frame, clear_frame, fill_frame, find_frame


def _framed(height=60, width=80, top=0, bottom=0, left=0, right=0, seed=0, black=4.0
            ) -> torch.Tensor:
    """(1, 1, H, W) L*: a textured photo (L* 30-90) inside black bars (L* `black` +- 2)."""
    rng = np.random.default_rng(seed)
    plane = rng.uniform(30, 90, (height, width))
    plane[:top], plane[height - bottom:] = rng.uniform(black - 2, black + 2, (top, width)), black
    plane[:, :left] = rng.uniform(black - 2, black + 2, (height, left))
    plane[:, width - right:] = black
    return torch.from_numpy(plane).float()[None, None]


def test_a_black_frame_is_found_side_by_side_and_a_photo_without_one_has_none():
    assert find_frame(_framed(top=6, bottom=3, left=12, right=9)) == Frame(6, 3, 12, 9)
    assert find_frame(_framed()).empty
    # One dark line is not a frame (thinner than 2% of the side), nor is a dark region that
    # is not dark all along the edge.
    assert find_frame(_framed(left=1)).empty
    half_dark = _framed()
    half_dark[..., :30, :20] = 3.0
    assert find_frame(half_dark).empty


def test_a_frame_is_at_most_a_third_of_each_side():
    dark = torch.full((1, 1, 50, 100), 3.0)
    assert find_frame(dark) == Frame(17, 17, 35, 35)


def test_the_generator_reads_the_photo_mirrored_over_its_frame():
    framed = _framed(top=5, left=10, right=10)
    inner = framed[..., 5:, 10:70]
    filled = fill_frame(framed)
    assert filled.shape == framed.shape
    assert torch.equal(filled[..., 5:, 10:70], inner)  # the photo itself is untouched
    assert float(filled.min()) >= 30  # no black left
    # Mirrored across the edge: the column left of the photo repeats the one inside it.
    assert torch.equal(filled[..., 5:, 9], inner[..., :, 1])
    assert torch.equal(filled[..., 4, 10:70], inner[..., 1, :])
    assert torch.equal(fill_frame(_framed()), _framed())


def test_a_frame_wider_than_the_photo_inside_is_mirrored_in_steps():
    framed = _framed(height=20, width=100, left=35, right=35)  # 30 px of photo, 35 px bars
    filled = fill_frame(framed)
    assert filled.shape == framed.shape and float(filled.min()) >= 30


def test_the_frame_gets_no_chroma_and_the_photo_keeps_its_own():
    framed = _framed(top=6, left=12)
    ab = torch.full((1, 2, 60, 80), 20.0)
    cleared = clear_frame(ab, framed)
    assert float(cleared[..., :6, :].abs().max()) == 0
    assert float(cleared[..., :, :12].abs().max()) == 0
    assert torch.equal(cleared[..., 6:, 12:], ab[..., 6:, 12:])
    assert torch.equal(clear_frame(ab, framed, clear=False), ab)


def test_the_pipeline_with_frame_fill_keeps_the_frame_gray_and_the_photo_s_luminance(
        shared_tiny_weights, tmp_path):
    import shutil
    from dataclasses import replace

    from colorizer.pipeline.colorization import ColorizationPipeline

    plane = _framed(height=64, width=96, left=16, right=16, black=9.0)[0, 0].numpy()
    gray = Image.fromarray(np.clip(plane * 2.55, 0, 255).astype(np.uint8), "L")
    weights = shutil.copytree(shared_tiny_weights, tmp_path / "weights")
    replace(DecodingConfig.load(weights), frame_fill=True).save(weights)  # decoding.json
    options = {"device": "cpu", "context": False, "exemplars": False, "render_size": 64}
    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, **options)
    filled = ColorizationPipeline.from_pretrained(weights, **options)
    plain, framed = pipe(gray), filled(gray)
    def frame_spread(result) -> int:  # how far R, G, B part in the left bar
        rgb = np.asarray(result.image.convert("RGB"), dtype=np.int16)[:, :14]
        return int(np.abs(rgb - rgb[..., :1]).max())

    assert frame_spread(plain) > 2  # without the fill the model colors the bar
    assert frame_spread(framed) <= 1  # with it the bar stays gray
    # The L* the user gave is kept (the same gray image in, the same luminance out).
    lum = np.asarray(framed.image.convert("L"), dtype=np.int16)
    assert np.abs(lum - np.asarray(gray, dtype=np.int16)).max() <= 2
    # The report says so, and the fingerprint differs (a re-run does not skip it as done).
    settings = framed.to_dict()["settings"]
    assert settings["frame_fill"] is True and plain.to_dict()["settings"]["frame_fill"] is False
    assert settings["fingerprint"] != plain.to_dict()["settings"]["fingerprint"]


def test_the_flag_finder_and_the_matching_read_the_photo_with_its_frame(shared_tiny_weights):
    """Rule 57: the generator reads the frame filled, the heads fitted on framed photos
    read it as it is (encoded again only when a frame was found)."""
    from dataclasses import replace

    from colorizer.pipeline.colorization import ColorizationPipeline
    from colorizer.pipeline.exemplar_step import matching_view, unfilled_view
    from colorizer.pipeline.frame import generator_view

    pipe = ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)
    pipe.decoding = replace(pipe.decoding, frame_fill=True)
    parts = pipe._parts()
    for framed, expect_new in ((_framed(64, 96, left=16, right=16), True), (_framed(64, 96),
                                                                             False)):
        prepared = pipe.prepare(_image(framed))
        lightness, prediction = prepared.lightness, pipe.predict([prepared])[0]
        small = generator_view(lightness, 64, fill=True)
        assert torch.equal(prediction.small, small)
        photo, maps = unfilled_view(parts, lightness, prediction)
        assert (photo is prediction.small) is not expect_new
        if expect_new:  # the frame is back in what the finder reads, and in its maps
            assert float(photo[..., :, :9].max()) < 12 <= float(small[..., :, :9].min())
            assert not torch.equal(maps[8], prediction.features[8])
        # The matching runs at the photo's own 96 px here: the photo as it is, frame and all.
        assert torch.equal(matching_view(parts, lightness, prediction)[0], lightness)


def _image(lightness: torch.Tensor) -> Image.Image:
    from colorizer.model.colorspace import lab_to_rgb_keep_luminance

    rgb = lab_to_rgb_keep_luminance(lightness, torch.zeros(1, 2, *lightness.shape[-2:]))
    return Image.fromarray((rgb[0, 0].numpy() * 255 + 0.5).astype(np.uint8), "L")
