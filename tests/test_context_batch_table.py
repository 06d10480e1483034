"""The pieces of `chronochrome context`'s table: the flat CSV row of a real context, cells a
spreadsheet would run as formulas, and an archive's captions found by photo
(colorizer/apps/context_table.py, colorizer/apps/archive_captions.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path, PurePosixPath

import pytest

from colorizer.apps.archive_captions import ArchiveCaptions
from colorizer.apps.context_table import EVIDENCE_CHARS, CsvTable, flat_row, short_evidence
from colorizer.apps.source import Source
from colorizer.pipeline.captions import CatalogueCaption


@pytest.fixture(scope="module")
def encoder():
    from context.config import ContextConfig
    from context.encoder import ContextEncoder

    return ContextEncoder.from_default(ContextConfig(use_ocr=False, embed=False))


def test_flat_row_of_a_real_context(encoder):
    context = encoder(None, hint="Berlin 1945").to_dict()

    row = flat_row("scans/a.jpg", context, hint_given=True)

    assert (row["path"], row["era_start"], row["era_end"]) == ("scans/a.jpg", 1945, 1945)
    assert row["region"].startswith("Berlin") and 0 < row["region_confidence"] <= 1
    assert row["hint_understood"] == "yes" and row["error"] is None
    assert row["evidence"].startswith('era: year "1945" in hint; region: ')
    assert row["script"] is None and row["language"] is None


def test_a_hint_not_understood_says_no(encoder):
    context = encoder(None, hint="grandmother's album").to_dict()

    assert flat_row("a.jpg", context, hint_given=True)["hint_understood"] == "no"
    assert flat_row("a.jpg", context, hint_given=False)["hint_understood"] is None


def test_evidence_is_cut_short(encoder):
    context = encoder(None, hint="Berlin 1945").to_dict()
    context["era"]["evidence"][0]["what"] = "x" * 500

    text = short_evidence(context)

    assert len(text) == EVIDENCE_CHARS and text.endswith("...")


def test_csv_cells_are_never_formulas():
    stream = io.StringIO()
    table = CsvTable(stream, hint_given=False)

    table.write("-001.tif", None, "=HYPERLINK(\"http://x\")")

    stream.seek(0)
    row = next(csv.DictReader(stream))
    assert row["path"] == "'-001.tif" and row["error"] == "'=HYPERLINK(\"http://x\")"
    assert row["era_start"] == "" and row["hint_understood"] == ""


def _source(path: Path, folder: Path) -> Source:
    return Source(path, PurePosixPath(path.relative_to(folder).as_posix()))


def test_archive_captions_found_by_path_name_and_case(tmp_path):
    scans = tmp_path / "scans"
    sheet = tmp_path / "archive.csv"
    sheet.write_text("File Name;Title;Year;Notes\n"  # Excel's semicolons, another header
                     "scans\\1950\\a.jpg;Kazan;1955;x\n"  # Windows path from the CSV's folder
                     "B.JPG;Berlin street;;\n"
                     "deep.jpg;in a sub-folder;;\n"
                     "c.jpg;;1930;\n"  # a date alone: read beside the photo's own captions
                     "gone.jpg;Paris;;\n", encoding="cp1252")
    found = ArchiveCaptions(sheet)
    a, b, c = (scans / "1950" / "a.jpg", scans / "b.jpg", scans / "c.jpg")

    caption_a = found.caption_for(_source(a, scans))
    assert isinstance(caption_a, CatalogueCaption) and caption_a.replaces
    assert [(f.text, f.source) for f in caption_a.fields] == [("Kazan", "user"),
                                                              ("1955", "csv:year")]
    assert found.caption_for(_source(b, scans)) == "Berlin street"
    caption_c = found.caption_for(_source(c, scans))
    assert isinstance(caption_c, CatalogueCaption) and not caption_c.replaces
    deep = scans / "x" / "y" / "deep.jpg"
    assert found.caption_for(_source(deep, scans)) == "in a sub-folder"  # by its name alone
    assert found.caption_for(_source(scans / "other.jpg", scans)) is None
    assert "'notes'" in " ".join(found.notes)  # a column not read is named
    note = found.unused_note()
    assert note.startswith("archive.csv: 1 row named no photo given (row 6 'gone.jpg')")


@pytest.mark.slow
def test_the_models_are_built_once_for_a_whole_batch(tmp_path, monkeypatch):
    """Counts the real constructors' calls (they still run): one encoder and one scene
    classifier for three photos."""
    import argparse

    import numpy as np
    from PIL import Image

    from colorizer.apps.context_batch import PhotoContextReader
    from colorizer.model import scene
    from context.encoder import ContextEncoder

    built = {"classifier": 0, "encoder": 0}
    classifier_init = scene.ImageNetSceneClassifier.__init__
    from_default = ContextEncoder.from_default

    def counted_init(self, *args, **kwargs):
        built["classifier"] += 1
        classifier_init(self, *args, **kwargs)

    def counted_from_default(*args, **kwargs):
        built["encoder"] += 1
        return from_default(*args, **kwargs)

    monkeypatch.setattr(scene.ImageNetSceneClassifier, "__init__", counted_init)
    monkeypatch.setattr(ContextEncoder, "from_default", counted_from_default)
    args = argparse.Namespace(no_ocr=True, no_embedding=True, clip_checkpoint=None,
                              letter_shapes=False, max_pixels=None, caption=None,
                              no_filename_caption=False, hint=None)
    reader = PhotoContextReader(args)
    eras = []
    for name in ("Berlin_1945.png", "Kazan_1955.png", "Detroit_1915.png"):
        path = tmp_path / name
        Image.fromarray(np.full((48, 64), 128, np.uint8), "L").save(path)
        eras.append(reader.read(Source(path, PurePosixPath(name)), None)["era"]["start"])

    assert eras == [1945, 1955, 1915]
    assert built == {"classifier": 1, "encoder": 1}
