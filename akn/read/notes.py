"""Footnote calls -> footnote bodies (a transform over the reader's model).

The text marks calls as ``^(n)`` and gathers bodies ``(n) …`` at each page end. Printed
calls are not always right: a call can lose a digit (``^(٤)`` printed for note 14), and a
note already given can be called again. Calls are resolved page by page by one general
rule, in this order, each call once:

1. a call binds to the unused body on its own page with the same number;
2. else to an unused body on its own page whose number ends with the printed one (a lost
   leading digit) — a warning says so;
3. else to an earlier note with the same number: a repeated call, linked to that note;
4. else to an unused body with that number on another page (nearest) — a warning says so;
5. else to the next unused body on its own page, in order — a warning says so;
6. else it has no body: a warning, and the call is kept as printed.

A body that no call reaches is kept (no words are lost) after the last paragraph of its
page, with a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from akn.diagnostics import Diagnostics
from akn.lang import ascii_digits
from akn.read.model import NoteBody, Resolution, Text

CALL = re.compile(r"\^\((?P<m>[^()\s]{1,6})\)")


@dataclass
class Call:
    text: Text
    start: int
    end: int
    printed: str
    value: int | None
    line: int
    col: int
    page: int
    body: NoteBody | None = None
    repeat: bool = False


def texts_in_order(res: Resolution):
    for key in ("session", "agenda", "adoption", "proponent"):
        if key in res.masthead:
            yield res.masthead[key]
    yield from res.extra_masthead
    if res.title:
        yield res.title
    if res.formula:
        yield res.formula
    for p in res.preamble:
        yield p.text
    for op in res.operative:
        for part in op.parts:
            yield part.text
    for t in (res.meeting, res.closing_date, *res.trailing):
        if t is not None:
            yield t


def find_calls(res: Resolution) -> list[Call]:
    calls = []
    for text in texts_in_order(res):
        value = text.value
        if "^(" not in value:  # no call can be there: most texts are passed over in C
            continue
        for m in CALL.finditer(value):
            line, col, page = text.position(m.start())
            digits = ascii_digits(m.group("m"))
            calls.append(Call(text, m.start(), m.end(), m.group("m"),
                              int(digits) if digits.isdecimal() else None, line, col, page))
    return calls


def resolve(res: Resolution, diag: Diagnostics) -> dict[tuple[int, int], Call]:
    """Bind every call; returns calls keyed by (id(text), start offset)."""
    calls = find_calls(res)
    local = res.lang.to_local_digits
    for n in res.notes:
        n.eid = f"note_{n.value}"
    first_call: dict[int, int] = {}  # note value -> index of the call that introduced it
    order = {id(c): i for i, c in enumerate(calls)}
    # indexes instead of scans (scanning every body for every call made long inputs
    # quadratic); each list keeps the document's order, so the first match is the same
    calls_on: dict[int, list[Call]] = {}
    for c in calls:
        calls_on.setdefault(c.page, []).append(c)
    by_value: dict[int, list[NoteBody]] = {}
    by_suffix: dict[tuple[int, str], list[NoteBody]] = {}  # (page, last digits) -> bodies
    for b in res.notes:
        by_value.setdefault(b.value, []).append(b)
        digits = ascii_digits(b.marker)
        for k in range(1, len(digits) + 1):
            by_suffix.setdefault((b.page, digits[-k:]), []).append(b)

    def bind(c: Call, body: NoteBody, why: str = "") -> None:
        c.body = body
        body.used = True
        first_call[body.value] = order[id(c)]
        if why:
            diag.warn(c.line, c.col, why, "call-repaired")

    for page in sorted(calls_on):
        here = calls_on[page]
        # 1. same number, own page
        for c in here:
            if c.value is None:
                continue
            b = next((b for b in by_value.get(c.value, ()) if b.page == page and not b.used), None)
            if b:
                bind(c, b)
        # 2. a lost leading digit
        for c in here:
            if c.body or c.value is None:
                continue
            b = next((b for b in by_suffix.get((page, ascii_digits(c.printed)), ())
                      if not b.used and b.marker != c.printed), None)
            if b:
                bind(c, b, f"call ^({c.printed}) has no body ({c.printed}) on its page, but body "
                           f"({b.marker}) there is unused and ends with the same digit(s): bound "
                           f"to note ({b.marker}) — the printed call lost a digit")
        # 3. a repeated call to an earlier note
        for c in here:
            if c.body or c.value is None:
                continue
            earlier = next((b for b in by_value.get(c.value, ()) if b.used
                            and first_call.get(b.value, 1 << 30) < order[id(c)]), None)
            if earlier:
                c.body, c.repeat = earlier, True
    # 4. the same number on another page (a body pushed to the next page), nearest first
    for c in calls:
        if c.body or c.value is None:
            continue
        cands = [b for b in by_value.get(c.value, ()) if not b.used]
        if cands:
            b = min(cands, key=lambda b: abs(b.page - c.page))
            bind(c, b, f"call ^({c.printed}) has its body ({b.marker}) on another page; bound to it")
    # 5. any unused body of the call's own page, in order; 6. no body at all
    on_page: dict[int, list[NoteBody]] = {}
    for b in res.notes:
        on_page.setdefault(b.page, []).append(b)
    for c in calls:
        if c.body:
            continue
        bodies = on_page.get(c.page, [])
        while bodies and bodies[0].used:  # bodies only ever become used: drop them once
            bodies.pop(0)
        b = bodies[0] if bodies else None
        if b:
            bind(c, b, f"call ^({c.printed}) matches no note; the next unused body on its page "
                       f"is ({b.marker}): bound to it — check the source")
        else:
            diag.warn(c.line, c.col, f"footnote call ^({c.printed}) has no footnote body and no "
                      f"earlier note ({c.printed}); kept as a plain superscript — add the body "
                      f"\"({c.printed}) …\" at the end of its page", "call-without-body")
    for b in res.notes:
        if not b.used:
            diag.warn(b.text.first.line, max(b.text.first.col - len(b.marker) - 3, 1),
                      f"footnote ({b.marker}) is never called; kept after the last paragraph of its "
                      f"page — add the call ^({b.marker}) where it belongs", "note-without-call")
    return {(id(c.text), c.start): c for c in calls}
