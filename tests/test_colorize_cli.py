"""The command line as a user runs it: files, folders, bad files, re-runs, reports."""

import json

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import build_parser, main


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a.png", "b.jpg"):
        Image.fromarray((rng.random((40, 56)) * 255).astype(np.uint8)).save(folder / name)
    return folder


def _run(tiny_weights, *args, context=False):
    flags = [] if context else ["--no-context", "--no-exemplars"]
    return main(["colorize", "--weights", str(tiny_weights), "--device", "cpu",
                 "--render-size", "64", *flags, *map(str, args)])


def test_folder_batch_writes_every_photo(tiny_weights, photos, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out) == 0
    assert sorted(p.name for p in out.glob("*.png")) == ["a.png", "b.png"]
    assert Image.open(out / "a.png").size == (56, 40)
    assert "2 colorized, 0 skipped" in capsys.readouterr().out


BAD_FILES = {
    "empty.png": b"",
    "garbage.jpg": b"\x00\x01 not an image at all " * 20,
    "notes.png": b"this is a text file, not a PNG\n",
}


@pytest.mark.parametrize("bad_name", sorted(BAD_FILES))
def test_one_bad_file_fails_the_batch_but_the_others_are_written(
        tiny_weights, photos, tmp_path, capsys, bad_name):
    (photos / bad_name).write_bytes(BAD_FILES[bad_name])
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out) == 1
    assert {"a.png", "b.png"} <= {p.name for p in out.glob("*.png")}
    captured = capsys.readouterr()
    assert bad_name in captured.err and "error:" in captured.err
    assert "1 failed" in captured.out


def test_truncated_file_is_reported(tiny_weights, photos, tmp_path, capsys):
    full = (photos / "b.jpg").read_bytes()
    (photos / "cut.jpg").write_bytes(full[: len(full) // 2])
    assert _run(tiny_weights, photos, "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert "cut.jpg" in err and "truncated" in err.lower()


def test_too_many_pixels_is_refused_with_a_fix(tiny_weights, photos, tmp_path, capsys):
    assert _run(tiny_weights, photos / "a.png", "-o", tmp_path / "out",
                "--max-pixels", "1000") == 1
    err = capsys.readouterr().err
    assert "a.png" in err and "--max-pixels" in err


def test_rerun_skips_finished_work(tiny_weights, photos, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out) == 0
    stamp = (out / "a.png").stat().st_mtime_ns
    capsys.readouterr()
    assert _run(tiny_weights, photos, "-o", out) == 0
    assert "0 colorized, 2 skipped" in capsys.readouterr().out
    assert (out / "a.png").stat().st_mtime_ns == stamp
    # New input bytes under the same name are colorized again.
    Image.fromarray(np.full((40, 56), 90, np.uint8)).save(photos / "a.png")
    assert _run(tiny_weights, photos, "-o", out) == 0
    assert "1 colorized, 1 skipped" in capsys.readouterr().out


def test_never_overwrites_its_input(tiny_weights, photos, capsys):
    before = (photos / "a.png").read_bytes()
    assert _run(tiny_weights, photos / "a.png", "-o", photos) == 0
    assert (photos / "a.png").read_bytes() == before
    assert (photos / "a-2.png").is_file()  # planned beside it, under another name


def test_never_overwrites_a_file_it_did_not_write(tiny_weights, photos, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"the user's own file")
    assert _run(tiny_weights, photos / "a.png", "-o", out) == 1
    assert (out / "a.png").read_bytes() == b"the user's own file"
    assert "--overwrite" in capsys.readouterr().err


def test_report_writes_json_and_uncertainty(tiny_weights, photos, tmp_path):
    out = tmp_path / "out"
    assert _run(tiny_weights, photos / "b.jpg", "-o", out, "--report", "--format", "jpg",
                "--hint", "Kazan 1950s", context=True) == 0
    report = json.loads((out / "b.json").read_text())
    assert report["model"]["sha256"] and report["input"]["size"] == [56, 40]
    assert report["settings"]["hints"] == "Kazan 1950s"
    assert report["exemplars"] and {"id", "title", "score", "why"} <= set(report["exemplars"][0])
    era, region = report["context"]["era"], report["context"]["region"]
    assert (era["start"], era["end"]) == (1950, 1959) and era["source"] == "hint"
    assert "USSR" in region["name"] or "Tatar" in region["name"]
    assert Image.open(out / "b.uncertainty.png").size == (56, 40)
    assert Image.open(out / "b.jpg").format == "JPEG"
    used = [e for e in report["exemplars"] if e["used"]]
    assert used and all(0 <= e["attention_share"] <= 1 for e in used)
    # Retrieved exemplars not found in this photo put no color in it: no "where their color
    # went" panel (the user exemplar's test below has one).
    assert not any(e["colored"] for e in report["exemplars"])
    assert not (out / "b.exemplars.png").exists()


def test_user_exemplar_is_used_and_reported(tiny_weights, photos, tmp_path):
    reference = tmp_path / "family_print.png"
    Image.new("RGB", (60, 40), (180, 40, 30)).save(reference)
    out = tmp_path / "out"
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--report",
                "--exemplar", reference) == 0
    report = json.loads((out / "a.json").read_text())
    first = report["exemplars"][0]
    assert first["id"] == "user:family_print.png" and first["used"] is True
    assert first["kind"] == "user" and first["attention_share"] > 0 and first["colored"]
    assert Image.open(out / "a.exemplars.png").width > 60  # exemplar + attention map per row


def test_bad_user_exemplar_stops_before_any_work(tiny_weights, photos, tmp_path, capsys):
    gray = tmp_path / "gray_ref.png"
    Image.new("L", (20, 20), 128).save(gray)
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out, "--exemplar", gray) == 2
    err = capsys.readouterr().err
    assert "gray_ref.png" in err and "grayscale" in err
    assert _run(tiny_weights, photos, "-o", out, "--exemplar", tmp_path / "missing.jpg") == 2
    # Named as the exemplar: "missing.jpg: no such file" alone reads as if about an input.
    assert f"error: --exemplar {tmp_path / 'missing.jpg'}: no such file. check the path" \
        in capsys.readouterr().err
    assert not out.exists() or not list(out.glob("*.png"))


@pytest.mark.parametrize("count", ["-1", "-8"])
def test_a_negative_thread_count_is_refused_by_the_parser(tmp_path, capsys, count):
    with pytest.raises(SystemExit) as info:
        main(["colorize", str(tmp_path), "-o", str(tmp_path / "out"), f"--threads={count}"])
    assert info.value.code == 2
    assert f"argument --threads: must be 0 (read and encode inline) or more, got {count}" \
        in capsys.readouterr().err


def test_a_thread_count_of_0_or_more_is_taken():
    # 0 is the CPU default spelled out: read and encode inline, beside no threads.
    for count in (0, 3):
        args = build_parser().parse_args(["colorize", "x", "-o", "out", f"--threads={count}"])
        assert args.threads == count


def test_a_folder_without_images_is_named_plainly(tiny_weights, tmp_path, capsys):
    empty = tmp_path / "emptydir"
    empty.mkdir()
    assert _run(tiny_weights, empty, "-o", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert f"error: no image files found in {empty}; give image files" in err
    assert "[" not in err


def test_a_32bit_tiff_of_8bit_values_is_colorized_as_its_8bit_photo(tiny_weights, photos,
                                                                   tmp_path):
    # Image.open("x.jpg").convert("L").convert("I") saved as TIFF: it came out almost black.
    gray = Image.open(photos / "b.jpg").convert("L")
    gray.convert("I").save(tmp_path / "deep.tif")
    gray.save(tmp_path / "flat.png")
    out = tmp_path / "out"
    assert _run(tiny_weights, tmp_path / "deep.tif", tmp_path / "flat.png", "-o", out) == 0
    deep = np.asarray(Image.open(out / "deep.png"), np.int16)
    flat = np.asarray(Image.open(out / "flat.png"), np.int16)
    assert np.abs(deep - flat).max() <= 1  # same lightness in, same photo out


def test_same_stem_inputs_do_not_collide(tiny_weights, photos, tmp_path):
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(photos / "a.jpg")
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out) == 0
    assert {"a_png.png", "a_jpg.png", "b.png"} == {p.name for p in out.glob("*.png")}


def test_missing_input_and_missing_outdir_are_clear_errors(tiny_weights, tmp_path, capsys):
    assert _run(tiny_weights, tmp_path / "nope.png", "-o", tmp_path / "out") == 2
    assert "nope.png" in capsys.readouterr().err
    assert _run(tiny_weights, tmp_path) == 2
    assert "-o OUTDIR" in capsys.readouterr().err


def test_context_command_reads_hint_and_file_name(tmp_path, capsys):
    photo = tmp_path / "Kazan_1910.png"
    Image.fromarray(np.full((64, 96), 128, np.uint8)).save(photo)
    assert main(["context", str(photo), "--no-ocr", "--no-embedding"]) == 0
    ctx = json.loads(capsys.readouterr().out)
    assert ctx["era"]["start"] <= 1910 <= ctx["era"]["end"]
    assert "Russian Empire" in ctx["region"]["name"]
    assert main(["context", str(tmp_path / "missing.png")]) == 2
    assert "missing.png" in capsys.readouterr().err


def test_explicit_cuda_without_cuda_is_an_error(tiny_weights, photos, tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    code = main(["colorize", "--weights", str(tiny_weights), "--device", "cuda",
                 str(photos), "-o", str(tmp_path / "out")])
    assert code == 2 and "CUDA" in capsys.readouterr().err


def test_unusual_but_valid_inputs_are_colorized_with_notes(tiny_weights, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    ramp = (np.linspace(0, 65535, 48 * 64).reshape(48, 64)).astype(np.uint16)
    Image.fromarray(ramp).save(folder / "deep.png")  # 16-bit grayscale
    frames = [Image.fromarray(np.full((32, 32), v, np.uint8)) for v in (40, 200, 120)]
    frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:])
    rgba = Image.new("RGBA", (40, 30), (200, 50, 50, 0))
    rgba.save(folder / "alpha.png")
    Image.new("CMYK", (40, 30), (0, 200, 200, 0)).save(folder / "print.jpg")
    rotated = Image.fromarray(np.zeros((20, 50), np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    rotated.save(folder / "rotated.jpg", exif=exif)
    out = tmp_path / "out"
    assert _run(tiny_weights, folder, "-o", out, "--report") == 0
    notes = {p.stem: " ".join(json.loads(p.read_text())["input"]["notes"])
             for p in out.glob("*.json") if not p.name.startswith(".")}
    assert "16-bit" in notes["deep"]
    assert "first of 3 frames" in notes["anim"]
    assert "alpha" in notes["alpha"]
    assert "CMYK" in notes["print"] and "luminance" in notes["print"]
    assert "orientation" in notes["rotated"].lower()
    assert Image.open(out / "rotated.png").size == (20, 50)  # EXIF rotation applied


def test_rerun_with_a_setting_that_changes_colors_is_not_skipped(tiny_weights, photos, tmp_path,
                                                                 capsys):
    """"Already done" covers every setting that changes the output (the pipeline's
    fingerprint), not just the model and a few knobs."""
    out = tmp_path / "out"
    assert _run(tiny_weights, photos, "-o", out) == 0
    manifest = json.loads((out / ".chronochrome-manifest.json").read_text())
    assert len(manifest["a.png"]["settings"]["fingerprint"]) == 64
    capsys.readouterr()
    assert _run(tiny_weights, photos, "-o", out, "--exemplar-transfer", "0.5") == 0
    assert "2 colorized, 0 skipped" in capsys.readouterr().out
    assert _run(tiny_weights, photos, "-o", out, "--exemplar-transfer", "0.5") == 0
    assert "0 colorized, 2 skipped" in capsys.readouterr().out


def test_color_hints_from_points_and_a_file_with_report(tiny_weights, photos, tmp_path, capsys):
    (tmp_path / "hints.json").write_text(json.dumps(
        [{"box": [30, 0, 56, 20], "color": "#1840c0", "source": "a letter, 1931"}]))
    out = tmp_path / "out"
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--report", "--point",
                "5,30=#c01818", "--color-hints", tmp_path / "hints.json") == 0
    report = json.loads((out / "a.json").read_text())
    hints = [r for r in report["color_regions"]["regions"] if r["kind"] == "hint"]
    assert [h["detail"]["color"] for h in hints] == ["#1840c0", "#c01818"]
    assert hints[0]["source"] == "a letter, 1931" and hints[0]["share"] > 0.1
    assert Image.open(out / "a.regions.png").size == (56, 40)
    # The same hints again: already done; one hint changed: colorized again.
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--report", "--point",
                "5,30=#c01818", "--color-hints", tmp_path / "hints.json") == 0
    assert "0 colorized, 1 skipped" in capsys.readouterr().out
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--report", "--point",
                "5,30=#18c018", "--color-hints", tmp_path / "hints.json") == 0
    assert "1 colorized, 0 skipped" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--point", "1,2=reddish"], "--point '1,2=reddish': 'reddish' is not a color"),
    (["--point", "1;2=#fff"], "write X,Y=COLOR"),
    (["--color-hints", "missing.json"], "missing.json: cannot be read"),
])
def test_bad_color_hints_stop_before_any_work(tiny_weights, photos, tmp_path, capsys, args,
                                              message):
    assert _run(tiny_weights, photos, "-o", tmp_path / "out", *args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_hints_that_do_not_fit_a_photo_fail_it_with_the_reason(tiny_weights, photos, tmp_path,
                                                               capsys):
    out = tmp_path / "out"
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--point", "60,10=#c01818") == 1
    err = capsys.readouterr().err
    assert "color hint 1 (point 60,10) is outside the image; the image is 56 x 40 px" in err
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--point", "10,10=#c01818",
                "--point", "11,10=#1840c0") == 1
    assert "conflict" in capsys.readouterr().err
    assert not (out / "a.png").exists()


def test_a_hints_file_naming_a_library_exemplar_fails_clearly_without_a_library(
        tiny_weights, photos, tmp_path, capsys):
    (tmp_path / "hints.json").write_text(json.dumps([{"box": [0, 0, 20, 20],
                                                      "exemplar": "flag-ussr-1923"}]))
    out = tmp_path / "out"
    assert _run(tiny_weights, photos / "a.png", "-o", out, "--color-hints",
                tmp_path / "hints.json") == 1
    assert "names library exemplar 'flag-ussr-1923', but this pipeline has no exemplar " \
        "library" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text(json.dumps([{"box": [0, 0, 20, 20], "exemplar": ""}]))
    assert _run(tiny_weights, photos, "-o", out, "--color-hints", tmp_path / "bad.json") == 2
    assert "an exemplar id is text of 1-200 characters" in capsys.readouterr().err


def test_a_multi_page_master_and_a_camera_jpeg_to_tiff_say_what_they_did(tiny_weights, tmp_path,
                                                                        capsys):
    # Page 1 of 3 was colorized without a word outside --report's JSON, and a TIFF output of a
    # JPEG with an Exif sub-IFD (its dates: every camera's) failed with "RuntimeError: Error
    # setting from dictionary".
    folder = tmp_path / "in"
    folder.mkdir()
    pages = [Image.fromarray(np.full((32, 40), v, np.uint8)) for v in (60, 120, 200)]
    pages[0].save(folder / "album.tif", save_all=True, append_images=pages[1:])
    exif = Image.Exif()
    exif[0x8769] = {0x9003: "1957:05:01 11:00:00"}  # DateTimeOriginal
    pages[1].save(folder / "camera.jpg", exif=exif.tobytes())
    out = tmp_path / "out"
    assert _run(tiny_weights, folder, "-o", out, "--format", "tif") == 0
    assert "album.tif: first of 3 frames used" in capsys.readouterr().err
    with Image.open(out / "camera.tif") as result:
        assert result.getexif().get_ifd(0x8769)[0x9003] == "1957:05:01 11:00:00"


def test_version_is_printed(capsys):
    from colorizer import __version__

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])  # a usage error (exit 2) before
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"chronochrome {__version__}"
