"""The reader's model -> the Akoma Ntoso tree, marked up the way the UN publishes
resolutions (see ../shared/design/akn4un-notes.md), with our improvements: ASCII eIds in the
guidelines' form, repeated footnote calls linked with ``noteRef``, dates and references.
"""
from __future__ import annotations

import bisect
import os
import re

from akn import __version__
from akn.diagnostics import Diagnostics
from akn.frbr import FrbrUri, source_date_epoch
from akn.lang import ascii_digits
from akn.read.inline import Inliner
from akn.read.model import Operative, Resolution, Text
from akn.tree import E, append_text, indent, sub, to_xml, xml_chars

PIPELINE_NS = "https://akn.un-resolutions.invalid/ns/pipeline/1.0"
CLOSING_PUNCT = "،,؛;:. "


def session_from(date: str) -> int:
    """The GA session a date falls in (sessions open in September)."""
    y, m = int(date[:4]), int(date[5:7])
    return y - 1945 if m >= 9 else y - 1946


class Builder:
    def __init__(self, res: Resolution, diag: Diagnostics):
        self.res, self.diag, self.lang = res, diag, res.lang
        self.eids: set[str] = set()
        # the last <p> built on each page: where a footnote body that nothing calls is kept
        self.last_p: dict[int, object] = {}
        self.next_n: dict[str, int] = {}  # base -> the next suffix worth trying

    def eid(self, base: str) -> str:
        # the same result as trying base, base_2, base_3… from 2 each time, without re-trying
        # the suffixes already taken (that made thousands of unnumbered paragraphs quadratic)
        e, n = base, self.next_n.get(base, 2)
        if e in self.eids:
            e = f"{base}_{n}"
            while e in self.eids:
                n += 1
                e = f"{base}_{n}"
            n += 1
        self.next_n[base] = n
        self.eids.add(e)
        return e

    # ------------------------------------------------------------------------------------
    def build(self) -> bytes:
        """The AKN file of the model, which the transforms (akn/read/transforms.py) have
        already read through: calls bound, adoption date and number conventions found."""
        res, lang = self.res, self.lang
        self.calls = res.calls
        adoption = res.adoption
        # the numbers transform's inliner: the convention it learnt, the citations it read
        # (read once: the same heads come back while the text is written), its changes
        self.inliner = res.inliner
        self.number = number = res.own_number
        self.frbr = FrbrUri(date=adoption or "0001-01-01", number=ascii_digits(number) + res.part,
                            language=lang.frbr)

        root = E("akomaNtoso")
        st = sub(root, "statement", {"name": "resolution"})
        meta = sub(st, "meta")
        cover = self.cover_page()
        if len(cover):  # no masthead line was read: the schema wants no empty coverPage
            st.append(cover)
        st.append(self.preface())
        if res.formula is not None or res.preamble:
            st.append(self.preamble())
        st.append(self.main_body())
        concl = self.conclusions()
        if concl is not None:
            st.append(concl)
        self.fill_meta(meta)
        indent(root)
        return to_xml(root)

    # -- parts -----------------------------------------------------------------------------
    def inline(self, parent, text: Text) -> None:
        self.inliner.fill(parent, text, note_builder=self.note)
        self.last_p[text.last.page] = parent

    def note(self, call):
        body = call.body
        if body is None:
            return None
        if call.repeat or getattr(body, "_placed", False):
            return E("noteRef", {"href": f"#{body.eid}", "marker": str(body.value), "placement": "bottom"})
        body._placed = True
        note = E("authorialNote", {"eId": self.eid(body.eid), "marker": str(body.value),
                                   "placement": "bottom"})
        p = sub(note, "p")
        self.inliner.fill(p, body.text, note_builder=None)
        return note

    def cover_page(self):
        res, lang, mh = self.res, self.lang, self.lang.masthead
        cover = E("coverPage", {"eId": "coverPage"})
        # the masthead as the UN marks it up, fact by fact, in the order the UN prints them
        t = res.masthead.get("publisher")
        if t is not None:
            self.inline(sub(sub(cover, "p"), "docAuthority", {"refersTo": "#publisher"}), t)
        t = res.masthead.get("symbol")
        if t is not None:
            sub(sub(cover, "p"), "docNumber", {"refersTo": "#symbol"}, t.value)
        t = res.masthead.get("organ")
        if t is not None:
            self.inline(sub(sub(cover, "p"), "docAuthority", {"refersTo": "#issuingBody"}), t)
        t = res.masthead.get("distribution")
        if t is not None:
            sub(sub(cover, "p"), "docStatus", {"refersTo": "#generalDistribution"}, t.value)
        t = res.masthead.get("issue_date")
        if t is not None:
            iso = self.inliner.parse_date(t.value) or self.english_date(t.value)
            p = sub(cover, "p")
            if iso:
                sub(p, "docDate", {"date": iso, "refersTo": "#dateOfIssuance"}, t.value)
            else:
                self.inline(p, t)
        t = res.masthead.get("session")
        if t is not None:
            m = mh["session"].match(" ".join(t.value.split()))
            p = sub(cover, "p")
            sub(p, "docAuthority", {"refersTo": "#issuingBody"}, m.group("body"))
            append_text(p, " ")
            sub(p, "session", {"refersTo": "#generalAssembly", "value": self.session_value()}, m.group("session"))
        t = res.masthead.get("session_alone")
        if t is not None:
            sub(sub(cover, "p"), "session", {"refersTo": "#generalAssembly", "value": self.session_value()},
                t.value)
        t = res.masthead.get("agenda")
        if t is not None:
            p = sub(cover, "p")
            item = re.search(r"[0-9٠-٩]+", t.value)
            sub(p, "inline", {"name": "agenda item", "title": ascii_digits(item.group()) if item else None},
                t.value)
        t = res.masthead.get("agenda_name")
        if t is not None:
            self.inline(sub(sub(cover, "p"), "inline", {"name": "agenda item name"}), t)
        t = res.masthead.get("adoption")
        if t is not None:
            p = sub(cover, "p")
            self.inline(sub(p, "docTitle", {"refersTo": "#adoptionLine"}), t)
        t = res.masthead.get("proponent")
        if t is not None:
            p = sub(cover, "p")
            prop = sub(p, "docProponent", {"refersTo": "#committee"})
            value = t.value
            m = re.search(r"\((?P<inner>[^()]*[A-Z]/[^()]*)\)", value)
            if m:  # the report symbol: an originating document
                self.inliner.fill(prop, t, value[:m.start("inner")], 0, self.note)
                inner = sub(prop, "inline", {"name": "originating document"})
                self.inliner.fill(inner, t, m.group("inner"), m.start("inner"), self.note)
                self.inliner.fill(prop, t, value[m.end("inner"):], m.end("inner"), self.note)
            else:
                self.inline(prop, t)
        for t in res.extra_masthead:
            self.inline(sub(cover, "p"), t)
        return cover

    def session_value(self) -> str:
        """The session's number: the resolution number's first part, else the date's session."""
        value = str(session_from(self.frbr.date)) if self.frbr.date[0] != "0" else "0"
        if "/" in self.number:
            value = ascii_digits(self.number.split("/")[0])
        if not value.isdigit() or len(value) > 3 or int(value) > 999:  # a number we could not read: the date's session
            value = str(session_from(self.frbr.date))
        return value

    def english_date(self, text: str) -> str | None:
        """A date printed in English (the masthead's issue date is, in every language)."""
        from akn.lang import get
        if self.lang.code == "en":
            return None
        return Inliner(get("en"), self.diag, 0, {}).parse_date(text)

    def preface(self):
        res = self.res
        pre = E("preface", {"eId": "preface"})
        p = sub(pre, "p")
        sub(p, "docNumber", {"refersTo": "#resolutionNumber"},
            f"{self.number} {res.part_printed}" if res.part_printed else self.number)
        append_text(p, res.title_separator or " - ")
        self.inline(sub(p, "docTitle", {"refersTo": "#resolutionTitle"}), res.title)
        return pre

    def preamble(self):
        res = self.res
        pre = E("preamble", {"eId": "preamble"})
        if res.formula is not None:
            f = sub(pre, "formula", {"name": "enactingFormula", "eId": "preamble__formula_1"})
            self.inline(sub(f, "p"), res.formula)
        for i, para in enumerate(res.preamble, 1):
            phrase = self.opening_phrase(para.text.value)
            c = sub(pre, "container", {"name": phrase or "preambularParagraph",
                                       "eId": self.eid(f"preamble__container_{i}")})
            self.inline(sub(c, "p"), para.text)
        return pre

    def opening_phrase(self, value: str) -> str:
        bare = value.replace("**", "")
        spaces = self.lang.spaces
        for cand in self.lang.phrases_for(bare):
            if bare.startswith(cand) and (not spaces or len(bare) == len(cand) or not bare[len(cand)].isalnum()):
                return cand
        if not spaces:  # Chinese: no phrase known, no word boundary to cut at
            return ""
        words = bare.split()
        if not words:
            return ""
        n = 2 if self.lang.openers and words[0] in self.lang.openers else 1
        phrase = " ".join(words[:n])
        rest = bare[len(phrase):].lstrip()
        for adv in self.lang.adverbs:
            if rest.startswith(adv + " "):
                phrase += " " + adv
                break
        return phrase.strip(CLOSING_PUNCT)

    def main_body(self):
        body = E("mainBody", {"eId": "mainBody"})
        parent, prefix = body, ""
        for i, op in enumerate(self.res.operative, 1):
            if op.kind == "section":  # a body in sections: the paragraphs after it go inside
                label = re.sub(r"[^A-Za-z0-9]", "", ascii_digits(op.num)) or str(
                    sum(o.kind == "section" for o in self.res.operative[:i]))
                parent = sub(body, "section", {"eId": self.eid(f"sec_{label}")})
                prefix = f"{parent.get('eId')}__"
                if op.num:
                    sub(parent, "num", None, op.num)
                for part in op.parts:
                    self.inline(sub(parent, "heading"), part.text)
            elif op.kind == "crossHeading":  # a preambular paragraph inside a section
                self.inline(sub(parent, "crossHeading", {"eId": self.eid(f"{prefix}crossHeading_1")}),
                            op.parts[0].text)
            else:
                parent.append(self.paragraph(op, i, prefix))
        return body

    def paragraph(self, op: Operative, index: int, prefix: str = ""):
        if not op.num and (op.value or op.heading):  # unnumbered, after paragraph op.value
            pid = self.eid(f"{prefix}para_{op.value}__{'heading' if op.heading else 'text'}_1")
            para = E("paragraph", {"eId": pid})
            if op.heading:  # a heading between paragraphs: the UN's paragraph with a subheading
                for part in op.parts:
                    self.inline(sub(para, "subheading"), part.text)
                return para
        else:
            pid = self.eid(f"{prefix}para_{op.value or index}")
            para = E("paragraph", {"eId": pid})
        if op.num:
            sub(para, "num", None, op.num)
        texts_before = []
        i = 0
        while i < len(op.parts) and op.parts[i].kind == "text":
            texts_before.append(op.parts[i])
            i += 1
        if i == len(op.parts):  # no items
            content = sub(para, "content", {"eId": f"{pid}__content"})
            for part in texts_before:
                self.inline(sub(content, "p"), part.text)
            return para
        lst = sub(para, "list", {"eId": f"{pid}__list_1"})
        if texts_before:
            intro = sub(lst, "intro", {"eId": f"{pid}__list_1__intro"})
            for part in texts_before:
                self.inline(sub(intro, "p"), part.text)
        items = op.parts[i:]
        top = min(p.depth for p in items if p.kind == "point")
        self.points(lst, items, f"{pid}__list_1", top)
        return para

    def points(self, lst, parts, prefix: str, depth: int) -> None:
        """Items at ``depth`` become points; deeper items nest in the point before them;
        text after the items closes the list (wrapUp)."""
        point = None
        i = 0
        while i < len(parts):
            part = parts[i]
            if part.kind == "point" and part.depth == depth:
                label = self.point_label(part.num)
                point = sub(lst, "point", {"eId": self.eid(f"{prefix}__point_{label}")})
                sub(point, "num", None, part.num)
                nested = []
                j = i + 1
                while j < len(parts) and parts[j].kind == "point" and parts[j].depth > depth:
                    nested.append(parts[j])
                    j += 1
                if nested:
                    inner = sub(point, "list", {"eId": f"{point.get('eId')}__list_1"})
                    intro = sub(inner, "intro", {"eId": f"{point.get('eId')}__list_1__intro"})
                    self.inline(sub(intro, "p"), part.text)
                    self.points(inner, nested, f"{point.get('eId')}__list_1", depth + 1)
                else:
                    self.inline(sub(sub(point, "content", {"eId": f"{point.get('eId')}__content"}), "p"),
                                part.text)
                i = j
                continue
            if part.kind == "text" and i == len(parts) - 1 and point is not None:
                wrap = sub(lst, "wrapUp", {"eId": f"{prefix}__wrapUp"})
                self.inline(sub(wrap, "p"), part.text)
            else:  # text between items, or an item deeper than expected: keep it with the item before
                target = point if point is not None else lst
                host = target.find("content") if target is not None else None
                if host is None:
                    host = sub(target, "content") if target is not lst else sub(sub(lst, "point", {"eId": self.eid(f"{prefix}__point_x")}), "content")
                self.inline(sub(host, "p"), part.text)
            i += 1

    def point_label(self, num: str) -> str:
        raw = num.strip("()（）’‘ .")
        if len(raw) == 1 and "㈠" <= raw <= "㈩":  # Chinese parenthesised numerals: 1-10
            return str(ord(raw) - ord("㈠") + 1)
        letters = self.lang.point_letters
        if raw in letters:
            return "abcdefghijklmnopqrstuvwxyz"[letters.index(raw) % 26] + ("" if letters.index(raw) < 26 else str(letters.index(raw) // 26))
        raw = ascii_digits(raw)
        return raw if re.fullmatch(r"[a-z0-9]+", raw) else "x"

    def conclusions(self):
        res = self.res
        if res.meeting is None and not res.trailing:
            return None
        concl = E("conclusions", {"eId": "conclusions"})
        if res.meeting is not None:
            p = sub(concl, "p")
            ev = sub(p, "event", {"refersTo": "#adoption"})
            loc = sub(ev, "location", {"refersTo": "#adoptionMeeting", "title": res.meeting_num})
            self.inline(loc, res.meeting)
            if res.closing_date is not None:
                sub(ev, "eol").tail = " "  # keeps the words apart for plain-text readers
                iso = self.inliner.parse_date(res.closing_date.value)
                if iso:
                    sub(ev, "docDate", {"date": iso, "refersTo": "#adoptionDate"}, res.closing_date.value)
                else:
                    self.diag.warn(res.closing_date.first.line, res.closing_date.first.col,
                                   "closing line after the meeting is not a date; kept as text", "bad-date")
                    append_text(ev, " " + res.closing_date.value)
        for t in res.trailing:
            self.inline(sub(concl, "p"), t)
        # bodies never called are kept, not lost
        self.place_uncalled(concl)
        return concl

    def place_uncalled(self, concl) -> None:
        pages = sorted(self.last_p)  # every paragraph is built by now; sorted once, not per note
        for body in self.res.notes:
            if body.used:
                continue
            i = bisect.bisect_right(pages, body.page)  # the last <p> of its page, or of the one before
            host = self.last_p[pages[i - 1]] if i else None
            if host is None:
                host = concl.find("p")
            if host is None:
                host = sub(concl, "p")
            note = E("authorialNote", {"eId": self.eid(body.eid), "marker": str(body.value),
                                       "placement": "bottom"})
            self.inliner.fill(sub(note, "p"), body.text)
            host.append(note)

    # -- meta ------------------------------------------------------------------------------
    def fill_meta(self, meta) -> None:
        fr, res = self.frbr, self.res
        date = fr.date
        markup_date = date
        epoch = source_date_epoch()
        if epoch is not None:
            markup_date = epoch.strftime("%Y-%m-%d")
        ident = sub(meta, "identification", {"source": "#akn"})
        w = sub(ident, "FRBRWork")
        sub(w, "FRBRthis", {"value": fr.work_this})
        sub(w, "FRBRuri", {"value": fr.work})
        sub(w, "FRBRalias", {"value": fr.symbol, "name": "symbol"})
        sub(w, "FRBRdate", {"date": date, "name": "adoption"})
        sub(w, "FRBRauthor", {"href": "#ga", "as": "#author"})
        sub(w, "FRBRcountry", {"value": "un"})
        sub(w, "FRBRsubtype", {"value": "deliberation"})
        sub(w, "FRBRnumber", {"value": fr.number_id,
                              "showAs": ascii_digits(self.number) + (f" {res.part}" if res.part else "")})
        x = sub(ident, "FRBRExpression")
        sub(x, "FRBRthis", {"value": fr.expression_this})
        sub(x, "FRBRuri", {"value": fr.expression})
        sub(x, "FRBRdate", {"date": date, "name": "adoption"})
        sub(x, "FRBRauthor", {"href": "#ga", "as": "#author"})
        sub(x, "FRBRlanguage", {"language": fr.language})
        m = sub(ident, "FRBRManifestation")
        sub(m, "FRBRthis", {"value": fr.manifestation_this})
        sub(m, "FRBRuri", {"value": fr.manifestation})
        sub(m, "FRBRdate", {"date": markup_date, "name": "markup"})
        sub(m, "FRBRauthor", {"href": "#akn", "as": "#editor"})
        refs = sub(meta, "references", {"source": "#akn"})
        sub(refs, "TLCOrganization", {"eId": "akn", "href": "/akn/ontology/organization/akn",
                                      "showAs": f"akn {__version__}"})
        sub(refs, "TLCOrganization", {"eId": "ga", "href": "/akn/ontology/organization/un/ga",
                                      "showAs": self.lang.masthead["issuing_body"]})
        sub(refs, "TLCRole", {"eId": "author", "href": "/akn/ontology/role/author", "showAs": "Author"})
        sub(refs, "TLCRole", {"eId": "editor", "href": "/akn/ontology/role/editor", "showAs": "Editor"})
        sub(refs, "TLCEvent", {"eId": "adoption", "href": "/akn/ontology/event/adoption", "showAs": "Adoption"})
        prop = sub(meta, "proprietary", {"source": "#akn"})
        pipe = sub(prop, "akn-pipeline:source", {"xmlns:akn-pipeline": PIPELINE_NS,
                                                 "name": xml_chars(os.path.basename(res.source_name)),
                                                 "tool": f"akn {__version__}"})
        for line, col, text, kind in res.artifacts:
            sub(pipe, "akn-pipeline:artifact", {"line": str(line), "col": str(col), "kind": kind}, text)
        for ch in self.inliner.changes:
            sub(pipe, "akn-pipeline:normalised", {k: str(ch[k]) for k in ("line", "col", "from", "to")})


def build_xml(res: Resolution, diag: Diagnostics) -> bytes:
    """The Akoma Ntoso XML file of ``res`` (after the transforms)."""
    return Builder(res, diag).build()
