"""The Python API (akn/__init__.py): its doctests run, it gives the command line's bytes,
and it reports problems as the command line does (AknError, AknWarning, Diagnostic)."""
from __future__ import annotations

import doctest
import pydoc
import warnings
from pathlib import Path

import pytest

import akn
from akn import bag, xmlsafe
from akn.render import html
from conftest import CORPUS, SEED_TXT, run_akn


def test_the_docstrings_examples_run():
    result = doctest.testmod(akn, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 12, result


def test_help_shows_the_api():
    text = pydoc.render_doc(akn, renderer=pydoc.plaintext)
    for name in ("parse_text(text", "validate(xml", "to_html(doc", "to_pdf(doc", "export(xml",
                 "class Result", "class AknWarning", ">>> result = akn.parse_text(text"):
        assert name in text, name


def test_parse_text_gives_the_command_lines_xml(seed_xml, seed_doc):
    data = SEED_TXT.read_bytes()
    as_bytes = akn.parse_text(data, name=str(SEED_TXT))
    as_text = akn.parse_text(data.decode("utf-8"), name=str(SEED_TXT), lang="ar")
    assert as_bytes.xml == as_text.xml == seed_xml.read_bytes()
    n = len(seed_doc.diagnostics.warnings)   # the reader's own count (22 on 4 Dec 2026)
    assert n and as_bytes.warnings == seed_doc.diagnostics.warnings
    assert all(isinstance(d, akn.Diagnostic) for d in as_bytes.warnings)
    assert str(as_bytes.warnings[0]).startswith(f"{SEED_TXT}:")
    assert as_bytes.report()["operative_paragraphs"] == 15
    assert as_bytes.tree.getroot().tag == f"{{{akn.AKN_NS}}}akomaNtoso"
    assert repr(as_bytes) == f"<akn.Result {SEED_TXT}: {len(as_bytes.xml)} bytes of XML, {n} warnings>"


def test_parse_text_errors():
    with pytest.raises(akn.AknError) as e:
        akn.parse_text("", name="empty.txt")
    assert str(e.value).startswith("empty.txt:1:1: error: file is empty")
    with pytest.raises(akn.AknError, match="unknown language 'xx'"):
        akn.parse_text(SEED_TXT.read_bytes(), lang="xx")


def test_validate_takes_every_kind_of_input(seed_xml, tmp_path):
    tree = xmlsafe.parse_file(seed_xml)
    text = seed_xml.read_text(encoding="utf-8")
    for doc in (seed_xml, seed_xml.read_bytes(), text, tree, tree.getroot()):
        assert akn.validate(doc) == [], type(doc)
    assert akn.validate(seed_xml, profile=True) == []
    bad = text.replace('<statement name="resolution">', '<statement name="decision">')
    broken = akn.validate(bad, profile=True, name="d.xml")
    assert [d.code for d in broken] == ["profile"] and "statement name" in broken[0].message
    with pytest.raises(TypeError):
        akn.validate(42)
    [page] = akn.validate(b"<!DOCTYPE html><html></html>", name="p.html")
    assert (page.file, page.line, page.col, page.code) == ("p.html", 1, 1, "wrong-kind")


def test_validate_engines_agree_on_where(shared):
    f = CORPUS / "zh" / "A_RES_78_253-2326236C.xml"
    fast = akn.validate(f)
    slow = akn.validate(f, engine="xmlschema", max_errors=1)
    assert [(d.line, d.col) for d in fast] == [(571, 7), (1247, 8)]   # checked by eye
    assert (slow[0].line, slow[0].col) == (571, 7) and len(slow) == 1
    assert all(d.severity == "error" and d.file == str(f) for d in fast + slow)


def test_to_html_links_only_what_it_is_told(seed_xml):
    page = akn.to_html(seed_xml)
    assert "formats-heading" not in page and 'rel="alternate"' not in page
    linked = akn.to_html(seed_xml, xml_href="a.xml", pdf_href="https://example.org/a.pdf")
    assert 'href="a.xml"' in linked and 'href="https://example.org/a.pdf"' in linked
    # with the links the batch build gives, the bytes `akn build` writes
    same = html.render(xmlsafe.parse_file(seed_xml), source_name=seed_xml.name)
    assert akn.to_html(seed_xml, name=seed_xml.name, xml_href=f"{seed_xml.stem}.xml",
                       pdf_href=f"{seed_xml.stem}.pdf") == same
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "a b.pdf", ""):
        with pytest.raises(ValueError):
            akn.to_html(seed_xml, pdf_href=bad)


def test_invalid_documents_warn_or_fail(seed_xml):
    bad = seed_xml.read_text(encoding="utf-8").replace('<statement name="resolution">',
                                                       '<statement name="resolution"><bogus/>')
    with pytest.warns(akn.AknWarning, match=r"^bad\.xml:3:31: warning: not valid under the official"):
        akn.to_html(bad, name="bad.xml")
    with pytest.raises(akn.AknError, match="not valid under the official AKN 3.0 schema"):
        akn.to_html(bad, name="bad.xml", strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", akn.AknWarning)
        with pytest.raises(akn.AknWarning):
            akn.to_html(bad)


def test_to_pdf_carries_the_xml(seed_xml, tmp_path):
    data = seed_xml.read_bytes()
    pdf = akn.to_pdf(data, name="x.xml")
    assert pdf.startswith(b"%PDF-1.7") and bag.embedded_xml(pdf) == [data]
    run_akn("pdf", seed_xml, "-o", tmp_path / "cli.pdf")
    assert akn.to_pdf(seed_xml) == (tmp_path / "cli.pdf").read_bytes()


def test_export_returns_a_checked_bag(seed_xml, tmp_path):
    pdf = akn.to_pdf(seed_xml)
    where = akn.export(seed_xml, tmp_path / "bags", source=SEED_TXT, pdf=pdf)
    assert where == tmp_path / "bags" / "A-RES-67-190.ar" and bag.check(where) == []
    assert isinstance(where, Path)
