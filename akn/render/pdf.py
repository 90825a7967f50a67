"""AKN -> tagged PDF/A-3b (PDF/UA-1) for print and archive, with WeasyPrint.

One source of structure, two stylesheets: the HTML writer renders the document with
``media="print"`` (it inlines ``templates/print.css``), WeasyPrint lays it out, and
``akn.render.pdfua`` repairs the tags and metadata. The HTML writer hands its print page
over as data (``html.Page``: the page, the document's facts, the notes with their ids and
bodies), so this writer never reads the page back for them. What akn changes inside
WeasyPrint 70.0, and why, is in ``akn.render.weasypatches``. The AKN XML itself travels inside the
PDF (``AFRelationship /Source``).

Per process, the fonts (``@font-face`` for Amiri from the ``fontpkg-amiri`` wheel) and the
``FontConfiguration`` are built once and reused, so that rendering many documents in one
process pays WeasyPrint's start-up once. Only the running-header strings and the digits of
the page numbers differ between documents: they form a small stylesheet made per document.

Same input, same bytes: dates come from ``SOURCE_DATE_EPOCH`` when set, otherwise from the
document's own FRBR dates; ``/ID`` comes from the input bytes.
"""
from __future__ import annotations

import gc
import io
import logging
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from akn import AKN_NS, __version__
from akn import facts as document
from akn.lang import RTL, eastern_digits

NS = {"a": AKN_NS}


@dataclass
class Facts:
    """What the PDF needs to know about a document, read from its AKN."""
    lang: str = "und"
    symbol: str = ""
    title: str = ""
    short_title: str = ""
    expression: str = ""
    adopted: str = ""
    dates: list[str] = field(default_factory=list)
    note_ids: list[str] = field(default_factory=list)
    eastern_digits: bool = False

    @property
    def rtl(self) -> bool:
        return self.lang in RTL


def facts(tree) -> Facts:
    """What the PDF needs to know of the document in ``tree``."""
    return pdf_facts(document.Facts(tree))


def pdf_facts(d: document.Facts) -> Facts:
    """The PDF's view of :class:`akn.facts.Facts` (a title of 1,000 characters or more is
    a misread file's whole text: the symbol stands in for it)."""
    f = Facts(lang=d.lang, symbol=" ".join(d.symbol.split()), expression=d.expression,
              adopted=d.adopted, dates=d.dates, eastern_digits=d.eastern_digits)
    f.title = d.plain_title if d.title and len(d.title) < 1000 else f.symbol
    f.short_title = short(f.title)
    f.note_ids = [n.get("eId") or f"note_{i}" for i, n in enumerate(
        d.root.iter(f"{{{AKN_NS}}}authorialNote"), 1)]
    return f


def short(title: str, limit: int = 90) -> str:
    """The running-header title: the whole title when short, else cut at a word (at a
    character for Chinese, which is wider and has no spaces): one line at the head."""
    if re.search("[\u3000-\u9fff\uff00-\uffef]", title):
        limit = 40
    if len(title) <= limit:
        return title
    head = title[:limit]
    cut = head.rsplit(" ", 1)[0] if " " in head else head
    return cut.rstrip(" ,،;؛:，、；：") + "…"


def build_date(f: Facts) -> datetime:
    """SOURCE_DATE_EPOCH when set, else the document's latest FRBR date (midnight UTC)."""
    from akn.frbr import source_date_epoch
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    day = (f.dates[-1] if f.dates else f.adopted) or "2000-01-01"
    try:
        return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=timezone.utc)


# ---------------------------------------------------------------- cached per process

def amiri_dir():
    import fontpkg_amiri
    return fontpkg_amiri.ROOT / "files"


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint found HarfBuzz's subsetter (its fast path for embedding fonts)."""
    from weasyprint.text import ffi
    return getattr(ffi, "harfbuzz_subset", None) is not None


@lru_cache(maxsize=1)
def _weasy():
    """Import WeasyPrint once, quietly (its warnings about unsupported CSS go to our log)."""
    from akn.render.libs import quick_lookup
    with quick_lookup():   # its system libraries found without probing with a compiler
        import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    if not harfbuzz_subset():
        print("akn: warning: libharfbuzz-subset is not installed, so WeasyPrint subsets the "
              "fonts it embeds with fontTools: slower PDFs (the seed's by about half), other "
              "bytes. Install the Debian package libharfbuzz-subset0 (`make` does, as root).",
              file=sys.stderr)
    from akn.render import weasypatches
    weasypatches.install()
    return weasyprint, FontConfiguration()


@lru_cache(maxsize=1)
def font_css():
    """@font-face rules for Amiri from the wheel (Noto Sans Arabic breaks text extraction)."""
    weasyprint, config = _weasy()
    faces = []
    for file, weight, style in (("Amiri-Regular.ttf", "normal", "normal"),
                                ("Amiri-Bold.ttf", "bold", "normal"),
                                ("Amiri-Italic.ttf", "normal", "italic"),
                                ("Amiri-BoldItalic.ttf", "bold", "italic")):
        path = amiri_dir() / file
        if not path.is_file():
            from akn.diagnostics import AknError
            raise AknError(f"the Amiri font is missing ({path}); reinstall the environment "
                           "('make clean-env && make')")
        faces.append(f'@font-face {{ font-family: "Amiri"; font-weight: {weight}; '
                     f'font-style: {style}; src: url("{path.as_uri()}"); }}')
    return weasyprint.CSS(string="\n".join(faces), font_config=config)


@lru_cache(maxsize=1)
def print_css():
    """templates/print.css parsed once per process: (the text the HTML writer inlines in
    its ``<style>`` element, the parsed stylesheet). Parsing it and compiling its selectors
    took WeasyPrint ~0.03 s per document."""
    from akn.render import html
    weasyprint, config = _weasy()
    css = html.stylesheet("print")
    return css, weasyprint.CSS(string=css, font_config=config)


AMIRI_FACES = {"Amiri": "Amiri-Regular.ttf", "Amiri-Bold": "Amiri-Bold.ttf",
               "Amiri-Italic": "Amiri-Italic.ttf", "Amiri-Bold-Italic": "Amiri-BoldItalic.ttf"}


def font_files() -> dict[str, str]:
    """Font names as WeasyPrint writes them in the PDF -> the files they come from."""
    return {name: str(amiri_dir() / file) for name, file in AMIRI_FACES.items()}


def _css_string(s: str) -> str:
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\n\r\f]", " ", s) + '"'


@lru_cache(maxsize=256)
def page_css(symbol: str, title: str, digits: str, rtl: bool = False):
    """Running headers (symbol outside, short title inside, mirrored on left and right
    pages) and page numbers n/N on the outer side, from page 2 on; the UN's short rule over
    the footnotes, a third of the measure on the side where lines start."""
    weasyprint, config = _weasy()
    num = f'counter(page, {digits}) "/" counter(pages, {digits})'
    sym, tit = _css_string(symbol), _css_string(title)
    # The rule is the footnote area's top border (WeasyPrint 70 mis-sizes an area without
    # one, and paints a sized background over all of it): the area is narrowed to a third
    # of the measure on the start side, and each note reaches back over the other two
    # thirds (-200 % of the narrowed area), so the notes keep the full measure.
    end = "left" if rtl else "right"
    css = f"""
@page {{ @footnote {{ margin-{end}: 66.6667%; }} }}
.fn-note {{ margin-{end}: -200%; }}
@page :left {{ @top-left {{ content: {sym}; }} @top-right {{ content: {tit}; }}
              @bottom-left {{ content: {num}; }} }}
@page :right {{ @top-right {{ content: {sym}; }} @top-left {{ content: {tit}; }}
               @bottom-right {{ content: {num}; }} }}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }}
               @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
"""
    return weasyprint.CSS(string=css, font_config=config)


def html_for(tree, source_name: str):
    """The HTML writer's print page (an :class:`akn.render.html.Page`)."""
    from akn.render import html
    return html.render_page(tree, source_name=source_name, media="print")


BLOCKS = {"p", "div", "ul", "ol", "li", "table", "blockquote", "section", "h1", "h2", "h3",
          "h4", "h5", "h6", "dl", "dt", "dd"}


def place_footnotes(page, eastern: bool = False) -> tuple[str, list[tuple[str, str]], str]:
    """Move each note of the HTML writer's page (an :class:`akn.render.html.Page`) to its
    first call, as ``<span class="fn-note" id=ID data-marker=M>`` (``float: footnote`` in
    print.css), and drop the page's list of notes once empty. Later calls stay links to the
    note. Block elements of a note become ``span.fn-block`` (a float inside a paragraph must
    be inline markup). Returns the page, the notes' (id, marker) in document order, and the
    symbol the masthead shows (so that header and masthead agree). With ``eastern``, markers
    and calls are shown in Eastern Arabic digits, like the text."""
    import lxml.html
    doc, ids, symbol = _footnoted(page, eastern)
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>"), ids, symbol


def _footnoted(page, eastern: bool):
    """place_footnotes' work, on the lxml document: (document, notes, symbol). Notes are
    found by what the page hands over (ids; a call is a link to its note's id), not by
    the page's classes."""
    import lxml.html
    doc = lxml.html.document_fromstring(page.html)
    ids: list[tuple[str, str]] = []
    for note in page.notes:
        marker = eastern_digits(note.marker) if eastern else note.marker
        calls = doc.xpath("//a[@href=$href]", href=f"#{note.id}")
        listed = doc.get_element_by_id(note.id, None)
        if not calls or listed is None:
            continue
        _place(calls[0], listed, note, marker)
        ids.append((note.id, marker))
    _join_split_links(doc)
    if eastern:
        for note in page.notes:
            for call in doc.xpath("//a[@href=$href]", href=f"#{note.id}"):
                call.text = eastern_digits(call.text or "")
    # the list goes once all its notes are placed; a note without a call stays listed
    # at the end rather than vanish
    section = doc.get_element_by_id(page.notes_id, None)
    if section is not None and not section.xpath(".//li"):
        section.getparent().remove(section)
    return doc, ids, page.symbol


def _place(call, listed, note, marker: str) -> None:
    """The note's body in place of its first call (the call's <sup> when it has one); its
    entry in the list removed."""
    import lxml.html
    anchor = call.getparent() if call.getparent().tag == "sup" else call
    span = lxml.html.fragment_fromstring(str(note.body), create_parent="span")
    for key, value in (("class", "fn-note"), ("id", note.id), ("data-marker", marker)):
        span.set(key, value)
    for el in span.iter():
        if el is not span and el.tag in BLOCKS:
            el.set("class", ("fn-block " + (el.get("class") or "")).strip())
            el.tag = "span"
    span.tail = anchor.tail
    anchor.getparent().replace(anchor, span)
    listed.getparent().remove(listed)


def _join_split_links(doc) -> None:
    """Adjacent links to the same place become one link: the UN's files sometimes link
    each character of a number on its own (<a>7</a><a>7</a><a>/29</a><a>8</a>), and
    WeasyPrint 70 orders separate inline boxes right to left in Arabic, which printed
    77/298 as 8 29/ 77. (Browsers apply the bidi algorithm across elements.)"""
    for a in doc.xpath("//a[@href]"):
        nxt = a.getnext()
        while (nxt is not None and nxt.tag == "a" and not (a.tail or "").strip("\u200b")
               and dict(nxt.attrib) == dict(a.attrib) and len(nxt) == 0 and len(a) == 0):
            a.text = (a.text or "") + (nxt.text or "")
            a.tail = nxt.tail
            a.getparent().remove(nxt)
            nxt = a.getnext()


def _html5_tree(doc, drop_style: str | None = None):
    """The ElementTree WeasyPrint's HTML5 parser (tinyhtml5) makes of
    ``lxml.html.tostring(doc)``, made from ``doc`` directly: the render parsed its own page
    again, ~34 ms of the seed's ~1 s. The trees agree where the page is as the HTML writer
    makes it (element for element, attribute, text and tail; tested on the seed and on
    every fifth UN file): the two parsers differ only on whitespace at the top level, which
    HTML5 drops before ``<head>`` and moves from after ``</body>`` into the body's end.
    With ``drop_style``, the first ``<style>`` element holding exactly that text is left
    out, its tail kept, as if the string had been cut from the page. Returns (the tree,
    whether it was left out)."""
    import xml.etree.ElementTree as ET
    from lxml import etree
    dropped = False

    def convert(el):
        nonlocal dropped
        if el.tag is etree.Comment:
            out = ET.Comment(el.text)
        elif isinstance(el.tag, str):
            out = ET.Element(el.tag, dict(el.attrib))
            out.text = el.text
            prev = None
            for child in el:
                if (not dropped and drop_style is not None and child.tag == "style"
                        and child.text == drop_style and not len(child.attrib) and not len(child)):
                    dropped = True
                    if child.tail:
                        if prev is None:
                            out.text = (out.text or "") + child.tail
                        else:
                            prev.tail = (prev.tail or "") + child.tail
                    continue
                prev = convert(child)
                out.append(prev)
        else:  # processing instructions and entities: not in pages we write
            raise ValueError(f"unexpected node in the print page: {el!r}")
        out.tail = el.tail
        return out

    html = convert(doc)
    if html.text is not None and not html.text.strip():
        html.text = None
    body = html.find("body")
    if body is not None and body.tail:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + body.tail
        else:
            body.text = (body.text or "") + body.tail
        body.tail = None
    return html, dropped


def _weasy_html(root, base_url: str):
    """A ``weasyprint.HTML`` for an already parsed page: what ``HTML.__init__`` does after
    its parse, for WeasyPrint 70.0 (whose internals it repeats); other versions parse the
    serialised page."""
    import weasyprint
    if weasyprint.__version__ != "70.0":
        return _parsed_html(root, base_url)
    import cssselect2
    from weasyprint import _find_base_url
    from weasyprint.urls import URLFetcher
    html = weasyprint.HTML.__new__(weasyprint.HTML)
    html.base_url = _find_base_url(root, base_url)
    html.url_fetcher = URLFetcher()
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def _parsed_html(root, base_url: str):
    """WeasyPrint's own way: the page serialised and parsed again."""
    import xml.etree.ElementTree as ET
    import weasyprint
    page = ET.tostring(root, encoding="unicode", method="html")
    return weasyprint.HTML(string="<!DOCTYPE html>" + page, base_url=base_url)


# ---------------------------------------------------------------- the writer

_settled = False


@contextmanager
def _one_collection():
    """Run a render with Python's cycle collector paused, then collect once.

    A render leaves about 20,000 objects in reference cycles (boxes, styles, Pango
    wrappers), so the collector ran some fifty times during the seed's render, each time
    rescanning what had survived, and every few renders a full collection walked the whole
    heap: about a tenth of a warm render (py-spy; docs/pdf.md). Here it runs once, at the
    end, and frees the render's cycles together. After the first render of a process, what
    has survived it (fonts, parsed stylesheets, modules) is frozen (``gc.freeze``): it lives
    as long as the process, and later collections no longer walk it."""
    global _settled
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if not _settled:
            gc.freeze()
            _settled = True
        if was_enabled:
            gc.enable()


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    problems: list[str]
    facts: Facts
    lifted: int = 0     # glyphs the repair drew apart to keep words whole (pdfua._WordLifter)


def render_full(tree, *, xml_bytes: bytes, source_name: str = "document.xml",
                html=None) -> Rendered:
    """Render and repair; return the PDF with what was found along the way. ``html``: the
    HTML writer's print page (:class:`akn.render.html.Page`) when the caller has it; by
    default it is made here."""
    with _one_collection():
        return _render_full(tree, xml_bytes=xml_bytes, source_name=source_name, html=html)


def _render_full(tree, *, xml_bytes: bytes, source_name: str, html) -> Rendered:
    from akn.render import pdfua
    weasyprint, config = _weasy()
    given = html if html is not None else html_for(tree, source_name)
    f = pdf_facts(given.facts)
    page, notes, symbol = _footnoted(given, f.eastern_digits)
    f.symbol = symbol or f.symbol
    digits = "arabic-indic" if f.eastern_digits else "decimal"
    when = build_date(f)
    from akn.render.html import TEMPLATES   # the package's templates (its base URL)
    base = str(TEMPLATES) + os.sep
    # print.css comes parsed from the cache instead of inlined. As a user stylesheet it
    # ranks below author styles, but nothing else of the author's is left, and the other
    # user sheets (@font-face, the margin boxes' content) set nothing print.css sets.
    css, parsed = print_css()
    sheets = [font_css(), page_css(f.symbol, f.short_title, digits, f.rtl)]
    root, dropped = _html5_tree(page, drop_style=css)
    if dropped:
        sheets.insert(0, parsed)
    doc = _weasy_html(root, base).render(
        font_config=config, stylesheets=sheets,
        pdf_variant="pdf/a-3b", pdf_tags=True)
    name = os.path.splitext(os.path.basename(source_name))[0] + ".xml"
    attachment = weasyprint.Attachment(
        file_obj=io.BytesIO(xml_bytes), name=name, relationship="Source",
        description="Akoma Ntoso 3.0 source of this document", created=when, modified=when)
    # uncompressed: pydyf would deflate every stream at level 9 in Python's zlib, and
    # the repair reads them all again; pikepdf deflates them once, when it saves
    raw = doc.write_pdf(pdf_variant="pdf/a-3b", pdf_tags=True, attachments=[attachment],
                        uncompressed_pdf=True)
    meta = pdfua.Meta(title=f.title or f.symbol or name, lang=f.lang,
                      identifier=f.expression or name, date=when, adopted=f.adopted,
                      notes=notes, subject=f.symbol,
                      rtl=f.rtl, font_files=font_files(), producer=f"akn {__version__} (WeasyPrint {weasyprint.__version__})")
    fixed = pdfua.repair(raw, meta, xml_bytes=xml_bytes,
                         salt=f"{__version__}/{weasyprint.__version__}".encode())
    return Rendered(fixed.pdf, len(doc.pages), fixed.problems, f, fixed.lifted)


def render(tree, *, xml_bytes: bytes, source_name: str = "document.xml") -> bytes:
    """The PDF's bytes; problems found while tagging are reported on stderr as warnings."""
    out = render_full(tree, xml_bytes=xml_bytes, source_name=source_name)
    for problem in out.problems:
        print(f"{source_name}: warning: PDF tagging: {problem}", file=sys.stderr)
    return out.pdf
