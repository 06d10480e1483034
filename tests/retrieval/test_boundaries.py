"""Package rules: retrieval never imports colorizer; only retrieval/index.py imports faiss;
importing retrieval loads nothing heavy."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "retrieval"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_import_rules():
    for path in PACKAGE.glob("*.py"):
        names = _imports(path)
        assert "colorizer" not in names, f"{path.name} imports colorizer"
        if path.name != "index.py":
            assert "faiss" not in names, f"{path.name} imports faiss"


def test_import_has_no_side_effects():
    code = ("import sys, retrieval; "
            "print('faiss' in sys.modules, 'colorizer' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True).stdout.split()
    assert out == ["False", "False"]
