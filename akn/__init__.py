r"""akn: UN General Assembly resolutions from plain text to Akoma Ntoso 3.0, HTML and PDF.

One pipeline around one intermediate (the AKN tree):

    akn.read   text  -> AKN tree   (knows nothing of the writers)
    akn.render AKN   -> HTML, PDF  (reads only AKN, ours or anybody's)

The functions below are the library's public face; the ``akn`` command line is built on
them. A resolution's text, as the UN's systems give it::

    >>> import akn
    >>> text = "\n\n".join([
    ...     "General Assembly Seventy-eighth session", "Agenda item 68",
    ...     "Resolution adopted by the General Assembly on 19 December 2023",
    ...     "78/999. A small resolution", "The General Assembly,",
    ...     "Recalling its resolution 77/1 of 1 December 2022,",
    ...     "1. Welcomes the report of the Secretary-General;",
    ...     "2. Decides to continue its work.", "51st plenary meeting", "19 December 2023"])

becomes Akoma Ntoso (valid under the official OASIS schema, or an :class:`AknError`)::

    >>> result = akn.parse_text(text, name="small.txt")
    >>> result.xml[:38]
    b"<?xml version='1.0' encoding='UTF-8'?>"
    >>> result.warnings
    []
    >>> akn.validate(result.xml)
    []

and then an accessible web page and a tagged PDF/A-3b that carries the XML::

    >>> page = akn.to_html(result, pdf_href="small.pdf")
    >>> page.startswith("<!DOCTYPE html>") and 'href="small.pdf"' in page
    True
    >>> akn.to_pdf(result)[:8]
    b'%PDF-1.7'

Problems with the input raise :class:`AknError` (its ``diagnostic`` says FILE:LINE:COL and
what to do); the writers' warnings are Python warnings of the class :class:`AknWarning`,
which ``warnings.simplefilter("error", akn.AknWarning)`` turns into errors.
"""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from akn.diagnostics import AknError, Diagnostic

__version__ = "0.1.0"

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

__all__ = ["parse_text", "validate", "to_html", "to_pdf", "export", "Result", "Diagnostic",
           "AknError", "AknWarning", "__version__"]


class AknWarning(UserWarning):
    """A problem the writers worked around (a schema-invalid input rendered anyway, a PDF
    tagging repair that failed); its text is ``FILE:LINE:COL: warning: message``."""


class Result:
    """A parsed resolution: ``xml`` (the Akoma Ntoso file's bytes), ``tree`` (the lxml
    tree of those bytes, parsed when first asked for), ``diagnostics`` (every warning the
    reader raised, each a :class:`Diagnostic` with file, line, col, message and code)."""

    def __init__(self, document, name: str):
        self._doc = document
        self.name = name
        self.xml: bytes = document.to_bytes()
        self.diagnostics: list[Diagnostic] = list(document.diagnostics.items)

    @property
    def tree(self):
        return self._doc.tree

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def report(self) -> dict:
        """Counts (paragraphs, notes, repeated calls) and the diagnostics, as
        ``akn parse --report`` writes them."""
        return self._doc.report()

    def __repr__(self) -> str:
        return f"<akn.Result {self.name}: {len(self.xml)} bytes of XML, {len(self.warnings)} warnings>"


def parse_text(text: str | bytes, *, lang: str | None = None, name: str = "<text>") -> Result:
    """The plain text of a resolution -> :class:`Result` (Akoma Ntoso XML and diagnostics).

    ``text``: str, or bytes in UTF-8 (UTF-16 and Windows-1256 are recognised, with a
    warning). ``lang``: the language's code (``"ar"``, ``"en"``, …: the files in
    ``akn/lang``); by default it is detected. ``name``: the file name the diagnostics give.

    >>> parse_text("<?xml version='1.0'?><akomaNtoso/>", name="a.xml")
    Traceback (most recent call last):
    akn.diagnostics.AknError: a.xml:1:1: error: this is already XML (or HTML), not the plain text ...

    Raises :class:`AknError` for input it cannot read, and never returns XML that fails the
    official schema."""
    from akn import lang as languages, schema
    from akn.read import parse_text as read
    if lang is not None and lang not in languages.available():
        raise AknError(f"unknown language {lang!r}: akn reads "
                       f"{', '.join(languages.available())}", name, 0, 0, "usage")
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if re.match(rb"(\xef\xbb\xbf)?\s*<[?!A-Za-z]", data[:4096]):   # no resolution starts so
        raise AknError("this is already XML (or HTML), not the plain text of a resolution: "
                       "akn parse reads text (akn html, pdf and validate take Akoma Ntoso XML)",
                       name, 1, 1, "not-text")
    doc = read(data, name, lang=lang)
    if not schema.is_valid(doc.tree):   # a bug in the reader: never hand out invalid XML
        problems, _ = schema.diagnose(doc.tree, doc.to_bytes(), limit=3)
        msg = "; ".join(f"line {p.line}: {p.message}" for p in problems)
        raise AknError(f"internal error: the XML built from this text is not schema-valid "
                       f"({msg}); no output written — please report this", name, 1, 1, "invalid")
    return Result(doc, name)


def _xml_of(doc, name: str, parse: bool = True) -> tuple[object, bytes, str]:
    """(a fresh tree, its bytes, its name or "") from what the writers accept: a :class:`Result`,
    XML as bytes or str, a path (``pathlib.Path`` or ``os.PathLike``), or an lxml tree or
    element. The bytes are read safely (no DTD, no entities, no network)."""
    from akn import xmlsafe
    if isinstance(doc, Result):
        data, name = doc.xml, name or doc.name
    elif isinstance(doc, (bytes, bytearray)):
        data = bytes(doc)
    elif isinstance(doc, str):   # without its declaration, whose encoding no longer holds
        data = re.sub(r"^\ufeff?<\?xml[^>]*\?>", "", doc).encode("utf-8")
    elif isinstance(doc, os.PathLike):
        name = name or os.fspath(doc)
        data = xmlsafe.read_file(doc)
    else:
        from lxml import etree
        if not isinstance(doc, (etree._ElementTree, etree._Element)):
            raise TypeError(f"expected a Result, XML bytes or text, a path or an lxml tree, "
                            f"not {type(doc).__name__}")
        data = etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
    return (xmlsafe.parse_bytes(data, name or "<xml>") if parse else None), data, name


def _checked(data: bytes, name: str, strict: bool):
    """The tree the writers render, loaded as the command line loads it (akn.load): a
    schema-invalid document is an AknWarning, or with ``strict`` an AknError."""
    from akn.load import RENDER, STRICT, load_akn
    loaded = load_akn(data=data, name=name or "<xml>", mode=STRICT if strict else RENDER)
    for text in loaded.warnings:
        warnings.warn(AknWarning(text), stacklevel=3)
    return loaded.tree


def validate(xml, *, profile: bool = False, engine: str = "lxml",
             name: str = "", max_errors: int | None = None) -> list[Diagnostic]:
    r"""What is wrong with an Akoma Ntoso document: a list of errors, empty when it is valid
    under the official AKN 3.0 schema (and, with ``profile=True``, our UN-resolution profile).

    ``xml``: a :class:`Result`, bytes or str of XML, a ``pathlib.Path`` or an lxml tree.
    ``engine``: ``"lxml"`` (libxml2: fast, says which elements were expected) or
    ``"xmlschema"``. Each error points at the offending element's own line and column:

    >>> for d in validate(b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
    ...                   b'\n  <bogus/></akomaNtoso>', name="x.xml"):
    ...     print(d)
    x.xml:2:3: error: Element 'bogus': This element is not expected. Expected is one of ( ... ). (at /akomaNtoso/bogus)
    >>> print(validate(b"<html/>", name="page.html")[0])
    page.html:1:1: error: root element is <html> ...
    """
    from akn import schema
    try:
        tree, data, name = _xml_of(xml, name)
    except AknError as e:
        return [e.diagnostic]
    name = name or "<xml>"
    if not schema.valid(tree, engine):
        problems, _ = schema.diagnose(tree, data, engine=engine, limit=max_errors)
        return [Diagnostic(name, p.line, p.col, "error", p.message, "schema") for p in problems]
    if profile:
        return [Diagnostic(name, 1, 1, "error", f"UN-resolution profile: {msg}", "profile")
                for msg in schema.profile_errors(tree)]
    return []


def check_href(href: str | None) -> None:
    """A link the caller names for a page (``xml_href``, ``pdf_href``): a relative URL or an
    http(s) one; ValueError for anything else (``javascript:``, ``file:``, control
    characters)."""
    if href is None:
        return
    from urllib.parse import urlsplit
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        scheme = "?"
    if not href.strip() or any(ord(c) < 0x21 or c in '"<>\\`' or 0x7f <= ord(c) <= 0x9f for c in href) \
            or scheme not in ("", "http", "https"):
        raise ValueError(f"not a link a page may carry: {href!r} (give a relative URL, or an "
                         "http or https one)")


def to_html(doc, *, xml_href: str | None = None, pdf_href: str | None = None,
            name: str = "", strict: bool = False) -> str:
    """An Akoma Ntoso resolution (ours or the UN's) -> one accessible HTML page (str).

    ``doc`` as for :func:`validate`. The page links its XML and PDF only where you say:
    ``xml_href``, ``pdf_href`` (relative or absolute URLs). ``name``: the file the page
    says it was made from. A document that fails the official schema is rendered with an
    :class:`AknWarning`; ``strict=True`` raises :class:`AknError` instead."""
    from akn.render import html
    for href in (xml_href, pdf_href):
        check_href(href)
    _, data, name = _xml_of(doc, name, parse=False)
    tree = _checked(data, name, strict)
    return html.render(tree, source_name=os.path.basename(name),
                       links={"xml": xml_href, "pdf": pdf_href})


def to_pdf(doc, *, name: str = "", strict: bool = False) -> bytes:
    """An Akoma Ntoso resolution -> a tagged PDF/A-3b (PDF/UA-1) that carries the XML's
    bytes as its source (named after ``name``). ``doc`` and ``strict`` as for
    :func:`to_html`; problems met while tagging are :class:`AknWarning` warnings."""
    from akn.render import pdf
    _, data, name = _xml_of(doc, name, parse=False)
    tree = _checked(data, name, strict)
    out = pdf.render_full(tree, xml_bytes=data,
                          source_name=os.path.basename(name) or "document.xml")
    for problem in out.problems:
        warnings.warn(AknWarning(f"{name or '<xml>'}: warning: PDF tagging: {problem}"),
                      stacklevel=2)
    return out.pdf


def export(xml: str | os.PathLike, out_dir: str | os.PathLike, *,
           source: str | os.PathLike | None = None, report: str | os.PathLike | None = None,
           pdf: str | os.PathLike | bytes | None = None) -> Path:
    """Pack one AKN file into an archival BagIt bag, ``out_dir/<symbol>.<lang>/``: the XML,
    the HTML page, the PDF/A, the source text (``source``) and metadata.json; return the
    bag's path. ``pdf``: a PDF already made from this XML, reused when it carries the same
    bytes. What the bag could not hold is an :class:`AknWarning`."""
    from akn import bag
    out = bag.export(xml, out_dir, source=source, report=report, pdf=pdf)
    for w in out.warnings:
        warnings.warn(AknWarning(f"{os.fspath(xml)}: warning: {w}"), stacklevel=2)
    return out.path
