"""The words of a PDF's text layer, as two extractors read them, against the XML's words.

A reader who copies, searches or listens to a PDF gets the words an extractor finds in its
text layer. Two extractors that cut words differently read every test PDF here:
``pdftotext`` (poppler: what most viewers' copy and search use; its words from ``-bbox``)
and ``pdfminer.six`` (pure Python, its own layout analysis). Both give right-to-left words
in drawing order; they are turned back into reading order. The XML gives the words of the
resolution (cover page, text, annexes, notes) plus what the print adds on purpose: each
note's marker at the note, the publisher's name when the cover page has none. Set aside on
both sides: raised text (footnote calls, superscripts: ``sup`` in the XML, small glyphs
sitting high beside bigger ones in the PDF) and the running headers and page numbers (bands
at the top and bottom of every page after the first). Then, as multisets:

* **split**: an XML word missing from the PDF whose pieces are there instead ("وبخاصة" read
  as "و" + "بخاصة");
* **joined**: a PDF word that is two or more missing XML words run together;
* **lost**: any other XML word missing; **added**: any other PDF word the XML lacks.

A word is a run of letters, marks and digits (so "A/RES/67/190" is four words on both
sides, and a line broken after the hyphen of "follow-up" still reads "follow", "up"); each
Chinese or Japanese character is a word of its own (the script has no spaces, and a line
may end anywhere). Text is compared after NFC (the order of a letter's marks), without bidi
and joiner controls, soft hyphens and the tatweel (elongation, which Amiri also draws for
joins of its own), with Eastern Arabic digits read as ASCII ones.

Not measured here: the order of words (test_pdf.compare_text checks the letters in order),
and poppler's own assembly of a right-to-left line (``pdftotext`` without ``-bbox``), which
puts the space before a number instead of after it ("٥٥/٦٧ و" comes out as "٥٥/٦٧و"): its
words are right, its line text is not, whatever the PDF.
"""
from __future__ import annotations

import bisect
import re
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
NS = {"a": AKN}
BAND = 51  # pt: running header and page number sit within 18 mm of the paper's edge
A4_W, A4_H = 595.28, 841.89

_IGNORED = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u00ad\ufeff\u0640]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def _ideograph(ch: str) -> bool:
    o = ord(ch)
    return (0x3040 <= o <= 0x30ff or 0x3400 <= o <= 0x4dbf or 0x4e00 <= o <= 0x9fff
            or 0xf900 <= o <= 0xfaff or 0x20000 <= o <= 0x3ffff)


def words(text: str) -> list[str]:
    """The words of a text, as defined above, in order."""
    text = unicodedata.normalize("NFC", _IGNORED.sub("", text)).translate(_DIGITS)
    out: list[str] = []
    cur: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if _ideograph(ch):
            if cur:
                out.append("".join(cur))
                cur = []
            out.append(ch)
        elif cat[0] in "LMN":
            cur.append(ch)
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


# ---------------------------------------------------------------- the XML's side

# AKN elements that sit inside a line of text: no word boundary at their edges (the UN's
# files put one inside a word at times: "R<span class="italic">esolutions…</span>")
INLINE = {"span", "i", "b", "u", "a", "ref", "mref", "rref", "sub", "date", "time", "docDate",
          "docNumber", "docTitle", "docProponent", "docStatus", "docAuthority", "docType",
          "docPurpose", "docCommittee", "docIntroducer", "docStage", "docJurisdiction",
          "session", "shortTitle", "inline", "abbr", "term", "def", "entity", "person",
          "organization", "location", "role", "quantity", "event", "concept", "object",
          "process", "remark", "legislature", "mod", "mmod", "ins", "del", "omissis",
          "placeholder", "fillIn", "decoration", "outcome", "signature", "relatedDocument",
          "affectedDocument", "argument", "vote", "lawyer", "judge", "party", "opinion",
          "narrative", "summary", "courtType", "neutralCitation", "legislature", "marker",
          "img", "noteRef", "componentRef", "documentRef", "popup", "authorialNote"}


def xml_words(tree, *, print_page=None, symbol: str = "", lang: str = "en") -> Counter:
    """The words the print of ``tree`` should hold: the document's text (the cover page,
    preface, body, annexes, notes; not ``meta``, not ``sup``), the publisher's name when the
    cover page has none, the symbol when the cover page lacks it, and the marker of each
    note of ``print_page`` (the page WeasyPrint lays out, after pdf._footnoted), printed at
    the note (its calls are raised, and set aside)."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    parts: list[str] = []

    def walk(el):
        if not isinstance(el.tag, str):
            return
        name = etree.QName(el).localname
        if name == "meta":
            return
        if name == "sup":
            return          # raised text (calls, "1er"): set aside on both sides
        if name in ("authorialNote", "noteRef", "eol", "br", "eop"):
            parts.append(" ")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if name not in INLINE:
            parts.append(" ")

    for top in root:
        walk(top)
    found = Counter(words("".join(parts)))
    if not root.xpath("//a:coverPage//a:docAuthority[@refersTo='#publisher']", namespaces=NS):
        from akn.render.html import labels
        found.update(words(labels(lang)["publisher"]))
    if symbol and not root.xpath("//a:coverPage//a:docNumber", namespaces=NS):
        found.update(words(symbol))
    if print_page is not None:
        for note in print_page.xpath('//span[contains(concat(" ", @class, " "), " fn-note ")]'):
            found.update(words(note.get("data-marker") or ""))
        for marker in print_page.xpath('//ol[contains(concat(" ", @class, " "), " notes-list ")]'
                                       '/li//span[@class="marker"]'):
            found.update(words(marker.text_content()))
    return found


# ---------------------------------------------------------------- the extractors

_BBOX_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                        r'([^<]*)</word>')
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def raised(boxes: list[tuple[float, float, float, float]]) -> set[int]:
    """Which boxes (x0, top, x1, bottom; y grows downwards) hold raised small text: a
    footnote call or a superscript. A box is raised when a box at least 1.2 times as tall
    stands beside it (less than 1.5 times that box's height away: a justified space) on whose line it
    sits high (its bottom above the other's by more than 15 % of that box's height, and
    below its top); so are boxes of its size and baseline that follow on from it ("11"
    after "1")."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][3])
    bottoms = [boxes[i][3] for i in order]
    found: set[int] = set()
    for i, (x0, top, x1, bottom) in enumerate(boxes):
        h = bottom - top
        if h <= 0:
            continue
        lo = bisect.bisect_right(bottoms, bottom + 0.15 * h)
        hi = bisect.bisect_right(bottoms, bottom + 3 * h)
        for k in order[lo:hi]:
            ax0, atop, ax1, abottom = boxes[k]
            ah = abottom - atop
            if (ah >= 1.2 * h and bottom < abottom - 0.15 * ah and bottom > atop
                    and max(ax0 - x1, x0 - ax1) < 1.5 * ah):
                found.add(i)
                break
    grew = True
    while grew:
        grew = False
        for i, (x0, top, x1, bottom) in enumerate(boxes):
            if i in found:
                continue
            h = bottom - top
            for r in list(found):
                rx0, rtop, rx1, rbottom = boxes[r]
                rh = rbottom - rtop
                if (abs(h - rh) < 0.1 * rh and abs(bottom - rbottom) < 0.1 * rh
                        and max(rx0 - x1, x0 - rx1) < 0.3 * rh):
                    found.add(i)
                    grew = True
                    break
    return found


def pdftotext_words(path: Path, rtl: bool) -> list[str]:
    """pdftotext's words (``-bbox``: poppler's own cut of the text into words, the cut copy,
    search and a screen reader get), without the header and footer bands after page 1 and
    without raised text (footnote calls, superscripts). Poppler gives a right-to-left word
    in drawing order; it is turned back (``_logical``)."""
    from html import unescape
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    found: list[str] = []
    for number, page in enumerate(_PAGE.findall(out), 1):
        boxes, texts = [], []
        for x0, y0, x1, y1, text in _BBOX_WORD.findall(page):
            if number > 1 and (float(y0) < BAND or float(y1) > A4_H - BAND):
                continue
            boxes.append((float(x0), float(y0), float(x1), float(y1)))
            texts.append(unescape(text))
        up = raised(boxes)
        for i, text in enumerate(texts):
            if i in up:
                continue
            for word in words(text):
                found.append(_logical(word) if rtl and _ARABIC.search(word) else word)
    return found


def pdfminer_words(path: Path, rtl: bool) -> list[str]:
    """pdfminer.six's words, line by line from its layout analysis, without lines in the
    header and footer bands after page 1 and without raised characters (footnote calls,
    superscripts). It gives right-to-left text in drawing order: each Arabic word comes
    reversed, and is turned back (``_logical``)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextLine

    def lines(obj):
        if isinstance(obj, LTTextLine):
            yield obj
            return
        for child in getattr(obj, "_objs", ()):
            yield from lines(child)

    out: list[str] = []
    for number, page in enumerate(extract_pages(str(path), laparams=LAParams()), 1):
        top = page.height
        kept = [line for line in lines(page)
                if number == 1 or (line.y1 <= top - BAND and line.y0 >= BAND)]
        chars = [c for line in kept for c in line if isinstance(c, LTChar)]
        up = raised([(c.x0, top - c.y0 - c.size, c.x1, top - c.y0) for c in chars])
        skip = {id(chars[i]) for i in up}
        for line in kept:
            text = "".join(c.get_text() for c in line if id(c) not in skip)
            for word in words(text):
                out.append(_logical(word) if rtl and _ARABIC.search(word) else word)
    return out


def _logical(word: str) -> str:
    """An Arabic word an extractor gave in drawing order (left to right) back in reading
    order: its letters reversed, each with its vowel marks, a run of digits or Latin
    letters inside keeping its own order. A mark is drawn before (left of) its letter
    (HarfBuzz reverses a right-to-left cluster whole; akn.render.pdfua._WordLifter puts the
    blank glyphs that carry a mark's text there too), so it goes with the letter after it."""
    clusters: list[str] = []
    marks = ""
    for ch in word:
        if unicodedata.category(ch) == "Mn":
            marks += ch
        else:
            clusters.append(ch + marks)
            marks = ""
    if marks:
        if clusters:
            clusters[-1] += marks
        else:
            clusters.append(marks)
    runs: list[list[str]] = []
    for c in clusters:
        if runs and not _ARABIC.match(c[0]) and not _ARABIC.match(runs[-1][-1][0]):
            runs[-1].append(c)
        else:
            runs.append([c])
    return "".join("".join(run) for run in reversed(runs))


# ---------------------------------------------------------------- the comparison

@dataclass
class Tally:
    words: int = 0                  # XML words (with the print's markers)
    split: int = 0
    joined: int = 0
    lost: int = 0
    added: int = 0
    examples: dict = field(default_factory=dict)  # kind -> a few (XML, PDF) pairs

    def clean(self) -> bool:
        return not (self.split or self.joined or self.lost or self.added)

    def __str__(self) -> str:
        return (f"{self.words} words: {self.split} split, {self.joined} joined, {self.lost} lost, "
                f"{self.added} added")


def _pieces(word: str, pool: Counter, limit: int = 4) -> list[str] | None:
    """``word`` as a concatenation of 2..limit words of ``pool`` (a multiset), or None."""
    def go(rest: str, depth: int) -> list[str] | None:
        if not rest:
            return []
        if depth == limit:
            return None
        for k in range(len(rest), 0, -1):
            head = rest[:k]
            if pool[head] > 0 and (depth > 0 or k < len(word)):
                pool[head] -= 1
                tail = go(rest[k:], depth + 1)
                pool[head] += 1
                if tail is not None:
                    return [head] + tail
        return None
    return go(word, 0)


def compare(expected: Counter, got: list[str] | Counter) -> Tally:
    got = Counter(got)
    missing = expected - got
    extra = got - expected
    t = Tally(words=sum(expected.values()))
    ex: dict[str, list] = {"split": [], "joined": [], "lost": [], "added": []}
    # joined: an extra PDF word made of missing XML words
    for word in sorted(extra, key=len, reverse=True):
        while extra[word] > 0:
            parts = _pieces(word, missing)
            if not parts:
                break
            extra[word] -= 1
            missing.subtract(parts)
            t.joined += 1
            ex["joined"].append((" ".join(parts), word))
    # split: a missing XML word whose pieces are extra PDF words
    for word in sorted(missing, key=len, reverse=True):
        while missing[word] > 0:
            parts = _pieces(word, extra)
            if not parts:
                break
            missing[word] -= 1
            extra.subtract(parts)
            t.split += 1
            ex["split"].append((word, " ".join(parts)))
    missing, extra = +missing, +extra
    t.lost = sum(missing.values())
    t.added = sum(extra.values())
    ex["lost"] = [(w, "") for w in list(missing)[:10]]
    ex["added"] = [("", w) for w in list(extra)[:10]]
    t.examples = {k: v[:10] for k, v in ex.items() if v}
    return t
