"""What a notebook prints for the objects a user meets in `result.*`: one short line each, with
what a historian reads (an exemplar's id, title, use, color share, why it was rejected; a
region's kind and share), never a record, an array or a byte block dumped whole."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorHint, ColorizationPipeline, Point
from colorizer.pipeline.carried_metadata import CarriedMetadata
from colorizer.pipeline.color_hints import Mask
from colorizer.pipeline.color_regions import ColorRegion, ColorRegions
from colorizer.pipeline.exemplar_report import ExemplarUse
from retrieval.types import Exemplar, NamedColor, RegionRef, RetrievedExemplar

REJECTED = ("cloth identity: the flag finder sees cloth (evidence 1.000), but no piece of it "
            "shows this design's field, nor its lettering, nor anything the gate would call "
            "this flag's red")


def _flag_hit() -> RetrievedExemplar:
    """A library hit as the curated flags.json gives it (its record is long: description,
    license, source), scored as a search returns it."""
    record = Exemplar(
        id="rsfsr_flag_1918", kind="flag",
        title="Flag of the Russian SFSR 1918-1954 (red with the gold letters \u0420\u0421\u0424"
              "\u0421\u0420)",
        start=1918, end=1954,
        regions=(RegionRef(name="Russian SFSR", wikidata="Q2184", gazetteer="rsfsr"),),
        colors=(NamedColor("red", "#CC0000", "field"), NamedColor("gold", "#FFD700", "lettering")),
        source="https://en.wikipedia.org/wiki/Flag_of_the_Russian_Soviet_Federative_Socialist_"
               "Republic",
        license="Apache-2.0 (record authored by chronochrome; image rendered by chronochrome "
                "code from the record)",
        image="images/rsfsr_flag_1918.png",
        description="The flag of the Russian SFSR from 1918: a red field with the gold letters "
                    "of the republic's name in the canton. " * 6,
        note="The lettering changed in 1937; the red is the state's standard field.")
    return RetrievedExemplar(record, 0.7132, {"text": 0.8, "era": 1.0, "region": 1.0},
                             ("era 1918-1954 overlaps 1950", "region Russian SFSR"),
                             "/home/alice/.cache/chronochrome/library/images/rsfsr.png")


def test_an_exemplar_use_prints_its_id_title_use_share_and_reason_in_a_line():
    hit = _flag_hit()
    rejected = ExemplarUse(hit, True, 0.0, 0.0, 0.0, 1.0, REJECTED)
    text = repr(rejected)
    assert len(text) <= 300, text  # the record's generated repr: ~1,600 characters
    assert text.startswith("ExemplarUse(id='rsfsr_flag_1918', kind='flag', title='Flag of the "
                           "Russian SFSR"), text
    assert "used=True, color_share=0.0, rejected=\"cloth identity: the flag finder sees" in text
    assert "\u2026" in text and hit.exemplar.description[:40] not in text
    unused = repr(ExemplarUse(hit, False))
    assert unused.endswith("used=False, color_share=None, rejected=None)"), unused
    # Equality and fields stay the dataclass's: the repr is all that changed.
    assert rejected == ExemplarUse(hit, True, 0.0, 0.0, 0.0, 1.0, REJECTED)
    assert rejected.to_dict()["rejected"] == REJECTED


def test_a_retrieved_hit_prints_without_its_record():
    text = repr(_flag_hit())
    assert len(text) <= 200, text  # generated: ~1,400 characters
    assert text == ("RetrievedExemplar(id='rsfsr_flag_1918', kind='flag', title='Flag of the "
                    "Russian SFSR 1918-1954 (red with the gold letters \u0420\u0421\u0424"
                    "\u0421\u0420)', years=1918-1954, score=0.7132, why=<2 reasons>)")


def test_color_regions_print_the_map_by_its_shape_and_each_region_briefly():
    ids = np.zeros((177, 320), dtype=np.uint8)
    ids[:80, :200] = 1
    hint = ColorRegion(1, "hint", "user hint (point 50,60): #b22222", "history p.12", 0.2825,
                       0.98, (0, 0, 400, 160),
                       {"kind": "color", "where": {"point": [50, 60]}, "color": "#b22222",
                        "notes": ["the photo is lighter there (L* 100) " * 8]})
    regions = ColorRegions(ids, (640, 354), (
        ColorRegion(0, "model", "the model's guess", None, 0.7175, 0.54, (0, 0, 640, 354)),
        hint) + tuple(ColorRegion(k, "hint", f"user hint (point {k},{k}): navy", None, 0.0, 0.0,
                                  None) for k in range(2, 12)))
    text = repr(regions)
    assert len(text) <= 800, text  # generated: the map's numbers and every record
    assert text.startswith("ColorRegions(map=<uint8 (177, 320)>, size=(640, 354), regions=["
                           "0 model 71.8%: \"the model's guess\", 1 hint 28.2%: 'user hint "
                           "(point 50,60): #b22222'"), text
    assert text.endswith(", +4 more])"), text  # 12 regions: the first 8 named
    shown = repr(hint)
    assert len(shown) <= 250 and "L* 100" not in shown, shown
    assert shown.endswith("box=(0, 0, 400, 160), detail=<kind, where, color, notes>)"), shown
    assert hint.to_dict()["detail"]["color"] == "#b22222"  # the record keeps it all


def test_a_mask_hint_and_carried_metadata_print_sizes_not_contents():
    mask = np.zeros((480, 640), dtype=bool)
    mask[100:200, 100:300] = True
    hint = ColorHint(Mask(mask), "navy", source="uniform regulations, 1943")
    assert repr(hint) == ("ColorHint(where=Mask(mask=<bool (480, 640)>), color='navy', "
                          "source='uniform regulations, 1943')")
    carried = CarriedMetadata(exif=b"Exif\0\0" + bytes(5000), dpi=(300.0, 300.0),
                              xmp=b"<x:xmpmeta>" + b" " * 4000 + b"</x:xmpmeta>")
    assert repr(carried) == ("CarriedMetadata(exif=<5006 bytes>, dpi=(300.0, 300.0), "
                             "xmp=<4023 bytes>)")
    assert repr(CarriedMetadata()) == "CarriedMetadata(exif=None, dpi=None, xmp=None)"
    assert carried == CarriedMetadata(carried.exif, carried.dpi, carried.xmp)


@pytest.fixture(scope="module")
def pipe(shared_tiny_weights):
    return ColorizationPipeline.from_pretrained(shared_tiny_weights, device="cpu",
                                                context=False, exemplars=False, render_size=64)


def test_a_results_exemplars_and_regions_print_in_a_few_lines(pipe):
    photo = Image.linear_gradient("L").resize((96, 64))
    reference = Image.new("RGB", (48, 32), (180, 40, 40))
    result = pipe(photo, exemplars=[reference],
                  color_hints=[ColorHint(Point(20, 20), "#b22222", source="a diary")])
    (use,) = result.exemplars
    assert repr(result.exemplars) == f"({use!r},)"
    assert repr(use).startswith("ExemplarUse(id='user:") and "used=True" in repr(use)
    assert f"color_share={use.color_share}" in repr(use) and len(repr(use)) <= 300
    text = repr(result.color_regions)
    assert text.startswith("ColorRegions(map=<uint8 (64, 96)>, size=(96, 64), regions=[0 model")
    assert "1 hint" in text and "2 exemplar" in text and "array(" not in text, text
    assert len(text) <= 400, text
