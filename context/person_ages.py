"""A decade's short form right after a person that may be the person's age: "my mum, early
50s", "Dad, late 40s, Leeds", "Uncle Jim (30s)".

`temporal.find_ages` takes the forms that can only be an age ("her mid-50s", "aged 30s"):
no date is read there. Here the words are a person and then, after a comma, a bracket or a
name, a bare "50s" or "fifties": the photo may be from the 1950s or show mum in her fifties.
The decade is still read (`hints.read_cues`), at `MAYBE_AGE_CONFIDENCE` and with evidence that
says so. A form only a decade takes stays a decade at full confidence: "the early 1950s",
"early '50s", "the fifties", "nineteen fifties"; and so does a decade with no person before
it ("early 50s Leeds") or with other words between ("Dad's car, 50s").
"""

from __future__ import annotations

import re

Span = tuple[int, int]

MAYBE_AGE_CONFIDENCE = 0.4  # a decade's own 0.8, halved as a place with another reading is

# People a family photo names. Plural too: "my parents, 60s".
_PERSON = (r"(?:mum|mom|mummy|mommy|mother|ma|dad|daddy|father|pa|parents?|grand(?:ad|dad|pa"
           r"|ma|mother|father|parents?)|gran|granny|nan|nana|nanna|aunt|auntie|aunty|uncle"
           r"|brother|sister|son|daughter|wife|husband|cousin|niece|nephew|me|myself|friend"
           r"|boyfriend|girlfriend|fianc[ée]e?)")
# A bare decade: "50s", "50's", "fifties", with or without a qualifier; not "'50s" (the
# apostrophe before is a year's elision, a decade only), nor "1950s".
_BARE_DECADE = (r"(?:(?:early|mid|middle|late)[\s-]*)?"
                r"(?<![\d'’‘])(?:[1-9]0\s*['’]?s|(?:twent|thirt|fort|fift|sixt|sevent|eight"
                r"|ninet)ies)(?![^\W\d_])")
_MAYBE_AGE = re.compile(
    rf"(?<![^\W\d_])(?P<who>{_PERSON})(?:\s+(?-i:[A-Z][^\W\d_]+))?\s*[,:(–—-]\s*"
    rf"(?P<age>{_BARE_DECADE})", re.IGNORECASE)


def find_possible_ages(text: str) -> list[tuple[Span, str]]:
    """(span of the decade's words, the person word before them) for each bare decade right
    after a person ("my mum, early 50s" -> ((8, 17), "mum"))."""
    return [(m.span("age"), m["who"]) for m in _MAYBE_AGE.finditer(text)]
