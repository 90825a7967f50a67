"""The HTML we write, as data: :class:`Node` (tag, attributes, children) and one serializer.

The writers build pages as small trees of nodes rather than strings, so that every text and
attribute is escaped in one place (:func:`serialize`, with MarkupSafe) and the whitespace
between inline pieces is settled in one place (:func:`squash`).
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_WS = re.compile(r"[ \t\n\r\f\v]+")


class Node:
    """An HTML element: tag, ordered attributes, children (str or Node)."""
    __slots__ = ("tag", "attrs", "children", "opaque")

    def __init__(self, tag: str, attrs: dict | None = None, children=None, opaque=False):
        self.tag = tag
        self.attrs = {k: v for k, v in (attrs or {}).items() if v is not None}
        self.children = list(children or [])
        self.opaque = opaque   # bidi: a unit of its own (footnote call, isolate): never split

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


VOID = {"br", "meta", "link", "img", "hr", "wbr"}
BLOCK = {"p", "div", "li", "ol", "ul", "section", "h1", "h2", "h3", "h4", "h5", "h6",
         "table", "tr", "tbody"}   # a line end after these keeps the page diffable


def serialize(nodes) -> Markup:
    out: list[str] = []

    def walk(n):
        if isinstance(n, str):
            out.append(str(escape(n)))
            return
        attrs = "".join(f' {k}="{escape(v)}"' for k, v in n.attrs.items())
        out.append(f"<{n.tag}{attrs}>")
        if n.tag in VOID:
            return
        for c in n.children:
            walk(c)
        out.append(f"</{n.tag}>\n" if n.tag in BLOCK else f"</{n.tag}>")

    for n in (nodes if isinstance(nodes, list) else [nodes]):
        walk(n)
    return Markup("".join(out))


def text_of(nodes) -> str:
    if isinstance(nodes, str):
        return nodes
    if isinstance(nodes, Node):
        return text_of(nodes.children)
    return "".join(text_of(n) for n in nodes)


def squash(nodes: list) -> list:
    """Merge adjacent strings, drop empty ones, collapse double spaces across boundaries,
    and trim the leading/trailing space of a block."""
    out: list = []
    for n in nodes:
        if isinstance(n, str):
            if not n:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += n
            else:
                out.append(n)
        else:
            out.append(n)
    prev_space = True   # at block start, a leading space is dropped

    def fix(ns):
        nonlocal prev_space
        res = []
        for n in ns:
            if isinstance(n, str):
                n = _WS.sub(" ", n)
                if prev_space and n.startswith(" "):
                    n = n[1:]
                if n:
                    prev_space = n.endswith(" ")
                    res.append(n)
            else:
                if n.tag == "br":
                    if res and isinstance(res[-1], str):
                        res[-1] = res[-1].rstrip(" ")
                    prev_space = True
                else:
                    n.children = fix(n.children)
                res.append(n)
        return res

    out = fix(out)
    # trailing space
    def rstrip(ns):
        while ns:
            last = ns[-1]
            if isinstance(last, str):
                s = last.rstrip(" ")
                if s:
                    ns[-1] = s
                    return
                ns.pop()
            else:
                if last.tag != "br" and last.children:
                    rstrip(last.children)
                return
    rstrip(out)
    return out
