"""The service's settings as an admin gives them (`--config FILE`, `--metrics-token-file`,
environment variables): a wrong one stops `serve`/`keys` with one line naming the setting and
what it must be, exit status 2, never a traceback.

Before, a missing config or token file ended in a FileNotFoundError traceback, `"queue_cap":
"abc"` in a TypeError from `__post_init__`, a config that is a JSON list in a TypeError, and
`"fetch": {"max_redirects": "x"}` was accepted and failed at the first fetch."""

from __future__ import annotations

import json

import pytest

from colorizer.apps.cli import main


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    ({"queue_cap": "abc"}, 'queue_cap must be a whole number, got "abc"'),
    ({"lease_seconds": "2m"}, 'lease_seconds must be a number, got "2m"'),
    ({"worker_threads": True}, "worker_threads must be a whole number, got true"),
    ({"public_url": 5}, "public_url must be a string or null, got 5"),
    ({"fetch": {"max_redirects": "x"}}, 'fetch.max_redirects must be a whole number, got "x"'),
    ({"fetch": {"allowed_hosts": ["a.org", 3]}},
     'fetch.allowed_hosts must be a list of strings, got ["a.org", 3]'),
    ({"c2pa": {"cert_chain": 5, "private_key": "k.pem"}},
     "c2pa.cert_chain must be a path (string), got 5"),
    ([1, 2], "must be a JSON object of ServiceConfig fields"),
])
def test_a_config_value_of_the_wrong_type_is_one_line(tmp_path, capsys, content, message):
    config = tmp_path / "service.json"
    config.write_text(json.dumps(content))
    code, err = _run(capsys, "keys", "create", "--name", "a", "--config", str(config),
                     "--data-dir", str(tmp_path / "svc"))
    assert code == 2
    assert err.startswith(f"error: invalid service settings: {config}: ") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "svc").exists()  # nothing was created from a wrong config


def test_missing_or_malformed_files_are_one_line(tmp_path, capsys):
    missing = tmp_path / "nope.json"
    code, err = _run(capsys, "keys", "list", "--config", str(missing))
    assert code == 2 and err == (f"error: cannot read the service config {missing} (No such "
                                 "file or directory): give the path of a JSON file of "
                                 "ServiceConfig fields\n")
    broken = tmp_path / "broken.json"
    broken.write_text("{queue_cap: 5}")
    code, err = _run(capsys, "keys", "list", "--config", str(broken))
    assert code == 2 and err.startswith(f"error: invalid service settings: {broken} is not "
                                        "JSON (Expecting property name")
    code, err = _run(capsys, "serve", "--data-dir", str(tmp_path / "svc"),
                     "--metrics-token-file", str(tmp_path / "token"))
    assert code == 2 and err == (f"error: cannot read --metrics-token-file {tmp_path / 'token'}"
                                 " (No such file or directory): write the token into it "
                                 "(readable by the service's user only)\n")


def test_a_good_config_file_is_used(tmp_path, capsys):
    config = tmp_path / "service.json"
    config.write_text(json.dumps({"data_dir": str(tmp_path / "svc"), "queue_cap": 5,
                                  "lease_seconds": 30, "public_url": None,
                                  "fetch": {"allowed_hosts": ["iiif.example.org"]}}))
    code, _ = _run(capsys, "keys", "create", "--name", "a", "--config", str(config))
    assert code == 0 and (tmp_path / "svc" / "jobs.sqlite3").is_file()


@pytest.mark.parametrize("name, value, message", [
    ("CHRONOCHROME_RESULT_RETENTION", "abc",
     "$CHRONOCHROME_RESULT_RETENTION 'abc' is not a duration"),
    ("CHRONOCHROME_LOG_FORMAT", "xml",
     "$CHRONOCHROME_LOG_FORMAT 'xml' is not a log format: give text or json"),
])
def test_a_wrong_environment_value_is_one_line(tmp_path, capsys, monkeypatch, name, value,
                                               message):
    monkeypatch.setenv(name, value)
    code, err = _run(capsys, "serve", "--data-dir", str(tmp_path / "svc"))
    assert code == 2 and message in err and len(err.splitlines()) == 1
