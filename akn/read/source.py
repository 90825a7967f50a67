"""Bytes -> text: encodings, byte-order marks, line ends and invisible characters.

Everything the reader later reports points back into the file as the user sees it, so the
text is kept as lines with their numbers, and every change made here is a diagnostic.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from akn.diagnostics import Diagnostics

from akn.bounded import MAX_BYTES

# Bidi embedding/override/isolate controls: they can make a line display differently from
# what it says, so they are flagged and removed.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Left-to-right/right-to-left marks: invisible, no words, and common in the UN's Arabic text:
# removed without a word.
MARKS = re.compile("[\u200e\u200f]")
# Invisible format characters: they print nothing, yet split a word or a number, so that
# "1\u00ad. Urges" was not paragraph 1 and "78/9\u200b99" no title number. Removed, with one
# warning naming the first. The soft hyphen, the Arabic letter mark, the zero-width space,
# non-joiner and joiner, the word joiner and the invisible operators, the byte-order mark
# inside text, the deprecated format characters, the annotation marks and the tags.
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200d\u2060-\u2064\u206a-\u206f"
                       "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
# ... except a soft hyphen between two letters (a hyphenation point of the word), and a
# zero-width non-joiner or joiner between two letters of the Arabic script:
# there it chooses a letter's form (as in Persian and Urdu words), which is the text's own
# business; it never stands inside a number or a keyword, which are what the reader matches.
JOINERS = "\u200c\u200d"
ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff"
                           "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdff\ufe70-\ufefc]")
# C0/C1 controls other than tab, newline and form feed, and DEL. A form feed is where a PDF
# text extractor (pdftotext) ends a page: the layout stage reads it as a page end.
CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# U+FFFE and U+FFFF are not characters at all, and XML may not contain them (the fuzzer
# found that one of them in the text made the reader crash while building the XML).
NONCHARACTERS = re.compile("[\ufffe\uffff]")
# Any of the above, or a tab: one search tells a clean line (the usual case) from one to clean
# (four searches and a test for tabs took ~0.4 ms on the seed; one takes ~0.1 ms)
TO_CLEAN = re.compile("[\t\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                      "\u2066-\u2069\ufeff\ufffe\uffff\u00ad\u034f\u061c\u180e\u200b-\u200d"
                      "\u2060-\u2064\u206a-\u206f\ufff9-\ufffb\U000e0000-\U000e007f]")


@dataclass
class Source:
    name: str
    lines: list[str]          # without line ends; lines[0] is line 1
    encoding: str
    diagnostics: Diagnostics


def _decode(data: bytes, diag: Diagnostics) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):  # a UTF-8 byte-order mark carries no text
        data = data[3:]
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                     (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError as e:
                raise diag.error(1, 1, f"starts with a {enc.upper()} byte-order mark but is not valid "
                                 f"{enc.upper()} (byte {e.start}); save the file as UTF-8", "encoding")
            diag.warn(1, 1, f"file is {enc.upper()}; converted to UTF-8 (save it as UTF-8 to silence this)",
                      "encoding")
            return text, enc
    guess = _utf16_without_bom(data)
    if guess is not None:
        diag.warn(1, 1, f"file looks like {guess[1].upper()} without a byte-order mark; converted "
                  "to UTF-8 (save it as UTF-8 to silence this)", "encoding")
        return guess
    head = data[:8192]
    if head.count(0) > max(4, len(head) // 100) or _binary(head):
        line = data[:data.find(b"\x00")].count(b"\n") + 1 if b"\x00" in head else 1
        raise diag.error(line, 1, "this is a binary file, not the text of a resolution; give the "
                         "UTF-8 text extracted from the document", "binary")
    try:  # decoded once (a validity test first decoded it twice)
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass  # the fallback's own errors are raised outside this handler, unchained
    return _fallback(data, diag), "windows-1256"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """The text and its encoding, if the bytes read as UTF-16 (either order) without a BOM.
    Text in any script has NUL bytes then (a space is 20 00 or 00 20) and reads, in the
    right order only, as printable characters among real spaces and line ends: in the wrong
    order a space is U+2000 and a line end U+0A00. Arabic, whose bytes 27 06 are neither
    NUL nor every other byte, was called "binary" by the old test (every other byte NUL)."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data[:8192]:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        sample = text[:20000]
        breaks = sample.count(" ") + sample.count("\n")
        odd = sum(1 for ch in sample if not ch.isprintable() and ch not in "\n\r\t\f")
        if "\x00" not in text and breaks * 100 >= len(sample) and odd * 50 <= len(sample):
            return text, enc
    return None


_CTL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b)


def _binary(head: bytes) -> bool:
    if not head:
        return False
    ctl = len(head) - len(head.translate(None, _CTL_BYTES))
    return ctl > len(head) // 10


def _fallback(data: bytes, diag: Diagnostics) -> str:
    """Not UTF-8: accept Windows-1256 (the legacy Arabic code page) when it reads as Arabic."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad = e.start
    line = data[:bad].count(b"\n") + 1
    col = len(data[data.rfind(b"\n", 0, bad) + 1:bad].decode("utf-8", errors="replace")) + 1
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    arabic = sum(1 for ch in text if "\u0621" <= ch <= "\u064a")
    if text and arabic > len(text) // 10:
        diag.warn(line, col, "not UTF-8 (byte 0x%02x here); read as Windows-1256 Arabic and converted "
                  "— check the result, and save the file as UTF-8 to silence this" % data[bad], "encoding")
        return text
    raise diag.error(line, col, "not valid UTF-8 (byte 0x%02x) and not Windows-1256 Arabic; save "
                     "the file as UTF-8" % data[bad], "encoding")


_EMBEDDINGS = re.compile("[\u202a-\u202e]")
_LTR_RUN = re.compile("(?<=\u202a)(\\s+)([^\u202a-\u202e\\s][^\u202a-\u202e]*?)(?=\u202c)")


def _extractor_marks(lines: list[str], diag: Diagnostics) -> list[str]:
    """pdftotext wraps each right-to-left line of a PDF in RLE … PDF and each left-to-right
    run inside it in LRE … PDF (U+202B, U+202A, U+202C): marks of the extraction, balanced,
    not of the text. When most lines open with one, they are all removed, with one warning
    (a warning for each, as for a stray control, would be thousands)."""
    text_lines = [ln.lstrip("\f ") for ln in lines if ln.strip()]
    opened = sum(1 for ln in text_lines if ln[:1] in "\u202a\u202b")
    if not text_lines or opened < 0.3 * len(text_lines):
        return lines
    count = sum(len(_EMBEDDINGS.findall(ln)) for ln in lines)
    diag.warn(1, 1, f"{count} directional marks (U+202A-U+202E) that a PDF text extractor wraps "
              "lines and runs in removed: they mark the extraction's lines, not the text", "bidi-control")
    # a left-to-right run keeps, at its start, the space that follows it in the sentence
    # (" 77" in «البند ‪ 77‬من»): the space goes back after the run
    lines = [_LTR_RUN.sub(lambda m: m.group(2) + m.group(1), ln) for ln in lines]
    return [_EMBEDDINGS.sub("", ln) for ln in lines]


def _harmless_pop(line: str) -> int:
    """The offset of a POP DIRECTIONAL FORMATTING (U+202C) that ends the line with nothing
    open before it, or -1. It closes nothing and changes no display, and the UN's own files
    keep it (A/RES/78/215 in Arabic ends a paragraph with one): kept as printed."""
    stripped = line.rstrip()
    if not stripped.endswith("\u202c"):
        return -1
    at = len(stripped) - 1
    depth = 0
    for ch in line[:at]:
        if ch in "\u202a\u202b\u202d\u202e":
            depth += 1
        elif ch == "\u202c":
            depth = max(depth - 1, 0)
    return at if depth == 0 else -1


def read_source(data: bytes, name: str) -> Source:
    diag = Diagnostics(name)
    if len(data) > MAX_BYTES:
        raise diag.error(1, 1, f"file is {len(data) / (1024 * 1024):.1f} MB, more than the "
                         f"{MAX_BYTES // (1024 * 1024)} MB a resolution can be; check it is the right file",
                         "too-large")
    text, enc = _decode(data, diag)
    if not text.strip():
        raise diag.error(1, 1, "file is empty: give the text of a resolution (masthead, title, "
                         "formula, preamble, operative paragraphs)", "empty")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    # the common case: nothing to clean. Every character TO_CLEAN finds is unprintable, so a
    # printable line (a C loop, about half the cost of the search) needs no search
    if all(line.isprintable() or not TO_CLEAN.search(line) for line in lines):
        return Source(name=name, lines=lines, encoding=enc, diagnostics=diag)
    lines = _extractor_marks(lines, diag)
    invisible = _Invisible()
    out = [_clean_line(no, line, diag, invisible) for no, line in enumerate(lines, 1)]
    invisible.report(diag)
    return Source(name=name, lines=out, encoding=enc, diagnostics=diag)


def _clean_line(no: int, line: str, diag: Diagnostics, invisible: "_Invisible") -> str:
    """One line without its tabs, controls, bidi controls, noncharacters, marks and invisible
    characters; a warning for each control removed (invisible ones are counted)."""
    if "\t" in line:
        line = line.replace("\t", " ")
    line = invisible.remove(no, line)
    for rx, what, code in ((CONTROLS, "control character", "control"),
                           (BIDI_CONTROLS, "bidi control character", "bidi-control"),
                           (NONCHARACTERS, "noncharacter (not allowed in XML)", "control")):
        kept = _harmless_pop(line) if rx is BIDI_CONTROLS else -1
        for m in rx.finditer(line):
            if m.start() == kept:
                continue
            ch = m.group()
            extra = (" (it can make the line display differently from what it says)"
                     if code == "bidi-control" else "")
            uname = unicodedata.name(ch, "")  # controls have no name: no double space
            diag.warn(no, m.start() + 1, f"{what} U+{ord(ch):04X}{' ' + uname if uname else ''} "
                      f"removed{extra}", code)
        line = rx.sub("", line) if kept < 0 else rx.sub("", line[:kept]) + line[kept:]
    return MARKS.sub("", line)


class _Invisible:
    """Invisible format characters (INVISIBLE), removed from every line and reported once:
    the first one's LINE:COL, code point and name, and how many there were."""

    def __init__(self):
        self.count = 0
        self.first: tuple[int, int, str] | None = None

    def remove(self, no: int, line: str) -> str:
        if not INVISIBLE.search(line):
            return line
        drop = [m.start() for m in INVISIBLE.finditer(line) if not _joins_letters(line, m.start())]
        if not drop:
            return line
        if self.first is None:
            self.first = (no, drop[0] + 1, line[drop[0]])
        self.count += len(drop)
        gone = set(drop)
        return "".join(ch for i, ch in enumerate(line) if i not in gone)

    def report(self, diag: Diagnostics) -> None:
        if self.first is None:
            return
        no, col, ch = self.first
        many = f"{self.count} invisible characters removed, the first" if self.count > 1 \
            else "invisible character removed:"
        diag.warn(no, col, f"{many} U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')} "
                  "here: such characters print nothing, yet would split the words and numbers "
                  "the reader looks for (a paragraph's number, the title's)", "invisible")


def _joins_letters(line: str, at: int) -> bool:
    """Kept: a zero-width (non-)joiner between two Arabic-script letters (it shapes them),
    and a soft hyphen between two letters (a hyphenation point inside a word, as the UN's
    own texts carry: "финансиро\u00adванию"); elsewhere both only split what the reader reads."""
    if not 0 < at < len(line) - 1:
        return False
    if line[at] == "\u00ad":
        return line[at - 1].isalpha() and line[at + 1].isalpha()
    return line[at] in JOINERS \
        and bool(ARABIC_LETTER.match(line[at - 1])) and bool(ARABIC_LETTER.match(line[at + 1]))
