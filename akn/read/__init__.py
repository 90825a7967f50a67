"""Text -> Akoma Ntoso, in stages:

1. source     (source.py)     bytes -> lines: encodings, byte-order marks, controls
2. layout     (layout.py)     lines -> paragraphs, note bodies, page ends, furniture, in either
                              shape (the cleaned text, or a PDF extractor's raw text)
3. structure  (structure.py)  paragraphs -> the resolution's parts (one method a state)
4. transforms (transforms.py) notes (calls -> bodies), adoption date, number conventions
5. build      (build.py, inline.py)  -> the AKN XML file, with inline dates and references;
                              its lxml tree is parsed when asked for
"""
from __future__ import annotations

from lxml import etree

from akn.diagnostics import Diagnostics
from akn.lang import Language, UnknownLanguage, available, detect, get
from akn.read import transforms
from akn.read.build import build_xml
from akn.read.layout import shape_of
from akn.read.source import read_source
from akn.read.structure import read_structure
from akn.tree import parse_built


class Document:
    """A parsed resolution: its Akoma Ntoso XML file, and the tree of that file on demand."""

    def __init__(self, xml: bytes, diagnostics: Diagnostics, encoding: str):
        self._xml = xml
        self._tree: etree._ElementTree | None = None
        self.diagnostics = diagnostics
        self.encoding = encoding
        self.language = ""   # the language code it was read in
        self.shape = ""      # "cleaned" or "raw"

    @property
    def tree(self) -> etree._ElementTree:
        # parsed once, when first asked for: writing the XML file needs no tree
        if self._tree is None:
            self._tree = parse_built(self._xml)
        return self._tree

    def to_bytes(self) -> bytes:
        if self._tree is None:
            return self._xml
        # the tree may have been changed since: written from it (the same bytes if not)
        return etree.tostring(self._tree, xml_declaration=True, encoding="UTF-8") + b"\n"

    def report(self) -> dict:
        from akn.tree import q
        root = self.tree.getroot()
        return {
            "source": self.diagnostics.file,
            "encoding": self.encoding,
            "language": self.language,
            "shape": self.shape,
            "preambular_paragraphs": len(root.findall(f".//{q('preamble')}/{q('container')}")),
            "operative_paragraphs": len(root.findall(f".//{q('mainBody')}/{q('paragraph')}")),
            "notes": len(list(root.iter(q("authorialNote")))),
            "repeated_calls": len(list(root.iter(q("noteRef")))),
            "diagnostics": [d.as_dict() for d in self.diagnostics.items],
        }


def parse_text(data: bytes, name: str = "-", lang: str | None = None) -> Document:
    """Parse the plain text of a resolution, in either shape (the cleaned text or a PDF
    extractor's raw output), in the language ``lang`` (a code such as ``ar`` or ``fr``;
    found from the text when None). Raises AknError on input it cannot read."""
    src = read_source(data, name)
    language = _language(src, lang)
    shape = shape_of(src.lines)
    res = read_structure(src.lines, language, src.diagnostics, shape)
    transforms.apply(res, src.diagnostics)
    doc = Document(build_xml(res, src.diagnostics), src.diagnostics, src.encoding)
    doc.language, doc.shape = language.code, shape
    return doc


def _language(src, code: str | None) -> Language:
    if code:
        try:
            return get(code)
        except KeyError:
            known = ", ".join(available())
            raise src.diagnostics.error(1, 1, f"no language data for \"{code}\": akn reads {known}",
                                        "language") from None
    try:
        return detect("\n".join(src.lines[:400]))
    except UnknownLanguage as e:
        raise src.diagnostics.error(1, 1, str(e), "language") from None
