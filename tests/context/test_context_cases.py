"""The accuracy suite's cases are as issue 4 states, and fair to the classifiers."""

import pytest

from context.config import ContextConfig
from context.script import load_languages, words_of
from eval.context_cases import HINTS, HISTORICAL_BW, LANGUAGE_LINES, SCRIPT_LINES
from eval.context_suite import check_cases


def test_script_cases_cover_six_scripts_with_long_lines():
    assert len(SCRIPT_LINES) >= 6
    assert all(len(t) >= 12 for lines in SCRIPT_LINES.values() for t in lines)


def test_language_sentences_share_no_word_with_the_cue_lists():
    cues = {w for lang in load_languages(ContextConfig().data_dir) for w in lang.words}
    assert set(LANGUAGE_LINES) == {"rus", "tat", "ukr", "bel", "kaz"}
    for lines in LANGUAGE_LINES.values():
        assert len(lines) >= 8
        for text in lines:
            assert len(text) >= 12
            assert not words_of(text) & cues, text
    check_cases()  # the suite refuses to run otherwise


def test_hint_cases_are_enough_and_include_the_archive_file_names():
    assert len(HINTS) + len(HISTORICAL_BW) >= 80
    assert sum(any("\u0400" <= ch <= "\u04ff" for ch in t) for t, *_ in HINTS) >= 20
    assert all(name.endswith(".jpg") for name, *_ in HISTORICAL_BW)


def test_every_photo_of_historical_bw_is_a_caption_case(shared_datasets):
    folder = shared_datasets / "historical-bw"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    photos = {p.name for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")}
    assert photos == {name for name, *_ in HISTORICAL_BW}
