"""Captions with their sources: the encoder reads each and every evidence names where the
text came from."""

import json

from context import Caption, SceneContext


def test_every_caption_evidence_names_its_source(bare_encoder):
    ctx = bare_encoder(None, captions=(Caption("Prague1968.png", "filename"),))
    assert (ctx.era.start, ctx.era.end, ctx.era.source) == (1968, 1968, "caption")
    assert "Prague" in ctx.region.name
    evidence = [e for e in ctx.era.evidence + ctx.region.evidence if e.source == "caption"]
    assert evidence and all(e.origin == "filename" for e in evidence)
    assert any(e.what == 'year "1968" in caption (filename)' for e in evidence)
    assert ctx.captions == (Caption("Prague1968.png", "filename"),)


def test_users_caption_is_source_user_and_read_with_the_others(bare_encoder):
    ctx = bare_encoder(None, caption="Moscow",
                       captions=(Caption("1957-05-01", "iptc:DateCreated"),))
    assert [c.source for c in ctx.captions] == ["user", "iptc:DateCreated"]
    assert ctx.era.start == 1957 and ctx.era.evidence[0].origin == "iptc:DateCreated"
    place = next(e for e in ctx.region.evidence if e.source == "caption")
    assert place.origin == "user" and "in caption (user)" in place.what


def test_hint_evidence_has_no_origin_and_blank_captions_are_not_read(bare_encoder):
    ctx = bare_encoder(None, hint="Kazan 1950", captions=(Caption("  ", "exif:UserComment"),))
    assert ctx.captions == ()
    assert all(e.origin is None for e in ctx.era.evidence)


def test_captions_round_trip_and_old_json_still_loads(bare_encoder):
    ctx = bare_encoder(None, captions=(Caption("Berlin, 1945", "xmp:dc:description"),))
    data = json.loads(json.dumps(ctx.to_dict()))
    assert data["captions"] == [{"text": "Berlin, 1945", "source": "xmp:dc:description"}]
    assert SceneContext.from_dict(data) == ctx
    old = {k: v for k, v in data.items() if k != "captions"}  # written before captions
    for field in ("era", "region"):
        old[field] = {**old[field], "evidence": [
            {k: v for k, v in e.items() if k != "origin"} for e in old[field]["evidence"]]}
    assert SceneContext.from_dict(old).captions == ()
