"""Data ships inside the wheel as package data: the curated knowledge base (`retrieval`),
the gazetteer and labels (`context`) and the default weights (`colorizer`), so an installed
chronochrome works without a checkout. (The wheel installed and run outside the checkout:
tests/test_installed_wheel.py, slow.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CURATED = ("flags.json", "uniforms.json")
# Folders the installed package reads by a path inside itself (weights, the generator presets,
# the workbench page, the gazetteer and labels, the line-script model, the knowledge base).
PACKAGE_DATA = ("colorizer/weights", "colorizer/training/presets", "colorizer/apps/web/static",
                "context/data", "context/models", "retrieval/data")
TOP_LEVEL = {"colorizer", "context", "retrieval"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built (no network, no build isolation) from a copy of what packaging reads."""
    pytest.importorskip("setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy2(REPO / name, src / name)
    # pyproject.toml's build backend (backend-path)
    shutil.copytree(REPO / "scripts" / "packaging", src / "scripts" / "packaging")
    for package in ("colorizer", "context", "retrieval", "eval"):
        shutil.copytree(REPO / package, src / package, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "results"))
    for data in ("retrieval", "context", "generator"):
        shutil.copytree(REPO / "configs" / data, src / "configs" / data)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "--no-index", "-q", "-w", str(dist), str(src)],
                          check=False, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    (path,) = dist.glob("chronochrome-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_carries_the_curated_data(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in CURATED:
            assert f"retrieval/data/{name}" in names, sorted(names)
            assert z.read(f"retrieval/data/{name}") == (REPO / "configs/retrieval" / name
                                                        ).read_bytes()
    assert not any(n.startswith("configs/") for n in names)  # shipped inside the package


def test_the_wheel_carries_the_gazetteer_and_the_default_weights(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for path in sorted((REPO / "configs" / "context").iterdir()):
            assert f"context/data/{path.name}" in names
            assert z.read(f"context/data/{path.name}") == path.read_bytes()
        for name in ("config.json", "model.safetensors", "MODEL_CARD.md"):
            assert f"colorizer/weights/default/{name}" in names


def test_context_reads_its_data_through_importlib_resources():
    from context.config import DEFAULT_DATA_DIR

    assert DEFAULT_DATA_DIR.parent.name == "context" and DEFAULT_DATA_DIR.name == "data"
    assert (DEFAULT_DATA_DIR / "polities.csv").is_file()


def test_curated_records_load_from_the_installed_files(wheel, tmp_path, resolver):
    from retrieval.knowledge import curated_records, curated_version

    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path)
    installed = tmp_path / "retrieval" / "data"
    assert not installed.is_symlink() and (installed / "flags.json").is_file()
    records = curated_records(resolver, installed)
    assert len(records) >= 60
    assert curated_version(installed) == curated_version()  # same content, same cache key


def test_the_package_reads_its_data_through_importlib_resources():
    import importlib.resources

    from retrieval.knowledge import DEFAULT_DATA_DIR

    assert DEFAULT_DATA_DIR == Path(str(importlib.resources.files("retrieval") / "data"))
    for name in CURATED:
        assert (DEFAULT_DATA_DIR / name).read_bytes() == (REPO / "configs/retrieval" / name
                                                          ).read_bytes()


def test_the_wheel_carries_every_file_the_package_reads(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for folder in PACKAGE_DATA:
            files = sorted(p for p in (REPO / folder).rglob("*")
                           if p.is_file() and "__pycache__" not in p.parts)
            assert files, f"{folder} is empty"
            for path in files:
                name = path.relative_to(REPO).as_posix()
                assert name in names, f"{name} is not in the wheel"
                assert z.read(name) == path.read_bytes(), name


def test_the_wheel_holds_the_packages_and_nothing_of_the_checkout(wheel):
    """No eval/ (benchmarks and their results), tests/, configs/ or runs/ beside the three
    packages: a top-level `eval` would land in every user's site-packages."""
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    tops = {n.split("/")[0] for n in names if ".dist-info/" not in n}
    assert tops == TOP_LEVEL, sorted(tops - TOP_LEVEL)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert wheel.stat().st_size < 40 * 2**20  # the default weights are ~21 MiB of it
