"""An archive's own exemplar library, end to end: `chronochrome library build` from its color
photos and a CSV, then `chronochrome colorize --library DIR` (user audit: colorize had no way
to use such a library; a library that did not load was loaded again at every photo of a
batch, each printing the same long error).

A library that fails to load is tried once per process (`components.PerProcess`): the first
photo that needs it says why in full, the later ones in one short sentence, without trying
again. A --library folder that cannot serve is refused before any photo.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorizer.apps.cli import main
from colorizer.pipeline.components import PerProcess

REPO = Path(__file__).resolve().parent.parent


def test_a_part_that_failed_to_build_is_not_built_again():
    calls = []

    def broken_library():
        calls.append(1)
        raise OSError(5, "Input/output error")

    part = PerProcess(broken_library)
    with pytest.raises(OSError, match="Input/output error"):
        part.get()
    for _ in range(3):  # every later photo of the batch
        with pytest.raises(Exception) as caught:
            part.get()
    assert len(calls) == 1
    assert str(caught.value) == "OSError: [Errno 5] Input/output error"


def _photos(folder: Path, names: list[str], seed: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:  # color photos: a red and a blue half, with noise
        x = np.zeros((48, 64, 3), np.float32)
        x[:, :32], x[:, 32:] = (180, 40, 30), (40, 60, 170)
        x += rng.normal(0, 12, x.shape)
        Image.fromarray(np.clip(x, 0, 255).astype(np.uint8)).save(folder / name)


@pytest.fixture(scope="module")
def user_library(tmp_path_factory) -> tuple[Path, str]:
    """A library built by the CLI (MiniLM, the ImageNet luminance encoder) from three photos
    of Paris 1918 and one row that names no photo; (its folder, the build's stderr)."""
    root = tmp_path_factory.mktemp("archive")
    _photos(root / "photos", ["rue.jpg", "quai.jpg", "marche.jpg"])
    with (root / "list.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("file", "title", "year", "place"),
                                 ("rue.jpg", "Rue de Rivoli", "1918", "Paris"),
                                 ("quai.jpg", "Quai d'Orsay", "1918", "Paris"),
                                 ("gone.jpg", "Lost", "1918", "Paris"),
                                 ("marche.jpg", "Marché", "1917-1919", "France")])
    done = subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "library", "build",
                           str(root / "photos"), "--metadata", str(root / "list.csv"),
                           "--out", str(root / "lib")], check=False, capture_output=True,
                          text=True, timeout=600, cwd=REPO)
    assert done.returncode == 1, done.stderr  # one row skipped: as colorize with one failed
    assert json.loads(done.stdout)["count"] == 3
    return root / "lib", done.stderr


def _colorize(weights: Path, photos: list[Path], out: Path, *extra: str
              ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorizer.apps.cli", "colorize",
                           *map(str, photos), "-o", str(out), "--weights", str(weights),
                           "--no-context", "--render-size", "64", "--device", "cpu", "-q",
                           *extra], check=False, capture_output=True, text=True, timeout=600,
                          cwd=REPO)


def _gray_photos(folder: Path, count: int) -> list[Path]:
    _photos(folder, [f"old{i}.png" for i in range(count)], seed=1)
    paths = [folder / f"old{i}.png" for i in range(count)]
    for path in paths:
        Image.open(path).convert("L").save(path)
    return paths


@pytest.mark.slow
def test_colorize_with_the_users_library_names_its_exemplars(user_library, shared_tiny_weights,
                                                             tmp_path):
    library, build_err = user_library
    assert build_err.splitlines()[-2:] == [
        (f"error: {library.parent / 'list.csv'}:4: image 'gone.jpg' is not in "
         f"{library.parent / 'photos'} (row skipped)"), f"3 added, 1 skipped -> {library}"]
    [photo] = _gray_photos(tmp_path / "in", 1)
    done = _colorize(shared_tiny_weights, [photo], tmp_path / "out", "--library", str(library),
                     "--hint", "Paris 1918", "--report")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "old0.json").read_text())
    named = [(e["id"], e["title"]) for e in report["exemplars"]]
    assert named and set(named) <= {("rue", "Rue de Rivoli"), ("quai", "Quai d'Orsay"),
                                    ("marche", "Marché")}


@pytest.mark.slow
def test_a_library_that_does_not_load_is_told_once(user_library, shared_tiny_weights,
                                                   tmp_path):
    library, _ = user_library
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in library.rglob("*"):
        if path.is_file():
            (damaged / path.relative_to(library)).parent.mkdir(exist_ok=True)
            (damaged / path.relative_to(library)).write_bytes(path.read_bytes())
    (damaged / "text.faiss").write_bytes((library / "text.faiss").read_bytes()[:100])
    photos = _gray_photos(tmp_path / "in", 3)
    done = _colorize(shared_tiny_weights, photos, tmp_path / "out", "--library", str(damaged),
                     "--hint", "Paris 1918")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3 and "Traceback" not in done.stderr
    full = [e for e in errors if "text.faiss is cut short or damaged" in e]
    assert len(full) == 1 and f"--out {damaged.resolve()} --overwrite" in full[0]
    assert sum("did not load at an earlier photo and is not tried again" in e
               for e in errors) == 2


def test_a_folder_that_cannot_serve_is_refused_before_any_photo(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.new("L", (32, 24), 128).save(photo)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not a library")
    text_only = tmp_path / "text-only"
    text_only.mkdir()
    (text_only / "library.json").write_text(json.dumps({
        "name": "t", "version": "1", "count": 0, "text_embedder": "x", "visual_embedder": None,
        "build_seconds": 0.0, "format": "chronochrome-exemplar-library", "format_version": 1}))
    cases = [(["--library", str(tmp_path / "nowhere")], "not an exemplar library (no such folder)"),
             (["--library", str(tmp_path / "notes")], "(no readable library.json)"),
             (["--library", str(text_only)], "built without its visual index (--no-visual)"),
             (["--library", str(text_only), "--no-exemplars"], "--library and --no-exemplars")]
    for extra, says in cases:
        assert main(["colorize", str(photo), "-o", str(tmp_path / "out"), *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and says in err, err
        assert not (tmp_path / "out" / "photo.png").exists()
