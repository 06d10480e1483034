"""`python -m eval.hint_cities --min-population P`: every GeoNames city of P people typed
alone as a hint, through the real command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # 1,171 hints, 15-30 s
def test_cities_of_half_a_million_are_read_in_their_country(tmp_path):
    """Lyon (520,000 people) gave no region: the figure names every city it misses, and the
    command takes a population floor instead of only the N largest."""
    out = tmp_path / "cities.md"
    run = subprocess.run([sys.executable, "-m", "eval.hint_cities", "--min-population",
                          "500000", "--out", str(out)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "`python -m eval.hint_cities --min-population 500000`" in text
    right, total = map(int, re.search(r"Right country: \*\*(\d+)/(\d+)\*\*", text).groups())
    # Pristina: Kosovo, no ISO country here; "Gold Coast 1950" is Ghana, right for 1950
    # (the Queensland city took the name in 1958), counted a miss against today's country.
    assert total > 1100 and right >= total - 2
    assert "| Gold Coast | 640,778 | AU | Ghana (GH) |" in text
    for city in ("Lyon", "Perm", "Fes", "Miami", "Tula", "Québec"):
        assert f"| {city} |" not in text
    assert text in run.stdout
