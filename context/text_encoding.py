"""Text files a person wrote with office tools (CSV lists, sidecar captions, hints files),
decoded the way they were saved, never silently garbled.

`decode_user_text(data, what)` tries, in order:
1. a byte-order mark: UTF-8 (Notepad, Excel's "CSV UTF-8"), UTF-16 (Excel's "Unicode
   text"), UTF-32; the mark is dropped;
2. UTF-16 without a mark, told by its NUL bytes (every other byte of Latin text is 0);
3. UTF-8, strictly (plain ASCII is UTF-8), with a note naming words an earlier wrong
   reading garbled ("KrakÃ³w"), which are kept as written;
4. an 8-bit Windows or DOS code page (Excel's "CSV (comma delimited)" on Windows writes the
   system's: Windows-1252 in Western Europe, 1250 in Central Europe, 1251 for Cyrillic; "CSV
   (MS-DOS)" DOS 850; Excel for Mac Mac Roman). Each is tried and the one whose words read
   as words wins: "Kraków" is Windows-1252's reading of the bytes, "Krakуw" (Cyrillic inside a
   Latin word) Windows-1251's; "Москва" read as Windows-1252 is "Ìîñêâà", a word of accented
   letters only, which no Western language writes. The result carries a `note` saying which
   was assumed and with which words, so a wrong guess is seen; where no code page gives
   words, `TextEncodingError` says to save the file as UTF-8.

It lives in `context` so that every package reads a person's files alike: the colorizer's CSV
lists, captions and hints files, and `retrieval`'s library metadata CSV (`retrieval.archive`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from context.errors import ChronochromeError

# Preferred first where two read the bytes equally well ("España": ñ in 1252, ń in 1250).
CODE_PAGES = {"cp1252": "Windows-1252 (Western European)",
              "cp1250": "Windows-1250 (Central European)",
              "cp1251": "Windows-1251 (Cyrillic)",
              "cp1254": "Windows-1254 (Turkish)",
              "cp850": "DOS 850 (Excel's 'CSV (MS-DOS)')",
              "mac_roman": "Mac Roman (Excel for Mac)"}
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Letters and anything not ASCII, holding one not ASCII (the only runs a code page changes).
_WORD = re.compile(r"[A-Za-z\u0080-\U0010ffff]*[\u0080-\U0010ffff][A-Za-z\u0080-\U0010ffff]*")
# Different runs judged, among the first 20 times as many: evidence enough (judging every
# run of a 5 MB list took 20 s).
MAX_JUDGED = 2000
# Dashes, quotes, brackets, spaces and the ellipsis and bullets: between words, not in them.
_SEPARATORS = re.compile(r"[\u00a0\u00ab\u00b7\u00bb\u2000-\u206f\u3000]+")
# The letters not ASCII of the languages these code pages write, to break a tie between two
# readings that both give words: Czech "náměstí" (Windows-1250) is "námìstí" in Windows-1252,
# whose á, ì, í no one language writes together. Whole alphabets, not frequencies: a word
# fits a language or not.
ALPHABETS = {
    "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž", "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű", "hr": "čćđšž", "sl": "čšž", "ro": "ăâîșțşţ", "sq": "çë",
    "de": "äöüß", "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü", "it": "àèéìíîòóùú",
    "pt": "áâãàçéêíóôõú", "ca": "àçèéíïòóúü", "nl": "áéèëïóöü", "da": "æøåé", "sv": "åäöé",
    "fi": "äöåšž", "is": "áðéíóúýþæö", "tr": "çğıöşüâî", "et": "äöõüšž",
    "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя", "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш", "mk": "абвгдѓежзѕијклљмнњопрсќтуфхцчџш",
}
_ALPHABET_SETS = tuple(frozenset(letters) for letters in ALPHABETS.values())
SAVE_AS_UTF8 = ("save it as UTF-8 (Excel: Save As > 'CSV UTF-8'; LibreOffice: Character set "
                "'Unicode (UTF-8)'; Notepad: Encoding 'UTF-8')")


class TextEncodingError(ChronochromeError, ValueError):
    """A text file whose encoding cannot be told; the message says how to save it."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the codec used: "utf-8", "utf-16", "cp1252", ...
    note: str = ""  # what was assumed, for the user to check ("" when the file said)
    sample: tuple[str, ...] = ()  # a guessed code page's first words not ASCII, quoted

    @property
    def guessed(self) -> bool:
        """Whether the encoding is a code page chosen by its words (not UTF-8 or UTF-16)."""
        return self.encoding in CODE_PAGES


def decode_user_text(data: bytes, what: str) -> DecodedText:
    """The text of `data` (module docstring); `what` names the file in a note or error."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return DecodedText(_strict(data, codec, what), codec)
    utf16 = _bomless_utf16(data)
    if utf16:
        return DecodedText(_strict(data, utf16, what), utf16,
                           f"{what} has no byte-order mark; read as {utf16.upper()} (every "
                           "other byte is 0)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _code_page(data, what)
    return DecodedText(text, "utf-8", _garbled_note(text, what))


def decode_json_text(data: bytes, what: str) -> str:
    """A JSON file's text: UTF-8 with or without Notepad's byte-order mark, or UTF-16. JSON is
    UTF-8 and a config's values are not words to judge, so a Windows code page is refused,
    with the words it would give, rather than guessed."""
    decoded = decode_user_text(data, what)
    if decoded.guessed:
        raise TextEncodingError(f"{what} is not UTF-8 (as {CODE_PAGES[decoded.encoding]} it "
                                f"would read {', '.join(decoded.sample)}); {SAVE_AS_UTF8}")
    return decoded.text


def _garbled_note(text: str, what: str) -> str:
    """A note where UTF-8 text holds words an earlier wrong reading garbled ("KrakÃ³w": a
    UTF-8 list opened in Excel as Windows-1252, then saved as UTF-8); they are kept as
    written, the user fixes them."""
    for word in _words(text):
        try:
            fixed = word.encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        if fixed != word:
            return (f"{what} holds {word!r}, which looks like {fixed!r} garbled (UTF-8 read as "
                    "Windows-1252 before the file was saved, as Excel opens a CSV without a "
                    "byte-order mark); kept as written: correct it in the file")
    return ""


def _strict(data: bytes, codec: str, what: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise TextEncodingError(f"{what}: starts as {codec.upper()} but byte {exc.start} is "
                                f"not ({exc.reason}); the file is damaged or mixed: "
                                f"{SAVE_AS_UTF8}") from None


def _bomless_utf16(data: bytes) -> str:
    """"utf-16-le" or "utf-16-be" where NULs fill every other byte (Latin text in UTF-16),
    else ""; UTF-8 and 8-bit text never hold NUL."""
    if len(data) < 4 or len(data) % 2:
        return ""
    odd, even = data[1::2], data[0::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return ""


def _code_page(data: bytes, what: str) -> DecodedText:
    """The code page whose reading of `data` has the fewest implausible words, then the most
    plausible ones (module docstring); a note names it and the words it gives, and the words
    the runner-up would give where it reads them otherwise ("Karlùv" or "Karlův")."""
    scored = []
    for rank, codec in enumerate(CODE_PAGES):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue  # a byte this code page leaves undefined
        bad, words, good = _plausibility(text)
        scored.append(((bad, -words, -good, -_one_language_words(text), rank), codec, text))
    scored.sort()
    (bad, words, *_), codec, text = scored[0]
    if bad and bad >= -words:  # as many implausible words as plausible ones
        raise TextEncodingError(
            f"{what} is not UTF-8 ({_first_bad_utf8(data)}) and reads as no Windows, DOS or "
            f"Mac code page either; {SAVE_AS_UTF8}")
    note = (f"{what} is not UTF-8; read as {CODE_PAGES[codec]}, which gives "
            f"{', '.join(_sample_words(text))}")
    other = next(((c, t) for key, c, t in scored[1:] if key[0] == 0 and t != text), None)
    if other is not None and _sample_words(other[1]) != _sample_words(text):
        note += f" ({CODE_PAGES[other[0]]} would give {', '.join(_sample_words(other[1]))})"
    return DecodedText(text, codec, f"{note}; if these read wrong, {SAVE_AS_UTF8}",
                       tuple(_sample_words(text)))


def _first_bad_utf8(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"byte 0x{data[exc.start]:02X} at offset {exc.start}"
    return "valid"


def _plausibility(text: str) -> tuple[int, int, int]:
    """(implausible words, plausible words, their accented letters) over the words of two or
    more letters holding one not ASCII. A word is implausible with a symbol among its letters
    ("G³ówny": ł read as Windows-1252), letters of two scripts ("Krakуw"), a capital after a
    small letter ("cafÈ"), or, in Latin script, four or more letters nearly all accented
    ("Ìîñêâà": Москва read as Windows-1252)."""
    bad = words = good = 0
    for word in _words(text):
        wide = [c for c in word if ord(c) > 127]
        if len(word) < 2 or not wide:
            continue
        scripts = {unicodedata.name(c, "?").split()[0] for c in word if c.isalpha()}
        if (any(not c.isalpha() for c in word) or len(scripts) > 1
                or any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))
                or (scripts == {"LATIN"} and len(word) >= 4 and len(wide) > 0.75 * len(word))):
            bad += 1
        else:
            words += 1
            good += len(wide)
    return bad, words, good


def _one_language_words(text: str) -> int:
    """The most words whose letters not ASCII one language's alphabet (ALPHABETS) holds all
    of: a tie-break between readings equally plausible by `_plausibility`. Czech in Windows-
    1250 gives "Karlův", "náměstí", all Czech; read as Windows-1252 it gives "Karlùv" (French
    or Italian) and "námìstí" (no language), one word at most for any language."""
    letter_sets = [frozenset(c for c in word.lower() if ord(c) > 127 and c.isalpha())
                   for word in _words(text)]
    letter_sets = [letters for letters in letter_sets if letters]
    return max((sum(letters <= alphabet for letters in letter_sets)
                for alphabet in _ALPHABET_SETS), default=0)


def _words(text: str) -> list[str]:
    """Runs of letters and characters not ASCII, split at dashes, quotes and brackets (a
    "1950–1955" or "Anna’s" is no sign of a wrong code page), symbols at either end dropped
    ("¿Qué", "20°"); a symbol inside ("G³ówny") stays."""
    found: list[str] = []
    runs: dict[str, None] = {}
    for seen, match in enumerate(_WORD.finditer(text)):
        if len(runs) == MAX_JUDGED or seen == 20 * MAX_JUDGED:
            break
        runs.setdefault(match.group())
    for run in runs:
        for part in _SEPARATORS.split(run):
            start, end = 0, len(part)
            while start < end and not part[start].isalpha():
                start += 1
            while end > start and not part[end - 1].isalpha():
                end -= 1
            if start < end:
                found.append(part[start:end])
    return found


def _sample_words(text: str, count: int = 3) -> list[str]:
    """The first `count` different words with a character not ASCII, quoted."""
    seen: list[str] = []
    for word in _words(text):
        if any(ord(c) > 127 for c in word) and repr(word) not in seen:
            seen.append(repr(word))
            if len(seen) == count:
                break
    return seen
