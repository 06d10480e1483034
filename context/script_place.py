"""The place a photo's writing says by its script alone: a Georgian sign says Georgia, an
Armenian one (less surely) Armenia.

Only a script written almost only in one country names a place (`place` in
configs/context/scripts.json): Cyrillic, Latin or Arabic name none. The candidate is the
country, never its capital (the names read in the writing name a city when they do: "თბილისი"
is Tbilisi), resolved in time like any place: the Georgian SSR in 1960, the Russian Empire in
1900, and with no date the country alone, its states listed. Its confidence is the script's
times the share of photos with writing in that script taken in that country (`place_share`:
0.9 for Georgian, 0.5 for Armenian, whose diaspora and pre-1915 homeland wrote it widely), so a
doubtful reading of a doubtful script says little. It is a fallback: a place in a hint or a
caption outranks the writing anyway, and a script that contradicts one is already reported
(`context/fusion.py`, rule 7), so none is added then.
"""

from __future__ import annotations

from collections.abc import Sequence

from context.gazetteer import Gazetteer
from context.hints import PlaceCandidate
from context.script import ScriptInfo, script_counts
from context.types import Evidence, Script, TextLine

# Below this the script itself is a guess (fusion's own script-conflict floor).
MIN_SCRIPT_CONFIDENCE = 0.5
# Letters of the script the lines must hold: a word or two of a sign, not the two or three
# letters a script model reads in texture (eval/script_claims.py: Greek "ΠΕΣ" on plates
# without writing).
MIN_LETTERS = 6


def script_places(script: Script | None, scripts: tuple[ScriptInfo, ...], g: Gazetteer,
                  places: list[PlaceCandidate], lines: Sequence[TextLine]
                  ) -> list[PlaceCandidate]:
    """The place candidate of the writing's script, none when it names none, when the
    script is unsure or shows in fewer than MIN_LETTERS letters of the `lines` read, or
    when a hint or caption already names a place (`places`)."""
    if script is None or script.confidence < MIN_SCRIPT_CONFIDENCE:
        return []
    info = next((s for s in scripts if s.code == script.code), None)
    if info is None or info.place is None or info.place not in g.places:
        return []
    if script_counts(" ".join(t.text for t in lines), scripts).get(info.code, 0) < MIN_LETTERS:
        return []
    if any(c.source in ("hint", "caption") for c in places):
        return []
    confidence = round(script.confidence * info.place_share, 3)
    name = g.places[info.place].name
    ev = Evidence("ocr", f"writing is in {script.name} script, about "
                  f"{info.place_share:.0%} of such photos are from {name}", confidence,
                  info.place)
    return [PlaceCandidate(info.place, "place", confidence, "ocr", ev,
                           1 + g.place_depth(info.place))]
