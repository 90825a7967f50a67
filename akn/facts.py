"""What a document is, read once from any Akoma Ntoso tree: the one reading every writer uses.

The HTML page, the PDF, the archival bag and the catalogue all say which language a document
is in, what its symbol and title are, which FRBR IRIs and dates it has. They read it here,
so that they say the same thing (a FRBRlanguage ``per`` is Persian, ``fa``, right to left,
everywhere; a document without a language is ``und``, never a guess; a footnote inside the
title is no part of the title a browser tab, the PDF's Title or the catalogue shows)::

    facts = Facts(tree)           # an ElementTree, or its root <akomaNtoso>
    facts.lang, facts.dir         # "ar", "rtl" (BCP 47 tag and base direction)
    facts.symbol, facts.title     # "A/RES/67/190", the title without its notes
    facts.work, facts.expression  # FRBR IRIs (FRBRthis) of the work and the expression
    facts.parts                   # the document elements to render, in order

A small object with lazily read properties (after cobalt's ``StructuredDocument``): a writer
asks only for what it shows, and nothing is read twice. It never changes the tree.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cached_property

from lxml import etree

from akn import AKN_NS
from akn import lang as languages
from akn import load

N = f"{{{AKN_NS}}}"
NS = {"a": AKN_NS}
DOC_TYPES = frozenset(load.DOC_TYPES)   # the document types the schema allows
# inline elements whose content is not the text around them: notes and their references,
# pop-ups, images, markers, references to other documents
NOT_TEXT = frozenset({"authorialNote", "noteRef", "popup", "img", "marker", "componentRef",
                      "documentRef"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What the UN prints between a resolution's number and its title ("٦٧/١٩٠ - …", "78/228. …").
# Some of its Arabic files put it inside docTitle (`<docTitle> -\tبناء عالم …`: 20 of 324
# in session 78), which the heading shows as printed but a title used on its own (the page's
# <title>, the catalogue, the PDF's Title and running header) must not start with.
_NUMBER_SEPARATOR = re.compile(r"^[\s\-\u2010-\u2015.:]+(?=\S)")


def clean(s: str | None) -> str:
    """Collapse XML whitespace; drop embedding/isolate controls (the writers isolate
    themselves); NFC (canonically the same text: Arabic marks in a fixed order)."""
    if not s:
        return ""
    return unicodedata.normalize("NFC", _WS.sub(" ", _CONTROLS.sub("", s)))


def title_alone(text: str) -> str:
    """A title as it stands on its own: without a number separator in front of it."""
    return _NUMBER_SEPARATOR.sub("", text)


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def kids(el) -> list:
    return [c for c in el if isinstance(c.tag, str)]


def first(el, tag: str, **attrs):
    """The first ``tag`` element at or under ``el`` whose attributes are ``attrs``."""
    if el is None:
        return None
    for c in el.iter(N + tag):
        if all(c.get(k) == v for k, v in attrs.items()):
            return c
    return None


def text(el) -> str:
    """An element's text as a line of metadata: without notes (or other content that is not
    the text around it, :data:`NOT_TEXT`), cleaned, whitespace collapsed, stripped."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(e):
        parts.append(e.text or "")
        for c in e:
            if isinstance(c.tag, str) and local(c) not in NOT_TEXT:
                walk(c)
            parts.append(c.tail or "")
    walk(el)
    return clean("".join(parts)).strip()


def document_element(tree):
    """(the root <akomaNtoso>, its document element: statement, documentCollection…)."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    for c in kids(root):
        if local(c) in DOC_TYPES:
            return root, c
    raise ValueError("no Akoma Ntoso document element under <akomaNtoso>")


class Facts:
    """The facts of one Akoma Ntoso document; see the module's docstring."""

    def __init__(self, tree):
        self.root, self.doc = document_element(tree)

    # ---- identification (the document's own meta, not a component's)
    @cached_property
    def _ident(self):
        return first(self.doc, "identification")

    def _level(self, name: str):
        return first(self._ident, name)

    def _value(self, level: str, tag: str, attr: str = "value", **kw) -> str:
        el = first(self._level(level), tag, **kw)
        return (el.get(attr) or "").strip() if el is not None else ""

    def _first_date(self, level: str) -> str:
        el = self._level(level)
        return next((e.get("date") for e in (el.iter(N + "FRBRdate") if el is not None else [])
                     if _DATE.match(e.get("date") or "")), "")

    @cached_property
    def language(self) -> str:
        """FRBRlanguage as written (ISO 639-2: "ara")."""
        return self._value("FRBRExpression", "FRBRlanguage", "language")

    @cached_property
    def lang(self) -> str:
        """BCP 47 tag for HTML's lang and PDF's /Lang: "ar"; "und" when unknown."""
        return languages.tag_for(self.language)

    @property
    def dir(self) -> str:
        return languages.direction(self.lang)

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"

    @cached_property
    def work(self) -> str:
        return self._value("FRBRWork", "FRBRthis")

    @cached_property
    def expression(self) -> str:
        return self._value("FRBRExpression", "FRBRthis")

    @cached_property
    def manifestation(self) -> str:
        return self._value("FRBRManifestation", "FRBRthis")

    @cached_property
    def adopted(self) -> str:
        """The work's first calendar date (the adoption), or ""."""
        return self._first_date("FRBRWork")

    @cached_property
    def published(self) -> str:
        return self._first_date("FRBRExpression")

    @cached_property
    def dates(self) -> list[str]:
        """Every calendar FRBRdate in the file, components' too, sorted."""
        return sorted(d for d in self.root.xpath("//a:FRBRdate/@date", namespaces=NS)
                      if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) and d > "0001-01-01")

    @cached_property
    def alias(self) -> str:
        """The symbol as FRBRalias name="symbol" states it, or ""."""
        return self._value("FRBRWork", "FRBRalias", name="symbol")

    @property
    def frbr(self) -> dict:
        """The FRBR facts as one dict (what the HTML template and JSON-LD show)."""
        return {"symbol": self.alias, "work": self.work, "expression": self.expression,
                "manifestation": self.manifestation, "language": self.language,
                "adopted": self.adopted, "published": self.published}

    # ---- what the document shows
    @cached_property
    def cover(self):
        return next((k for k in kids(self.doc) if local(k) == "coverPage"), None)

    @cached_property
    def preface(self):
        return next((k for k in kids(self.doc) if local(k) == "preface"), None)

    @cached_property
    def number(self) -> str:
        """FRBRnumber as shown (showAs, else value), or ""."""
        num = first(self.doc, "FRBRnumber")
        return (num.get("showAs") or num.get("value") or "") if num is not None else ""

    @cached_property
    def symbol(self) -> str:
        """The symbol as the cover prints it ("A/RES/67/190"); else FRBRalias; else the
        number (FRBRnumber, or the work IRI's last segment)."""
        shown = text(first(self.cover, "docNumber"))
        if shown or self.alias:
            return shown or self.alias
        if first(self.doc, "FRBRnumber") is not None:
            return self.number
        segs = [x for x in self.work.split("/") if x and not x.startswith("!")]
        return segs[-1].replace("-", "/") if segs else ""

    @property
    def printed_symbol(self) -> str:
        """The symbol the text prints: its cover's docNumber, else its preface's (the
        resolution's number there: "67/190"); "" without either."""
        return text(first(self.cover, "docNumber")) or text(first(self.preface, "docNumber"))

    @cached_property
    def title_element(self):
        """The preface's docTitle (or longTitle), or None."""
        title = first(self.preface, "docTitle")
        return title if title is not None else first(self.preface, "longTitle")

    @cached_property
    def title(self) -> str:
        """The title on its own: without notes, without a number separator in front."""
        return title_alone(text(self.title_element))

    @property
    def plain_title(self) -> str:
        """The title with every space a plain one (no-break spaces too), as the archive's
        metadata (the PDF's Title and XMP, the bag's metadata.json) gives it."""
        return " ".join(self.title.split())

    @property
    def doc_name(self) -> str:
        return self.doc.get("name") or local(self.doc)

    @property
    def collection(self) -> bool:
        return local(self.doc) == "documentCollection"

    @cached_property
    def eastern_digits(self) -> bool:
        """Does the resolution's text (every preamble and main body) write its numbers in
        Eastern Arabic digits? Then note markers and page numbers are shown in them too."""
        body = "".join(self.root.xpath("//a:preamble//text() | //a:mainBody//text()",
                                       namespaces=NS))
        return languages.writes_eastern_digits(body)

    @cached_property
    def parts(self) -> list:
        """The documents to render in order: the document itself, or each component of a
        documentCollection (components referenced by documentRef, or inline)."""
        if not self.collection:
            return [self.doc]
        comps = {c.get("eId"): c for c in self.root.iter(N + "component") if c.get("eId")}
        body = first(self.doc, "collectionBody")
        parts = []
        for comp in (kids(body) if body is not None else []):
            inner = next((k for k in kids(comp) if local(k) in DOC_TYPES), None)
            if inner is None:
                ref = first(comp, "documentRef")
                target = comps.get((ref.get("href") or "").lstrip("#")) if ref is not None else None
                inner = next((k for k in kids(target) if local(k) in DOC_TYPES), None) \
                    if target is not None else None
            if inner is not None:
                parts.append(inner)
        return parts
