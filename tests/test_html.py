"""The HTML writer (akn/render/html.py): structure, notes, bidi, safety, reproducibility, and
the page in a real browser (axe-core, Nu HTML Checker, reflow, screenshots)."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from akn import xmlsafe
from akn.render import html
from conftest import LANGS, ROOT, corpus_files, run_akn

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"


def akn_doc(body: str, lang: str = "ara", cover: str | None = None, preface: str | None = None) -> bytes:
    """A small resolution in our parser's markup (or the UN's, by what `body` contains)."""
    cover = cover if cover is not None else (
        '<coverPage eId="coverPage"><p><docAuthority refersTo="#issuingBody">الجمعية العامة</docAuthority>'
        ' <session value="67">الدورة السابعة والستون</session></p>'
        '<p><docNumber refersTo="#symbol">A/RES/67/190</docNumber></p>'
        '<p><inline name="agenda item">البند ١٠٣ من جدول الأعمال</inline></p>'
        '<p><docTitle>قرار اتخذته الجمعية العامة في <date date="2012-12-20">٢٠ كانون الأول/ديسمبر ٢٠١٢</date></docTitle></p>'
        '<p><docProponent>[بناء على تقرير اللجنة الثالثة (<inline name="originating document">'
        '<ref href="https://undocs.org/A/67/458">A/67/458</ref></inline>)]</docProponent></p></coverPage>')
    preface = preface if preface is not None else (
        '<preface><p><docNumber>٦٧/١٩٠</docNumber> - <docTitle>تحسين تنسيق الجهود</docTitle></p></preface>')
    return f"""<akomaNtoso xmlns="{AKN}"><statement name="resolution"><meta><identification source="#akn">
<FRBRWork><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/!main/"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/"/>
<FRBRdate date="2012-12-20" name="adoption"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork>
<FRBRExpression><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/{lang}@!main/"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/{lang}@/"/>
<FRBRdate date="2012-12-21" name="publication"/><FRBRauthor href="#ga"/><FRBRlanguage language="{lang}"/></FRBRExpression>
<FRBRManifestation><FRBRthis value="/akn/un/x/{lang}@/!main.xml"/><FRBRuri value="/akn/un/x/{lang}@.xml"/>
<FRBRdate date="2012-12-21" name="markup"/><FRBRauthor href="#akn"/></FRBRManifestation>
</identification></meta>{cover}{preface}{body}</statement></akomaNtoso>""".encode()


SAMPLE_BODY = """<preamble><formula name="enactingFormula" eId="preamble__formula_1"><p>إن الجمعية العامة،</p></formula>
<container name="إذ تشير" eId="preamble__container_1"><p>إذ تشير إلى الاتفاقية<authorialNote eId="note_1" marker="١" placement="bottom"><p>الأمم المتحدة، مجموعة المعاهدات، المجلد ٢٢٢٥.</p></authorialNote> وإلى البروتوكول<authorialNote eId="note_2" marker="٢" placement="bottom"><p>انظر <ref href="https://undocs.org/E/2002/68/Add.1">E/2002/68/Add.1</ref>.</p></authorialNote>،</p></container>
<container name="وإذ تشير أيضا" eId="preamble__container_2"><p>وإذ تشير أيضا إلى الاتفاقية<noteRef href="#note_1" marker="١" placement="bottom"/> وإلى الوثيقة <ref href="https://undocs.org/A/67/458">A/67/458</ref>، المؤرخة <date date="2012-12-20">٢٠ كانون الأول/ديسمبر ٢٠١٢</date>،</p></container>
</preamble>
<mainBody><paragraph eId="para_1"><num>١ -</num><content><p><span class="bold">تحث</span> الدول على التصديق؛</p></content></paragraph>
<paragraph eId="para_2"><num>٢ -</num><list eId="para_2__list_1"><intro><p><span class="bold">تطلب</span> ما يلي:</p></intro>
<point eId="para_2__list_1__point_a"><num>(أ)</num><content><p>أن تفعل كذا؛</p></content></point>
<point eId="para_2__list_1__point_b"><num>(ب)</num><content><p>أن تفعل ذلك أيضا<noteRef href="#note_2" marker="٢" placement="bottom"/>.</p></content></point></list></paragraph>
</mainBody>
<conclusions eId="conclusions"><p><event refersTo="#adoption"><location title="60">الجلسة العامة ٦٠</location><eol/><docDate date="2012-12-20">٢٠ كانون الأول/ديسمبر ٢٠١٢</docDate></event></p></conclusions>"""


def render_bytes(data: bytes, name: str = "A-RES-67-190.ar.xml", media: str = "screen") -> str:
    return html.render(xmlsafe.parse_bytes(data, name), source_name=name, media=media)


def parse(page: str):
    return lxml.html.document_fromstring(page)


@pytest.fixture(scope="module")
def sample_page() -> str:
    return render_bytes(akn_doc(SAMPLE_BODY))


# ------------------------------------------------------------------------- structure

def test_page_structure_landmarks_one_h1_masthead(sample_page):
    doc = parse(sample_page)
    assert doc.get("lang") == "ar" and doc.get("dir") == "rtl"
    body = doc.body
    assert [e.tag for e in body] == ["header", "main", "footer"]
    assert len(doc.xpath("//h1")) == 1
    h1 = doc.xpath("//h1")[0]
    assert h1.text_content() == "٦٧/١٩٠ - تحسين تنسيق الجهود"
    dl = doc.xpath("//header[@class='masthead']//dl")[0]
    pairs = {dt.text_content(): dt.getnext().text_content() for dt in dl.iter("dt")}
    assert pairs["الرمز"] == "A/RES/67/190"
    assert pairs["الدورة"] == "الدورة السابعة والستون"
    assert pairs["البند من جدول الأعمال"] == "البند ١٠٣ من جدول الأعمال"
    assert doc.xpath("//p[@class='issuing-body']")[0].text_content() == "الجمعية العامة"
    assert "قرار اتخذته" in doc.xpath("//p[@class='adoption']")[0].text_content()
    assert doc.xpath("//p[@class='proponent']//a/@href") == ["https://undocs.org/A/67/458"]
    assert doc.xpath("//p[@class='formula']")[0].text_content() == "إن الجمعية العامة،"
    assert "الجلسة العامة ٦٠" in doc.xpath("//p[@class='closing']")[0].text_content()
    assert doc.xpath("//title")[0].text == "تحسين تنسيق الجهود — A/RES/67/190"


def test_a_separator_inside_doctitle_stays_in_the_heading_not_in_the_title(seed_xml, tmp_path):
    """Some UN Arabic files put the " - " between number and title inside docTitle
    (A/RES/78/10: `<docTitle> -<TAB>بناء عالم …`). The heading shows it as printed; the
    title on its own (page <title>, catalogue, PDF Title and running header) does not."""
    from akn.render import pdf as pdfw
    from akn.build import entry_for
    xml = seed_xml.read_bytes()
    title = "تحسين تنسيق الجهود المبذولة لمكافحة الاتجار بالأشخاص"
    number = '<docNumber refersTo="#resolutionNumber">٦٧/١٩٠</docNumber>'
    shifted = xml.replace(f'{number} - <docTitle refersTo="#resolutionTitle">'.encode(),
                          f'{number}<docTitle refersTo="#resolutionTitle"> -\t'.encode())
    assert shifted != xml
    tree = xmlsafe.parse_bytes(shifted, "shifted.xml")
    ctx = html.context(tree, source_name="shifted.xml")
    assert ctx["title"] == title
    assert pdfw.facts(tree).title == title and pdfw.facts(tree).short_title == title
    page = html.render(tree, source_name="shifted.xml")
    assert f"<title>{title} — " in page
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h1)).strip() == f"٦٧/١٩٠ - {title}"
    doc = tmp_path / "shifted.xml"
    doc.write_bytes(shifted)
    assert entry_for(str(doc), "shifted")["title"] == title


def test_stable_ids_and_permalinks(sample_page):
    doc = parse(sample_page)
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids are unique"
    for eid in ("preamble__container_1", "preamble__container_2", "para_1", "para_2",
                "para_2__list_1__point_a", "para_2__list_1__point_b"):
        unit = doc.get_element_by_id(eid)
        link = unit.xpath("./a[@class='permalink']")[0]
        assert link.get("href") == f"#{eid}" and link.get("aria-label")
    assert doc.get_element_by_id("para_1").xpath("./a/@aria-label") == ["رابط إلى الفقرة ١"]
    assert doc.get_element_by_id("para_2__list_1__point_a").xpath("./a/@aria-label") == \
        ["رابط إلى الفقرة ٢ أ"]
    assert doc.get_element_by_id("preamble__container_2").xpath("./a/@aria-label") == \
        ["رابط إلى فقرة الديباجة 2"]
    # the number is read and copied with its paragraph
    assert doc.get_element_by_id("para_1").xpath("string(./p)") == "١ - تحث الدول على التصديق؛"
    points = doc.xpath("//div[@id='para_2']//ol[@class='points']/li")
    assert [p.get("id") for p in points] == ["para_2__list_1__point_a", "para_2__list_1__point_b"]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", i) for i in ids)


def test_footnotes_calls_repeated_calls_and_backlinks(sample_page):
    doc = parse(sample_page)
    notes = doc.xpath("//section[@id='notes']/ol[@class='notes-list']/li")
    assert [n.get("id") for n in notes] == ["note_1", "note_2"]
    assert doc.xpath("//section[@id='notes']/h2")[0].text == "الحواشي"
    calls = doc.xpath("//sup[@class='fn']/a[@class='fn-call']")
    assert [(c.get("href"), c.get("id"), c.text) for c in calls] == [
        ("#note_1", "call-note_1", "١"), ("#note_2", "call-note_2", "٢"),
        ("#note_1", "call-note_1.2", "١"), ("#note_2", "call-note_2.2", "٢")]
    assert calls[0].get("aria-label") == "الحاشية ١"
    back = notes[0].xpath(".//a[@class='backlink']")
    assert [b.get("href") for b in back] == ["#call-note_1", "#call-note_1.2"]
    assert all(b.get("aria-label") for b in back)
    assert notes[0].xpath("string(.//div[@class='note-body'])").strip() == \
        "الأمم المتحدة، مجموعة المعاهدات، المجلد ٢٢٢٥."


def test_ltr_runs_are_isolated_with_punctuation_outside(sample_page):
    doc = parse(sample_page)
    unit = doc.get_element_by_id("preamble__container_2")
    bdi = unit.xpath(".//bdi")
    assert len(bdi) == 1 and bdi[0].get("dir") == "ltr"
    assert etree.tostring(bdi[0], encoding="unicode", with_tail=False) == \
        '<bdi dir="ltr"><a href="https://undocs.org/A/67/458">A/67/458</a></bdi>'
    assert bdi[0].tail.startswith("، ")          # the Arabic comma stays outside
    note2 = doc.get_element_by_id("note_2")
    iso = note2.xpath(".//bdi")[0]
    assert iso.text_content() == "E/2002/68/Add.1" and iso.tail == "."
    # bare Latin runs too, across inline elements, brackets balanced
    nodes = html.isolate(["انظر United Nations, ", html.Node("i", {}, ["Treaty Series"]),
                          ", vol. 5 (2010)، ثم"], "rtl")
    out = html.serialize(nodes)
    assert out == ('انظر <bdi dir="ltr" lang="en">United Nations, <i>Treaty Series</i>, vol. 5 (2010)'
                   '</bdi>، ثم')      # words get a language (a screen reader's voice), symbols not
    # and Arabic inside an English page
    assert html.serialize(html.isolate(["The term شريعة is used."], "ltr")) == \
        'The term <bdi dir="rtl" lang="ar">شريعة</bdi> is used.'
    assert html.isolate(["no foreign script here"], "ltr") == ["no foreign script here"]


def test_dates_become_time_elements(sample_page):
    doc = parse(sample_page)
    assert doc.xpath("//time/@datetime").count("2012-12-20") >= 3
    assert doc.xpath("//p[@class='closing']/time/@datetime") == ["2012-12-20"]


def test_un_arabic_bracketed_calls_and_repeated_sup_calls():
    body = """<preamble><container eId="container_2"><p>عقد (2016-2025(<sup>)</sup><authorialNote marker="1" eId="authorialNote_1"><p>	()	القرار <a href="https://undocs.org/ar/A/RES/70/1">70/1</a>.</p></authorialNote><sup>)</sup>، وخطة<sup>(</sup><authorialNote marker="2" eId="authorialNote_2"><p>	()	انظر.</p></authorialNote><sup>)</sup> ثم الخطة<sup>(2)</sup>،</p></container></preamble>"""
    page = render_bytes(akn_doc(body))
    doc = parse(page)
    p = doc.get_element_by_id("container_2").xpath("./p")[0]
    text = p.text_content()
    assert "(2016-2025)1" in text, text            # the swapped bracket is mended
    assert "(" not in text.replace("(2016-2025)", "")  # no stray brackets around calls
    calls = p.xpath(".//a[@class='fn-call']")
    assert [c.get("href") for c in calls] == ["#authorialNote_1", "#authorialNote_2", "#authorialNote_2"]
    note1 = doc.get_element_by_id("authorialNote_1")
    assert note1.xpath("string(.//div[@class='note-body'])").strip() == "القرار 70/1."
    assert len(doc.get_element_by_id("authorialNote_2").xpath(".//a[@class='backlink']")) == 2


# ------------------------------------------------------------------------- safety

HOSTILE = """<preamble><container eId="x&quot; onmouseover=&quot;alert(1)"><p>&lt;script&gt;alert(1)&lt;/script&gt; نص
<ref href="javascript:alert(1)">A/1/1</ref> <a href="JaVaScRiPt:alert(2)">A/2/2</a>
<ref href=" java&#9;script:alert(3)">A/3/3</ref> <a href="data:text/html,x">A/4/4</a>
<ref href="/akn/un/statement/deliberation/unga/2012-12-20/67-190/">٦٧/١٩٠</ref>
<ref href="https://undocs.org/A/67/458&quot;&gt;&lt;b&gt;">A/5/5</ref>
<a href="//evil.example/x">A/6/6</a> <a href="https://user:pw@evil.example/">A/7/7</a>
<a href="https://undocs.org/empty"> </a><ref href="https://undocs.org/empty2"/>
<authorialNote eId="n&quot;1" marker="&quot;&gt;&lt;i&gt;"><p>ملاحظة</p></authorialNote></p></container></preamble>"""


def test_hostile_text_and_hrefs_are_neutralised():
    page = render_bytes(akn_doc(HOSTILE))
    assert "<script>" not in page.split("</head>", 1)[1]
    assert "javascript" not in page.lower()
    doc = parse(page)
    assert "<script>alert(1)</script>" in doc.xpath("string(//main)")   # shown as text
    assert len(doc.xpath("//script")) == 1                              # only the JSON-LD
    hrefs = doc.xpath("//div[contains(@class,'preamble')]//a[not(@class)]/@href")
    assert hrefs == ["/akn/un/statement/deliberation/unga/2012-12-20/67-190/"]
    assert not doc.xpath("//main//b")
    for text in ("A/1/1", "A/2/2", "A/3/3", "A/4/4", "A/5/5", "A/6/6", "A/7/7"):
        assert text in doc.xpath("string(//main)")      # kept as plain text
    ids = doc.xpath("//@id")
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", i) for i in ids), ids
    assert not doc.xpath("//@onmouseover")
    assert doc.xpath("//a[@class='fn-call']")[0].text == '"><i>'


@pytest.mark.parametrize("href,ok", [
    ("https://undocs.org/A/67/458", True), ("http://example.org/a?b=c#d", True),
    ("/akn/un/statement/x/", True), ("javascript:alert(1)", False), ("vbscript:x", False),
    ("data:text/html;base64,PHNjcmlwdD4=", False), ("file:///etc/passwd", False),
    ("//host/path", False), ("https://", False), ("mailto:a@b", False), ("#note_1", False),
    ("relative/path.xml", False), ("https://a b", False), ("https://x\u0085y", False)])
def test_safe_href(href, ok):
    assert (html.safe_href(href) is not None) is ok


# ------------------------------------------------------------------------- head, reuse, media

def test_head_metadata_csp_and_json_ld(sample_page):
    doc = parse(sample_page)
    head = doc.head
    csp = head.xpath("meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp and "font-src 'self'" in csp and "img-src 'self' data:" in csp
    style = head.xpath("style")[0].text
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp and not doc.xpath("//script[not(@type='application/ld+json')]")
    assert not doc.xpath("//@style") and not doc.xpath("//*[starts-with(name(@*), 'on')]")
    assert head.xpath("meta[@name='dcterms.identifier']/@content") == \
        ["/akn/un/statement/deliberation/unga/2012-12-20/67-190/ara@!main/"]
    assert not head.xpath("link[@rel='canonical']")
    ld = json.loads(head.xpath("script[@type='application/ld+json']")[0].text)
    assert ld["@type"] == "Legislation" and ld["legislationIdentifier"] == "A/RES/67/190"
    assert ld["inLanguage"] == "ar" and ld["legislationDate"] == "2012-12-20"
    assert ld["datePublished"] == "2012-12-21"
    assert {e["contentUrl"] for e in ld["encoding"]} == {"A-RES-67-190.ar.xml", "A-RES-67-190.ar.pdf"}
    # no external requests: nothing is loaded from anywhere
    assert not doc.xpath("//link[@rel='stylesheet'] | //img | //script[@src] | //iframe")
    assert "@import" not in style and "url(" not in style


def test_reuse_links_and_note(sample_page):
    doc = parse(sample_page)
    nav = doc.xpath("//footer/nav")[0]
    assert nav.xpath(".//a/@href") == ["A-RES-67-190.ar.xml", "A-RES-67-190.ar.pdf"]
    foot = doc.xpath("string(//footer)")
    assert "إعادة استخدامهما" in foot
    assert "recycle" not in sample_page.lower() and "إعادة الاستعمال" not in sample_page


def test_odd_file_names_make_safe_relative_links():
    page = render_bytes(akn_doc(SAMPLE_BODY), name='a "b"#?<x> قرار.xml')
    doc = parse(page)
    assert doc.xpath("//footer/nav//a/@href") == [
        "a%20%22b%22%23%3F%3Cx%3E%20%D9%82%D8%B1%D8%A7%D8%B1.xml",
        "a%20%22b%22%23%3F%3Cx%3E%20%D9%82%D8%B1%D8%A7%D8%B1.pdf"]
    assert 'a "b"#?<x> قرار.xml' in doc.xpath("string(//p[@class='made'])")


def test_same_input_same_bytes():
    data = akn_doc(SAMPLE_BODY)
    pages = {render_bytes(data) for _ in range(3)}
    assert len(pages) == 1
    assert render_bytes(data, media="print") == render_bytes(data, media="print")


def test_print_media_uses_print_css_without_screen_ui():
    if not (html.TEMPLATES / "print.css").is_file():
        pytest.skip("templates/print.css (the PDF writer's) is not there yet")
    page = render_bytes(akn_doc(SAMPLE_BODY), media="print")
    doc = parse(page)
    assert doc.head.xpath("style")[0].text == (html.TEMPLATES / "print.css").read_text(encoding="utf-8")
    assert not doc.xpath("//a[@class='permalink'] | //a[@class='backlink'] | //nav")
    assert len(doc.xpath("//h1")) == 1 and doc.get_element_by_id("para_2__list_1__point_b") is not None


def test_context_for_the_pdf_writer():
    ctx = html.context(xmlsafe.parse_bytes(akn_doc(SAMPLE_BODY)), source_name="x.xml")
    assert ctx["lang"] == "ar" and ctx["dir"] == "rtl" and ctx["symbol"] == "A/RES/67/190"
    assert ctx["title"] == "تحسين تنسيق الجهود"
    assert ctx["frbr"]["adopted"] == "2012-12-20" and ctx["frbr"]["published"] == "2012-12-21"
    assert ctx["frbr"]["expression"].endswith("/ara@!main/")
    assert [n["id"] for n in ctx["notes"]] == ["note_1", "note_2"]
    with pytest.raises(ValueError):
        html.context(xmlsafe.parse_bytes(akn_doc(SAMPLE_BODY)), media="tv")


@pytest.mark.parametrize("code,lang,dirn,word", [
    ("ara", "ar", "rtl", "الحاشية"), ("eng", "en", "ltr", "footnote"), ("fra", "fr", "ltr", "note"),
    ("spa", "es", "ltr", "nota"), ("rus", "ru", "ltr", "сноска"), ("zho", "zh", "ltr", "脚注")])
def test_language_direction_and_labels(code, lang, dirn, word):
    body = '<preamble><container eId="c1"><p>Text<authorialNote eId="n1" marker="3"><p>n</p></authorialNote></p></container></preamble>'
    doc = parse(render_bytes(akn_doc(body, lang=code)))
    assert doc.get("lang") == lang and doc.get("dir") == dirn
    assert doc.xpath("//a[@class='fn-call']/@aria-label") == [f"{word} 3"]


def test_labels_cover_every_key_in_six_languages():
    data = html._all_labels()
    keys = set(data["en"])
    for lang in LANGS:
        assert set(data[lang]) == keys, lang


def test_missing_templates_fail_clearly(monkeypatch, tmp_path):
    monkeypatch.setattr(html, "TEMPLATES", tmp_path)
    html._env.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="templates"):
            render_bytes(akn_doc(SAMPLE_BODY))
    finally:
        html._env.cache_clear()


def test_cli_writes_the_page(tmp_path):
    src = tmp_path / "doc.xml"
    src.write_bytes(akn_doc(SAMPLE_BODY))
    out = tmp_path / "doc.html"
    run_akn("html", src, "-o", out)
    page = out.read_text(encoding="utf-8")
    # the XML is beside the page; no doc.pdf is, so the page does not link one
    assert page.startswith("<!DOCTYPE html>") and 'href="doc.xml"' in page
    assert "doc.pdf" not in page


# ------------------------------------------------------------------------- our seed

def test_seed_page(seed_xml):
    page = html.render(xmlsafe.parse_file(seed_xml), source_name=seed_xml.name)
    doc = parse(page)
    assert doc.get("lang") == "ar" and len(doc.xpath("//h1")) == 1
    assert doc.xpath("string(//div[@class='symbol']/dd)") == "A/RES/67/190"
    assert doc.xpath("//p[@class='proponent']//bdi/a/@href") == ["https://undocs.org/A/67/458"]
    notes = doc.xpath("//ol[@class='notes-list']/li")
    calls = doc.xpath("//a[@class='fn-call']")
    targets = {c.get("href")[1:] for c in calls}
    assert targets == {n.get("id") for n in notes}
    assert len(calls) > len(notes), "the seed repeats some calls: they link to the same note"
    for n in notes:
        for b in n.xpath(".//a[@class='backlink']/@href"):
            assert doc.get_element_by_id(b[1:]) is not None
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    assert doc.xpath("//div[contains(@class,'para')]/@id")[:1] == ["para_1"]


# ------------------------------------------------------------------------- the UN's files

def test_un_corpus_sample_renders_soundly(shared):
    """Every 8th file of session 78 in each language: one h1, unique ids, every call and
    back-link resolves, one listed note per authorialNote, no unsafe link."""
    t0, n = time.perf_counter(), 0
    for lang in LANGS:
        for path in corpus_files(lang, step=8):
            tree = xmlsafe.parse_file(path)
            doc = parse(html.render(tree, source_name=path.name))
            n += 1
            where = f"{lang}/{path.name}"
            assert len(doc.xpath("//h1")) == 1, where
            ids = doc.xpath("//@id")
            assert len(ids) == len(set(ids)), where
            idset = set(ids)
            for href in doc.xpath("//a[@class='fn-call' or @class='backlink' or @class='permalink']/@href"):
                assert href[1:] in idset, (where, href)
            for section in doc.xpath("//section"):   # what vnu warns of: "Section lacks heading"
                assert section.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"), (where, section.get("id"))
            n_notes = len(tree.getroot().findall(f".//{{{AKN}}}authorialNote"))
            assert len(doc.xpath("//ol[@class='notes-list']/li")) == n_notes, where
            for href in doc.xpath("//main//a/@href"):
                assert href.startswith(("#", "https://", "http://", "/akn/")), (where, href)
    assert n > 200
    print(f"\nrendered {n} UN files in {time.perf_counter() - t0:.1f}s")


def test_un_arabic_file_has_no_doubled_brackets(shared):
    path = next(iter(corpus_files("ar")), None)
    path = Path(str(path).replace(path.name, "A_RES_78_228-2325978A.xml"))
    doc = parse(html.render(xmlsafe.parse_file(path), source_name=path.name))
    text = doc.xpath("string(//main)")
    assert "(رقم 182)9" in text and "()" not in text and "((" not in text
    assert doc.xpath("string(//div[@class='symbol']/dd)") == "A/RES/78/228"
    assert doc.xpath("//div[@class='status']/dd/bdi/text()") == ["Distr.: General"]


# ------------------------------------------------------------------------- in a browser

CHECKER = ROOT / "tests" / "a11y" / "check.js"
CSP_WARNING = re.compile(r"Inline (style|script) violates Content Security Policy \(meta tag\)")


def _browser_tools() -> str | None:
    tools = Path(os.environ.get("A11Y_TOOLS", ROOT / ".tools"))
    missing = [m for m in ("axe-core", "playwright-core", "vnu-jar")
               if not (tools / "node_modules" / m / "package.json").is_file()]
    for cmd in ("node", "java"):
        if not shutil.which(cmd):
            missing.append(cmd)
    if not (os.environ.get("CHROMIUM") or shutil.which("chromium")):
        missing.append("chromium")
    return ", ".join(missing) or None


def test_pages_pass_axe_vnu_reflow_in_chromium(tmp_path, request):
    """The sample page (always), the seed (when the reader is there) and 2 UN files per
    language and A/RES/78/128 in six (three annexes; when ../shared is there): axe-core WCAG
    2.2 A/AA + best-practice in light and dark schemes -> 0 violations, vnu -> 0 errors and
    no warning but the CSP-hash ones, no sideways scrolling at 320/640 px, no request of any
    kind. Screenshots at 375 and 1280 px go to build/screens/."""
    missing = _browser_tools()
    if missing:
        pytest.skip(f"browser checks need {missing}: run `make system`")
    out = ROOT / "build" / "html-check"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pages = []
    (out / "sample.ar.xml").write_bytes(akn_doc(SAMPLE_BODY))
    pages.append(out / "sample.ar.html")
    pages[-1].write_text(render_bytes(akn_doc(SAMPLE_BODY), "sample.ar.xml"), encoding="utf-8")
    shoot, shot_langs = [], set()
    try:
        seed = request.getfixturevalue("seed_xml")
        pages.append(out / "A-RES-67-190.ar.html")
        pages[-1].write_text(html.render(xmlsafe.parse_file(seed), source_name="A-RES-67-190.ar.xml"),
                             encoding="utf-8")
        shoot.append(pages[-1].name)
        indexed = [out / "sample.ar.xml", seed]
    except Exception as e:   # the reader not importable yet: say so, check the rest
        print(f"\nseed page not checked: {type(e).__name__}: {e}")
        indexed = [out / "sample.ar.xml"]
    try:
        request.getfixturevalue("shared")
        for lang in LANGS:
            # two files a language, and A/RES/78/128: three annexes in one attachment,
            # labelled by headings, subheadings or a bold line depending on the language;
            # and the Arabic 78/3, whose annex label is a bold line
            extra = [p for p in corpus_files(lang) if p.name.startswith("A_RES_78_128-")
                     or (lang == "ar" and p.name.startswith("A_RES_78_3_"))]
            for path in corpus_files(lang, n=2, step=97) + extra:
                dest = out / (path.stem + ".html")
                dest.write_text(html.render(xmlsafe.parse_file(path), source_name=path.name),
                                encoding="utf-8")
                pages.append(dest)
                indexed.append(path)
                if lang in ("en", "zh") and lang not in shot_langs:
                    shoot.append(dest.name)
                    shot_langs.add(lang)
    except pytest.skip.Exception as e:
        print(f"\nUN files not checked: {e}")
    # the catalogue `make` and `akn build` write beside what they built (build/index.html)
    from akn import build
    build.write_index([str(p) for p in indexed], str(out / "index.html"))
    pages.append(out / "index.html")
    if len(shoot) < 2:
        shoot.append(pages[0].name)
    screens = ROOT / "build" / "screens"
    for old in screens.glob("*-[0-9]*.png"):   # ours, from an earlier run
        old.unlink()
    t0 = time.perf_counter()
    import importlib.util
    spec = importlib.util.find_spec("fontpkg_amiri")
    fonts = [str(Path(d) / "files") for d in (spec.submodule_search_locations or [])] if spec else []
    env = dict(os.environ, A11Y_FONT_DIRS=":".join(fonts))
    proc = subprocess.run(["node", str(CHECKER), "--out", str(screens), "--shoot", ",".join(shoot),
                           *map(str, pages)], capture_output=True, text=True, timeout=900, env=env)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        pytest.fail(f"checker exited {proc.returncode}: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    (out / "a11y-report.json").write_text(proc.stdout, encoding="utf-8")
    problems = []
    for f, r in report["files"].items():
        name = Path(f).name
        for v in r["axe"]:
            problems.append(f"{name}: axe {v['scheme']} {v['id']}: {v['help']} at "
                            f"{[n['target'] for n in v['nodes']]}")
        problems += [f"{name}: vnu line {m['line']}: {m['message']}" for m in r["vnu"]
                     if m["level"] == "error"]
        # warnings too, but for the inline style and script that vnu cannot match against
        # the Content-Security-Policy hashes (it does not compute them)
        problems += [f"{name}: vnu warning line {m['line']}: {m['message']}" for m in r["vnu"]
                     if m["level"] == "warning" and not CSP_WARNING.match(m["message"])]
        problems += [f"{name}: reflow {x}" for x in r["reflow"]]
        problems += [f"{name}: request {x}" for x in r["requests"]]
        problems += [f"{name}: CSP {x}" for x in r["csp"]]
        if r["error"]:
            problems.append(f"{name}: {r['error']}")
    assert not problems, "\n".join(problems)
    for name in shoot:
        for width in (375, 1280):
            png = screens / name.replace(".html", f"-{width}.png")
            assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"\n{len(pages)} pages: axe {report['axe']}, vnu {report['vnu']}, "
          f"Chromium {report['chromium']}: 0 violations, 0 errors in {took:.1f}s")


# ------------------------------------------------------------------------- any text at all

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(
    list("<>&\"' /()[]A-zابت١٢٣\u200f\u202b\u2067")), max_size=80)


@settings(max_examples=int(os.environ.get("AKN_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT, note=_TEXT, href=_TEXT)
def test_any_text_is_shown_as_text_and_nothing_more(text, note, href):
    """Whatever the document says, the page shows it as text (whitespace collapsed, NFC,
    bidi controls dropped), adds no element of its own making, and links only safe hrefs."""
    from xml.sax.saxutils import escape, quoteattr
    body = (f'<preamble><container eId="c1"><p>{escape(text)}<authorialNote eId="n1" marker="1">'
            f'<p>{escape(note)}</p></authorialNote> <ref href={quoteattr(href)}>R</ref></p>'
            f'</container></preamble>')
    try:
        data = akn_doc(body, lang="eng")
        xmlsafe.parse_bytes(data)
    except Exception:
        return   # not well-formed XML (e.g. a character XML forbids): not our concern here
    doc = parse(render_bytes(data))
    unit = doc.get_element_by_id("c1")
    shown = unit.xpath("string(./p)")
    expect = html.clean(text).strip()
    assert " ".join(shown.split()).startswith(" ".join(expect.split())[:40])
    assert {e.tag for e in unit.iter()} <= {"div", "a", "p", "sup", "bdi", "span"}
    links = unit.xpath("./p/a/@href")
    assert links == ([href.strip()] if html.safe_href(href) else [])
    assert " ".join(doc.get_element_by_id("n1").xpath("string(.//div[@class='note-body'])").split()) \
        .endswith(" ".join(re.sub(r"^\s*\(\s*\)", "", html.clean(note)).split())[-40:])


def test_without_a_file_name_there_are_no_file_links():
    page = html.render(xmlsafe.parse_bytes(akn_doc(SAMPLE_BODY)))
    doc = parse(page)
    assert not doc.xpath("//nav | //link[@rel='alternate'] | //p[@class='made']")
    assert "encoding" not in json.loads(doc.xpath("//script")[0].text)


def test_document_collection_parts_sections_annex_table():
    """78/80 A-B style: a collection whose components are statements, each with its own
    title, preamble, body and notes (markers restart); plus sections, an annex, a table."""
    def statement(letter, extra=""):
        return (f'<statement name="resolution"><meta><identification source="#x"><FRBRWork>'
                f'<FRBRthis value="/w/{letter}"/><FRBRuri value="/w/"/><FRBRdate date="2023-12-07" name="adoption"/>'
                f'<FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork><FRBRExpression><FRBRthis value="/e/{letter}"/>'
                f'<FRBRuri value="/e/"/><FRBRdate date="2023-12-11" name="publication"/><FRBRauthor href="#ga"/>'
                f'<FRBRlanguage language="eng"/></FRBRExpression><FRBRManifestation><FRBRthis value="/m/{letter}"/>'
                f'<FRBRuri value="/m/"/><FRBRdate date="2023-12-20" name="markup"/><FRBRauthor href="#x"/>'
                f'</FRBRManifestation></identification></meta>'
                f'<preface><p><docNumber>{letter}</docNumber> <docTitle>Title {letter}</docTitle></p></preface>'
                f'<preamble><formula name="enactingFormula"><p><span class="italic">The General Assembly</span>,</p></formula>'
                f'<container eId="container_2"><p><span class="italic">Recalling</span> x<authorialNote marker="1" eId="authorialNote_1"><p>Note {letter}.</p></authorialNote> and y<sup>1</sup>,</p></container></preamble>'
                f'<mainBody><section><p><num>I</num></p><subheading>Section {letter}</subheading>'
                f'<paragraph eId="para_6"><num>1.</num><content><p><span class="italic">Decides</span> z;</p></content></paragraph></section>'
                f'<container><table><tr><th><p>Post</p></th><th><p>Number</p></th></tr><tr><td><p>P-4</p></td><td><p>1</p></td></tr></table></container>'
                f'</mainBody><conclusions><p><event><location>45th plenary meeting</location><eol/><docDate date="2023-12-07">7 December 2023</docDate></event></p></conclusions>'
                f'{extra}</statement>')
    annex = ('<attachments><attachment><doc name="annex"><meta><identification source="#x"><FRBRWork><FRBRthis value="/a"/>'
             '<FRBRuri value="/a"/><FRBRdate date="2023-12-07" name="x"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork>'
             '<FRBRExpression><FRBRthis value="/a"/><FRBRuri value="/a"/><FRBRdate date="2023-12-07" name="x"/><FRBRauthor href="#ga"/>'
             '<FRBRlanguage language="eng"/></FRBRExpression><FRBRManifestation><FRBRthis value="/a"/><FRBRuri value="/a"/>'
             '<FRBRdate date="2023-12-07" name="x"/><FRBRauthor href="#x"/></FRBRManifestation></identification></meta>'
             '<mainBody><paragraph eId="para_310"><heading>Annex</heading></paragraph><paragraph eId="para_311"><num>1.</num>'
             '<content><p>Opening.</p></content></paragraph></mainBody></doc></attachment></attachments>')
    data = f"""<akomaNtoso xmlns="{AKN}"><documentCollection name="publication"><meta><identification source="#x">
<FRBRWork><FRBRthis value="/akn/un/statement/deliberation/unga/2023-12-07/78-80/!main/"/><FRBRuri value="/w"/>
<FRBRdate date="2023-12-07" name="adoption"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork>
<FRBRExpression><FRBRthis value="/akn/un/statement/deliberation/unga/2023-12-07/78-80/eng@!main/"/><FRBRuri value="/e"/>
<FRBRdate date="2023-12-11" name="publication"/><FRBRauthor href="#ga"/><FRBRlanguage language="eng"/></FRBRExpression>
<FRBRManifestation><FRBRthis value="/m"/><FRBRuri value="/m"/><FRBRdate date="2023-12-20" name="markup"/><FRBRauthor href="#x"/></FRBRManifestation>
</identification></meta><coverPage><p><docNumber refersTo="#symbol">A/RES/78/80 A-B</docNumber></p></coverPage>
<preface><p><docNumber>78/80.</docNumber> <docTitle>Questions relating to information</docTitle></p></preface>
<collectionBody><component eId="comp_def_0"><documentRef href="comp_0"/></component>
<component eId="comp_def_1"><documentRef href="comp_1"/></component></collectionBody></documentCollection>
<components><component eId="comp_0">{statement("A", annex)}</component><component eId="comp_1">{statement("B")}</component></components>
</akomaNtoso>""".encode()
    doc = parse(render_bytes(data, "A_RES_78_80AB.xml"))
    assert doc.get("lang") == "en" and doc.xpath("string(//h1)") == "78/80. Questions relating to information"
    parts = doc.xpath("//main/section[@class='part']")
    assert [p.xpath("string(./h2)") for p in parts] == ["A Title A", "B Title B"]
    assert [h.text_content() for h in doc.xpath("//section[@class='section']/h3")] == \
        ["I Section A", "I Section B"]
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    assert doc.get_element_by_id("para_6") is not None and doc.get_element_by_id("para_6-2") is not None
    # markers restart per resolution: each part's repeated <sup>1</sup> links to its own note
    calls = [(a.get("href"), a.get("id")) for a in doc.xpath("//a[@class='fn-call']")]
    assert calls == [("#authorialNote_1", "call-authorialNote_1"), ("#authorialNote_1", "call-authorialNote_1.2"),
                     ("#authorialNote_1-2", "call-authorialNote_1-2"),
                     ("#authorialNote_1-2", "call-authorialNote_1-2.2")]
    table = doc.xpath("//div[@class='table-wrap']")[0]
    assert table.get("tabindex") == "0" and table.get("role") == "region" and table.get("aria-label")
    assert table.xpath(".//th/@scope") == ["col", "col"]
    annex = doc.xpath("//section[@class='annex']")[0]
    assert annex.xpath("string(.//h3)") == "Annex" and "Opening." in annex.text_content()
    levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_missing_parts_still_make_a_sound_page():
    """No preface (the title falls back to the symbol), no cover page, no language."""
    data = akn_doc('<mainBody><paragraph eId="para_1"><num>1.</num><content><p>Text.</p></content>'
                   '</paragraph></mainBody>', lang="", cover="", preface="")
    doc = parse(render_bytes(data))
    assert doc.get("lang") == "und" and doc.get("dir") == "ltr"
    assert doc.xpath("string(//h1)") == "67/190"
    assert doc.xpath("//header[@class='masthead']//dd")[0].text_content() == "67/190"
    assert doc.get_element_by_id("para_1").xpath("string(./p)") == "1. Text."


# ------------------------------------------------------------------------- annexes, masthead

ANNEX_DOC = """<attachments><attachment><doc name="annex"><mainBody>{}</mainBody></doc></attachment></attachments>"""


def _annex_page(annex_body: str, lang: str = "eng") -> lxml.html.HtmlElement:
    body = ('<mainBody><paragraph eId="para_1"><num>1.</num><content><p>Decides.</p></content>'
            '</paragraph></mainBody>' + ANNEX_DOC.format(annex_body))
    return parse(render_bytes(akn_doc(body, lang=lang)))


@pytest.mark.parametrize("label", [
    '<paragraph eId="para_4"><heading>Annex</heading></paragraph>',
    '<paragraph eId="para_4"><subheading>Annex</subheading></paragraph>',
    '<paragraph eId="para_4"><content><p><span class="bold">\tAnnex</span></p></content></paragraph>'])
def test_an_annex_label_in_any_of_the_uns_three_forms_is_its_heading(label):
    """The UN marks an annex's label as a heading, a subheading or a bold line, and its
    title the same way: the section's heading is the label with the title under it."""
    title = label.replace("para_4", "para_5").replace("Annex", "Political declaration")
    doc = _annex_page(label + title + '<paragraph eId="para_6"><num>1.</num><content><p>We, '
                      'the Heads of State, <span class="bold">reaffirm</span>.</p></content></paragraph>')
    section = doc.xpath("//section[@class='annex']")[0]
    heading = section[0]
    assert heading.tag == "h2" and heading.get("id") == "para_4"
    assert " ".join(heading.text_content().split()) == "Annex Political declaration"
    assert heading.xpath("span[@class='annex-title']/@id") == ["para_5"]
    assert section.xpath("string(.//div[@id='para_6']/p)").startswith("1. We, the Heads")
    assert not section.xpath(".//h2[position() > 1] | .//p[normalize-space(.)='Annex']")


def test_annexes_sharing_one_attachment_are_sections_of_their_own():
    """A/RES/78/128 (every language) has annexes I, II and III in one attachment: three
    sections, each headed by its label and title; a section heading inside an annex sits
    a level below it; a bold sentence in the text is no label."""
    def annex(n, cjk):
        label = f"附件{cjk}" if cjk else f"Annex {n}"
        return (f'<paragraph eId="a{n}"><heading>{label}</heading></paragraph>'
                f'<paragraph eId="t{n}"><heading>Title {n}</heading></paragraph>'
                f'<paragraph eId="s{n}"><heading>A. Part</heading></paragraph>'
                f'<paragraph eId="p{n}"><num>1.</num><content><p>Text {n}.</p></content></paragraph>')
    for lang, numbers in (("eng", ["I", "II", "III"]), ("zho", ["一", "二", "三"])):
        doc = _annex_page("".join(annex(i + 1, n if lang == "zho" else "").replace(
            f"Annex {i + 1}", f"Annex {n}") for i, n in enumerate(numbers)), lang)
        sections = doc.xpath("//section[@class='annex']")
        assert [s[0].get("id") for s in sections] == ["a1", "a2", "a3"], lang
        label = "附件" if lang == "zho" else "Annex "
        assert [s[0].xpath("string(text())").strip() for s in sections] == \
            [label + n for n in numbers]
        assert all(s.xpath("h3[@id]")[0].text_content() == "A. Part" for s in sections)
    doc = _annex_page('<paragraph eId="a1"><heading>Annex</heading></paragraph>'
                      '<paragraph eId="b"><content><p><span class="bold">Annex II is '
                      'long</span></p></content></paragraph>'
                      '<paragraph eId="c"><content><p><span class="bold">Annex II</span></p>'
                      '</content></paragraph>')
    assert len(doc.xpath("//section[@class='annex']")) == 1   # "Annex" has no number


def test_un_annexes_have_headings_in_six_languages(shared):
    """Every annex of A/RES/78/128 (three) and 78/3 (one: a bold line in Arabic) is a
    section whose first element is a heading naming it, in every language."""
    words = {"ar": "المرفق", "en": "Annex", "fr": "Annexe", "es": "Anexo", "ru": "Приложение",
             "zh": "附件"}
    for lang in LANGS:
        for name, count in (("A_RES_78_128-", 3), ("A_RES_78_3_", 1)):
            path = next(p for p in corpus_files(lang) if p.name.startswith(name))
            doc = parse(html.render(xmlsafe.parse_file(path), source_name=path.name))
            sections = doc.xpath("//section[contains(@class, 'annex')]")
            assert len(sections) == count, (lang, name)
            for s in sections:
                assert s[0].tag == "h2" and s[0].text_content().strip().startswith(words[lang]), \
                    (lang, name, s[0].text_content()[:40])


def test_a_status_that_names_itself_keeps_its_label_for_screen_readers_only():
    """"Distribution | Distr.: General" said the same thing twice on English pages (and
    French, Spanish); an Arabic page keeps its label beside the UN's English."""
    cover = ('<coverPage><p><docNumber>A/RES/78/1</docNumber></p><p><docStatus>{}</docStatus>'
             '</p></coverPage>')
    for lang, status, named in (("eng", "Distr.: General", True), ("fra", "Distr. générale", True),
                                ("spa", "Distr. general", True), ("ara", "Distr.: General", False),
                                ("zho", "Distr.: General", False), ("eng", "General", False)):
        doc = parse(render_bytes(akn_doc(SAMPLE_BODY, lang=lang, cover=cover.format(status))))
        row = doc.xpath("//dl[@class='docinfo']/div[contains(@class, 'status')]")[0]
        assert ("named" in row.get("class").split()) is named, (lang, status)
        assert (row.xpath("dt")[0].get("class") == "vh") is named
        assert row.xpath("string(dd)") == status
    css = (ROOT / "templates" / "screen.css").read_text(encoding="utf-8")
    assert re.search(r"\.vh \{[^}]*position: absolute;[^}]*clip-path: inset\(50%\)", css)


def test_a_2mb_latin_paragraph_in_an_arabic_resolution_renders_in_linear_time(seed_xml, tmp_path):
    """The isolation of Latin runs joined its text a character at a time (quadratic: 61 s
    for 2 MB). The limit is ~20x above the expected time only to make a hang obvious."""
    tree = etree.parse(str(seed_xml))
    para = next(tree.getroot().iter("{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}mainBody"))
    p = next(para.iter("{http://docs.oasis-open.org/legaldocml/ns/akn/3.0}p"))
    latin = ("The General Assembly, recalling A/RES/64/293 of 30 July 2010, decides. " * 29000)
    p.text = (p.text or "") + " " + latin
    src = tmp_path / "big.xml"
    tree.write(str(src), encoding="utf-8", xml_declaration=True)
    assert src.stat().st_size > 2_000_000
    out = tmp_path / "big.html"
    run_akn("html", src, "-o", out, "-q", timeout=30)
    page = out.read_text(encoding="utf-8")
    run = re.search(r'<bdi dir="ltr" lang="en">(The General Assembly[^<]*)</bdi>', page)
    assert run is not None
    assert run.group(1) == latin.strip().rstrip(".")   # one run, whole, in order (its last
    assert page[run.end():].startswith(".")             # full stop outside, as punctuation is)
