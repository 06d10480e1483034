import json

import pytest

from retrieval.embedders import HashingTextEmbedder, ThumbnailEmbedder
from retrieval.library import ExemplarLibrary

TINY_COUNT = 13


def test_folder_layout_and_round_trip(tiny_library):
    root = tiny_library.root
    assert (root / "library.json").exists() and (root / "text.faiss").exists()
    assert (root / "visual.faiss").exists()
    lines = (root / "exemplars.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == TINY_COUNT
    first = json.loads(lines[0])
    assert (root / first["image"]).is_file()
    again = ExemplarLibrary.load(root, HashingTextEmbedder(128), ThumbnailEmbedder(8))
    assert [e.id for e in again.exemplars] == [e.id for e in tiny_library.exemplars]
    assert again.info.visual_embedder == "luma-thumbnail-8"


def test_flag_images_keep_the_cloth_alpha_and_swatches_stay_rgb(tiny_library):
    from PIL import Image

    modes = {}
    for exemplar in tiny_library.exemplars:
        with Image.open(tiny_library.root / exemplar.image) as image:
            modes.setdefault(exemplar.kind in ("flag", "ensign", "banner"), set()).add(image.mode)
    assert modes[True] == {"RGBA"}
    assert modes.get(False, {"RGB"}) == {"RGB"}


def test_load_refuses_other_embedders(tiny_library):
    with pytest.raises(ValueError, match="embedder"):
        ExemplarLibrary.load(tiny_library.root, HashingTextEmbedder(64))
    with pytest.raises(ValueError, match="luma-thumbnail-8"):
        ExemplarLibrary.load(tiny_library.root, HashingTextEmbedder(128), ThumbnailEmbedder(12))


def test_visual_search_needs_a_visual_index(tmp_path, resolver):
    from retrieval.knowledge import curated_records

    records = [r for r in curated_records(resolver) if r[0].id == "hinomaru"]
    lib = ExemplarLibrary.build(tmp_path / "t", records, HashingTextEmbedder(32))
    with pytest.raises(ValueError, match="no visual index"):
        ExemplarLibrary.load(lib.root, HashingTextEmbedder(32), ThumbnailEmbedder(8))


def test_not_a_library(tmp_path):
    with pytest.raises(FileNotFoundError, match="library build"):
        ExemplarLibrary.load(tmp_path)
