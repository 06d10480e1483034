"""The words the service adds to a colorized IIIF manifest, in the languages of the source's
label: " (colorized)" and the summary's sentence.

An archive's manifest is often labeled in several languages ({"de": [...], "fr": [...]}); the
English " (colorized)" was appended inside each of them ("Alte Ansichten (colorized)"). A
language in the table gets its own word; another keeps its label as it was and the English
goes into an "en" entry beside it. A "none" label (no language stated, shown to every reader
whose language the map lacks) keeps the English suffix: left bare, a reader of another
language would see no sign that the image is colorized.
"""

from __future__ import annotations

# language (primary subtag) -> (the suffix written after the label, the summary's sentence)
_WORDS: dict[str, tuple[str, str]] = {
    "en": (" (colorized)", ("Each canvas offers the original photograph first and a colorized "
           "version second; colors were estimated by a trained model.")),
    "de": (" (koloriert)", ("Jede Leinwand zeigt zuerst das Originalfoto und dann eine "
           "kolorierte Fassung; die Farben wurden von einem trainierten Modell geschätzt.")),
    "fr": (" (colorisé)", ("Chaque canevas présente d'abord la photographie originale, puis une "
           "version colorisée ; les couleurs ont été estimées par un modèle entraîné.")),
    "ru": (" (раскрашено)", ("На каждом холсте сначала оригинальная фотография, затем "
           "раскрашенная версия; цвета оценены обученной моделью.")),
    "uk": (" (розфарбовано)", ("На кожному полотні спершу оригінальна фотографія, потім "
           "розфарбована версія; кольори оцінила навчена модель.")),
    "es": (" (coloreado)", ("Cada lienzo ofrece primero la fotografía original y después una "
           "versión coloreada; los colores los estimó un modelo entrenado.")),
    "it": (" (colorizzato)", ("Ogni canvas presenta prima la fotografia originale e poi una "
           "versione colorizzata; i colori sono stati stimati da un modello addestrato.")),
    "pl": (" (koloryzowane)", ("Każde płótno pokazuje najpierw oryginalne zdjęcie, a potem "
           "wersję koloryzowaną; kolory oszacował wytrenowany model.")),
    "cs": (" (kolorováno)", ("Každé plátno nabízí nejprve původní fotografii a poté kolorovanou "
           "verzi; barvy odhadl natrénovaný model.")),
    "nl": (" (ingekleurd)", ("Elk canvas toont eerst de originele foto en daarna een "
           "ingekleurde versie; de kleuren zijn geschat door een getraind model.")),
    "ja": ("（カラー化）", ("各キャンバスは、まず元の写真、次にカラー化した版を示します。"
           "色は学習済みモデルによる推定です。")),
    "zh": ("（上色）", "每个画布先显示原始照片，再显示上色版本；颜色由训练好的模型估计。"),
}


def _words(language: str) -> tuple[str, str] | None:
    """The table's entry for a BCP 47 tag by its primary subtag ("de-AT", "zh-Hans")."""
    return _WORDS.get(language.split("-")[0].lower())


def colorized_label(label: dict[str, list[str]]) -> dict[str, list[str]]:
    """The source label marked as colorized in each of its languages (module docstring)."""
    out: dict[str, list[str]] = {}
    untranslated: list[str] = []
    for language, values in label.items():
        words = _words(language) or (_WORDS["en"] if language == "none" else None)
        if words is None:
            out[language] = list(values)
            untranslated += values
        else:
            out[language] = [f"{value}{words[0]}" for value in values]
    if untranslated and not any(_words(language) == _WORDS["en"] for language in out):
        out["en"] = [f"{value}{_WORDS['en'][0]}" for value in untranslated]
    return out


def colorized_summary(label: dict[str, list[str]], source_summary: dict[str, list[str]],
                      extra_en: str = "") -> dict[str, list[str]]:
    """The manifest's summary: the source manifest's own (it was dropped), then our sentence
    in each language of the label the table has, and always in English. The source's "none"
    texts (no language) open every language's entry, since a viewer that finds the reader's
    language shows that entry only."""
    languages = [lang for lang in label if lang != "none" and _words(lang)]
    if not any(_words(lang) == _WORDS["en"] for lang in languages):
        languages.append("en")
    neutral = list(source_summary.get("none", []))
    out = {lang: list(values) for lang, values in source_summary.items()}
    for language in languages:
        ours = _words(language)[1] + (extra_en if _words(language) == _WORDS["en"] else "")
        out[language] = [*neutral, *source_summary.get(language, []), ours]
    for language in out:  # a source language without our sentence still gets the neutral text
        if language not in languages and language != "none":
            out[language] = [*neutral, *source_summary[language]]
    return out
