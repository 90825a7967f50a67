"""Text -> Akoma Ntoso: source (bytes -> lines), structure (blocks -> parts, pages rejoined),
notes (calls -> bodies), inline (dates, references, numbers), build (-> AKN tree)."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from akn.diagnostics import Diagnostics
from akn.lang import detect
from akn.read.build import build_tree
from akn.read.source import read_source
from akn.read.structure import read_structure


@dataclass
class Document:
    tree: etree._ElementTree
    diagnostics: Diagnostics
    encoding: str

    def to_bytes(self) -> bytes:
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8") + b"\n"

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


def parse_text(data: bytes, name: str = "-") -> Document:
    """Parse the plain text of a resolution. Raises AknError on input it cannot read."""
    src = read_source(data, name)
    lang = detect("\n".join(src.lines))
    res = read_structure(src.lines, lang, src.diagnostics)
    tree = build_tree(res, src.diagnostics)
    return Document(tree, src.diagnostics, src.encoding)
