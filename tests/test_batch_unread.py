"""`BatchColorizer.run([folder])`, the Python batch, names the raws and PDFs a folder holds.

`chronochrome colorize FOLDER` names the photos a folder holds that it cannot read (camera
raws, PDFs, images without a suffix: `colorizer.apps.unread_files`); the Python batch walked
the same folder and its summary said nothing of them ("1 done", and the DNG and PDF gone
unmentioned). Now `BatchSummary.unread` holds the same lines, and `notes()` ends with them
(the CLI prints `notes()`, each line once: tests/test_folder_unreadable.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.batch import BatchColorizer
from colorizer.pipeline.colorization import ColorizationPipeline

RAW_BYTES = b"II*\x00\x08\x00\x00\x00" + bytes(64)  # a DNG's first bytes: a TIFF header


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


def _scans(folder: Path, photo: bool = True) -> Path:
    folder.mkdir()
    if photo:
        pixels = (np.random.default_rng(0).random((40, 56)) * 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / "a.png")
    (folder / "IMG_0001.dng").write_bytes(RAW_BYTES)
    (folder / "box3.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (folder / "a.xmp").write_text("<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")  # a sidecar: unsaid
    return folder


def test_a_folders_raw_and_pdf_are_in_the_python_batchs_summary(pipe, tmp_path):
    scans = _scans(tmp_path / "scans")
    summary = BatchColorizer(pipe, tmp_path / "out").run([scans])
    assert [(Path(item.source).name, item.status) for item in summary.items] == [
        ("a.png", "done")]  # the same photo colorized as before
    raw, pdf = summary.unread  # was: no such field, and not a word of either file
    assert raw == (f"1 camera raw file (.dng) not colorized ({scans / 'IMG_0001.dng'}): "
                   "develop raw files into 16-bit TIFFs first (darktable, RawTherapee, "
                   "Lightroom or Camera Raw; or `dcraw -T -4 FILE`), then colorize the TIFFs")
    assert pdf.startswith(f"1 PDF (.pdf) not colorized ({scans / 'box3.pdf'}): a PDF is not")
    assert summary.notes()[-2:] == [raw, pdf]  # as the CLI prints them, after the photos'


def test_a_folder_of_raws_alone_is_an_empty_batch_that_says_why(pipe, tmp_path):
    scans = _scans(tmp_path / "scans", photo=False)
    summary = BatchColorizer(pipe, tmp_path / "out").run([scans])
    assert summary.items == [] and len(summary.unread) == 2  # was: nothing at all
    assert [line.split(" not colorized")[0] for line in summary.notes()] == [
        "1 camera raw file (.dng)", "1 PDF (.pdf)"]


def test_files_named_one_by_one_leave_nothing_unread(pipe, tmp_path):
    scans = _scans(tmp_path / "scans")
    summary = BatchColorizer(pipe, tmp_path / "out").run([scans / "a.png"])
    assert summary.count("done") == 1 and summary.unread == () and summary.notes() == []
