"""Fusion rules: how era and region candidates from all sources become one answer.

Sources rank hint > caption > ocr > clip > scene (`RANK`). The rules:

Era
1. Candidates are *estimates* (a year, decade, circa, named war: when the photo was taken)
   or *constraints* (a window it must fall in: a polity or place name that existed then,
   an object not made before a year).
2. The highest-ranked source with an estimate sets the era. Its estimates are intersected;
   if they do not intersect, their span is taken at lower confidence.
3. Constraints from that source or a higher one narrow the era when the intersection is not
   empty ("Leningrad, 1920s" -> 1924-1929). Lower-ranked evidence never moves a higher-ranked
   era: it is attached as supporting evidence when it overlaps, and reported as a conflict
   when it does not (hint 1900, sign reads СССР -> conflict, era stays 1900).
4. With no estimate at all, the constraints are intersected in rank order (skipping and
   reporting any that would empty it); a window bounded on both sides becomes the era at
   half the confidence. An open window (only "not before 1880") is evidence, not an era.

Region
5. The highest-ranked source with a place candidate sets the region; within it the most
   specific place wins (city > region > country > polity), then the most confident.
6. The place is resolved to the polity that held it during the fused era (gazetteer), and
   in the month when the source named one ("Berlin, April 1945" -> Nazi Germany). Without
   an era a place that changed hands names no state: the region is the place alone, its
   `candidates` are the polities that held it with their periods, and its confidence is at
   most `UNDATED_CONFIDENCE`; unless an open window (rule 4) leaves one polity that held it
   throughout ("Kazan before 1917": 1826-1917, the Russian Empire), which is then named.
7. Candidates from other sources whose modern country differs are reported as conflicts;
   agreeing ones are attached as evidence. A script whose usual regions exclude the
   region (Cyrillic signage, hint says USA) is reported as a conflict.

Weak cues
8. A scene cue (an ImageNet label's probability x the cue's weight) below `MIN_SCORE`
   ["scene"] names nothing: it sets no era and no region, moves nothing and raises no
   conflict (a 0.08 "pickelhaube" on a group of scientists in suits is the classifier
   guessing, not evidence). When such cues were all there was, the field is null and the
   reason lists them with their scores. The cue labels stay visible in `scene`.
9. A scene place cue whose own date window does not fit the fused era is not used for the
   region either (a pickelhaube says Germany only up to 1918).
"""

from __future__ import annotations

from context.gazetteer import PRESENT_YEAR, Gazetteer
from context.gazetteer_types import Resolution
from context.hints import SIGN_LIKELY_YEARS, EraCandidate, PlaceCandidate
from context.script import ScriptInfo
from context.temporal import FIRST_PHOTO_YEAR
from context.types import Conflict, Era, Evidence, Region, Script

RANK = {"hint": 0, "caption": 1, "ocr": 2, "clip": 3, "scene": 4}
# Rule 8: the least score a cue from these sources needs to count at all. CLIP is gated
# before fusion (ContextConfig.clip_min_probability); text cues are explicit statements.
MIN_SCORE = {"scene": 0.2}
# Rule 6: the most an undated place that changed hands is trusted as a region: the place is
# known, the state it belonged to is not.
UNDATED_CONFIDENCE = 0.3


def _weak(c: EraCandidate | PlaceCandidate) -> bool:
    return c.confidence < MIN_SCORE.get(c.source, 0.0)


def _weak_reason(weak: list[EraCandidate] | list[PlaceCandidate]) -> str:
    cues = "; ".join(f"{c.evidence.what} -> {c.evidence.value}, score {c.confidence:.2f}"
                     for c in sorted(weak, key=lambda c: -c.confidence)[:3])
    floor = max(MIN_SCORE.get(c.source, 0.0) for c in weak)
    sources = "/".join(sorted({c.source for c in weak}))
    return f"{sources} cues too weak to count (below {floor:.2f}): {cues}"


def _intersect(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


def _fmt(r: tuple[int, int]) -> str:
    return f"{r[0]}" if r[0] == r[1] else f"{r[0]}-{r[1]}"


def fuse_era(cands: list[EraCandidate]) -> tuple[Era | None, str | None, list[Conflict]]:
    conflicts: list[Conflict] = []
    weak = [c for c in cands if _weak(c)]
    cands = [c for c in cands if not _weak(c)]
    estimates = [c for c in cands if c.kind == "estimate"]
    constraints = sorted((c for c in cands if c.kind == "constraint"),
                         key=lambda c: RANK[c.source])
    if estimates:
        top = min(RANK[c.source] for c in estimates)
        chosen = [c for c in estimates if RANK[c.source] == top]
        source = chosen[0].source
        rng: tuple[int, int] | None = (chosen[0].start, chosen[0].end)
        for c in chosen[1:]:
            rng = _intersect(rng, (c.start, c.end)) if rng else None
        confidence = max(c.confidence for c in chosen)
        if rng is None:  # the source contradicts itself: keep the span, trust it less
            rng = (min(c.start for c in chosen), max(c.end for c in chosen))
            confidence *= 0.5
        evidence = [c.evidence for c in chosen]
        months = {c.month for c in chosen if c.month and (c.start, c.end) == rng}
        month = months.pop() if len(months) == 1 and rng[0] == rng[1] else None
        for c in constraints:
            inter = _intersect(rng, (c.start, c.end))
            if inter is None:
                conflicts.append(_era_conflict(source, rng, c))
            elif RANK[c.source] <= top:
                rng = inter
                evidence.append(c.evidence)
            else:
                evidence.append(c.evidence)
        for c in estimates:
            if RANK[c.source] <= top:
                continue
            if _intersect(rng, (c.start, c.end)) is None:
                conflicts.append(_era_conflict(source, rng, c))
            else:
                evidence.append(c.evidence)
        if month is not None and rng[0] != rng[1]:
            month = None
        return (Era(rng[0], rng[1], round(confidence, 3), source, tuple(evidence), month),
                None, conflicts)

    if not constraints:
        return None, ("no date in the hint, caption or writing, and no dated scene cue"
                      + (f" that counts; {_weak_reason(weak)}" if weak else "")), []
    rng, used = _constraint_range(constraints, conflicts)
    if not used:  # every date named lies before photography; `conflicts` says which
        named = ", ".join(f"{c.start}-{c.end} ({c.source})" for c in constraints)
        return None, (f"every date named lies before photography ({FIRST_PHOTO_YEAR}): "
                      f"{named}"), conflicts
    evidence = [c.evidence for c in used]
    if _is_open(rng):
        return None, (f"only an open window ({_fmt(rng)}) from "
                      + ", ".join(sorted({c.source for c in used}))), conflicts
    confidence = 0.5 * min(c.confidence for c in used)
    return Era(rng[0], rng[1], round(confidence, 3), used[0].source, tuple(evidence)), None, \
        conflicts


def _constraint_range(constraints: list[EraCandidate], conflicts: list[Conflict]
                      ) -> tuple[tuple[int, int], list[EraCandidate]]:
    """Rule 4: the constraints intersected in rank order, skipping (and reporting in
    `conflicts`) any that would empty it; the range and the constraints used."""
    rng, used = (FIRST_PHOTO_YEAR, PRESENT_YEAR), []
    for c in constraints:
        inter = _intersect(rng, (c.start, c.end))
        if inter is None:
            # Nothing kept yet: the constraint lies wholly before photography (a polity
            # that ended before 1826, "Muscovy", "Crimean Khanate"), which was an IndexError.
            kept = used[0].source if used else "years of photography"
            conflicts.append(_era_conflict(kept, rng, c))
            continue
        rng = inter
        used.append(c)
    return rng, used


def _is_open(rng: tuple[int, int]) -> bool:
    return rng[0] <= FIRST_PHOTO_YEAR or rng[1] >= PRESENT_YEAR


def open_window(cands: list[EraCandidate]) -> tuple[int, int] | None:
    """The window rule 4 leaves when it names no era because the window is open on one side
    ("before 1917": 1826-1917), for rule 6 to pick the state by; None when there is an
    estimate, a closed window, or nothing."""
    cands = [c for c in cands if not _weak(c)]
    if any(c.kind == "estimate" for c in cands):
        return None
    constraints = sorted((c for c in cands if c.kind == "constraint"),
                         key=lambda c: RANK[c.source])
    rng = _constraint_range(constraints, [])[0] if constraints else None
    if rng is None or not _is_open(rng) or rng == (FIRST_PHOTO_YEAR, PRESENT_YEAR):
        return None
    return rng


def _era_conflict(kept_source: str, rng: tuple[int, int], c: EraCandidate) -> Conflict:
    return Conflict("era", f"{_fmt(rng)} ({kept_source})", f"{c.start}-{c.end} ({c.source})",
                    f"{c.evidence.what} does not fit the era {_fmt(rng)} given by the "
                    f"{kept_source}")


def _country_of(g: Gazetteer, cand: PlaceCandidate, era: tuple[int, int] | None) -> str | None:
    if cand.kind == "place":
        return g.modern_country(cand.ident)
    return g.resolve_polity(cand.ident, era).modern_iso


def _same_region(g: Gazetteer, a: PlaceCandidate, b: PlaceCandidate,
                 era: tuple[int, int] | None) -> bool:
    if a.kind == b.kind == "place":
        return (g.contains(a.ident, b.ident) or g.contains(b.ident, a.ident)
                or g.modern_country(a.ident) == g.modern_country(b.ident))
    if a.kind == "polity" or b.kind == "polity":
        pol = a if a.kind == "polity" else b
        other = b if pol is a else a
        chain = {p.id for p in g.polity_chain(pol.ident, era)}
        if other.kind == "place":
            res = g.resolve(other.ident, era)
            return any(ref.name == g.polities[pid].name for pid in chain for ref in res.hierarchy)
        return bool(chain & {p.id for p in g.polity_chain(other.ident, era)})
    return _country_of(g, a, era) == _country_of(g, b, era)


def _held_in_window(g: Gazetteer, best: PlaceCandidate, window: tuple[int, int] | None
                    ) -> tuple[int, int] | None:
    """The years to look the place up in when only an open window is known ("Kazan before
    1917": 1826-1917): the window's share of the one polity that held the place throughout
    it, or None when the window spans a change of rule ("Berlin before 1945")."""
    if window is None or best.kind != "place":
        return None
    held = [c for c in g.resolve(best.ident, None).candidates
            if _intersect(window, (c.start, c.end or PRESENT_YEAR))]
    if len({c.polity for c in held}) != 1:
        return None
    return _intersect(window, (min(c.start for c in held),
                               max(c.end or PRESENT_YEAR for c in held)))


def _polity_years(era: Era | None) -> tuple[int, int] | None:
    """The years in which to look up who held a place. A year read on a sign dates the sign:
    the photo is from then or up to `hints.SIGN_YEARS_AFTER` later, most likely soon after, so the
    first `SIGN_LIKELY_YEARS` decide ("ОДЕССА 1912" on a sign: 1912-1927 overlaps the Ukrainian
    SSR for longer than the Russian Empire, but 1912-1917 is the Russian Empire)."""
    if era is None:
        return None
    if era.source == "ocr":
        return era.start, min(era.end, era.start + SIGN_LIKELY_YEARS)
    return era.start, era.end


def fuse_region(cands: list[PlaceCandidate], era: Era | None, g: Gazetteer,
                script: Script | None, scripts: tuple[ScriptInfo, ...],
                window: tuple[int, int] | None = None
                ) -> tuple[Region | None, str | None, list[Conflict]]:
    """`window`: the open window the era constraints left when there is no era (rule 6)."""
    rng = (era.start, era.end) if era else None
    weak = [c for c in cands if _weak(c)]
    stale = [c for c in cands if not _weak(c) and c.window and rng
             and _intersect(c.window, rng) is None]
    cands = [c for c in cands if not _weak(c) and c not in stale]
    if not cands:
        reason = "no place in the hint, caption or writing, and no regional cue"
        if weak or stale:
            reason += " that counts"
        if weak:
            reason += f"; {_weak_reason(weak)}"
        if stale:
            reason += "; " + "; ".join(
                f"{c.evidence.what} does not fit the era {_fmt(rng)}" for c in stale)
        return None, reason, []
    top = min(RANK[c.source] for c in cands)
    tier = [c for c in cands if RANK[c.source] == top]
    # Most specific first; a place beats a polity at equal depth; then confidence.
    best = max(tier, key=lambda c: (c.depth, c.kind == "place", c.confidence))
    held = _polity_years(era) or _held_in_window(g, best, window)
    month = era.month if era is not None and era.source != "ocr" else None
    res = (g.resolve(best.ident, held, month) if best.kind == "place"
           else g.resolve_polity(best.ident, held))
    evidence = [best.evidence]
    conflicts: list[Conflict] = []
    confidence = best.confidence
    for c in cands:
        if c is best:
            continue
        if _same_region(g, best, c, held):
            evidence.append(c.evidence)
            if RANK[c.source] != top:  # independent agreement raises confidence a little
                confidence = 1 - (1 - confidence) * (1 - 0.3 * c.confidence)
        else:
            conflicts.append(Conflict(
                "region", f"{res.name} ({best.source})", f"{c.evidence.value} ({c.source})",
                f"{c.evidence.what} disagrees with the region {res.name} from the {best.source}"))
    if res.note:
        evidence.append(Evidence("gazetteer", res.note, 1.0, None))
    if era is None and res.candidates:
        confidence = min(confidence, UNDATED_CONFIDENCE)
    evidence += _polity_evidence(res, era, held, month)
    if script is not None:
        held_by = [p.iso for p in res.hierarchy]  # the polities that held it then (USSR)
        conflicts += _script_conflicts(script, [res.iso, res.modern_iso, *held_by], res.name,
                                       best.source, scripts)
    region = Region(res.name, res.wikidata, res.iso, round(confidence, 3), best.source,
                    tuple(evidence), res.hierarchy, res.modern_iso, res.candidates)
    return region, None, conflicts


def _polity_evidence(res: Resolution, era: Era | None, held: tuple[int, int] | None,
                     month: int | None) -> list[Evidence]:
    """What the gazetteer says of the state: each candidate of an undated place, or the
    polity that held it then."""
    if era is None and res.candidates:
        return [Evidence("gazetteer", f"held by {c.polity} {c.period} ({c.source})", 1.0,
                         c.name) for c in res.candidates]
    when = f"in {_fmt(held)}" if held else "today"
    if era is None and held:
        when += " (the window the dates leave, held by one state)"
    if held and month is not None:
        when = f"in {held[0]}-{month:02d}"
    return [Evidence("gazetteer", f"polity {when}: {res.name} from {res.source}", 1.0,
                     res.iso or res.wikidata)]


def _script_conflicts(script: Script, isos: list[str | None], name: str, source: str,
                      scripts: tuple[ScriptInfo, ...]) -> list[Conflict]:
    """A conflict when the writing's script is in common use in none of `isos` (the place, its
    country today and the polities that held it at the era: Cyrillic in Yerevan in 1969 is
    the USSR's, not a reason to doubt the place)."""
    info = next((s for s in scripts if s.code == script.code), None)
    if info is None or not info.regions or script.confidence < 0.5:
        return []
    codes = {c for c in isos if c}
    codes |= {c.split("-")[0] for c in codes}
    if codes & set(info.regions):
        return []
    return [Conflict("script", f"{name} ({source})", f"{script.name} writing (ocr)",
                     f"the writing in the photo is {script.name}, which is not in common use "
                     f"in {name}: check the {source} or look for a reason (émigré signage, "
                     "occupation, a foreign newspaper)")]
