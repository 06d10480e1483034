"""Cyrillic writing as the text reader read it on the real-color-dev slides (Soviet slide
films, their titles in Russian: shared/datasets/real-color-dev/manifest.csv), with each
language model's mean confidence on it as `python -m context` measured and printed it
(2 digits). `python -m eval.context_suite` (part 4) asks context/language.py which language
each is in: a right answer is Russian or none, a wrong one names another language (the
more surely, the worse: a named language is weak evidence of the region).

Read on 2026-12-07 by `chronochrome context` on the slides turned gray under neutral names,
no hint; slides whose writing gave no models' reading (too few letters) are left out.
"""

from __future__ import annotations

# (slide, the Cyrillic lines read, joined; language code -> model confidence)
SLIDE_READINGS: list[tuple[str, str, dict[str, float]]] = [
    ("Part12__Basch_3-Belaja", "ТfуТеиесТВиепо", {"rus": 0.16, "ukr": 0.0, "bel": 0.0, "kaz": 0.0}),
    ("Part12__Basch_4_Orenb", "Дорога, Оренбург", {"ukr": 0.32, "rus": 0.24, "bel": 0.18, "kaz": 0.02}),
    ("Part12__Saw-Ural_2", "Свердловск.", {"bel": 0.4, "kaz": 0.09, "ukr": 0.01, "rus": 0.0}),
    ("Part1__Altai_1", "Алтай 1972 года и возвращение через 30 слишним лет",
     {"rus": 0.96, "kaz": 0.91, "ukr": 0.9, "bel": 0.78}),
    ("Part1__Galja", "баля", {"rus": 0.17, "ukr": 0.01, "bel": 0.0, "kaz": 0.0}),
    ("Part1__Mangischlak", "Мангышлак - 1979,", {"ukr": 0.61, "bel": 0.61, "rus": 0.48, "kaz": 0.35}),
    ("Part3__Ararat", "„Арарат“ Р.ИВнеб", {"kaz": 0.49, "rus": 0.46, "ukr": 0.42, "bel": 0.36}),
    ("Part3__Armenia-69", "ения", {"rus": 0.02, "ukr": 0.0, "bel": 0.0, "kaz": 0.0}),
    ("Part3__Gruzii", "Военно-грузинская дорога", {"rus": 0.23, "ukr": 0.19, "bel": 0.16, "kaz": 0.14}),
    ("Part3__Nachichewan", "башня.", {"kaz": 0.27, "ukr": 0.15, "bel": 0.13, "rus": 0.12}),
    ("Part3__Sew_armenia", "Ибнасты Ри Урмениц", {"bel": 0.38, "rus": 0.37, "ukr": 0.36, "kaz": 0.23}),
    ("Part3__lvov", "Львов", {"ukr": 0.81, "bel": 0.42, "rus": 0.32, "kaz": 0.03}),
    ("Part4__Karpat_goroda", "КирпаТапге [ ороба,", {"rus": 0.15, "ukr": 0.15, "kaz": 0.1, "bel": 0.08}),
    ("Part4__Krim_rasni_3", "Масть Ш. Крым раSНОИАеМЯННИИ",
     {"bel": 0.1, "rus": 0.08, "kaz": 0.07, "ukr": 0.04}),
    ("Part4__Krim_rus_2", "Часть Д. Крым руссКсии", {"kaz": 0.29, "ukr": 0.29, "rus": 0.21, "bel": 0.18}),
    ("Part4__Krim_tat_1", "Крым", {"bel": 0.84, "kaz": 0.8, "rus": 0.41, "ukr": 0.33}),
    ("Part4__Ukraina-2", "украина-", {"ukr": 0.44, "bel": 0.36, "rus": 0.19, "kaz": 0.02}),
    ("Part4__Ukraina-3", "украина Часто", {"ukr": 0.13, "bel": 0.12, "kaz": 0.06, "rus": 0.02}),
    ("Part5__Chabarowsk-74", "дальний Восток", {"ukr": 0.34, "bel": 0.32, "rus": 0.16, "kaz": 0.09}),
    ("Part5__Sev_Ural_70", "Уральский", {"kaz": 0.54, "ukr": 0.53, "bel": 0.23, "rus": 0.0}),
    ("Part6__Aserbaid_1", "Кавказ", {"ukr": 0.96, "rus": 0.91, "bel": 0.91, "kaz": 0.44}),
    ("Part6__Awarzi_1", "ВосТоиНи Кавказ", {"rus": 0.21, "bel": 0.03, "kaz": 0.02, "ukr": 0.0}),
    # "Часть IV." with the Roman numeral's I read as Latin I, taken as Ukrainian і
    ("Part6__Ogni_Baku_2", "НасТоIУ. СпраВеснивеа", {"ukr": 0.26, "bel": 0.11, "kaz": 0.1, "rus": 0.1}),
    ("Part7__Abchasia_2", "Пицунда]", {"rus": 0.42, "bel": 0.4, "ukr": 0.21, "kaz": 0.18}),
    ("Part7__Choresm-1", "Хорезм 2 1989", {"kaz": 0.13, "rus": 0.0, "ukr": 0.0, "bel": 0.0}),
    # "Путешествие к родителям": read best by the Ukrainian model, Russian by its letters
    ("Part8__Kubani-81", "Путешествие к одителяй", {"ukr": 0.77, "bel": 0.65, "rus": 0.59, "kaz": 0.47}),
    ("Part8__Moldawi-2", "‘праёославыё,", {"ukr": 0.7, "rus": 0.6, "kaz": 0.52, "bel": 0.43}),
    ("Part9__Tadzhiki-2", ".-: 2-2 о тоц]", {"kaz": 0.36, "bel": 0.24, "rus": 0.22, "ukr": 0.05}),
]
SLIDE_LANGUAGE = "rus"  # every slide title here is Russian
