"""colorizer.training.cache_dir: the training caches live in the user's cache folder, not /tmp."""

from __future__ import annotations

from colorizer.training import balance_data, flag_finder_scenes
from colorizer.training.cache_dir import training_cache


def test_chronochrome_cache_moves_the_training_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path / "cache"))
    assert training_cache("balance") == tmp_path / "cache" / "training" / "balance"
    assert not (tmp_path / "cache").exists()  # created by the first write, not here


def test_without_it_the_caches_go_under_the_home_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CHRONOCHROME_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert training_cache("flag-finder") == (
        tmp_path / ".cache" / "chronochrome" / "training" / "flag-finder")
    monkeypatch.setenv("CHRONOCHROME_CACHE", "")  # set but empty: the default too
    assert training_cache("flag-finder").parent == tmp_path / ".cache" / "chronochrome" / "training"


def test_the_balance_and_flag_finder_caches_use_it():
    for module, name in ((balance_data, "balance"), (flag_finder_scenes, "flag-finder")):
        assert module.CACHE_DIR.parts[-2:] == ("training", name)  # not /tmp/chronochrome-*
