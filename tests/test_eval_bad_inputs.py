"""The generated bad-input suite (eval/bad_inputs.py): its cases, and a sample run."""

from __future__ import annotations

import pytest

from eval.bad_inputs import build_cases, run_case


def test_at_least_120_cases_are_generated(tmp_path):
    cases = build_cases(tmp_path)
    assert len(cases) >= 120
    assert len({c.name for c in cases}) == len(cases)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fifo", "dev-zero-link", "flag --chroma-scale nan",
                                  "file header-100000x100000.png"])
def test_sample_cases_fail_cleanly(tmp_path, name):
    case = next(c for c in build_cases(tmp_path) if c.name == name)
    outcome = run_case(case, timeout=120)
    assert outcome.returncode in (1, 2) and not outcome.traceback
    assert "error:" in outcome.message
