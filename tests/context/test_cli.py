import argparse
import json

import pytest

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


@pytest.mark.slow
def test_letter_shapes_switch_loads_the_classifier(capsys, tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    path = tmp_path / "sign.png"
    img = Image.new("RGB", (480, 200), (40, 40, 40))
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(img).text((30, 70), "ДОРОГА ЖИЗНИ", font=font, fill=(235, 235, 235))
    img.save(path)
    parser = argparse.ArgumentParser()
    add_context_parser(parser.add_subparsers())
    details = []
    for flags in ([], ["--letter-shapes"]):
        args = parser.parse_args(["context", str(path), "--no-embedding", *flags])
        assert run_context_command(args) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["script"]["code"] == "Cyrl"  # read either way: printed and clear
        details.append(data["sources"]["ocr"]["detail"])
    assert "letter-shape" not in details[0] and details[1].endswith("+ letter-shape classifier")
