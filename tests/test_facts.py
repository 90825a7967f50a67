"""One reading of a document's facts (akn/facts.py) for every writer: the HTML page, the
PDF, the bag and the catalogue say the same language, direction, symbol and title."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from akn import bag, build, lang
from akn.facts import Facts
from akn.render import html, pdf

DOC = """<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
<statement name="resolution"><meta><identification source="#x">
<FRBRWork><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/!main"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/"/>
<FRBRalias name="symbol" value="A/RES/67/190"/>
<FRBRdate date="2012-12-20" name="adoption"/><FRBRauthor href="#ga"/><FRBRcountry value="un"/></FRBRWork>
<FRBRExpression><FRBRthis value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/{code}@/"/>
<FRBRuri value="/akn/un/statement/deliberation/unga/2012-12-20/67-190/{code}@/"/>
<FRBRdate date="2013-02-14" name="publication"/><FRBRauthor href="#ga"/><FRBRlanguage language="{code}"/></FRBRExpression>
<FRBRManifestation><FRBRthis value="/akn/x.xml"/><FRBRuri value="/akn/x.xml"/>
<FRBRdate date="2013-02-14" name="markup"/><FRBRauthor href="#x"/></FRBRManifestation>
</identification></meta>
<coverPage><p><docNumber>A/RES/67/190</docNumber></p></coverPage>
<preface><p><docNumber>67/190.</docNumber> <docTitle>{title}</docTitle></p></preface>
<mainBody><paragraph eId="para_1"><num>1.</num><content><p>Decides to remain seized.</p></content></paragraph></mainBody>
</statement></akomaNtoso>"""


def tree(code: str = "eng", title: str = "Improving coordination"):
    return etree.ElementTree(etree.fromstring(DOC.format(code=code, title=title).encode()))


def every_reading(t, tmp_path) -> dict:
    """(lang, dir, title) as each writer and the catalogue state them."""
    page = html.render(t, source_name="x.xml")
    root = re.search(r'<html lang="([^"]*)" dir="([^"]*)"', page)
    f = pdf.facts(t)
    path = tmp_path / "x.xml"
    path.write_bytes(etree.tostring(t))
    entry = build.entry_for(str(path), "x")
    b = bag.read_facts(t)
    return {"html": (root.group(1), root.group(2), re.search(r"<title>(.*?) — ", page).group(1)),
            "pdf": (f.lang, "rtl" if f.rtl else "ltr", f.title),
            "catalogue": (entry["lang"], entry["dir"], entry["title"]),
            "bag": (b.lang, None, b.title)}


@pytest.mark.parametrize("code, want", [("per", ("fa", "rtl")), ("fas", ("fa", "rtl")),
                                        ("", ("und", "ltr")), ("xyz", ("und", "ltr")),
                                        ("ara", ("ar", "rtl")), ("chi", ("zh", "ltr"))])
def test_every_writer_names_the_language_alike(code, want, tmp_path):
    """Persian (ISO 639-2 per/fas) is fa, right to left; no language or one we cannot name
    is "und" (BCP 47 undetermined), never a guess ("pe", "en")."""
    readings = every_reading(tree(code), tmp_path)
    for who, (tag, dirn, _) in readings.items():
        assert tag == want[0], who
        assert dirn in (want[1], None), who
    assert (lang.tag_for(code), lang.direction(lang.tag_for(code))) == want


def test_a_note_in_the_title_is_no_part_of_it_anywhere(tmp_path):
    t = tree(title='Improving coordination<authorialNote marker="1" eId="n1"><p>See A/67/458.'
                   '</p></authorialNote> against trafficking')
    readings = every_reading(t, tmp_path)
    assert {r[2] for r in readings.values()} == {"Improving coordination against trafficking"}
    page = html.render(t, source_name="x.xml")
    assert '"name": "Improving coordination against trafficking"' in page   # JSON-LD
    # the heading still shows the note's call, and the note is listed
    assert 'class="fn-call"' in page and "See A/67/458." in page


def test_facts_of_a_document():
    f = Facts(tree("ara"))
    assert (f.lang, f.dir, f.rtl, f.language) == ("ar", "rtl", True, "ara")
    assert f.symbol == "A/RES/67/190" and f.title == "Improving coordination"
    assert f.work.endswith("67-190/!main") and f.expression.endswith("ara@/")
    assert f.manifestation == "/akn/x.xml"
    assert (f.adopted, f.published, f.dates) == ("2012-12-20", "2013-02-14",
                                                ["2012-12-20", "2013-02-14", "2013-02-14"])
    assert f.parts == [f.doc] and not f.collection and f.doc_name == "resolution"
    assert f.printed_symbol == "A/RES/67/190" and f.alias == "A/RES/67/190"


def test_the_symbol_falls_back_to_the_alias_then_the_number():
    t = tree()
    cover = t.getroot().find(".//{*}coverPage")
    cover.getparent().remove(cover)
    assert Facts(t).symbol == "A/RES/67/190"          # FRBRalias
    alias = t.getroot().find(".//{*}FRBRalias")
    alias.getparent().remove(alias)
    assert Facts(t).symbol == "67/190"                # the work IRI's number
