"""Bidirectional text and safe links for the HTML writer.

:func:`isolate` wraps each run of the other direction's script (a symbol like A/67/458 or a
Latin citation inside Arabic text; an Arabic name inside English text) in ``<bdi dir=…>``,
so that a browser (and WeasyPrint) lays it out as one unit; :func:`safe_href` decides which
links a page may carry. Both work in time linear in the text: a paragraph is classified
character by character once, and runs of characters are joined once (a 2 MB Latin paragraph
inside an Arabic resolution takes a second, not a minute).
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from akn.render.markup import Node, text_of


def _strong(ch: str) -> str:
    b = unicodedata.bidirectional(ch)
    if b == "L":
        return "L"
    if b in ("R", "AL"):
        return "R"
    if b in ("EN", "AN"):
        return "D"
    if b == "WS" or ch == " ":
        return "S"
    return "N"


def _summary(n) -> set:
    s = set()
    for ch in text_of(n):
        c = _strong(ch)
        if c in "LR":
            s.add(c)
            if len(s) == 2:
                break
    return s


def isolate(nodes: list, base_dir: str) -> list:
    """Wrap each run of the other direction's script (a symbol like A/67/458 or a Latin
    citation inside Arabic text; an Arabic name inside English text) in <bdi dir=…>, with
    neighbouring punctuation and spaces left outside. Runs may span inline elements."""
    foreign, native = ("L", "R") if base_dir == "rtl" else ("R", "L")
    wrap_dir = "ltr" if foreign == "L" else "rtl"
    if foreign not in _summary(nodes):
        return nodes
    # atoms: (class, payload) where payload is a char or a Node
    atoms: list[tuple[str, object]] = []
    for n in nodes:
        if isinstance(n, str):
            atoms.extend((_strong(ch), ch) for ch in n)
        elif n.opaque or n.tag in ("br",) or "dir" in n.attrs:
            atoms.append(("O", n))          # opaque, neutral
        else:
            s = _summary(n)
            if foreign in s and native in s:
                n.children = isolate(n.children, base_dir)
                atoms.append(("X", n))      # mixed: breaks runs, isolated inside
            elif foreign in s:
                atoms.append((foreign, n))
            else:
                cls = "D" if any(_strong(c) == "D" for c in text_of(n)) else "N"
                atoms.append((cls if native not in s else native, n))
    out: list = []
    i, n_atoms = 0, len(atoms)
    while i < n_atoms:
        cls, item = atoms[i]
        if cls != foreign:
            out.append(item)
            i += 1
            continue
        # a run starts here; include digits glued to its start ("50th")
        start = i
        while start > 0 and atoms[start - 1][0] == "D" and out and isinstance(out[-1], str):
            start -= 1
            out.pop()
        j = i
        end = i
        depth = 0
        while j < n_atoms and atoms[j][0] in (foreign, "D", "N", "S", "O"):
            c, it = atoms[j]
            if isinstance(it, str):
                if it in "([{":
                    depth += 1
                elif it in ")]}":
                    depth -= 1
            if c in (foreign, "D") or (isinstance(it, str) and it in ")]}" and depth >= 0):
                end = j
            j += 1
        run = _merge([a[1] for a in atoms[start:end + 1]])
        out.append(Node("bdi", {"dir": wrap_dir, "lang": _run_lang(text_of(run), wrap_dir)},
                        run, opaque=True))
        i = end + 1
    return _merge(out)


def _run_lang(text: str, wrap_dir: str) -> str | None:
    """The language of an isolated run, when it is words rather than a symbol: Latin words
    inside a UN Arabic text are English ("Distr.: General", "United Nations, Treaty
    Series"), so a screen reader reads them with an English voice; "A/67/458" gets none."""
    if wrap_dir == "ltr":
        return "en" if re.search(r"[a-z]{3}", text) else None
    if re.search("[\u0590-\u05ff]", text):
        return "he"
    return "ar" if re.search("[\u0600-\u06ff\u0750-\u077f]", text) else None


def _merge(items: list) -> list:
    """Adjacent strings joined into one, each run joined once (adding characters one by one
    to a string held in a list copies it every time: quadratic)."""
    res: list = []
    run: list[str] = []
    for it in items:
        if isinstance(it, str):
            run.append(it)
            continue
        if run:
            res.append("".join(run))
            run = []
        res.append(it)
    if run:
        res.append("".join(run))
    return res


# --------------------------------------------------------------------------- links

def safe_href(href: str | None) -> str | None:
    """http(s) URLs with a host, and AKN IRIs (/akn/…); anything else is not linked."""
    if not href:
        return None
    href = href.strip()
    if any(ord(c) < 0x21 or c in '"<>\\`' or 0x7f <= ord(c) <= 0x9f for c in href):
        return None
    if href.startswith("/akn/"):
        return href
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not parts.username \
            and not parts.password:
        return href
    return None
