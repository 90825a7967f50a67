"""Source lines -> blocks: paragraphs, note bodies, page ends and page furniture.

A resolution's text reaches us in one of two shapes, and this stage turns either into the
same stream of :class:`Block`s for the structure reader:

* **cleaned** (the seed): one paragraph per block of lines, blocks parted by blank lines,
  footnote calls written ``^(n)``, the footnote bodies ``(n) …`` gathered where each page
  ends, the recycle mark after the first page's notes.
* **raw** — what a PDF text extractor (pdftotext, PyMuPDF) gives: lines wrapped at the
  measure, paragraph numbers and item letters often on lines of their own, a masthead with
  the job number and bar code, running headers (symbol, short title, job number, page k/n)
  from page 2, note calls printed as digits glued to the word ("Nations1", "2003,2",
  Arabic "الوطنية(1)"), note bodies under a "_____" rule at the foot of each page, form
  feeds between pages, Chinese lines broken without spaces.

Page furniture is recognised by rule (the shape of a job number, a bar code, a page number
k/n, a line that repeats the document's symbol or the start of its title, the recycle
mark), never by a list of documents. Every repair (a call read from glued digits, a
paragraph rejoined across a page, furniture left out) is a warning with its line and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from akn.diagnostics import Diagnostics
from akn.lang import Language, ascii_digits, available, get

NOTE_BODY = re.compile(r"^\((?P<m>[0-9٠-٩]{1,3})\)\s*(?P<text>.*)$", re.S)
CALL_MARK = re.compile(r"\^\((?P<m>[0-9٠-٩]{1,3})\)")

# -- page furniture, by its shape --------------------------------------------------------------
RULE = re.compile(r"^[_\-‐‑–—]{5,}$")
JOB = re.compile(r"^[0-9]{2}-[0-9]{5}(?:\s*\([A-Z]\))?(?:\s+[0-9]{6})?$")
BARCODE = re.compile(r"^\*[0-9]{6,9}\*$")
PAGE_NO = re.compile(r"^(?P<k>[0-9]{1,3})\s*/\s*(?P<n>[0-9]{1,3})$")
SYMBOL = re.compile(r"^[A-Z]{1,2}/(?:[A-Z]+/)*[0-9]+(?:/[A-Za-z0-9.]+)*(?: [A-Z])?$")
# a footer or header line may hold several of these side by side ("2/10  23-24964")
FURNITURE_TOKEN = re.compile(r"[0-9]{2}-[0-9]{5}(?:\s*\([A-Z]\))?|\*[0-9]{6,9}\*|[0-9]{1,3}/[0-9]{1,3}"
                             r"|[A-Z]{1,2}/(?:[A-Z]+/)*[0-9]+(?:/[A-Za-z0-9.]+)*")
# a line that is a number or an item label alone: it belongs to the text that follows
LABEL_ALONE = re.compile(r"^(?:[0-9٠-٩]{1,4}\s*[.．]|[0-9٠-٩]{1,4}\s*[-–]|[(（]?[a-zа-я]{1,3}[)）]"
                         r"|\([\u0621-\u064a]{1,3}(?: [\u0621-\u064a]{1,3})?\)|[(（][ivxlc]{1,6}[)）]"
                         r"|[ivxlc]{1,6}\)|’[0-9٠-٩]{1,2}‘|[(（][0-9٠-٩]{1,2}[)）])$")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Chinese characters that follow a number as its counter or unit (2023年, 第10号, 45次…): a
# number before one of them is text, not a note call
CJK_COUNTERS = "年月日号次届个名项条款段章节卷页时分秒岁亿万千百十期册人份种类批点天周倍位部轮层级"
# conjunctions and particles a call may stand before ("公约》14和《巴黎协定》", "司法1及关于")
CJK_JOINERS = "和及并以的或与而"


@dataclass
class Block:
    """A paragraph (or masthead line, or note body) with the map back to its source."""
    text: str
    line: int
    col: int
    starts: tuple = ()      # (offset in text, line, col) where each source piece starts
    kind: str = "text"      # "text" | "note" | "page" | "artifact"
    marker: str = ""        # a note's number as printed
    value: int = 0          # a note's number
    wrapped: bool = False   # its lines are one paragraph wrapped at the measure (raw shape)
    join: str = " "         # what joins it to the paragraph it continues, if it does
    lines: tuple = ()       # (first, last) source Line of a raw block
    # after a page end: False when the layout shows the paragraph before it ended there (a
    # blank line closed the page's text); None when it cannot tell
    continues: bool | None = None
    what: str = ""          # an artifact's kind: "page-mark", "running-header", …


PAGE = Block("", 0, 0, kind="page")


def shape_of(lines: list[str]) -> str:
    """"raw" when the text looks like a PDF extractor's output, else "cleaned".

    The cleaned shape writes calls as ``^(n)`` and a paragraph on one line. An extractor's
    text has page furniture (a job number, a page number, a rule over the notes), form feeds,
    or paragraphs wrapped over several lines. The first 600 lines tell."""
    head = lines[:600]
    text_lines = [ln.strip() for ln in head if ln.strip()]
    if not text_lines:
        return "cleaned"
    # furniture is the stronger sign: a raw text can hold a stray "^(" (a superscript
    # printed before a call), a cleaned one has none of a PDF's job numbers and rules
    if any("\f" in ln for ln in head) or sum(1 for ln in text_lines if _furniture(ln) or RULE.match(ln)) >= 2:
        return "raw"
    if any("^(" in ln for ln in text_lines):
        return "cleaned"
    multi, blocks, run = 0, 0, 0
    for ln in head + [""]:
        if ln.strip():
            run += 1
        elif run:
            blocks += 1
            multi += run > 1
            run = 0
    return "raw" if blocks and multi / blocks > 0.5 else "cleaned"


def _furniture(s: str) -> str:
    """What kind of page furniture the stripped line ``s`` is, or ""."""
    if not s:
        return ""
    if JOB.match(s):
        return "job-number"
    if BARCODE.match(s):
        return "bar-code"
    m = PAGE_NO.match(s)
    if m and 1 <= int(m.group("k")) <= int(m.group("n")) and int(m.group("n")) >= 2:
        return "page-number"
    if len(s) < 60 and " " in s and not FURNITURE_TOKEN.sub("", s).strip():
        return "page-footer"
    return ""


# -- the cleaned shape -------------------------------------------------------------------------
def line_blocks(lines: list[str]):
    """Group lines into blocks separated by blank lines; each remembers where it starts."""
    cur, starts, first, off = [], [], 0, 0
    for no, line in enumerate(lines, 1):
        if line.strip():
            stripped = line.strip()
            col = len(line) - len(line.lstrip()) + 1
            starts.append((off, no, col))  # where this line starts in the joined text
            off += len(stripped) + 1
            cur.append(stripped)
            first = first or no
        elif cur:
            yield Block(" ".join(cur), first, starts[0][2], tuple(starts) if len(starts) > 1 else ())
            cur, starts, first, off = [], [], 0, 0
    if cur:
        yield Block(" ".join(cur), first, starts[0][2], tuple(starts) if len(starts) > 1 else ())


def cleaned(lines: list[str], lang: Language, diag: Diagnostics):
    """Blocks of the cleaned shape: note bodies ``(n) …`` are told from paragraphs that open
    with a bracketed number by their sequence; a page ends after its notes or its mark."""
    next_note = 1
    notes_here = False      # note bodies read since the last paragraph: a page's note block
    seen_title = False
    called: set[int] = set()
    for b in line_blocks(lines):
        text = b.text
        norm = " ".join(text.split())
        if norm in lang.page_marks:
            yield Block(norm, b.line, b.col, kind="artifact", what="page-mark")
            yield PAGE
            notes_here = False
            continue
        m = NOTE_BODY.match(text)
        if m and seen_title:
            value = int(ascii_digits(m.group("m")))
            # a body numbered above the next expected one is still a note when its call
            # is in the text already (the notes before it were called from a part of the
            # document the text does not carry)
            if value == next_note or (value > next_note and (notes_here or value in called)):
                if value != next_note:
                    diag.warn(b.line, b.col, f"footnote ({m.group('m')}) follows "
                              f"({lang.to_local_digits(str(next_note - 1))}): numbers skipped",
                              "note-sequence")
                start = m.start("text")
                yield Block(text[start:], *_position(b, start), _shift(b.starts, start),
                            kind="note", marker=m.group("m"), value=value)
                next_note = value + 1
                notes_here = True
                continue
        if notes_here:
            yield PAGE
            notes_here = False
        if "^(" in text:
            called.update(int(ascii_digits(c.group("m"))) for c in CALL_MARK.finditer(text))
        if not seen_title:
            pieces = [text[o:e] for (o, _, _), e in zip(b.starts or ((0, 0, 0),),
                                                        [s[0] for s in b.starts[1:]] + [len(text)])]
            seen_title = any(lang.title.match(" ".join(p.split())) for p in pieces)
        yield b
    if notes_here:
        yield PAGE


def _position(b: Block, start: int) -> tuple[int, int]:
    """(line, col) of character ``start`` of block ``b``."""
    if not b.starts:
        return b.line, b.col + start
    off, line, col = max((s for s in b.starts if s[0] <= start), key=lambda s: s[0])
    return line, col + (start - off)


def _shift(starts: tuple, start: int) -> tuple:
    """``starts`` for the block's text from character ``start`` on."""
    if not starts:
        return ()
    first = max((s for s in starts if s[0] <= start), key=lambda s: s[0])
    out = ((0, first[1], first[2] + (start - first[0])),) + tuple(
        (o - start, ln, c) for o, ln, c in starts if o > start)
    return out if len(out) > 1 else ()


# -- the raw shape -----------------------------------------------------------------------------
@dataclass
class Line:
    no: int          # 1-based line number
    col: int         # 1-based column of the first non-blank character
    text: str        # stripped
    trailing: bool   # the source line had white space after its text (a break at a space)
    page: int = 1
    furniture: str = ""   # the kind of page furniture it is, if any (found once, see read)
    symbol: bool = False  # it repeats the document's symbol


# a note body's first line: its number, bracketed (Arabic) or not, then the text
NOTE_START = re.compile(r"^(?:\((?P<p>[0-9٠-٩]{1,3})\)|(?P<n>[0-9٠-٩]{1,3})(?=\s|$))\s*")
# … and, at the foot of a page without a rule, a body's first line: text follows the number
# (not a dash or a point: "1 -", "1." open paragraphs)
NOTE_TEXT_START = re.compile(r"^(?:\((?P<p>[0-9٠-٩]{1,3})\)|(?P<n>[0-9٠-٩]{1,3}))\s+(?![-–—.]|$)")
# characters a glued call may follow: a letter or mark, closing punctuation, a quote
_BEFORE_CALL = r"[^\W\d_]|[\u064b-\u065f\u0670]|[,.;:!?)\]»”’\"'》」』）】，。；：、]"


class RawReader:
    """The raw shape: lines -> pages -> paragraphs, note bodies and furniture."""

    def __init__(self, lines: list[str], lang: Language, diag: Diagnostics):
        self.lang, self.diag = lang, diag
        self.marks = {m for code in available() for m in get(code).page_marks}
        self.source = lines
        self.symbol = ""
        self.title = ""
        self.width = 80
        self._patterns: dict[str, tuple[re.Pattern, re.Pattern]] = {}

    def read(self) -> list[Block]:
        lines, breaks = self.split_lines()
        self.width = self.measure(lines)
        title_at = self.find_symbol_and_title(lines)
        for ln in lines:
            if ln is not None:
                ln.furniture = self.furniture(ln)
                ln.symbol = bool(self.symbol) and ln.text == self.symbol
        pages = self.paginate(lines, breaks, title_at)
        self.blank_parted = self.parted_by_blank_lines(lines, title_at)
        return self.emit(pages, title_at)

    # -- lines -------------------------------------------------------------------------------
    def split_lines(self) -> tuple[list[Line | None], set[int]]:
        """Lines with positions (None for a blank line); a form feed starts a new page."""
        out: list[Line | None] = []
        breaks: set[int] = set()  # indexes in out where a new page starts
        for no, raw in enumerate(self.source, 1):
            if "\f" in raw:
                breaks.add(len(out))
                raw = raw.replace("\f", "")
            s = raw.strip()
            if not s:
                out.append(None)
                continue
            col = len(raw) - len(raw.lstrip()) + 1
            out.append(Line(no, col, s, raw != raw.rstrip()))
        return out, breaks

    @staticmethod
    def measure(lines) -> int:
        """The measure lines are wrapped at: a high percentile of the line lengths."""
        lengths = sorted(len(ln.text) for ln in lines if ln is not None)
        return lengths[int(len(lengths) * 0.9)] if lengths else 80

    def find_symbol_and_title(self, lines) -> int | None:
        """The document's symbol (the masthead's A/RES/… line, else made from the number)
        and its title (the title line and the lines that wrap it); the title line's index."""
        for i, ln in enumerate(lines[:120]):
            if ln is None:
                continue
            if not self.symbol and SYMBOL.match(ln.text) and "/RES/" in ln.text:
                self.symbol = ln.text
            m = self.lang.title.match(ln.text)
            if m:
                group = [ln]
                for nxt in lines[i + 1:i + 8]:
                    if nxt is None:
                        break
                    group.append(nxt)
                text = self.block_of(group).text
                self.title = text[text.find(m.group("title")):]
                if not self.symbol:
                    self.symbol = "A/RES/" + ascii_digits(m.group("num")).replace(" ", "")
                return i
        return None

    # -- pages -------------------------------------------------------------------------------
    def paginate(self, lines, breaks, title_at):
        """Cut the lines into pages, each {"body": lines, "notes": lines, "furniture":
        [(kind, line)]}; None stands for a blank line."""
        pages = [self.new_page()]
        in_notes = False
        i, n = 0, len(lines)
        after_title = title_at if title_at is not None else n
        while i < n:
            if i in breaks and (pages[-1]["body"] or pages[-1]["notes"]):
                pages.append(self.new_page())
                in_notes = False
            ln = lines[i]
            if ln is None:
                pages[-1]["notes" if in_notes else "body"].append(None)
                i += 1
                continue
            if i > after_title:
                group = self.header_group(lines, i)
                if group:
                    end, found = group
                    if any(k != "page-mark" for k, _ in found) and (pages[-1]["body"] or pages[-1]["notes"]):
                        pages.append(self.new_page())
                        in_notes = False
                    pages[-1]["furniture"].extend(found)
                    i = end
                    continue
                if RULE.match(ln.text):
                    pages[-1]["furniture"].append(("rule", ln))
                    in_notes = True
                    i += 1
                    continue
            kind = ln.furniture
            if kind:
                pages[-1]["furniture"].append((kind, ln))
                i += 1
                continue
            pages[-1]["notes" if in_notes else "body"].append(ln)
            i += 1
        for k, page in enumerate(pages, 1):
            for ln in page["body"] + page["notes"]:
                if ln is not None:
                    ln.page = k
        return pages

    @staticmethod
    def new_page() -> dict:
        return {"body": [], "notes": [], "furniture": []}

    def furniture(self, ln: Line) -> str:
        if " ".join(ln.text.split()) in self.marks:
            return "page-mark"
        return _furniture(ln.text)

    def header_group(self, lines, i):
        """The running header or footer that starts at line ``i``, if one does: furniture
        lines (the symbol, the job number, the page number, the recycle mark) and lines that
        repeat the start of the title beside them, with the blank lines between them.
        Returns (index after the group, [(kind, line)]) or None."""
        found = []
        j, n = i, len(lines)
        title_left = self.norm(self.title)
        anchored = False
        end = i
        while j < n:
            ln = lines[j]
            if ln is None:
                j += 1
                continue
            kind = ln.furniture or ("symbol" if ln.symbol else "")
            if not kind and title_left and (anchored or self.anchor_near(lines, j)):
                stem = self.norm(ln.text).rstrip("-‐‑…").rstrip(".").rstrip()
                if len(stem) >= min(12, len(title_left)) and title_left.startswith(stem):
                    kind = "running-title"
                    title_left = title_left[len(stem):].lstrip()
            if not kind:
                break
            anchored = anchored or kind != "running-title"
            found.append((kind, ln))
            j += 1
            end = j
        if not found or not anchored:
            return None
        return end, found

    def anchor_near(self, lines, j) -> bool:
        """Is a symbol, job-number or page-number line among the next few lines? A line
        that repeats the title is a running header only beside one of them."""
        for ln in lines[j + 1:j + 5]:
            if ln is not None and (ln.symbol or ln.furniture):
                return True
        return False

    def norm(self, s: str) -> str:
        return " ".join(s.split()) if self.lang.spaces else "".join(s.split())

    # -- joining -----------------------------------------------------------------------------
    def glue(self, prev: Line, nxt: Line) -> str:
        """What stands between two wrapped lines: in Chinese nothing, unless the break was
        at a space; else a space, unless a word was broken after its hyphen."""
        if not self.lang.spaces:
            return " " if prev.trailing or nxt.col > 1 else ""
        if not prev.trailing and len(prev.text) > 1 and prev.text[-1] in "-‐" and prev.text[-2].isalpha() \
                and nxt.text[:1].islower():
            return ""
        return " "

    def block_of(self, lines: list[Line], wrapped: bool = True) -> Block:
        text, starts, prev = "", [], None
        for ln in lines:
            if prev is not None:
                text += self.glue(prev, ln)
            starts.append((len(text), ln.no, ln.col))
            text += ln.text
            prev = ln
        first = lines[0]
        b = Block(text, first.no, first.col, tuple(starts) if len(starts) > 1 else (),
                  wrapped=wrapped and len(lines) > 1)
        b.lines = (first, lines[-1])
        return b

    # -- output ------------------------------------------------------------------------------
    def emit(self, pages, title_at) -> list[Block]:
        texts: list[list[Block]] = []
        notes: list[list[Block]] = []
        next_note = 1
        in_head = title_at is not None
        carry: list[Line] = []  # a number alone at a page's end: it opens the next page's text
        prev_ended = False      # the page before ended its text with a blank line
        for page in pages:
            blocks: list[Block] = []
            if not page["notes"]:
                self.notes_without_rule(page, next_note)
            for group in (g for whole in self.paragraphs(page["body"]) for g in self.split(whole, in_head)):
                if carry:
                    group, carry = carry + group, []
                if len(group) == 1 and LABEL_ALONE.match(group[0].text) and not in_head:
                    carry = group
                    continue
                if in_head:
                    at = next((k for k, ln in enumerate(group) if self.lang.title.match(ln.text)), None)
                    if at is None:
                        blocks.extend(self.masthead_blocks(group))
                        continue
                    blocks.extend(self.masthead_blocks(group[:at]))
                    in_head = False
                    title = self.block_of(group[at:])
                    title.what = "masthead"  # its number is no note call
                    blocks.append(title)
                    continue
                blocks.append(self.block_of(group))
            if blocks and texts and prev_ended:
                blocks[0].continues = False
            prev_ended = bool(page["body"]) and page["body"][-1] is None
            bodies, next_note = self.note_bodies(page["notes"], next_note)
            texts.append(blocks)
            notes.append(bodies)
        if carry:
            texts[-1].append(self.block_of(carry))
        self.bind_calls(texts, notes)
        self.set_joins(texts)
        out: list[Block] = []
        for k, page in enumerate(pages):
            if k:
                out.append(PAGE)
            out.extend(texts[k])
            out.extend(notes[k])
            self.report_furniture(page["furniture"], out)
        return out

    def set_joins(self, texts: list[list[Block]]) -> None:
        """What joins each paragraph to the one before if it continues it (a page end cut
        it): in Chinese nothing, unless the break was at a space."""
        if self.lang.spaces:
            return
        prev = None
        for blocks in texts:
            for b in blocks:
                if not b.lines:
                    continue
                if prev is not None:
                    b.join = self.glue(prev, b.lines[0])
                prev = b.lines[1]

    def parted_by_blank_lines(self, lines, title_at) -> bool:
        """Does the text part its paragraphs with blank lines (after its title)? Told by the
        lines that end a sentence well short of the measure, which end paragraphs: most are
        followed by a blank line, or few are. pdftotext often gives none: then a paragraph ends
        where a line stops short of the measure, or the next opens with a number or a
        preambular phrase."""
        body = lines[(title_at or 0) + 1:]
        ends = blank_after = 0
        for ln, nxt in zip(body, body[1:]):
            if ln is not None and ln.text.endswith(self.lang.closing) and len(ln.text) < 0.6 * self.width \
                    and not ln.furniture and not LABEL_ALONE.match(ln.text):
                ends += 1
                blank_after += nxt is None
        return not ends or blank_after >= 0.5 * ends

    def split(self, group: list[Line], in_head: bool) -> list[list[Line]]:
        """A group of lines cut into paragraphs: before a line that opens with a paragraph
        number or an item letter, the formula or the closing meeting; and, where paragraphs
        are not parted by blank lines, after a line that ends a sentence short of the measure
        and before a line that opens with a preambular phrase after a sentence's end."""
        if len(group) == 1:
            return [group]
        lang, out = self.lang, [[group[0]]]
        head = in_head
        for prev, ln in zip(group, group[1:]):
            text = " ".join(ln.text.split())
            cut = False
            if lang.formula.match(" ".join(prev.text.split())):
                cut, head = True, False  # the formula is a line of its own
            elif lang.formula.match(text):
                cut = True
            elif not head and not self.blank_parted:
                if LABEL_ALONE.match(prev.text):
                    cut = False  # a number alone on its line opens the text after it
                elif lang.operative_number.match(ln.text) or lang.point_number.match(ln.text) \
                        or lang.masthead["meeting"].match(text) \
                        or lang.masthead["meeting"].match(" ".join(prev.text.split())):
                    cut = True  # (the closing date follows the meeting, on its own line)
                elif _CALL_AT_END.sub("", prev.text).endswith(lang.closing):
                    # a line filled to the measure runs on, even into a preambular phrase:
                    # Arabic goes on "…، وإذ تعترف…" inside one paragraph (measured on
                    # session 78's raw texts: ar 305 -> 307 exact, zh 313 -> 314, others same)
                    cut = len(prev.text) < 0.85 * self.width \
                        or _opens_like_preamble(lang, ln.text) and len(prev.text) < 0.95 * self.width
            if cut:
                out.append([ln])
            else:
                out[-1].append(ln)
        return out

    def notes_without_rule(self, page: dict, next_note: int) -> None:
        """Note bodies at the foot of a page that has no rule over them (a PDF draws the rule;
        an extractor drops it): the last lines of the page that open with the next notes'
        numbers in order, each followed by the lines that go on its text."""
        if self.blank_parted:
            return  # a text that parts its paragraphs with blank lines draws its rule too
        body = page["body"]
        # a number and then words (not a paragraph's "1." or "1 -")
        starts = [i for i, ln in enumerate(body) if ln is not None and NOTE_TEXT_START.match(ln.text)]
        if not starts:
            return
        # the bottom-most note's number, then its predecessors upwards, down to next_note
        for last in reversed(starts):
            value = int(ascii_digits(_note_number(body[last].text)))
            if value < next_note or value > next_note + 40:
                continue
            want, at, i = value, last, last
            found = [last]
            while want > next_note:
                want -= 1
                i = next((j for j in reversed(starts) if j < found[-1]
                          and int(ascii_digits(_note_number(body[j].text))) == want), None)
                if i is None or found[-1] - i > 8:
                    break
                found.append(i)
            else:
                first = found[-1]
                # a note area opens after a blank line or at the page's top
                if first == 0 or body[first - 1] is None:
                    page["notes"] = [ln for ln in body[first:]]
                    rest = body[:first]
                    while rest and rest[-1] is None:  # the space over the notes, not a paragraph's end
                        rest.pop()
                    page["body"] = rest
                return
            return

    @staticmethod
    def paragraphs(lines):
        """Groups of consecutive lines, parted by blank lines."""
        group = []
        for ln in lines:
            if ln is None:
                if group:
                    yield group
                group = []
            else:
                group.append(ln)
        if group:
            yield group

    def masthead_blocks(self, group: list[Line]) -> list[Block]:
        """Masthead lines: one fact a line, but a fact wrapped over several lines (an
        agenda item's name, the committee line) is one block."""
        out: list[list[Line]] = []
        for ln in group:
            if out and self.continues_masthead(out[-1], ln):
                out[-1].append(ln)
            else:
                out.append([ln])
        blocks = [self.block_of(g) for g in out]  # a fact over several lines is one (wrapped)
        for b in blocks:
            b.what = "masthead"  # no note call is looked for here
        return blocks

    def continues_masthead(self, prev: list[Line], ln: Line) -> bool:
        if prev[0].text.startswith("[") and not prev[-1].text.endswith("]"):
            return True  # the committee line goes on to its closing bracket
        mh, norm = self.lang.masthead, " ".join(ln.text.split())
        if ln.text.startswith("[") or any(mh[k].match(norm) for k in
                                          ("adoption", "agenda", "session", "session_alone", "organ")
                                          if k in mh):
            return False
        last = prev[-1].text
        return len(last) >= 0.75 * self.width and not last.endswith(self.lang.closing)

    def note_bodies(self, lines, next_note: int) -> tuple[list[Block], int]:
        """The note bodies under a page's rule: a line that opens with the next note's number
        ("1 See …", Arabic "(1) …") starts a body; the lines after it continue it."""
        bodies: list[tuple[str, int, list[Line]]] = []
        for ln in lines:
            if ln is None:
                continue
            m = NOTE_START.match(ln.text)
            value = int(ascii_digits(m.group("p") or m.group("n"))) if m else -1
            new = m is not None and (value == next_note or (not bodies and next_note < value <= next_note + 3))
            if new and bodies and bodies[-1][1] >= 0:
                prev = bodies[-1][2][-1].text
                if len(prev) >= 0.9 * self.width and not prev.endswith(self.lang.closing):
                    new = False  # "… Supplement No." / "2 (A/…)": a number that wraps a body
            if new:
                bodies.append((m.group("p") or m.group("n"), value, [ln]))
                next_note = value + 1
            elif bodies:
                bodies[-1][2].append(ln)
            else:  # text under the rule that is no note: kept as a paragraph of its own
                bodies.append(("", -1, [ln]))
        out = []
        for marker, value, lns in bodies:
            b = self.block_of(lns)
            if value < 0:
                out.append(b)
                continue
            start = NOTE_START.match(b.text).end()
            out.append(Block(b.text[start:], *_position(b, start), _shift(b.starts, start),
                             kind="note", marker=marker, value=value, wrapped=True))
        return out, next_note

    def report_furniture(self, furniture, out: list[Block]) -> None:
        for kind, ln in furniture:
            out.append(Block(ln.text, ln.no, ln.col, kind="artifact", what=kind))
        kinds = [k for k, _ in furniture if k != "page-mark"]
        if kinds:
            first, last = furniture[0][1], furniture[-1][1]
            names = ", ".join(dict.fromkeys(k.replace("-", " ") for k in kinds))
            self.diag.warn(first.no, first.col, f"page furniture ({names}; lines {first.no}–{last.no}) "
                           "is not text of the resolution: left out and recorded in the metadata",
                           "artifact")

    # -- calls -------------------------------------------------------------------------------
    def bind_calls(self, texts: list[list[Block]], notes: list[list[Block]]) -> None:
        """Find each note's call, in the order of the notes, in the text of its page or an
        earlier one: the note's number printed glued to a word ("Nations1", "2003,2",
        "评注4 的", Arabic "الوطنية(1)"), or, failing that, to a year ("20223": 2022 and call 3).
        Each call found is written ``^(n)`` in its block, as the cleaned shape writes it."""
        seq = [(k, nb) for k, page in enumerate(notes) for nb in page if nb.kind == "note"]
        flat = [(k, i) for k, blocks in enumerate(texts) for i in range(len(blocks))]
        edits: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        cur, off = 0, 0  # where the search goes on: an index in flat, an offset in that block
        at = 0
        while at < len(seq):
            page, nb = seq[at]
            after = (seq[at + 1][1].marker, seq[at + 1][0]) if at + 1 < len(seq) else None
            hit = self.find_call(texts, flat, cur, off, page, nb.marker, after)
            if hit is None:
                at += 1
                continue
            fi, start, end = hit
            k, i = flat[fi]
            markers = [nb.marker]
            # calls printed side by side run together ("12": the calls of notes 1 and 2)
            text = texts[k][i].text
            while at + len(markers) < len(seq) and seq[at + len(markers)][0] >= k and \
                    text.startswith(seq[at + len(markers)][1].marker, end):
                end += len(seq[at + len(markers)][1].marker)
                markers.append(seq[at + len(markers)][1].marker)
            call = "".join(f"^({m})" for m in markers)
            edits.setdefault((k, i), []).append((start, end, call))
            line, col = _position(texts[k][i], start)
            self.diag.warn(line, col, f"\"{text[start:end]}\" after \"{text[max(0, start - 12):start].lstrip()}\" "
                           f"read as the call of note{'s' if len(markers) > 1 else ''} "
                           f"{', '.join(markers)} (printed as digits glued to the text)", "call-glued")
            cur, off = fi, end
            at += len(markers)
        for (k, i), changes in edits.items():
            texts[k][i] = _rewrite(texts[k][i], changes)

    def call_patterns(self, marker: str) -> tuple[re.Pattern, re.Pattern]:
        """(strong, weak) patterns of ``marker``'s call, made once per marker."""
        cached = self._patterns.get(marker)
        if cached is None:
            cached = self._patterns[marker] = self._call_patterns(marker)
        return cached

    def _call_patterns(self, marker: str) -> tuple[re.Pattern, re.Pattern]:
        """(strong, weak) patterns of a call printed as ``marker``'s digits. Strong: the
        digits bracketed and glued (Arabic "الوطنية(1)"), or glued to a letter or closing
        punctuation and followed by no digit, slash or decimal ("Nations1", "2003,2",
        Chinese "评注4 的"). Weak: the digits ending a number at the end of a clause
        ("20223 and": 2022 and call 3, "59/3009 and": 59/300 and call 9, "1/CMA.428,": call
        28, "Agenda 216 and": Agenda 21 and call 6)."""
        d = re.escape(marker)
        # not followed by more of a number: digits, a slash, a decimal, a group of thousands
        not_number = r"(?![0-9٠-٩])(?![/\-‐‑–—][0-9٠-٩A-Za-z])(?![.,][0-9٠-٩])(?! [0-9]{3}(?![0-9]))"
        # not after one capital ("G20"), a decimal point ("13.6", "3,1") or an abbreviation's
        # point ("IV.7", "Add.1")
        if self.lang.spaces:
            point = "[.,]" if self.lang.decimal_comma else "[.]"
            # a single capital holds no call ("G20") unless it is a resolution's part
            # ("52/38 J3") or a roman numeral after a word ("Protocolo Adicional I6"); no letter
            # follows a call ("Youth4Disarmament" is a name)
            single = r"(?:(?<!\b[A-Z])|(?<=[0-9] [A-Z])|(?<=[a-z] [IVX]))"
            # (glued to a letter, digits after a comma are the next call: "corresponda7,8")
            strong = (rf"(?<=\S)\({d}\)|\({d}\)(?=[^\s(])"
                      rf"|(?<=[^\W\d_]){single}{d}(?![0-9٠-٩])(?![/\-‐‑–—][0-9٠-٩A-Za-z])(?!\.[0-9٠-٩])(?![^\W\d_])"
                      rf"|(?<={_BEFORE_CALL}){single}(?<![0-9٠-٩]{point})(?<![A-Z]\.){d}{not_number}(?![^\W\d_])")
        else:  # Chinese digits glued to a character are text (第10号, 2023年) unless a space or punctuation follows
            # (not after 第, "第11、13段"; before a character only after punctuation and when
            # it is no counter ("报告，15支持"), or before a conjunction ("公约》14和", "司法1及");
            # "第10号", "2023年", "目标4所需", "10月13至18日" are text)
            strong = (rf"(?<=\S)\({d}\)|\({d}\)(?=[^\s(])"
                      rf"|(?<=[^\s0-9٠-٩/\-.第]){d}{not_number}(?=\s|$|[,.;:，。；：、)）《「『（“(])"
                      rf"|(?<=[，、；：》”)）]){d}{not_number}(?![{CJK_COUNTERS}])(?=[\u3400-\u9fff])"
                      rf"|(?<=[^\s0-9٠-٩/\-.第]){d}{not_number}(?=[{CJK_JOINERS}])")
        # a number printed with the call glued to its end: the number, then the call, then
        # what ends a clause (punctuation, or a space and a word in lower case); the digits as
        # printed are not a year, which a number followed by punctuation so often is
        # (also bracketed digits apart from the word, and digits apart after a word or closing
        # quote and before punctuation: "tuberculosis 5,", "Bridgetown” 12;")
        weak = (rf"(?<=\s)(?P<bracket>\({d}\))|(?<=(?:[^\W\d_]|[”»º]) )(?P<apart>{d})(?=[,;:.])|(?:(?<=[^\W\d_][/.\-‑–—])|(?<=[0-9٠-٩][/.\-‑–—])|(?<=[\w,;)] )(?!(?:19|20)[0-9]{{2}}(?![0-9])))"
                rf"(?P<run>[0-9٠-٩]{{1,4}}?)(?P<call>{d}){not_number}(?P<end>\s?[,;:.)»”]|\s+[^\W\d_])")
        return re.compile(strong), re.compile(weak)

    def first(self, texts, flat, pattern, cur: int, off: int, page: int, group: int = 0, stop=None,
              marker: str = ""):
        """The first match of ``pattern`` from block ``cur`` (offset ``off``) on, in text
        blocks of pages up to ``page`` (and before the place ``stop``): (index in flat,
        start, end) or None. Blocks without ``marker``'s digits are passed over in C."""
        last = len(flat) if stop is None else min(len(flat), stop[0] + 1)
        for fi in range(cur, last):
            k, i = flat[fi]
            if k > page:
                return None
            block = texts[k][i]
            if block.kind != "text" or block.what == "masthead":
                continue
            pos = off if fi == cur else 0
            if marker and block.text.find(marker, pos) < 0:
                continue
            for m in pattern.finditer(block.text, pos):
                if group or block.text[m.start()] == "(" or not _inside_symbol(block.text, m.start()):
                    return fi, m.start(group), m.end(group)
        return None

    def weak_calls(self, texts, flat, pattern, cur: int, off: int, page: int, marker: str):
        """Places where a call may be glued to the end of a number, in order, each with its
        rank: 1 when the number as printed cannot be one ("20223", "202415", "59/3009",
        "cible 1013"), 2 when it can ("77/382") and punctuation follows, so a clause ends."""
        for fi in range(cur, len(flat)):
            k, i = flat[fi]
            if k > page:
                return
            block = texts[k][i]
            if block.kind != "text" or block.what == "masthead" or block.text.find(marker, off if fi == cur else 0) < 0:
                continue
            for m in pattern.finditer(block.text, off if fi == cur else 0):
                if m.group("bracket"):  # "الدينية (13)،": bracketed, apart from the word
                    yield 1, (fi, m.start(), m.end())
                    continue
                if m.group("apart"):  # "tuberculosis 5,": a call printed apart
                    yield 2, (fi, m.start("apart"), m.end("apart"))
                    continue
                run = ascii_digits(m.group("run") + m.group("call"))
                sep = block.text[m.start("run") - 1]
                year_and_call = len(m.group("run")) == 4 and m.group("run")[:2] in ("19", "20")
                implausible = year_and_call or (len(run) >= 4 and not (len(run) == 4 and run[:2] in ("19", "20"))) \
                    or (sep == "/" and int(run) >= 600) or (sep == "." and int(run) >= 100)
                # (after a slash: decisions are numbered up to ~580; after a point, a session:
                # "1/CMA.4^28")
                before = block.text[max(0, m.start("run") - 14):m.start("run")].split()
                named = (len(m.group("run")) <= 2 and before and before[-1][:1].isupper()
                         and before[-1] not in self.lang.months)  # "Agenda 21"
                if implausible:
                    yield 1, (fi, m.start("call"), m.end("call"))
                elif named or not m.group("end")[-1:].isalpha():
                    yield 2, (fi, m.start("call"), m.end("call"))

    def find_call(self, texts, flat, cur: int, off: int, page: int, marker: str, after=None):
        """Where, from (cur, off) on, on a page up to ``page``, ``marker`` is printed as a
        call: (index in flat, start, end) or None. Calls are printed in the order of their
        notes, so the next note's call bounds the search: a strong place before it wins;
        else a weak place before it, the implausible numbers first."""
        strong, weak = self.call_patterns(marker)
        # a call right after the one just read, after a comma ("corresponda7,8,"; "7,8" is no
        # decimal here)
        k, i = flat[cur] if cur < len(flat) else (None, None)
        if k is not None and off:
            text = texts[k][i].text
            m = re.compile(rf",({re.escape(marker)})(?![0-9٠-٩])").match(text, off)
            if m:
                return cur, m.start(1), m.end(1)
        s = self.first(texts, flat, strong, cur, off, page, marker=marker)
        bound = None
        if after is not None:
            # the next note's call, looked for only before this strong place (when there is one)
            nxt_marker, nxt_page = after
            bound = self.first(texts, flat, self.call_patterns(nxt_marker)[0], cur, off, nxt_page, stop=s,
                               marker=nxt_marker)
            if bound is not None and s is not None and bound[:2] >= s[:2]:
                bound = None
        if s is not None and bound is None:
            return s
        best = None
        for rank, w in self.weak_calls(texts, flat, weak, cur, off, page, marker):
            if (bound is not None and w[:2] >= bound[:2]) or (s is not None and w[:2] >= s[:2]):
                break
            if best is None or rank < best[0]:
                best = (rank, w)
                if rank == 1:
                    break
        return best[1] if best else s


_SYMBOL_TAIL = re.compile(r"[A-Za-z0-9٠-٩./\-]*$")  # the symbol characters that end a text


# a note call printed at the end of a line ("Weapons,1", "الوطنية(1)،" has it inside)
_CALL_AT_END = re.compile(r"(?:[0-9٠-٩]{1,3}|\([0-9٠-٩]{1,3}\))$")


def _note_number(text: str) -> str:
    m = NOTE_START.match(text)
    return m.group("p") or m.group("n")


def _opens_like_preamble(lang: Language, text: str) -> bool:
    """Does a line open with a preambular phrase (its first word opens one of the harvested
    phrases), with a capital where the language writes one?"""
    if not lang.spaces:
        return lang.opens_with_phrase(text)
    first = text.split(" ", 1)[0].strip(",،")
    return first in lang.first_words and (lang.participle_case == "lower" or not first[:1].islower())


def _inside_symbol(text: str, at: int) -> bool:
    """Are the digits at ``at`` part of a document symbol or number pair ("A/78/459/Add.1",
    "A/C.6/43/7")? Not when a bracket or quote closes the symbol first ("(A/78/10)1")."""
    if at and text[at - 1] in ")]»”’\"',;:":
        return False
    m = _SYMBOL_TAIL.search(text, 0, at)
    token = m.group() if m else ""
    if "/" not in token:
        return False
    # "A/C.6", "Add.1": a number after a point inside a symbol; "A/78/459": after a number
    # ("HIV/AIDS7" is a word and its call)
    return token.endswith(".") or any(ch.isdigit() for ch in token)


def _rewrite(b: Block, changes: list[tuple[int, int, str]]) -> Block:
    """``b`` with text[start:end] replaced by each replacement, its position map kept."""
    changes.sort()
    starts = list(b.starts or ((0, b.line, b.col),))
    pieces, entries, pos, shift = [], [], 0, 0
    for start, end, rep in changes:
        pieces.append(b.text[pos:start])
        entries.append((start + shift, *_position(b, start)))
        pieces.append(rep)
        shift += len(rep) - (end - start)
        entries.append((end + shift, *_position(b, end)))
        pos = end
    pieces.append(b.text[pos:])
    text = "".join(pieces)

    def moved(o: int) -> int:
        return o + sum(len(rep) - (e - s) for s, e, rep in changes if e <= o)
    for o, line, col in starts:
        if not any(s < o < e for s, e, _ in changes):
            entries.append((moved(o), line, col))
    entries = sorted(set(e for e in entries if e[0] <= len(text)), key=lambda e: (e[0], e[1], e[2]))
    dedup = []
    for e in entries:
        if dedup and dedup[-1][0] == e[0]:
            dedup[-1] = e
        else:
            dedup.append(e)
    return Block(text, dedup[0][1], dedup[0][2], tuple(dedup) if len(dedup) > 1 else (), kind=b.kind,
                 marker=b.marker, value=b.value, wrapped=b.wrapped, what=b.what, join=b.join, lines=b.lines,
                 continues=b.continues)


def layout(lines: list[str], lang: Language, diag: Diagnostics, shape: str | None = None) -> list[Block]:
    """The blocks of the text, in either shape (found from the text unless given)."""
    shape = shape or shape_of(lines)
    if shape == "raw":
        return RawReader(lines, lang, diag).read()
    if any("\f" in ln for ln in lines):  # a form feed in the cleaned shape is white space
        lines = [ln.replace("\f", " ") for ln in lines]
    return list(cleaned(lines, lang, diag))
