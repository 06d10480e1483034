"""Places written by the names of the photo's time: does "Breslau 1930" name Wrocław under the
German state of 1930, not a town called Breslau elsewhere?

    python -m eval.old_names [--out PATH]

Each hint goes through the ContextEncoder without OCR or embedder. A hint is right when the
region's modern country is the expected ISO code (none expected for a state that split into
several: Austria-Hungary, Yugoslavia) and, where a polity is expected, the region's hierarchy
or name holds it. Prints the figure and writes it, with the misses, to
eval/results/old-names.md.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from context import ContextConfig, ContextEncoder
from eval.common import print_and_write

OUT = Path(__file__).parent / "results" / "old-names.md"


@dataclass(frozen=True)
class OldName:
    hint: str
    iso: str | None  # today's country; None where the place is several today (an empire)
    polity: str | None = None  # the state of that year, where the gazetteer models it


CASES = (
    # Central and Eastern Europe under German, Austrian and Polish names
    OldName("Breslau 1930", "PL", "Weimar Republic"),
    OldName("Stettin 1935", "PL", "Nazi Germany"),
    OldName("Danzig 1930", "PL", "Free City of Danzig"),
    OldName("Königsberg 1938", "RU", "Nazi Germany"),
    OldName("Lemberg 1910", "UA", "Austria-Hungary"),
    OldName("Lwów 1930", "UA", "Second Polish Republic"),
    OldName("Pressburg 1900", "SK", "Austria-Hungary"),
    OldName("Karlsbad 1910", "CZ", "Austria-Hungary"),
    OldName("Agram 1900", "HR", "Austria-Hungary"),
    OldName("Laibach 1900", "SI", "Austria-Hungary"),
    OldName("Ofen 1850", "HU", "Austrian Empire"),
    OldName("Memel 1930", "LT", "Lithuania"),
    OldName("Reval 1910", "EE", "Russian Empire"),
    OldName("Dorpat 1900", "EE", "Russian Empire"),
    OldName("Wilno 1930", "LT", "Second Polish Republic"),
    OldName("Kovno 1910", "LT", "Russian Empire"),
    OldName("Czernowitz 1910", "UA", "Austria-Hungary"),
    OldName("Posen 1910", "PL", "German Empire"),
    OldName("Fiume 1920", "HR", None),
    OldName("Christiania 1900", "NO", None),
    OldName("Helsingfors 1910", "FI", "Grand Duchy of Finland"),
    # The Ottoman lands
    OldName("Smyrna 1910", "TR", "Ottoman Empire"),
    OldName("Constantinople 1910", "TR", "Ottoman Empire"),
    OldName("Adrianople 1912", "TR", "Ottoman Empire"),
    OldName("Salonica 1912", "GR", None),
    OldName("Angora 1920", "TR", None),
    # Russian Empire and USSR
    OldName("Tiflis 1910", "GE", "Russian Empire"),
    OldName("თბილისი 1920", "GE", None),
    OldName("Երևան 1960", "AM", "Armenian SSR"),
    OldName("Erivan 1900", "AM", "Russian Empire"),
    OldName("Stalingrad 1943", "RU", "USSR"),
    OldName("Leningrad 1976", "RU", "USSR"),
    OldName("Sverdlovsk 1970", "RU", "USSR"),
    OldName("Gorky 1960", "RU", "USSR"),
    OldName("Kuibyshev 1950", "RU", "USSR"),
    OldName("Petrograd 1917", "RU", None),
    OldName("Tsaritsyn 1910", "RU", "Russian Empire"),
    OldName("Vyatka 1900", "RU", "Russian Empire"),
    OldName("Molotov 1950", "RU", "USSR"),
    OldName("Kalinin 1960", "RU", "USSR"),
    OldName("Frunze 1970", "KG", "Kirghiz SSR"),
    OldName("Alma-Ata 1970", "KZ", "Kazakh SSR"),
    OldName("Stalino 1950", "UA", "Ukrainian SSR"),
    OldName("Kishinev 1960", "MD", "Moldavian SSR"),
    OldName("Port Arthur 1904", "CN", "Russian Empire"),
    # Asia
    OldName("Saigon 1965", "VN", None),
    OldName("Bombay 1950", "IN", None),
    OldName("Madras 1950", "IN", None),
    OldName("Calcutta 1940", "IN", "British Raj"),
    OldName("Peking 1930", "CN", "Republic of China"),
    OldName("Canton 1930", "CN", "Republic of China"),
    OldName("Batavia 1930", "ID", None),
    OldName("Rangoon 1950", "MM", None),
    OldName("Edo 1860", "JP", "Tokugawa shogunate"),
    OldName("Yedo 1860", "JP", "Tokugawa shogunate"),
    OldName("Ceylon 1950", "LK", None),
    OldName("Persia 1920", "IR", None),
    OldName("Siam 1930", "TH", None),
    OldName("Formosa 1950", "TW", None),
    OldName("Burma 1960", "MM", None),
    OldName("Kampuchea 1980", "KH", None),
    OldName("East Pakistan 1965", "BD", None),
    # Africa
    OldName("Léopoldville 1955", "CD", None),
    OldName("Salisbury Rhodesia 1960", "ZW", None),
    OldName("Zaire 1980", "CD", None),
    OldName("Dahomey 1950", "BJ", None),
    OldName("Upper Volta 1970", "BF", None),
    OldName("Bechuanaland 1950", "BW", None),
    OldName("Tanganyika 1955", "TZ", None),
    OldName("Gold Coast 1950", "GH", None),
    # States that are gone, by their names
    OldName("Yugoslavia 1970", None, "Yugoslavia"),
    OldName("Czechoslovakia 1968", None, "Czechoslovakia"),
    OldName("East Germany 1970", "DE", "East Germany"),
    OldName("GDR 1970", "DE", "East Germany"),
    OldName("West Germany 1970", "DE", "West Germany"),
    OldName("Austria-Hungary 1910", None, "Austria-Hungary"),
    OldName("Ottoman Empire 1900", None, "Ottoman Empire"),
    OldName("Russian Empire 1900", None, "Russian Empire"),
    OldName("Soviet Union 1970", None, "USSR"),
    # Out of its period a former name is the town called so today
    OldName("Gold Coast 1990", "AU", None),
    OldName("Port Arthur 1990", "US", None),
)


@dataclass(frozen=True)
class Outcome:
    case: OldName
    iso: str | None
    name: str | None  # the region's name; None when no region
    right: bool


def judge(case: OldName, region) -> Outcome:
    if region is None:
        return Outcome(case, None, None, case.iso is None and case.polity is None)
    names = {ref.name for ref in region.hierarchy} | {region.name}
    polity_ok = case.polity is None or any(case.polity in n for n in names)
    return Outcome(case, region.modern_iso, region.name,
                   region.modern_iso == case.iso and polity_ok)


def measure(cases: tuple[OldName, ...] = CASES) -> list[Outcome]:
    encoder = ContextEncoder(ContextConfig(use_ocr=False, embed=False))
    return [judge(case, encoder(None, hint=case.hint).region) for case in cases]


def report(outcomes: list[Outcome]) -> str:
    right = sum(o.right for o in outcomes)
    lines = ["# Historical place names in a hint", "",
             ("`python -m eval.old_names`: hints that name a place by the name of the photo's "
              "time (\"Breslau 1930\"), ContextEncoder without OCR or embedder; right when the "
              "modern country is the expected one and, where given, the polity of that year "
              "is in the region's hierarchy."), "",
             f"Right: **{right}/{len(outcomes)}**.", ""]
    misses = [o for o in outcomes if not o.right]
    if misses:
        lines += ["| hint | expected | got |", "|---|---|---|"]
        for o in misses:
            want = f"{o.case.iso or 'no single country'}" + (
                f", {o.case.polity}" if o.case.polity else "")
            got = "no region" if o.name is None else f"{o.name} ({o.iso or 'no modern country'})"
            lines.append(f"| {o.case.hint} | {want} | {got} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print_and_write(args.out, report(measure()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
