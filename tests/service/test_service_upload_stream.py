"""POST /v1/jobs of huge scans: a raw image body streamed to disk, TIFF and JPEG 2000 uploads
checked without decoding them at full size.

An archive POSTing 108 MP scans (measured 2026-12-07, peak RSS of `chronochrome serve` during
the POST, 290 MB before it): a raw 16-bit PNG body 593 MB (its pieces joined whole beside
them), a deflate 16-bit TIFF 874 MB and a 16-bit JPEG 2000 1335 MB (decoded by Pillow only to
refuse a bad file; the worker decodes them anyway). Now the body goes to a temporary file as
it arrives and is read back once (`bodies.spooled_body`), a TIFF's strips are found in the
file and deflate ones inflated a piece at a time (`tiff_strips`), a JPEG 2000's tile-parts
walked and decoded at 1/16 (`jp2_codestream`). A cut file is still refused at the POST with
the same status and reason; damage only a decode finds (inside an LZW strip) fails the item
in the worker. Served by uvicorn over real HTTP, the worker run in the test's thread.
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from threaded_serve import served
from upload_helpers import failed_in_the_worker, post_upload, upload_app

from colorizer.errors import ImageLoadError
from colorizer.pipeline.imageio import load_image


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _scan16(width: int, height: int) -> Image.Image:
    """16-bit gray of many pixels in a small file (rows of one tone, with a 16-pixel pattern
    across), so what a decode holds shows in memory, not the file's bytes."""
    tones = np.linspace(0, 60000, height)[:, None] + (np.arange(width) % 16)[None, :] * 256
    return Image.fromarray(tones.astype(np.uint16))


def _noise(height: int, width: int, channels: int = 3) -> Image.Image:
    shape = (height, width, channels) if channels > 1 else (height, width)
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, shape, np.uint8))


def _megabytes(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {key} in /proc/self/status")


def _post_peak_mb(url: str, auth: dict, name: str, data: bytes, ctype: str
                  ) -> tuple[httpx.Response, float]:
    """(answer, MB the process's peak RSS rose above its RSS before) of one POST: the peak is
    reset first (/proc/self/clear_refs), after a warm-up request. Pillow's and OpenJPEG's
    pixel buffers are not Python's, so tracemalloc would not see a decode."""
    post_upload(url, auth, "warm-up.png", _encoded(_noise(48, 64), "PNG"), "image/png")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _megabytes("VmRSS")
    answer = post_upload(url, auth, name, data, ctype)
    return answer, _megabytes("VmHWM") - before


def test_a_raw_image_body_is_held_once_while_it_is_read(tmp_path, tiny_pipeline):
    """The body's pieces were joined whole beside them: twice the photo (a 157 MB PNG's POST
    rose 593 MB above 290, now 444). Spooled to disk as it comes, it is read back once."""
    photo = _encoded(_noise(2300, 2400, 1), "PNG", compress_level=1)  # 5.3 MB of noise
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        post_upload(url, auth, "", _encoded(_noise(48, 64), "PNG"), "image/png", raw=True)
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            answer = post_upload(url, auth, "", photo, "image/png", raw=True)
            peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    assert answer.status_code == 202, answer.text
    assert answer.json()["items"][0]["source"] == {"kind": "upload", "name": "upload"}
    assert app.state.service.store.upload(f"{answer.json()['id']}-0") == photo  # nothing lost
    photo_mb = len(photo) / 2**20
    assert peak_mb < 1.5 * photo_mb + 1, (peak_mb, photo_mb)


@pytest.mark.parametrize("fmt", ["TIFF", "JPEG2000"])
def test_a_big_tiff_or_jpeg2000_is_not_decoded_whole_at_the_post(tmp_path, tiny_pipeline, fmt):
    """A 24 MP 16-bit scan is 46 MB of pixels in Pillow (JPEG 2000: as much again in
    OpenJPEG's buffers); the POST held them only to throw them away."""
    scan = _scan16(6000, 4000)
    if fmt == "TIFF":
        name, ctype, data = "scan.tif", "image/tiff", _encoded(scan, "TIFF",
                                                              compression="tiff_adobe_deflate")
    else:
        name, ctype, data = "scan.jp2", "image/jp2", _encoded(scan, "JPEG2000")
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        answer, rise_mb = _post_peak_mb(url, auth, name, data, ctype)
    assert answer.status_code == 202, answer.text
    assert answer.json()["items"][0]["source"] == {"kind": "upload", "name": name}
    assert app.state.service.store.upload(f"{answer.json()['id']}-0") == data
    # Was 47 MB (TIFF) and 185 MB (JPEG 2000) for these 0.2 and 0.1 MB files; now 2 and 5.
    assert rise_mb < 2.5 * len(data) / 2**20 + 10, (rise_mb, len(data) / 2**20)


def _cut_uploads() -> list[tuple[str, bytes, str]]:
    """(name, bytes, content type) of TIFF and JPEG 2000 files cut short at several places."""
    rgb, gray = _noise(210, 333), _noise(210, 333, 1)
    whole = [("raw.tif", _encoded(gray, "TIFF"), "image/tiff"),
             ("deflate.tif", _encoded(rgb, "TIFF", compression="tiff_adobe_deflate"),
              "image/tiff"),
             ("jpeg.tif", _encoded(rgb, "TIFF", compression="jpeg"), "image/tiff"),
             ("scan.jp2", _encoded(rgb, "JPEG2000"), "image/jp2"),
             ("tiles.jp2", _encoded(rgb, "JPEG2000", tile_size=(64, 64), progression="RLCP"),
              "image/jp2")]
    return [(name, data[:int(len(data) * share)], ctype) for name, data, ctype in whole
            for share in (0.5, 0.97, 0.999)]


def test_a_cut_tiff_or_jpeg2000_is_still_refused_at_the_post(tmp_path, tiny_pipeline):
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        for name, data, ctype in _cut_uploads():
            answer = post_upload(url, auth, name, data, ctype)
            body = answer.json()
            assert answer.status_code == 422 and body["reason"] == "truncated", (name, body)
            assert body["detail"].startswith(f"{name}: ") and "re-download" in body["detail"]
    assert app.state.service.store.queue_depth() == 0


def test_damage_inside_an_lzw_tiff_fails_its_item_in_the_worker(tmp_path, tiny_pipeline):
    """Only a decode finds a broken LZW strip: the POST takes it, the worker fails the item
    with the loader's reason, as it does a URL item that does not decode."""
    data = bytearray(_encoded(_noise(200, 300), "TIFF", compression="tiff_lzw"))
    data[len(data) // 3:len(data) // 3 + 64] = b"\xff" * 64  # inside the pixel data
    with pytest.raises(ImageLoadError) as refused:
        load_image(bytes(data), name="scan.tif")
    error = failed_in_the_worker(tmp_path, tiny_pipeline, "scan.tif", bytes(data), "image/tiff")
    assert error["reason"] == refused.value.reason == "truncated", error
    assert error["status"] == 422 and "scan.tif" in error["detail"], error


def test_a_tiff_that_only_looks_cut_is_decoded_and_taken(tmp_path, tiny_pipeline):
    """A strip byte count overstated by its writer points past the end of the file, but
    Pillow reads the strip's pixels: where the check finds something, the decoder decides, so
    no file that decoded before is refused now."""
    data = bytearray(_encoded(_noise(30, 40, 1), "TIFF"))  # one uncompressed strip
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd:ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at:at + 2], "little") == 279:  # StripByteCounts, one LONG
            data[at + 8:at + 12] = (50_000).to_bytes(4, "little")
    assert load_image(bytes(data)).size == (40, 30)
    app, auth = upload_app(tmp_path, tiny_pipeline)
    with served(app) as url:
        answer = post_upload(url, auth, "overstated.tif", bytes(data), "image/tiff")
    assert answer.status_code == 202, answer.text
