"""Patches to WeasyPrint 70.0's internals: what akn changes in it, and why.

akn pins WeasyPrint 70.0 (constraints.txt). Each patch below wraps or replaces an internal
function of that version, is applied only when ``weasyprint.__version__ == "70.0"`` (another
version runs unpatched: slower, and with the faults below), is applied once per process,
and keeps the function it replaced as ``_akn_original`` (tests put it back to compare).

* :func:`keep_called_footnotes` (a fault): a line with two note calls whose first note does
  not fit lost the second note (A/RES/78/207 in Arabic lost its note 6).
* :func:`measure_each_note_once` (speed): the footnote area was laid out again for each
  note added to a page; a plain stack of notes is measured one note at a time, once.
* :func:`lay_out_rtl_lines_once` (speed): every right-to-left line was laid out twice; with
  no float on the page the first layout is final.
* :mod:`akn.render.weasytags` (a fault, in its own module): the PDF's structure elements,
  cut page by page, are joined again across pages.

The speed patches change no byte of any PDF (tests/test_pdf.py renders with and without
them); the fault patches change only what was wrong.
"""
from __future__ import annotations


def install() -> None:
    """Apply every patch (once per process; nothing for a WeasyPrint other than 70.0)."""
    keep_called_footnotes()
    measure_each_note_once()
    lay_out_rtl_lines_once()
    from akn.render import weasytags
    weasytags.install()


def keep_called_footnotes() -> None:
    """Mend a WeasyPrint 70 fault that loses footnotes.

    When a line holds two calls and the first note does not fit, WeasyPrint carries that
    note to the next page and stops looking at the line's other calls; if the line itself
    stays on the page (widows and orphans), the second note waits for a call that never
    comes again and is never printed (A/RES/78/207 in Arabic lost its note 6). After each
    page, a note still waiting whose call is on that page is carried to the next page,
    behind the notes already carried. Applied to WeasyPrint 70.0 only (the layout function
    wrapped is internal); tests count the notes of every PDF they render."""
    import weasyprint
    from weasyprint.layout import page as layout_page
    if weasyprint.__version__ != "70.0" or getattr(layout_page.make_page, "_akn", False):
        return
    make_page = layout_page.make_page

    def make_page_keeping_notes(context, *args, **kwargs):
        result = make_page(context, *args, **kwargs)
        if context.footnotes:
            called = {id(box.footnote) for box in result[0].descendants()
                      if getattr(box, "footnote", None) is not None}
            lost = [f for f in context.footnotes if id(f) in called]
            for footnote in lost:
                context.footnotes.remove(footnote)
                context.reported_footnotes.append(footnote)
        return result

    make_page_keeping_notes._akn = True
    make_page_keeping_notes._akn_original = make_page
    layout_page.make_page = make_page_keeping_notes


def measure_each_note_once() -> None:
    """Make WeasyPrint 70 lay out each footnote once per page instead of once per call.

    To know how much room the notes of a page take, WeasyPrint lays out its whole footnote
    area again each time a note is added, carried or withdrawn: a page with five notes has
    its first note laid out five times or more (the seed: 25 area layouts, ~60 note layouts,
    ~0.19 s of its ~1.3 s). Where the area is a plain stack (no max-height or min-height
    on ``@footnote``, notes without vertical margins, not in columns), its height is the
    sum of the heights of its notes, so each note is laid out alone, once, in an area like
    the page's, and the area's height is summed from those. Anything else takes
    WeasyPrint's own path. Only the room reserved while breaking pages is computed this
    way; the notes a page shows are laid out by WeasyPrint as before. Applied to WeasyPrint
    70.0 only (the method replaced is internal); the PDFs of the seed and of 28 UN files
    came out identical, byte for byte, with and without it."""
    import weasyprint
    from math import inf
    from weasyprint.formatting_structure import build
    from weasyprint.layout import LayoutContext
    from weasyprint.layout.block import block_level_layout
    if weasyprint.__version__ != "70.0" or getattr(LayoutContext._update_footnote_area,
                                                   "_akn", False):
        return
    update = LayoutContext._update_footnote_area

    def alone(context, area, note):
        """(height, margins + borders + padding of the area) of ``area`` holding only
        ``note``, laid out as WeasyPrint lays out the whole area; None if the sum rule
        does not hold for it."""
        cache = context.__dict__.setdefault("_akn_note_heights", {})
        key = (id(note), id(area.style), area.page.width, area.page.height)
        hit = cache.get(key)
        if hit is not None and hit[0] is note and hit[1] is area.style:
            return hit[2]
        children, area.children = area.children, [note]
        try:
            probe = build.create_anonymous_boxes(area.deepcopy())
        finally:
            area.children = children
        laid = block_level_layout(context, probe, -inf, None, area.page)[0]
        fits = (len(laid.children) == 1 and laid.max_height == inf and laid.min_height == 0
                and laid.children[0].margin_top == 0 and laid.children[0].margin_bottom == 0)
        result = (laid.height, laid.margin_height() - laid.height) if fits else None
        cache[key] = (note, area.style, result)
        return result

    def update_by_note(self):
        area, notes = self.current_footnote_area, self.current_page_footnotes
        if self.in_column or not notes:
            return update(self)
        sizes = [alone(self, area, note) for note in notes]
        if None in sizes:
            return update(self)
        if area.height != "auto":
            self.page_bottom += area.margin_height()
        area.children = notes
        area.height = sum(height for height, _ in sizes)
        self.page_bottom -= area.height + sizes[0][1]
        return False    # a plain stack never overflows its area

    update_by_note._akn = True
    update_by_note._akn_original = update
    LayoutContext._update_footnote_area = update_by_note


def lay_out_rtl_lines_once() -> None:
    """Make WeasyPrint 70 lay out each right-to-left line once instead of twice.

    ``get_next_linebox`` lays a line out, then, to dodge floats, asks again where the line
    may go and lays it out anew unless the place is unchanged. It compares the line's right
    edge with the right edge of the empty line box it started from (width 0), so in
    right-to-left text the place never looks unchanged: every Arabic line is laid out a
    second time, from the same place and width, to the same result — the second time stops
    at "no taller than the line before". With no float on the page (nothing to dodge), the
    line's first layout is taken as final by starting the loop with an unbounded candidate
    height, which ends it at that same check after the first layout. Floats on the page, a
    left-to-right block: WeasyPrint's own path. Applied to WeasyPrint 70.0 only (the
    functions wrapped are internal); the PDFs of the seed and of UN files in six languages
    come out identical, byte for byte, with and without it (tests/test_pdf.py)."""
    import weasyprint
    from math import inf
    from weasyprint.layout import inline
    if weasyprint.__version__ != "70.0" or getattr(inline.get_next_linebox, "_akn", False):
        return
    get_next_linebox, avoid_collisions = inline.get_next_linebox, inline.avoid_collisions

    def get_next_linebox_once(context, linebox, *args, **kwargs):
        context._akn_new_line = linebox
        try:
            return get_next_linebox(context, linebox, *args, **kwargs)
        finally:
            context._akn_new_line = None

    def avoid_collisions_once(context, box, containing_block, outer=True):
        result = avoid_collisions(context, box, containing_block, outer)
        # the first call for a new line, before its loop: the candidate height is read
        # from the empty line box right after this
        if getattr(context, "_akn_new_line", None) is box:
            context._akn_new_line = None
            if (not outer and not context.excluded_shapes and box.height == 0
                    and containing_block.style["direction"] == "rtl"):
                box.height = inf
        return result

    get_next_linebox_once._akn = True
    get_next_linebox_once._akn_original = get_next_linebox
    avoid_collisions_once._akn_original = avoid_collisions
    inline.get_next_linebox = get_next_linebox_once
    inline.avoid_collisions = avoid_collisions_once
