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


class Binder:
    """The six rules of the module's docstring, one method each, over indexes of the bodies
    (scanning every body for every call made long inputs quadratic; each index keeps the
    document's order, so the first match is the same)."""

    def __init__(self, res: Resolution, diag: Diagnostics):
        self.res, self.diag = res, diag
        self.calls = find_calls(res)
        for n in res.notes:
            n.eid = f"note_{n.value}"
        self.first_call: dict[int, int] = {}  # note value -> index of the call that introduced it
        self.order = {id(c): i for i, c in enumerate(self.calls)}
        self.calls_on: dict[int, list[Call]] = {}
        for c in self.calls:
            self.calls_on.setdefault(c.page, []).append(c)
        self.by_value: dict[int, list[NoteBody]] = {}
        self.by_suffix: dict[tuple[int, str], list[NoteBody]] = {}  # (page, last digits) -> bodies
        self.on_page: dict[int, list[NoteBody]] = {}
        for b in res.notes:
            self.by_value.setdefault(b.value, []).append(b)
            digits = ascii_digits(b.marker)
            for k in range(1, len(digits) + 1):
                self.by_suffix.setdefault((b.page, digits[-k:]), []).append(b)
            self.on_page.setdefault(b.page, []).append(b)

    def bind(self, c: Call, body: NoteBody, why: str = "") -> None:
        c.body = body
        body.used = True
        self.first_call[body.value] = self.order[id(c)]
        if why:
            self.diag.warn(c.line, c.col, why, "call-repaired")

    def run(self) -> dict[tuple[int, int], Call]:
        for page in sorted(self.calls_on):
            here = self.calls_on[page]
            self.same_number(here, page)
            self.lost_digit(here, page)
            self.repeated(here)
        self.other_page()
        self.next_unused()
        self.never_called()
        return {(id(c.text), c.start): c for c in self.calls}

    def same_number(self, here: list[Call], page: int) -> None:
        """1. The unused body with the call's number on its own page."""
        for c in here:
            if c.value is None:
                continue
            b = next((b for b in self.by_value.get(c.value, ()) if b.page == page and not b.used), None)
            if b:
                self.bind(c, b)

    def lost_digit(self, here: list[Call], page: int) -> None:
        """2. An unused body on its page whose number ends with the printed one."""
        for c in here:
            if c.body or c.value is None:
                continue
            b = next((b for b in self.by_suffix.get((page, ascii_digits(c.printed)), ())
                      if not b.used and b.marker != c.printed), None)
            if b:
                self.bind(c, b, f"call ^({c.printed}) has no body ({c.printed}) on its page, but body "
                                f"({b.marker}) there is unused and ends with the same digit(s): bound "
                                f"to note ({b.marker}) — the printed call lost a digit")

    def repeated(self, here: list[Call]) -> None:
        """3. An earlier note with the same number: a repeated call, linked to that note."""
        for c in here:
            if c.body or c.value is None:
                continue
            earlier = next((b for b in self.by_value.get(c.value, ()) if b.used
                            and self.first_call.get(b.value, 1 << 30) < self.order[id(c)]), None)
            if earlier:
                c.body, c.repeat = earlier, True

    def other_page(self) -> None:
        """4. An unused body with that number on another page (a body pushed to the next
        page), nearest first."""
        for c in self.calls:
            if c.body or c.value is None:
                continue
            cands = [b for b in self.by_value.get(c.value, ()) if not b.used]
            if cands:
                b = min(cands, key=lambda b: abs(b.page - c.page))
                self.bind(c, b, f"call ^({c.printed}) has its body ({b.marker}) on another page; bound to it")

    def next_unused(self) -> None:
        """5. The next unused body of the call's own page, in order; 6. else none."""
        for c in self.calls:
            if c.body:
                continue
            bodies = self.on_page.get(c.page, [])
            while bodies and bodies[0].used:  # bodies only ever become used: drop them once
                bodies.pop(0)
            b = bodies[0] if bodies else None
            if b:
                self.bind(c, b, f"call ^({c.printed}) matches no note; the next unused body on its page "
                                f"is ({b.marker}): bound to it — check the source")
            else:
                self.diag.warn(c.line, c.col, f"footnote call ^({c.printed}) has no footnote body and no "
                               f"earlier note ({c.printed}); kept as a plain superscript — add the body "
                               f"\"({c.printed}) …\" at the end of its page", "call-without-body")

    def never_called(self) -> None:
        for b in self.res.notes:
            if not b.used:
                self.diag.warn(b.text.first.line, max(b.text.first.col - len(b.marker) - 3, 1),
                               f"footnote ({b.marker}) is never called; kept after the last paragraph of "
                               f"its page — add the call ^({b.marker}) where it belongs", "note-without-call")


def resolve(res: Resolution, diag: Diagnostics) -> dict[tuple[int, int], Call]:
    """Bind every call; returns calls keyed by (id(text), start offset)."""
    return Binder(res, diag).run()
