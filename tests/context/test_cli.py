import argparse
import json

from context.cli import add_context_parser, run_context_command


def test_context_subcommand_prints_scene_context(capsys):
    parser = argparse.ArgumentParser(prog="chronochrome")
    add_context_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["context", "--hint", "Berlin 1945", "--no-ocr", "--no-embedding"])
    assert run_context_command(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["era"]["start"] == 1945 and data["region"]["wikidata"] == "Q64"
    assert data["sources"]["clip"]["used"] is False


def test_missing_image_is_an_error(capsys, tmp_path):
    parser = argparse.ArgumentParser()
    add_context_parser(parser.add_subparsers())
    args = parser.parse_args(["context", str(tmp_path / "nope.jpg")])
    assert run_context_command(args) == 2
    assert "no such image" in capsys.readouterr().err
