import numpy as np
from PIL import Image

from retrieval.archive import ArchiveDefaults, archive_records, dominant_colors, parse_era
from retrieval.embedders import HashingTextEmbedder, ThumbnailEmbedder
from retrieval.library import ExemplarLibrary
from retrieval.retriever import ExemplarRetriever


def test_parse_era():
    assert parse_era("1905-1915") == (1905, 1915)
    assert parse_era("ca. 1910") == (1910, 1910)
    assert parse_era("1905–1915") == (1905, 1915)
    assert parse_era("unknown") is None


def test_dominant_colors_of_a_two_color_image():
    x = np.zeros((40, 40, 3), np.uint8)
    x[:, :30] = (200, 20, 20)
    x[:, 30:] = (20, 40, 160)
    colors = dominant_colors(Image.fromarray(x), n=2)
    assert np.abs(np.subtract(colors[0].rgb, (200, 20, 20))).max() <= 3
    assert colors[0].name == "red" and colors[1].name == "blue"
    assert colors[0].role in ("dominant 74%", "dominant 75%", "dominant 76%")


def test_archive_library_is_found_by_era_and_region(tmp_path, tiny_archive, resolver,
                                                     hint_context):
    folder, meta = tiny_archive
    defaults = ArchiveDefaults(era=(1905, 1915), region="Russian Empire")
    records = list(archive_records(folder, meta, resolver, defaults))
    e = records[0][0]
    assert (e.start, e.end, e.kind) == (1905, 1915, "photo")
    assert e.regions[0].wikidata == "Q34266" and e.source == "https://www.loc.gov/item/x"
    assert records[1][0].title == "plate 1" and records[1][0].license == "no known restrictions"
    lib = ExemplarLibrary.build(tmp_path / "lib", iter(records), HashingTextEmbedder(64),
                               ThumbnailEmbedder(8), name="plates")
    retriever = ExemplarRetriever(lib, resolver, HashingTextEmbedder(64))
    hits = retriever(hint_context("Russian Empire 1910"), k=3)
    assert sorted(h.id for h in hits) == ["p0", "p1", "p2"]
    assert retriever(hint_context("USSR 1950"), k=3) == []  # wrong era: filtered out
