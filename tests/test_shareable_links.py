"""Signed links in shared texts: the credential's value blanked to the link's end, and the
text around the link kept as written (its comma, full stop, quote or bracket)."""

from __future__ import annotations

import json

import pytest

from colorizer.pipeline.shareable import shareable_text


@pytest.mark.parametrize(("text", "shared"), [
    ("Kazan, see https://a.test/p.jpg?token=abc123, 1956",
     "Kazan, see https://a.test/p.jpg?token=REDACTED, 1956"),
    ("scan: https://a.test/p.jpg?sig=abc.", "scan: https://a.test/p.jpg?sig=REDACTED."),
    ("(https://a.test/p.jpg?X-Amz-Signature=f00d)",
     "(https://a.test/p.jpg?X-Amz-Signature=REDACTED)"),
    ("'https://a.test/p.jpg?key=k9'", "'https://a.test/p.jpg?key=REDACTED'"),
    ("https://a.test/p.jpg?token=abc&w=3", "https://a.test/p.jpg?token=REDACTED&w=3"),
])
def test_the_punctuation_after_a_link_is_kept(text, shared):
    assert shareable_text(text) == shared


@pytest.mark.parametrize("secret", [
    "aa.bb.cc",  # a JWT: dots inside the value
    "ab)cd", "ab,cd", "ab'cd", "a.b-c_d~e%2F",
])
def test_signs_inside_a_value_stay_redacted(secret):
    shared = shareable_text(f"https://a.test/p.jpg?access_token={secret} next")
    assert shared == "https://a.test/p.jpg?access_token=REDACTED next"


def test_a_json_string_ending_in_a_signed_link_still_parses():
    text = json.dumps({"caption": "https://a.test/p.jpg?token=abc", "era": 1956})
    assert json.loads(shareable_text(text)) == {
        "caption": "https://a.test/p.jpg?token=REDACTED", "era": 1956}
