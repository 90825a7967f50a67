"""Layouts the session-78 corpus taught the reader (small English texts in the seed's shape):
superscripts without brackets, an unnumbered "Resolves that:" before paragraph 1, a numbered
list that a page end interrupts, notes whose numbering starts above one, and a bold heading
after a page end."""
from __future__ import annotations

from akn import AKN_NS, schema
from akn.read import parse_text

NS = {"a": AKN_NS}
HEAD = """General Assembly Seventy-eighth session

Agenda item 12

Resolution adopted by the General Assembly on 22 December 2023

78/999. A test of layouts

The General Assembly,

"""


def parse(body: str):
    doc = parse_text((HEAD + body).encode(), "t.txt")
    assert schema.is_valid(doc.tree), schema.errors(doc.tree)
    return doc


def paragraphs(doc):
    """(number, text without the notes' bodies) of each top-level paragraph; a heading
    between paragraphs is a paragraph holding only its subheading, as the UN marks it up."""
    out = []
    for p in doc.tree.xpath("//a:mainBody/a:paragraph", namespaces=NS):
        blocks = ["".join(b.xpath(".//text()[not(ancestor::a:authorialNote)]", namespaces=NS))
                  for b in p.xpath(".//a:p[not(ancestor::a:authorialNote)] | a:subheading", namespaces=NS)]
        out.append(("".join(p.xpath("a:num/text()", namespaces=NS)), " ".join(" ".join(blocks).split())))
    return out


def test_superscripts_without_brackets_are_sup_not_text():
    doc = parse("Recalling its resolution 77/1,\n\n1. Decides that at th^e 9^th meeting of 1949,^2 "
                "the work continues;\n\n80th plenary meeting\n\n22 December 2023\n")
    sups = doc.tree.xpath("//a:mainBody//a:sup/text()", namespaces=NS)
    assert sups == ["e", "th", "2"]
    assert "^" not in "".join(doc.tree.xpath("//a:mainBody//text()", namespaces=NS))
    assert paragraphs(doc)[0][1] == "Decides that at the 9th meeting of 1949,2 the work continues;"


def test_unnumbered_intro_before_paragraph_one_is_operative():
    doc = parse("Recalling its resolution 77/1,\n\nResolves that:\n\n1. The Fund shall be kept;\n\n"
                "2. The Fund shall be used;\n\n80th plenary meeting\n\n22 December 2023\n")
    assert len(doc.tree.xpath("//a:preamble/a:container", namespaces=NS)) == 1
    assert paragraphs(doc) == [("", "Resolves that:"), ("1.", "The Fund shall be kept;"),
                               ("2.", "The Fund shall be used;")]


def test_numbered_list_interrupted_by_a_page_end_stays_in_its_paragraph():
    doc = parse("Recalling its resolution 77/1,\n\n1. Decides to act;\n\n2. Notes the report;\n\n"
                "3. Approves the following agenda:\n\n"
                "1. Opening of the Congress.\n\n2. Organizational matters.^(1)\n\n"
                "(1) A/78/1.\n\n3. Adoption of the report.\n\n4. **Decides** to meet again;\n\n"
                "80th plenary meeting\n\n22 December 2023\n")
    got = paragraphs(doc)
    assert [n for n, _ in got] == ["1.", "2.", "3.", "4."]
    assert got[2][1] == ("Approves the following agenda: Opening of the Congress. "
                         "Organizational matters. Adoption of the report.")
    assert not [d for d in doc.diagnostics.items if d.code == "numbering"]


def test_first_note_numbered_above_one_is_a_note_when_called():
    doc = parse("Recalling its resolution 77/1,^(2)\n\n(2) Resolution 77/1.\n\n"
                "1. Decides to act;^(3)\n\n(3) A/78/2.\n\n80th plenary meeting\n\n22 December 2023\n")
    notes = doc.tree.xpath("//a:authorialNote", namespaces=NS)
    assert [n.get("marker") for n in notes] == ["2", "3"]
    assert "(2)" not in " ".join(doc.tree.xpath("//a:preamble//a:p/text()", namespaces=NS))


def test_body_numbered_above_one_without_its_call_is_text():
    doc = parse("Recalling its resolution 77/1,\n\n(2) Resolution 77/1.\n\n1. Decides to act;\n\n"
                "80th plenary meeting\n\n22 December 2023\n")
    assert not doc.tree.xpath("//a:authorialNote", namespaces=NS)


def test_bold_heading_after_a_page_end_is_not_glued_to_the_paragraph_before():
    doc = parse("Recalling its resolution 77/1,\n\n1. **Decides** to act;^(1)\n\n(1) A/78/1.\n\n"
                "**Budget estimates for 2024**\n\n2. **Approves** the budget;\n\n"
                "80th plenary meeting\n\n22 December 2023\n")
    assert paragraphs(doc) == [("1.", "Decides to act;"), ("", "Budget estimates for 2024"),
                               ("2.", "Approves the budget;")]
