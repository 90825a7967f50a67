"""One structure element per HTML element, across pages (WeasyPrint 70's PDF tags).

WeasyPrint tags a PDF page by page: each page's boxes become their own structure elements,
appended to ``Document`` one page after the other. An element that runs over a page break
— the ``main`` landmark on every page, a section, a paragraph cut by the page end — thus
becomes two, three, … elements, and a screen reader announces a new paragraph in the
middle of a sentence. This module joins them again while WeasyPrint builds its tags:

* during layout, each box WeasyPrint cuts notes whether it is the continuation of a box
  cut earlier: ``remove_decoration(start=True)``, the call that takes the border and
  padding off the start of such a box, marks it (the mark is an attribute, which the
  copies WeasyPrint makes of a box keep; the box's own ``remove_decoration_sides`` does
  not survive the copies drawing makes);
* while ``_build_box_tree`` makes the elements, it notes for each the HTML element and
  pseudo-element it comes from, and that mark;
* after ``add_tags``, walking the tree from ``Document``: an element whose box is such a
  continuation, of the same HTML element and structure type as the last element before it
  in its parent (the page's footnote area aside, which sits between two pages' content),
  gives its children to that element and is dropped; the same is then done inside it, where
  the two pages' children meet. Inline elements cut by a line end (a span over two lines)
  are joined the same way.

Left as they were: elements with marked content or annotations of their own (links,
figures: their ``/Pg`` would have to change for their MCIDs) and tables (a table cut by a
page repeats its header on the next, so its parts do not follow one another). The content
streams, and so the page's look and text, do not change; the repair (``pdfua``) works on
the joined tree. Applied to WeasyPrint 70.0 only: the functions wrapped are internal."""
from __future__ import annotations

from dataclasses import dataclass

TABLE_PARTS = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD"}


@dataclass
class _Origin:
    element: object        # the HTML element of the box (None for anonymous page parts)
    tag: str | None        # WeasyPrint's element_tag, e.g. "p" or "a::before"
    continued: bool        # the box continues one cut on an earlier page
    footnote_area: bool


def install() -> None:
    import weasyprint
    import weasyprint.pdf as weasy_pdf
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags
    if weasyprint.__version__ != "70.0" or getattr(tags._build_box_tree, "_akn", False):
        return
    build_box_tree, add_tags = tags._build_box_tree, weasy_pdf.add_tags

    for cls in (boxes.ParentBox, boxes.InlineLevelBox):
        def marking(self, start, end, _remove=cls.__dict__["remove_decoration"]):
            self._akn_continued = bool(start)
            return _remove(self, start, end)
        cls.remove_decoration = marking

    def noting_origins(box, parent, pdf, page_number, nums, annotations, marked):
        origins = pdf.__dict__.setdefault("_akn_origins", {})
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        for element in build_box_tree(box, parent, pdf, page_number, nums, annotations,
                                      marked):
            # the innermost call that yields an element made it (html, body and page
            # boxes pass their children's elements up)
            if id(element) not in origins:
                origins[id(element)] = _Origin(
                    inner.element, inner.element_tag,
                    getattr(inner, "_akn_continued", False),
                    isinstance(inner, boxes.FootnoteAreaBox))
            yield element

    def joining_pages(pdf, document, pdf_version, page_streams):
        add_tags(pdf, document, pdf_version, page_streams)
        origins = pdf.__dict__.pop("_akn_origins", {})
        root = _deref(pdf, pdf.catalog["StructTreeRoot"])
        for ref in root["K"]:
            join(pdf, _deref(pdf, ref), origins)

    noting_origins._akn = True
    tags._build_box_tree = noting_origins
    weasy_pdf.add_tags = joining_pages


def _deref(pdf, ref):
    return pdf.objects[int(ref.split()[0])]


def _is_ref(kid) -> bool:
    return isinstance(kid, bytes) and kid.endswith(b" R")


def _joinable(pdf, element) -> bool:
    """Only structure elements as children: no MCIDs, no annotation references."""
    return element["S"] not in TABLE_PARTS and all(
        _is_ref(kid) and _deref(pdf, kid).get("Type") == "/StructElem" for kid in element["K"])


def join(pdf, parent, origins: dict) -> int:
    """Join, in ``parent``'s children and below, each continued element to the element it
    continues; returns how many were joined."""
    kept: list = []
    joined = 0
    for ref in parent["K"]:
        if _is_ref(ref):
            element = _deref(pdf, ref)
            origin = origins.get(id(element))
            if origin is not None and origin.continued and element.get("Type") == "/StructElem":
                before = _last_content(pdf, kept, origins)
                if before is not None and _same(pdf, before, element, origins):
                    for kid in element["K"]:
                        _deref(pdf, kid)["P"] = before.reference
                    before["K"].extend(element["K"])
                    joined += 1 + join(pdf, before, origins)
                    continue
        kept.append(ref)
    parent["K"][:] = kept
    return joined


def _last_content(pdf, kept: list, origins: dict):
    """The last element kept, passing over footnote areas."""
    for ref in reversed(kept):
        if not _is_ref(ref):
            return None
        element = _deref(pdf, ref)
        origin = origins.get(id(element))
        if origin is None or not origin.footnote_area:
            return element
    return None


def _same(pdf, a, b, origins: dict) -> bool:
    oa, ob = origins.get(id(a)), origins.get(id(b))
    return (oa is not None and ob.element is not None and oa.element is ob.element
            and oa.tag == ob.tag and a["S"] == b["S"]
            and _joinable(pdf, a) and _joinable(pdf, b))
