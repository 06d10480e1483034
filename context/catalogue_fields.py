"""Which fields of an archive's record say when or where a photo was taken: the labels of
IIIF `metadata` pairs and the columns of a CSV list, in the languages the dates are read in.

A label is read only when the whole label (any case, a trailing colon left out) is one of
these: "Date" is the photo's, but "Date digitized" is the scan's and "Physical Location"
(Library of Congress manifests) the shelf's, and neither is read.
"""

from __future__ import annotations

import html
import re

DATE_LABELS = frozenset({
    "date", "dates", "date created", "created", "creation date", "date of creation",
    "created/published", "created / published", "date taken", "date of photograph",
    "date depicted", "original date", "year", "period", "temporal coverage", "coverage",
    "datum", "datierung", "entstehungsdatum", "aufnahmedatum", "jahr", "zeitraum",
    "date de création", "date de prise de vue", "année", "fecha", "fecha de creación", "año",
    "data", "data di creazione", "anno", "datace", "rok", "datering", "jaar", "дата", "год",
    "рік", "дата зйомки", "дата съемки",
})
PLACE_LABELS = frozenset({
    "place", "location", "place depicted", "depicted place", "place shown", "location shown",
    "place of creation", "spatial coverage", "geographic location", "geographic coverage",
    "city", "country", "region", "ort", "aufnahmeort", "entstehungsort", "dargestellter ort",
    "stadt", "land", "lieu", "lieu de prise de vue", "ville", "pays", "lugar", "ciudad", "país",
    "luogo", "città", "paese", "miejsce", "miejscowość", "místo", "plaats", "locatie",
    "место", "место съемки", "город", "страна", "місце", "місто", "країна",
})

# A CSV list's columns: the same, less those an export of a catalogue's own records also
# has for the record ("created": when the row was made) or means otherwise ("data", "land").
CSV_COLUMNS = (DATE_LABELS | PLACE_LABELS) - {"created", "data", "land"}


def label_key(label: str) -> str:
    """A label as compared: plain text, any case, spaces as one, a trailing colon dropped."""
    return " ".join(plain_text(label).casefold().split()).rstrip(" :")


def says_date_or_place(label: str) -> bool:
    """True for a field whose value is the photo's date or place (module docstring)."""
    key = label_key(label)
    return key in DATE_LABELS or key in PLACE_LABELS


_TAG = re.compile(r"<[^>]*>")


def plain_text(value: str) -> str:
    """IIIF values may hold HTML (<a>, <b>, <br>, <p>): its text, entities decoded, tags as
    spaces."""
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())
