"""chronochrome as a user gets it, not as a checkout: the declared dependencies cover every
import of the shipped packages, and (slow) the sdist built from the files packaging reads, the
wheel built from that sdist, installed into a folder outside the repository and run from
another folder. A file the code reads by a path that only a checkout has (a config preset,
data, weights, the workbench page) fails here. What goes into the wheel:
tests/retrieval/test_packaging.py."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("colorizer", "context", "retrieval")
# Imports of the shipped packages that only an optional feature needs, each behind an
# ImportError that says what to install: the extra that brings it, or None (said in the error).
OPTIONAL = {"c2pa": "c2pa", "cryptography": "c2pa", "ray": "ray", "transformers": None}


def _requirement_name(spec: str) -> str:
    return re.split(r"[\s;<>=!~\[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _third_party_imports() -> dict[str, str]:
    """Top-level module -> one file importing it, over the shipped packages."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, str(path.relative_to(REPO)))
    found.pop("__future__", None)
    return found


def test_every_import_of_the_shipped_packages_is_a_declared_dependency():
    """An import that only works because another package happens to bring its distribution
    (fastapi's starlette, uvicorn's h11) breaks when that package stops bringing it."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_requirement_name(s) for s in project["dependencies"]}
    extras = project["optional-dependencies"]
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(_third_party_imports().items()):
        if module in OPTIONAL:
            assert OPTIONAL[module] is None or OPTIONAL[module] in extras, module
            continue
        names = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        if not names & declared:
            missing.append(f"{module} ({where}; distribution {sorted(names) or '?'})")
    assert not missing, "imported but not in [project] dependencies: " + ", ".join(missing)


def _copy_source(dest: Path) -> Path:
    """What a clone holds for packaging: pyproject, README, MANIFEST.in, the build backend,
    the packages (their data links kept as links) and configs/, which the links point into."""
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy2(REPO / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in (*PACKAGES, "configs", "scripts/packaging"):
        shutil.copytree(REPO / package, dest / package, symlinks=True, ignore=ignore)
    return dest


def _run(argv: list[str], cwd: Path, env: dict | None = None, timeout: int = 300) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{argv[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The wheel, built from the sdist as pip does, installed (no dependencies: the test's
    environment has them) into a folder of its own."""
    pytest.importorskip("setuptools")
    src = _copy_source(tmp_path_factory.mktemp("clone"))
    dist = tmp_path_factory.mktemp("dist")
    sdist_code = "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))"
    _run([sys.executable, "-c", sdist_code, str(dist)], cwd=src)
    (sdist,) = dist.glob("chronochrome-*.tar.gz")
    unpacked = tmp_path_factory.mktemp("sdist")
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(dist), str(root)], cwd=unpacked)
    (wheel,) = dist.glob("chronochrome-*.whl")
    target = tmp_path_factory.mktemp("site")
    _run([*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(target),
          str(wheel)], cwd=unpacked)
    return target


@pytest.fixture(scope="module")
def user(site, tmp_path_factory):
    """Runs Python code in a folder outside the checkout, the installed packages first on
    sys.path (ahead of the checkout's editable install)."""
    folder = tmp_path_factory.mktemp("user")
    from PIL import Image, ImageDraw

    photo = Image.new("L", (160, 112), 90)
    ImageDraw.Draw(photo).rectangle((20, 30, 110, 90), fill=200)
    photo.save(folder / "photo.png")
    env = {**os.environ, "PYTHONPATH": str(site)}  # the usual cache: keyed on content

    def python(code: str, *argv: str) -> str:
        return _run([sys.executable, "-c", code, *argv], cwd=folder, env=env)

    return folder, python


CLI = "import sys; from colorizer.apps.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.slow
def test_the_packages_import_from_the_installed_folder(site, user):
    _, python = user
    out = python("import colorizer, context, retrieval; "
                 "print('\\n'.join(m.__file__ for m in (colorizer, context, retrieval)))")
    assert all(Path(f).is_relative_to(site) for f in out.split()), out


@pytest.mark.slow
def test_colorize_context_and_check_run_from_the_wheel(site, user):
    folder, python = user
    python(CLI, "colorize", "photo.png", "-o", "out", "--hint", "USSR 1950", "--report")
    report = json.loads((folder / "out" / "photo.json").read_text())
    # The report is shared with colleagues: the weights folder by its name, not where it sits
    # (it asserted the installed absolute path; the Python API's result keeps that, below).
    assert report["model"]["path"] == "default" and report["model"]["sha256"]
    assert report["context"]["region"]["name"] == "USSR"
    context = json.loads(python(CLI, "context", "photo.png", "--hint", "Kazan 1950s"))
    assert context["region"]["name"].startswith("Kazan") and context["era"]["start"] == 1950
    python(CLI, "check", "out/photo.png", "--original", "photo.png", "--json", "check.json")
    assert (folder / "check.json").is_file()


@pytest.mark.slow
def test_the_python_api_and_the_workbench_page_run_from_the_wheel(site, user):
    _, python = user
    out = python("""
from fastapi.testclient import TestClient
from colorizer import ColorizationPipeline
from colorizer.apps.web.app import create_app

pipe = ColorizationPipeline.from_pretrained()
result = pipe("photo.png", hints="USSR 1950")
assert result.uncertainty.shape == (112, 160), result.uncertainty.shape
client = TestClient(create_app(pipe))
for url in ("/", "/static/app.js", "/static/style.css", "/static/check.js",
            "/static/hints.js"):
    response = client.get(url)
    assert response.status_code == 200 and response.content, url
print(result.model.path)
print("ok")
""")
    weights, ok = out.strip().splitlines()[-2:]
    assert ok == "ok" and Path(weights).is_relative_to(site)  # the installed weights


@pytest.mark.slow
def test_a_training_config_outside_the_checkout_finds_the_generator_preset(site, user):
    folder, python = user
    (folder / "mine.json").write_text(json.dumps({"data_dir": "photos", "steps": 2}))
    out = python("""
from colorizer.training.config_check import check_input_paths
from colorizer.training.train_config import TrainConfig, resolve

config = TrainConfig.from_json("mine.json")
check_input_paths(config, resolve)
print(resolve(config.generator))
""")
    preset = Path(out.strip())
    assert preset.is_relative_to(site) and json.loads(preset.read_text())["width16"] > 0
