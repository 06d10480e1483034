"""A decade's short form right after a person that may be the person's age: "my mum, early
50s", "Dad, late 40s, Leeds", "Uncle Jim (30s)".

`temporal.find_ages` takes the forms that can only be an age ("her mid-50s", "aged 30s"):
no date is read there. Here the words are a person and then, after a comma, a bracket or a
name, a bare "50s" or "fifties": the photo may be from the 1950s or show mum in her fifties.
The decade is still read (`hints.read_cues`), at `MAYBE_AGE_CONFIDENCE` and with evidence that
says so. A form only a decade takes stays a decade at full confidence: "the early 1950s",
"early '50s", "the fifties", "nineteen fifties"; and so does a decade with no person before
it ("early 50s Leeds") or with other words between ("Dad's car, 50s").

Other languages (checked 2026-12 on the hint reader): their decade forms are decades only,
an age is written otherwise, so a person before them changes nothing. Russian and Ukrainian
"мама, начало 50-х", "50-е", "50-ті" are decades; an age is "в 50 лет", "за 50", "50 років",
from which no date is read. French "années 50" is a decade, "50 ans", "la cinquantaine"
ages; Polish "lata 50." a decade, "50 lat" an age; German "Anfang der 50er", "50er Jahre" a
decade, "Anfang 50", "Mitte 40" ages. Two forms are shared: the English "50s" after their
person words ("Oma, late 60s", "бабушка, early 60s"), and German "50er" or "in den 50ern"
bare after a person ("Mutti, in den 50ern": the 1950s or her fifties); "in ihren 60ern"
(her sixties) is an age only (`temporal.find_ages`).
"""

from __future__ import annotations

import re

Span = tuple[int, int]

MAYBE_AGE_CONFIDENCE = 0.4  # a decade's own 0.8, halved as a place with another reading is

# People a family photo names. Plural too: "my parents, 60s".
_PERSON = (r"(?:mum|mom|mummy|mommy|mother|ma|dad|daddy|father|pa|parents?|grand(?:ad|dad|pa"
           r"|ma|mother|father|parents?)|gran|granny|nan|nana|nanna|aunt|auntie|aunty|uncle"
           r"|brother|sister|son|daughter|wife|husband|cousin|niece|nephew|me|myself|friend"
           r"|boyfriend|girlfriend|fianc[ée]e?"
           # Russian and Ukrainian (an English or German decade after them; their own
           # "50-х" is a decade only)
           r"|мама|мать|мамочка|папа|отец|бабушка|бабуля|дедушка|дед|тётя|тетя|дядя|брат"
           r"|сестра|сын|дочь|дочка|жена|муж|тато|батько|бабуся|дідусь|тітка|дядько|донька"
           r"|син|дружина"
           # German, French, Polish
           r"|mutti|mutter|mama|mamma|vati|vater|papa|oma|opa|gro(?:ß|ss)mutter|gro(?:ß|ss)vater"
           r"|tante|onkel|bruder|schwester|sohn|tochter|maman|m[èe]re|p[èe]re|mamie|papi|papy"
           r"|grand-m[èe]re|grand-p[èe]re|oncle|fr[èe]re|s(?:œ|oe)ur|matka|tata|ojciec|babcia"
           r"|dziadek|ciocia|wujek|siostra|c[óo]rka)")
# A bare decade: "50s", "50's", "fifties", with or without a qualifier; not "'50s" (the
# apostrophe before is a year's elision, a decade only), nor "1950s".
# German "50er", "(in den) 50ern" with no "Jahre" after it (the 50er Jahre are the decade).
_BARE_DECADE = (r"(?:(?:early|mid|middle|late)[\s-]*)?"
                r"(?<![\d'’‘])(?:[1-9]0\s*['’]?s|(?:twent|thirt|fort|fift|sixt|sevent|eight"
                r"|ninet)ies|(?:in\s+den\s+)?[1-9]0ern?(?!\s*jahr))(?![^\W\d_])")
_MAYBE_AGE = re.compile(
    rf"(?<![^\W\d_])(?P<who>{_PERSON})(?:\s+(?-i:[A-ZА-ЯЁІЇЄ][^\W\d_]+))?\s*[,:(–—-]\s*"
    rf"(?P<age>{_BARE_DECADE})", re.IGNORECASE)


def find_possible_ages(text: str) -> list[tuple[Span, str]]:
    """(span of the decade's words, the person word before them) for each bare decade right
    after a person ("my mum, early 50s" -> ((8, 17), "mum"))."""
    return [(m.span("age"), m["who"]) for m in _MAYBE_AGE.finditer(text)]
