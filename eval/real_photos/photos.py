"""The benchmark's photos and the hint each condition gives them (none, right, wrong)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

CONDITIONS = ("none", "right", "wrong")


# The BOPB photos have no place or era in the manifest. Their `note` column's visual guesses,
# turned into hints by the manifest rule (place when named, first year of the guessed era):
BOPB_RIGHT_HINTS: dict[str, str | None] = {
    "bopb__old_a.png": "1970",  # colour print, "looks 1970s-1980s"; no place named
    "bopb__old_b.png": "1907",  # "autochrome, ca. 1907-1930s"; no place named
    "bopb__old_c.png": "Japan 1870",  # "Meiji-era Japanese albumen print, ca. 1870s-1890s"
    "bopb__old_d.png": "Paris 1910",  # "Moulin Rouge (sign readable), Paris; ca. 1910s"
    "bopb__old_e.png": "1910",  # "autochrome, ca. 1910s"; no place named
    "bopb__old_f.png": "Hong Kong 1980",  # "Hong Kong-like harbour; colour print, ca. 1980s"
    "bopb__old_g.png": "1910",  # "autochrome, ca. 1910s"; no place named
    "bopb__old_h.png": "1906",  # "resembles A. L. Coburn's 1906 autochrome"; no place named
}
PG_RIGHT_HINT = "Russian Empire 1910"  # the plates: Russian Empire, 1905-1915

SUBSET_TITLES = {
    "all": "all photos",
    "bopb-old": "BOPB old photos",
    "slides-photo": "Soviet slides, content=photo",
    "slides-text": "Soviet slides, content=photo_with_text",
    "plates": "Prokudin-Gorsky plates",
}


@dataclass(frozen=True)
class RealPhoto:
    """One ground-truth photo and the hints each condition gives it."""

    file: str
    path: Path
    subset: str  # see SUBSET_TITLES
    right_hint: str | None  # None: no right hint is known (the condition is n/a)
    wrong_hint: str

    def hint(self, condition: str) -> str | None:
        """The hint of `condition` (`none` -> None); raises for an n/a right hint."""
        if condition == "none":
            return None
        if condition == "right":
            if self.right_hint is None:
                raise ValueError(f"{self.file} has no right hint")
            return self.right_hint
        if condition == "wrong":
            return self.wrong_hint
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")

    def applies(self, condition: str) -> bool:
        return condition != "right" or self.right_hint is not None


def manifest_hint(row: Mapping[str, str]) -> str | None:
    """The archivist's hint from a manifest row: English place without its parenthesised
    details, then the first 4-digit year of the era; None when the row names neither (the
    same rule as ../shared/hooks/real_check.py)."""
    place = re.sub(r"\s*\(.*?\)", "", row.get("place_en") or "").strip()
    years = re.findall(r"1[89]\d\d", row.get("era") or "")
    return " ".join(part for part in (place, years[0] if years else "") if part) or None


def right_hint(row: Mapping[str, str]) -> str | None:
    """The manifest's hint, or for a BOPB photo (no place, no era) its note's visual guess."""
    return manifest_hint(row) or BOPB_RIGHT_HINTS.get(row["file"])


def wrong_hint(file: str) -> str:
    """A plausible but wrong place and era: America for Soviet and Tsarist photos, else USSR."""
    return "USA 1950" if file.startswith(("sokirko", "pg_")) else "USSR 1950"


def real_color_dev_subset(row: Mapping[str, str]) -> str:
    if row.get("set") == "bopb-old":
        return "bopb-old"
    return "slides-text" if row.get("content") == "photo_with_text" else "slides-photo"


def read_manifest(root: Path) -> list[dict[str, str]]:
    """Rows of `root/manifest.csv`, in its order (so --limit is reproducible)."""
    path = root / "manifest.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is absent (the datasets live in ../shared/datasets)")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_real_color_dev(root: Path) -> list[RealPhoto]:
    """The 57 old color photos: 8 BOPB photos and 49 Soviet slide title frames."""
    return [RealPhoto(r["file"], root / r["file"], real_color_dev_subset(r), right_hint(r),
                      wrong_hint(r["file"])) for r in read_manifest(root)]


def load_prokudin_gorsky(root: Path) -> list[RealPhoto]:
    """The 54 Prokudin-Gorsky plates; every one gets the era's "Russian Empire 1910"."""
    return [RealPhoto(r["file"], root / r["file"], "plates", PG_RIGHT_HINT, wrong_hint(r["file"]))
            for r in read_manifest(root)]


DATASETS: dict[str, Callable[[Path], list[RealPhoto]]] = {
    "real-color-dev": load_real_color_dev,
    "prokudin-gorsky": load_prokudin_gorsky,
}
