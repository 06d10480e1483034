"""A user's library enters the outputs' fingerprint by what it holds, not only by its path:
rebuilt with --overwrite into the same folder, a batch re-run must not take the outputs made
from the first library as done."""

from __future__ import annotations

from pathlib import Path

from colorizer.pipeline.fingerprint import fingerprint_components
from retrieval.retriever import RetrieverConfig


def _library(folder: Path, records: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "library.json").write_text('{"format": "chronochrome-exemplar-library"}')
    (folder / "exemplars.jsonl").write_text(records)
    return folder


def test_a_rebuilt_library_changes_the_record(tmp_path: Path) -> None:
    folder = _library(tmp_path / "lib", '{"id": "a"}\n')
    config = RetrieverConfig(library=str(folder))
    first = fingerprint_components(True, True, None, config)
    assert fingerprint_components(True, True, None, config) == first  # stable
    _library(folder, '{"id": "b"}\n')  # the same folder, other exemplars
    second = fingerprint_components(True, True, None, config)
    assert second["retriever_config"] != first["retriever_config"]
    assert second["retriever_config"].startswith(repr(config))


def test_the_default_library_keeps_the_record_written_before() -> None:
    # Fingerprints already written (outputs skipped as done) hold these exact texts.
    assert fingerprint_components(True, False, None, None) == {
        "context": True, "exemplars": False, "context_config": "None",
        "retriever_config": "None"}
    config = RetrieverConfig(k=3)
    assert fingerprint_components(True, True, None, config)["retriever_config"] == repr(config)
