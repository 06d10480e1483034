"""The workbench's work, apart from HTTP: open photos, colorize them with the person's context
and color hints, and hand out the images the page shows.

One pipeline serves every photo, one call at a time (`run_lock`, which the check in
checks.py takes too): a 2-core machine gains nothing from two at once, and the pipeline's
edit cache then always holds the photo being edited, so a placed color hint reuses steps
2-6 and answers in a fraction of a full run.

The photo last opened or colorized stays decoded (`_decoded`): a color point placed on it
decoded its bytes again on every edit (0.1-0.3 s of a 12 MP JPEG, seconds of a 108 MP scan).
One photo's decode at most, held only where the open photos leave room for it under
--max-memory-mb (it never closes a photo), and let go before another photo is decoded.

After opening, colorizing or downloading a photo the heap's freed pages go back to the
system (`release_freed_memory`): a run on a 108 MP scan frees a GB or more of bands and
temporaries under glibc's mmap threshold (which grows to 32 MB as large blocks are freed),
and the server's worker threads' heaps kept them resident. After two color points on such a
scan the server held 1.77 GB where the idle server is 0.53 GB, the photo's output 0.42 GB and
the pipeline's edit cache 66 MB; now 1.16 GB (tests/web/test_web_edit_memory.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
from PIL import Image

from colorizer.apps.web.config import WebConfig
from colorizer.apps.web.download import download_format, full_file
from colorizer.apps.web.opening import Opened, OpenError, check_size
from colorizer.apps.web.photos import Photo, PhotoStore
from colorizer.apps.web.references import ReferencePhoto, reference_exemplars
from colorizer.apps.web.region_map import regions_png
from colorizer.apps.web.rendering import display_size, png, render, uncertainty_png
from colorizer.pipeline.color_hints import Hint
from colorizer.pipeline.guidance import UserExemplar
from colorizer.pipeline.hint_json import hints_from_json
from colorizer.pipeline.image_pixels import unit_pixels
from colorizer.pipeline.imageio import LoadedImage, load_image
from colorizer.pipeline.luminance import gray_image, lightness_of
from colorizer.pipeline.negative import as_positive
from context.heap import release_freed_memory

if TYPE_CHECKING:
    from colorizer.apps.outputs import Signer
    from colorizer.pipeline.colorization import ColorizationPipeline

MAX_TEXT = 500  # characters of a hint, an era or a region typed on the page


@dataclass(frozen=True)
class Guidance:
    """What the person gave one colorization, as the pipeline takes it."""

    said: str | None  # the hint, with the era and region typed joined to it
    caption: str | None  # the archive's caption (`colorize --caption`)
    color_hints: tuple[Hint, ...]
    exemplars: tuple[UserExemplar, ...]  # the reference photos (`colorize --exemplar`)


class Workbench:
    def __init__(self, pipeline: ColorizationPipeline, config: WebConfig,
                 signer: Signer | None = None) -> None:
        self.pipeline = pipeline
        self.config = config
        # `chronochrome web --c2pa-cert/--c2pa-key`: every download C2PA-signed, as colorize's
        # and serve's outputs are (its settings were tried before the port was taken).
        self.signer = signer
        self.photos = PhotoStore(config.max_photos, config.max_memory_bytes)
        self.run_lock = threading.Lock()
        # The pipeline's twins, made on the first photo that asks (a negative, an album page
        # split or not against the server's --no-split-page), each kept for its edit cache.
        self._twins: dict[tuple[tuple[str, bool], ...], ColorizationPipeline] = {}
        self._decoded: tuple[str, LoadedImage] | None = None  # (photo id, its decode)
        self._decoded_lock = threading.Lock()

    def pipeline_for(self, negative: bool, split_page: bool | None = None
                     ) -> ColorizationPipeline:
        """The pipeline, or its twin (the same components) that reads photos as scanned
        negatives and/or splits album pages otherwise than the server does (`split_page`
        None: as the server does, `chronochrome web --no-split-page` or the default)."""
        config = self.pipeline.config
        changes = {"negative": True} if negative and not config.negative else {}
        if split_page is not None and split_page != config.split_page:
            changes["split_page"] = split_page
        if not changes:
            return self.pipeline
        key = tuple(sorted(changes.items()))
        if key not in self._twins:
            self._twins[key] = self.pipeline.with_config(**changes)
        return self._twins[key]

    def open(self, opened: Opened) -> dict[str, Any]:
        data = check_size(opened.data, opened.name, self.config)
        self._let_go_decode()  # before this photo is decoded, not after
        loaded = self.load(data, opened.name)
        original = _display_original(loaded, self.config.display_side)
        width, height = loaded.size
        # Its download's pixels once colorized (download.FullSize): RGB as PIL holds it, 4
        # bytes a pixel, or 16-bit RGB for a high-bit-depth master, 6.
        per_pixel = 4 if loaded.pixels.dtype == np.uint8 else 6
        photo = self.photos.add(opened.name, data, (width, height), opened.hint,
                                opened.color_hints, opened.negative,
                                reserved=width * height * per_pixel)
        photo.original = original
        self._keep_decode(photo, loaded)  # for its colorization, if there is room
        del loaded, original
        release_freed_memory()  # the decode's temporaries (and its pixels, if not kept)
        return {**photo.view(), **opened.choices(), "closed": photo.closed_note}

    def colorize(self, photo_id: str, hint: str = "", era: str = "", region: str = "",
                 color_hints: Any = (), negative: bool = False, caption: str = "",
                 references: Sequence[ReferencePhoto] = (),
                 split_page: bool | None = None) -> dict[str, Any]:
        """Colorize with the context the person typed: the era and region join the hint
        (the context encoder ranks a hint above every inferred cue), and the color hints in
        their JSON form (colorizer.pipeline.color_hints); `negative`: the photo is a scanned
        negative (its tones inverted first, colorizer.pipeline.negative). `caption`: the
        archive's caption, as `colorize --caption` (it replaces the captions read from the
        file's metadata and name; the pipeline caps it at 2,000 characters); `references`:
        reference photos, as `colorize --exemplar` (references.py); `split_page`: an album
        page's prints colorized each on its own (True) or the photo whole (False), None: as
        the server does (album_page.py)."""
        photo = self.photos.get(photo_id)
        for name, text in (("hint", hint), ("era", era), ("region", region)):
            if len(text) > MAX_TEXT:
                raise OpenError("text_too_long", f"the {name} is {len(text)} characters; "
                                f"keep it under {MAX_TEXT}")
        hints = hints_from_json(list(color_hints or []))
        exemplars = reference_exemplars(references, self.config.max_pixels)
        said = " ".join(part.strip() for part in (region, era, hint) if part.strip()) or None
        guidance = Guidance(said, caption if caption.strip() else None, hints, tuple(exemplars))
        view = self._colorize(photo, guidance, negative, split_page)
        # The run's full-size temporaries and the last rendering's output are freed now;
        # kept resident, they were most of the server's memory after an edit.
        release_freed_memory()
        return view

    def _colorize(self, photo: Photo, guidance: Guidance, negative: bool,
                  split_page: bool | None) -> dict[str, Any]:
        """One colorization of `photo`, kept as its rendering; the page's view of it."""
        with photo.lock:
            loaded = self._decode(photo)
            with self.run_lock:
                result = self.pipeline_for(negative, split_page)(
                    loaded, hints=guidance.said, caption=guidance.caption,
                    exemplars=guidance.exemplars, color_hints=guidance.color_hints)
            # What the run did (a pipeline made for negatives reads every photo as one).
            as_negative = bool(result.settings.get("negative"))
            if as_negative and photo.positive is None:
                photo.positive = _display_positive(loaded, self.config.display_side)
            photo.rendering = render(result, self.config.display_side)
            photo.version += 1
            # Its real output counted now: older photos may close to make room.
            closed = self.photos.settle(photo)
            self._keep_decode(photo, loaded)  # for the next color point
            return {**photo.rendering.view, "photo": photo.view(), "version": photo.version,
                    "said": guidance.said or "", "caption": guidance.caption or "",
                    "negative": as_negative, "closed": closed,
                    # An album page split into its prints: how many (0: colorized whole).
                    "album_prints": len(result.settings.get("album_page") or ())}

    def image(self, photo_id: str, kind: str, index: int | None = None) -> bytes:
        """PNG of one picture of a photo: original, positive (a negative's positive gray),
        colorized, uncertainty, regions, region (one region's mask: `index` is its id) or
        exemplar (`index`: its thumbnail)."""
        photo = self.photos.get(photo_id)
        whole = index is None  # the kinds without an index; an indexed one must exist
        if kind == "original" and whole:
            return png(photo.original)
        if kind == "positive" and whole:
            if photo.positive is None:
                raise OpenError("not_a_negative", f"photo {photo_id} was not colorized as a "
                                "negative, so it has no positive; colorize it with "
                                '"negative": true first', 404)
            return png(photo.positive)
        done = photo.rendering
        if done is None:
            raise OpenError("not_colorized", f"photo {photo_id} is not colorized yet; "
                            "POST /api/photos/{id}/colorize first", 409)
        if kind == "colorized" and whole:
            return png(done.colorized)
        if kind == "uncertainty" and whole:
            return uncertainty_png(done.uncertainty)
        ids = {r.id for r in done.regions.regions} if done.regions is not None else set()
        if (kind == "regions" and whole and ids) or (kind == "region" and index in ids):
            return regions_png(done.regions, done.colorized.size, index)
        if kind == "exemplar" and index is not None and 0 <= index < len(done.thumbnails):
            return png(done.thumbnails[index])
        raise OpenError("no_such_image", f"photo {photo_id} has no {kind} "
                        + ("image" if whole else f"{index}"), 404)

    def download(self, photo_id: str, fmt: str = "png") -> tuple[str, BinaryIO]:
        """(the photo's name, the full-size file of its last colorization with provenance, as
        an open file): the file `chronochrome colorize --format FMT` writes for it (png, jpg,
        webp, tif or an alias such as jpeg: download.py)."""
        fmt = download_format(fmt)  # a wrong one is refused before any work
        photo = self.photos.get(photo_id)
        done = photo.rendering  # one colorization's, whole: a new run replaces it at once
        if done is None:
            raise OpenError("not_colorized", f"photo {photo_id} is not colorized yet; "
                            "POST /api/photos/{id}/colorize first", 409)
        handle = full_file(done.full, done.result, fmt, signer=self.signer, name=photo.name)
        release_freed_memory()  # the encoder's full-width bands, freed
        return photo.name, handle

    def load(self, data: bytes, name: str) -> LoadedImage:
        return load_image(data, max_pixels=self.config.max_pixels, name=name)

    def _decode(self, photo: Photo) -> LoadedImage:
        """`photo` decoded: the kept decode where it is this photo's (its bytes never change
        while it is open), else decoded now, once any other photo's is let go."""
        with self._decoded_lock:
            held = self._decoded
        if held is not None and held[0] == photo.id:
            return held[1]
        self._let_go_decode()
        return self.load(photo.data, photo.name)

    def _keep_decode(self, photo: Photo, loaded: LoadedImage) -> None:
        """Keep `photo`'s decode for its next run where the open photos leave room for it
        under the memory budget; else keep none (a cache never closes a photo)."""
        spare = self.photos.spare_bytes()
        with self._decoded_lock:
            fits = spare is None or loaded.pixels.nbytes <= spare
            self._decoded = (photo.id, loaded) if fits else None

    def _let_go_decode(self) -> None:
        with self._decoded_lock:
            self._decoded = None


def _display_original(loaded: LoadedImage, side: int) -> Image.Image:
    """The photo as given (color stays color), at display size."""
    pixels = loaded.pixels
    if pixels.dtype != np.uint8:  # high bit depth gray: uint16, or float in [0, 1]
        pixels = _as_uint8(pixels)
    image = Image.fromarray(pixels)
    return image.resize(display_size(loaded.size, side), Image.LANCZOS)


_BAND_ROWS = 512  # rows converted at a time: 25 MB of float32 temporaries on a 12000 px row


def _as_uint8(pixels: np.ndarray) -> np.ndarray:
    """16-bit gray's uint16 or floats in [0, 1] as 8 bits, rounded as
    `np.round(np.clip(unit_pixels(p), 0, 1) * 255)` rounds them, a band of rows at a time:
    done whole, that made three full-size float32 copies (1.3 GB on a 108 MP scan) to keep
    one uint8 array."""
    out = np.empty(pixels.shape, np.uint8)
    for top in range(0, pixels.shape[0], _BAND_ROWS):
        band = np.clip(unit_pixels(pixels[top:top + _BAND_ROWS]), 0, 1)
        band *= 255
        out[top:top + _BAND_ROWS] = np.round(band, out=band)
    return out


def _display_positive(loaded: LoadedImage, side: int) -> Image.Image:
    """The scanned negative `loaded` as the pipeline reads it, at display size: inverted (a
    color negative's film base divided out) and reduced to its L*, by the pipeline's own steps
    (`as_positive`, `lightness_of`), so it is the gray whose L* the colorization kept."""
    lightness = lightness_of(as_positive(loaded, negative=True))  # (1, 1, H, W), full size
    return gray_image(lightness).resize(display_size(loaded.size, side), Image.LANCZOS)
