"""The broad gazetteer (GeoNames cities, ISO 3166-2 subdivisions): inflected names, places
resolved in their time through the curated tables, and the guards against ordinary words."""

from __future__ import annotations

import pytest

from context.config import ContextConfig
from context.gazetteer import Gazetteer
from context.geonames import BroadConfig, BroadIndex
from context.names import cyrillic_stem, oblique_splits


def _broad(gazetteer, text):
    return [(m.text, gazetteer.places[m.id].name) for m in gazetteer.find(text)
            if m.id.startswith(("gn:", "iso:"))]


def _matches(stem_of: str, word: str) -> bool:
    stem, endings = cyrillic_stem(stem_of)
    return any(s == stem and e in endings for s, e in oblique_splits(word))


@pytest.mark.parametrize("nominative, oblique", [
    ("армения", "армении"), ("нахичевань", "нахичевани"), ("оренбург", "оренбург"),
    ("оренбург", "оренбурге"), ("каменная", "каменной"), ("москва", "москве"), ("алтай", "алтае"),
    ("горький", "горьком"), ("карпаты", "карпатах"),
])
def test_oblique_cases_match_their_nominative(nominative, oblique):
    assert _matches(nominative, oblique)


@pytest.mark.parametrize("nominative, other", [
    ("оренбург", "оренбургские"),  # an adjective, not a case of the noun
    ("армения", "армянский"), ("казань", "казаться"),
])
def test_other_words_do_not_match(nominative, other):
    assert not _matches(nominative, other)


def test_short_and_indeclinable_names_match_only_as_written():
    assert cyrillic_stem("уфа") is None  # a 2-letter stem would match common words
    assert cyrillic_stem("сочи") is None and cyrillic_stem("баку") is None


@pytest.mark.parametrize("caption, hierarchy", [
    ("Ванадзор 1969", ["Vanadzor", "Armenian SSR", "USSR"]),
    ("Кировакан, 1969", ["Vanadzor", "Armenian SSR", "USSR"]),  # its Soviet name
    ("Ордубад 1970", ["Ordubad", "Nakhichevan ASSR", "Azerbaijan SSR", "USSR"]),
    ("Алушта 1973", ["Alushta", "Crimean Oblast", "Ukrainian SSR", "USSR"]),
    ("в Шахтёрске, 1980", ["Shakhtarsk", "Ukrainian SSR", "USSR"]),
])
def test_broad_places_are_resolved_in_their_time(bare_encoder, caption, hierarchy):
    ctx = bare_encoder(None, caption=caption)
    assert ctx.region is not None
    assert [r.name for r in ctx.region.hierarchy] == hierarchy


def test_two_digit_year_after_a_broad_place(bare_encoder):
    ctx = bare_encoder(None, caption="Ванадзор-81")
    assert (ctx.era.start, ctx.era.end) == (1981, 1981)
    assert "Armenian SSR" in ctx.region.name


def test_curated_places_keep_priority(gazetteer):
    found = gazetteer.find("Kazan 1952")
    assert [m.id for m in found if m.kind == "place"] == ["kazan"]
    assert not _broad(gazetteer, "Посещение Нахичевани")  # curated nakhchivan
    assert [m.id for m in gazetteer.find("Посещение Нахичевани")] == ["nakhchivan"]


def test_a_broad_name_keeps_to_the_curated_country(gazetteer):
    assert _broad(gazetteer, "Армения, Ванадзор") == [("Ванадзор", "Vanadzor")]
    # Istra (Moscow Oblast) before Istres (France): Cyrillic names prefer Cyrillic countries.
    assert _broad(gazetteer, "Истра") == [("Истра", "Istra")]


@pytest.mark.parametrize("text", [
    "Walt Whitman", "Helen Keller meeting Charlie Chaplin", "Наша Галя", "Lincoln",
    "Grand Hotel Central Station", "дорога на ванадзор",  # lower case: not a name
    "in Reading", "Дорога", "Часть IV", "Київський завод випустив нові трамваї", "Северный",
])
def test_ordinary_words_and_people_are_not_places(gazetteer, text):
    assert _broad(gazetteer, text) == []


def test_latin_names_need_a_place_context(gazetteer):
    assert _broad(gazetteer, "in Lincoln, 1930") == [("Lincoln", "Lincoln")]
    assert _broad(gazetteer, "Lincoln, Nebraska") != []
    assert _broad(gazetteer, "Lincoln 1930") == []


@pytest.mark.slow
def test_the_index_is_cached_on_disk(tmp_path):
    data = ContextConfig().data_dir
    config = BroadConfig(min_population=15000, cache_dir=str(tmp_path))
    first = BroadIndex(data, config)
    assert [p.name for p in tmp_path.glob("broad-gazetteer-*")] == \
        ["broad-gazetteer-p15000-l4.npz"]
    again = BroadIndex(data, config)
    assert [m.places[0].id for m in again.find("Ванадзор, Алушта")] == \
        [m.places[0].id for m in first.find("Ванадзор, Алушта")]


def test_a_cache_of_another_version_is_replaced_not_kept_beside(tmp_path, monkeypatch):
    from context import broad_cache, geonames

    built = []
    monkeypatch.setattr(geonames, "_cities", lambda b, floor: built.append(floor))
    monkeypatch.setattr(geonames, "_subdivisions", lambda b: None)  # an empty index: fast
    legacy = tmp_path / "broad-gazetteer-5a9a6cc025e51faa.pkl"  # the old one-per-version name
    legacy.write_bytes(b"old")
    config = BroadConfig(cache_dir=str(tmp_path))
    path = tmp_path / "broad-gazetteer-p5000-l4.npz"
    (tmp_path / "broad-gazetteer-p5000-l4.pkl").write_bytes(b"the pickle before the .npz")

    def version() -> str:
        return broad_cache.decode(path)["version"]

    BroadIndex(ContextConfig().data_dir, config)
    first = version()
    BroadIndex(ContextConfig().data_dir, config)  # the same version: loaded, not built
    assert len(built) == 1
    monkeypatch.setattr(geonames, "BUILD_VERSION", geonames.BUILD_VERSION + 1)
    BroadIndex(ContextConfig().data_dir, config)  # an upgrade: built again, in place
    assert len(built) == 2 and version() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_broad_gazetteer_can_be_left_out():
    g = Gazetteer(ContextConfig().data_dir, broad=None)
    assert g.find("Ванадзор 1969") == []


def test_a_confusable_year_read_beside_a_broad_place(gazetteer):
    """What the encoder does with a line read in the image: the place is found, and the read
    year 1918 is taken as 1978 when the caption says the 1970s (context/writing.py)."""
    from context.hints import EraCandidate, read_cues
    from context.types import Evidence
    from context.writing import checked_year

    cues = read_cues("Ванадзор 1918", "ocr", gazetteer)
    assert [gazetteer.places[c.ident].name for c in cues.places] == ["Vanadzor"]
    caption = EraCandidate(1975, 1980, 0.8, "caption", "estimate",
                           Evidence("caption", "1975-1980", 0.8))
    era = checked_year(cues.eras[0], [caption])
    assert era.start == 1978
    res = gazetteer.resolve(cues.places[0].ident, (era.start, era.start))
    assert [r.name for r in res.hierarchy] == ["Vanadzor", "Armenian SSR", "USSR"]


def test_broad_places_are_looked_up_not_stored(gazetteer):
    """Finding a broad place leaves the table as loaded (threads may iterate it), and its id
    resolves in any process, found in this one or not."""
    size = len(gazetteer.places)
    [mention] = [m for m in gazetteer.find("Алушта") if m.id.startswith("gn:")]
    assert len(gazetteer.places) == size
    assert mention.id in gazetteer.places
    assert gazetteer.places[mention.id].within == "crimea"
    fresh = Gazetteer(ContextConfig().data_dir)
    assert fresh.places[mention.id].name == "Alushta"
    assert "gn:0" not in fresh.places and fresh.places.get("gn:0") is None
    with pytest.raises(KeyError):
        fresh.places["gn:0"]


@pytest.mark.parametrize("hint, city, country", [
    ("Kraków 1950", "Kraków", "PL"), ("Krakow, 1950", "Kraków", "PL"),
    ("Gdańsk 1950", "Gdańsk", "PL"),
    # stoplisted (common_place_words.txt) before the stoplist's words of language names went
    ("Lima 1950", "Lima", "PE"), ("Hanoi 1950", "Hanoi", "VN"),
    ("Santiago, 1960", "Santiago", "CL"), ("Salvador 1950", "Salvador", "BR"),
])
def test_a_typed_hint_names_a_broad_place_standing_alone(bare_encoder, hint, city, country):
    """A hint is where and when: "Kraków 1950" named no place (a bare Latin name needed "in"
    before it, a guard for the people that archive captions name), nor "Lima 1950"."""
    ctx = bare_encoder(None, hint=hint)
    assert ctx.region is not None and ctx.region.hierarchy[0].name == city
    assert ctx.region.modern_iso == country


@pytest.mark.parametrize("hint", ["Walt Whitman 1890", "wedding 1950", "Wedding 1950",
                                  "Salvador Dalí 1950", "Family picnic 1960s", "lima 1950"])
def test_a_typed_hint_still_keeps_people_and_common_words_out(bare_encoder, hint):
    assert bare_encoder(None, hint=hint).region is None


def test_a_caption_still_needs_a_place_word_for_a_bare_latin_name(bare_encoder):
    assert bare_encoder(None, caption="Kraków 1950").region is None
    assert bare_encoder(None, caption="in Kraków, 1950").region is not None


def test_captions_keep_the_stoplist_for_big_cities(gazetteer):
    # "lima" was a common word only as a word of a language's name: Reading is one
    assert _broad(gazetteer, "in Reading, 1950") == []  # only a typed hint lifts it
    assert [m.text for m in gazetteer.find("Reading 1950", typed=True)
            if m.id.startswith("gn:")] == ["Reading"]


@pytest.mark.parametrize("hint, city, country", [
    ("Santa Cruz de la Sierra 1950", "Santa Cruz de la Sierra", "BO"),  # five words
    ("Benin City 1950", "Benin City", "NG"),  # longer than the curated country Benin
])
def test_the_longest_name_wins(bare_encoder, hint, city, country):
    """These hints gave Santa Cruz (Philippines) and the country Benin."""
    ctx = bare_encoder(None, hint=hint)
    assert ctx.region is not None and ctx.region.hierarchy[0].name == city
    assert ctx.region.modern_iso == country


def test_a_curated_place_stays_when_its_longer_broad_name_is_not_taken(gazetteer):
    """A caption needs a place word for a bare Latin broad name: the curated name inside it
    is kept, as before."""
    assert [m.id for m in gazetteer.find("Benin City 1950") if m.kind == "place"] == ["iso_bj"]
    assert [m.id for m in gazetteer.find("Benin 1950", typed=True)] == ["iso_bj"]
    assert [m.text for m in gazetteer.find("in Benin City, 1950") if m.kind == "place"] == \
        ["Benin City"]


@pytest.mark.parametrize("hint", ["Dzhan-Tugan 1967", "Belaya river 1986"])
def test_a_name_joined_to_another_or_to_a_landform_is_no_town(bare_encoder, hint):
    """Once hints named places standing alone, real-color-dev's right hints read "Tugan" in
    "Dzhan-Tugan" as Tougan, Burkina Faso, and the Belaya river as the town Gudermes."""
    assert bare_encoder(None, hint=hint).region is None


def test_a_town_typed_beside_an_unknown_name_is_read(bare_encoder):
    ctx = bare_encoder(None, hint="Kerch and Demerdzhi 1981")
    assert ctx.region is not None and ctx.region.hierarchy[0].name == "Kerch"


@pytest.mark.parametrize("hint, city, country", [
    ("Lyon 1950", "Lyon", "FR"),  # stoplisted for "lyons"; 520,000 people
    ("Nice, 1920s", "Nice", "FR"), ("Perm 1950", "Perm", "RU"), ("Reading 1950", "Reading", "GB"),
    ("Lyon vers 1930", "Lyon", "FR"), ("Lyon années 50", "Lyon", "FR"),  # a date word after
    ("Osh 1970", "Osh", "KG"), ("Qom 1950", "Qom", "IR"),  # three letters
    # stoplisted as words of ISO 639-3 language names ("Cusco Quechua", "Miami", "Tula")
    ("Miami 1950", "Miami", "US"), ("Cusco 1950", "Cusco", "PE"), ("Tula 1950", "Tula", "RU"),
    ("Bari 1950", "Bari", "IT"), ("Québec 1950", "Québec", "CA"),
])
def test_a_typed_hint_names_a_city_of_300000_that_a_guard_dropped(bare_encoder, hint, city,
                                                                   country):
    """Each gave no region: a common word (common_place_words.txt) or a name under four
    letters was a place in a hint only for a city of a million (`geonames.BIG_CITY`), and
    the stoplist held every word of every ISO 639-3 language name. Of the 1,966 Latin-named
    GeoNames cities of 300,000 people or more, 1,910 were read in their country, 1,959 now
    (python -m eval.hint_cities --min-population 300000)."""
    ctx = bare_encoder(None, hint=hint)
    assert ctx.region is not None and ctx.region.hierarchy[0].name == city
    assert ctx.region.modern_iso == country


@pytest.mark.parametrize("hint", ["Reading room 1950", "Oral history 1950", "Nice view 1950",
                                  "Victoria station 1950", "Sector 1950", "reading 1950"])
def test_a_big_city_name_that_is_a_word_in_a_phrase_is_the_word(bare_encoder, hint):
    """A lower-case word after a common-word name (no date word, no "in") makes a phrase;
    "Sector 3", Bucharest, is a numbered name, never the word."""
    assert bare_encoder(None, hint=hint).region is None


def test_captions_read_minor_language_words_as_places_and_keep_language_names_out(gazetteer):
    """The stoplist held "miami" for the Miami language and "cusco" for "Cusco Quechua";
    the names of languages with an ISO 639-1 code stay ("kikuyu": the language first)."""
    assert _broad(gazetteer, "in Miami, 1950") == [("Miami", "Miami")]
    assert _broad(gazetteer, "in Cusco, 1950") == [("Cusco", "Cusco")]
    assert _broad(gazetteer, "in Kikuyu, 1950") == []


def test_a_name_never_spans_a_number(gazetteer, bare_encoder):
    """"Lyon 60er Jahre" was read as "Lyon 1er" (an arrondissement's name, its number
    dropped), then left out as part of the name "... Jahre": no region."""
    assert [m.text for m in gazetteer.find("Lyon 60er Jahre", typed=True)] == ["Lyon"]
    ctx = bare_encoder(None, hint="Lyon 60er Jahre")
    assert ctx.region is not None and ctx.region.modern_iso == "FR"
    assert (ctx.era.start, ctx.era.end) == (1960, 1969)
