"""Akoma Ntoso elements: the one contract between the readers and the writers."""
from __future__ import annotations

from lxml import etree

from akn import AKN_NS

NSMAP = {None: AKN_NS}


def q(tag: str) -> str:
    return f"{{{AKN_NS}}}{tag}"


def E(tag: str, attrib: dict | None = None, text: str | None = None, *children) -> etree._Element:
    el = etree.Element(q(tag), {k: v for k, v in attrib.items() if v is not None} if attrib else None,
                       nsmap=NSMAP)
    if text:
        el.text = text
    for c in children:
        el.append(c)
    return el


def sub(parent, tag: str, attrib: dict | None = None, text: str | None = None) -> etree._Element:
    # made in the parent's document, in the namespace declared above it: the same XML as
    # E() then append(), without a document made for each element and moved (~2x faster)
    if attrib and None in attrib.values():  # attributes given as None are left out
        attrib = {k: v for k, v in attrib.items() if v is not None}
    el = etree.SubElement(parent, f"{{{AKN_NS}}}{tag}", attrib or None)
    if text:
        el.text = text
    return el


def append_text(parent, text: str) -> None:
    """Append text after the last child of ``parent`` (or to its text)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


# Elements whose content is inline text: indentation never goes inside them.
INLINE_HOLDERS = {"p", "num", "heading", "docTitle", "docNumber", "docProponent", "docAuthority",
                  "session", "inline", "span", "ref", "date", "docDate", "location", "event",
                  "FRBRthis", "sup", "b", "i"}


def indent(el, level: int = 0, step: str = " ") -> None:
    """Pretty-print block structure only; mixed content is left exactly as it is."""
    # the local name cut from the Clark tag "{ns}name" (a QName object per element cost more
    # than the rest of the indenting)
    if not len(el) or el.tag.rpartition("}")[2] in INLINE_HOLDERS:
        return
    pad = "\n" + step * (level + 1)
    el.text = pad
    # each tail written once (the last child's was written, then overwritten), and no call for
    # a child without children (it would return at once)
    prev = None
    for child in el:
        if prev is not None:
            prev.tail = pad
        if len(child):
            indent(child, level + 1, step)
        prev = child
    prev.tail = "\n" + step * level
