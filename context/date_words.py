"""How people write decades, centuries, "about" and "before/after" in German, French,
Spanish, Italian, Polish, Czech, Ukrainian and Russian (English and the Russian forms with
digits are in context/temporal.py).

Each `Lang` lists its words for the first, middle and last third ("Anfang der 60er", "fin
des années 1940", "кінець XIX століття"), the little words that may stand between such a
word and the date, and regular-expression forms of a decade (group `n`: "1930" or "30";
or `w`: a number word's stem, "trent") and of a century (group `c`: "XIX" or "19"; or
`w`: "Ottocento"). A qualifier counts only with a form of its own language, so the
Italian "fine" never narrows an English "fine 1950s car".
"""

from __future__ import annotations

from dataclasses import dataclass

_N = r"['’]?(?P<n>1[6-9]\d0|[1-9]0)"  # a decade's first year, four digits or two
_R = r"(?P<c>[IVXL]{1,6}|\d{1,2})"  # a century, Roman or Arabic
_END = r"(?![^\W\d_])"  # not followed by a letter


@dataclass(frozen=True)
class Lang:
    code: str
    early: tuple[str, ...]
    mid: tuple[str, ...]
    late: tuple[str, ...]
    fill: str  # what may stand between the qualifier and the date
    decades: tuple[str, ...]
    centuries: tuple[str, ...]


LANGS: tuple[Lang, ...] = (
    Lang("de", ("anfang", "beginn", "frühen?", "fruehen?"), ("mitte",),
         ("ende", "späten?", "spaeten?"), r"(?:\s+(?:der|des|den|dem))?\s+",
         (rf"{_N}ern?(?:\s*-?\s*jahren?)?{_END}",
          r"(?P<w>zwanzig|dreißig|dreissig|vierzig|fünfzig|fuenfzig|sechzig|siebzig|achtzig"
          r"|neunzig)er\s*-?\s*jahren?" + _END),
         (rf"{_R}\.\s*(?:jahrhunderts?|jhdt?\.?|jh\.)",)),
    Lang("fr", ("début", "debut", "tout début"), ("milieu",), ("fin",),
         r"\s+(?:des|du|de\s+la)?\s*",
         (rf"ann[ée]es\s+{_N}(?!\d)",
          r"ann[ée]es\s+(?P<w>vingt|trente|quarante|cinquante|soixante-dix|soixante"
          r"|quatre-vingt-dix|quatre-vingts?)" + _END),
         (rf"{_R}\s*(?:e|ème|eme|è)?\s+si[èe]cle",)),
    Lang("es", ("principios", "comienzos", "inicios"), ("mediados", "mitad"),
         ("finales", "fines"), r"\s+(?:del?\s+)?(?:(?:los|las|el|la)\s+)?",
         (rf"a[ñn]os\s+{_N}s?(?!\d)", rf"d[ée]cada\s+de\s+(?:los\s+)?{_N}s?(?!\d)",
          # "los 60" only before the end or a comma: "los 60 soldados" are soldiers
          rf"los\s+{_N}s?(?=\s*(?:$|[,.;:)\]]))",
          r"a[ñn]os\s+(?P<w>veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta"
          r"|noventa)" + _END),
         (rf"siglo\s+{_R}(?!\w)", r"s\.\s*(?P<c>[IVXL]{2,6})(?!\w)")),
    Lang("it", ("primi", "primo", "inizio", "inizi"), ("metà", "meta'"),
         ("fine", "tardo", "ultimi"),
         r"\s+(?:(?:del|dello|della|degli|dei|delle)\s+)?(?:(?:gli|i)\s+)?",
         (rf"anni\s+{_N}(?!\d)",
          r"anni\s+(?P<w>venti|trenta|quaranta|cinquanta|sessanta|settanta|ottanta"
          r"|novanta)" + _END),
         (r"(?P<c>[IVXL]{1,6})\s+(?:secolo|sec\.)", r"(?:secolo|sec\.)\s+(?P<c>[IVXL]{1,6})(?!\w)",
          r"(?P<w>settecento|ottocento|novecento)" + _END, r"['’](?P<h>[6-9])00(?!\d)")),
    Lang("pl", ("początek", "początku", r"pocz\."), ("połowa", "połowie", r"poł\."),
         ("koniec", "końca", "końcu"), r"\s+",
         (rf"(?:lata|latach|lat|latami)\s+{_N}\.?(?:-?te|-?tych|-?ych)?(?![\d\w])",
          (r"(?:lata|latach|lat)\s+(?P<w>dwudziest|trzydziest|czterdziest|pięćdziesiąt"
          r"|sześćdziesiąt|siedemdziesiąt|osiemdziesiąt|dziewięćdziesiąt)\w*")),
         (r"(?P<c>[IVXL]{1,6})\s*(?:wiek\w*|w\.)",)),
    Lang("cs", ("počátek", "počátku", "začátek", "začátku", r"poč\.", r"zač\."),
         ("polovina", "polovině", "polovinu", r"pol\."), ("konec", "konci", "konce"), r"\s+",
         (rf"{_N}\.\s*(?:léta|let|letech|létech|letům|léty){_END}",
          r"(?P<w>dvacát|třicát|čtyřicát|padesát|šedesát|sedmdesát|osmdesát|devadesát)\w*"
          r"\s+(?:léta|let|letech)" + _END),
         (rf"{_R}\.\s*(?:století|stol\.)",)),
    Lang("uk", ("початок", "початку", r"поч\."), ("середина", "середини", "середині", r"сер\."),
         ("кінець", "кінця", "кінці", r"кін\."), r"\s+",
         (rf"{_N}\s*-?\s*(?:ті|тих){_END}",
          (r"(?P<w>двадцят|тридцят|сорокові|п['’]ятдесят|шістдесят|сімдесят|вісімдесят"
          r"|дев['’]яност)\w*\s+рок\w*")),
         (rf"{_R}\s*(?:-?го\s+)?(?:столітт\w*|ст\.)",)),
    # Russian; its "1950-х" is also how Ukrainian writes a decade ("початок 1960-х")
    Lang("ru", ("начал[оаеу]", r"нач\.", "початок", "початку", r"поч\."),
         ("середин[аыеуі]", r"сер\."), ("кон[е]?ц[ае]?", "конце", r"кон\.", "кінець", "кінця",
                                        "кінці", r"кін\."), r"\s+",
         (rf"{_N}\s*-?\s*(?:х|е|ых|ые|ие){_END}",
          (r"(?P<w>двадцат|тридцат|сороков|пятидесят|шестидесят|семидесят|восьмидесят"
          r"|девяност)\w*\s+год\w*")),
         (rf"(?<![\dA-Za-z]){_R}\s*(?:-?го\s+)?(?:век[аеу]?|в\.|вв\.|столети\w*)",)),
)

# Number words of a decade (their stems, as the forms above write them) -> its first year.
DECADE_WORDS = {
    "zwanzig": 1920, "dreißig": 1930, "dreissig": 1930, "vierzig": 1940, "fünfzig": 1950,
    "fuenfzig": 1950, "sechzig": 1960, "siebzig": 1970, "achtzig": 1980, "neunzig": 1990,
    "vingt": 1920, "trente": 1930, "quarante": 1940, "cinquante": 1950, "soixante": 1960,
    "soixante-dix": 1970, "quatre-vingt": 1980, "quatre-vingts": 1980,
    "quatre-vingt-dix": 1990,
    "veinte": 1920, "treinta": 1930, "cuarenta": 1940, "cincuenta": 1950, "sesenta": 1960,
    "setenta": 1970, "ochenta": 1980, "noventa": 1990,
    "venti": 1920, "trenta": 1930, "quaranta": 1940, "cinquanta": 1950, "sessanta": 1960,
    "settanta": 1970, "ottanta": 1980, "novanta": 1990,
    "dwudziest": 1920, "trzydziest": 1930, "czterdziest": 1940, "pięćdziesiąt": 1950,
    "sześćdziesiąt": 1960, "siedemdziesiąt": 1970, "osiemdziesiąt": 1980,
    "dziewięćdziesiąt": 1990,
    "dvacát": 1920, "třicát": 1930, "čtyřicát": 1940, "padesát": 1950, "šedesát": 1960,
    "sedmdesát": 1970, "osmdesát": 1980, "devadesát": 1990,
    "двадцят": 1920, "тридцят": 1930, "сорокові": 1940, "п'ятдесят": 1950,
    "п’ятдесят": 1950, "шістдесят": 1960, "сімдесят": 1970, "вісімдесят": 1980,
    "дев'яност": 1990, "дев’яност": 1990,
    "двадцат": 1920, "тридцат": 1930, "сороков": 1940, "пятидесят": 1950, "шестидесят": 1960,
    "семидесят": 1970, "восьмидесят": 1980, "девяност": 1990,
    "twent": 1920, "thirt": 1930, "fort": 1940, "fift": 1950, "sixt": 1960, "sevent": 1970,
    "eight": 1980, "ninet": 1990,
}
# Italian names of centuries: the Ottocento is the 1800s (the 19th century).
CENTURY_WORDS = {"settecento": 18, "ottocento": 19, "novecento": 20}

# "About 1910" in each language (English "circa", "ca." and the Russian "около" are in
# context/temporal.py with the forms written without a space, "c1880").
CIRCA_WORDS = (
    "about", "around", "approximately", "um", "etwa", "gegen", "ungefähr", "zirka", "cirka",
    "vers", r"env\.?", "environ", "autour de", "aux alentours de", "hacia(?: el)?",
    "alrededor del?", r"aprox\.?", "aproximadamente", "cerca de", "intorno al",
    "attorno al", "verso il", "około", r"ok\.?", "kolem", "okolo", "asi", r"cca\.?",
    "přibližně", "zhruba", "близько", "приблизно", "біля", r"бл\.", "орієнтовно",
)
# The photo was taken no later / no earlier than the year: a window, not an estimate.
BEFORE_WORDS = ("before", "pre-?", "prior to", "until", "till", "vor", "bis", "avant",
                "jusqu['’]en", "antes de", "hasta", "prima del", "fino al", "przed", "před",
                "до", "не позднее", "не пізніше")
AFTER_WORDS = ("after", "post-?", "since", "nach", "seit", "après", "apres", "depuis",
               "después de", "despues de", "desde", "dopo il", "dal", "po", "od", "после",
               "не ранее", "після", "не раніше", "від")
# A year's word that may stand between those words and the year ("kolem roku 1910").
YEAR_WORD = r"(?:(?:roku|roce|r\.|el|il|l['’]an|das\s+jahr|the\s+year|года?|року)\s+)?"

# Month names (and their genitive forms: "20 kwietnia 1945", "15 декабря 1931") by number,
# in English, Russian, German, French, Spanish, Italian, Polish, Czech and Ukrainian. The
# month matters where a place changed hands within a year (Paris 1944, Berlin 1945).
MONTHS = (
    (1, (r"jan(?:uary)?|январ[яь]|januar|jänner|janvier|enero|gennaio|styczeń|stycznia|leden"
        r"|ledna|січень|січня")),
    (2, (r"feb(?:ruary)?|феврал[яь]|februar|février|fevrier|febrero|febbraio|luty|lutego|únor"
        r"|února|лютий|лютого")),
    (3, (r"mar(?:ch)?|март[а]?|märz|maerz|mars|marzo|marzec|marca|březen|března|березень"
        r"|березня")),
    (4, (r"apr(?:il)?|апрел[яь]|avril|abril|aprile|kwiecień|kwietnia|duben|dubna|квітень"
        r"|квітня")),
    (5, r"may|ма[яй]|mai|mayo|maggio|maj|maja|květen|května|травень|травня"),
    (6, (r"june?|июн[яь]|juni|juin|junio|giugno|czerwiec|czerwca|červen|června|червень"
        r"|червня")),
    (7, (r"july?|июл[яь]|juli|juillet|julio|luglio|lipiec|lipca|červenec|července|липень"
        r"|липня")),
    (8, (r"aug(?:ust)?|август[а]?|août|aout|agosto|sierpień|sierpnia|srpen|srpna|серпень"
        r"|серпня")),
    (9, (r"sep(?:t(?:ember)?)?|сентябр[яь]|septembre|septiembre|setiembre|settembre|wrzesień"
        r"|września|září|вересень|вересня")),
    (10, (r"oct(?:ober)?|октябр[яь]|oktober|octobre|octubre|ottobre|październik|października"
         r"|říjen|října|жовтень|жовтня")),
    (11, (r"nov(?:ember)?|ноябр[яь]|novembre|noviembre|listopad|listopada|listopadu|листопад"
         r"|листопада")),
    (12, (r"dec(?:ember)?|декабр[яь]|dezember|décembre|decembre|diciembre|dicembre|grudzień"
         r"|grudnia|prosinec|prosince|грудень|грудня")),
)
