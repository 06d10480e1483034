"""eval.cache: a benchmark's cache folder is keyed by what decides its contents."""

from __future__ import annotations

from eval.cache import code_digest, versioned_cache


def test_a_cache_folder_per_version_under_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHRONOCHROME_CACHE", str(tmp_path))
    first = versioned_cache("check-cases", "fingerprint-a", code="code-1")
    assert first.parent == tmp_path / "eval" / "check-cases" and first.is_dir()
    (first / "x.png").write_bytes(b"kept")
    assert versioned_cache("check-cases", "fingerprint-a", code="code-1") == first
    assert (first / "x.png").read_bytes() == b"kept"  # the same version reads its cache
    other = tmp_path / "eval" / "other-bench" / "0123456789abcdef"
    other.mkdir(parents=True)
    # Another model (fingerprint) or another code version: a fresh folder, the stale one gone.
    for fingerprint, code in (("fingerprint-b", "code-1"), ("fingerprint-b", "code-2")):
        new = versioned_cache("check-cases", fingerprint, code=code)
        assert new != first and not any(new.iterdir()) and not first.exists()
        first = new
    assert other.is_dir()  # another benchmark's cache is not touched


def test_the_code_digest_follows_the_source(tmp_path):
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    before = code_digest(tmp_path, ("pkg",))
    (tmp_path / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert code_digest(tmp_path, ("pkg",)) == before  # bytecode does not count
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n")
    assert code_digest(tmp_path, ("pkg",)) != before


def test_eval_check_no_longer_defaults_to_a_shared_tmp_folder():
    from eval.check.cli import build_parser

    assert build_parser().parse_args([]).cache is None  # resolved to versioned_cache at run
