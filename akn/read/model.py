"""The reader's own small model of a resolution, between the text and the AKN tree.

Text is kept as runs that remember where they came from (line, column, page), so that a
paragraph rejoined across a page end still reports positions in the source, and a footnote
call knows which page's footnote block it belongs to.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class Run:
    text: str
    line: int
    col: int
    page: int
    # for multi-line blocks: (offset in text, line, col) where each source line starts
    starts: tuple = ()
    # what joins it to the run before it in a Text: a space, or nothing inside a Chinese
    # sentence that a page end cut
    sep: str = " "


@dataclass
class Text:
    """Text made of runs joined by single spaces, with a map back to the source."""
    runs: list[Run] = field(default_factory=list)

    def add(self, run: Run) -> None:
        self.runs.append(run)

    @property
    def value(self) -> str:
        # joined once per length: runs are only ever added, never changed, and a paragraph's
        # value is read about five times while it is built (a tenth of a parse went here)
        n, v = getattr(self, "_value", (-1, ""))
        if n != len(self.runs):
            if all(r.sep == " " for r in self.runs):
                v = " ".join([r.text for r in self.runs])
            else:
                v = "".join([(r.sep if i else "") + r.text for i, r in enumerate(self.runs)])
            self._value = (len(self.runs), v)
        return v

    def position(self, offset: int) -> tuple[int, int, int]:
        """(line, col, page) of a character offset in ``value``.

        Found by bisection in offsets computed once (a linear walk for every footnote call or
        citation made a long paragraph's positions quadratic)."""
        offs = getattr(self, "_offs", None)
        if offs is None or len(offs) != len(self.runs):
            offs, pos = [], 0
            for i, r in enumerate(self.runs):
                pos += len(r.sep) if i else 0
                offs.append(pos)
                pos += len(r.text)
            self._offs = offs
        i = max(bisect.bisect_right(offs, offset) - 1, 0)
        r, k = self.runs[i], offset - offs[i]
        if k > len(r.text):  # past the end
            return r.line, r.col + len(r.text), r.page
        if r.starts:
            line_offs = getattr(r, "_offs", None)
            if line_offs is None:
                line_offs = r._offs = [s[0] for s in r.starts]
            j = bisect.bisect_right(line_offs, k) - 1
            off, line, col = r.starts[max(j, 0)]
            return line, col + (k - off), r.page
        return r.line, r.col + k, r.page

    @property
    def first(self) -> Run:
        return self.runs[0]

    @property
    def last(self) -> Run:
        return self.runs[-1]


@dataclass
class Part:
    """One printed block of an operative paragraph: its opening text or a lettered item."""
    kind: str              # "text" | "point"
    num: str               # as printed, e.g. "(أ)"; "" for text
    text: Text
    depth: int = 0         # 0 for (a)-items, 1 for (i)-items under them


@dataclass
class Preambular:
    text: Text


@dataclass
class Operative:
    num: str               # as printed, e.g. "١ -" or "1."
    value: int             # the number it carries
    line: int
    col: int
    parts: list[Part] = field(default_factory=list)
    heading: bool = False  # an unnumbered heading between operative paragraphs
    # "paragraph"; in a body in sections, "section" (its number; its heading is its text) and
    # "crossHeading" (a preambular paragraph inside a section)
    kind: str = "paragraph"


@dataclass
class NoteBody:
    marker: str            # as printed, e.g. "١٤"
    value: int
    text: Text
    page: int
    used: bool = False
    eid: str = ""


@dataclass
class Resolution:
    lang: object
    source_name: str
    masthead: dict = field(default_factory=dict)   # key -> Text
    extra_masthead: list[Text] = field(default_factory=list)
    number: str = ""       # as printed in the title line
    number_pos: tuple = (1, 1)
    part: str = ""         # "A", "B"… for a resolution adopted in parts
    part_printed: str = "" # as printed, e.g. "ألف"
    title: Text | None = None
    title_separator: str = ""   # as printed between number and title (" - ", ". ")
    formula: Text | None = None
    preamble: list[Preambular] = field(default_factory=list)
    operative: list[Operative] = field(default_factory=list)
    meeting: Text | None = None
    meeting_num: str = ""
    closing_date: Text | None = None
    trailing: list[Text] = field(default_factory=list)
    notes: list[NoteBody] = field(default_factory=list)
    artifacts: list[tuple[int, int, str, str]] = field(default_factory=list)  # line, col, text, kind
    pages: int = 1
    # what the transforms (akn/read/transforms.py) find
    calls: dict = field(default_factory=dict)         # (id(text), offset) -> the call there
    adoption: str | None = None                       # ISO date
    own_number: str = ""                              # its number, put right
    inliner: object = None                            # what wrote it: convention, changes
