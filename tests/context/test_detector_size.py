"""The text detector works on a copy no larger than rapidocr's own working size.

rapidocr shrinks any photo over 2000 px to 2000 px before its network; it was handed copies
of up to 4096 px (RGB and BGR, then its own resize), so a 6000-px photo's detection took
~630 MB. The copy is now made at 2000 px, and the boxes still land on the writing in the
photo's own pixels."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from context.detector import DETECTOR_MAX_SIDE, RapidTextDetector

pytest.importorskip("rapidocr_onnxruntime", reason="pip install rapidocr-onnxruntime")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TITLE_BOX = (600, 900, 3600, 1200)  # where the title is written, in the photo's pixels


def _poster(width: int, height: int) -> Image.Image:
    """A gray photo with one line of large dark writing on a light band."""
    image = Image.new("L", (width, height), 120)
    draw = ImageDraw.Draw(image)
    draw.rectangle(TITLE_BOX, fill=235)
    draw.text((700, 960), "KAZAN 1952", font=ImageFont.truetype(FONT, 180), fill=20)
    return image


def _recording(detector: RapidTextDetector) -> list[tuple[int, ...]]:
    """The shapes of the arrays `detector` hands its network's step (in one pass or in tiles:
    context/detector_tiles.py), as it hands them."""
    handed = []
    network = detector._quads
    detector._quads = lambda bgr: (handed.append(bgr.shape), network(bgr))[1]
    return handed


def test_a_huge_photo_is_detected_on_a_copy_of_rapidocrs_working_size():
    detector = RapidTextDetector()
    handed = _recording(detector)
    boxes = detector(_poster(6000, 4000))
    assert handed and max(handed[0][:2]) <= 2000, handed  # before: (2731, 4096, 3)
    assert DETECTOR_MAX_SIDE == 2000
    # The title's box, mapped back to the photo's pixels, lies on the written band.
    x0, y0, x1, y1 = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))[:4]
    assert TITLE_BOX[0] <= x0 <= 900 and TITLE_BOX[1] <= y0 <= 1000
    assert 1500 <= x1 <= TITLE_BOX[2] and 1100 <= y1 <= TITLE_BOX[3] + 5


def test_photos_up_to_the_working_size_are_handed_over_as_they_are():
    detector = RapidTextDetector()
    handed = _recording(detector)
    detector(_poster(4000, 3000).resize((1800, 1350), Image.LANCZOS))
    assert handed == [(1350, 1800, 3)]
