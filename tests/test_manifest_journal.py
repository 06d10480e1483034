"""The output manifest's journal: each change appended as a line, replayed after the base on
reading, a crash's torn last line ignored, the base rewritten once the journal outgrows it,
and a batch's bytes written linear in its photos (scripts/manifest_write_bytes.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from batch_helpers import noise_photo

from colorizer.apps.earlier_outputs import JOURNAL, MANIFEST, read_manifest
from colorizer.apps.manifest_journal import DamagedJournalError
from colorizer.apps.output_manifest import COMPACT_FLOOR_BYTES, Manifest
from colorizer.apps.planner import find_sources

REPO = Path(__file__).resolve().parent.parent


def _entry(name: str, state: str = "done", pad: int = 0) -> dict:
    return {"input": f"/scans/{name}", "input_sha256": "0" * 64, "settings": {"pad": "x" * pad},
            "state": state, "files": [name]}


def _line(change: dict) -> bytes:
    return json.dumps(change).encode() + b"\n"


def _folder(tmp_path: Path, base: dict, journal: bytes | None) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps(base))
    if journal is not None:
        (out / JOURNAL).write_bytes(journal)
    return out


def test_the_journal_is_replayed_in_order_after_the_base(tmp_path):
    out = _folder(tmp_path, {"a.png": _entry("a.png"), "b.png": _entry("b.png")},
                  _line({"set": "c.png", "entry": _entry("c.png", "pending")})
                  + _line({"remove": "b.png"})
                  + _line({"set": "c.png", "entry": _entry("c.png", "done")}))
    entries = read_manifest(out / MANIFEST)
    assert {key: e["state"] for key, e in entries.items()} == {"a.png": "done",
                                                              "c.png": "done"}
    assert Manifest(out).owned() == {"a.png", "c.png"}


def test_each_change_is_one_appended_line_and_the_base_is_left_alone(tmp_path):
    out = _folder(tmp_path, {"a.png": _entry("a.png")}, None)
    base = (out / MANIFEST).read_bytes()
    manifest = Manifest(out)
    manifest.set("b.png", _entry("b.png", "pending"))
    manifest.set("b.png", _entry("b.png"))
    manifest.remove("a.png")
    manifest.remove("never-there.png")  # nothing to record
    assert (out / MANIFEST).read_bytes() == base
    lines = (out / JOURNAL).read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"set": "b.png", "entry": _entry("b.png", "pending")},
        {"set": "b.png", "entry": _entry("b.png")}, {"remove": "a.png"}]
    assert read_manifest(out / MANIFEST) == {"b.png": _entry("b.png")}
    manifest.finish()  # a batch's end: the base whole, the journal gone
    assert json.loads((out / MANIFEST).read_text()) == {"b.png": _entry("b.png")}
    assert not (out / JOURNAL).exists()


def test_a_torn_last_line_is_ignored_and_not_joined_to_the_next(tmp_path):
    whole = _line({"set": "a.png", "entry": _entry("a.png")})
    torn = _line({"set": "b.png", "entry": _entry("b.png", "pending")})[:37]  # a crash
    out = _folder(tmp_path, {}, whole + torn)
    assert read_manifest(out / MANIFEST) == {"a.png": _entry("a.png")}  # no error
    manifest = Manifest(out)
    manifest.set("c.png", _entry("c.png"))
    assert read_manifest(out / MANIFEST) == {"a.png": _entry("a.png"), "c.png": _entry("c.png")}
    manifest.set("d.png", _entry("d.png"))  # appended after a line now whole
    assert set(read_manifest(out / MANIFEST)) == {"a.png", "c.png", "d.png"}


def test_a_last_line_missing_only_its_newline_still_counts(tmp_path):
    out = _folder(tmp_path, {}, _line({"set": "a.png", "entry": _entry("a.png")})[:-1])
    assert read_manifest(out / MANIFEST) == {"a.png": _entry("a.png")}


@pytest.mark.parametrize("damaged", [b"not json at all", b'{"set": "a.png"}', b"[1, 2]",
                                     b"\xff\xfe{}"])
def test_a_damaged_line_before_the_last_is_a_clear_error(tmp_path, damaged):
    out = _folder(tmp_path, {}, _line({"set": "a.png", "entry": _entry("a.png")}) + damaged
                  + b"\n" + _line({"set": "b.png", "entry": _entry("b.png")}))
    with pytest.raises(DamagedJournalError) as raised:
        read_manifest(out / MANIFEST)
    message = str(raised.value)
    assert message == (
        f"cannot read {out / JOURNAL}, where the batch records what it has done: line 2 is "
        "damaged; delete that line (or the file) and run the same command again (a photo it "
        "recorded is then refused as not chronochrome's: pass --overwrite to redo it)")
    assert "\n" not in message


def test_a_folder_with_only_the_old_whole_manifest_still_reads(tmp_path):
    out = _folder(tmp_path, {"a.png": {"state": "done"}}, None)  # before "files", no journal
    manifest = Manifest(out)
    assert manifest.owned() == {"a.png"}
    manifest.set("b.png", _entry("b.png"))
    assert set(read_manifest(out / MANIFEST)) == {"a.png", "b.png"}


def test_the_base_is_rewritten_once_the_journal_outgrows_it(tmp_path):
    pad = 2000  # entries of ~2.1 KB: the base passes the floor with 200 of them
    base = {f"old-{i}.png": _entry(f"old-{i}.png", pad=pad) for i in range(200)}
    out = _folder(tmp_path, base, None)
    manifest = Manifest(out)
    manifest.save()  # a run's start: the base as the manifest writes it
    base_bytes = (out / MANIFEST).stat().st_size
    assert base_bytes > COMPACT_FLOOR_BYTES
    n = 0
    while (out / JOURNAL).exists() or n == 0:
        journal_before = (out / JOURNAL).stat().st_size if n else 0
        manifest.set(f"new-{n}.png", _entry(f"new-{n}.png", pad=pad))
        n += 1
        assert n < 400, "never rewritten"
    line = len(_line({"set": "new-0.png", "entry": _entry("new-0.png", pad=pad)}))
    assert journal_before <= base_bytes < journal_before + line + 8  # the line past the base
    assert len(json.loads((out / MANIFEST).read_text())) == 200 + n  # every change in it


def test_a_small_folder_is_not_rewritten_below_the_floor(tmp_path):
    out = _folder(tmp_path, {}, None)
    manifest = Manifest(out)
    manifest.save()
    for i in range(100):  # ~100 photos' two lines: well under 256 KiB
        manifest.set(f"p{i}.png", _entry(f"p{i}.png", "pending"))
        manifest.set(f"p{i}.png", _entry(f"p{i}.png"))
    assert json.loads((out / MANIFEST).read_text()) == {}
    assert len(read_manifest(out / MANIFEST)) == 100


def test_the_planner_never_takes_the_outputs_in_a_journal_for_inputs(tmp_path):
    """Colorizing into a folder inside the inputs: a killed run's outputs are listed in the
    journal alone; the next walk over the inputs must still know them as ours."""
    src = tmp_path / "scans"
    noise_photo(src / "p0.png")
    out = src / "colorized"
    noise_photo(out / "p0.png", seed=1)  # what the killed run wrote
    out.joinpath(MANIFEST).write_text("{}")  # its start
    (out / JOURNAL).write_bytes(_line({"set": "p0.png", "entry": _entry("p0.png")}))
    assert [s.path for s in find_sources([src])] == [src / "p0.png"]
    (out / MANIFEST).unlink()  # a journal alone is ours too
    assert [s.path for s in find_sources([src])] == [src / "p0.png"]


def _figure(n: int) -> tuple[int, int]:
    run = subprocess.run([sys.executable, "scripts/manifest_write_bytes.py", str(n)], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=True)
    print(run.stdout.strip())
    found = re.fullmatch(rf"{n} photos: rewritten whole (\d+) bytes, journal (\d+) bytes "
                         r"\(\d+x less\)\n", run.stdout)
    assert found, run.stdout
    return int(found[1]), int(found[2])


@pytest.mark.slow
def test_a_batchs_manifest_bytes_grow_with_the_photos_not_their_square():
    before_100, now_100 = _figure(100)
    before_300, now_300 = _figure(300)
    assert before_300 > 7 * before_100  # 3x the photos: ~9x the bytes, rewritten whole
    assert now_300 < 4 * now_100  # ~3x with the journal
    assert now_300 * 30 < before_300
    line = len(json.dumps({"set": "k", "entry": {}})) + 530  # an entry's line, about
    # The lines appended, less again in rewrites past the floor, and the end's rewrite.
    assert now_300 < 3 * (300 * 2 * line)
