"""Read XML that somebody else wrote, safely.

No DTD is loaded, no entity is expanded, nothing is fetched from the network or the file
system, XInclude is never processed, and nesting deeper than libxml2's limit is refused. A
document with a DOCTYPE is refused outright: Akoma Ntoso needs none, and a DOCTYPE is how
entity-expansion and external-entity attacks arrive.
"""
from __future__ import annotations

import os
import re

from lxml import etree

from akn import AKN_NS
from akn.diagnostics import AknError

MAX_BYTES = 64 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False)


def _wrong_kind(data: bytes, name: str) -> str | None:
    """What to do when the file is plainly not XML, or is a web page: the advice the
    parser's own messages ("DOCTYPE not accepted", "not well-formed") would not give."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None   # UTF-16 or UTF-32: libxml2 reads it
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return ("this is a PDF, not Akoma Ntoso XML: give the .xml file (akn pdf makes a PDF "
                "from AKN XML, not the other way round)")
    if head.startswith(b"PK\x03\x04"):
        return "this is a ZIP archive (a .docx, .odt or .epub?), not Akoma Ntoso XML"
    if re.match(rb"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", head.lower(), re.S):
        return ("this is an HTML page, not Akoma Ntoso XML: give the .xml file it was made "
                "from (akn html makes the page from AKN XML)")
    if head and not head.startswith(b"<"):
        import shlex
        file = shlex.quote(name) if name and not name.startswith("<") else "FILE"
        return ("this is not XML (it does not start with '<'): if it is the plain text of a "
                f"resolution, run 'akn parse {file}' first to make its Akoma Ntoso XML")
    return None


def parse_bytes(data: bytes, name: str = "-") -> etree._ElementTree:
    wrong = _wrong_kind(data, name)
    if wrong:
        raise AknError(wrong, name, 1, 1, "wrong-kind")
    if len(data) > MAX_BYTES:
        raise AknError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                       "split it or check it is the right file", name, 1, 1, "too-large")
    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in data[:65536].upper():
        line = data[:data.upper().find(b"<!")].count(b"\n") + 1
        raise AknError("DOCTYPE/ENTITY declarations are not accepted (Akoma Ntoso needs none, "
                       "and they are how entity attacks arrive); remove them", name, line, 1,
                       "doctype")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as e:
        line, col = (e.position if e.position else (e.lineno or 1, e.offset or 1))
        raise AknError(f"not well-formed XML: {e.msg}", name, line or 1, col or 1, "xml-syntax")
    root = tree.getroot()
    # The check above reads only the head of the file; a DOCTYPE after a long comment got
    # through it (it was never acted on, but its entity references reached the schema
    # validator, which failed with an internal error). The parsed document tells for sure.
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None \
            or next(root.iter(etree.Entity), None) is not None:
        at = data.upper().find(b"<!DOCTYPE")
        line = data[:at].count(b"\n") + 1 if at >= 0 else 1
        raise AknError("DOCTYPE/ENTITY declarations are not accepted (Akoma Ntoso needs none, "
                       "and they are how entity attacks arrive); remove them", name, line, 1,
                       "doctype")
    if root.tag != f"{{{AKN_NS}}}akomaNtoso":
        raise AknError(f"root element is <{etree.QName(root).localname}> in namespace "
                       f"'{etree.QName(root).namespace or ''}', not Akoma Ntoso 3.0 "
                       f"<akomaNtoso xmlns=\"{AKN_NS}\">", name, root.sourceline or 1, 1,
                       "not-akn")
    return tree


def read_file(path: str | os.PathLike) -> bytes:
    """The file's bytes (one more than MAX_BYTES at most, for parse_bytes to refuse), or an
    AknError that names the file and says why it cannot be read."""
    from akn.bounded import read_bounded
    return read_bounded(os.fspath(path), MAX_BYTES)


def parse_file(path: str | os.PathLike) -> etree._ElementTree:
    return parse_bytes(read_file(path), os.fspath(path))
