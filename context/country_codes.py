"""An ISO 3166 country code, as photo metadata holds it (XMP Iptc4xmpCore:CountryCode, IPTC
IIM 2:100 Country Code: "RU", "RUS"), as a country name the gazetteer reads as that place.

The name is the one context/data/places.csv gives the country (a place, readable at any
date), else pycountry's common name: pycountry's formal name can be a state that began
recently ("Russian Federation" is the polity of 1991 on, which would rule out a 1950s
photo taken in Russia), and a code says where the place is today, not which state held it.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

_PLACES = Path(__file__).parent / "data" / "places.csv"


def country_name(code: str) -> str | None:
    """The country of a two- or three-letter ISO 3166-1 code (or of a withdrawn one, "SU"),
    None for anything else."""
    code = code.strip().upper()
    if not (code.isascii() and code.isalpha() and len(code) in (2, 3)):
        return None
    if len(code) == 3:
        code = _alpha2(code) or ""
    return _csv_countries().get(code) or _pycountry_name(code)


@lru_cache(maxsize=1)
def _csv_countries() -> dict[str, str]:
    """ISO alpha-2 -> the name its row is found by (the name, else its first alias: Georgia
    the country is listed by its other names, "Georgia" alone being the state too)."""
    out = {}
    with _PLACES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "country" and len(row["iso"]) == 2:
                aliases = [a for a in row["aliases"].split(";") if a]
                out[row["iso"]] = row["name"] if row["name"] in aliases or not aliases \
                    else aliases[0]
    return out


def _alpha2(alpha3: str) -> str | None:
    import pycountry  # the gazetteer's dependency; imported where a code is read

    found = pycountry.countries.get(alpha_3=alpha3)
    return found.alpha_2 if found else None


def _pycountry_name(alpha2: str) -> str | None:
    import pycountry

    if len(alpha2) != 2:
        return None
    found = pycountry.countries.get(alpha_2=alpha2)
    if found:
        return getattr(found, "common_name", None) or found.name
    # A code withdrawn ("SU", "DD", "YU"): the state it named, as the gazetteer names it
    # ("USSR, Union of Soviet Socialist Republics" -> "USSR").
    gone = pycountry.historic_countries.get(alpha_2=alpha2)
    return gone.name.split(",")[0] if gone else None


def successor_country(iso: str | None) -> str | None:
    """Today's country of a withdrawn ISO 3166-3 code, where one country took its place:
    the code's last two letters are its successor's ("ZRCD": Zaire -> CD, "DDDE": East
    Germany -> DE, "BUMM": Burma -> MM); "HH" (the USSR, Czechoslovakia) or a successor
    that is gone too ("YUCS": Serbia and Montenegro) names none."""
    if not iso or len(iso) != 4 or iso[2:] == "HH":
        return None
    import pycountry  # the gazetteer's dependency
    return iso[2:] if pycountry.countries.get(alpha_2=iso[2:]) else None
