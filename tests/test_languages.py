"""Six languages, two input shapes: resolution 78/30 as the UN publishes it in Arabic,
English, French, Spanish, Russian and Chinese, flattened by ../shared/tools/unxml2text.py
into the seed's cleaned shape and into the raw shape a PDF extractor gives (the files in
tests/data/langs, with the structure of the UN's XML beside them as the tool wrote it).

Checked in each language and shape: the language found, the structure (preambular and
operative paragraphs, notes, title, date) against the UN's, schema validity, dates and
references, that no word is lost, added or reordered, and that page furniture is recorded
in the metadata, not the text. Then detection and --lang, repairs the raw shape needs, and
bad input per language.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from lxml import etree

from akn import AKN_NS, schema
from akn.diagnostics import AknError
from akn.read import parse_text
from conftest import run_akn

DATA = Path(__file__).resolve().parent / "data" / "langs"
LANGS = ("ar", "en", "fr", "es", "ru", "zh")
SHAPES = ("cleaned", "raw")
FRBR = {"ar": "ara", "en": "eng", "fr": "fra", "es": "spa", "ru": "rus", "zh": "zho"}
NS = {"a": AKN_NS}
A = f"{{{AKN_NS}}}"


def source(lang: str, shape: str) -> Path:
    return DATA / f"78-30.{lang}.{shape}.txt"


def gold(lang: str) -> dict:
    return json.loads((DATA / f"78-30.{lang}.json").read_text(encoding="utf-8"))


_docs: dict = {}


def doc(lang: str, shape: str):
    if (lang, shape) not in _docs:
        path = source(lang, shape)
        _docs[lang, shape] = parse_text(path.read_bytes(), str(path))
    return _docs[lang, shape]


def norm(s: str) -> str:
    """As the UN's scorer compares texts: NFC, no bold or call marks, tatweel and bidi marks
    aside, white space folded."""
    s = unicodedata.normalize("NFC", s or "").replace("**", "")
    s = re.sub(r"\^\([^)]*\)", "", s)
    s = re.sub("[\u0640\u200e\u200f\u2066-\u2069]", "", s)
    return " ".join(s.split())


def text_without_notes(el) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag not in (A + "authorialNote", A + "noteRef", A + "num"):
            parts.append(text_without_notes(child))
        parts.append(child.tail or "")
    return "".join(parts)


# -- each language, each shape ------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", LANGS)
def test_language_is_found_and_declared(lang, shape):
    d = doc(lang, shape)
    assert d.language == lang and d.shape == shape
    assert d.tree.find(".//a:FRBRExpression/a:FRBRlanguage", NS).get("language") == FRBR[lang]
    assert f"/{FRBR[lang]}@/" in d.tree.find(".//a:FRBRExpression/a:FRBRuri", NS).get("value")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", LANGS)
def test_structure_is_the_uns(lang, shape):
    """Preambular and operative paragraphs, notes, title and adoption date as in the UN's
    own XML of the same resolution."""
    g, root = gold(lang), doc(lang, shape).tree.getroot()
    pre = [norm(text_without_notes(c)) for c in root.findall(".//a:preamble/a:container", NS)]
    assert pre == [norm(p) for p in g["preamble"]]
    ops = root.xpath(".//a:mainBody//a:paragraph[not(ancestor::a:paragraph)]", namespaces=NS)
    assert len(ops) == len(g["operative"])
    for para, want in zip(ops, g["operative"]):
        num = para.find("a:num", NS)
        assert norm(num.text if num is not None else "") == norm(want["num"])
        assert norm(text_without_notes(para)) == norm(want["text"])
    notes = [norm("".join(n.itertext())) for n in root.iter(A + "authorialNote")]
    assert notes == [norm(n["text"]) for n in g["notes"]]
    assert norm("".join(root.find(".//a:preface//a:docTitle", NS).itertext())) == norm(g["title"])
    assert root.find(".//a:FRBRWork/a:FRBRdate", NS).get("date") == g["adoption_date"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", LANGS)
def test_valid_under_the_official_schema(lang, shape):
    tree = etree.fromstring(doc(lang, shape).to_bytes())
    assert list(schema.xmlschema_schema().iter_errors(tree)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_dates_meeting_and_references(lang):
    root = doc(lang, "cleaned").tree.getroot()
    dates = [d.get("date") for d in root.iter(A + "date")]
    assert "2005-12-08" in dates  # "resolutions 60/72 of 8 December 2005", in each language's words
    assert root.find(".//a:conclusions//a:docDate", NS).get("date") == "2023-12-04"
    assert root.find(".//a:conclusions//a:location", NS).get("title") == "42"
    hrefs = {r.get("href") for r in root.iter(A + "ref")}
    assert "https://undocs.org/A/RES/60/72" in hrefs
    assert "https://undocs.org/A/78/409" in hrefs


def source_words(lang: str) -> tuple[list[str], list[list[str]]]:
    """The cleaned text's words in order — page marks, calls and bold marks aside — and its
    note bodies apart, read by the shape's own simple rules (not by the reader)."""
    body, notes, nxt = [], [], 1
    for block in re.split(r"\n\s*\n", source(lang, "cleaned").read_text(encoding="utf-8")):
        block = " ".join(block.split())
        if not block or block == "الرجاء إعادة الاستعمال":
            continue
        m = re.match(r"^\((\d+)\)\s*(.*)$", block)
        if m and int(m.group(1)) == nxt:
            notes.append(re.sub(r"\^(?=[^\W\d_]|[’'])", "", m.group(2)).split())
            nxt += 1
            continue
        block = re.sub(r"\^\([^)]*\)", "", block)                   # note calls
        block = re.sub(r"\^(?=[^\W\d_]|[’'])", "", block)             # superscripts: 1^er
        # a bold run glued to a word had its space inside the run ("**تقرر**أن"): the reader
        # gives the space back (akn/read/inline.py)
        block = re.sub(r"(?<=\w)\*\*(?=\w)", " ", block) if lang != "zh" else block
        body.extend(block.replace("**", "").split())
    return body, notes


def printed(el) -> str:
    """An element's text as printed: numbers included, note bodies left out."""
    parts = [el.text or ""]
    for child in el:
        if child.tag not in (A + "authorialNote", A + "noteRef"):
            parts.append(printed(child))
        parts.append(child.tail or "")
    return "".join(parts)


def xml_words(root) -> tuple[list[str], list[list[str]]]:
    statement = root.find("a:statement", NS)
    words = " ".join(printed(part) for part in statement if part.tag != A + "meta").split()
    return words, ["".join(n.itertext()).split() for n in root.iter(A + "authorialNote")]


@pytest.mark.parametrize("lang", LANGS)
def test_no_word_lost_added_or_reordered(lang):
    """Cleaned shape: the XML's words are the text's words, in order; the notes' words are
    the note bodies'."""
    body, notes = source_words(lang)
    got_body, got_notes = xml_words(doc(lang, "cleaned").tree.getroot())
    assert got_body == body
    assert got_notes == notes


@pytest.mark.parametrize("lang", LANGS)
def test_raw_text_reads_as_the_cleaned_one(lang):
    """Raw shape: from the title on, the same words in the same order as the cleaned text
    gives (whose words are checked against its source above), the same notes; the raw
    masthead carries more facts (publisher, symbol, Distr., issue date, agenda item's name)."""
    cleaned = doc(lang, "cleaned").tree.getroot()
    raw = doc(lang, "raw").tree.getroot()
    for part in ("preface", "preamble", "mainBody", "conclusions"):
        a, b = cleaned.find(f".//a:{part}", NS), raw.find(f".//a:{part}", NS)
        assert printed(b).split() == printed(a).split(), part
    assert xml_words(raw)[1] == xml_words(cleaned)[1]
    cover = raw.find(".//a:coverPage", NS)
    assert cover.find(".//a:docAuthority[@refersTo='#publisher']", NS) is not None
    assert cover.find(".//a:docNumber[@refersTo='#symbol']", NS).text == "A/RES/78/30"
    assert cover.find(".//a:docStatus", NS).text.startswith("Distr.")  # "Distr. générale" in French
    assert cover.find(".//a:docDate", NS).get("date") == "2023-12-06"
    assert cover.find(".//a:inline[@name='agenda item name']", NS) is not None


@pytest.mark.parametrize("lang", LANGS)
def test_raw_page_furniture_is_metadata(lang):
    """Job number, bar code, running headers (symbol, short title), page numbers and the rule
    over the notes are recorded as artifacts with their line; none of them is in the text."""
    d = doc(lang, "raw")
    root = d.tree.getroot()
    artifacts = root.findall(".//{*}artifact")
    kinds = {a.get("kind") for a in artifacts}
    assert {"job-number", "bar-code", "symbol", "running-title", "page-number", "rule"} <= kinds
    lines = source(lang, "raw").read_text(encoding="utf-8").splitlines()
    for a in artifacts:
        assert lines[int(a.get("line")) - 1].strip() == a.text
    body = " ".join(" ".join(text_without_notes(part).split()) for part in root.find(".//a:statement", NS)
                    if part.tag != A + "meta")
    assert not re.search(r"\b\d\d-\d{5}\b|\*\d{7}\*|\b\d/\d\b", body)
    assert any(w.code == "artifact" for w in d.diagnostics.warnings)


@pytest.mark.parametrize("lang", LANGS)
def test_raw_calls_are_read_from_glued_digits(lang):
    d = doc(lang, "raw")
    glued = [w for w in d.diagnostics.warnings if w.code == "call-glued"]
    assert len(glued) == len(gold(lang)["notes"])
    assert all(re.search(r"read as the call of note", w.message) for w in glued)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lang", LANGS)
def test_same_bytes_twice(lang, shape):
    path = source(lang, shape)
    assert parse_text(path.read_bytes(), "x").to_bytes() == parse_text(path.read_bytes(), "x").to_bytes()


# -- detection and --lang -------------------------------------------------------------------------
def test_lang_overrides_detection(tmp_path):
    out = tmp_path / "fr.xml"
    proc = run_akn("parse", source("fr", "cleaned"), "-o", out, "--lang", "fr")
    assert proc.returncode == 0
    assert b'language="fra"' in out.read_bytes()
    # read as English (as told), a French resolution declares English and the reader says
    # what it could not find: the formula, the closing meeting
    proc = run_akn("parse", source("fr", "cleaned"), "-o", tmp_path / "en.xml", "--lang", "en")
    assert b'language="eng"' in (tmp_path / "en.xml").read_bytes()
    assert "no enacting formula" in proc.stderr and "no closing meeting line" in proc.stderr


def test_an_unknown_language_code_is_refused(tmp_path):
    proc = run_akn("parse", source("en", "cleaned"), "-o", tmp_path / "x.xml", "--lang", "de", check=False)
    assert proc.returncode in (1, 2) and "de" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xml").exists()


@pytest.mark.parametrize("text, why", [
    ("Η Γενική Συνέλευση, " * 40, "Greek"),
    ("Die Generalversammlung, unter Hinweis auf ihre Resolutionen und in der Erwägung, dass die "
     "Staaten ihre Verpflichtungen erfüllen müssen, " * 12, "German"),
])
def test_a_text_in_no_known_language_is_a_clear_error(text, why):
    with pytest.raises(AknError) as e:
        parse_text(text.encode(), "t.txt")
    assert str(e.value).startswith("t.txt:1:1: error: the text is in none of the languages"), why
    assert "--lang" in str(e.value)


@pytest.mark.parametrize("lang", LANGS)
def test_detection_needs_no_masthead(lang):
    """The language is found from the paragraphs alone (the masthead cut off)."""
    text = source(lang, "cleaned").read_text(encoding="utf-8")
    body = text[text.index("\n\n", text.index("78/30")):]
    from akn.lang import detect
    assert detect(body).code == lang


# -- what the raw shape needs -----------------------------------------------------------------------
def test_form_feeds_are_page_ends_and_chinese_joins_without_spaces():
    """A pdftotext-like page end (a form feed) cuts a Chinese paragraph; the halves join
    without a space, and the line wrapped inside a word joins without one too."""
    text = source("zh", "raw").read_text(encoding="utf-8")
    d = parse_text(text.encode(), "zh.txt")
    want = [norm(text_without_notes(p)) for p in d.tree.getroot().findall(".//a:preamble/a:container", NS)]
    # the running headers replaced by form feeds: the same reading
    text_ff = re.sub(r"A/RES/78/30 \n[^\n]*\n \n\d\d-\d{5}\n\d/\d \n", "\f", text)
    assert text_ff.count("\f") == 2
    d2 = parse_text(text_ff.encode(), "zh-ff.txt")
    got = [norm(text_without_notes(p)) for p in d2.tree.getroot().findall(".//a:preamble/a:container", NS)]
    assert got == want
    assert all(" " not in p.replace("、 ", "") or re.search(r"[A-Za-z0-9] ", p) for p in got)


def test_glued_calls_by_rule():
    """Calls glued to words, commas, years and symbols' numbers bind to their notes in order;
    numbers that are text stay text."""
    head = ("United Nations \nA/RES/78/999 \nGeneral Assembly \nDistr.: General \n1 December 2023 \n"
            "23-12345 (E) \n*2312345* \n \nSeventy-eighth session \nAgenda item 9 \n"
            "Resolution adopted by the General Assembly on 1 December 2023 \n \n"
            "78/999. A test of calls \n \nThe General Assembly, \n \n")
    body = ("Recalling its resolution 61/29 of 4 December 2006 and the Charter of the United Nations,1 \n \n"
            "Noting the report for 20222 and its resolution 59/3003 and the Programme of Action,4 \n \n"
            "1. \nDecides to consider paragraph 13 of the report, and Agenda 215 in 2024; \n \n"
            "45th plenary meeting \n \n1 December 2023 \n"
            "_______________ \n \n1 Resolution 2625 (XXV). \n2 A/77/1. \n3 A/78/2. \n4 A/78/3. \n5 A/78/4. \n")
    d = parse_text((head + body).encode(), "calls.txt")
    root = d.tree.getroot()
    notes = [(n.get("marker"), "".join(n.itertext())) for n in root.iter(A + "authorialNote")]
    assert [m for m, _ in notes] == ["1", "2", "3", "4", "5"]
    text = norm(text_without_notes(root.find(".//a:preamble", NS)))
    assert "resolution 61/29 of 4 December 2006" in text and "Nations," in text
    assert "report for 2022 and its resolution 59/300 and the Programme of Action," in text
    assert "Agenda 21 in 2024;" in norm(text_without_notes(root.find(".//a:mainBody", NS)))
    assert "paragraph 13 of the report" in norm(text_without_notes(root.find(".//a:mainBody", NS)))


# -- words in other sessions' habits, bad input per language ----------------------------------------------
@pytest.mark.parametrize("lang, line, number", [
    ("ar", "الجلسة العامة الثالثة والثلاثون", "33"),
    ("ar", "الجلسة العامة الحادية عشرة", "11"),
    ("en", "Thirty-third plenary meeting", "33"),
    ("fr", "Trente-troisième séance plénière", "33"),
    ("es", "Trigésima tercera sesión plenaria", "33"),
    ("ru", "Тридцать третье пленарное заседание", "33"),
    ("zh", "第三十三次全体会议", "33"),
])
def test_a_meeting_printed_in_words_closes_the_resolution(lang, line, number):
    """Session 77 prints «الجلسة العامة الثالثة والثلاثون» where 78 prints «الجلسة العامة 45»:
    the meeting and the date are the conclusions, not two more operative paragraphs."""
    text = source(lang, "cleaned").read_text(encoding="utf-8")
    meeting = next(ln for ln in text.splitlines() if "42" in ln and len(ln) < 40 and not ln.startswith("("))
    d = parse_text(text.replace(meeting, line).encode(), f"{lang}.txt")
    root = d.tree.getroot()
    assert root.find(".//a:conclusions//a:location", NS).get("title") == number
    assert len(root.xpath(".//a:mainBody//a:paragraph[not(ancestor::a:paragraph)]", namespaces=NS)) == \
        len(gold(lang)["operative"])


@pytest.mark.parametrize("lang", LANGS)
def test_bad_input_in_each_language_is_a_clear_error(lang, tmp_path):
    text = source(lang, "cleaned").read_text(encoding="utf-8")
    title = next(ln for ln in text.splitlines() if ln.startswith("78/30"))
    no_title = tmp_path / f"{lang}-no-title.txt"
    no_title.write_text(text.replace(title, ""), encoding="utf-8")
    proc = run_akn("parse", no_title, "-o", tmp_path / "a.xml", check=False)
    assert proc.returncode == 1 and "no title line found" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.xml").exists()
    head = text[:text.index(title) + len(title)]
    only_head = tmp_path / f"{lang}-head.txt"
    only_head.write_text(head + "\n", encoding="utf-8")
    proc = run_akn("parse", only_head, "-o", tmp_path / "b.xml", check=False)
    assert proc.returncode == 1 and "no operative paragraph" in proc.stderr
    assert re.search(rf"{lang}-head\.txt:\d+:\d+: error:", proc.stderr)


def test_text_from_a_pdf_without_blank_lines():
    """What pdftotext gives for a printed page (here of our own PDF of 78/30 in English):
    no blank line between paragraphs, no rule over the notes, running headers and page
    numbers, form feeds. The same preamble, operative paragraphs and notes as the UN's file;
    only the text of operative paragraph 1 differs, where the extractor joined 'Non-' and
    'Proliferation' at a line end into 'NonProliferation'."""
    path = DATA / "78-30.en.pdftotext.txt"
    d = parse_text(path.read_bytes(), str(path))
    assert d.shape == "raw"
    g, root = gold("en"), d.tree.getroot()
    pre = [norm(text_without_notes(c)) for c in root.findall(".//a:preamble/a:container", NS)]
    assert pre == [norm(p) for p in g["preamble"]]
    ops = root.xpath(".//a:mainBody//a:paragraph[not(ancestor::a:paragraph)]", namespaces=NS)
    assert [norm(text_without_notes(p)) for p in ops][1:] == [norm(o["text"]) for o in g["operative"]][1:]
    assert "NonProliferation" in norm(text_without_notes(ops[0]))
    notes = [norm("".join(n.itertext())) for n in root.iter(A + "authorialNote")]
    assert notes == [norm(n["text"]) for n in g["notes"]]
    assert root.find(".//a:conclusions//a:docDate", NS).get("date") == "2023-12-04"


def test_pdftotext_directional_marks_are_layout_not_text():
    """pdftotext wraps each Arabic line in RLE … PDF and each left-to-right run in LRE … PDF,
    the run keeping at its start the space that follows it. Read without them, the same
    resolution as the plain raw text; one warning says so (not one a mark)."""
    plain = source("ar", "raw").read_text(encoding="utf-8")

    def marked(line: str) -> str:
        if not line.strip():
            return line
        line = re.sub(r"([0-9][0-9/.\-]*) ", lambda m: "\u202a " + m.group(1) + "\u202c", line)
        return "\u202b" + line + "\u202c"
    text = "\n".join(marked(ln) for ln in plain.split("\n"))
    assert text.count("\u202a") > 100
    a = parse_text(plain.encode(), "plain.txt")
    b = parse_text(text.encode(), "marked.txt")
    assert b.to_bytes().replace(b"marked.txt", b"plain.txt") == a.to_bytes()
    assert [w.code for w in b.diagnostics.warnings].count("bidi-control") == 1


def test_raw_arabic_without_blank_lines_ranges_and_run_on_clauses():
    """Raw text whose paragraphs are not parted by blank lines (as A/RES/78/153's): a line
    that opens with a range ("2011-2013 و …") is not paragraph 2011, and a line filled to the
    measure that ends with «،» runs on into «وإذ تعترف …» (Arabic goes on "…، وإذ …" inside
    one paragraph). Both left the structure as it was without them."""
    raw = source("ar", "raw").read_text(encoding="utf-8")
    raw = "\n".join(line for line in raw.split("\n") if line.strip()) + "\n"

    def counts(text):
        root = parse_text(text.encode("utf-8"), "r.txt").tree.getroot()
        return (len(root.findall(".//a:preamble/a:container", NS)),
                len(root.findall(".//a:mainBody/a:paragraph", NS)), root)

    base = counts(raw)[:2]
    ranged = raw.replace("2011 و 68/35 المؤرخ", "2011-2013 و 68/35 المؤرخ")
    assert ranged != raw
    *got, root = counts(ranged)
    assert tuple(got) == base
    assert "2011-2013" in printed(root.find(".//a:preamble", NS))
    old = "المؤرخ 12 كانون الأول/ديسمبر 2019، و 76/31 \nالمؤرخ 6 كانون الأول/ديسمبر 2021، "
    assert raw.count(old) == 1
    run_on = raw.replace(old, "المؤرخ 12 كانون الأول/ديسمبر 2019 و 76/31 المؤرخ 6 كانون "
                              "الأول/ديسمبر 2021،\nوإذ تعترف بأهمية هذه القرارات،")
    assert tuple(counts(run_on)[:2]) == base
