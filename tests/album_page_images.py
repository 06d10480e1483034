"""A small album page for the tests of its per-item switch (service, workbench)."""

from __future__ import annotations

import io

from PIL import Image
from skimage import data as skdata

PAPER = 22  # near-black album paper (8-bit gray)


def album_page_png() -> bytes:
    """Two turned prints with white borders on dark paper (album_page.find_prints finds
    both, at about (19, 20, 157, 128) and (179, 20, 315, 126))."""
    page = Image.new("L", (320, 150), PAPER)
    for index, (photo, angle) in enumerate(((skdata.astronaut(), -3.0),
                                            (skdata.coffee(), 2.0))):
        framed = Image.new("L", (130, 100), 245)
        framed.paste(Image.fromarray(photo).convert("L").resize((118, 88)), (6, 6))
        page.paste(framed.rotate(angle, Image.BICUBIC, expand=True, fillcolor=PAPER),
                   (20 + index * 160, 20))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()
