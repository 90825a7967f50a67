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
        self.page_marks = [" ".join(m.split()) for m in d.get("page_marks", [])]
        self.formula = re.compile(d["formula"])
        self.openers = tuple(d.get("preamble_openers", []))
        self.adverbs = sorted(d.get("phrase_adverbs", []), key=len, reverse=True)
        self.operative_number = re.compile(d["operative_number"])
        self.point_number = re.compile(d["point_number"])
        self.point_letters = d.get("point_letters", [])
        self.title = re.compile(d["title"])
        self.closing = tuple(d["closing"])
        m = d["masthead"]
        self.masthead = {k: (re.compile(v) if k in ("session", "agenda", "adoption", "proponent", "meeting") else v)
                         for k, v in m.items()}
        self.months = d["months"]
        self.resolution_words = d["words"]["resolution"]
        self.bodies = d["words"]["bodies"]
        # phrases sorted longest first so the longest opening phrase wins
        self.phrases_by_len = sorted(set(self.phrases), key=len, reverse=True)
        self.first_words = frozenset(self.openers) | {p.split()[0] for p in self.phrases if p.split()}
        # opening phrases by their first word, longest first; with the conjunction-less form
        # that the first preambular paragraph uses ("وإذ تشير" -> "إذ تشير")
        conj = d.get("conjunction", "")
        index: dict[tuple, list[str]] = {}
        for p in self.phrases_by_len:
            for cand in (p, p[len(conj):] if conj and p.startswith(conj) else ""):
                words = cand.split()
                if words:  # keyed by the first two words (one for one-word phrases)
                    index.setdefault(tuple(words[:2]), []).append(cand)
        self.phrase_index = {k: sorted(set(v), key=len, reverse=True) for k, v in index.items()}

    def phrases_for(self, text: str) -> list[str]:
        """The opening phrases that could start ``text``, longest first."""
        words = text.split(" ", 2)
        return sorted(self.phrase_index.get(tuple(words[:2]), []) + self.phrase_index.get(tuple(words[:1]), []),
                      key=len, reverse=True)

    def to_local_digits(self, text: str) -> str:
        return text.translate(str.maketrans(ASCII_DIGITS, self.digits))

    def is_rtl(self) -> bool:
        return self.dir == "rtl"


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
    return _load(code)


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.toml"))


# bytes.translate tables for the two bytes of a UTF-16 code unit. Low byte: bit 0 for that of
# an Arabic letter U+0621-U+064A (0x21-0x4A), bit 1 for that of an ASCII letter. High byte:
# bit 0 for 0x06 (Arabic), bit 1 for 0x00 (ASCII).
_LO_FLAGS = bytes((0x21 <= b <= 0x4A) | (chr(b).isascii() and chr(b).isalpha()) << 1 for b in range(256))
_HI_FLAGS = bytes((b == 0x06) | (b == 0x00) << 1 for b in range(256))


def _count_letters(text: str) -> tuple[int, int]:
    """(Arabic letters [\u0621-\u064A], ASCII letters [A-Za-z]) in ``text``, counted in C: the
    flags of each unit's two bytes are read as two integers and ANDed, so a bit stays set where
    both bytes agree; bit 0 of each byte counts Arabic, bit 1 ASCII (a regular expression
    matching each letter took ~1 ms on a resolution). Letters are all in the BMP, one unit
    each; a character beyond it is two surrogate units, high bytes D8-DF, never counted."""
    units = text.encode("utf-16-le", "surrogatepass")
    both = (int.from_bytes(units[1::2].translate(_HI_FLAGS), "little")
            & int.from_bytes(units[0::2].translate(_LO_FLAGS), "little"))
    ones = ((1 << (8 * (len(units) // 2))) - 1) // 0xFF  # 0x0101…01: bit 0 of every byte
    arabic = (both & ones).bit_count()
    return arabic, both.bit_count() - arabic


def detect(text: str) -> Language:
    """The language of a resolution's text: Arabic script -> ar, otherwise English."""
    arabic, latin = _count_letters(text[:20000])
    return get("ar" if arabic > latin else "en")
