"""How a `ColorizationResult` shows itself in Jupyter: its picture, small, with a caption that
says which photo it is, what the context inferred, and the run's notes.

Jupyter shows one representation of an object: with only `_repr_png_` a result was its
picture without a word of which photo or what the run noted. Only a preview is encoded, never
the full image (a 50 MP scan's own PNG is tens of MB in a notebook), and it is made without a
copy of the image.

What a saved notebook keeps of a result (`mimebundle`), and what it drops: it keeps ONE
picture at `PREVIEW_SIDE`, a JPEG inside the HTML figure with its caption (what Jupyter, VS
Code and `nbconvert --to html` show), and a small JPEG as `image/jpeg` for what cannot show
HTML (`nbconvert --to latex`/`pdf` take the first image type of a bundle and drop HTML). It
drops the PNG: a lossless copy of a preview is not the result (`result.image`, saved as a
file, is), and it was 81% of a notebook's bytes. A notebook executed by nbclient, archive
photos of ~640 px: 588 KB a result before (50 results: a 29 MB .ipynb), 145 KB now; a
1024-px preview: 1.49 MB before, 262 KB now. LaTeX/PDF shows the picture, not the caption."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

from PIL import Image

from context.display import era_text

# A `colorizer.pipeline.result.ColorizationResult`, annotated `Any`: result.py imports this
# module, and an import back, even for annotations, is a cycle.
ColorizationResult = Any

PREVIEW_SIDE = 1024  # a notebook's picture of a result, long side in px
# The HTML view's picture: quality 85 is 10-18% fewer bytes than 90 on archive photos (a 640-px
# result: 96 KB against 107 KB as base64); a PNG of a photo is ~5x larger.
PREVIEW_JPEG_QUALITY = 85
# The converters' picture (`image/jpeg`: LaTeX/PDF, frontends without HTML): 512 px fills a
# PDF page's text width at ~85 dpi for 55 KB a photo, a third of the bytes of a second preview.
CONVERTER_SIDE = 512
CONVERTER_JPEG_QUALITY = 75


def preview(image: Image.Image, side: int = PREVIEW_SIDE) -> Image.Image:
    """`image` with its long side at most `side` px, the aspect kept: `Image.thumbnail`'s
    resampling on a new image, so a 50 MP result is not copied whole first (150 MB)."""
    width, height = image.size
    scale = side / max(width, height)
    if scale >= 1:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def encoded(image: Image.Image, fmt: str, quality: int = PREVIEW_JPEG_QUALITY) -> bytes:
    """`image` as `fmt` bytes; a JPEG at `quality` (the JPEG of a gray preview is RGB, as
    the result is)."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def mimebundle(result: ColorizationResult) -> dict[str, Any]:
    """What Jupyter stores of a result: the HTML figure (the preview and its caption) and a
    `CONVERTER_SIDE` JPEG for converters without HTML; no PNG (the module's docstring says
    why). One preview is made for both."""
    small = preview(result.image)
    fallback = encoded(preview(small, CONVERTER_SIDE), "JPEG", CONVERTER_JPEG_QUALITY)
    return {"text/html": result_html(result, small), "image/jpeg": fallback}


def short_name(name: str) -> str:
    """A path's last part (the caption names the photo, not the folders it is in)."""
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or name


def caption(result: ColorizationResult) -> str:
    """One line: the photo, its size, the era and place inferred, the exemplars that put
    color somewhere."""
    width, height = result.image.size
    parts = [short_name(result.input.name), f"{width}\u00d7{height}"]
    if result.context.era is not None:
        parts.append(era_text(result.context.era))
    if result.context.region is not None:
        parts.append(result.context.region.name)
    colored = sum(1 for rec in result.exemplars if rec.colored)
    if result.exemplars:
        parts.append(f"{len(result.exemplars)} exemplars ({colored} colored)")
    if result.image16 is not None:
        parts.append("16-bit master")
    return " \u00b7 ".join(parts)


def result_html(result: ColorizationResult, small: Image.Image | None = None) -> str:
    """A figure: the preview picture (`small`, else made here), the caption, and the notes
    the CLI prints for the photo as a list: the loader's it shows (NaN pixels set to black,
    alpha composited), then the run's. With the run's alone, an array whose NaN values came
    out black showed no word of it."""
    # Here, not at the top: the loader imports torch (tint_note.py), 4 s that importing
    # `ColorizationResult` (result.py) would pay without ever showing one.
    from colorizer.pipeline.imageio import shown_notes

    picture = preview(result.image) if small is None else small
    data = base64.b64encode(encoded(picture, "JPEG")).decode("ascii")
    shown = [*shown_notes(result.input.notes), *result.notes]  # as colorizer/apps/stages.py
    notes = "".join(f"<li>{escape(note)}</li>" for note in shown)
    notes_html = f"<ul style='margin:0.2em 0'>{notes}</ul>" if notes else ""
    return (f"<figure style='margin:0'><img src='data:image/jpeg;base64,{data}' "
            f"alt='{escape(short_name(result.input.name))}' style='max-width:100%'/>"
            f"<figcaption>{escape(caption(result))}{notes_html}</figcaption></figure>")
