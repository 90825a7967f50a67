"""Issue 16's "exit 3 on bad input" and "bounded work" reproductions, and issue 18's one
load for every writer: each case failed (exit 3, minutes, gigabytes or three different
messages) before akn.load and akn.limits.

What must hold: a clear ``FILE:LINE:COL: error:`` and exit 1 (never 3), or the document
rendered with a warning naming what was clamped; the same message from html, pdf, build and
export for the same file.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, run_akn

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


# ------------------------------------------------------------------ hostile documents

def first_p(seed: bytes, inner: bytes) -> bytes:
    """The seed with its first operative paragraph's text replaced by ``inner``."""
    i = seed.index(b"<mainBody")
    j = seed.index(b"<p>", i)
    k = seed.index(b"</p>", j)
    return seed[:j + 3] + inner + seed[k:]


def nested_lists(seed: bytes, n: int) -> bytes:
    s = b"<content><p>x</p></content>"
    for d in range(n, 0, -1):
        s = (b'<list eId="l%d"><intro><p>i</p></intro><point eId="p%d"><num>(a)</num>%s'
             b"</point></list>" % (d, d, s))
    i = seed.index(b'<paragraph eId="para_1">')
    k = seed.index(b"</paragraph>", i)
    return seed[:i] + b'<paragraph eId="para_1"><num>1</num>' + s + seed[k:]


def nested_tables(seed: bytes, n: int) -> bytes:
    s = b"<p>x</p>"
    for d in range(n):
        s = b'<table eId="t%d"><tr><td>%s</td></tr></table>' % (d, s)
    return first_p(seed, b"x</p>" + s + b"<p>y")


def colspan(seed: bytes, n: int) -> bytes:
    return first_p(seed, b'x</p><table eId="t1"><tr><td colspan="%d"><p>a</p></td></tr>'
                         b"<tr><td><p>b</p></td></tr></table><p>y" % n)


def with_xsi_type(seed: bytes) -> bytes:
    return seed.replace(b'<statement name="resolution">',
                        f'<statement name="resolution" xmlns:xsi="{XSI}" xmlns:x="urn:x" '
                        f'xsi:type="x:T">'.encode(), 1)


def collection(seed: bytes, refs: int) -> bytes:
    """A documentCollection whose body includes the seed's statement ``refs`` times."""
    start = seed.index(b"<statement")
    stmt = seed[start:seed.rindex(b"</akomaNtoso>")]
    meta = stmt[stmt.index(b"<meta>"):stmt.index(b"</meta>") + 7]
    body = b"".join(b'<component eId="c%d"><documentRef eId="r%d" href="comp_0" showAs="R"/>'
                    b"</component>" % (i, i) for i in range(refs))
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<akomaNtoso xmlns="' + AKN.encode()
            + b'">\n<documentCollection name="publication">' + meta
            + b"<collectionBody>" + body + b"</collectionBody></documentCollection>\n"
            + b'<components><component eId="comp_0">' + stmt + b"</component></components>"
            + b"</akomaNtoso>\n")


@pytest.fixture(scope="module")
def seed(seed_xml) -> bytes:
    return seed_xml.read_bytes()


def refused(proc, where: str | None = None, what: str = "") -> str:
    """The one error line of a clean refusal: exit 1, FILE:LINE:COL, no traceback."""
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if ": error: " in x]
    assert re.match(r"^.+:\d+:\d+: error: .+", line), line
    if where:
        assert f":{where}: error: " in line, line
    assert what in line, line
    return line


# ------------------------------------------------------------------ exit 3 on bad input

def test_akomantoso_without_a_document_is_refused_by_html_pdf_and_index(tmp_path):
    doc = tmp_path / "empty.xml"
    doc.write_text(f'<akomaNtoso xmlns="{AKN}"/>')
    for args in (("html", doc, "-o", tmp_path / "e.html"), ("pdf", doc, "-o", tmp_path / "e.pdf"),
                 ("index", doc, "-o", tmp_path / "index.html")):
        line = refused(run_akn(*args, check=False), "1:1", "holds no document")
        assert line.startswith(str(doc))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.xml"]


def test_xsi_type_is_an_error_in_validate_and_a_warning_everywhere_else(seed, tmp_path):
    doc = tmp_path / "x.xml"
    doc.write_bytes(with_xsi_type(seed))
    for engine in ("lxml", "xmlschema"):
        proc = run_akn("validate", "--engine", engine, doc, check=False)
        refused(proc, "3:2", "x:T")
    warn = f"{doc}:3:2: warning: not valid under the official AKN 3.0 schema"
    html = run_akn("html", doc, "-o", tmp_path / "x.html")
    assert warn in html.stderr and (tmp_path / "x.html").exists()
    build = run_akn("build", doc, "-o", tmp_path / "b", "-j", "1", "--no-index")
    assert (tmp_path / "b" / "x.html").exists()
    assert warn in (tmp_path / "b" / "build-warnings.txt").read_text()


@pytest.mark.parametrize("shape", ["lists", "italics"])
def test_deep_nesting_is_refused_before_pdf_recurses(shape, seed, tmp_path):
    doc = tmp_path / f"{shape}.xml"
    doc.write_bytes(nested_lists(seed, 65) if shape == "lists" else
                    first_p(seed, b"<i>" * 240 + b"x" + b"</i>" * 240))
    run_akn("validate", doc)   # valid under the schema: libxml2's 256 levels allow it
    line = refused(run_akn("pdf", doc, "-o", tmp_path / "o.pdf", check=False),
                   what="nested 65 elements deep, more than the 64")
    assert not (tmp_path / "o.pdf").exists()
    # the column is the offending start tag's own
    text = doc.read_text()
    l, c = map(int, re.search(r":(\d+):(\d+): error", line).groups())
    assert text.splitlines()[l - 1][c - 1] == "<"


def test_depth_at_the_limit_still_renders(seed, tmp_path):
    doc = tmp_path / "deep.xml"
    doc.write_bytes(first_p(seed, b"<i>" * 58 + b"x" + b"</i>" * 58))   # 64 elements deep
    run_akn("html", doc, "-o", tmp_path / "deep.html")


@pytest.mark.parametrize("command", ["html", "pdf", "index", "export"])
def test_a_file_name_that_is_not_utf8_is_refused(command, seed_xml, tmp_path):
    raw = os.fsencode(tmp_path) + b"/r\xe9s\xff.xml"
    with open(raw, "wb") as f:
        f.write(seed_xml.read_bytes())
    out = {"html": [b"-o", os.fsencode(tmp_path / "o.html")],
           "pdf": [b"-o", os.fsencode(tmp_path / "o.pdf")],
           "index": [b"-o", os.fsencode(tmp_path / "index.html")],
           "export": [b"-o", os.fsencode(tmp_path / "bags")]}[command]
    proc = subprocess.run([os.fsencode(sys.executable), b"-m", b"akn", command.encode(), raw, *out],
                          capture_output=True, cwd=ROOT)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1 and "internal error" not in err, err
    assert "r\\xe9s\\xff.xml" in err and "not valid UTF-8" in err, err
    assert sorted(os.listdir(tmp_path)) == [b"r\xe9s\xff.xml".decode("utf-8", "surrogateescape")]


# ------------------------------------------------------------------ one message, every writer

def test_one_message_for_an_invalid_file_in_html_pdf_build_and_export(seed, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(seed.replace(b"<meta>", b"<bogus/><meta>", 1))
    html = run_akn("html", bad, "-o", tmp_path / "bad.html").stderr.strip()
    pdf = run_akn("pdf", bad, "-o", tmp_path / "bad.pdf").stderr.strip()
    run_akn("build", bad, "-o", tmp_path / "b", "-j", "1", "--no-index")
    build = (tmp_path / "b" / "build-warnings.txt").read_text().strip()
    assert html == pdf == build, (html, pdf, build)
    assert re.match(rf"^{re.escape(str(bad))}:4:3: warning: not valid under the official AKN "
                    r"3\.0 schema \(Element 'bogus': .+\); rendering it anyway$", html), html
    export = refused(run_akn("export", bad, "-o", tmp_path / "bags", check=False))
    assert export == html.replace(": warning: ", ": error: ").replace(
        "rendering it anyway", "only schema-valid XML is archived")
    strict = refused(run_akn("html", bad, "-o", tmp_path / "s.html", "--strict", check=False))
    assert strict == html.replace(": warning: ", ": error: ").replace(
        "rendering it anyway", "not rendered (--strict)")


# ------------------------------------------------------------------ bounded work

def test_a_huge_colspan_is_clamped_with_a_warning(seed, tmp_path):
    doc = tmp_path / "span.xml"
    doc.write_bytes(colspan(seed, 1000000))
    run_akn("validate", doc)
    proc = run_akn("html", doc, "-o", tmp_path / "span.html")
    assert 'colspan="1000000" is more than the 1000 a cell may span; rendered as 1000' \
        in proc.stderr
    page = (tmp_path / "span.html").read_text()
    assert 'colspan="1000"' in page and "1000000" not in page
    # it kept `akn pdf` busy past 120 s; now a few seconds (the limit only catches a hang)
    pdf = run_akn("pdf", doc, "-o", tmp_path / "span.pdf", timeout=100)
    assert (tmp_path / "span.pdf").read_bytes().startswith(b"%PDF-") and "colspan" in pdf.stderr


def test_nested_tables_render_each_row_once(seed):
    """A table took its nested tables' rows as its own: 2^n rows for n nested tables (19
    levels: > 120 s and 4.9 GB in `akn pdf`)."""
    from akn.load import load_akn
    from akn.render import html
    page = html.render(load_akn(data=nested_tables(seed, 12), name="t.xml").tree)
    assert page.count("<tr>") == 12 and page.count("<table>") == 12


def test_a_mountain_of_combining_marks_is_refused_at_its_position(seed, tmp_path):
    doc = tmp_path / "marks.xml"
    doc.write_bytes(first_p(seed, b"x" + "\u0301".encode() * 200000))
    text = doc.read_text()
    at = text.index("\u0301")
    where = f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"
    for command in ("html", "pdf"):
        refused(run_akn(command, doc, "-o", tmp_path / f"m.{command}", check=False, timeout=100),
                where, "more than 30 combining marks in a row")
    # 30 marks (Unicode's stream-safe limit) are fine
    doc.write_bytes(first_p(seed, b"x" + "\u0301".encode() * 30))
    run_akn("html", doc, "-o", tmp_path / "m.html")


def test_a_component_is_included_once(seed, tmp_path):
    doc = tmp_path / "refs.xml"
    doc.write_bytes(collection(seed, 2000))
    run_akn("validate", doc)
    refused(run_akn("html", doc, "-o", tmp_path / "r.html", check=False),
            what="component 'comp_0' is included again")
    doc.write_bytes(collection(seed, 1))
    run_akn("html", doc, "-o", tmp_path / "r.html")


def test_xmlschema_explains_only_around_the_first_errors(seed, monkeypatch):
    """`validate --engine xmlschema` on a large invalid file: xmlschema is asked about the
    subtrees around the errors libxml2 found, never the whole document (a 6 MB file took
    102 s and 850 MB), and libxml2 counts them all."""
    from lxml import etree
    from akn import schema, xmlsafe
    data = seed.replace(b"</p>", b"<bogus/></p>")
    tree = xmlsafe.parse_bytes(data, "big.xml")
    model = schema.xmlschema_schema()
    asked = []
    real = type(model).iter_errors

    def spy(self, source, *a, **kw):
        asked.append(source)
        return real(self, source, *a, **kw)
    monkeypatch.setattr(type(model), "iter_errors", spy)
    problems, total = schema.diagnose(tree, data, engine="xmlschema", limit=3)
    assert total == data.count(b"<bogus/>") and len(problems) == 3
    assert all(etree.QName(s).localname == "p" for s in asked), [s.tag for s in asked]
    assert all("bogus" in p.message for p in problems)
