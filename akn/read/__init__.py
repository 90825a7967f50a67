"""Text -> Akoma Ntoso: source (bytes -> lines), structure (blocks -> parts, pages rejoined),
notes (calls -> bodies), inline (dates, references, numbers), build (-> the AKN XML file; its tree is parsed when asked for)."""
from __future__ import annotations

from lxml import etree

from akn.diagnostics import Diagnostics
from akn.lang import detect, get
from akn.read.build import build_xml
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
            "preambular_paragraphs": len(root.findall(f".//{q('preamble')}/{q('container')}")),
            "operative_paragraphs": len(root.findall(f".//{q('mainBody')}/{q('paragraph')}")),
            "notes": len(list(root.iter(q("authorialNote")))),
            "repeated_calls": len(list(root.iter(q("noteRef")))),
            "diagnostics": [d.as_dict() for d in self.diagnostics.items],
        }


def parse_text(data: bytes, name: str = "-", lang: str | None = None) -> Document:
    """Parse the plain text of a resolution. Raises AknError on input it cannot read."""
    src = read_source(data, name)
    lang = get(lang) if lang else detect("\n".join(src.lines))
    res = read_structure(src.lines, lang, src.diagnostics)
    return Document(build_xml(res, src.diagnostics), src.diagnostics, src.encoding)
