"""Storage that fails under an archive's batch, as a user meets it through the CLI: the output
folder removed or made unwritable mid-run, a full disk at start, inputs deleted or their disk
unmounted between the plan and their read. What was done stays done and said; a disk-wide
failure stops the batch at the photo that met it; a re-run resumes.

Failures are faked at the lowest write calls (`outputs.stage_file`, the manifest journal's
`append_line`) or by removing files between the plan and the read (`stages.load_image`); the
`real_mount` tests use a tmpfs (root only)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from batch_helpers import photo_folder, run_colorize, visible_files

from colorizer.apps import output_manifest, outputs, stages
from colorizer.apps.earlier_outputs import read_manifest
from colorizer.pipeline.colorization import ColorizationPipeline

MANIFEST = ".chronochrome-manifest.json"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


def _before_read(monkeypatch, at: int, action) -> None:
    """Run `action` just before the batch reads its `at`-th photo (1-based)."""
    original, reads = stages.load_image, []

    def load_image(*args, **kwargs):
        reads.append(1)
        if len(reads) == at:
            action()
        return original(*args, **kwargs)

    monkeypatch.setattr(stages, "load_image", load_image)


def _count_computed(monkeypatch) -> list[int]:
    computed, original = [], ColorizationPipeline.prepare

    def prepare(self, *args, **kwargs):
        computed.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ColorizationPipeline, "prepare", prepare)
    return computed


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_an_output_folder_removed_mid_batch_stops_it_in_one_line(tiny_weights, tmp_path,
                                                                 monkeypatch, capsys):
    src, out = photo_folder(tmp_path / "in", 5), tmp_path / "out"
    computed = _count_computed(monkeypatch)
    _before_read(monkeypatch, 3, lambda: shutil.rmtree(out))
    assert run_colorize(tiny_weights, src, "-o", out) == 1
    captured = capsys.readouterr()
    assert _errors(captured.err) == [
        (f"error: cannot write {out / MANIFEST}, where the batch records what it has done (No "
         f"such file or directory); the batch stopped here: the output folder {out} is gone "
         "(removed, or its disk unmounted, while the batch ran): mount it again (or choose "
         "another -o folder), and run the same command again: what is done is skipped")]
    assert "stopped: 2 not colorized yet" in captured.err
    assert "2 colorized, 0 skipped (already done), 1 failed" in captured.out
    assert len(computed) == 3 and not out.exists()  # not made again, the rest not computed


def test_an_output_folder_made_unwritable_mid_batch_stops_it(tiny_weights, tmp_path,
                                                             monkeypatch, capsys):
    """Permission denied on the manifest (chmod 555 on the folder, for a user who is not
    root): no photo written after could be recorded, so the batch stops."""
    src, out = photo_folder(tmp_path / "in", 4), tmp_path / "out"
    computed, original, locked = _count_computed(monkeypatch), outputs.stage_file, []
    _before_read(monkeypatch, 2, lambda: locked.append(1))

    def stage_file(path, data, mode=None):
        if locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES),
                                  str(path.parent / f".{path.name}.x.tmp"))
        return original(path, data, mode)

    def append_line(path, line):  # the manifest's journal: the batch's first write per photo
        if locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        original_append(path, line)

    original_append = output_manifest.append_line
    monkeypatch.setattr(outputs, "stage_file", stage_file)
    monkeypatch.setattr(output_manifest, "append_line", append_line)
    assert run_colorize(tiny_weights, src, "-o", out) == 1
    captured = capsys.readouterr()
    assert _errors(captured.err) == [
        (f"error: cannot write {out / MANIFEST}, where the batch records what it has done "
         f"(Permission denied); the batch stopped here: make {out} writable for this user (or "
         "choose another -o folder), and run the same command again: what is done is skipped")]
    assert "stopped: 2 not colorized yet" in captured.err and len(computed) == 2
    assert visible_files(out) == {"p0.png"}
    assert read_manifest(out / MANIFEST)["p0.png"]["state"] == "done"  # with its journal
    assert not list(out.glob(".*.tmp"))


def test_a_full_disk_at_start_says_to_make_room(tiny_weights, tmp_path, monkeypatch, capsys):
    src, out = photo_folder(tmp_path / "in", 1), tmp_path / "out"

    def stage_file(path, data, mode=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "stage_file", stage_file)
    assert run_colorize(tiny_weights, src, "-o", out) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: cannot write into {out} (No space left on device); the disk is full: make "
        "room on it, or choose a folder you can write to with -o")


def test_an_input_deleted_after_the_plan_is_named_as_gone(tiny_weights, tmp_path,
                                                          monkeypatch, capsys):
    src, out = photo_folder(tmp_path / "in", 3), tmp_path / "out"
    _before_read(monkeypatch, 2, lambda: (src / "p1.png").unlink())
    assert run_colorize(tiny_weights, src, "-o", out) == 1
    captured = capsys.readouterr()
    assert _errors(captured.err) == [
        (f"error: {src / 'p1.png'}: was there when the batch started and is gone now (moved or "
         "deleted meanwhile). put it back and run the same command again: what is done is "
         "skipped")]
    assert visible_files(out) == {"p0.png", "p2.png"}  # one bad file never ends the batch
    (src / "p1.png").write_bytes((src / "p0.png").read_bytes())
    assert run_colorize(tiny_weights, src, "-o", out) == 0
    assert "1 colorized, 2 skipped" in capsys.readouterr().out


def test_an_input_folder_emptied_mid_batch_names_the_folder(tiny_weights, tmp_path,
                                                            monkeypatch, capsys):
    """What an unmounted disk leaves: its mount point, empty."""
    src, out = photo_folder(tmp_path / "in", 3), tmp_path / "out"
    _before_read(monkeypatch, 2, lambda: [p.unlink() for p in src.iterdir()])
    assert run_colorize(tiny_weights, src, "-o", out) == 1
    errors = _errors(capsys.readouterr().err)
    assert len(errors) == 2 and errors[0] == (
        f"error: {src / 'p1.png'}: its folder {src} is gone or empty since the batch started "
        "(its disk unmounted, or the folder removed or moved: No such file or directory). "
        "mount it again (or put it back) and run the same command again: what is done is "
        "skipped")


def _mount(folder: Path, size: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True)


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_an_input_disk_unmounted_mid_batch(tiny_weights, tmp_path, monkeypatch,
                                                      capsys):
    disk, out = tmp_path / "disk", tmp_path / "out"
    _mount(disk, "2M")
    try:
        for i, photo in enumerate(sorted(photo_folder(tmp_path / "in", 3).iterdir())):
            shutil.copy(photo, disk / f"p{i}.png")
        _before_read(monkeypatch, 2, lambda: subprocess.run(["umount", str(disk)], check=True))
        assert run_colorize(tiny_weights, disk, "-o", out) == 1
    finally:
        subprocess.run(["umount", str(disk)], check=False, capture_output=True)
    errors = _errors(capsys.readouterr().err)
    assert len(errors) == 2 and all(f"its folder {disk} is gone or empty" in e for e in errors)
    assert visible_files(out) == {"p0.png"}


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_real_mount_a_disk_that_fills_mid_batch_stops_it_and_a_rerun_resumes(
        tiny_weights, tmp_path, capsys):
    src, out = photo_folder(tmp_path / "in", 6), tmp_path / "out"
    _mount(out, "1M")
    try:
        # Room for the manifest and a few photos' files (about 30 KB each) beside the filler.
        subprocess.run(["dd", "if=/dev/zero", f"of={out / 'filler'}", "bs=1k", "count=920"],
                       check=True, capture_output=True)
        assert run_colorize(tiny_weights, src, "-o", out, "--report") == 1
        captured = capsys.readouterr()
        errors = _errors(captured.err)
        assert len(errors) == 1 and "(No space left on device); the batch stopped here: the " \
            "disk is full: make room on it" in errors[0]
        done = read_manifest(out / MANIFEST)  # whole, never half written (base and journal)
        finished = {key for key, entry in done.items() if entry["state"] == "done"}
        assert 0 < len(finished) < 6, finished
        assert not list(out.glob(".*.tmp"))
        for key in finished:  # each finished photo's files are there, whole
            assert all((out / name).stat().st_size > 0 for name in done[key]["files"])
        (out / "filler").unlink()
        assert run_colorize(tiny_weights, src, "-o", out, "--report") == 0
        assert f"{6 - len(finished)} colorized, {len(finished)} skipped" in \
            capsys.readouterr().out
    finally:
        subprocess.run(["umount", "-l", str(out)], check=True)


def test_a_dropped_network_mount_is_named_and_a_bad_sector_is_not(tmp_path):
    from colorizer.apps.vanished_inputs import vanished
    from colorizer.errors import ImageLoadError

    photo = photo_folder(tmp_path / "share", 2) / "p0.png"

    def read_failing_with(code: int) -> ImageLoadError:
        error = ImageLoadError(str(photo), f"could not be read ({os.strerror(code)})")
        error.__cause__ = OSError(code, os.strerror(code))
        return error

    stale = vanished(photo, read_failing_with(errno.ESTALE))
    assert stale is not None and f"its folder {photo.parent} is gone or empty" in str(stale)
    # EIO beside the other photos, still listed: the file's own fault, the loader's words.
    assert vanished(photo, read_failing_with(errno.EIO)) is None
