"""AKN tree -> one accessible HTML page (or, with ``media="print"``, the page the PDF is made from).

Reads only Akoma Ntoso: our parser's output and the UN's published files alike (statements,
document collections with components, annexes, sections, lists, tables). Two stages:

1. :func:`context` walks the tree once and builds the template context: metadata (language,
   direction, FRBR IRIs, dates: :class:`akn.facts.Facts`), the masthead, and the document's
   parts as small trees of :class:`~akn.render.markup.Node` (HTML elements we build
   ourselves, so every text and attribute is escaped in one place, ``markup.serialize``).
   Footnote calls become links to an ordered list of notes, repeated calls link to the same
   note; runs of the opposite script direction are isolated in ``<bdi>`` and unsafe hrefs
   become plain text (:mod:`akn.render.bidi`).
2. :func:`render` fills ``templates/resolution.html.j2`` (Jinja2, autoescape on) with that
   context and the stylesheet for the medium (``screen.css`` or ``print.css``), inlined and
   allowed by a Content-Security-Policy hash. :func:`render_page` returns the page with
   its facts and notes as data (:class:`Page`): what the PDF writer takes.

Same input, same bytes: nothing depends on time, randomness or the environment.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from markupsafe import Markup

from akn import AKN_NS, __version__
from akn.facts import DOC_TYPES, Facts, clean, document_element, first, kids, local, title_alone  # noqa: F401
from akn.render.bidi import isolate, safe_href
from akn.render.markup import BLOCK, VOID, Node, serialize, squash, text_of  # noqa: F401
from akn.lang import eastern_digits
from akn.limits import span

# inside the package (a wheel carries them as akn/templates; in a checkout akn/templates
# is a link to the top-level templates/ folder, their source)
TEMPLATES = Path(str(files("akn").joinpath("templates")))
LABELS = Path(__file__).with_name("labels.toml")
TEMPLATE = "resolution.html.j2"
# the id of the section listing the notes (templates/resolution.html.j2 writes it)
NOTES_ID = "notes"
# the stylesheet of each medium, from these files in templates/, in this order
STYLESHEETS = {"screen": ("palette.css", "screen.css"), "print": ("print.css",)}

N = f"{{{AKN_NS}}}"


# --------------------------------------------------------------------------- text helpers

_WS = re.compile(r"[ \t\n\r\f\v]+")
_BRACKETS = set("()[] \u00a0\t\n")


def plain(el) -> str:
    return clean("".join(el.itertext())).strip() if el is not None else ""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_BAD = re.compile(r"[^A-Za-z0-9_.-]+")


# --------------------------------------------------------------------------- the walk

class Labels(dict):
    def fmt(self, key: str, **kw) -> str:
        return self[key].format(**kw)


@lru_cache(maxsize=1)
def _all_labels() -> dict:
    with open(LABELS, "rb") as f:
        return tomllib.load(f)


def labels(lang: str) -> Labels:
    data = _all_labels()
    merged = dict(data["en"])
    merged.update(data.get(lang, {}))
    return Labels(merged)


class Note:
    __slots__ = ("id", "marker", "shown", "body", "calls", "el")

    def __init__(self, nid: str, marker: str, el, eastern: bool = False):
        self.id, self.marker, self.el = nid, marker, el
        # markers are ASCII in attributes; shown in the digits the text uses
        self.shown = eastern_digits(marker) if eastern else marker
        self.body: list = []
        self.calls: list[str] = []


def _num_label(num: str) -> str:
    s = clean(num).strip()
    s = re.sub(r"^[(\[]\s*|\s*[)\]]$", "", s)
    s = re.sub(r"[\s.\-–—:]+$", "", s)
    return s.strip() or clean(num).strip()


class Walker:
    """One pass over a document: AKN elements -> Nodes; collects notes and ids."""

    def __init__(self, lang: str, dirn: str, media: str):
        self.lang, self.dir, self.media = lang, dirn, media
        self.L = labels(lang)
        self.ids: set[str] = {"main", "notes", "notes-heading", "title", "masthead", "formats"}
        self.notes: list[Note] = []
        self.scope: dict = {"eid": {}, "marker": {}}   # per part: eId -> note, marker -> Note
        self.preamble_n = 0
        self.permalinks = media == "screen"
        self.last_level = 1       # the page's h1
        self.tables = 0
        self.eastern = False      # show note markers in Eastern Arabic digits

    # ---- ids
    def uid(self, raw: str | None, fallback: str) -> str:
        base = _ID_BAD.sub("_", raw or "").strip("_") or fallback
        if not base[0].isalpha():
            base = "x" + base
        nid, k = base, 2
        while nid in self.ids:
            nid, k = f"{base}-{k}", k + 1
        self.ids.add(nid)
        return nid

    def begin_part(self, el):
        self.scope = {"eid": {}, "marker": {}}
        self.preamble_n = 0
        for note in el.iter(N + "authorialNote"):
            if note.get("eId"):
                self.scope["eid"].setdefault(note.get("eId"), note)

    # ---- notes
    def _note_for(self, el) -> Note:
        for n in self.notes:
            if n.el is el:
                return n
        marker = clean(el.get("marker") or "").strip() or str(len(self.notes) + 1)
        note = Note(self.uid(el.get("eId"), "note"), marker, el, self.eastern)
        self.notes.append(note)
        self.scope["marker"][marker] = note
        body = []
        for c in kids(el):
            body.extend(self.block(c, 3))
        if not body:
            body = [Node("p", {}, self.finish(self.inline(el)))]
        _strip_placeholder(body)
        note.body = body
        return note

    def call(self, note: Note) -> Node:
        k = len(note.calls) + 1
        cid = self.uid(f"call-{note.id}" + (f".{k}" if k > 1 else ""), "call")
        note.calls.append(cid)
        a = Node("a", {"href": f"#{note.id}", "id": cid, "class": "fn-call",
                       "aria-label": self.L.fmt("footnote", n=note.shown)}, [note.shown])
        return Node("sup", {"class": "fn"}, [a], opaque=True)

    # ---- inline
    def inline(self, el) -> list:
        out: list = [clean(el.text)]
        children = list(el)
        for i, c in enumerate(children):
            if isinstance(c.tag, str):
                out.extend(self.inline_el(c, children, i))
            out.append(clean(c.tail))
        return out

    def inline_el(self, c, siblings, i) -> list:
        name = local(c)
        res = self._inline_el(c, name, siblings, i)
        lang = c.get("{http://www.w3.org/XML/1998/namespace}lang")
        if lang and name not in ("authorialNote", "noteRef"):
            return [Node("span", {"lang": _ID_BAD.sub("", lang)[:35] or None}, res)]
        return res

    def _inline_el(self, c, name, siblings, i) -> list:
        if name == "authorialNote":
            return [self.call(self._note_for(c))]
        if name == "noteRef":
            target = (c.get("href") or "").lstrip("#")
            el = self.scope["eid"].get(target)
            if el is not None:
                return [self.call(self._note_for(el))]
            marker = clean(c.get("marker") or "").strip()
            return [Node("sup", {}, [marker])] if marker else []
        if name == "sup":
            txt = plain(c)
            if txt and set(txt) <= _BRACKETS and _next_to_note(siblings, i):
                return []
            key = re.sub(r"[()\s\u00a0]", "", txt)
            note = self.scope["marker"].get(key) if key else None
            if note is not None and not kids(c):
                return [self.call(note)]
            return [Node("sup", {}, self.inline(c))]
        if name == "sub":
            return [Node("sub", {}, self.inline(c))]
        if name in ("a", "ref"):
            href = safe_href(c.get("href"))
            inner = self.inline(c)
            if not text_of(inner).strip():   # an empty link (some UN files): nothing to name
                return inner
            return [Node("a", {"href": href}, inner)] if href else [Node("span", {}, inner)]
        if name in ("span", "i", "b", "u"):
            cls = set((c.get("class") or "").split()) | ({name} if name != "span" else set())
            inner = self.inline(c)
            if "italic" in cls or "i" in cls:
                inner = [Node("i", {}, inner)]
            if "bold" in cls or "b" in cls:
                inner = [Node("b", {}, inner)]
            if "underline" in cls or "u" in cls:
                inner = [Node("u", {}, inner)]
            return inner
        if name in ("date", "docDate"):
            d = c.get("date") or ""
            inner = self.inline(c)
            return [Node("time", {"datetime": d}, inner)] if _DATE.match(d) else inner
        if name in ("eol", "br", "eop"):
            return [Node("br")]
        if name in ("img", "marker", "noteRef", "popup", "componentRef", "documentRef"):
            return []
        if name == "abbr":
            return [Node("abbr", {}, self.inline(c))]
        if name == "num":
            return [Node("span", {"class": "num"}, self.inline(c))]
        if name == "docNumber":
            return [Node("span", {"class": "docnum"}, self.inline(c))]
        if name == "p":   # a p inside inline context (rare): keep its text
            return self.inline(c)
        return self.inline(c)

    def finish(self, nodes: list) -> list:
        return isolate(squash(nodes), self.dir)

    # ---- blocks
    def para(self, el, cls: str | None = None) -> Node:
        return Node("p", {"class": cls}, self.finish(self.inline(el)))

    def permalink(self, nid: str, label: str) -> list:
        if not self.permalinks:
            return []
        return [Node("a", {"class": "permalink", "href": f"#{nid}", "aria-label": label}, ["¶"])]

    def unit(self, el, kind: str, level: int, label_num: str | None = None,
             tag: str = "div") -> Node:
        """A numbered or preambular paragraph, a point: id, permalink, number, content."""
        nid = self.uid(el.get("eId") or _fallback_id(el), kind)
        num_el = next((c for c in kids(el) if local(c) == "num"), None)
        num = plain(num_el) if num_el is not None else ""
        if kind == "preamble":
            self.preamble_n += 1
            label = self.L.fmt("permalink_preamble", n=self.preamble_n)
        elif num or label_num:
            shown = " ".join(x for x in (label_num, _num_label(num) if num else "") if x)
            label = self.L.fmt("permalink", n=shown)
        else:
            label = self.L["permalink_plain"]
        sub_label = " ".join(x for x in (label_num, _num_label(num)) if x) if num else label_num
        body: list = []
        for c in kids(el):
            if local(c) != "num":
                body.extend(self.block(c, level, label_num=sub_label))
        if num:
            _prepend_num(body, Node("span", {"class": "num"}, [num], opaque=True))
        return Node(tag, {"class": f"unit {kind}", "id": nid}, self.permalink(nid, label) + body)

    def heading(self, nodes: list, level: int, cls: str | None = None, nid: str | None = None):
        level = min(max(level, 2), self.last_level + 1, 6)   # never skip a level
        self.last_level = level
        tag = f"h{level}"
        return Node(tag, {"class": cls, "id": nid}, self.finish(nodes))

    def block(self, el, level: int, label_num: str | None = None):
        """AKN block element -> list of Nodes."""
        name = local(el)
        if name in ("p", "intro", "listIntroduction", "wrapUp", "listWrapUp"):
            cls = {"intro": "intro", "listIntroduction": "intro", "wrapUp": "wrapup",
                   "listWrapUp": "wrapup"}.get(name)
            if name in ("intro", "wrapUp") and kids(el) and all(local(k) == "p" for k in kids(el)):
                return [self.para(k, cls) for k in kids(el)]
            return [self.para(el, cls)]
        if name == "content":
            return [b for k in kids(el) for b in self.block(k, level, label_num)]
        if name in ("container", "crossHeading") and _in_preamble(el):
            return [self.unit_or_text(el, "preamble", level)]
        if name in ("paragraph", "point", "item", "alinea", "subparagraph", "clause",
                    "article", "rule", "indent"):
            heads = [k for k in kids(el) if local(k) in ("heading", "subheading")]
            others = [k for k in kids(el) if local(k) not in ("heading", "subheading", "num")]
            if heads and not others:
                return self.section_heading(el, level, heads)
            if name in ("point", "item"):
                return [self.unit(el, "point", level, label_num, tag="li")]
            return [self.unit(el, "para", level)]
        if name in ("list", "blockList"):
            out, points = [], []
            for k in kids(el):
                ln = local(k)
                if ln in ("point", "item", "sublist"):
                    points.extend(self.block(k, level, label_num=label_num))
                else:
                    if points:
                        out.append(Node("ol", {"class": "points"}, points))
                        points = []
                    out.extend(self.block(k, level, label_num))
            if points:
                out.append(Node("ol", {"class": "points"}, points))
            return [Node("div", {"class": "list"}, out)]
        if name == "sublist":
            inner = []
            for k in kids(el):
                inner.extend(self.block(k, level, label_num=label_num))
            return [Node("li", {"class": "sublist"}, [Node("ol", {"class": "points"}, inner)])]
        if name in ("heading", "subheading"):
            return [self.heading(self.inline(el), level + (name == "subheading"))]
        if name == "num":
            return [Node("p", {"class": "num"}, self.finish(self.inline(el)))]
        if name in ("section", "chapter", "part", "title", "division", "subsection", "hcontainer",
                    "tome", "book", "subchapter", "subpart", "subtitle", "subdivision", "level"):
            return [self.section(el, level)]
        if name == "formula":
            return [self.para(p, "formula") for p in kids(el)] or [self.para(el, "formula")]
        if name in ("container", "blockContainer", "tblock", "foreign", "longTitle",
                    "recitals", "recital", "citations", "citation"):
            if name in ("recital", "citation"):
                return [self.unit_or_text(el, "preamble", level)]
            out = [b for k in kids(el) for b in self.block(k, level, label_num)]
            if not kids(el) and plain(el):
                out.append(self.para(el))
            return [Node("div", {"class": name}, out)] if out else []
        if name == "table":
            return [self.table(el)]
        if name in ("authorialNote",):
            return []
        if name in ("img",):
            return []
        # anything else with text: a paragraph of its inline content
        if plain(el):
            return [self.para(el)] if not kids(el) or \
                all(local(k) not in ("p", "paragraph", "list") for k in kids(el)) else \
                [Node("div", {}, [b for k in kids(el) for b in self.block(k, level)])]
        return []

    def unit_or_text(self, el, kind, level):
        if local(el) == "crossHeading" or not kids(el) or all(
                local(k) not in ("p", "blockList", "list", "table", "num") for k in kids(el)):
            nid = self.uid(el.get("eId"), kind)
            self.preamble_n += 1
            label = self.L.fmt("permalink_preamble", n=self.preamble_n)
            return Node("div", {"class": f"unit {kind}", "id": nid},
                        self.permalink(nid, label) + [self.para(el)])
        return self.unit(el, kind, level)

    def section_heading(self, el, level, heads) -> list:
        nid = self.uid(el.get("eId"), "heading")
        num_el = next((c for c in kids(el) if local(c) == "num"), None)
        out = []
        for k, h in enumerate(heads):
            nodes = self.inline(h)
            if k == 0 and num_el is not None:
                nodes = [Node("span", {"class": "num"}, self.inline(num_el)), " "] + nodes
            lvl = level + (local(h) == "subheading" and local(heads[0]) == "heading")
            out.append(self.heading(nodes, lvl, nid=nid if k == 0 else None))
        return out

    def section(self, el, level) -> Node:
        nid = self.uid(el.get("eId") or _fallback_id(el), "section")
        children = kids(el)
        num_nodes: list = []
        head_nodes: list = []
        rest = []
        for k in children:
            ln = local(k)
            if ln == "num" and not num_nodes:
                num_nodes = self.inline(k)
            elif ln == "p" and not num_nodes and not head_nodes and kids(k) and \
                    all(local(x) == "num" for x in kids(k)) and not clean(k.text).strip():
                num_nodes = self.inline(kids(k)[0])
            elif ln in ("heading", "subheading") and not head_nodes:
                head_nodes = self.inline(k)
            else:
                rest.append(k)
        body = []
        if num_nodes or head_nodes:
            nodes = ([Node("span", {"class": "num"}, num_nodes), " "] if num_nodes else []) + head_nodes
            body.append(self.heading(nodes, level))
        for k in rest:
            body.extend(self.block(k, level + 1))
        return Node("section", {"class": "section", "id": nid}, body)

    def table(self, el) -> Node:
        rows = []
        for tr in (k for k in kids(el) if local(k) == "tr"):   # not a nested table's rows
            cells = []
            for cell in kids(tr):
                tag = "th" if local(cell) == "th" and plain(cell) else "td"
                inner = []
                for k in kids(cell):
                    inner.extend(self.block(k, 4))
                if not kids(cell):
                    inner = self.finish(self.inline(cell))
                attrs = {"colspan": cell.get("colspan"), "rowspan": cell.get("rowspan")}
                attrs = {k: span(v) for k, v in attrs.items() if v and v.isdigit()}
                if tag == "th":
                    attrs["scope"] = "col" if all(local(x) == "th" for x in kids(tr)) else "row"
                cells.append(Node(tag, attrs, inner))
            rows.append(Node("tr", {}, cells))
        self.tables += 1
        return Node("div", {"class": "table-wrap", "role": "region", "tabindex": "0",
                            "aria-label": self.L.fmt("table", n=self.tables)},
                    [Node("table", {}, [Node("tbody", {}, rows)])])


def _fallback_id(el) -> str:
    """No eId (the UN's blockList items): parent's eId + position, e.g. container_10__item_2."""
    parent = el.getparent()
    while parent is not None and not parent.get("eId"):
        parent = parent.getparent()
    pos = sum(1 for s in el.itersiblings(preceding=True) if local(s) == local(el)) + 1
    return f"{parent.get('eId') if parent is not None else ''}__{local(el)}_{pos}".lstrip("_")


def _in_preamble(el) -> bool:
    p = el.getparent()
    while p is not None:
        ln = local(p)
        if ln == "preamble":
            return True
        if ln in ("mainBody", "body", "section"):
            return local(el) == "crossHeading"
        p = p.getparent()
    return False


def _next_to_note(siblings, i) -> bool:
    """A bracket-only <sup> right before or after an authorialNote (UN Arabic files)."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(siblings) and isinstance(siblings[j].tag, str) \
                and local(siblings[j]) == "authorialNote":
            between = siblings[min(i, j)].tail
            if not clean(between).strip():
                return True
    return False


def _prepend_num(body: list, num: Node) -> None:
    """Put a paragraph's number at the start of its first paragraph of text or heading (so
    that it is read, copied and laid out with it); failing that, give it its own p."""
    target = None
    node = body[0] if body and isinstance(body[0], Node) else None
    while node is not None and target is None:
        if node.tag == "p" or re.fullmatch(r"h[1-6]", node.tag):
            target = node
        elif node.tag == "div" and node.children and isinstance(node.children[0], Node):
            node = node.children[0]
        else:
            node = None
    if target is None:
        body.insert(0, Node("p", {}, [num]))
    elif text_of(target).strip():
        target.children[:0] = [num, " "]
    else:
        target.children[:0] = [num]


def _strip_placeholder(body: list) -> None:
    """UN notes start where Word's marker was: an empty '()' (Arabic; sometimes inside a
    bold span) or tabs. Drop it from the first paragraph."""
    for n in body:
        if isinstance(n, Node) and n.tag == "p":
            kids_ = n.children
            while kids_:
                head = kids_[0]
                if isinstance(head, str):
                    rest = re.sub(r"^\s*(\(\s*\)\s*)?", "", head)
                    if rest:
                        kids_[0] = rest
                        if rest == head or not re.match(r"^\s*\(\s*\)", head):
                            break
                        continue
                    kids_.pop(0)
                elif isinstance(head, Node) and re.fullmatch(r"[\s()]*", text_of(head)) \
                        and head.tag not in ("sup", "br"):
                    kids_.pop(0)
                else:
                    break
            return


def _fix_arabic_brackets(root) -> None:
    """UN Arabic files sometimes swap a bracket around a note call:
    'عقد (2016-2025(<sup>)</sup><authorialNote/><sup>)</sup>' -> '… (2016-2025)' + call."""
    for sup in root.iter(N + "sup"):
        if plain(sup) != ")":
            continue
        nxt = sup.getnext()
        prev = sup.getprevious()
        if nxt is None or local(nxt) != "authorialNote" or clean(sup.tail).strip():
            continue
        holder, attr = (prev, "tail") if prev is not None else (sup.getparent(), "text")
        s = getattr(holder, attr) or ""
        if s.rstrip().endswith("("):
            idx = s.rstrip().rfind("(")
            setattr(holder, attr, s[:idx] + ")" + s[idx + 1:])


# --------------------------------------------------------------------------- the document

def _masthead(w: Walker, cover) -> dict:
    m = {"publisher": None, "symbol": None, "body": None, "status": None, "issued": None,
         "session": None, "agenda": None, "adoption": None, "proponent": None, "extra": []}
    if cover is None:
        return m
    used = set()

    def grab(key, el):
        if el is not None and m[key] is None:
            m[key] = w.finish(w.inline_el(el, [el], 0)) if local(el) in ("docDate",) else \
                w.finish(w.inline(el))
            used.add(el)
    auths = list(cover.iter(N + "docAuthority"))
    pub = next((a for a in auths if a.get("refersTo") == "#publisher"), None)
    body = next((a for a in auths if a.get("refersTo") == "#issuingBody"),
                next((a for a in auths if a is not pub), None))
    grab("publisher", pub)
    grab("body", body)
    grab("symbol", first(cover, "docNumber"))
    grab("status", first(cover, "docStatus"))
    grab("issued", first(cover, "docDate"))
    grab("session", first(cover, "session"))
    agenda = [e for e in cover.iter(N + "inline") if (e.get("name") or "").startswith("agenda")]
    if agenda:
        nodes: list = []
        for k, e in enumerate(agenda):
            if k:
                nodes.append(Node("br"))
            nodes.extend(w.inline(e))
            used.add(e)
        m["agenda"] = w.finish(nodes)
    grab("adoption", first(cover, "docTitle"))
    grab("proponent", first(cover, "docProponent"))
    for p in kids(cover):
        if plain(p) and not any(u is p or _contains(p, u) for u in used):
            m["extra"].append(w.para(p))
    return m


def _contains(a, b) -> bool:
    return any(x is b for x in a.iter())


def _title(w: Walker, doc) -> list:
    """The heading's nodes from the preface: its paragraphs' inline content, the number as
    span.docnum ("78/228." / "٦٧/١٩٠ -" and the title as printed)."""
    preface = next((k for k in kids(doc) if local(k) == "preface"), None)
    if preface is None:
        return []
    nodes: list = []
    for p in (kids(preface) if kids(preface) else [preface]):
        if nodes:
            nodes.append(" ")
        nodes.extend(w.inline(p) if local(p) != "docNumber" else w.inline_el(p, [p], 0))
    return w.finish(nodes)


def _part(w: Walker, doc, level: int, collection: bool) -> dict:
    if collection:
        w.begin_part(doc)
    part = {"id": None, "num": None, "title": None, "preamble": None, "body": None,
            "conclusions": None, "annexes": [], "level": level}
    if collection:
        nodes = _title(w, doc)
        num = first(first(doc, "preface"), "docNumber")
        part["id"] = w.uid(f"part-{plain(num)}" if num is not None else None, "part")
        part["heading"] = serialize(w.heading(nodes, level))
    sections = {local(k): k for k in kids(doc)}
    lvl = level + 1 if collection else level
    if "preamble" in sections:
        out = []
        for k in kids(sections["preamble"]):
            out.extend(w.block(k, lvl) if local(k) != "container" else
                       [w.unit_or_text(k, "preamble", lvl)])
        part["preamble"] = serialize(out)
    body = next((sections[k] for k in ("mainBody", "body", "judgmentBody", "debateBody")
                 if k in sections), None)
    if body is not None:
        out = []
        for k in kids(body):
            out.extend(w.block(k, lvl))
        part["body"] = serialize(out)
    if "conclusions" in sections:
        out = []
        for k in kids(sections["conclusions"]):
            out.extend(w.block(k, lvl))
        for n in out:
            if isinstance(n, Node) and n.tag == "p":
                n.attrs["class"] = "closing"
        part["conclusions"] = serialize(out)
    att = sections.get("attachments")
    for a in (kids(att) if att is not None else []):
        inner = next((k for k in a.iter() if isinstance(k.tag, str) and local(k) in DOC_TYPES
                      and k is not a), None)
        if inner is None:
            continue
        items = []
        for k in kids(inner):
            if local(k) in ("meta",):
                continue
            if local(k) in ("preface", "coverPage", "mainBody", "body", "preamble", "conclusions"):
                items.extend(kids(k))
            else:
                items.append(k)
        for n, annex in enumerate(_split_annexes(items)):
            raw = inner.get("eId") if n == 0 else None
            nid = w.uid(raw or f"annex-{len(part['annexes']) + 1}", "annex")
            part["annexes"].append(serialize(_annex(w, annex, nid, lvl)))
    return part


# ------------------------------------------------------------------ annexes
#
# The UN marks an annex as an attachment whose first paragraphs are its label ("Annex",
# "Annex I", «附件一», «المرفق الأول») and often its title, in any of three ways: a paragraph
# holding only a <heading> (most files), only a <subheading>, or a paragraph of one line of
# bold text (some Arabic, French and Spanish files). Several annexes can share one
# attachment (A/RES/78/128: "Annex I" … "Annex II" … "Annex III"). Each becomes a section
# with a real heading: the label, and the title under it.

_ORDINAL_CJK = re.compile(r"[一二三四五六七八九十百零〇]+$")


def _heading_like(el) -> list | None:
    """The inline content of a paragraph that is all heading: no number, and either only a
    heading or subheading, or one line of text all in bold. None otherwise."""
    if local(el) not in ("paragraph", "p", "hcontainer", "block", "container") or \
            any(local(k) == "num" for k in kids(el)):
        return None
    parts = kids(el)
    heads = [k for k in parts if local(k) in ("heading", "subheading")]
    if heads and len(heads) == len(parts) and len(heads) == 1 and plain(heads[0]):
        return [heads[0]]
    ps = [p for p in el.iter(N + "p")] if local(el) != "p" else [el]
    if len(ps) != 1 or not plain(ps[0]) or any(
            local(k) not in ("content", "p") for k in parts) and local(el) != "p":
        return None
    p = ps[0]
    bold = "".join("".join(b.itertext()) for b in p.iter()
                   if isinstance(b.tag, str) and (local(b) == "b" or "bold" in (b.get("class") or "").split()))
    return [p] if clean(bold).strip() == plain(p) else None


def _annex_stem(label: str) -> str | None:
    """What the labels of a numbered series of annexes share: "Annex" of "Annex I",
    "附件" of "附件一", "المرفق" of "المرفق الأول"; None for a label without a number."""
    label = label.strip()
    if " " in label:
        stem, last = label.rsplit(" ", 1)
        return stem if stem and len(last) <= 8 else None
    m = _ORDINAL_CJK.search(label)
    return label[:m.start()] if m and m.start() > 0 else None


def _split_annexes(items: list) -> list[list]:
    """One attachment's elements split at each further label of a numbered series."""
    if not items:
        return []
    first = _heading_like(items[0])
    stem = _annex_stem(plain(first[0])) if first else None
    annexes = [[items[0]]]
    for el in items[1:]:
        head = _heading_like(el) if stem else None
        text = plain(head[0]) if head else ""
        if head and text != stem and text.startswith(stem) and \
                (_annex_stem(text) == stem):
            annexes.append([el])
        else:
            annexes[-1].append(el)
    return annexes


def _annex(w: Walker, items: list, nid: str, level: int) -> Node:
    """An annex as a section: its label (and title) as the heading, the rest below it."""
    label = _heading_like(items[0]) if items else None
    body_from = 0
    heading = None
    if label is not None:
        nodes = w.inline(label[0])
        body_from = 1
        title = _heading_like(items[1]) if len(items) > 1 else None
        if title is not None:
            tid = w.uid(items[1].get("eId"), "annex-title")
            nodes = nodes + [" ", Node("span", {"class": "annex-title", "id": tid},
                                        w.inline(title[0]))]
            body_from = 2
        hid = w.uid(items[0].get("eId"), "annex-heading")
        heading = w.heading(nodes, level, cls="annex-heading", nid=hid)
    body = []
    for el in items[body_from:]:
        body.extend(w.block(el, level + 1))
    attrs = {"class": "annex", "id": nid}
    if heading is None:
        attrs["aria-label"] = w.L["annex"]
    return Node("section", attrs, ([heading] if heading is not None else []) + body)


def _json_ld(meta: dict) -> Markup:
    data = {"@context": "https://schema.org", "@type": "Legislation",
            "name": meta["title"], "legislationIdentifier": meta["symbol"],
            "inLanguage": meta["lang"], "legislationType": meta["doc_name"],
            "legislationPassedBy": {"@type": "Organization", "name": meta["body"]},
            "identifier": [{"@type": "PropertyValue", "propertyID": k, "value": v}
                           for k, v in (("FRBRWork", meta["frbr"]["work"]),
                                        ("FRBRExpression", meta["frbr"]["expression"])) if v]}
    if meta["frbr"]["adopted"]:
        data["legislationDate"] = meta["frbr"]["adopted"]
    if meta["frbr"]["published"]:
        data["datePublished"] = meta["frbr"]["published"]
    enc = []
    if meta["links"]:
        enc = [{"@type": "MediaObject", "contentUrl": meta["links"][kind], "encodingFormat": mime}
               for kind, mime in (("xml", "application/akn+xml"), ("pdf", "application/pdf"))
               if meta["links"][kind]]
        data["encoding"] = enc
    data = {k: v for k, v in data.items() if v not in ("", None, [])}
    s = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(s)


def context(tree, *, source_name: str = "", media: str = "screen",
            links: dict | None = None) -> dict:
    """Everything the template needs, also for the PDF writer: lang, dir, title, symbol,
    frbr (IRIs, dates), masthead parts, the parts (preamble/body/conclusions as Markup),
    notes, links, labels. ``links``: the page's links to its XML and PDF, {"xml": href or
    None, "pdf": href or None}; by default NAME.xml and NAME.pdf beside the page, NAME from
    ``source_name`` (what a batch build writes)."""
    if media not in STYLESHEETS:
        raise ValueError(f"media must be one of {sorted(STYLESHEETS)}, not {media!r}")
    root, _ = document_element(tree)
    facts = Facts(etree.fromstring(etree.tostring(root)))   # a copy: we mend brackets
    doc = facts.doc
    frbr, lang, dirn = facts.frbr, facts.lang, facts.dir
    w = Walker(lang, dirn, media)
    w.eastern = facts.eastern_digits
    _fix_arabic_brackets(facts.root)
    w.begin_part(doc)
    masthead = _masthead(w, facts.cover)
    heading = _title(w, doc)
    title_plain, symbol = facts.title, facts.symbol
    collection = facts.collection
    parts = [_part(w, p, 2, collection) for p in facts.parts]
    notes = [{"id": n.id, "marker": n.shown, "body": serialize(n.body),
              "backlinks": [{"href": f"#{c}",
                             "label": (w.L.fmt("back", n=n.shown) if len(n.calls) == 1
                                       else w.L.fmt("back_k", n=n.shown, k=k + 1)),
                             "text": "↑" if len(n.calls) == 1 else f"↑{k + 1}"}
                            for k, c in enumerate(n.calls)]}
             for n in w.notes]
    if links is None:
        base = re.sub(r"\.xml$", "", source_name or "", flags=re.I)
        links = {"xml": quote(f"{base}.xml"), "pdf": quote(f"{base}.pdf")} if base else None
    else:
        links = {"xml": links.get("xml") or None, "pdf": links.get("pdf") or None}
        links = links if links["xml"] or links["pdf"] else None
    if not heading:
        heading = [symbol]
    title_text = title_plain or symbol
    meta = {"title": title_text, "symbol": symbol, "lang": lang, "frbr": frbr,
            "doc_name": facts.doc_name,
            "body": text_of(masthead["body"] or []).strip(), "links": links}
    return {
        "media": media, "lang": lang, "dir": dirn, "labels": w.L, "generator": f"akn {__version__}",
        "title": title_text, "page_title": f"{title_text} — {symbol}" if title_plain else symbol,
        "symbol": symbol, "frbr": frbr, "source_name": source_name,
        "masthead": {k: (serialize(v) if k != "extra" and v is not None else
                         ([serialize(x) for x in v] if k == "extra" else None))
                     for k, v in masthead.items()},
        "heading": serialize(heading), "parts": parts, "collection": collection,
        "status_named": _names_itself(text_of(masthead["status"] or []), w.L["distribution"]),
        "notes": notes, "links": links, "json_ld": _json_ld(meta), "made": _made(w, source_name),
        "facts": facts, "notes_id": NOTES_ID,
    }


def _names_itself(status: str, label: str) -> bool:
    """Whether the distribution line already says what it is: "Distr.: General" under the
    label "Distribution" (English, French, Spanish pages) would read the same thing twice;
    "Distr.: General" under "التوزيع" or "分发" is the UN's English beside a translation."""
    word = re.match(r"\w+", status.strip())
    return bool(word) and len(word.group()) >= 4 and \
        label.casefold().startswith(word.group().casefold())


def _made(w: Walker, source_name: str) -> Markup | None:
    if not source_name:
        return None
    pre, _, post = w.L["made"].partition("{source}")
    return serialize([pre, Node("bdi", {"dir": "ltr"}, [source_name]), post])


# --------------------------------------------------------------------------- rendering

@lru_cache(maxsize=1)
def _env():
    import jinja2
    if not (TEMPLATES / TEMPLATE).is_file():
        raise FileNotFoundError(
            f"HTML templates not found: expected {TEMPLATES / TEMPLATE} (they travel "
            "inside the akn package); reinstall akn")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _template_css(name: str) -> str:
    path = TEMPLATES / name
    if not path.is_file():
        raise FileNotFoundError(f"stylesheet not found: {path}")
    css = path.read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(f"{path}: '</' may not appear in an inlined stylesheet")
    return css


def stylesheet(media: str) -> str:
    return "".join(_template_css(name) for name in STYLESHEETS[media])


def palette() -> str:
    """The colours of our pages (custom properties, light and dark), for other pages we
    write (the catalogue) to share."""
    return _template_css("palette.css")


def csp(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; style-src 'sha256-" + digest + "'; img-src 'self' data:; "
            "font-src 'self'; base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class PageNote:
    """A note as the page lists it: what the PDF writer needs to move it to its call."""
    id: str                 # the list item's id, the target of every call ("#" + id)
    marker: str             # as the page shows it
    body: Markup            # its blocks, serialized
    calls: tuple[str, ...]  # the ids of its calls, in order


@dataclass(frozen=True)
class Page:
    """The HTML writer's page with what it knows, handed to the PDF writer as data (the
    PDF writer never reads the page back for it)."""
    html: str
    facts: Facts
    symbol: str                     # the symbol the masthead shows, spaces collapsed
    notes: tuple[PageNote, ...]     # in the order of the page's list of notes
    notes_id: str = NOTES_ID        # the id of the section that lists them


def render_page(tree, *, source_name: str = "", media: str = "screen",
                links: dict | None = None) -> Page:
    """The page and its facts and notes; ``links`` as for :func:`context`."""
    ctx = context(tree, source_name=source_name, media=media, links=links)
    css = stylesheet(media)
    ctx["css"] = Markup(css)
    ctx["csp"] = csp(css)
    notes = tuple(PageNote(n["id"], n["marker"], n["body"],
                           tuple(b["href"].removeprefix("#") for b in n["backlinks"]))
                  for n in ctx["notes"])
    return Page(_env().get_template(TEMPLATE).render(**ctx), ctx["facts"],
                " ".join(ctx["symbol"].split()), notes)


def render(tree, *, source_name: str = "", media: str = "screen",
           links: dict | None = None) -> str:
    """The page as a string (UTF-8 text, LF line ends); ``links`` as for :func:`context`."""
    return render_page(tree, source_name=source_name, media=media, links=links).html
