import json

import numpy as np
import pytest
from PIL import Image

from context import ContextConfig, ContextEncoder, SceneContext
from context.clip import ClipOutput


def test_hint_only_context(bare_encoder):
    ctx = bare_encoder(None, hint="Kazan 1950")
    assert (ctx.era.start, ctx.era.end, ctx.era.source) == (1950, 1950, "hint")
    assert ctx.region.name == "Kazan, Tatar ASSR, USSR"
    assert ctx.region.wikidata == "Q900" and ctx.region.iso == "SUHH"
    assert ctx.script is None and "script" in ctx.unknown
    assert ctx.sources["ocr"].used is False
    assert ctx.description == "A photograph from 1950 in Kazan, Tatar ASSR, USSR."


@pytest.mark.parametrize("hint,start,end,region", [
    ("Kazan 1910", 1910, 1910, "Kazan, Kazan Governorate, Russian Empire"),
    ("Berlin 1945", 1945, 1945, "Berlin, Allied-occupied Germany"),
    ("Paris 1880s", 1880, 1889, "Paris, French Third Republic"),
    ("Казань, 50-х годов", 1950, 1959, "Kazan, Tatar ASSR, USSR"),
    ("Ленинград, 1920-е", 1924, 1929, "Saint Petersburg, Russian SFSR, USSR"),
    ("Great Patriotic War", 1941, 1945, "Russia, Russian SFSR, USSR"),
])
def test_hints(bare_encoder, hint, start, end, region):
    ctx = bare_encoder(None, hint=hint)
    assert (ctx.era.start, ctx.era.end) == (start, end)
    assert ctx.region.name == region


def test_caption_file_name(bare_encoder):
    ctx = bare_encoder(None, caption="ddcolor__Detroit_circa_1915.jpg")
    assert (ctx.era.start, ctx.era.end, ctx.era.source) == (1910, 1920, "caption")
    assert ctx.region.wikidata == "Q12439" and ctx.region.modern_iso == "US"


def test_hint_outranks_caption_and_conflict_is_reported(bare_encoder):
    ctx = bare_encoder(None, hint="1900", caption="Moscow 1960")
    assert (ctx.era.start, ctx.era.end, ctx.era.source) == (1900, 1900, "hint")
    assert any(c.field == "era" and "1960" in c.other for c in ctx.conflicts)


def test_nothing_known_gives_nulls_with_reasons(bare_encoder):
    ctx = bare_encoder(None, hint="a nice old picture")
    assert ctx.era is None and ctx.region is None
    assert ctx.unknown["era"] and ctx.unknown["region"]


def test_numbers_a_read_hint_left_unread_are_reported(bare_encoder):
    """"Kazan 19500": the place is used, the typo'd year is said, not dropped unsaid; the
    hint itself stays understood (no "hint" note, which would keep it from retrieval)."""
    ctx = bare_encoder(None, hint="Kazan 19500")
    assert ctx.region is not None and "Kazan" in ctx.region.name and ctx.era is None
    assert "'19500'" in ctx.unknown["hint_words"] and "hint" not in ctx.unknown
    assert "hint_words" not in bare_encoder(None, hint="Kazan 1950").unknown


def test_json_round_trip(bare_encoder):
    ctx = bare_encoder(None, hint="Kazan 1950", caption="deoldify__1880Paris.jpg")
    data = json.loads(json.dumps(ctx.to_dict()))
    assert SceneContext.from_dict(data) == ctx


def test_empty_and_unknown_keys():
    empty = SceneContext.empty("context inference switched off")
    assert empty.to_dict()["era"] is None
    assert empty.unknown["era"] == "context inference switched off"
    with pytest.raises(ValueError, match="valid keys"):
        SceneContext.from_dict({**empty.to_dict(), "bogus": 1})
    with pytest.raises(ValueError, match="valid keys"):
        ContextConfig.from_dict({"use_orc": False})


class FakeScene:
    name = "fake-imagenet"

    def __init__(self, preds):
        self.preds = preds

    def __call__(self, image):
        return self.preds


def test_scene_cues_become_labels_and_evidence():
    # 829 streetcar (not before 1880), 614 kimono (Japan, weight 0.4: 0.8 x 0.4 = 0.32)
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False),
                         scene_classifier=FakeScene([(614, 0.8), (829, 0.6), (1, 0.1)]))
    ctx = enc(Image.new("RGB", (64, 64)))
    # goldfish at 0.1 is below the calibrated floor (eval/scene_floor.py): not shown, not used
    assert [s.label for s in ctx.scene] == ["kimono", "streetcar"]
    assert "goldfish" not in (ctx.description or "")
    assert ctx.scene[1].cue == "streetcar"
    assert ctx.era is None and "1880" in ctx.unknown["era"]  # open window is not an era
    assert ctx.region.source == "scene" and ctx.region.modern_iso == "JP"
    # Undated: Japan, but which state (Tokugawa shogunate, Empire of Japan, Japan) is open,
    # so the region is capped at fusion.UNDATED_CONFIDENCE below the cue's 0.32.
    assert ctx.region.confidence == pytest.approx(0.3)
    assert [c.polity for c in ctx.region.candidates][-1] == "Japan"
    assert ctx.sources["scene"].detail == "fake-imagenet"


def test_weak_scene_cue_names_no_region():
    # A kimono at p=0.3 scores 0.12 < fusion.MIN_SCORE["scene"]: no region, and why.
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False),
                         scene_classifier=FakeScene([(614, 0.3), (1, 0.1)]))
    ctx = enc(Image.new("RGB", (64, 64)))
    assert ctx.region is None
    assert "too weak" in ctx.unknown["region"] and "kimono" in ctx.unknown["region"]
    assert ctx.scene[0].label == "kimono"  # the label itself is still reported


def test_solvay_like_weak_pickelhaube_with_dated_caption():
    # The 1927 Solvay photo: the classifier gives pickelhaube 0.08 (Germany, 1842-1918) to
    # scientists in suits: below the calibrated floor (0.25), neither shown nor used.
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False),
                         scene_classifier=FakeScene([(652, 0.18), (715, 0.08)]))
    ctx = enc(Image.new("RGB", (64, 64)),
              caption="Solvay_conference_1927_Version2_1280x881.jpg")
    assert (ctx.era.start, ctx.era.end) == (1927, 1927)
    assert ctx.region is None and "pickelhaube" not in str(ctx.unknown.get("region"))
    assert [s.label for s in ctx.scene] == [] and ctx.conflicts == ()
    assert "unknown place" in ctx.description


def test_strong_scene_place_cue_outside_its_years_is_not_used():
    # A confident pickelhaube (0.9 x 0.5) says Germany only until 1918; with a 1927 caption
    # it names no region (rule 9 in context/fusion.py) and its era conflict is reported.
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False),
                         scene_classifier=FakeScene([(715, 0.9)]))
    ctx = enc(Image.new("RGB", (64, 64)), caption="group_photo_1927.jpg")
    assert ctx.region is None and "does not fit the era 1927" in ctx.unknown["region"]
    assert [c.field for c in ctx.conflicts] == ["era"]


def test_scene_does_not_override_hint():
    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False),
                         scene_classifier=FakeScene([(614, 0.9)]))
    ctx = enc(Image.new("RGB", (64, 64)), hint="Paris 1900")
    assert ctx.region.name.startswith("Paris")
    assert any(c.field == "region" and c.other.startswith("japan") for c in ctx.conflicts)


def test_clip_output_feeds_era_region_and_embedding():
    def fake_clip(image):
        decades = {d: 0.01 for d in range(1840, 2010, 10)}
        decades[1920] = 0.8
        return ClipOutput(decades, {"germany": 0.7, "usa": 0.3},
                          np.ones(8, dtype=np.float32) / np.sqrt(8))

    enc = ContextEncoder(ContextConfig(use_ocr=False, embed=False), clip=fake_clip)
    ctx = enc(Image.new("RGB", (64, 64)))
    assert (ctx.era.start, ctx.era.end, ctx.era.source) == (1920, 1929, "clip")
    assert ctx.region.name == "Germany, Weimar Republic"
    assert ctx.sources["clip"].used and len(ctx.image_embedding) == 8


def test_clip_not_used_is_said():
    enc = ContextEncoder.from_default(ContextConfig(use_ocr=False, embed=False))
    ctx = enc(None, hint="1950")
    assert ctx.sources["clip"].used is False
    assert "checkpoint" in ctx.sources["clip"].detail


def test_text_line_script_is_that_of_its_letters(bare_encoder):
    """A model that read letters of another script (the Arabic model returned Latin letters
    on a slide title) does not name the line's script; digits alone keep the model's."""
    from context.ocr import LineReading

    latin = bare_encoder._line(LineReading("Fess: 2-u ane niro", (0, 0, 90, 20), 0.36, "Arab",
                                           0.0), None)
    cyrillic = bare_encoder._line(LineReading("Крым 1973", (0, 0, 90, 20), 0.9, "Latn", 0.0),
                                  None)
    digits = bare_encoder._line(LineReading("1975", (0, 0, 90, 20), 0.8, "Cyrl", 1.0), None)
    assert (latin.script, cyrillic.script, digits.script) == ("Latn", "Cyrl", "Cyrl")
    assert latin.language is None
