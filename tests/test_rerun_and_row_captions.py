"""Two things a re-run and a CSV row must not lose: a 16-bit master colorized at 8 bits by an
earlier version is colorized again (its entry did not record 16 bits), while an 8-bit photo
stays "already colorized"; and a run's `--caption` is read beside a CSV row's date and place
columns (the row's columns replaced it, unread)."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from colorizer.apps.cli import main
from colorizer.apps.earlier_outputs import MANIFEST
from tests.test_catalogue_metadata_collections import (
    _colorize,
    _photo,
    bare_context_fn,  # noqa: F401  (fixture)
)

SKY = np.round(np.linspace(0.15, 0.55, 300)[None, :].repeat(16, 0) * 65535).astype(np.uint16)


def _cli(weights, *args) -> int:
    return main(["colorize", "--weights", str(weights), "--device", "cpu", "--render-size", "64",
                 "--no-context", "--no-exemplars", *map(str, args)])


def test_a_master_written_at_8_bits_by_an_earlier_run_is_done_again(tiny_weights, tmp_path,
                                                                   capsys):
    photos, out = tmp_path / "in", tmp_path / "out"
    photos.mkdir()
    Image.fromarray(SKY).save(photos / "master.tif")
    Image.fromarray((SKY >> 8).astype(np.uint8)).save(photos / "print.png")
    assert _cli(tiny_weights, photos, "-o", out, "--format", "png") == 0
    manifest = json.loads((out / MANIFEST).read_text())
    settings = {name: entry["settings"] for name, entry in manifest.items()}
    assert settings["master.png"]["bits"] == 16 and "bits" not in settings["print.png"]
    # As the version before 16-bit outputs recorded it: no "bits", an 8-bit file.
    del manifest["master.png"]["settings"]["bits"]
    (out / MANIFEST).write_text(json.dumps(manifest))
    Image.open(out / "master.png").convert("RGB").save(out / "master.png")
    capsys.readouterr()
    assert _cli(tiny_weights, photos, "-o", out, "--format", "png") == 0
    printed = capsys.readouterr().out
    assert "1 colorized" in printed and "1 skipped" in printed, printed
    assert _png_bit_depth(out / "master.png") == 16


def _png_bit_depth(path) -> int:
    return path.read_bytes()[24]  # IHDR: signature 8, length 4, type 4, width 4, height 4


def test_the_runs_caption_is_read_beside_a_rows_date_and_place(tiny_weights, bare_context_fn,  # noqa: F811
                                                               tmp_path, monkeypatch, capsys):
    _photo(tmp_path / "list" / "street.png")
    (tmp_path / "list" / "photos.csv").write_text("path,date,place\nstreet.png,1950,Kazan\n")
    out = tmp_path / "out"
    reports, _ = _colorize([str(tmp_path / "list" / "photos.csv"), "--caption", "Tram depot"],
                           out, tiny_weights, bare_context_fn, monkeypatch, capsys)
    captions = [(c["source"], c["text"]) for c in reports["street"]["captions"]]
    # Before: [csv:date, csv:place, filename]: the run's caption was dropped for this row.
    assert captions == [("user", "Tram depot"), ("csv:date", "1950"), ("csv:place", "Kazan")]
