"""Counts and means over scored scenes: the headline against the targets, per kind, film,
control."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from eval.flag_scenes.definitions import GRAY_CHROMA, KINDS, TARGETS, red_hue


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _exemplar_use(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How retrieval served red cloth: was a flag-like exemplar used, found in the photo,
    admitted to the direct transfer; how much attention and transfer exemplars got."""
    flaglike = [[e for e in entry["exemplars"] if e["used"] and e["kind"] in
                 ("flag", "banner", "ensign")] for entry in entries]
    used = [[e for e in entry["exemplars"] if e["used"]] for entry in entries]
    return {
        "flag_exemplar": sum(bool(f) for f in flaglike),
        "admitted": sum(any((e["transfer_share"] or 0) > 0 for e in f) for f in flaglike),
        "best_found": _mean([max((e["found_in_photo"] or 0) for e in f) for f in flaglike if f]),
        "attention": _mean([sum(e["attention_share"] or 0 for e in u) for u in used]),
        "transfer": _mean([sum(e["transfer_share"] or 0 for e in u) for u in used]),
    }


def _miss(entry: dict[str, Any]) -> str | None:
    """How a scene that is not red failed: "gray" (no color), "weak" (red hue, too few red
    pixels) or "hue" (another color: blue, brown, green)."""
    if entry["red"]:
        return None
    if entry["chroma"] < GRAY_CHROMA:
        return "gray"
    return "weak" if red_hue(entry["hue"]) else "hue"


def _group_row(records: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    """Counts and means of Soviet records under both conditions."""
    row: dict[str, Any] = {"kind": name, "scenes": len(records)}
    for condition in ("hint", "caption", "none"):
        entries = [r["conditions"][condition] for r in records if condition in r["conditions"]]
        if not entries:
            continue
        row[condition] = {
            "red": sum(e["red"] for e in entries),
            "red_share": _mean([e["red_share"] for e in entries]),
            "leak": _mean([e["leak"] for e in entries]),
            "other_leak": _mean([e["other_leak"] for e in entries if "other_leak" in e]),
            "chroma": _mean([e["chroma"] for e in entries]),
            "misses": {m: sum(_miss(e) == m for e in entries) for m in ("gray", "weak", "hue")},
            "exemplars": _exemplar_use(entries),
        }
    return row


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Headline against the targets, then per kind, control and other flags."""
    soviet = [r for r in records if r["group"] == "soviet"]
    control = [r for r in records if r["group"] == "control"]
    overall = _group_row(soviet, "overall")
    gain = None
    if control:
        with_hint = _mean([r["conditions"]["hint"]["strong_share"] for r in control])
        without = _mean([r["conditions"]["none"]["strong_share"] for r in control])
        gain = {"photos": len(control), "strong_hint": with_hint, "strong_none": without,
                "gain": with_hint - without,
                "leak_hint": _mean([r["conditions"]["hint"]["leak"] for r in control]),
                # strongly red where the truth is not (a bare photo has no flag): rule 18
                "leak_none": _mean([r["conditions"]["none"]["leak"] for r in control])}
    n = len(soviet)
    headline = {
        "scenes": n,
        "red_hint": overall["hint"]["red"], "red_caption": overall["caption"]["red"],
        "rate_hint": overall["hint"]["red"] / n if n else None,
        "rate_caption": overall["caption"]["red"] / n if n else None,
        "red_none": overall["none"]["red"] if "none" in overall else None,
        "leak_hint": overall["hint"]["leak"], "leak_caption": overall["caption"]["leak"],
        "control_gain": gain["gain"] if gain else None,
        "truth_red": sum(r["truth"]["red"] for r in soviet),
        "gray_red": sum(r["gray"]["red"] for r in soviet),
    }
    headline["pass"] = {
        "hint": n > 0 and headline["rate_hint"] >= TARGETS["hint"],
        "caption": n > 0 and headline["rate_caption"] >= TARGETS["caption"],
        "leak": n > 0 and headline["leak_hint"] <= TARGETS["leak"],
        "control_gain": gain is not None and gain["gain"] <= TARGETS["control_gain"],
    }
    kinds = [_group_row([r for r in soviet if r["kind"] == kind], kind) for kind in KINDS
             if any(r["kind"] == kind for r in soviet)]
    film = [_group_row([r for r in soviet if r["film"] == f], f) for f in ("L*", "orthochromatic")
            if any(r["film"] == f for r in soviet)]
    others = []
    for design in dict.fromkeys(r["designs"][0] for r in records if r["group"] == "other"):
        subset = [r["conditions"]["hint"] for r in records
                  if r["group"] == "other" and r["designs"][0] == design]
        others.append({"design": design, "scenes": len(subset),
                       "own": sum(e.get("own", False) for e in subset),
                       "red": sum(e.get("red", False) for e in subset),
                       "red_share": _mean([e["red_share"] for e in subset if "red_share" in e]),
                       "leak": _mean([e["leak"] for e in subset])})
    return {"headline": headline, "overall": overall, "kinds": kinds, "film": film,
            "control": gain, "others": others}
