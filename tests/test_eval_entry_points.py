"""What every eval command shares: the `python -m eval` dispatcher, --out checks, partial runs
kept out of eval/results, and no faiss start-up noise."""

import logging
from pathlib import Path

import pytest

from eval import __main__ as dispatcher
from eval import common

EVAL_DIR = Path(common.__file__).parent


def test_every_module_with_a_main_is_a_command(capsys):
    assert dispatcher.main(["--help"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines()
              if line.startswith("  ")}
    modules = {p.stem for p in EVAL_DIR.glob("*.py") if p.stem != "__main__"
               and "\ndef main(" in p.read_text() and '__name__ == "__main__"' in p.read_text()}
    packages = {p.parent.name for p in EVAL_DIR.glob("*/__main__.py")}
    assert {"check", "color_hints", "red_guard", "val_loss", "report", "bench"} <= listed
    assert modules | packages <= listed


@pytest.mark.parametrize(("command", "prog"), [("check", "python -m eval.check"),
                                               ("red_guard", "usage:"),
                                               ("val_loss", "usage:"),
                                               ("color_hints", "usage:")])
def test_commands_beyond_the_old_list_run(command, prog, capsys):
    with pytest.raises(SystemExit) as stop:
        dispatcher.main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr()
    assert prog in out.out and "unknown command" not in out.err


def test_unknown_command_names_the_commands(capsys):
    assert dispatcher.main(["chekc"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'chekc'" in err and "check" in err and "real_photos" in err


@pytest.mark.parametrize("command", ["real_photos", "report", "blobs", "flag_bench",
                                     "flag_scenes", "tune_transfer", "operating_point", "check",
                                     "tradeoff", "film_inputs", "real_writing",
                                     "color_hints.bound", "color_hints"])
def test_out_that_is_a_file_is_one_error_line_before_any_work(command, tmp_path, capsys):
    file = tmp_path / "somefile"
    file.write_text("not a folder")
    with pytest.raises(SystemExit) as stop:
        dispatcher.main([command, *(["--limit", "1"] if command != "tune_transfer" else []),
                         "--out", str(file)])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: --out {file} is a file; --out names a folder (created when absent)"]
    assert file.read_text() == "not a folder"


def test_out_below_a_file_and_a_file_out_that_is_a_folder(tmp_path, capsys):
    (tmp_path / "somefile").write_text("x")
    with pytest.raises(SystemExit) as stop:
        dispatcher.main(["report", "--out", str(tmp_path / "somefile" / "sub")])
    assert stop.value.code == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        dispatcher.main(["place_floor", "--out", str(tmp_path)])  # --out names a .md file
    assert stop.value.code == 2
    assert f"--out {tmp_path} is a folder; --out names a file" in capsys.readouterr().err


def test_partial_run_default_out_leaves_eval_results(tmp_path, monkeypatch, capsys):
    import argparse

    monkeypatch.setattr(common, "PARTIAL_RUNS", tmp_path / "partial")
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=common.RESULTS_DIR / "real")
    args = common.parse_eval_args(parser, ["--limit", "2"])
    assert args.out == tmp_path / "partial" / "real"
    assert f"writing to {tmp_path / 'partial' / 'real'}" in capsys.readouterr().err
    assert common.parse_eval_args(parser, []).out == common.RESULTS_DIR / "real"  # a whole run
    typed = common.parse_eval_args(parser, ["--limit", "2", "--out", str(common.RESULTS_DIR)])
    assert typed.out == common.RESULTS_DIR  # typed: the user's choice


def test_faiss_start_up_lines_are_hidden(monkeypatch):
    faiss_log = logging.getLogger("faiss.loader")
    monkeypatch.setattr(faiss_log, "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger(), "level", logging.INFO)
    assert faiss_log.isEnabledFor(logging.INFO)
    common.configure_logging()
    assert not faiss_log.isEnabledFor(logging.INFO)
    assert faiss_log.isEnabledFor(logging.WARNING)

    monkeypatch.setattr(faiss_log, "level", logging.NOTSET)
    assert dispatcher.main(["report", "--shared", "/nonexistent/shared", "--out", "/tmp"]) == 2
    assert not faiss_log.isEnabledFor(logging.INFO)


def _runnable_modules() -> set[str]:
    """Every `python -m eval.<name>` there is, at any depth, read from the files: a module with
    `main` and a `__main__` guard, or a package with `__main__.py`."""
    names = set()
    for path in EVAL_DIR.rglob("*.py"):
        parts = path.relative_to(EVAL_DIR).with_suffix("").parts
        text = path.read_text(encoding="utf-8")
        if path.name == "__main__.py" and len(parts) > 1:
            names.add(".".join(parts[:-1]))
        elif (path.stem not in ("__init__", "__main__") and "\ndef main(" in text
              and '__name__ == "__main__"' in text):
            names.add(".".join(parts))
    return names


def test_help_lists_submodule_commands_of_packages(capsys):
    assert dispatcher.main(["--help"]) == 0
    lines = [line.split(None, 1) for line in capsys.readouterr().out.splitlines()
             if line.startswith("  ")]
    listed = {name: about for name, about in lines}
    assert {"color_hints.bound", "color_hints.tuning"} <= set(listed)
    assert listed["color_hints.bound"] == ("the most one point hint can cut, when what it changes "
                                          "outside its segment is bounded as issue 19 bounds it.")
    assert listed["color_hints.tuning"].startswith("A fast tuning set for several points'")
    assert _runnable_modules() <= set(listed)  # a new module cannot be missed
    assert "color_hints.cli" not in listed and "color_hints.photos" not in listed


def test_a_submodule_command_runs_its_own_main(capsys):
    with pytest.raises(SystemExit) as stop:
        dispatcher.main(["color_hints.bound", "--help"])
    assert stop.value.code == 0
    assert "usage: python -m eval.color_hints.bound" in capsys.readouterr().out
