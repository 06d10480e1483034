"""chronochrome installed as a user installs it: the wheel built from a checkout with `pip
wheel`, installed into a virtual environment of its own (which sees the dependencies through a
.pth file, not the checkout) and run through its `chronochrome` command from a folder outside
the repository; its pixels must be the checkout's. Also what the wheel and the sdist hold: every
file the code opens at run time, nothing an earlier build left in build/lib, no tests/.
(tests/test_installed_wheel.py builds the wheel from the sdist and runs the Python API;
tests/retrieval/test_packaging.py checks the data files byte for byte.)"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("colorizer", "context", "retrieval")
# Modules whose own `__file__` leads out of the package into a checkout (the repository root,
# ../shared): training tools and their repository-relative defaults, which a wheel leaves out
# on purpose (README: "As a package, outside a checkout").
CHECKOUT_PATHS = {
    "colorizer/apps/train_command.py", "colorizer/training/config_check.py",
    "colorizer/training/flag_finder_gate.py", "colorizer/training/train_balance.py",
    "colorizer/training/train_flag_finder.py", "colorizer/training/train_hint_field.py",
    "context/line_script_train.py",
}
CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main(sys.argv[1:]))"
HINT = "Moscow 1950s"


def runtime_paths() -> dict[str, Path]:
    """Each file or folder the shipped code opens by a path inside its own package, as the code
    names it: the one list of what the wheel must carry (a new one goes here and into
    READERS)."""
    from colorizer.apps.web.app import STATIC
    from colorizer.check.checker import CHECK_WEIGHTS
    from colorizer.pipeline.weights_folder import DEFAULT_WEIGHTS
    from colorizer.training.train_config import PRESETS
    from context import country_codes
    from context.config import DEFAULT_DATA_DIR as CONTEXT_DATA
    from context.line_script import DEFAULT_DIR as LINE_SCRIPT_MODEL
    from retrieval.knowledge import DEFAULT_DATA_DIR as KNOWLEDGE_BASE

    return {"default weights": DEFAULT_WEIGHTS, "check weights": CHECK_WEIGHTS,
            "workbench page": Path(str(STATIC)), "generator presets": PRESETS,
            "gazetteer and labels": CONTEXT_DATA, "country codes": country_codes._PLACES,
            "line-script model": LINE_SCRIPT_MODEL, "knowledge base": KNOWLEDGE_BASE}


# The modules that hold runtime_paths()'s constants.
READERS = {"colorizer/apps/web/app.py", "colorizer/check/checker.py",
           "colorizer/pipeline/weights_folder.py", "colorizer/training/train_config.py",
           "context/country_codes.py", "context/config.py", "context/line_script.py",
           "retrieval/knowledge.py"}


def _run(argv: list, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    # No PYTHONPATH: a user's shell sets none, and one naming a checkout (a test run from a
    # copy) would put it before the venv's packages; `-c` in the checkout imports its own.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)
    assert done.returncode == 0, f"{argv[:3]} exit {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def _copy_checkout(dest: Path) -> Path:
    """What a clone holds, less outputs: packaging files, the packages (their data links kept
    as links), configs/ (where the links point), tests/ and eval/ (which must not ship)."""
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results", "build", "*.egg-info")
    for folder in (*PACKAGES, "configs", "tests", "eval", "scripts/packaging"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder, symlinks=True, ignore=ignore)
    return dest


def _pip_wheel(source: Path, dist: Path) -> Path:
    """`pip wheel` as a user runs it in a checkout (an in-tree build: source/build/)."""
    shutil.rmtree(dist, ignore_errors=True)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", dist, source], cwd=source)
    (wheel,) = dist.glob("chronochrome-*.whl")
    return wheel


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools")
    return _copy_checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def wheel(checkout, tmp_path_factory) -> Path:
    return _pip_wheel(checkout, tmp_path_factory.mktemp("dist"))


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


@pytest.mark.slow  # builds a wheel or an sdist: 6-10 s
def test_the_wheel_holds_every_file_the_code_opens_at_run_time(wheel):
    names = _names(wheel)
    for what, path in runtime_paths().items():
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        assert files, f"{what}: {path} is empty"
        for file in files:
            name = file.relative_to(REPO).as_posix()
            assert name in names, f"{what}: {name} is not in the wheel"


def _reads_by_its_own_path(path: Path) -> bool:
    """Whether a module names its own `__file__` (a Name, not `pycountry.__file__`) or reads
    through importlib.resources.files()."""
    text = path.read_text()
    own_file = any(isinstance(n, ast.Name) and n.id == "__file__"
                   for n in ast.walk(ast.parse(text, str(path))))
    return own_file or "resources.files(" in text


def test_every_module_reading_by_its_own_path_is_listed():
    """A module that opens a file by a path inside its package is one of READERS (its files
    listed in runtime_paths(), so the wheel test covers them) or reads only checkout paths."""
    readers = {path.relative_to(REPO).as_posix() for package in PACKAGES
               for path in sorted((REPO / package).rglob("*.py"))
               if _reads_by_its_own_path(path)}
    unlisted = readers - READERS - CHECKOUT_PATHS
    assert not unlisted, f"list what these read in runtime_paths(): {sorted(unlisted)}"
    assert READERS <= readers, sorted(READERS - readers)  # the list follows the code


@pytest.mark.slow  # builds a wheel or an sdist: 6-10 s
def test_a_file_left_in_build_lib_by_an_earlier_build_is_not_shipped(checkout, wheel,
                                                                     tmp_path):
    """A module deleted from the checkout since the last in-tree build stays in build/lib,
    which setuptools packs whole (pypa/setuptools#1871)."""
    left_over = checkout / "build" / "lib" / "colorizer" / "deleted_since_last_build.py"
    assert left_over.parent.is_dir(), "pip wheel did not build in the checkout's build/"
    left_over.write_text("SECRET = 'removed from the source'\n")
    names = _names(_pip_wheel(checkout, tmp_path / "dist"))
    assert "colorizer/deleted_since_last_build.py" not in names
    assert "colorizer/apps/cli.py" in names


@pytest.mark.slow  # builds a wheel or an sdist: 6-10 s
def test_the_sdist_holds_what_builds_the_wheel_and_no_tests(checkout, tmp_path):
    """The sdist builds through the backend pyproject.toml names; setuptools would add a part
    of tests/ (tests/test*.py, without conftest.py and helpers) that cannot run from it."""
    code = ("import importlib, sys, tomllib\n"
            "system = tomllib.load(open('pyproject.toml', 'rb'))['build-system']\n"
            "sys.path[:0] = system.get('backend-path', [])\n"
            "print(importlib.import_module(system['build-backend']).build_sdist(sys.argv[1]))")
    _run([sys.executable, "-c", code, tmp_path], cwd=checkout)
    (sdist,) = tmp_path.glob("chronochrome-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tops = {n.split("/")[0] for n in names}
    assert tops <= {*PACKAGES, "scripts", "chronochrome.egg-info", "pyproject.toml",
                    "README.md", "MANIFEST.in", "PKG-INFO", "setup.cfg"}, sorted(tops)
    assert {"pyproject.toml", "colorizer/weights/default/model.safetensors",
            "context/data/places.csv", "retrieval/data/flags.json"} <= names
    system = tomllib.loads((checkout / "pyproject.toml").read_text())["build-system"]
    for folder in system.get("backend-path", []):  # pip builds the sdist's wheel through it
        assert f"{folder}/{system['build-backend']}.py" in names, folder


def _pixels_sha256(path: Path) -> str:
    with Image.open(path) as image:
        pixels = np.asarray(image)
    return hashlib.sha256(repr(pixels.shape).encode() + pixels.tobytes()).hexdigest()


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding only the wheel; the dependencies come from this
    interpreter's site-packages through a .pth file (lines of a .pth are added to sys.path,
    the .pth files there, such as the checkout's editable install, are not run)."""
    folder = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", folder], cwd=folder)
    python = folder / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=folder).stdout.strip())
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
          "--no-index", "-q", wheel], cwd=folder)
    return folder


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    """A real black-and-white photo (scikit-image's camera, 512 x 512) in a user's folder."""
    from colorizer.apps.samples import skimage_camera

    camera = skimage_camera()
    if camera is None:
        pytest.skip("scikit-image's camera photo is missing")
    folder = tmp_path_factory.mktemp("user")
    return Path(shutil.copy2(camera, folder / "camera.png"))


@pytest.mark.slow
def test_the_installed_packages_are_the_venvs_not_the_checkouts(venv, photo):
    code = "import colorizer, context, retrieval as r; print(colorizer.__file__, context.__file__, r.__file__)"
    out = _run([venv / "bin" / "python", "-c", code], cwd=photo.parent).stdout.split()
    assert len(out) == 3 and all(Path(f).is_relative_to(venv) for f in out), out


@pytest.mark.slow
def test_colorize_from_the_installed_command_gives_the_checkouts_pixels(venv, photo,
                                                                       tmp_path):
    user = photo.parent
    flags = ["-o", "out", "--hint", HINT, "--report"]
    _run([venv / "bin" / "chronochrome", "colorize", photo.name, *flags], cwd=user)
    in_repo = tmp_path / "out"
    _run([sys.executable, "-c", CLI, "colorize", photo, "-o", in_repo, *flags[2:]], cwd=REPO)
    for name in ("camera.png", "camera.uncertainty.png"):
        assert (user / "out" / name).is_file(), name
        assert _pixels_sha256(user / "out" / name) == _pixels_sha256(in_repo / name), name
    installed = json.loads((user / "out" / "camera.json").read_text())
    checkout = json.loads((in_repo / "camera.json").read_text())
    assert installed["model"] == checkout["model"]  # {"path": "default", "sha256": ...}
    assert installed["context"]["region"]["name"] == checkout["context"]["region"]["name"]
    assert installed["exemplars"] == checkout["exemplars"]


@pytest.mark.slow
def test_context_from_the_installed_command_is_the_checkouts(venv, photo):
    argv = ["context", photo, "--hint", HINT]
    installed = _run([venv / "bin" / "chronochrome", *argv], cwd=photo.parent).stdout
    checkout = _run([sys.executable, "-c", CLI, *argv], cwd=REPO).stdout
    assert json.loads(installed) == json.loads(checkout)
    assert json.loads(installed)["region"]["name"].startswith("Moscow")
