"""chronochrome's build backend: setuptools', with every wheel packed from an empty build/lib.

setuptools copies the packages and their data into build/lib and packs that folder whole, and
it never removes what the source tree no longer holds (pypa/setuptools#1871). So `pip wheel .`
or `pip install .` in a checkout, which build in the checkout's build/ folder, shipped a module,
a page script or a weights file deleted or renamed since the last such build beside its
successor (tests/test_wheel_install.py). `python -m build` packs the wheel from the sdist in a
fresh folder and never met it. pyproject.toml names this module ([build-system] backend-path);
MANIFEST.in puts it into the sdist, which builds the wheel through it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  (the hooks pip calls, unchanged)
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

# setuptools' build_lib for a pure-Python project, relative to the source tree, which is the
# current folder while a hook runs (PEP 517).
BUILD_LIB = Path("build") / "lib"


def build_wheel(wheel_directory: str, config_settings: dict | None = None,
                metadata_directory: str | None = None) -> str:
    """setuptools' build_wheel after removing what an earlier build left in build/lib."""
    shutil.rmtree(BUILD_LIB, ignore_errors=True)
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
