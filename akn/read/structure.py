"""Source lines -> the resolution's parts (docutils' "parser" stage).

The text is a sequence of blocks separated by blank lines, laid out in pages as they came
out of the PDF: masthead lines, the numbered title, the formula, preambular paragraphs,
numbered operative paragraphs with lettered items, the closing meeting and date, and at
each page end a block of footnote bodies ``(n) …`` (on the first page also the UN's
recycle mark). A page end can cut a paragraph in two; the halves are rejoined here.
"""
from __future__ import annotations

import re
from akn.diagnostics import Diagnostics
from akn.lang import Language, ascii_digits
from akn.read.layout import Block, layout
from akn.read.model import NoteBody, Operative, Part, Preambular, Resolution, Run, Text

CALLS_AND_BOLD = re.compile(r"\^\([^)]{0,6}\)|\*\*")


def _bare(text: str) -> str:
    return CALLS_AND_BOLD.sub("", text).strip()


def _bare_end(text: Text) -> str:
    """How ``_bare(text.value)`` ends (its last characters), kept up to date run by run: a
    paragraph that page ends cut many times would otherwise be re-read whole each time a
    block joins it, which made long inputs quadratic."""
    seen, end = getattr(text, "_bare_end", (0, ""))
    for r in text.runs[seen:]:
        bare = _bare(r.text)
        if bare:
            end = bare[-16:]
    text._bare_end = (len(text.runs), end)
    return end


class StructureReader:
    def __init__(self, lines: list[str], lang: Language, diag: Diagnostics):
        self.lines = lines
        self.lang = lang
        self.diag = diag
        self.res = Resolution(lang=lang, source_name=diag.file)
        self.page = 1
        self.after_break = False
        self.state = "head"
        self.last_numbered: Operative | None = None  # the last numbered operative paragraph
        self.sectioned = ""      # the body is in sections: "numbered" ("I", "II"…) or "headed"
        self.last_text: Text | None = None   # the text a continuation would extend

    # -- helpers -------------------------------------------------------------------------
    def run(self, b: Block, start: int = 0) -> Run:
        """A run for block b from character ``start`` on (leading spaces skipped)."""
        s = b.text[start:]
        start += len(s) - len(s.lstrip())
        s = s.lstrip()
        if not b.starts:
            return Run(s, b.line, b.col + start, self.page)
        first, rest = None, []
        for off, ln, c in b.starts:
            if off <= start:
                first = (0, ln, c + (start - off))
            else:
                rest.append((off - start, ln, c))
        starts = (first, *rest)
        return Run(s, first[1], first[2], self.page, starts)

    def new_text(self, b: Block, start: int = 0) -> Text:
        t = Text()
        t.add(self.run(b, start))
        return t

    def is_open(self, text: Text) -> bool:
        return not _bare_end(text).endswith(self.lang.closing)

    def starts_paragraph(self, s: str) -> bool:
        return opens_preambular(self.lang, s)

    # -- main loop -----------------------------------------------------------------------
    def read(self, shape: str | None = None) -> Resolution:
        for b in layout(self.lines, self.lang, self.diag, shape):
            if b.kind == "page":
                self.end_page()
            elif b.kind == "artifact":
                self.res.artifacts.append((b.line, b.col, b.text, b.what))
                if b.what == "page-mark":
                    self.diag.warn(b.line, b.col, f"page mark \"{b.text}\" (the UN's recycle mark) is page "
                                   "furniture, not text of the resolution: left out of the body and "
                                   "recorded in the metadata", "artifact")
            elif b.kind == "note":
                self.res.notes.append(NoteBody(b.marker, b.value, self.new_text(b), self.page))
                self.after_break = True
            else:
                self.block(b, " ".join(b.text.split()))
        self.res.pages = self.page
        return self.res

    def end_page(self) -> None:
        self.page += 1
        self.after_break = True

    def block(self, b: Block, norm: str) -> None:
        """Read one block in the current state: one method a state (head, formula,
        preamble, operative, end), each handing over to the next."""
        broke, self.after_break = self.after_break, False
        getattr(self, f"in_{self.state}")(b, norm, broke)

    # -- states ----------------------------------------------------------------------------
    def in_head(self, b: Block, norm: str, broke: bool) -> None:
        """Masthead lines until the numbered title."""
        if b.wrapped:  # one fact wrapped over several lines (raw shape)
            self.head(b, norm)
            return
        # masthead lines are separate facts even when no blank line parts them
        starts = b.starts or ((0, b.line, b.col),)
        for i, (off, line, col) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(b.text)
            piece = b.text[off:end].strip()
            self.head(Block(piece, line, col, ()), " ".join(piece.split()))
            if self.state != "head":  # the title was in this block: the rest follows it
                rest = b.text[end:].strip()
                if rest:
                    nxt = [(o, ln, c) for o, ln, c in b.starts if o >= end]
                    self.block(Block(rest, nxt[0][1], nxt[0][2],
                                     tuple((o - nxt[0][0], ln, c) for o, ln, c in nxt) if len(nxt) > 1 else ()),
                               " ".join(rest.split()))
                return

    def in_formula(self, b: Block, norm: str, broke: bool) -> None:
        """The enacting formula after the title ("The General Assembly,")."""
        self.state = "preamble"
        if self.lang.formula.match(_bare(norm)):
            self.res.formula = self.new_text(b)
            return
        self.diag.warn(b.line, b.col, "no enacting formula (such as \"The General Assembly,\") "
                       "after the title; the preamble starts here", "no-formula")
        self.in_preamble(b, norm, broke)

    def in_preamble(self, b: Block, norm: str, broke: bool) -> None:
        """Preambular paragraphs, until the first operative one."""
        res = self.res
        if self.closing(b, norm) or self.continued(b, norm, broke):
            return
        om = self.operative_number(b.text)
        if om:
            self.start_operative(b)
            self.numbered(b, om)
            return
        sm = self.section_number(norm)
        if not res.preamble and (sm or (self.heading_like(self.new_text(b))
                                        and not opens_preambular(self.lang, b.text))):
            # "I" (أولا, 一) straight after the formula: the body is in sections, each with
            # its heading, preambular paragraphs (crossHeadings) and numbered paragraphs
            self.sectioned = "numbered" if sm else "headed"
            self.state = "operative"
            self.new_section(b, sm)
            return
        if b.text.startswith("**") and (res.preamble or res.formula):
            # an unnumbered operative paragraph opens with its verb in bold (a resolution with
            # a single operative paragraph is not numbered)
            self.state = "operative"
            op = unnumbered_operative(self.new_text(b))
            res.operative.append(op)
            self.last_text = op.parts[0].text
            return
        p = Preambular(self.new_text(b))
        res.preamble.append(p)
        self.last_text = p.text

    def in_operative(self, b: Block, norm: str, broke: bool) -> None:
        """Numbered paragraphs with their items; headings and unnumbered paragraphs between
        them; in a sectioned body, sections and their preambular paragraphs."""
        res, lang = self.res, self.lang
        if self.closing(b, norm) or self.continued(b, norm, broke):
            return
        om = self.operative_number(b.text)
        if om:
            self.numbered(b, om)
            return
        if self.sectioned:
            sm = self.section_number(norm)
            if sm or (self.sectioned == "headed" and res.operative[-1].num
                      and self.heading_like(self.new_text(b))):
                self.new_section(b, sm)
                return
            last = res.operative[-1]
            if last.kind == "section" and not last.parts and self.is_heading(b.text, after_heading=True):
                last.parts.append(Part("text", "", self.new_text(b)))  # the section's heading
                self.last_text = last.parts[-1].text
                return
            if last.kind in ("section", "crossHeading") and opens_preambular(lang, b.text):
                op = Operative(num="", value=0, line=b.line, col=b.col, kind="crossHeading",
                               parts=[Part("text", "", self.new_text(b))])
                res.operative.append(op)
                self.last_text = op.parts[0].text
                return
        op = res.operative[-1]
        pm = lang.point_number.match(b.text)
        if pm and op.kind == "paragraph":
            sub_item = pm.groupdict().get("qnum") or pm.groupdict().get("cnum")
            raw = pm.group("num") or sub_item
            depth = 1 if sub_item or (re.fullmatch(r"[ivxlc]+", raw)
                                              and not self._is_letter_i(op, raw)) else 0
            part = Part("point", pm.group(0).strip(), self.new_text(b, pm.end()), depth)
            op.parts.append(part)
            self.last_text = part.text
            return
        # an unnumbered block between operative paragraphs (a heading such as "Budget
        # estimates for …", a line of a schedule, the words that close a list): the UN
        # marks it up as a paragraph of its own, without a number
        op = Operative(num="", value=op.value, line=b.line, col=b.col, heading=self.is_heading(b.text))
        part = Part("text", "", self.new_text(b))
        op.parts.append(part)
        res.operative.append(op)
        self.last_text = part.text

    def in_end(self, b: Block, norm: str, broke: bool) -> None:
        """The closing meeting's date, and anything after it."""
        res = self.res
        if res.closing_date is None and res.meeting is not None and not broke:
            res.closing_date = self.new_text(b)
            return
        res.trailing.append(self.new_text(b))
        self.diag.warn(b.line, b.col, "text after the closing meeting and date; kept at "
                       "the end of the conclusions — check it belongs to the resolution",
                       "trailing-text")

    # -- what the states share ---------------------------------------------------------------
    def closing(self, b: Block, norm: str) -> bool:
        """The closing meeting line ("45th plenary meeting"): the conclusions start."""
        meeting = self.meeting_number(norm)
        if meeting is None:
            return False
        self.state = "end"
        self.res.meeting = self.new_text(b)
        self.res.meeting_num = meeting
        return True

    def continued(self, b: Block, norm: str, broke: bool) -> bool:
        """Continuation of a paragraph cut by a page end, or the items of a preambular
        paragraph that announces them with a colon: added to the text it continues."""
        if self.last_text is None or not (broke or (
                self.state == "preamble" and _bare_end(self.last_text).endswith(COLONS))):
            return False
        if (broke and b.continues is False) or not self.continues(b, norm):
            return False
        if broke and self.heading_before() and not _bare(b.text)[:1].islower():
            return False  # a heading alone before the page end ("社会方面"): no paragraph cut
        if broke:
            first = self.last_text.first
            self.diag.warn(b.line, b.col, f"paragraph cut by a page end (it starts at line {first.line}) "
                           "goes on here: rejoined", "rejoined")
        run = self.run(b)
        run.sep = b.join
        self.last_text.add(run)
        return True

    def heading_before(self) -> bool:
        """Is the text before a page end a short unnumbered line (a heading)? A paragraph
        cut by a page end leaves a line or more before it."""
        text = self.last_text
        if len(text.runs) != 1:
            return False
        bare = _bare(text.value)
        width = len(bare) if self.lang.spaces else 2 * len(bare)  # a Chinese character is two wide
        if width >= 40 or not self.heading_like(text):
            return False
        return self.state == "preamble" or not self.res.operative[-1].num

    def start_operative(self, b: Block) -> None:
        """The first numbered paragraph: the operative part begins. Headings printed just
        before it ("I", "Final report") and an unnumbered introduction ("Resolves that:")
        belong to it, as the UN marks them up, not to the preamble."""
        res = self.res
        moved = []
        while res.preamble and (self.heading_like(res.preamble[-1].text) or (
                not moved and self.unnumbered_intro(res.preamble[-1].text))):
            moved.append(res.preamble.pop().text)
        for text in reversed(moved):
            op = unnumbered_operative(text)
            op.heading = self.heading_like(text)
            res.operative.append(op)
        self.state = "operative"

    def numbered(self, b: Block, om) -> None:
        """A block that opens with a paragraph number: a new operative paragraph, or an
        item of a numbered list inside the last one."""
        res, lang = self.res, self.lang
        value = int(ascii_digits(om.group("num")))
        prev = self.last_numbered  # of this section, in a sectioned body
        expected = prev.value + 1 if prev else 1
        # "4. **Decides** …" after the items "1." to "3." of a list is paragraph 4: a
        # paragraph opens with its verb in bold, a list item does not
        if res.operative and res.operative[-1].kind == "paragraph" and self.numbered_item(value, expected) and not (
                value == expected and b.text[om.end():].lstrip().startswith("**")):
            op = res.operative[-1]
            part = Part("point", om.group(0).strip(), self.new_text(b, om.end()), 0)
            op.parts.append(part)
            self.last_text = part.text
            return
        if value != expected and prev:
            kind = "repeated" if value <= prev.value else "skipped"
            self.diag.warn(b.line, b.col, f"operative paragraph {om.group('num')} where "
                           f"{lang.to_local_digits(str(expected))} was expected (number {kind})",
                           "numbering")
        elif value != expected:
            self.diag.warn(b.line, b.col, f"the first operative paragraph is numbered "
                           f"{om.group('num')}, not {lang.to_local_digits('1')}", "numbering")
        op = Operative(num=om.group(0).strip(), value=value, line=b.line, col=b.col)
        part = Part("text", "", self.new_text(b, om.end()))
        op.parts.append(part)
        res.operative.append(op)
        self.last_numbered = op
        self.last_text = part.text

    def new_section(self, b: Block, sm) -> None:
        """A section opens: at its number (its heading follows, or stands beside it), or, in
        a body whose sections have no numbers, at its heading."""
        if sm is None:
            op = Operative(num="", value=0, line=b.line, col=b.col, kind="section",
                           parts=[Part("text", "", self.new_text(b))])
        else:
            op = Operative(num=sm.group("num"), value=0, line=b.line, col=b.col, kind="section")
            heading = (sm.groupdict().get("heading") or "").strip()
            if heading:  # printed beside the number (Chinese); else it is the next line
                op.parts.append(Part("text", "", self.new_text(b, b.text.find(heading))))
        self.res.operative.append(op)
        self.last_numbered = None  # paragraphs are numbered from 1 again
        self.last_text = op.parts[0].text if op.parts else None

    def section_number(self, norm: str):
        """A section's number alone on its line ("I", Arabic «أولا», Chinese "一", the
        Chinese one with its heading beside it), or None."""
        return self.lang.section_number.match(_bare(norm)) if self.lang.section_number else None

    def heading_like(self, text: Text) -> bool:
        """A heading printed among paragraphs: a section number, or a short line that does
        not end like a sentence and does not open like a preambular paragraph."""
        bare = _bare(text.value)
        if self.section_number(bare):
            return True
        return (0 < len(bare) < 160 and not bare.endswith(self.lang.closing)
                and (len(bare) < 80 or not opens_preambular(self.lang, bare))
                and (bare[:1].isupper() or not bare[:1].isalpha() or self.lang.script in CASELESS))

    def unnumbered_intro(self, text: Text) -> bool:
        """A paragraph that announces the numbered ones ("Resolves that:", "Decides:"): it
        ends with a colon and does not open like a preambular paragraph."""
        return _bare_end(text).endswith(COLONS) and not opens_preambular(self.lang, text.value)

    def operative_number(self, text: str):
        """The match of an operative number opening ``text``, if any. Six digits at most: a
        longer number is no paragraph's (and Python refuses to read one of thousands)."""
        om = self.lang.operative_number.match(text)
        return om if om and len(om.group("num")) <= 6 else None

    def is_heading(self, text: str, after_heading: bool = False) -> bool:
        """An unnumbered line between operative paragraphs that is a heading: short, not
        ending like a sentence; in a cased script it starts with a capital; in Arabic and
        Chinese the paragraph before it is finished."""
        bare = _bare(text)
        if self.section_number(bare):
            return True
        if not bare or bare.endswith(self.lang.closing):
            return False
        if self.lang.script in CASELESS:
            last = self.res.operative[-1].parts if self.res.operative else []
            return len(bare) < 120 and (after_heading or not last or not self.is_open(last[-1].text))
        return len(bare) < 160 and bare[:1].isupper() and not self.lang.point_number.match(text)

    def numbered_item(self, value: int, expected: int) -> bool:
        """Inside an operative paragraph, "1 - …", "2 - …" can be a numbered list (an agenda,
        say): a number that starts such a list, or continues it, is an item, not a paragraph."""
        op = self.res.operative[-1]
        # the last numbered item, looked for from the end (a scan of every part for each
        # block made a paragraph with many items quadratic)
        item = next((p for p in reversed(op.parts) if p.kind == "point" and p.num[:1].isdigit()), None)
        if item is not None:
            last = int(ascii_digits(self.lang.operative_number.match(item.num + " ").group("num")))
            if op.parts[-1] is item or op.parts[-1].kind == "point":
                return value == last + 1
        return value == 1 and expected > 2 and self.is_open_list(op)

    def is_open_list(self, op: Operative) -> bool:
        """The paragraph's last text announces a list (ends with a colon)."""
        return _bare_end(op.parts[-1].text).endswith(COLONS)

    @staticmethod
    def _is_letter_i(op: Operative, raw: str) -> bool:
        """'(i)' after '(h)' is the letter i, not the roman numeral one."""
        if raw != "i":
            return False
        # the last top-level item, kept up to date part by part (not re-scanned each time)
        seen, last = getattr(op, "_last_top", (0, None))
        for p in op.parts[seen:]:
            if p.kind == "point" and p.depth == 0:
                last = p.num
        op._last_top = (len(op.parts), last)
        return last == "(h)"

    def continues(self, b: Block, norm: str) -> bool:
        """After a page end: is this block the rest of the paragraph cut there?"""
        lang = self.lang
        om = self.operative_number(b.text)
        expected = self.res.operative[-1].value + 1 if self.res.operative else 1
        closed = not self.is_open(self.last_text)
        if om and (int(ascii_digits(om.group("num"))) == expected or closed):
            return False  # a numbered block after a finished sentence starts something new
        if self.state == "operative" and closed and (
                lang.point_number.match(b.text) or b.text.startswith("**")):
            return False  # an item, or a bold heading, after a finished sentence
        if self.meeting_number(norm) is not None:
            return False
        if not closed:
            return True
        if self.heading_like(self.new_text(b)):
            return False  # the rest of a paragraph ends like one; a short unpunctuated line is a heading
        if self.state == "preamble" and self.lang.participle_case == "lower" and _bare(b.text)[:1].isupper():
            return False  # paragraphs here open in lower case: a capital opens a heading
        if self.state == "operative":
            end = _bare_end(self.last_text)
            if end.endswith((",", "،", "，")):
                return True  # an operative paragraph does not end with a comma
            first = _bare(b.text)[:1]
            if self.lang.script in CASELESS:
                # a finished sentence: what follows the page end starts anew, unless it opens
                # with the conjunction ("والتكفل…": and …), which goes on a sentence
                conj = self.lang.data.get("conjunction", "")
                word = _bare(b.text).split(" ", 1)[0]
                return bool(conj) and word.startswith(conj) and len(word) > len(conj) + 2 \
                    and not self.starts_paragraph(b.text)
            if first.isupper():
                return False  # a finished sentence, then a capital: a heading or a new paragraph
            if first.islower():
                return True  # "para." / "11)": a sentence that went on after its full stop
        return not self.starts_paragraph(b.text)

    def meeting_number(self, norm: str) -> str | None:
        """The number of the plenary meeting this line names ("45th plenary meeting",
        «الجلسة العامة الثالثة والثلاثون»: 33), as ASCII digits, or None if it names none."""
        mm = self.lang.masthead["meeting"].match(_bare(norm))
        if not mm:
            return None
        if mm.groupdict().get("num"):
            return ascii_digits(mm.group("num"))
        value = self.lang.number(mm.group("words") or "")
        return str(value) if value else None

    def head(self, b: Block, norm: str) -> None:
        lang, res, mh = self.lang, self.res, self.lang.masthead
        tm = lang.title.match(norm)
        if tm:
            res.number = tm.group("num")
            res.number_pos = (b.line, b.col)
            if tm.group("part"):
                res.part_printed = tm.group("part")
                parts = lang.data["parts"]
                res.part = "ABCDEFGHIJ"[parts.index(tm.group("part"))] if tm.group("part") in parts else tm.group("part")
            # what stands between the number and the title, as printed (" - ", ". ")
            res.title_separator = norm[tm.end("part") if tm.group("part") else tm.end("num"):tm.start("title")]
            # where the title starts in the block as printed (its spaces may differ from norm's)
            exact = lang.title.match(b.text)
            start = exact.start("title") if exact else b.text.find(tm.group("title"))
            res.title = self.new_text(b, max(start, 0))
            self.state = "formula"
            return
        for key in MASTHEAD_KEYS:
            if key in res.masthead or key not in mh:
                continue
            if (mh[key].match(norm) if not isinstance(mh[key], str) else norm == mh[key]):
                res.masthead[key] = self.new_text(b)
                return
        if SYMBOL_LINE.match(norm) and "symbol" not in res.masthead:
            res.masthead["symbol"] = self.new_text(b)
            return
        if norm.replace("\u0640", "") in _publishers() and "publisher" not in res.masthead:
            res.masthead["publisher"] = self.new_text(b)
            return
        if DISTRIBUTION.match(norm) and "distribution" not in res.masthead:
            res.masthead["distribution"] = self.new_text(b)
            return
        if "issue_date" not in res.masthead and "distribution" in res.masthead and "session" not in res.masthead \
                and "session_alone" not in res.masthead and len(norm) < 40 and re.search(r"[0-9٠-٩]{4}", norm):
            res.masthead["issue_date"] = self.new_text(b)
            return
        if "agenda" in res.masthead and "agenda_name" not in res.masthead and "adoption" not in res.masthead:
            res.masthead["agenda_name"] = self.new_text(b)
            return
        res.extra_masthead.append(self.new_text(b))
        self.diag.warn(b.line, b.col, "line before the title not recognised as part of the "
                       "masthead (session, agenda item, adoption line, committee line); kept in the "
                       "cover page", "masthead")


# The masthead facts a line can state, in the order they are tried; their patterns are in
# the language data ([masthead]).
# a colon announces what follows (a list, items); Chinese writes it full-width
COLONS = (":", "：")
# scripts without capital letters: a heading is told by its length and what comes before it
CASELESS = frozenset({"arab", "hani"})
MASTHEAD_KEYS = ("session", "organ", "session_alone", "agenda", "adoption", "proponent")
SYMBOL_LINE = re.compile(r"^[A-Z]{1,2}/(?:[A-Z]+/)*[0-9]+(?:/[A-Za-z0-9.]+)*$")
DISTRIBUTION = re.compile(r"^Distr\.?\s*:?\s*\S.*$")  # "Distr.: General", "Distr. générale"


def _publishers() -> frozenset[str]:
    """"United Nations" as every language writes it (a masthead may print it in another
    language's masthead too), without tatweel."""
    from akn.lang import available, get
    return frozenset(get(c).masthead.get("publisher", "").replace("\u0640", "") for c in available())


def opens_preambular(lang: Language, s: str) -> bool:
    """Does this text open like a preambular paragraph? It starts with one of the harvested
    phrases (Chinese, written without spaces), its first word opens one of them or is one of
    the language's openers, or it is a participle ("Recalling", "Rappelant", "напоминая")."""
    bare = _bare(s)
    if not lang.spaces:
        return lang.opens_with_phrase(bare)
    words = bare.split(" ", 1)
    first = words[0].strip(",،") if words else ""
    if first in lang.first_words:
        return True
    return bool(first) and first.endswith(lang.participles) and (
        first[:1].isupper() if lang.participle_case == "upper" else
        first[:1].islower() if lang.participle_case == "lower" else True)


def unnumbered_operative(text: Text) -> Operative:
    """An operative paragraph without a number, made of ``text``."""
    return Operative(num="", value=0, line=text.first.line, col=text.first.col,
                     parts=[Part("text", "", text)])


def read_structure(lines: list[str], lang: Language, diag: Diagnostics, shape: str | None = None) -> Resolution:
    res = StructureReader(lines, lang, diag).read(shape)
    if res.title is None:
        raise diag.error(1, 1, "no title line found: a resolution has a line like "
                         "\"67/190 - title\" (Arabic) or \"67/190. Title\" (English) after the "
                         "masthead", "no-title")
    if not res.operative and res.preamble and (
            _bare(res.preamble[-1].text.value).endswith((".", "؛", ";", "。", "；"))
            or not opens_preambular(lang, res.preamble[-1].text.value)):
        # no numbered paragraph: the last paragraph, which ends like an operative one or
        # does not open like a preambular one, is the single (unnumbered) operative paragraph
        op = unnumbered_operative(res.preamble.pop().text)
        res.operative.append(op)
        diag.warn(op.line, op.col, "no numbered operative paragraph: the last paragraph, which "
                  "does not read like a preambular one, is read as the single operative paragraph",
                  "unnumbered-operative")
    if not res.operative:
        line = res.preamble[-1].text.first.line if res.preamble else res.number_pos[0]
        raise diag.error(line, 1, "no operative paragraph found: a resolution needs numbered "
                         "paragraphs (\"١ - …\" in Arabic, \"1. …\" in English) after the preamble",
                         "no-operative")
    if not res.preamble:
        diag.warn(res.number_pos[0], 1, "no preambular paragraph found between the formula and "
                  "the first operative paragraph", "no-preamble")
    if res.meeting is None:
        diag.warn(len(lines), 1, "no closing meeting line (such as \"60th plenary meeting\"); the "
                  "conclusions are left out", "no-meeting")
    return res
