"""Language facts as data: one TOML file (+ a harvested phrase list) per language.

Adding a language is a data change: ``akn/lang/<code>.toml`` with the same keys, and
``<code>.phrases.txt`` with the opening phrases of preambular paragraphs.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASCII_DIGITS = "0123456789"
EASTERN_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_ASCII = str.maketrans(EASTERN_DIGITS + PERSIAN_DIGITS, ASCII_DIGITS * 2)


_TO_EASTERN = str.maketrans(ASCII_DIGITS, EASTERN_DIGITS)


def ascii_digits(text: str) -> str:
    """Eastern Arabic (and Persian) digits -> ASCII, for attributes and identifiers."""
    return text.translate(_TO_ASCII)


def eastern_digits(text: str) -> str:
    """ASCII digits -> Eastern Arabic, to show a number the way an Arabic text writes it."""
    return text.translate(_TO_EASTERN)


def writes_eastern_digits(text: str) -> bool:
    """Does this text write its numbers mostly in Eastern Arabic digits?"""
    return sum(text.count(d) for d in EASTERN_DIGITS) > sum(ch.isascii() and ch.isdigit() for ch in text)


@dataclass
class Language:
    code: str
    frbr: str
    name: str
    dir: str
    digits: str
    data: dict
    phrases: list[str] = field(default_factory=list)

    def __post_init__(self):
        d = self.data
        self.script = d.get("script", "latn")
        # languages written without spaces between words (Chinese): lines join without one
        self.spaces = d.get("spaces", True)
        self.page_marks = [" ".join(m.split()) for m in d.get("page_marks", [])]
        self.formula = re.compile(d["formula"])
        self.openers = tuple(d.get("preamble_openers", []))
        # a preambular paragraph may open with a participle not in the phrase list: its
        # endings, and the case of its first letter ("Recalling"; Russian "напоминая")
        self.participles = tuple(d.get("participles", []))
        self.participle_case = d.get("participle_case", "any")
        self.adverbs = sorted(d.get("phrase_adverbs", []), key=len, reverse=True)
        self.operative_number = re.compile(d["operative_number"])
        self.point_number = re.compile(d["point_number"])
        self.point_letters = d.get("point_letters", [])
        self.title = re.compile(d["title"])
        self.section_number = re.compile(d["section_number"]) if d.get("section_number") else None
        self.closing = tuple(d["closing"])
        m = d["masthead"]
        self.masthead = {k: (re.compile(v) if k in MASTHEAD_PATTERNS else v) for k, v in m.items()}
        self.months = d["months"]
        self.resolution_words = d["words"]["resolution"]
        self.bodies = d["words"]["bodies"]
        after = d["words"].get("citation_after")
        self.citation_after = re.compile(after) if after else None
        self.date_pattern = d.get("date", r"(?P<day>{D}{1,2})\s+(?P<month>{months})\s+(?P<year>{D}{4})")
        self.detect_words = frozenset(d.get("detect_words", []))
        # numbers written "3,1" (a decimal comma): a digit after "3," is no note call
        self.decimal_comma = d.get("decimal_comma", False)
        self.ordinals = {k.lower(): v for k, v in d.get("ordinals", {}).items()}
        self.ordinal_stems = d.get("ordinal_stems", False)
        # phrases sorted longest first so the longest opening phrase wins
        self.phrases_by_len = sorted(set(self.phrases), key=len, reverse=True)
        self.first_words = frozenset(self.openers) | {p.split()[0] for p in self.phrases if p.split()}
        # opening phrases by their first word, longest first; with the conjunction-less form
        # that the first preambular paragraph uses ("وإذ تشير" -> "إذ تشير"). A language
        # written without spaces keys them by their first character.
        conj = d.get("conjunction", "")
        index: dict[tuple, list[str]] = {}
        for p in self.phrases_by_len:
            for cand in (p, p[len(conj):] if conj and p.startswith(conj) else ""):
                words = cand.split() if self.spaces else [cand[:1]]
                if words and words[0]:  # keyed by the first two words (one for one-word phrases)
                    index.setdefault(tuple(words[:2]), []).append(cand)
        self.phrase_index = {k: sorted(set(v), key=len, reverse=True) for k, v in index.items()}

    def phrases_for(self, text: str) -> list[str]:
        """The opening phrases that could start ``text``, longest first."""
        if not self.spaces:
            return self.phrase_index.get((text[:1],), [])
        words = text.split(" ", 2)
        return sorted(self.phrase_index.get(tuple(words[:2]), []) + self.phrase_index.get(tuple(words[:1]), []),
                      key=len, reverse=True)

    def opens_with_phrase(self, text: str) -> bool:
        """Does ``text`` start with one of the harvested opening phrases (as whole words)?"""
        for cand in self.phrases_for(text):
            if text.startswith(cand) and (not self.spaces or len(text) == len(cand)
                                          or not text[len(cand)].isalnum()):
                return True
        return False

    def number(self, words: str) -> int | None:
        """The number that ordinal (or cardinal) words stand for — "الثالثة والثلاثون" 33,
        "soixante-dix-huitième" 78, "сорок пятое" 45, "四十五" 45 — or None when a word is
        not a number word of this language."""
        words = words.strip()
        if not words:
            return None
        if self.script == "hani":
            return cjk_number(words)
        tokens = [t for t in re.split(r"[\s\-‑‐]+", words.lower()) if t]
        total, i = 0, 0
        while i < len(tokens):
            # the longest run of tokens that is one entry ("quatre-vingt")
            for k in range(min(3, len(tokens) - i), 0, -1):
                value = self._ordinal(" ".join(tokens[i:i + k])) if k > 1 else self._ordinal(tokens[i])
                if k > 1 and value is None:
                    value = self._ordinal("-".join(tokens[i:i + k]))
                if value is not None:
                    total += value
                    i += k
                    break
            else:
                return None
        return total or None

    def _ordinal(self, token: str) -> int | None:
        table = self.ordinals
        if token in table:
            return table[token]
        conj = self.data.get("conjunction", "")
        if conj and token.startswith(conj) and token[len(conj):] in table:
            return table[token[len(conj):]]
        if self.ordinal_stems:  # a stem and an ending of up to three letters
            for cut in range(1, 4):
                if len(token) > cut and token[:-cut] in table:
                    return table[token[:-cut]]
        return None

    def to_local_digits(self, text: str) -> str:
        return text.translate(str.maketrans(ASCII_DIGITS, self.digits))

    def is_rtl(self) -> bool:
        return self.dir == "rtl"


MASTHEAD_PATTERNS = frozenset({"session", "session_alone", "organ", "agenda", "adoption", "proponent",
                               "meeting"})

_CJK_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}


def cjk_number(text: str) -> int | None:
    """A number written in Chinese numerals (七十八 78, 一百零二 102, 十五 15), or None."""
    if not text or any(ch not in _CJK_DIGITS and ch not in _CJK_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CJK_UNITS[ch]
            digit = None
    return total + (digit or 0)


def _load(code: str) -> Language:
    data = tomllib.loads((HERE / f"{code}.toml").read_text(encoding="utf-8"))
    phrases_file = HERE / f"{code}.phrases.txt"
    phrases = []
    if phrases_file.exists():
        phrases = [ln.strip() for ln in phrases_file.read_text(encoding="utf-8").splitlines()
                   if ln.strip() and not ln.startswith("#")]
    return Language(code=data["code"], frbr=data["frbr"], name=data["name"], dir=data["dir"],
                    digits=data["digits"], data=data, phrases=phrases)


@lru_cache(maxsize=None)
def get(code: str) -> Language:
    """The language with this code (``ar``, ``en``, ``fr``, ``es``, ``ru``, ``zh``; the
    FRBR code ``ara``… is accepted too). Raises KeyError for a language akn has no data for."""
    code = code.strip().lower()
    code = FRBR_TO_CODE.get(code, code)
    if code not in available():
        raise KeyError(code)
    return _load(code)


@lru_cache(maxsize=None)
def available() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in HERE.glob("*.toml")))


@lru_cache(maxsize=None)
def _script(code: str) -> str:
    """A language's script (its file's ``script = "…"``, as Language.script reads it), without
    loading the language: detection then loads only the languages of the text's script."""
    m = re.search(r'^script\s*=\s*"([^"]*)"', (HERE / f"{code}.toml").read_text(encoding="utf-8"), re.M)
    return m.group(1) if m else "latn"


# --------------------------------------------------------------- tags and direction
#
# What the writers need to know of a language, for more languages than the reader reads (a
# UN file may be in any): FRBRlanguage (ISO 639-2, bibliographic or terminology code) ->
# the BCP 47 tag of HTML's lang and PDF's /Lang, the base direction, and the language's
# name in itself (the catalogue). One table, read by akn.facts; the writers ask it.

FRBR_TO_CODE = {"ara": "ar", "eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "rus": "ru",
                "zho": "zh", "chi": "zh", "heb": "he", "fas": "fa", "per": "fa", "urd": "ur"}
RTL = frozenset({"ar", "he", "fa", "ur"})
ENDONYMS = {"ar": "العربية", "en": "English", "fr": "Français", "es": "Español",
            "ru": "Русский", "zh": "中文"}
UNDETERMINED = "und"   # BCP 47's "undetermined": no language, or one we cannot name


def tag_for(frbr_code: str | None) -> str:
    """The BCP 47 tag for an FRBRlanguage code: "ara" -> "ar", "per" -> "fa"; a two-letter
    code is taken as it is; anything else (empty, unknown) is "und", never a guess."""
    code = (frbr_code or "").strip().lower()
    return FRBR_TO_CODE.get(code) or (code if re.fullmatch(r"[a-z]{2}", code) else UNDETERMINED)


def direction(tag: str) -> str:
    """"rtl" or "ltr": the base direction a text in this language is written in."""
    return "rtl" if tag in RTL else "ltr"


class UnknownLanguage(ValueError):
    """The text is in no language akn has data for."""


# the high byte of a UTF-16 code unit names the block of its character: what to delete from
# the high bytes to keep those of one script (bytes.translate deletes in one C pass)
_SCRIPT_BLOCKS = {"arab": (0x06, 0x06), "cyrl": (0x04, 0x04), "hani": (0x4E, 0x9F)}
_DELETE = {s: bytes(b for b in range(256) if not lo <= b <= top) for s, (lo, top) in _SCRIPT_BLOCKS.items()}
_LATIN_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_NOT_LATIN = bytes(b for b in range(256) if b not in _LATIN_LETTERS)


def script_counts(text: str) -> dict[str, int]:
    """Characters of each script akn reads in ``text``, counted in C: Arabic, Cyrillic and
    CJK by the high byte of their UTF-16 code units, Latin as ASCII letters."""
    hi = text.encode("utf-16-le", "surrogatepass")[1::2]
    counts = {s: len(hi.translate(None, delete)) for s, delete in _DELETE.items()}
    counts["latn"] = len(text.encode("ascii", "ignore").translate(None, _NOT_LATIN))
    return counts


def detect(text: str) -> Language:
    """The language of a resolution's text: its script, then (for the languages that share a
    script) the language whose frequent words it uses most. Raises UnknownLanguage."""
    sample = text[:8000]
    counts = script_counts(sample)
    script = max(counts, key=counts.get)
    # letters of any script, counted only when the scripts akn reads are few (a resolution
    # has thousands of its own script's letters: no need to count them one by one)
    letters = counts[script] * 3 if counts[script] >= 600 else sum(ch.isalpha() for ch in sample[:4000])
    if not letters or (letters >= 200 and counts[script] < letters // 3):
        # mostly another script (Greek, Hebrew, Devanagari…): no language akn reads
        raise UnknownLanguage(_unknown_message(letters))
    candidates = [get(c) for c in available() if _script(c) == script]
    if len(candidates) == 1:
        return candidates[0]
    words = re.findall(r"\w+", sample)
    scores = {lang.code: sum(w in lang.detect_words for w in words) for lang in candidates}
    best = max(candidates, key=lambda lang: (scores[lang.code], lang.code == "en"))
    if len(words) >= 200 and scores[best.code] < len(words) // 8:
        # (a resolution uses them for more than a quarter of its words; German 6 % of English's)
        # a long text in Latin letters that uses none of the languages' frequent words
        raise UnknownLanguage(_unknown_message(letters))
    return best


def _unknown_message(letters: int) -> str:
    known = ", ".join(f"{get(c).name} ({c})" for c in available())
    if not letters:
        return "the text has no letters: give the text of a resolution"
    return (f"the text is in none of the languages akn reads ({known}); if it is one of "
            "them, say which with --lang")
