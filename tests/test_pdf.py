"""The PDF writer: PDF/A-3b with its AKN inside, PDF/UA-1 tags, UN layout, text layer.

Every rendered PDF goes through the same checks (``check_pdf``): a pikepdf inspection of
the archive and accessibility properties, ``qpdf --check``, the text layer read by
``pdftotext`` against the XML's own text, and every page rendered to PNG with ``pdftoppm``
(kept in build/pdf-pages/ for a person to look at).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from html import unescape as html_unescape
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

import pdfwords
from conftest import CORPUS, LANGS, ROOT, corpus_files

from akn import AKN_NS, xmlsafe
from akn.render import pdf as pdfw
from akn.render import pdfua

PAGES_DIR = ROOT / "build" / "pdf-pages"
A4 = (595.28, 841.89)
NS = {"a": AKN_NS}
XMP = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
       "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/",
       "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
       "pdfuaid": "http://www.aiim.org/pdfua/ns/id/"}

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("qpdf")),
    reason="poppler-utils and qpdf are not installed: run 'bash scripts/setup-system.sh'")


# ---------------------------------------------------------------- the XML's own text

NSX = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}


def xml_text(tree) -> tuple[str, str, list[str], list[str]]:
    """(cover page text, text of the rest without notes, [text of each note], [marker of
    each call]) in document order."""
    root = tree.getroot()
    notes: list[str] = []
    calls: list[str] = []
    out: list[str] = []

    def walk(el):
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "meta":
            return
        if tag == "authorialNote":
            notes.append(" ".join(el.itertext()))
            calls.append(el.get("marker", ""))
            out.append(" ")
        elif tag == "noteRef":
            calls.append(el.get("marker", ""))
            out.append(" ")
        elif tag in ("img", "eol", "eop"):
            out.append(" ")
        elif tag:
            out.append(el.text or "")
            for child in el:
                walk(child)
                out.append(child.tail or "")
            if tag in ("p", "num", "heading", "docTitle", "docNumber", "listIntroduction"):
                out.append(" ")

    cover = ""
    # the document, then (a collection's) components, which sit beside it
    for top in (el for el in root if isinstance(el.tag, str)):
        for part in top:
            if isinstance(part.tag, str):
                walk(part)
                if etree.QName(part).localname == "coverPage" and not cover:
                    cover, out = "".join(out), []
    return cover, "".join(out), notes, calls


BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u2060\u200d\u00ad\ufeff]")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
OTHER = re.compile(r"\d+|[A-Za-z\u00c0-\u024f]+")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", BIDI.sub("", text)).translate(DIGITS)


def letters(text: str, rtl: bool) -> str:
    """The letters a reader reads in order: all of them in a left-to-right document; in a
    right-to-left one, those of its own script (pdftotext keeps their order; it does not
    always keep the order of embedded numbers and Latin runs, checked apart). The tatweel
    (kashida, U+0640) is elongation, not a letter: Amiri draws one glyph for it and for
    the joins it adds itself, so the text layer may hold one more or one less."""
    return "".join(ch for ch in _clean(text) if ch.isalpha() and ch != "\u0640"
                   and (not rtl or pdfua.script_of(ch) == "Arab"))


def others(text: str, rtl: bool) -> Counter:
    """Numbers (and, in a right-to-left document, Latin words) as a multiset."""
    return Counter(t for t in OTHER.findall(_clean(text)) if rtl or t.isdigit())


BAND = 51  # pt: the running header and the page number live within 18 mm of the edge
BBOX_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">([^<]*)</word>')
ARABIC_RUN = re.compile(  # Arabic letters and marks, not its digits (they run left to right)
    "([\u0600-\u065f\u066a-\u06ef\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+)")


def _lines(bbox_page: str, band: float, rtl: bool) -> str:
    """A page rebuilt from pdftotext's words (-bbox): words grouped into lines by height,
    each line read in the document's direction, each word's Arabic runs turned from
    drawing order into reading order. pdftotext's own assembly cuts a line in two around
    a raised glyph (an Arabic vowel mark, a footnote call) and can give the halves in the
    wrong order."""
    words = []
    for x0, y0, x1, y1, text in BBOX_WORD.findall(bbox_page):
        text = html_unescape(text)
        if any(ch.isalnum() for ch in text) and float(y0) >= band and float(y1) <= 842 - band:
            words.append((float(x0), float(y0), float(x1), float(y1), text))
    words.sort(key=lambda w: (w[1] + w[3]) / 2)
    lines: list[list] = []
    for w in words:
        mid, height = (w[1] + w[3]) / 2, w[3] - w[1]
        if lines:
            last = lines[-1]
            centre = sorted((v[1] + v[3]) / 2 for v in last)[len(last) // 2]
            if abs(mid - centre) < 0.45 * max(height, min(v[3] - v[1] for v in last)):
                last.append(w)
                continue
        lines.append([w])
    out = []
    for line in lines:
        line.sort(key=lambda w: -w[2] if rtl else w[0])
        parts = []
        for *_, text in line:
            runs = [r for r in ARABIC_RUN.split(text) if r]
            parts.append("".join(r[::-1] if ARABIC_RUN.fullmatch(r) else r
                                 for r in (reversed(runs) if rtl else runs)))
        out.append(" ".join(parts))
    return "\n".join(out)


def pdftotext_pages(path: Path, rtl: bool = False) -> list[str]:
    """Each page's text from pdftotext's words and their boxes (see _lines), without the
    running header and footer bands (page artifacts) from page 2 on."""
    out = []
    pages = len(pikepdf.open(path).pages)
    for n in range(1, pages + 1):
        band = BAND if n > 1 else 0   # page 1 has no running header or page number
        proc = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-bbox", str(path), "-"],
                              capture_output=True, text=True, check=True)
        out.append(_lines(proc.stdout, band, rtl))
    return out


def _diff(a: str, b: str) -> str:
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"differ at {k}: PDF {a[max(0, k - 30):k + 40]!r} / XML {b[max(0, k - 30):k + 40]!r}"


def compare_text(pages: list[str], cover: str, body: str, notes: list[str],
                 calls: list[str], rtl: bool, shown: str = "") -> None:
    """The text layer against the XML.

    In order: page 1 starts with the masthead (laid out in two columns, so compared as
    the same letters in any order); then each page holds the next stretch of the body
    followed by the next few notes, whole and in order. Footnote calls and markers are
    numbers, so they are outside this comparison. Apart: the numbers (and Latin runs of a
    right-to-left document) of all pages are those of the XML, plus footnote markers and
    the symbol the masthead shows (from the FRBR identity when the cover has none)."""
    cov = letters(cover, rtl)
    body_s = letters(body, rtl)
    notes_s = [letters(n, rtl) for n in notes]
    texts = [letters(t, rtl) for t in pages]
    head = texts[0][:len(cov)]
    assert Counter(head) == Counter(cov), f"masthead: PDF {head!r} / XML {cov!r}"
    texts[0] = texts[0][len(cov):]
    j = n = 0
    for p, page in enumerate(texts, 1):
        for m in range(len(notes_s), n - 1, -1):
            tail = "".join(notes_s[n:m])
            if page.endswith(tail) and body_s.startswith(page[:len(page) - len(tail)], j):
                j += len(page) - len(tail)
                n = m
                break
        else:
            at = next((k for k, (a, b) in enumerate(zip(page, body_s[j:])) if a != b),
                      min(len(page), len(body_s) - j))
            raise AssertionError(
                f"page {p}: the PDF's text leaves the XML's at letter {at}:\n"
                f"  PDF: ...{page[max(0, at - 40):at + 60]!r}\n"
                f"  XML: ...{body_s[j + max(0, at - 40):j + at + 60]!r}\n"
                f"  notes from there: {_diff(page[at:], ''.join(notes_s[n:]))}")
    assert j == len(body_s), f"body text missing from the PDF: {body_s[j:j + 80]!r}"
    assert n == len(notes_s), f"notes {n + 1}..{len(notes_s)} missing from the PDF"
    want = others(cover + " " + body + " " + " ".join(notes), rtl)
    got = sum((others(t, rtl) for t in pages), Counter())
    missing = want - got
    assert not missing, f"numbers or Latin words missing from the PDF: {dict(missing)}"
    markers = {m.translate(DIGITS).strip("()[] ") for m in calls}
    extra = {k for k in got - want if k not in markers and k not in others(shown, rtl)}
    assert not extra, f"the PDF has numbers or words the XML does not: {sorted(extra)[:20]}"


# ---------------------------------------------------------------- the checks

def struct_elems(root):
    stack = [root]
    while stack:
        el = stack.pop()
        yield el
        k = el.get("/K")
        kids = list(k) if isinstance(k, pikepdf.Array) else [k] if k is not None else []
        stack.extend(reversed([c for c in kids if isinstance(c, pikepdf.Dictionary)
                               and c.get("/Type") == "/StructElem"]))


def check_pdf(data: bytes, xml_bytes: bytes, tree, name: str, tmp: Path,
              f: pdfw.Facts) -> dict:
    """All checks on one PDF (f: what the writer read from the document and its HTML);
    returns a few facts for test-specific assertions."""
    cover_text, body_text, note_texts, call_markers = xml_text(tree)
    if not tree.xpath("//a:coverPage//a:docAuthority[@refersTo='#publisher']", namespaces=NSX):
        # the page names the publisher ("United Nations") when the cover page does not
        from akn.render.html import labels
        cover_text = labels(f.lang)["publisher"] + " " + cover_text
    path = tmp / f"{name}.pdf"
    path.write_bytes(data)
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    found: dict = {"pages": len(pdf.pages)}

    # -- page size A4
    for page in pdf.pages:
        box = [float(v) for v in page.MediaBox]
        assert abs(box[2] - box[0] - A4[0]) < 1 and abs(box[3] - box[1] - A4[1]) < 1, box

    # -- catalog: language, marked, display title, direction
    assert str(root.Lang) == f.lang
    assert root.MarkInfo.Marked is True
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert (root.ViewerPreferences.get("/Direction") == "/R2L") == f.rtl
    assert str(pdf.docinfo.Title) == f.title

    # -- one XMP packet, one rdf:RDF, with PDF/A-3b and PDF/UA-1 and our metadata
    md = root.Metadata
    assert "/Filter" not in md, "PDF/A: the metadata stream must not be compressed"
    xmp = etree.fromstring(md.read_bytes())
    assert len(xmp.findall("rdf:RDF", XMP)) == 1
    assert len(xmp.findall(".//rdf:RDF", XMP)) == 1

    def one(path_):
        got = xmp.xpath(f"string(//{path_})", namespaces=XMP).strip()
        assert got, f"XMP has no {path_}"
        return got
    assert one("pdfaid:part") == "3" and one("pdfaid:conformance") == "B"
    assert one("pdfuaid:part") == "1"
    assert one("dc:title//rdf:li") == f.title
    assert one("dc:language//rdf:li") == f.lang
    assert one("dc:identifier") == f.expression and f.expression.startswith("/akn/")
    if f.adopted:
        assert one("dc:date//rdf:li") == f.adopted
    created = one("xmp:CreateDate")
    assert str(pdf.docinfo.CreationDate).startswith("D:" + re.sub(r"\D", "", created)[:14])
    assert b"pdfaExtension" in md.read_bytes()  # pdfuaid declared for PDF/A

    # -- output intent, /ID from the input bytes
    intents = root.OutputIntents
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
    salt = f"{pdfw.__version__}/{pdfw._weasy()[0].__version__}".encode()
    assert bytes(pdf.trailer.ID[0]) == pdfua.file_id(xml_bytes, salt)

    # -- the AKN travels inside, once
    af = list(root.AF)
    assert len(af) == 1, f"/AF lists {len(af)} entries"
    spec = af[0]
    assert spec.AFRelationship == "/Source"
    assert spec.EF.F.Subtype == "/text/xml"
    assert spec.EF.F.read_bytes() == xml_bytes
    assert str(spec.UF).endswith(".xml")
    names = root.Names.EmbeddedFiles.Names
    assert len(names) == 2 and names[1].objgen == spec.objgen

    # -- real faces only: no slanted or emboldened stand-in for a face the system lacks
    fake = synthetic_fonts(pdf)
    assert not fake, f"synthetic fonts: {fake}"

    # -- fonts embedded, every glyph drawn has a Unicode mapping
    unmapped: set = set()
    cmaps: dict = {}
    texts = [pdfua.page_marked_text(p, cmaps, unmapped) for p in pdf.pages]
    assert not unmapped, f"glyphs without ToUnicode: {sorted(unmapped)[:10]}"
    # the repair's quick reading of the content (one regular expression) took every page
    # and read what pikepdf's parser reads
    for page in pdf.pages:
        scanned = pdfua.scan_content(page)
        assert scanned is not None, f"{name}: a page the quick reading could not vouch for"
        assert _events(scanned[1]) == _events(pdfua._parsed_events(
            pikepdf.parse_content_stream(page))), name
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            desc = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font \
                else font.FontDescriptor
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            if f.lang == "ar":
                assert "Amiri" in str(font.BaseFont) or "Noto" in str(font.BaseFont)

    # -- structure: everything marked is reachable or an artifact; notes; references
    doc = root.StructTreeRoot.K
    doc = doc[0] if isinstance(doc, pikepdf.Array) else doc
    assert doc.S == "/Document"
    page_of = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    reached = {}
    for el in struct_elems(doc):
        pg = el.get("/Pg")
        k = el.get("/K")
        for kid in (list(k) if isinstance(k, pikepdf.Array) else [k]):
            if isinstance(kid, int):
                reached.setdefault(page_of[pg.objgen], set()).add(int(kid))
    artifact_text: dict[int, str] = {}
    for i, page in enumerate(pdf.pages):
        mcids = set()
        stack = []
        table: dict = {}
        art = []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op in ("BDC", "BMC"):
                tag = str(operands[0])
                props = operands[1] if op == "BDC" else None
                stack.append(tag)
                if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                    assert tag != "/Artifact"
                    mcids.add(int(props.MCID))
            elif op == "EMC":
                stack.pop()
            elif op == "Tf":
                table = pdfua._tounicode(page.Resources.Font[str(operands[0])])
            elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*"):
                # rules and borders are painted, and must be artifacts
                assert "/Artifact" in stack, f"page {i + 1}: a path painted outside an artifact"
            elif op in ("TJ", "Tj"):
                assert stack, f"page {i + 1}: text outside any marked content"
                if "/Artifact" in stack:
                    for item in (operands[0] if op == "TJ" else [operands[0]]):
                        if isinstance(item, pikepdf.String):
                            raw = bytes(item)
                            art += [table.get(int.from_bytes(raw[k:k + 2], "big"), "")
                                    for k in range(0, len(raw), 2)]
        assert mcids <= reached.get(i, set()), \
            f"page {i + 1}: MCIDs {sorted(mcids - reached.get(i, set()))} are not in the tree"
        artifact_text[i] = "".join(art)
    digit = "[٠-٩]" if f.eastern_digits else "[0-9]"
    for i in range(1, found["pages"]):  # header (symbol) and page number n/N: artifacts
        assert f.symbol.replace(" ", "") in artifact_text[i].replace(" ", ""), artifact_text[i]
        assert re.search(f"{digit}+/{digit}+", artifact_text[i]), artifact_text[i]
    # page 1 has no running header or page number (its artifacts are only the glyphs the
    # repair draws apart from the line, whose text is a joiner: pdfua._WordLifter)
    assert not artifact_text[0].replace(pdfua.ZWJ, "").strip(), "page 1 has no header"
    found["artifacts"] = artifact_text
    types = [str(el.S) for el in struct_elems(doc)]
    found["types"] = types
    # one tree, not one per page: the page's one <main> is one Part, whatever it spans
    # (WeasyPrint 70 made a Part, and a P for each part of a cut paragraph, per page), and
    # every element's /P is the element that lists it
    assert types.count("/Part") == 1, f"{types.count('/Part')} Part elements"
    for el in struct_elems(doc):
        for kid in (list(el.K) if isinstance(el.get("/K"), pikepdf.Array) else []):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                assert kid.P.objgen == el.objgen, f"{kid.S} under {el.S} names another parent"
    notes = [el for el in struct_elems(doc) if el.S == "/Note"]
    refs = [el for el in struct_elems(doc) if el.S == "/Reference"]
    assert len(notes) == len(f.note_ids), f"{len(notes)} Note elements for {len(f.note_ids)} notes"
    assert len(refs) >= len(f.note_ids)
    ids = [str(n.ID) for n in notes]
    assert len(set(ids)) == len(ids) == len(f.note_ids)
    for note in notes:  # each Note sits right after its Reference
        kids = list(note.P.K)
        at = next(i for i, k in enumerate(kids) if isinstance(k, pikepdf.Dictionary)
                  and k.objgen == note.objgen)
        assert at > 0 and kids[at - 1].S == "/Reference"
    found["langs"] = [str(el.Lang) for el in struct_elems(doc) if "/Lang" in el]
    # the parent tree maps every MCID of the content to an element of the tree
    nums = root.StructTreeRoot.ParentTree.Nums
    for i in range(0, len(nums), 2):
        if int(nums[i]) < len(pdf.pages):
            for m, el in enumerate(nums[i + 1]):
                if el is not None and m in reached.get(int(nums[i]), set()):
                    assert el.get("/Type") == "/StructElem"

    # -- qpdf
    proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # -- text layer = the XML's text, footnote calls and page artifacts aside
    compare_text(pdftotext_pages(path, f.rtl), cover_text, body_text, note_texts, call_markers,
                 f.rtl, shown=f.symbol)

    # -- every word whole, by two extractors (calls and page furniture aside)
    page, _, _ = pdfw._footnoted(pdfw.html_for(tree, "x.xml"), f.eastern_digits)
    want = pdfwords.xml_words(tree, print_page=page, symbol=f.symbol, lang=f.lang)
    for tool, got in (("pdftotext", pdfwords.pdftotext_words(path, f.rtl)),
                      ("pdfminer", pdfwords.pdfminer_words(path, f.rtl))):
        tally = pdfwords.compare(want, got)
        assert tally.clean(), f"{name}: {tool}: {tally}: {tally.examples}"
        found[tool] = tally

    # -- every page renders; the PNGs are kept for a person to look at
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(PAGES_DIR / name)],
                   check=True, capture_output=True)
    pngs = sorted(PAGES_DIR.glob(f"{name}-*.png"))
    assert len(pngs) == found["pages"]
    assert all(p.stat().st_size > 2000 for p in pngs)
    found["texts"] = texts
    return found


def synthetic_fonts(pdf: pikepdf.Pdf) -> list[str]:
    """Embedded fonts that claim a style their program does not have: a name or the
    descriptor's italic flag saying Italic or Oblique over a program that is upright
    (fsSelection, italicAngle), or Bold over a regular weight. WeasyPrint names a font
    after what it asked for, so a slant or a weight drawn by Pango shows this way
    ("Noto-Serif-CJK-SC-Oblique" was Noto Serif CJK SC Regular, slanted)."""
    from fontTools.ttLib import TTFont
    fake, seen = [], set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", pikepdf.Dictionary()).values():
            desc = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font \
                else font.get("/FontDescriptor")
            if desc is None or desc.objgen in seen:
                continue
            seen.add(desc.objgen)
            name = str(font.BaseFont).split("+")[-1]
            data = next((desc[k] for k in ("/FontFile2", "/FontFile3") if k in desc), None)
            if data is None:
                fake.append(f"{name}: not embedded")
                continue
            program = TTFont(io.BytesIO(data.read_bytes()), lazy=True)
            os2 = program["OS/2"]
            slanted = bool(os2.fsSelection & 0x201) or program["post"].italicAngle != 0
            heavy = os2.usWeightClass >= 600 or bool(os2.fsSelection & 0x20)
            if (re.search("Italic|Oblique", name) or int(desc.get("/Flags", 0)) & 64) \
                    and not slanted:
                fake.append(f"{name}: slanted by the renderer")
            if re.search("Bold|Black|Heavy", name) and not heavy:
                fake.append(f"{name}: emboldened by the renderer")
    return fake


def render_file(path: Path):
    data = path.read_bytes()
    tree = xmlsafe.parse_bytes(data, str(path))
    return data, tree, pdfw.render_full(tree, xml_bytes=data, source_name=path.name)


# ---------------------------------------------------------------- tests

def test_facts_of_un_file_and_digits():
    tree = etree.ElementTree(etree.fromstring(MINI_AKN.encode()))
    f = pdfw.facts(tree)
    assert f.lang == "ar" and f.rtl and f.symbol == "A/RES/67/190"
    assert f.expression == "/akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@/"
    assert f.adopted == "2012-12-20" and f.eastern_digits
    assert f.note_ids == ["note_1", "note_2"]
    assert pdfw.short("كلمة " * 40).endswith("…") and len(pdfw.short("كلمة " * 40)) <= 91


def test_dates_from_document_or_source_date_epoch(monkeypatch):
    f = pdfw.Facts(dates=["2012-12-20", "2013-02-14"], adopted="2012-12-20")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert pdfw.build_date(f).isoformat() == "2013-02-14T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert pdfw.build_date(f).isoformat() == "2023-11-14T22:13:20+00:00"


MINI_AKN = """<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
<statement name="resolution"><meta><identification source="#x">
<FRBRWork><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/!main"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/"/>
<FRBRdate date="2012-12-20" name="adoption"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork>
<FRBRExpression><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@/"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@/"/>
<FRBRdate date="2013-02-14" name="publication"/><FRBRauthor href="#ga"/><FRBRlanguage language="ara"/></FRBRExpression>
<FRBRManifestation><FRBRthis value="/akn/x.xml"/><FRBRuri value="/akn/x.xml"/>
<FRBRdate date="2013-02-14" name="markup"/><FRBRauthor href="#x"/></FRBRManifestation>
</identification></meta>
<coverPage><p><docNumber>A/RES/67/190</docNumber></p></coverPage>
<preface><p><docNumber>١٩٠/٦٧</docNumber> - <docTitle>تحسين تنسيق الجهود المبذولة لمكافحة الاتجار بالأشخاص</docTitle></p></preface>
<preamble><formula name="enactingFormula"><p>إن الجمعية العامة،</p></formula>
<container name="x"><p>وإذ تشير إلى القرار <ref href="/x">A/RES/64/293</ref> المؤرخ ٣٠ تموز/يوليه ٢٠١٠<authorialNote eId="note_1" marker="١"><p>الأمم المتحدة، مجموعة المعاهدات، المجلد ٢٢٢٥.</p></authorialNote>،</p></container>
</preamble>
<mainBody><paragraph eId="para_1"><num>١ -</num><content><p>تطلب إلى الأمين العام تقديم تقرير<authorialNote eId="note_2" marker="٢"><p>المرجع نفسه، المجلد ٢٢٣٧.</p></authorialNote> وتقرر.</p></content></paragraph></mainBody>
</statement></akomaNtoso>"""


def mini_html(paragraphs: int) -> str:
    """A stand-in for the HTML writer's print output (same classes: calls are
    ``sup.fn > a.fn-call``, notes an ``ol.notes-list``), with print.css inlined."""
    call = '<sup class="fn"><a href="#{id}" class="fn-call">{m}</a></sup>'
    body = []
    for i in range(paragraphs):
        c1 = call.format(id="note_1", m="١") if i in (0, 2) else ""
        c2 = call.format(id="note_2", m="٢") if i == paragraphs - 1 else ""
        body.append(f'<div class="unit para"><p>وإذ تشير إلى القرار <bdi dir="ltr">A/RES/64/293'
                    f'</bdi> المؤرخ ٣٠ تموز/يوليه ٢٠١٠{c1}، {c2} وتقرر.</p></div>')
    notes = ('<section class="notes" id="notes"><h2>الحواشي</h2><ol class="notes-list">'
             '<li id="note_1"><span class="marker">١</span><div class="note-body"><p>'
             'الأمم المتحدة، مجموعة المعاهدات، المجلد ٢٢٢٥.</p></div></li>'
             '<li id="note_2"><span class="marker">٢</span><div class="note-body"><p>'
             'المرجع نفسه، المجلد ٢٢٣٧.</p></div></li></ol></section>')
    css = (ROOT / "templates" / "print.css").read_text(encoding="utf-8")
    return (f"<!DOCTYPE html><html lang=ar dir=rtl><head><meta charset=utf-8><title>t</title>"
            f"<style>{css}</style></head><body><main>{''.join(body)}{notes}</main></body></html>")


def as_page(page: str, notes=()):
    """A hand-written page as the HTML writer hands its pages over (facts of MINI_AKN)."""
    from akn.facts import Facts
    from akn.render.html import Page
    return Page(page, Facts(etree.fromstring(MINI_AKN.encode())), "", tuple(notes))


def mini_page(paragraphs: int):
    """mini_html as the HTML writer hands it to the PDF writer: the page with its facts,
    symbol and notes as data."""
    from markupsafe import Markup
    from akn.facts import Facts
    from akn.render.html import Page, PageNote
    notes = (PageNote("note_1", "١", Markup("<p>الأمم المتحدة، مجموعة المعاهدات، المجلد ٢٢٢٥.</p>"), ()),
             PageNote("note_2", "٢", Markup("<p>المرجع نفسه، المجلد ٢٢٣٧.</p>"), ()))
    return Page(mini_html(paragraphs), Facts(etree.fromstring(MINI_AKN.encode())), "", notes)


def test_the_pdf_writer_takes_the_notes_from_the_hand_off_not_the_page_classes():
    """The page's classes may change: the notes are found by the ids the HTML writer hands
    over, and their bodies come from it."""
    page = mini_page(3)
    bare = page.html.replace('class="fn-call"', "").replace('class="notes-list"', "") \
        .replace('class="note-body"', "")
    out, notes, symbol = pdfw.place_footnotes(replace(page, html=bare, symbol="A/RES/67/190"))
    assert notes == [("note_1", "١"), ("note_2", "٢")] and symbol == "A/RES/67/190"
    assert out.count('class="fn-note"') == 2 and 'id="notes"' not in out
    assert 'data-marker="١"><span class="fn-block">الأمم المتحدة' in out


def test_repair_on_a_minimal_page():
    """pdfua.repair on WeasyPrint's own output: artifacts, Note/Reference, Lang, XMP, AF."""
    tree = etree.ElementTree(etree.fromstring(MINI_AKN.encode()))
    xml = MINI_AKN.encode()
    out = pdfw.render_full(tree, xml_bytes=xml, source_name="mini.xml", html=mini_page(40))
    assert out.problems == []
    assert out.pages >= 2
    pdf = pikepdf.open(io.BytesIO(out.pdf))
    doc = pdf.Root.StructTreeRoot.K[0]
    els = list(struct_elems(doc))
    notes = [e for e in els if e.S == "/Note"]
    assert [str(n.ID) for n in notes] == ["note_1", "note_2"]
    assert all(n.P.S == "/P" for n in notes)
    refs = [e for e in els if e.S == "/Reference"]
    assert len(refs) == 3  # two first calls and the repeated call of note 1
    assert sum(any(k.S == "/Link" for k in struct_elems(r)) for r in refs) == 1
    assert not any(e.S == "/NonStruct" and e.P.objgen == doc.objgen for e in els), \
        "the footnote areas must be gone from the document level"
    langs = [e for e in els if "/Lang" in e]
    assert len(langs) == 40 and all(str(e.Lang) == "en" for e in langs)
    # page 2's header (the symbol) and page number are artifacts, not tagged content
    arts = []
    for operands, op in pikepdf.parse_content_stream(pdf.pages[1]):
        if str(op) == "BDC" and str(operands[0]) == "/Artifact":
            arts.append(operands[1].get("/Type"))
    assert arts.count("/Pagination") >= 2
    assert list(pdf.Root.AF)[0].EF.F.read_bytes() == xml
    assert len(pdf.Root.AF) == 1
    xmp = pdf.Root.Metadata.read_bytes()
    assert xmp.count(b"<rdf:RDF") == 1 and b"<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_repair_reports_what_it_cannot_place_instead_of_mistagging():
    weasyprint, config = pdfw._weasy()
    page, notes, _ = pdfw.place_footnotes(mini_page(3))
    raw = weasyprint.HTML(string=page).write_pdf(
        stylesheets=[pdfw.font_css()], font_config=config, pdf_variant="pdf/a-3b", pdf_tags=True)
    meta = pdfua.Meta(title="t", lang="ar", identifier="/akn/x", date=pdfw.build_date(
        pdfw.Facts()), notes=notes + [("note_3", "٣")])
    out = pdfua.repair(raw, meta)
    assert out.problems == ["2 footnotes laid out, 3 notes in the document: footnotes left "
                            "untagged as Note"]
    assert out.notes == 0
    meta.notes = [notes[0], ("note_9", "٩")]
    out = pdfua.repair(raw, meta)
    assert out.problems == ["footnote '2' laid out but not in the document"]
    meta.notes = notes
    assert pdfua.repair(raw, meta).problems == []


def _without_speed_patches(monkeypatch):
    """WeasyPrint's own layout functions back in place of the speed patches, and the page
    parsed by WeasyPrint instead of handed over as a tree."""
    from weasyprint.layout import LayoutContext, inline
    pdfw._weasy()
    update = LayoutContext._update_footnote_area
    assert update._akn_original and inline.get_next_linebox._akn_original
    monkeypatch.setattr(LayoutContext, "_update_footnote_area", update._akn_original)
    monkeypatch.setattr(inline, "get_next_linebox", inline.get_next_linebox._akn_original)
    monkeypatch.setattr(inline, "avoid_collisions", inline.avoid_collisions._akn_original)
    monkeypatch.setattr(pdfw, "_weasy_html", pdfw._parsed_html)


def _tree_dump(el, out: list) -> list:
    out.append((el.tag if isinstance(el.tag, str) else "comment", dict(el.attrib), el.text, el.tail))
    for child in el:
        _tree_dump(child, out)
    return out


def test_print_page_tree_is_what_weasyprints_parser_makes(seed_xml):
    """The render hands WeasyPrint the print page as a tree (pdf._html5_tree) instead of a
    string it parses again: the tree must be the one tinyhtml5 (WeasyPrint's HTML5 parser)
    makes of the page, node for node, for the seed, a page with notes and comments, and a
    UN file per language."""
    import lxml.html
    import tinyhtml5
    pages = [pdfw.html_for(xmlsafe.parse_file(seed_xml), "seed.xml"),
             as_page(mini_html(3).replace("<body>", "<body><!-- a comment --> ") + "\n\n",
                     mini_page(3).notes)]
    for lang in LANGS if CORPUS.is_dir() else ():
        f = corpus_files(lang)[3]
        pages.append(pdfw.html_for(xmlsafe.parse_file(f), f.name))
    css, _ = pdfw.print_css()
    for page in pages:
        doc, _, _ = pdfw._footnoted(page, False)
        text = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
        for drop in (None, css):
            ours, dropped = pdfw._html5_tree(doc, drop_style=drop)
            theirs = tinyhtml5.parse(text.replace(f"<style>{drop}</style>", "", 1) if drop else text,
                                     namespace_html_elements=False)
            assert dropped == (drop is not None and f"<style>{css}</style>" in text)
            assert _tree_dump(ours, []) == _tree_dump(theirs, [])


def _events(events: list) -> list:
    return [e if e[0] != "BDC" else ("BDC", e[3]) for e in events]


def _pdf_with(content: bytes) -> pikepdf.Pdf:
    """A one-page PDF drawing ``content`` (keep the Pdf: its pages read from it)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(content)
    return pdf


def test_quick_content_reading_agrees_with_the_parser_or_declines():
    """scan_content reads the operators the repair needs as pikepdf's parser does, or
    declines (None) on what it cannot vouch for; tokens that only look like operators are
    not taken for them."""
    plain = (b"/Span\n<</MCID 0>>\nBDC\n/XEMC gs\nBT\n/ABDCEF 12 Tf\n"
             b"[<0BDC>-5<00EC>0] TJ\n<0041> Tj\nET\nEMC\n/Artifact BMC\nEMC\n"
             b"/P <</MCID 7 /Lang /en>> BDC [<0042>] TJ EMC\n")
    doc = _pdf_with(plain)
    page = doc.pages[0]
    data, events = pdfua.scan_content(page)
    assert data == plain
    assert _events(events) == _events(pdfua._parsed_events(pikepdf.parse_content_stream(page)))
    assert [e[0] for e in events] == ["BDC", "Tf", "TJ", "TJ", "EMC", "BMC", "EMC", "BDC",
                                      "TJ", "EMC"]
    assert events[0][3] == 0 and events[7][3] == 7 and events[2][1] == [0x0BDC, 0x00EC]
    assert plain[events[7][1]:events[7][2]] == b"/P <</MCID 7 /Lang /en>> BDC"
    for declined in (b"BT (literal) Tj ET",                     # a literal string
                     b"% a comment\nBT <0041> Tj ET",           # a comment
                     b"/P <</MCID 1 /Alt <0041>>> BDC EMC",      # a dictionary it cannot read
                     b"BT [<004>] TJ ET",                        # half a glyph code
                     b"BT <0041> ' ET"):                         # the ' operator
        other = _pdf_with(declined)
        assert pdfua.scan_content(other.pages[0]) is None, declined


def test_speed_patches_change_no_byte(seed_xml, monkeypatch):
    """The patches that make WeasyPrint lay out each note once per page and each Arabic
    line once (weasypatches.measure_each_note_once, weasypatches.lay_out_rtl_lines_once) must not change
    the PDF: the seed and A/RES/78/228 in Arabic (34 notes, 15 pages), and English and
    Chinese files (when ../shared is there), rendered with them and with WeasyPrint's own
    functions."""
    files = [seed_xml]
    if CORPUS.is_dir():
        files += [p for p in corpus_files("ar") if p.name.startswith("A_RES_78_228-")]
        files += corpus_files("en")[5:6] + corpus_files("zh")[5:6]
        assert len(files) == 4
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1356048000")
    fast = {p.name: render_file(p)[2] for p in files}
    with monkeypatch.context() as m:
        _without_speed_patches(m)
        from weasyprint.layout import inline
        assert not hasattr(inline.get_next_linebox, "_akn")
        slow = {p.name: render_file(p)[2] for p in files}
    assert hasattr(inline.get_next_linebox, "_akn")   # restored for the other tests
    for name in fast:
        assert fast[name].pages == slow[name].pages, name
        assert fast[name].pdf == slow[name].pdf, name


def test_a_render_collects_its_cycles_once_and_leaves_the_collector_as_it_was():
    """pdf._one_collection: the collector is paused during a render, runs once at its end
    (nothing the render made in cycles is left), and comes back as the caller had it."""
    import gc
    tree = etree.ElementTree(etree.fromstring(MINI_AKN.encode()))

    def render():
        return pdfw.render_full(tree, xml_bytes=MINI_AKN.encode(), source_name="m.xml",
                                html=mini_page(3)).pdf

    first = render()
    assert gc.isenabled() and gc.get_freeze_count() > 0  # what outlives a render is frozen
    seen = []
    gc.callbacks.append(lambda phase, info: seen.append((phase, info["generation"])))
    try:
        assert render() == first
        assert seen == [("start", 2), ("stop", 2)]   # one full collection, at the end
        assert gc.collect() == 0                      # and it left no cycle behind
        gc.disable()
        render()
        assert not gc.isenabled()
    finally:
        gc.callbacks.pop()
        gc.enable()


def test_same_input_same_bytes(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    tree = etree.ElementTree(etree.fromstring(MINI_AKN.encode()))
    a = pdfw.render_full(tree, xml_bytes=MINI_AKN.encode(), source_name="m.xml",
                         html=mini_page(3)).pdf
    b = pdfw.render_full(tree, xml_bytes=MINI_AKN.encode(), source_name="m.xml",
                         html=mini_page(3)).pdf
    assert a == b
    assert b"D:20130214000000" in pikepdf.open(io.BytesIO(a)).docinfo.CreationDate.__bytes__()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = pdfw.render_full(tree, xml_bytes=MINI_AKN.encode(), source_name="m.xml",
                         html=mini_page(3)).pdf
    assert c != a
    assert str(pikepdf.open(io.BytesIO(c)).docinfo.CreationDate).startswith("D:20231114221320")
    d = pdfw.render_full(tree, xml_bytes=MINI_AKN.encode() + b"\n", source_name="m.xml",
                         html=mini_page(3)).pdf
    assert pikepdf.open(io.BytesIO(d)).trailer.ID[0] != pikepdf.open(io.BytesIO(c)).trailer.ID[0]


@needs_poppler
def test_seed(seed_xml, tmp_path):
    data = seed_xml.read_bytes()
    tree = xmlsafe.parse_bytes(data, str(seed_xml))
    out = pdfw.render_full(tree, xml_bytes=data, source_name=seed_xml.name)
    assert out.problems == []
    found = check_pdf(out.pdf, data, tree, "seed", tmp_path, out.facts)
    assert out.facts.eastern_digits
    # the UN printed it on 6 pages; a mis-sized footnote area once spread it over 30
    assert 6 <= found["pages"] <= 8
    assert "en" in found["langs"]  # the English symbols in the Arabic text
    # calls and note markers in the text's own (Eastern Arabic) digits
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "seed.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = BIDI.sub("", text)
    call = r"\(\s*\)\s*{d}|\(\s*{d}\s*\)"   # pdftotext writes the call "(١)" as "( )١"
    assert re.search(call.format(d="\u0661"), text) and not re.search(call.format(d="1"), text)


def _pages_under(el, page_of: dict) -> set[int]:
    return {page_of[e.Pg.objgen] for e in struct_elems(el) if "/Pg" in e}


def test_a_paragraph_cut_by_a_page_is_one_structure_element(seed_xml, monkeypatch):
    """weasytags: the seed's paragraphs cut by a page end are one P each (with text on both
    pages), as many P as the print page shows <p> (its footer is not printed), one Part; the
    content of the pages is what it is without the joining, byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1356048000")
    from akn.render import weasytags
    data, tree, out = render_file(seed_xml)
    pdf = pikepdf.open(io.BytesIO(out.pdf))
    page_of = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    doc = pdf.Root.StructTreeRoot.K[0]
    paragraphs = [el for el in struct_elems(doc) if el.S == "/P"]
    page, _, _ = pdfw._footnoted(pdfw.html_for(tree, seed_xml.name), out.facts.eastern_digits)
    assert len(paragraphs) == len(page.xpath("//p[not(ancestor::footer)]"))
    cut = [p for p in paragraphs if len(_pages_under(p, page_of)) == 2]
    assert len(cut) >= 1
    assert [str(el.S) for el in struct_elems(doc)].count("/Part") == 1
    with monkeypatch.context() as m:
        m.setattr(weasytags, "join", lambda pdf, parent, origins: 0)
        _, _, apart = render_file(seed_xml)
    other = pikepdf.open(io.BytesIO(apart.pdf))
    assert [str(el.S) for el in struct_elems(other.Root.StructTreeRoot.K[0])].count("/Part") \
        == len(other.pages) > 1
    assert [p.Contents.read_bytes() for p in pdf.pages] == \
        [p.Contents.read_bytes() for p in other.pages]


def _footnote_rule_mm(page) -> tuple[float, float]:
    """Left and right ends, in mm from the paper's left edge, of the lowest thin horizontal
    path on the page (WeasyPrint draws a border as a closed m-l-l-l path, in CSS px under
    a 0.75 scale; a page's lowest such path is the rule over the footnotes)."""
    rules, points = [], []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "m":
            points = [tuple(float(v) for v in operands)]
        elif op == "l":
            points.append(tuple(float(v) for v in operands))
            xs, ys = {round(x, 2) for x, _ in points}, {round(y, 2) for _, y in points}
            if len(points) == 4 and len(xs) == 2 and len(ys) == 2 and \
                    max(ys) - min(ys) <= 2 and max(xs) - min(xs) > 20:
                rules.append((max(ys), min(xs), max(xs)))
    assert rules, "no rule drawn on the page"
    _, x0, x1 = max(rules)
    px_mm = 0.75 * 25.4 / 72
    return x0 * px_mm, x1 * px_mm


def test_the_footnote_rule_is_a_third_of_the_measure_on_the_start_side(seed_xml, tmp_path):
    """As the UN prints it: the rule over the notes is short (a third of the 166 mm
    measure), at the right in Arabic and at the left in a left-to-right language, and the
    notes under it keep the full measure (the text layer is checked by check_pdf)."""
    data = seed_xml.read_bytes()
    for rtl, xml in ((True, data),
                     (False, data.replace(b'<FRBRlanguage language="ara"/>',
                                          b'<FRBRlanguage language="eng"/>'))):
        assert xml.count(b'language="eng"') == (0 if rtl else 1)
        doc = tmp_path / f"{'rtl' if rtl else 'ltr'}.xml"
        doc.write_bytes(xml)
        _, _, out = render_file(doc)
        assert out.facts.rtl is rtl
        pdf = pikepdf.open(io.BytesIO(out.pdf))   # kept: a page needs its open Pdf
        x0, x1 = _footnote_rule_mm(pdf.pages[0])
        assert abs((x1 - x0) - 166 / 3) < 0.5, (x0, x1)
        start = 210 - 22 if rtl else 22
        assert abs((x1 if rtl else x0) - start) < 0.5, (x0, x1)


def _sample(lang: str) -> list[Path]:
    files = corpus_files(lang)
    # in every language 78/128: 22-31 pages, three annexes in one attachment
    long = [p for p in files if p.name.startswith("A_RES_78_128-")]
    if lang == "ar":  # 78/228: 34 notes over 15 pages; 78/207: a line with two calls
        # whose first note does not fit (WeasyPrint 70 lost the second note); 78/3: vowel
        # marks (ُ ّ ً) in many words, an annex labelled by a bold line
        return [p for p in files if p.name.startswith(("A_RES_78_228-", "A_RES_78_207-",
                                                       "A_RES_78_3_"))] + long
    if lang == "en":  # and a document collection (78/80 A-B: two resolutions in one)
        return files[5:6] + [p for p in files if p.name.startswith("A_RES_78_80AB-")] + long
    return files[5:6] + long


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_un_files(shared, lang, tmp_path):
    """check_pdf on a sample of each language; A/RES/78/128's three annexes are headed
    sections of the print (an H2 each) and start a page each."""
    for path in _sample(lang):
        data, tree, out = render_file(path)
        assert out.problems == [], (path.name, out.problems)
        found = check_pdf(out.pdf, data, tree, f"{lang}-{path.stem}", tmp_path, out.facts)
        if path.name.startswith("A_RES_78_128-"):
            page, _, _ = pdfw._footnoted(pdfw.html_for(tree, path.name), False)
            assert len(page.xpath("//section[@class='annex']/h2")) == 3
            assert found["types"].count("/H2") >= 3


def test_fonts_are_subset_by_harfbuzz():
    """scripts/setup-system.sh installs libharfbuzz-subset0: without it WeasyPrint subsets
    with fontTools (its deprecated path; the seed's PDF took 2.5 s instead of 1.6 s on a
    fresh machine where only `make` had run) and every `akn pdf` warns."""
    assert pdfw.harfbuzz_subset(), "libharfbuzz-subset0 missing: run scripts/setup-system.sh"


@needs_poppler
def test_cli_writes_the_pdf(tmp_path):
    from conftest import run_akn
    src = tmp_path / "mini.xml"
    src.write_text(MINI_AKN, encoding="utf-8")
    out = tmp_path / "mini.pdf"
    env = {**os.environ, "PYTHONHASHSEED": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = run_akn("pdf", src, "-o", out, check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr, proc.stderr
    made = pikepdf.open(out)
    assert made.pdf_version == "1.7"
    assert list(made.Root.AF)[0].EF.F.read_bytes() == src.read_bytes()
    # another process, another hash seed: the same bytes
    again = tmp_path / "again.pdf"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    run_akn("pdf", src, "-o", again, env=env)
    assert again.read_bytes() == out.read_bytes()


def _calls_at_line_start(css: str) -> tuple[int, int]:
    """Render 40 short paragraphs whose first call follows a word, a comma, a bracket, a
    number or a quote mark in a narrow column; count the calls, and those that wrapped to
    the start of a line (nothing to their right on their line: the text is Arabic)."""
    weasyprint, config = pdfw._weasy()
    words = "الجمعية العامة تشير إلى قرارها بشأن الاتجار بالأشخاص وتؤكد أهمية التعاون".split()
    paras = []
    for i in range(1, 41):
        text = " ".join(words[k % len(words)] for k in range(i)) + ["،", ")", "2030", "»"][i % 4]
        paras.append(f'<p>{text}<span class="fn-note" data-marker="١">حاشية</span> ثم</p>')
    page = (f"<!DOCTYPE html><html lang=ar dir=rtl><head><style>{css} body {{ width: 38mm }}"
            f"</style></head><body>{''.join(paras)}</body></html>")
    data = weasyprint.HTML(string=page).write_pdf(stylesheets=[pdfw.font_css()],
                                                 font_config=config)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(["pdftotext", "-bbox", tmp.name, "-"], capture_output=True,
                             text=True, check=True).stdout
    boxes = [(float(a), float(b), float(c), float(d), html_unescape(t))
             for a, b, c, d, t in BBOX_WORD.findall(out)]
    height = sorted(b[3] - b[1] for b in boxes)[len(boxes) // 2]
    calls = [b for b in boxes if "١" in b[4] and b[3] - b[1] < 0.8 * height]  # superscript
    alone = [c for c in calls if not any(
        w is not c and w[0] >= c[2] - 1 and w[1] < c[3] and w[3] > c[1] for w in boxes)]
    return len(calls), len(alone)


@needs_poppler
def test_footnote_call_never_wraps_away_from_its_word():
    css = (ROOT / "templates" / "print.css").read_text(encoding="utf-8")
    assert _calls_at_line_start(css) == (40, 0)
    # the same page without the word joiner: some calls do wrap (the test can see it)
    calls, alone = _calls_at_line_start(css.replace("\\2060", ""))
    assert calls == 40 and alone > 0


def test_print_html_joins_a_number_split_into_links():
    """The UN's 78/277 (ar) links each piece of "77/298" on its own; WeasyPrint would set
    the pieces right to left. Adjacent links to the same place become one."""
    href = "https://undocs.org/ar/A/RES/77/298"
    page = (f'<!DOCTYPE html><html lang=ar dir=rtl><body><p>و <a href="{href}">7</a>'
            f'<a href="{href}">7</a><a href="{href}">/29</a><a href="{href}">8</a> المؤرخ '
            f'<a href="/x">1</a><a href="/y">2</a></p></body></html>')
    out, _, _ = pdfw.place_footnotes(as_page(page))
    assert f'<a href="{href}">77/298</a> المؤرخ' in out
    assert '<a href="/x">1</a><a href="/y">2</a>' in out   # different targets stay apart


def test_a_note_without_a_call_stays_in_the_print():
    page = mini_html(2).replace('<sup class="fn"><a href="#note_2" class="fn-call">٢</a></sup>', "")
    out, notes, _ = pdfw.place_footnotes(as_page(page, mini_page(2).notes))
    assert notes == [("note_1", "١")]
    assert 'class="fn-note" id="note_1"' in out
    assert '<li id="note_2">' in out and '<li id="note_1">' not in out
    assert "المرجع نفسه، المجلد ٢٢٣٧." in out


def test_the_repair_keeps_words_whole_and_the_page_as_it_was(seed_xml, monkeypatch, tmp_path):
    """pdfua._WordLifter: in the seed, words that pdftotext or pdfminer would cut (vowel
    marks, slivers, Amiri's kerning) are drawn apart and carried by blank glyphs; without
    it both tools cut words ("و يلتزم", "التشر يعية"); with it none; and every page renders
    to the same pixels either way (pdftoppm, 100 dpi)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1356048000")
    data, tree, out = render_file(seed_xml)
    assert out.lifted > 100
    with monkeypatch.context() as m:
        m.setattr(pdfua._Repair, "whole_words", lambda self: None)
        _, _, plain = render_file(seed_xml)
    assert plain.lifted == 0
    f = out.facts
    page, _, _ = pdfw._footnoted(pdfw.html_for(tree, seed_xml.name), f.eastern_digits)
    want = pdfwords.xml_words(tree, print_page=page, symbol=f.symbol, lang=f.lang)
    rasters = {}
    for label, pdf in (("lifted", out.pdf), ("plain", plain.pdf)):
        path = tmp_path / f"{label}.pdf"
        path.write_bytes(pdf)
        cut = [pdfwords.compare(want, pdfwords.pdftotext_words(path, True)),
               pdfwords.compare(want, pdfwords.pdfminer_words(path, True))]
        if label == "lifted":
            assert all(t.clean() for t in cut), cut
        else:
            assert all(t.split >= 10 for t in cut), cut     # so the check can see a cut
        subprocess.run(["pdftoppm", "-r", "100", "-gray", str(path), str(tmp_path / label)],
                       check=True)
        rasters[label] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{label}-*.pgm"))]
    assert len(rasters["lifted"]) == out.pages
    assert rasters["lifted"] == rasters["plain"]


def test_no_synthetic_slant_for_chinese_italics(tmp_path):
    """The UN's Chinese files mark a few runs italic; Noto Serif CJK has no italic, so the
    print sets them in its real Bold (Chinese emphasis) instead of a slanted Regular."""
    xml = MINI_AKN.replace('language="ara"', 'language="zho"').replace(
        "<p>إن الجمعية العامة،</p>", '<p><span class="italic">大会</span>，<span class="italic">'
        "ekecheiria</span></p>").encode()
    tree = etree.ElementTree(etree.fromstring(xml))
    out = pdfw.render_full(tree, xml_bytes=xml, source_name="zh.xml")
    pdf = pikepdf.open(io.BytesIO(out.pdf))
    names = {str(f.BaseFont).split("+")[-1] for p in pdf.pages for f in p.Resources.Font.values()}
    assert "Noto-Serif-CJK-SC-Bold" in names and not any("Oblique" in n for n in names), names
    assert synthetic_fonts(pdf) == []
    # and the check sees a synthetic slant when there is one
    css = pdfw.print_css()[0].replace("html:lang(zh) i, html:lang(zh) em { font-style: normal; "
                                      "font-weight: bold; }", "")
    weasyprint, config = pdfw._weasy()
    page = pdfw.html_for(tree, "zh.xml").html.replace(pdfw.print_css()[0], css)
    raw = weasyprint.HTML(string=page).write_pdf(font_config=config)
    assert any("slanted" in x for x in synthetic_fonts(pikepdf.open(io.BytesIO(raw))))
