"""Repair WeasyPrint 70's tagged PDF/A-3b into PDF/A-3b + PDF/UA-1, with pikepdf.

WeasyPrint renders well but tags short of PDF/UA-1 (see docs/pdf.md). This module fixes,
after rendering and without re-laying anything out:

* the ToUnicode maps: WeasyPrint maps a glyph to the text of the cluster it first meets
  it in, so Arabic vowel marks and glyphs Amiri adds (a join after jeem) carried their
  letter twice -> mended from the font's GDEF and GSUB (``mend_tounicode``);
* running headers, page numbers (margin boxes): WeasyPrint gives them MCIDs tied to
  structure elements the tree never reaches (its issue #1836) -> they become
  ``/Artifact <</Type /Pagination>>`` marked content and leave the ParentTree;
* footnotes: the footnote area of each page is an anonymous ``NonStruct`` whose children
  are the notes -> each note becomes ``Note`` with a unique ``/ID`` (the AKN eId) and is
  moved into the structure right after its call; the call (``::footnote-call``, a
  ``NonStruct``) becomes ``Reference``;
* ``/Lang`` on runs in another script than the document's (English symbols and citations
  in Arabic, Chinese or Russian text);
* Arabic words that text extractors would cut (vowel marks, slivers, kerning gaps) ->
  drawn as before inside an artifact, their text carried by blank glyphs placed where
  pdftotext and pdfminer.six keep the word whole (``_WordLifter``; the page renders to
  the same pixels);
* one XMP packet in one ``rdf:RDF`` (WeasyPrint adds extra XMP as a second block that
  readers ignore): PDF/A-3b and PDF/UA-1 identification, the PDF/A extension schema that
  declares ``pdfuaid``, title, language, identifier (FRBR expression IRI), dates;
* ``/AF`` listing each attachment once; the AKN source attachment as ``text/xml`` with
  ``AFRelationship /Source`` and fixed dates;
* fixed dates and ``/ID`` so that the same input gives the same bytes.

Everything the module knows about WeasyPrint's output is checked as it goes; anything
unexpected is reported in ``Result.problems`` instead of being silently mis-tagged.
"""
from __future__ import annotations

import array
import hashlib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, String


@dataclass
class Meta:
    """What the repaired PDF says about itself."""
    title: str
    lang: str                       # BCP 47, e.g. "ar"
    identifier: str                 # FRBR expression IRI
    date: datetime                  # CreationDate = ModDate (UTC)
    adopted: str = ""               # YYYY-MM-DD, for dc:date
    notes: list[tuple[str, str]] = field(default_factory=list)  # (id, marker), document order
    subject: str = ""               # e.g. the symbol, for dc:description
    rtl: bool = False
    producer: str = "akn"
    font_files: dict[str, str] = field(default_factory=dict)  # PostScript name -> font file


@dataclass
class Result:
    pdf: bytes
    problems: list[str]
    artifacts: int = 0              # marked-content sequences turned into artifacts
    notes: int = 0                  # Note elements made
    langs: int = 0                  # elements given a /Lang
    lifted: int = 0                 # glyphs drawn apart from their line (_WordLifter)


# ---------------------------------------------------------------- text of marked content

def _tounicode(font) -> dict[int, str]:
    """A font's ToUnicode CMap as {code: text} (WeasyPrint writes 2-byte bfchar/bfrange)."""
    stream = font.get("/ToUnicode")
    table: dict[int, str] = {}
    if stream is None:
        return table
    data = stream.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>",
                                      block):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(base + i)
    return table


_TEXT_OPS = frozenset((b"TJ", b"Tj", b"'", b'"'))
_INLINE_IMAGE = re.compile(rb"(?<![^\s\]>)])BI(?![^\s\[\]<>/()%{}])")
_REGULAR = rb"[^\s\[\]<>/(){}%]"       # a byte that is neither white space nor a delimiter
# The operators page_marked_text and the artifact repair look at, with their operands, as
# WeasyPrint writes them (hex strings, no literal strings, no comments). Each ends at a token
# boundary; an operator name must also start at one ("/XEMC" is a name, not EMC), checked by
# a look-behind after its first letter so that every branch starts with a literal and the
# regular expression engine can skip ahead to the next candidate.
_AT_START = rb"(?<![^\s\[\]<>(){}]%s)"
# The outermost named group of a match (``Match.lastgroup``) says which operator it is.
_MARKED = re.compile(rb"""(?:
    (?P<bdc>/%(r)s+\s*(?:<<(?P<props>[^<>]*)>>|/%(r)s+)\s*BDC)
  | (?P<bmc>/%(r)s+\s*BMC)
  | (?P<emc>E%(e)sMC)
  | /(?P<font>%(r)s+)\s+[-+]?[0-9.]+\s+Tf
  | \[(?P<TJ>[^\]]*)\]\s*TJ
  | (?P<Tj><[0-9A-Fa-f]*>)\s*Tj
)(?!%(r)s)""" % {b"r": _REGULAR, b"e": _AT_START % b"E"}, re.X)
_OPERATOR = re.compile(rb"(?:B%sDC|B%sMC|E%sMC|T%s[fJj])(?!%s)" % (
    _AT_START % b"B", _AT_START % b"B", _AT_START % b"E", _AT_START % b"T", _REGULAR))
_MCID = re.compile(rb"/MCID\s+(\d+)(?![^\s/<>\[\]()])")
_HEX_STRING = re.compile(rb"<((?:[0-9A-Fa-f]{4})*)>")   # whole 2-byte codes only


def _content_bytes(page) -> bytes | None:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, Array):
        return b"\n".join(c.read_bytes() for c in contents)
    return contents.read_bytes() if isinstance(contents, pikepdf.Stream) else None


def _codes(hexes: list[bytes]) -> list[int]:
    codes = array.array("H", bytes.fromhex(b"".join(hexes).decode("ascii")))
    if sys.byteorder == "little":
        codes.byteswap()        # the codes are big-endian
    return codes.tolist()


def scan_content(page) -> tuple[bytes, list[tuple]] | None:
    """The page's content bytes and, in order, the operations that carry marked content
    and text, read with one regular expression instead of a full parse (pikepdf's parser
    and reading its operands took most of the repair's time):
    ``("BDC", start, end, mcid or None)``, ``("BMC",)``, ``("EMC",)``, ``("Tf", name)``,
    ``("TJ", codes)`` — ``start``/``end`` bound the BDC's operands and operator, for
    rewriting it. Only for what WeasyPrint writes: None, and the caller parses the stream
    with pikepdf, when it holds anything this reading cannot vouch for (a literal string,
    a comment, an inline image, the text operators ' and ", a string of odd length) or
    when it meets fewer of those operators than the stream names."""
    data = _content_bytes(page)
    if data is None or b"(" in data or b"%" in data or b"'" in data or b'"' in data:
        return None
    if b"BI" in data and _INLINE_IMAGE.search(data):
        return None
    events: list[tuple] = []
    for m in _MARKED.finditer(data):
        kind = m.lastgroup
        if kind == "bdc":
            props = m.group("props")
            mcid = _MCID.search(props) if props is not None else None
            events.append(("BDC", m.start(), m.end(), int(mcid.group(1)) if mcid else None))
        elif kind == "font":
            events.append(("Tf", "/" + m.group("font").decode("latin-1")))
        elif kind in ("TJ", "Tj"):      # the strings of a TJ array, or Tj's one string
            strings = m.group(kind)
            hexes = _HEX_STRING.findall(strings)
            if strings.count(b"<") != len(hexes):   # a string of another form
                return None
            events.append(("TJ", _codes(hexes)))
        else:
            events.append((kind.upper(),))      # BMC, EMC
    if len(events) != len(_OPERATOR.findall(data)):
        return None     # an operator in a form the expression does not know
    return data, events


def _parsed_events(ops) -> list[tuple]:
    """The same events as scan_content, from pikepdf's parse of the stream."""
    events: list[tuple] = []
    for instruction in ops:
        op = instruction.operator.unparse()
        if op == b"BDC":
            props = instruction.operands[1]
            mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
            events.append(("BDC", None, None, int(mcid) if mcid is not None else None))
        elif op == b"BMC":
            events.append(("BMC",))
        elif op == b"EMC":
            events.append(("EMC",))
        elif op == b"Tf":
            events.append(("Tf", str(instruction.operands[0])))
        elif op in _TEXT_OPS:
            operands = instruction.operands
            items = operands[0] if op == b"TJ" else [operands[-1]]
            codes = []
            for item in items:
                if isinstance(item, String):
                    raw = bytes(item)
                    codes.extend(int.from_bytes(raw[i:i + 2], "big")
                                 for i in range(0, len(raw) - 1, 2))
            events.append(("TJ", codes))
    return events


def page_marked_text(page, cmaps: dict | None = None, unmapped: set | None = None,
                     events: list | None = None):
    """{MCID: text} for one page, glyphs decoded through the fonts' ToUnicode maps.

    The text is in drawing order (visual order for right-to-left runs): good for telling
    which script a run is in, not for reading. Glyph codes without a mapping are added to
    ``unmapped`` as (font name, code). ``events``: the page's operations as scan_content
    or _parsed_events give them (read here when not given)."""
    cmaps = {} if cmaps is None else cmaps
    fonts = page.Resources.get("/Font", Dictionary())
    if events is None:
        scanned = scan_content(page)
        events = scanned[1] if scanned is not None \
            else _parsed_events(pikepdf.parse_content_stream(page))
    out: dict[int | None, str] = {}
    stack: list[int | None] = []
    table: dict[int, str] = {}
    fname = ""
    for event in events:
        kind = event[0]
        if kind == "TJ":
            codes = event[1]
            if unmapped is not None:
                unmapped.update((fname, code) for code in codes if code not in table)
            mcid = next((m for m in reversed(stack) if m is not None), None)
            out[mcid] = out.get(mcid, "") + "".join([table[c] for c in codes if c in table])
        elif kind == "BDC":
            stack.append(event[3])
        elif kind == "BMC":
            stack.append(None)
        elif kind == "EMC":
            if stack:
                stack.pop()
        else:   # Tf
            font = fonts.get(event[1])
            fname = str(font.get("/BaseFont", event[1])) if font is not None else ""
            key = font.objgen if font is not None else None
            if key not in cmaps:
                cmaps[key] = _tounicode(font) if font is not None else {}
            table = cmaps[key]
    return out


# ---------------------------------------------------------------- structure helpers

def _kids(elem) -> list:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def _is_elem(obj) -> bool:
    return isinstance(obj, Dictionary) and obj.get("/Type") == Name.StructElem


def _walk(elem):
    yield elem
    for kid in _kids(elem):
        if _is_elem(kid):
            yield from _walk(kid)


def _mcids(elem, page_of: dict) -> list[tuple[int, int]]:
    """(page index, MCID) of every marked-content kid under elem, in order."""
    out = []
    pg = elem.get("/Pg")
    for kid in _kids(elem):
        if isinstance(kid, int):
            out.append((page_of.get(pg.objgen, -1) if pg is not None else -1, int(kid)))
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            kp = kid.get("/Pg", pg)
            out.append((page_of.get(kp.objgen, -1), int(kid.MCID)))
        elif _is_elem(kid):
            out.extend(_mcids(kid, page_of))
    return out


def _set_kids(elem, kids: list) -> None:
    elem.K = Array(kids)


SCRIPT_RANGES = {  # enough to tell the six UN languages' scripts from Latin
    "Arab": ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
             (0xFE70, 0xFEFF)),
    "Cyrl": ((0x0400, 0x052F),),
    "Hani": ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
             (0xFF00, 0xFFEF)),
}


def script_of(ch: str) -> str:
    o = ord(ch)
    for name, ranges in SCRIPT_RANGES.items():
        if any(lo <= o <= hi for lo, hi in ranges):
            return name
    if ch.isalpha() and o < 0x0250:
        return "Latn"
    return ""


# ---------------------------------------------------------------- glyphs added by shaping

ZWJ = "\u200d"


@dataclass(frozen=True)
class GlyphFacts:
    """What a font says about its glyphs, for mending a ToUnicode map."""
    added: tuple       # ((base glyph, (added glyphs...)), ...): one-to-many substitutions
    marks: frozenset   # glyphs of GDEF class 3 (combining marks)
    natural: dict      # glyph -> the text it stands for when drawn alone (cmap, forms)


@lru_cache(maxsize=16)
def glyph_facts(path: str) -> GlyphFacts:
    """Read once per font file: one-to-many substitutions (GSUB type 2), mark glyphs
    (GDEF), and each glyph's own text (cmap, then single substitutions and ligatures)."""
    from fontTools.ttLib import TTFont
    font = TTFont(path, lazy=True)
    order = {name: i for i, name in enumerate(font.getGlyphOrder())}
    cmap = font.getBestCmap()
    natural: dict[str, str] = {}
    for code, name in sorted(cmap.items()):
        natural.setdefault(name, chr(code))
    mapped = set(cmap.values())
    added: dict = {}
    subtables = []
    if "GSUB" in font:
        for lookup in font["GSUB"].table.LookupList.Lookup:
            for sub in lookup.SubTable:
                kind = lookup.LookupType
                if kind == 7:
                    sub, kind = sub.ExtSubTable, sub.ExtSubTable.LookupType
                subtables.append((kind, sub))
    for _ in range(4):   # forms of forms: a few rounds reach them all
        for kind, sub in subtables:
            if kind == 1:
                for src, dst in sub.mapping.items():
                    if src in natural:
                        natural.setdefault(dst, natural[src])
            elif kind == 2:
                for src, outs in sub.mapping.items():
                    if src in natural and outs:
                        natural.setdefault(outs[0], natural[src])
            elif kind == 4:
                for first, ligs in sub.ligatures.items():
                    for lig in ligs:
                        parts = [first, *lig.Component]
                        if all(p in natural for p in parts):
                            natural.setdefault(lig.LigGlyph, "".join(natural[p] for p in parts))
    for kind, sub in subtables:
        if kind == 2:
            for outs in sub.mapping.values():
                more = tuple(order[g] for g in outs[1:] if g not in mapped)
                if len(outs) > 1 and more:
                    added[(order[outs[0]], more)] = None
    marks = set()
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef:
        marks = {order[g] for g, c in font["GDEF"].table.GlyphClassDef.classDefs.items()
                 if c == 3}
    return GlyphFacts(tuple(added), frozenset(marks),
                      {order[g]: t for g, t in natural.items() if g in order})


def added_glyphs(path: str):
    """(base glyph, (added glyphs...)) for every one-to-many substitution of a font (GSUB
    type 2), added glyphs that no character maps to directly. Amiri, for one, follows
    jeem with a small joining glyph before beh ("الجبري"); WeasyPrint maps each glyph to
    the text of the cluster it first meets it in, so the letter can come out twice. An
    added glyph may also stand for a character of its own (a tatweel): only a glyph whose
    text repeats its base's is made a joiner."""
    return glyph_facts(path).added


def mend_tounicode(table: dict[int, str], facts: GlyphFacts) -> int:
    """Give each glyph one text that is right wherever it is drawn; return the changes.

    WeasyPrint gives a glyph the text of the cluster it first meets it in; in a
    right-to-left cluster of several glyphs the whole text goes to the glyph drawn first
    (leftmost): a vowel mark then carries its letter too ("أُ" on the damma), and the letter
    comes out twice where its own glyph is mapped as well."""
    changed = 0
    for code, text in list(table.items()):
        if code in facts.marks and text:
            # its own marks (a damma first met under a shadda must not say both)
            own = facts.natural.get(code, "")
            keep = own if own and all(unicodedata.category(ch).startswith("M") for ch in own) \
                else "".join(ch for ch in text if unicodedata.category(ch).startswith("M"))
            if keep != text:
                table[code] = keep or own or ZWJ
                changed += 1
    for base, more in facts.added:
        if base not in table:
            continue
        for g in more:
            if not table.get(g) or table[g] == ZWJ:
                continue
            # g's own text when it has one (Amiri's kashida glyph is also the tatweel
            # of "المتحـدة"), else a joiner
            letter = table[base] or facts.natural.get(base, "")
            if letter and table[g] == letter:   # g carries its base's letter
                table[g] = facts.natural.get(g) or ZWJ
                table[base] = letter
                changed += 1
    for code, text in table.items():
        if text == "":                       # never leave a glyph without text
            table[code] = facts.natural.get(code) or ZWJ
            changed += 1
    return changed


def _write_tounicode(table: dict[int, str]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(table.items())
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        for code, text in chunk:
            lines.append(f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


# ---------------------------------------------------------------- vowel marks out of the line

def _widths(cidfont) -> dict[int, float]:
    """A CIDFont's /W array as {CID: width in thousandths of the text size}."""
    out: dict[int, float] = {}
    arr = list(cidfont.get("/W", Array()))
    i = 0
    while i + 1 < len(arr):
        first = int(arr[i])
        if isinstance(arr[i + 1], Array):
            for k, v in enumerate(arr[i + 1]):
                out[first + k] = float(v)
            i += 2
        elif i + 2 < len(arr):
            for cid in range(first, int(arr[i + 1]) + 1):
                out[cid] = float(arr[i + 2])
            i += 3
        else:
            break
    return out


def _mul(m: list[float], n: list[float]) -> list[float]:
    """The matrix product m x n (PDF's [a b c d e f] row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F]


def _inverse(m: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return [d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det]


def _num(v: float, places: int = 6) -> bytes:
    s = f"{v:.{places}f}".rstrip("0").rstrip(".")
    return (s if s not in ("", "-0") else "0").encode()


def _hex(codes: list[int]) -> bytes:
    return b"<" + b"".join(b"%04x" % c for c in codes) + b">"


def _unparse(instructions: list) -> bytes:
    """Content operations as bytes, strings in hex as WeasyPrint writes them (pikepdf would
    write literal strings, which scan_content declines)."""
    out: list[bytes] = []
    rest: list = []
    for ins in instructions:
        op = ins.operator.unparse()
        if op not in (b"TJ", b"Tj"):
            rest.append(ins)
            continue
        if rest:
            out.append(pikepdf.unparse_content_stream(rest))
            rest = []
        items = ins.operands[0] if op == b"TJ" else [ins.operands[0]]
        parts = [b"<" + bytes(item).hex().encode() + b">" if isinstance(item, String)
                 else pikepdf.unparse_content_stream([pikepdf.ContentStreamInstruction(
                     [item], pikepdf.Operator("n"))])[:-2] for item in items]
        out.append((b"[" + b" ".join(parts) + b"] TJ") if op == b"TJ" else parts[0] + b" Tj")
    if rest:
        out.append(pikepdf.unparse_content_stream(rest))
    return b"\n".join(out)


_FILL_OPS = {"rg", "g", "k", "cs", "sc", "scn"}
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f"
                            "\ufb50-\ufdff\ufe70-\ufefc]+")


class _WordLifter:
    """Arabic words kept whole for text extractors, the page unchanged to the pixel.

    Text extractors cut words by where glyphs start. pdftotext (poppler) ends a word at a
    glyph that starts within a tenth of the text size of the glyph before it (it takes it
    for text drawn twice) or more than a tenth after it ends; pdfminer.six puts a space
    where a glyph starts more than a tenth of the size after the one before it ends. Amiri
    draws each vowel mark (fatha, damma, shadda, tanween…) as a glyph of its own, with no
    width, where its anchor puts it; some letters are slivers (jeem or kha after lam,
    joining pieces); its kerning opens gaps: between the rules, words were cut ("وبخاصة"
    -> "و" + "بخاصة", "تسلّم" -> "تسل" + "مّ", "الخبرات" -> "ال" + "خبرات"), and no place
    for a mark suits both tools.

    So a word that either tool would cut (tested on the glyphs' own places) leaves the line
    of text: its glyphs are drawn where they were, same font, size and colour, in an
    ``/Artifact`` after the line's marked content (a copy of the font maps them to a
    zero-width joiner there); its text, in reading order, goes back into the line on blank
    glyphs, one per character, spread over the word's width right to left: a twin of the
    font whose every code draws the space glyph, with a text of its own. They are spaced
    well over a tenth of the size apart and overlap, where both tools keep them one word
    (and read a mark after its letter, as it is written). A word whose blanks cannot be
    placed so stays as it was. Only WeasyPrint's plain content (a text matrix per BT; no
    Tc, Tw, Tz, Tr or relative moves) and fonts of ``font_files`` with GDEF marks and a
    space glyph are touched."""

    STEP = 0.13      # carriers at least this many text sizes apart (over the tenth poppler tests)

    def __init__(self, pdf: pikepdf.Pdf, font_files: dict[str, str]):
        self.pdf, self.font_files = pdf, font_files
        self.fonts: dict = {}        # font objgen -> facts (None: not ours to touch)
        self.lifted = 0

    def font(self, font):
        key = font.objgen
        if key in self.fonts:
            return self.fonts[key]
        facts = None
        name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
        path = self.font_files.get(name)
        if (path is not None and font.get("/Subtype") == Name.Type0
                and "/ToUnicode" in font and font.get("/Encoding") == Name("/Identity-H")):
            desc = font.DescendantFonts[0]
            marks = glyph_facts(path).marks
            table = _tounicode(font)
            widths = _widths(desc)
            space = next((c for c, t in sorted(table.items()) if t == " " and widths.get(c)),
                         None)
            if marks and space is not None and desc.get("/Subtype") == Name.CIDFontType2 \
                    and desc.get("/CIDToGIDMap", Name.Identity) == Name.Identity:
                facts = {"font": font, "desc": desc, "marks": marks, "table": table,
                         "widths": widths, "space": space,
                         "carriers": {}, "copy": None, "drawn": set(), "blank": None}
        self.fonts[key] = facts
        return facts

    def _kind(self, f: dict, code: int) -> str:
        """'mark', 'joiner' (a piece with no text, narrower than a tenth of the size),
        'letter' or '' (anything else)."""
        kinds = f.setdefault("kinds", {})
        if code not in kinds:
            kinds[code] = self._kind_of(f, code)
        return kinds[code]

    @staticmethod
    def _kind_of(f: dict, code: int) -> str:
        text = f["table"].get(code, "")
        if code in f["marks"]:
            return "mark" if text.strip(ZWJ) else "joiner"
        if not text.strip(ZWJ):
            return "joiner" if f["widths"].get(code, 1000) < 100 else ""
        return "letter" if _ARABIC_LETTER.fullmatch(text) else ""

    def carrier(self, f: dict, ch: str) -> int:
        """The code, in the font's blank twin (``_blank``), of a blank glyph saying ``ch``."""
        if ch not in f["carriers"]:
            f["carriers"][ch] = len(f["carriers"])
        return f["carriers"][ch]

    def page(self, page) -> bool:
        fonts = page.Resources.get("/Font", Dictionary())
        facts = {str(n): self.font(f) for n, f in fonts.items()}
        if not any(facts.values()):
            return False
        ops = list(pikepdf.parse_content_stream(page))
        objects, spans = self._read(ops, facts)
        plan: dict[int, list] = {}       # TJ op -> [(code, x, width, blank)] to draw there
        draws: dict[int, list] = {}      # insert after op -> [(graphics, glyphs, CTM)]
        for glyphs, after, graphics, ctm_here in objects:
            moved = self._plan(glyphs, facts, plan)
            if moved:
                draws.setdefault(after, []).append((graphics, moved, ctm_here))
        if not draws:
            return False
        out: list[bytes] = []
        same: list = []
        for i, ins in enumerate(ops):
            if i in plan:
                if same:
                    out.append(_unparse(same))
                    same = []
                start, end, size, name = spans[i]
                blank = self._blank(fonts, name) if any(g[3] for g in plan[i]) else name
                out.append(self._tj(plan[i], start, end, size,
                                    (name.encode("latin-1"), blank.encode("latin-1"))))
            else:
                same.append(ins)
            if i in draws:
                if same:
                    out.append(_unparse(same))
                    same = []
                out += [self._artifact(fonts, *d) for d in draws[i]]
        if same:
            out.append(_unparse(same))
        page.Contents = self.pdf.make_stream(b"\n".join(out))
        return True

    def _read(self, ops, facts):
        """Pass 1: the text objects in plain form, with their glyphs, where their lifted
        glyphs may be drawn (after the ET, or after the EMC that closes the marked content
        around it), the graphics state at their BT; and each text-showing op's pen span."""
        state = {"ctm": [1.0, 0, 0, 1.0, 0, 0], "fill": [], "gs": None}
        stack: list = []
        marked = 0
        objects: list = []
        waiting: list = []
        spans: dict[int, tuple] = {}
        glyphs: list = []
        inside, tm, plain, graphics = False, None, True, None
        fname, size, rise, pen = None, 0.0, 0.0, 0.0
        for i, ins in enumerate(ops):
            op = str(ins.operator)
            ands = ins.operands
            if op == "q":
                stack.append(dict(state, fill=list(state["fill"])))
            elif op == "Q" and stack:
                state = stack.pop()
            elif op == "cm":
                state["ctm"] = _mul([float(v) for v in ands], state["ctm"])
            elif op in _FILL_OPS:
                state["fill"] = ([] if op in ("cs", "rg", "g", "k") else state["fill"]) + [ins]
            elif op == "gs":
                state["gs"] = ins
            elif op in ("BDC", "BMC"):
                marked += 1
            elif op == "EMC":
                marked -= 1
                if waiting and marked == 0:
                    objects += [(g, i, gr, list(state["ctm"])) for g, gr in waiting]
                    waiting = []
            elif op == "BT":
                inside, tm, glyphs, pen, plain = True, None, [], 0.0, True
                graphics = dict(state, fill=list(state["fill"]))
            elif op == "Tm":
                tm, pen = [float(v) for v in ands], 0.0
            elif op == "Tf":
                fname, size = str(ands[0]), float(ands[1])
            elif op == "Ts":
                rise = float(ands[0])
            elif op in ("Tc", "Tw", "Tz", "Td", "TD", "T*", "'", '"', "Tr"):
                plain = plain and op == "Tr" and float(ands[0]) == 0
            elif op in ("TJ", "Tj") and inside:
                f = facts.get(fname)
                start = pen
                widths = f["widths"] if f else {}
                scale = size / 1000
                for item in (ands[0] if op == "TJ" else [ands[0]]):
                    if isinstance(item, String):
                        raw = bytes(item)
                        codes = array.array("H", raw[:len(raw) - len(raw) % 2])
                        if sys.byteorder == "little":
                            codes.byteswap()        # the codes are big-endian
                        for code in codes:
                            width = widths.get(code, 0) * scale
                            glyphs.append((i, code, fname, size, tm, rise, pen, width))
                            pen += width
                    else:
                        pen -= float(item) * scale
                spans[i] = (start, pen, size, fname)
            elif op == "ET" and inside:
                inside = False
                if plain and tm is not None and glyphs:
                    if marked == 0:
                        objects.append((glyphs, i, graphics, list(state["ctm"])))
                    else:
                        waiting.append((glyphs, graphics))
        return objects, spans

    def _plan(self, glyphs: list, facts: dict, plan: dict) -> list:
        """Pass 2, one text object: its Arabic words that an extractor would cut and their
        carriers; fills ``plan`` (per TJ op, what it draws) and returns the glyphs lifted."""
        words, cur = [], []
        for idx, g in enumerate(glyphs):
            f = facts.get(g[2])
            arabic = bool(f) and bool(self._kind(f, g[1]))
            if arabic and (not cur or glyphs[cur[-1]][2:4] == g[2:4]):
                cur.append(idx)
                continue
            if cur:
                words.append(cur)
            cur = [idx] if arabic else []
        if cur:
            words.append(cur)
        carried: dict[int, list] = {}    # first glyph of a lifted word -> its carriers
        lift: set[int] = set()
        for word in words:
            first, last = word[0], word[-1]
            f = facts[glyphs[first][2]]
            size = glyphs[first][3]
            seq = [(glyphs[i][6], glyphs[i][7], len(f["table"].get(glyphs[i][1], "")),
                    glyphs[i][1] in f["marks"]) for i in word]
            if not self._at_risk(seq, size):
                continue
            # the word's text in reading order: its glyphs right to left, each glyph's own
            # text as it is (in reading order already)
            chars = [ch for i in reversed(word) for ch in f["table"].get(glyphs[i][1], "")
                     if ch != ZWJ]
            letters = [glyphs[i] for i in word if glyphs[i][1] not in f["marks"]]
            if not chars or not letters:
                continue
            x0 = min(g[6] for g in letters)
            x1 = max(g[6] + g[7] for g in letters)
            width = f["widths"][f["space"]] / 1000 * size
            around = [self._neighbour(glyphs, facts, k, glyphs[first]) for k in (first - 1, last + 1)]
            for anchor in (0.5, 0.0, 1.0):      # centred, else against one neighbour
                place = self._carriers(f, len(chars), x0, x1, size, anchor)
                if place is not None and not self._at_risk(
                        ([around[0]] if around[0] else []) + [(x, width, 1, False) for x in place]
                        + ([around[1]] if around[1] else []), size):
                    break
            else:
                continue
            # drawn left to right: the word's last character first
            carried[first] = [(self.carrier(f, ch), x, width, True)
                              for ch, x in zip(reversed(chars), place)]
            lift.update(word)
        if not lift:
            return []
        touched = {glyphs[i][0] for i in lift}
        for idx, g in enumerate(glyphs):
            if g[0] not in touched:
                continue
            todo = plan.setdefault(g[0], [])
            if idx in carried:
                todo += carried[idx]
            if idx not in lift:
                todo.append((g[1], g[6], g[7], False))
        self.lifted += len(lift)
        return [glyphs[i] for i in sorted(lift)]

    @staticmethod
    def _neighbour(glyphs: list, facts: dict, k: int, like) -> tuple | None:
        """The glyph next to a word, as _at_risk reads it; None when there is none in the
        same font and size, or when it is a space (a word ends there whatever its place)."""
        if not 0 <= k < len(glyphs) or glyphs[k][2:4] != like[2:4]:
            return None
        g = glyphs[k]
        text = facts[g[2]]["table"].get(g[1], "") if facts.get(g[2]) else ""
        if not text.strip():
            return None
        return (g[6], g[7], len(text), False)

    EPS = 0.02       # of the text size: room the carriers keep from each threshold
    TOLERANCE = 0.002  # of the text size: how near a threshold a glyph may be left

    def _at_risk(self, seq: list, size: float) -> bool:
        """Whether pdftotext or pdfminer would cut this run of glyphs ((origin, width,
        characters, is a mark) in drawing order) somewhere inside it."""
        tenth, eps = 0.1 * size, self.TOLERANCE * size
        for (ax, aw, an, amark), (bx, bw, bn, bmark) in zip(seq, seq[1:]):
            if amark or bmark or an != 1:
                return True      # a mark, or a glyph poppler divides among its characters
            if abs(bx - ax) < tenth + eps:                      # poppler: drawn twice?
                return True
            gap = bx - (ax + aw)
            if gap < -2 * tenth + eps or gap > tenth - eps:     # poppler, pdfminer: a space
                return True
        return any(mark or n != 1 for _, _, n, mark in seq[-1:])

    def _carriers(self, f: dict, n: int, x0: float, x1: float, size: float, anchor: float):
        """Origins, left to right, of ``n`` blank glyphs spread over [x0, x1]: a step of
        0.13 to 0.35 of the size (each starts well over a tenth after the one before and
        well under a tenth after its end, the space glyph being 0.29 wide); when they cannot
        span the word, ``anchor`` places them (0 at its left end, 0.5 centred, 1 right)."""
        width = f["widths"][f["space"]] / 1000 * size
        lo, hi = self.STEP * size, width + (0.1 - 2 * self.EPS) * size
        if hi < lo:
            return None
        step = min(max((x1 - x0 - width) / (n - 1), lo), hi) if n > 1 else 0
        start = x0 + (x1 - x0 - (step * (n - 1) + width)) * anchor
        return [start + m * step for m in range(n)]

    @staticmethod
    def _tj(glyphs: list, start: float, end: float, size: float, names=None) -> bytes:
        """TJ ops drawing ``glyphs`` ((code, x, width, blank) in text space) from pen
        ``start`` and leaving the pen at ``end``, as the op they replace did; blank glyphs
        in the font ``names[1]``, the others in ``names[0]`` (the font in use before and
        after)."""
        ops: list[bytes] = []
        parts: list[bytes] = []
        run: list[int] = []
        pen = start
        blank = False
        for code, x, width, is_blank in glyphs:
            if is_blank != blank:
                if run:
                    parts.append(_hex(run))
                    run = []
                ops.append(b"[" + b" ".join(parts) + b"] TJ")
                ops.append(b"%s %s Tf" % (names[1 if is_blank else 0], _num(size)))
                parts, blank = [], is_blank
            move = round((pen - x) * 1000 / size, 3)   # thousandths of the size
            if move:
                if run:
                    parts.append(_hex(run))
                    run = []
                parts.append(_num(move, 3))
            x = pen - move * size / 1000      # where the glyph is drawn, to the thousandth
            run.append(code)
            pen = x + width
        if run:
            parts.append(_hex(run))
        if blank:
            ops.append(b"[" + b" ".join(parts) + b"] TJ")
            ops.append(b"%s %s Tf" % (names[0], _num(size)))
            parts = []
        move = round((pen - end) * 1000 / size, 3)
        if move:
            parts.append(_num(move, 3))
        ops.append(b"[" + b" ".join(parts) + b"] TJ")
        return b"\n".join(op for op in ops if op != b"[] TJ")

    def _artifact(self, fonts, graphics, glyphs, ctm_here) -> bytes:
        """The lifted glyphs drawn where they were: an artifact after the line's marked
        content, in the graphics state of the line (matrix, colour, extended state)."""
        lines = [b"/Artifact BMC", b"q"]
        if ctm_here != graphics["ctm"]:
            lines.append(b" ".join(_num(v) for v in _mul(graphics["ctm"], _inverse(ctm_here)))
                         + b" cm")
        if graphics["gs"] is not None:
            lines.append(pikepdf.unparse_content_stream([graphics["gs"]]))
        for ins in graphics["fill"]:
            lines.append(pikepdf.unparse_content_stream([ins]))
        lines.append(b"BT")
        # one text matrix and one TJ for each run of glyphs in the same line and font
        groups: list = []
        for g in glyphs:
            key = (g[2], g[3], tuple(g[4]), g[5])
            if groups and groups[-1][0] == key:
                groups[-1][1].append(g)
            else:
                groups.append((key, [g]))
        for (name, size, tm, rise), run in groups:
            copy = self._copy(fonts, name)
            self.fonts[fonts[name].objgen]["drawn"].update(g[1] for g in run)
            lines.append(b"%s %s Tf" % (copy.encode("latin-1"), _num(size)))
            lines.append(b" ".join(_num(v) for v in tm) + b" Tm")
            lines.append(_num(rise) + b" Ts")
            lines.append(self._tj([(g[1], g[6], g[7], False) for g in run], 0.0,
                                  run[-1][6] + run[-1][7], size))
        lines += [b"ET", b"Q", b"EMC"]
        return b"\n".join(lines)

    def _blank(self, fonts, name: str) -> str:
        """The resource name of font ``name``'s blank twin: the same font program, each
        code drawing the space glyph, with a text of its own (filled in by finish())."""
        f = self.fonts[fonts[name].objgen]
        if f["blank"] is None:
            desc = f["desc"]
            twin = Dictionary(Type=Name.Font, Subtype=Name.CIDFontType2,
                              BaseFont=desc.BaseFont, CIDSystemInfo=desc.CIDSystemInfo,
                              FontDescriptor=desc.FontDescriptor)
            f["blank"] = self.pdf.make_indirect(Dictionary(
                Type=Name.Font, Subtype=Name.Type0, BaseFont=f["font"].BaseFont,
                Encoding=Name("/Identity-H"),
                DescendantFonts=Array([self.pdf.make_indirect(twin)])))
        return self._resource(fonts, f["blank"], "/AknBlank" + name.lstrip("/"))

    def _copy(self, fonts, name: str) -> str:
        """The resource name of the copy of font ``name`` that draws lifted glyphs."""
        f = self.fonts[fonts[name].objgen]
        if f["copy"] is None:      # its ToUnicode is written by finish()
            f["copy"] = self.pdf.make_indirect(Dictionary(
                Type=Name.Font, Subtype=Name.Type0, BaseFont=f["font"].BaseFont,
                Encoding=Name("/Identity-H"), DescendantFonts=f["font"].DescendantFonts))
        return self._resource(fonts, f["copy"], "/AknLifted" + name.lstrip("/"))

    @staticmethod
    def _resource(fonts, font, base: str) -> str:
        for key, value in fonts.items():
            if value.objgen == font.objgen:
                return str(key)
        key, n = base, 2
        while Name(key) in fonts:
            key, n = f"{base}{n}", n + 1
        fonts[Name(key)] = font
        return key

    def finish(self) -> None:
        """The blank twins' widths, CIDToGIDMap (every code: the space glyph) and text; the
        copies' text (a joiner for each glyph they draw)."""
        for f in self.fonts.values():
            if not f:
                continue
            if f["copy"] is not None:
                f["copy"].ToUnicode = self.pdf.make_stream(
                    _write_tounicode({code: ZWJ for code in f["drawn"]}))
            if f["blank"] is not None and f["carriers"]:
                n = len(f["carriers"])
                twin = f["blank"].DescendantFonts[0]
                twin.W = Array([0, Array([f["widths"][f["space"]]] * n)])
                twin.CIDToGIDMap = self.pdf.make_stream(f["space"].to_bytes(2, "big") * n)
                f["blank"].ToUnicode = self.pdf.make_stream(_write_tounicode(
                    {cid: ch for ch, cid in f["carriers"].items()}))


# ---------------------------------------------------------------- the repair

DOC_SCRIPT = {"ar": "Arab", "ru": "Cyrl", "zh": "Hani"}
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")   # a letter (or mark) of another script
CALL_RE = re.compile(r"^[\s\u2060()\[\]0-9\u0660-\u0669\u06F0-\u06F9*]+$")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _key(text: str) -> str:
    """A note's marker as the same key wherever it is drawn: its digits (any script), else
    its text without brackets, spaces and joiners."""
    digits = "".join(ch for ch in text.translate(DIGITS) if ch.isdigit())
    return digits or re.sub(r"[\s\u2060()\[\]]", "", text)


def pdf_date(d: datetime) -> str:
    return d.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_date(d: datetime) -> str:
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def xmp_packet(meta: Meta) -> bytes:
    """One packet, one rdf:RDF: PDF/A-3b + PDF/UA-1 ids, the extension schema for pdfuaid
    (PDF/A admits only declared schemas), Dublin Core, dates, producer."""
    e = lambda s: escape(s, {'"': "&quot;"})  # noqa: E731
    adopted = f"\n   <dc:date><rdf:Seq><rdf:li>{e(meta.adopted)}</rdf:li></rdf:Seq></dc:date>" \
        if meta.adopted else ""
    desc = (f"\n   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{e(meta.subject)}"
            f"</rdf:li></rdf:Alt></dc:description>") if meta.subject else ""
    when = xmp_date(meta.date)
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(meta.title)}</rdf:li><rdf:li xml:lang="{e(meta.lang)}">{e(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{e(meta.lang)}</rdf:li></rdf:Bag></dc:language>
   <dc:identifier>{e(meta.identifier)}</dc:identifier>{adopted}{desc}
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
   <xmp:MetadataDate>{when}</xmp:MetadataDate>
   <xmp:CreatorTool>{e(meta.producer)}</xmp:CreatorTool>
   <pdf:Producer>{e(meta.producer)}</pdf:Producer>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"""
    return body.encode("utf-8")


def file_id(xml_bytes: bytes, salt: bytes = b"") -> bytes:
    """The first /ID entry: 16 bytes derived from the input (and the renderer's version)."""
    return hashlib.sha256(b"akn-pdf\0" + salt + b"\0" + xml_bytes).digest()[:16]


class _Repair:
    def __init__(self, pdf: pikepdf.Pdf, meta: Meta):
        self.pdf, self.meta = pdf, meta
        self.problems: list[str] = []
        self.page_of = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        self.cmaps: dict = {}
        self.texts: list[dict] = []       # per page {MCID: text}, read after glyphs()
        self.scans: list = []             # per page, scan_content's reading (or None)
        self.ops: list = []               # per page not scanned, its parsed content stream
        self._text: dict = {}
        self.result = Result(b"", self.problems)

    # -- text of an element (drawing order), for identification only
    def text(self, elem) -> str:
        key = elem.objgen
        if key not in self._text:
            self._text[key] = self._read(elem)
        return self._text[key]

    def _read(self, elem) -> str:
        """The element's text from its kids: marked content of its page, or kid elements
        (each read once and remembered)."""
        pg = elem.get("/Pg")
        page = self.page_of.get(pg.objgen, -1) if pg is not None else -1
        out = []
        for kid in _kids(elem):
            if isinstance(kid, int):
                if 0 <= page < len(self.texts):
                    out.append(self.texts[page].get(int(kid), ""))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
                kp = kid.get("/Pg", pg)
                p = self.page_of.get(kp.objgen, -1)
                if 0 <= p < len(self.texts):
                    out.append(self.texts[p].get(int(kid.MCID), ""))
            elif _is_elem(kid):
                out.append(self.text(kid))
        return "".join(out)

    def run(self) -> None:
        self.glyphs()
        root = self.pdf.Root
        if "/StructTreeRoot" not in root:
            self.problems.append("no structure tree: WeasyPrint was not asked for tags")
            return
        self.document = root.StructTreeRoot.K[0] if isinstance(root.StructTreeRoot.K, Array) \
            else root.StructTreeRoot.K
        self.artifacts()
        self.notes()
        self.languages()
        self.whole_words()
        self.catalog()
        self.attachments()

    # -- 0. one text per glyph: glyphs added by shaping map to a zero-width joiner
    def glyphs(self) -> None:
        seen = set()
        for page in self.pdf.pages:
            for font in page.Resources.get("/Font", Dictionary()).values():
                name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
                path = self.meta.font_files.get(name)
                if path is None or font.objgen in seen or "/ToUnicode" not in font:
                    continue
                seen.add(font.objgen)
                table = _tounicode(font)
                changed = mend_tounicode(table, glyph_facts(path))
                if changed:
                    font.ToUnicode = self.pdf.make_stream(_write_tounicode(table))
        # each page's content is read once, here, and reused by artifacts(): scanned
        # where WeasyPrint's plain form allows, else parsed by pikepdf
        self.scans = [scan_content(p) for p in self.pdf.pages]
        self.ops = [pikepdf.parse_content_stream(p) if scan is None else None
                    for p, scan in zip(self.pdf.pages, self.scans)]
        self.texts = [page_marked_text(p, self.cmaps, events=scan[1] if scan is not None
                                       else _parsed_events(ops))
                      for p, scan, ops in zip(self.pdf.pages, self.scans, self.ops)]

    # -- 1. margin boxes -> artifacts
    def artifacts(self) -> None:
        reached: dict[int, set[int]] = {}
        for p, m in _mcids(self.document, self.page_of):
            reached.setdefault(p, set()).add(m)
        parent_tree = self.pdf.Root.StructTreeRoot.ParentTree
        nums = parent_tree.Nums
        arrays = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        artifact = b"/Artifact <</Type /Pagination>> BDC"
        for index, page in enumerate(self.pdf.pages):
            keep = reached.get(index, set())
            scan = self.scans[index]
            if scan is not None:        # rewritten in the bytes WeasyPrint wrote
                data, events = scan
                pieces, at = [], 0
                for event in events:
                    if event[0] == "BDC" and event[3] is not None and event[3] not in keep:
                        pieces += [data[at:event[1]], artifact]
                        at = event[2]
                        self._unparent(page, index, arrays, event[3])
                if pieces:
                    pieces.append(data[at:])
                    page.Contents = self.pdf.make_stream(b"".join(pieces))
                continue
            changed = False
            ops = self.ops[index]       # parsed by glyphs(); changed in place
            for at, instruction in enumerate(ops):
                if instruction.operator.unparse() != b"BDC":
                    continue
                operands = instruction.operands
                if isinstance(operands[1], Dictionary) \
                        and "/MCID" in operands[1] and int(operands[1].MCID) not in keep:
                    mcid = int(operands[1].MCID)
                    ops[at] = pikepdf.ContentStreamInstruction(
                        [Name.Artifact, Dictionary(Type=Name.Pagination)], pikepdf.Operator("BDC"))
                    self._unparent(page, index, arrays, mcid)
                    changed = True
            if changed:
                page.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(ops))

    def _unparent(self, page, index: int, arrays: dict, mcid: int) -> None:
        """An MCID made an artifact leaves the page's ParentTree entry."""
        arr = arrays.get(int(page.get("/StructParents", index)))
        if arr is not None and mcid < len(arr):
            arr[mcid] = None
        self.result.artifacts += 1

    # -- 2. footnotes -> Note (+ /ID), calls -> Reference
    def notes(self) -> None:
        meta = self.meta
        doc_kids = _kids(self.document)
        by_page: dict[int, list] = {}
        for kid in doc_kids:
            pg = kid.get("/Pg")
            by_page.setdefault(self.page_of.get(pg.objgen, -1) if pg is not None else -1,
                               []).append(kid)
        areas = []
        for page, kids in sorted(by_page.items()):
            # WeasyPrint 70 lays a page out as [root box, footnote area]: a page with
            # footnotes ends with the area, an anonymous NonStruct holding one element per
            # footnote, each starting with its ::footnote-marker (another NonStruct).
            last = kids[-1]
            if last.S == Name.NonStruct and _kids(last) and all(
                    _is_elem(n) and _kids(n) and _is_elem(_kids(n)[0])
                    and _kids(n)[0].S == Name.NonStruct for n in _kids(last)):
                areas.append(last)
        notes = [n for fa in areas for n in _kids(fa)]
        drop = {a.objgen for a in areas}
        if len(notes) != len(meta.notes):
            self.problems.append(f"{len(notes)} footnotes laid out, {len(meta.notes)} "
                                 "notes in the document: footnotes left untagged as Note")
            return
        # ids by marker, in document order (a collection's parts may reuse markers)
        pending: dict[str, list[str]] = {}
        for nid, marker in meta.notes:
            pending.setdefault(_key(marker), []).append(nid)
        by_id = {}
        for note in notes:
            marker = _key(self.text(_kids(note)[0]))
            if not pending.get(marker):
                self.problems.append(f"footnote {marker!r} laid out but not in the document")
                return
            by_id[pending[marker].pop(0)] = note
        # the calls: NonStruct whose text is only a bracketed number, in document order;
        # the first of each note is WeasyPrint's ::footnote-call, later ones wrap a Link
        calls = [e for kid in doc_kids if kid.objgen not in drop for e in _walk(kid)
                 if e.S == Name.NonStruct and CALL_RE.match(self.text(e) or "x")]
        waiting: dict[str, list[str]] = {}
        for nid, marker in meta.notes:
            waiting.setdefault(_key(marker), []).append(nid)
        first_call = {}
        for call in calls:
            has_link = any(e.S == Name.Link for e in _walk(call))
            queue = waiting.get(_key(self.text(call)))
            if has_link:
                call.S = Name.Reference        # a later call: Reference > Link
            elif queue:
                first_call[queue.pop(0)] = call
        # rebuild the document's kids without the footnote areas
        self.document.K = Array([k for k in doc_kids if k.objgen not in drop])
        for nid, _ in meta.notes:
            note, call = by_id[nid], first_call.get(nid)
            note.S = Name.Note
            note.ID = String(nid)
            first = _kids(note)[0] if _kids(note) else None
            if _is_elem(first) and first.S == Name.NonStruct:  # ::footnote-marker
                first.S = Name.Lbl
            if call is None:  # keep the note reachable: put it at the end
                self.problems.append(f"no call found for footnote {nid}")
                note.P = self.document
                self.document.K.append(note)
                continue
            call.S = Name.Reference
            parent = call.P
            kids = _kids(parent)
            at = next(i for i, k in enumerate(kids) if _is_elem(k) and k.objgen == call.objgen)
            kids.insert(at + 1, note)
            _set_kids(parent, kids)
            note.P = parent
            self.result.notes += 1

    # -- 3. /Lang on runs in another script
    def languages(self) -> None:
        home = DOC_SCRIPT.get(self.meta.lang.split("-")[0].lower(), "Latn")
        if home == "Latn":
            return

        def visit(elem):
            for kid in _kids(elem):
                if not _is_elem(kid):
                    continue
                text = self.text(kid)
                latin = len(LATIN.findall(text))
                if not latin:
                    continue
                if not NON_LATIN.search(text):
                    if latin >= 2:
                        kid.Lang = String("en")
                        self.result.langs += 1
                else:
                    visit(kid)
        visit(self.document)

    # -- 3b. Arabic words whole for text extractors (vowel marks, slivers: _WordLifter)
    def whole_words(self) -> None:
        lifter = _WordLifter(self.pdf, self.meta.font_files)
        for page in self.pdf.pages:
            lifter.page(page)
        lifter.finish()
        self.result.lifted = lifter.lifted

    # -- 4. catalog, info, XMP, /ID
    def catalog(self) -> None:
        pdf, meta = self.pdf, self.meta
        root = pdf.Root
        root.Lang = String(meta.lang)
        root.MarkInfo = Dictionary(Marked=True)
        prefs = root.get("/ViewerPreferences", Dictionary())
        prefs.DisplayDocTitle = True
        if meta.rtl:
            prefs.Direction = Name.R2L
        root.ViewerPreferences = prefs
        root.Metadata = pdf.make_stream(xmp_packet(meta), Type=Name.Metadata,
                                        Subtype=Name.XML)
        info = Dictionary(Title=String(meta.title), Producer=String(meta.producer),
                          Creator=String(meta.producer),
                          CreationDate=String(pdf_date(meta.date)),
                          ModDate=String(pdf_date(meta.date)))
        if meta.subject:
            info.Subject = String(meta.subject)
        pdf.trailer.Info = pdf.make_indirect(info)
        # Link annotations need alternative text (PDF/UA-1 7.18.5)
        for page in pdf.pages:
            for annot in page.get("/Annots", Array()):
                if annot.get("/Subtype") == Name.Link and "/Contents" not in annot:
                    action = annot.get("/A", Dictionary())
                    target = action.get("/URI") or annot.get("/Dest") or action.get("/D")
                    annot.Contents = String(str(target) if target is not None else "link")

    # -- 5. the embedded AKN source
    def attachments(self) -> None:
        pdf, meta = self.pdf, self.meta
        root = pdf.Root
        seen, unique = set(), []
        for spec in root.get("/AF", Array()):
            key = spec.objgen if spec.is_indirect else id(spec)
            if key in seen:
                continue
            if spec.is_indirect:
                seen.add(key)
            unique.append(spec)
        # WeasyPrint lists the same file spec once inline and once by reference
        by_name: dict[str, object] = {}
        for spec in unique:
            by_name.setdefault(str(spec.get("/UF", spec.get("/F", ""))), spec)
        specs = [s if s.is_indirect else pdf.make_indirect(s) for s in by_name.values()]
        when = String(pdf_date(meta.date))
        for spec in specs:
            spec.AFRelationship = Name.Source
            spec.Desc = String("Akoma Ntoso 3.0 source of this document")
            ef = spec.EF.F
            ef.Subtype = Name("/text/xml")
            ef.Params.CreationDate = when
            ef.Params.ModDate = when
        root.AF = Array(specs)
        names = root.get("/Names", Dictionary()).get("/EmbeddedFiles")
        if names is not None:
            flat = []
            for name, spec in zip(list(names.Names)[0::2], list(names.Names)[1::2]):
                flat += [name, by_name.get(str(name), spec) if not spec.is_indirect else spec]
            names.Names = Array(flat)


def repair(pdf_bytes: bytes, meta: Meta, xml_bytes: bytes = b"", salt: bytes = b"") -> Result:
    """Take WeasyPrint's tagged PDF/A-3b and return a repaired, deterministic PDF."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        fix = _Repair(pdf, meta)
        fix.run()
        ident = String(file_id(xml_bytes or pdf_bytes, salt))
        pdf.trailer.ID = Array([ident, ident])
        out = io.BytesIO()
        # deterministic_id: the second /ID entry is a hash of the content, not of the clock.
        # Streams left uncompressed (pdf.py asks WeasyPrint for none) are deflated here,
        # except the XMP metadata, which qpdf leaves as it is (PDF/A wants it readable);
        # small objects go into object streams.
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        fix.result.pdf = out.getvalue()
        return fix.result
