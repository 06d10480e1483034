"""Training inputs for generator v2: photos from folders and tars with sampling shares, and
the grays of old emulsions as input."""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorizer.errors import TrainingDataError
from colorizer.model.colorspace import luminance_of_rgb
from colorizer.training.film import check_film_mix, film_inputs, film_lightness
from colorizer.training.sources import PhotoSource, load_sources
from colorizer.training.train import TrainConfig

REPO = Path(__file__).resolve().parent.parent


def _png(color: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    rgb = np.zeros((size[1], size[0], 3), np.uint8)
    rgb[:] = color
    rgb[: size[1] // 2, : size[0] // 2] = (250, 250, 250)  # some structure
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("photos")
    for i in range(6):
        (folder / f"face_{i}.png").write_bytes(_png((200, 120, 90)))
    for i in range(3):
        (folder / f"street_{i}.png").write_bytes(_png((60, 90, 200), size=(300, 200)))
    (folder / "street_gray.png").write_bytes(_png((128, 128, 128)))
    (folder / "notes.txt").write_text("not a photo")
    tar_path = tmp_path_factory.mktemp("tar") / "tiny.tar"
    with tarfile.open(tar_path, "w") as tar:
        for i in range(12):
            data = _png((30, 160, 40), size=(16, 16))
            info = tarfile.TarInfo(f"n0001/n0001_{i}.png")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return folder, tar_path


def test_sources_read_folders_and_tars_in_place_with_their_shares(sources):
    folder, tar_path = sources
    bank = load_sources([PhotoSource(str(folder), "face_*", 0.5),
                         PhotoSource(str(folder), "street_*", 0.25),
                         PhotoSource(str(tar_path), share=0.25)],
                        REPO, "train", 0.0, short_side=64)
    names = [p.name for p in bank.paths]
    assert len(bank) == 6 + 3 + 12  # the gray street and the .txt are not training photos
    assert "street_gray.png" not in names and "n0001_2.png" in names
    assert min(bank.images[6].shape[:2]) == 64  # 300x200 scaled down to short side 64
    assert bank.images[-1].shape[:2] == (16, 16)  # small photos are never enlarged
    g = torch.Generator().manual_seed(0)
    picks = np.array([bank.pick(g) for _ in range(4000)])
    shares = [np.mean(picks < 6), np.mean((picks >= 6) & (picks < 9)), np.mean(picks >= 9)]
    assert shares == pytest.approx([0.5, 0.25, 0.25], abs=0.03)


def test_the_split_of_a_photo_does_not_depend_on_the_other_sources(sources):
    folder, _ = sources
    alone = load_sources([PhotoSource(str(folder), "face_*")], REPO, "train", 0.5, 64)
    together = load_sources([PhotoSource(str(folder), "face_*"),
                             PhotoSource(str(folder), "street_*")], REPO, "train", 0.5, 64)
    assert [p.name for p in alone.paths] == [p.name for p in together.paths][: len(alone)]


def test_bad_sources_are_named(sources, tmp_path):
    folder, _ = sources
    with pytest.raises(TrainingDataError, match="neither a folder nor a tar"):
        load_sources([PhotoSource(str(tmp_path / "missing"))], REPO, "train", 0.0, 64)
    with pytest.raises(ValueError, match="no train photos"):
        load_sources([PhotoSource(str(folder), "nothing_*")], REPO, "train", 0.0, 64)
    with pytest.raises(ValueError, match="share must be > 0"):
        PhotoSource(str(folder), share=0)


def test_old_emulsions_see_red_dark_and_blue_light():
    red = torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1)
    blue = torch.tensor([0.0, 0.0, 1.0]).view(1, 3, 1, 1)
    gray = torch.full((1, 3, 1, 1), 0.5)
    eye_red, eye_blue = float(luminance_of_rgb(red)), float(luminance_of_rgb(blue))
    assert float(film_lightness(red, "lstar")) == pytest.approx(eye_red, abs=0.05)
    assert float(film_lightness(red, "orthochromatic")) < 0.3 * eye_red
    assert float(film_lightness(blue, "blue_sensitive")) > 2.5 * eye_blue  # near white
    for response in ("lstar", "blue_sensitive", "orthochromatic", "early_panchromatic"):
        # a neutral gray keeps its tone on every emulsion
        assert float(film_lightness(gray, response)) == pytest.approx(
            float(luminance_of_rgb(gray)), abs=0.05)


def test_film_inputs_follow_the_mix_and_the_seed():
    rgb = torch.rand(64, 3, 4, 4)
    one = film_inputs(rgb, {"orthochromatic": 1.0}, torch.Generator().manual_seed(1))
    assert torch.allclose(one, film_lightness(rgb, "orthochromatic"))
    shares = {"lstar": 1.0, "blue_sensitive": 1.0}
    mixed = film_inputs(rgb, shares, torch.Generator().manual_seed(2))
    again = film_inputs(rgb, shares, torch.Generator().manual_seed(2))
    assert torch.equal(mixed, again)
    as_eye = torch.isclose(mixed, film_lightness(rgb, "lstar")).flatten(1).all(1)
    assert 10 < int(as_eye.sum()) < 54  # both emulsions were drawn
    with pytest.raises(ValueError, match="unknown film response"):
        check_film_mix({"daguerreotype": 1.0})
    with pytest.raises(ValueError, match="not all zero"):
        check_film_mix({"lstar": 0.0})


def test_train_configs_with_sources_are_checked_when_read(tmp_path):
    config = TrainConfig.from_json(REPO / "configs/train/gen-v2.json")
    assert sum(s.share for s in config.photo_sources()) == pytest.approx(1.0)
    assert config.photo_sources()[-1].path.endswith(".tar")
    bad = json.loads((REPO / "configs/train/gen-v2.json").read_text())
    bad["sources"][0]["weight"] = 2
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="weight"):
        TrainConfig.from_json(tmp_path / "bad.json")
    assert replace(config, sources=()).photo_sources()[0].path == config.data_dir


def test_a_gpu_pack_reads_back_as_the_same_photos_with_the_same_shares(sources, tmp_path):
    from colorizer.training.pack import pack

    folder, tar_path = sources
    config = TrainConfig(data_dir=str(folder), val_fraction=0.5, sizes=((1.0, 32),),
                         sources=({"path": str(folder), "pattern": "face_*", "share": 0.7},
                                  {"path": str(tar_path), "share": 0.3}))
    out = REPO / "runs" / f"test-pack-{tmp_path.name}"
    try:
        gpu, total = pack(config, {"batch_size": 64}, short_side=32, quality=80, out=out)
        assert total == sum(p.stat().st_size for p in out.iterdir())
        packed = TrainConfig(**{**gpu, "sizes": tuple(tuple(s) for s in gpu["sizes"]),
                                "sources": tuple(gpu["sources"])})
        assert packed.batch_size == 64 and [s.share for s in packed.photo_sources()] == [0.7, 0.3]
        original = load_sources(config.photo_sources(), REPO, "train", 0.5, 32)
        again = load_sources(packed.photo_sources(), REPO, "train", 0.5, 32)
        assert [p.stem for p in again.paths] == [p.stem for p in original.paths]
        assert again.weights == pytest.approx(original.weights)
        val = load_sources([PhotoSource(packed.data_dir)], REPO, "val", 0.5, 224)
        assert len(val) == len(load_sources([PhotoSource(str(folder))], REPO, "val", 0.5, 224))
    finally:
        import shutil

        shutil.rmtree(out, ignore_errors=True)


def test_a_gpu_pack_can_keep_a_share_of_each_source_chosen_by_name(sources, tmp_path):
    """--keep packs fewer photos at a larger size: the kept ones are those whose name hash
    falls under the share (the same on every machine); validation is packed whole, and a
    share that leaves a source empty is refused before anything travels."""
    from colorizer.training.pack import kept, pack

    folder, _ = sources
    config = TrainConfig(data_dir=str(folder), val_fraction=0.5, sizes=((1.0, 32),),
                         sources=({"path": str(folder), "share": 1.0},))
    out = REPO / "runs" / f"test-pack-keep-{tmp_path.name}"
    try:
        gpu, _ = pack(config, {}, short_side=32, quality=80, out=out, keep=0.5)
        packed = load_sources([PhotoSource(gpu["sources"][0]["path"])], REPO, "train", 0.5, 32)
        train = load_sources(config.photo_sources(), REPO, "train", 0.5, 32).paths
        expected = [p.stem for p in train if kept(p.name, 0.5)]
        assert sorted(p.stem for p in packed.paths) == sorted(expected)
        assert 0 < len(expected) < len(train)
        val = load_sources([PhotoSource(gpu["data_dir"])], REPO, "val", 0.5, 224)
        assert len(val) == len(load_sources([PhotoSource(str(folder))], REPO, "val", 0.5, 224))
        with pytest.raises(ValueError, match="raise --keep"):
            pack(config, {}, short_side=32, quality=80, out=out, keep=1e-9)
    finally:
        import shutil

        shutil.rmtree(out, ignore_errors=True)


def test_a_phrase_table_answers_packed_sentences_and_names_missing_ones():
    from colorizer.training.phrase_table import PhraseTable

    table = PhraseTable({"A photo from 1917-1991 in USSR.": torch.tensor([0.6, 0.8])})
    assert table.dim == 2
    assert table.embed(["A photo from 1917-1991 in USSR."]).tolist() == [
        pytest.approx([0.6, 0.8])]
    with pytest.raises(KeyError, match="re-run python -m colorizer.training.pack"):
        table.embed(["A photo from 1950-1960 in Italy."])


def test_the_gpu_pack_carries_pycountry_as_its_databases_only(tmp_path):
    """The GPU machine lacks pycountry (the gazetteer behind exemplar training needs it): the
    pack carries the package without its 22 MB of translations, and it still imports."""
    import subprocess
    import sys
    import tarfile

    from colorizer.training.pack import _pycountry_package

    size = _pycountry_package(tmp_path / "pycountry.tar.gz")
    assert size < 1_000_000
    with tarfile.open(tmp_path / "pycountry.tar.gz") as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "site", filter="data")
    assert "pycountry/databases/iso3166-1.json" in names
    assert not [n for n in names if "/locales" in n or "/tests" in n or "__pycache__" in n]
    probe = ("import pycountry; print(pycountry.__file__); "
             "print(len(pycountry.countries), pycountry.historic_countries.get(alpha_4='SUHH').name)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path / "site")}, check=True).stdout.split("\n")
    assert out[0].startswith(str(tmp_path / "site"))
    assert int(out[1].split()[0]) > 240 and "Soviet" in out[1]
