"""Akoma Ntoso elements: the one contract between the readers and the writers.

Readers hand writers an lxml tree. The text reader builds it first as light ``Node``s and
writes them out as the XML file (``to_xml``); lxml parses that file in one C pass when a
tree is asked for (``parse_built``). An lxml element made in a namespace costs about 2 µs
(the tag and its namespace are checked and encoded each time, and a Python proxy is made),
which was a fifth of parsing the seed; a ``Node`` costs a tenth of that. Nodes know only
what the builder uses: a tag, attributes in order, text, tail and children.
"""
from __future__ import annotations

import re

from lxml import etree

from akn import AKN_NS

def q(tag: str) -> str:
    return f"{{{AKN_NS}}}{tag}"


class Node:
    """An element being built: ``tag`` is the local name in the AKN namespace, or a
    prefixed name (``prefix:name``) whose prefix an ancestor or the node itself declares
    with an ``xmlns:prefix`` attribute."""
    __slots__ = ("tag", "attrib", "text", "tail", "children")

    def __init__(self, tag: str, attrib: dict | None = None, text: str | None = None):
        self.tag = tag
        self.attrib = attrib if attrib is not None else {}
        self.text = text
        self.tail = None
        self.children: list[Node] = []

    def __len__(self) -> int:
        return len(self.children)

    def __getitem__(self, i: int) -> Node:
        return self.children[i]

    def append(self, child: Node) -> None:
        self.children.append(child)

    def get(self, key: str, default=None):
        return self.attrib.get(key, default)

    def find(self, tag: str) -> Node | None:
        """The first child called ``tag``."""
        return next((c for c in self.children if c.tag == tag), None)


# what XML 1.0 may not contain: controls other than tab/LF/CR, lone surrogates (an
# undecodable byte in a file name arrives as one), U+FFFE and U+FFFF
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_chars(s: str) -> str:
    """``s`` with each character XML cannot hold replaced by U+FFFD: for strings from
    outside the text (file names); the text itself is cleaned, with warnings, as it is read."""
    return _NOT_XML.sub("\ufffd", s)


def _kept(attrib: dict | None) -> dict:
    """Attributes given as None are left out. The dict is kept, not copied: every caller
    writes a new one for the call."""
    if not attrib:
        return {}
    if None in attrib.values():
        return {k: v for k, v in attrib.items() if v is not None}
    return attrib


def E(tag: str, attrib: dict | None = None, text: str | None = None, *children) -> Node:
    el = Node(tag, _kept(attrib), text or None)
    el.children.extend(children)
    return el


def sub(parent: Node, tag: str, attrib: dict | None = None, text: str | None = None) -> Node:
    el = Node(tag, _kept(attrib), text or None)
    parent.children.append(el)
    return el


def append_text(parent: Node, text: str) -> None:
    """Append text after the last child of ``parent`` (or to its text)."""
    if not text:
        return
    if parent.children:
        last = parent.children[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


# Elements whose content is inline text: indentation never goes inside them.
INLINE_HOLDERS = {"p", "num", "heading", "docTitle", "docNumber", "docProponent", "docAuthority",
                  "session", "inline", "span", "ref", "date", "docDate", "location", "event",
                  "FRBRthis", "sup", "b", "i", "subheading", "crossHeading", "docStatus"}


def indent(el: Node, level: int = 0, step: str = " ") -> None:
    """Pretty-print block structure only; mixed content is left exactly as it is."""
    children = el.children
    if not children or el.tag in INLINE_HOLDERS:
        return
    pad = "\n" + step * (level + 1)
    el.text = pad
    for child in children:
        child.tail = pad
        if child.children:
            indent(child, level + 1, step)
    children[-1].tail = "\n" + step * level


# -- Node -> lxml ---------------------------------------------------------------------------
# The escapes libxml2 itself writes: in text & < > and CR (a raw CR would come back as LF);
# in attribute values also " and the whitespace that attribute normalisation would flatten.
_TEXT_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': "&quot;",
                           "\n": "&#10;", "\t": "&#9;"})


def _text(s: str) -> str:
    # one fast substring search per special character; translate() would copy every string
    if "&" in s or "<" in s or ">" in s or "\r" in s:
        return s.translate(_TEXT_ESC)
    return s


def _attr(s: str) -> str:
    if "&" in s or "<" in s or ">" in s or '"' in s or "\n" in s or "\r" in s or "\t" in s:
        return s.translate(_ATTR_ESC)
    return s


def _write(el: Node, out: list, declare: str = "") -> None:
    out.append("<" + el.tag + declare)
    for k, v in el.attrib.items():
        out.append(f' {k}="{_attr(v)}"')
    if el.text is None and not el.children:
        out.append("/>")
    else:
        out.append(">")
        if el.text:
            out.append(_text(el.text))
        for c in el.children:
            _write(c, out)
        out.append(f"</{el.tag}>")
    if el.tail:
        out.append(_text(el.tail))


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                          collect_ids=False)
_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"


def to_xml(root: Node) -> bytes:
    """The document's XML file: the bytes lxml would write for the same tree
    (``etree.tostring(tree, xml_declaration=True, encoding="UTF-8")``) and a final newline,
    with the AKN namespace declared on the root."""
    out: list[str] = [_DECLARATION]
    _write(root, out, f' xmlns="{AKN_NS}"')   # lxml writes declarations before attributes
    out.append("\n")
    return "".join(out).encode("utf-8")


def parse_built(xml: bytes) -> etree._ElementTree:
    """The lxml tree of bytes ``to_xml`` wrote. They are ours, so libxml2's size limits are
    lifted (``huge_tree``) and IDs are not collected (nothing looks them up)."""
    return etree.ElementTree(etree.fromstring(xml, _PARSER))
