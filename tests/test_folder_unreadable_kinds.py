"""`UnreadFiles`: the photos a folder walk leaves out because chronochrome cannot read them,
one line a kind (the CLI's side: tests/test_folder_unreadable.py); every other file unsaid."""

from __future__ import annotations

import io
import logging
import os

from PIL import Image

from colorizer.apps.unread_files import UnreadFiles

# A camera raw's first bytes: a TIFF header (the walk goes by the suffix, never reads them).
RAW_BYTES = b"II*\x00\x08\x00\x00\x00" + bytes(64)


def test_a_folder_of_sidecars_alone_keeps_its_message(tmp_path):
    (tmp_path / "a.xmp").write_text("<x:xmpmeta/>")
    assert UnreadFiles().nothing_read([str(tmp_path)]) == (
        f"no image files found in {tmp_path}; give image files (.jpg, .png, .tif, ...) or "
        "folders holding them")


def test_forty_raws_are_one_line_and_each_is_logged_for_verbose(tmp_path, caplog):
    unread = UnreadFiles()
    with caplog.at_level(logging.DEBUG, logger="chronochrome.unread_files"):
        for n in range(40):
            path = tmp_path / f"IMG_{n:04d}.DNG"
            path.write_bytes(RAW_BYTES)
            assert unread.add(path)
    assert unread.lines() == [
        (f"40 camera raw files (.dng) not colorized ({tmp_path / 'IMG_0000.DNG'}, "
        f"{tmp_path / 'IMG_0001.DNG'} and 38 more; -v names each): develop raw files into "
        "16-bit TIFFs first (darktable, RawTherapee, Lightroom or Camera Raw; or `dcraw -T -4 "
        "FILE`), then colorize the TIFFs")]
    assert len(caplog.records) == 40
    assert caplog.records[-1].getMessage() == (
        f"not colorized, a camera raw file: {tmp_path / 'IMG_0039.DNG'}")


def test_files_that_are_no_photo_are_not_counted(tmp_path):
    unread = UnreadFiles()
    text = tmp_path / "README"
    text.write_text("not an image")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # a FIFO without a suffix: reading it would block the walk
    link = tmp_path / "gone.dng"
    link.symlink_to(tmp_path / "nowhere.dng")
    webp = tmp_path / "export"
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "WEBP")
    webp.write_bytes(buffer.getvalue())
    assert [unread.add(p) for p in (text, fifo, link, tmp_path / "a.xmp", webp)] == [
        False, False, False, False, True]
    assert len(unread.lines()) == 1 and unread.lines()[0].startswith(
        "1 image file without a suffix not colorized")
