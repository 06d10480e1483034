"""The report's pictures, made from the pixels the check read, at the size the page shows.

The page shows each image at most `DISPLAY_SIDE` px on its long side (report_html.data_uri).
It was given full-size PIL images: files opened again with Pillow, without the loader's EXIF
turn or ICC conversion (a turned photo's finding boxes, placed on the check's upright image,
were drawn on the unturned one; a profiled photo was shown in the wrong colors), and the
findings' copy and the likelihood map made at full size too (4 bytes a pixel: 432 MB each of
a 108 MP scan) for a picture 900 px wide.

Here an image (the loader's `LoadedImage`, or a PIL image: the pipeline's result, the web's
and the service's) is reduced once, by the whole factors PIL's `thumbnail` would reduce it by
before its Lanczos filter, band by band from the loader's pixels (thumbnails.reduced: no
full-size copy). The findings are drawn on that copy; the shown picture is its Lanczos resize,
the pixels PIL's `thumbnail` of the whole image gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from colorizer.check import thumbnails
from colorizer.pipeline.loaded_image import LoadedImage

DISPLAY_SIDE = 900  # px on the long side: the page shows no more (report_html.data_uri)
REDUCING_GAP = 2.0  # PIL thumbnail's: whole-factor reduction leaves >= 2x to the filter


@dataclass(frozen=True, eq=False)
class ShownImage:
    """One image as the report shows it: reduced by whole factors toward the display size,
    with the full size its coordinates (the findings' boxes) are in."""

    reduced: Image.Image  # RGB, the full image box-averaged by `factor`
    size: tuple[int, int]  # (w, h) of the full image
    factor: tuple[int, int]  # (fx, fy) whole factors; (1, 1): not reduced

    @classmethod
    def of(cls, image: Image.Image | LoadedImage | ShownImage) -> ShownImage:
        """The shown copy of `image` (a LoadedImage: its pixels, as the check read them)."""
        if isinstance(image, ShownImage):
            return image
        if isinstance(image, LoadedImage):
            height, width = image.pixels.shape[:2]
            factor = _factor((width, height))
            return cls(thumbnails.reduced(image.pixels, factor), (width, height), factor)
        factor = _factor(image.size)
        if image.mode == "L":  # gray averaged before its channels are repeated: a third the work
            return cls(image.reduce(factor).convert("RGB"), image.size, factor)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        return cls(rgb.reduce(factor) if factor != (1, 1) else rgb.copy(), image.size, factor)

    @property
    def display_size(self) -> tuple[int, int]:
        """(w, h) of the picture on the page: `Image.thumbnail((DISPLAY_SIDE,) * 2)`'s."""
        return thumbnails.thumbnail_size(*self.size, DISPLAY_SIDE) or self.size

    def display(self, picture: Image.Image | None = None) -> Image.Image:
        """`picture` (default: the reduced image; else one drawn on it, its size) at the
        display size, as `Image.thumbnail` resizes the whole image (Lanczos, gap 2)."""
        picture = self.reduced if picture is None else picture
        size = self.display_size
        if size == self.size:
            return picture
        (width, height), (fx, fy) = self.size, self.factor
        return picture.resize(size, Image.LANCZOS, box=(0, 0, width / fx, height / fy))

    def to_reduced(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """A box (x0, y0, x1, y1) in full-size pixels, in the reduced image's."""
        fx, fy = self.factor
        return (round(box[0] / fx), round(box[1] / fy), round(box[2] / fx), round(box[3] / fy))


def _factor(size: tuple[int, int]) -> tuple[int, int]:
    """The whole factors PIL's resize to the display size reduces by first (reducing_gap)."""
    shown = thumbnails.thumbnail_size(*size, DISPLAY_SIDE)
    if shown is None:
        return (1, 1)
    return (int(size[0] / shown[0] / REDUCING_GAP) or 1,
            int(size[1] / shown[1] / REDUCING_GAP) or 1)
