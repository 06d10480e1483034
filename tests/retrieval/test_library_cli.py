import json

from retrieval.cli import main


def test_build_and_search_an_archive(tmp_path, tiny_archive, capsys, offline_text):
    folder, meta = tiny_archive
    out = tmp_path / "lib"
    assert main(["build", str(folder), "--metadata", str(meta), "--era", "1905-1915",
                 "--region", "Russian Empire", "--out", str(out)]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["count"] == 3 and built["visual_embedder"] is None
    assert main(["search", "--hint", "Russian Empire 1910", "--library", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["query"]["region"] == "Russian Empire"
    assert result["query"]["era"]["start"] == 1910
    assert {h["id"] for h in result["results"]} == {"p0", "p1", "p2"}
    assert all(0 < h["score"] <= 1 and h["why"] for h in result["results"])


def test_errors_say_what_to_do(capsys, offline_text):
    assert main(["search"]) == 2
    assert "--hint" in capsys.readouterr().err
    assert main(["search", "--image", "x.jpg"]) == 2
    assert "visual embedder" in capsys.readouterr().err
    assert main(["build", "nowhere"]) == 2
    assert "--metadata" in capsys.readouterr().err


def test_image_search_alone_and_with_a_hint(tmp_path, tiny_archive, capsys, offline_text):
    """--image alone browses by look; with --hint it is the pipeline's conditioned call."""
    import argparse

    from retrieval.cli import _add_arguments, run_library_command
    from retrieval.embedders import ThumbnailEmbedder

    parser = argparse.ArgumentParser()
    _add_arguments(parser)
    visual = ThumbnailEmbedder(8)
    folder, meta = tiny_archive
    out = tmp_path / "lib"
    build = ["build", str(folder), "--metadata", str(meta), "--era", "1905-1915", "--region",
             "Russian Empire", "--out", str(out)]
    assert run_library_command(parser.parse_args(build), visual) == 0
    assert json.loads(capsys.readouterr().out)["visual_embedder"] == visual.name
    search = ["search", "--image", str(folder / "p1.jpg"), "--library", str(out), "--json"]
    assert run_library_command(parser.parse_args(search), visual) == 0
    alone = json.loads(capsys.readouterr().out)["results"]
    assert alone[0]["id"] == "p1" and alone[0]["why"][0].startswith("visual similarity")
    assert run_library_command(parser.parse_args([*search, "--hint", "Russian Empire 1910"]),
                               visual) == 0
    hinted = json.loads(capsys.readouterr().out)["results"]
    assert hinted[0]["id"] == "p1" and "era 1905-1915 overlaps 1910" in hinted[0]["why"]
