"""The explicit limits on what one document may cost to render, in one place.

A small input must not cost minutes or gigabytes, and an input beyond a limit gets a clear
``FILE:LINE:COL`` message (exit 1), never a crash, a hang or a silently different output.
Each limit sits far above what any real resolution needs (docs/robustness.md gives the
figures: the UN's 1,962 session-78 files nest at most 13 elements deep, one table deep,
span at most a few columns, and reference each component once).

:func:`check_tree` applies them to a parsed document before any writer sees it
(:func:`akn.load.load_akn` calls it for ``html``, ``pdf``, ``build`` and ``export``).
"""
from __future__ import annotations

import re
import unicodedata

from akn import AKN_NS
from akn.diagnostics import AknError

# Elements nested deeper than this are refused. Real resolutions: at most 13. WeasyPrint
# lays out nested boxes recursively: ~65 nested list/point pairs (≈ 134 elements) or 240
# nested <i> exhausted Python's stack (RecursionError, exit 3); 64 renders in seconds.
MAX_DEPTH = 64

# A table cell spans at most this many columns (and rows). HTML itself clamps colspan at
# 1,000; WeasyPrint does not, and lays out every spanned column: colspan="1000000" (valid
# under the schema) kept `akn pdf` busy for minutes. A larger span is rendered as this one,
# with a warning.
MAX_SPAN = 1000

# The longest run of combining marks (Unicode categories Mn, Mc, Me) allowed on one base
# character: Unicode's Stream-Safe Text Format (UAX #15) allows 30 non-starters in a row,
# and no script needs more. 200,000 marks on one letter made one grapheme that the PDF's
# text shaper works on for minutes.
MAX_COMBINING = 30

# Each component of a documentCollection is included at most once: 2,000 documentRefs to
# one component (226 KB of XML) made 77 MB of HTML in 67 s.
MAX_INCLUSIONS = 1

# `akn validate` explains at most this many schema errors with xmlschema (whose account of
# each error is slow: a 6 MB schema-invalid file took 102 s and 850 MB); libxml2 counts them
# all.
MAX_EXPLAINED = 100

N = f"{{{AKN_NS}}}"
_MARK_CANDIDATES = re.compile(r"[^\w\s]{%d,}" % (MAX_COMBINING + 1))   # marks are \W, not \s


def _start(tree, el, data: bytes | None) -> tuple[int, int]:
    """LINE:COL of an element's start tag (read from the bytes when they can be matched up
    with the tree; else its line and column 1). Only on the way to a message."""
    from akn.schema import _start_tags
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    if data is not None:
        from lxml import etree
        every = list(root.iter(etree.Element))
        starts = _start_tags(data, root.getroottree())
        if starts is not None and len(starts) == len(every):
            return starts[every.index(el)]
    return el.sourceline or 1, 1


def _depth_error(tree, name: str, data: bytes | None) -> AknError | None:
    from lxml import etree
    depth = 0
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > MAX_DEPTH:
            return AknError(f"<{etree.QName(el).localname}> is nested {depth} elements deep, "
                            f"more than the {MAX_DEPTH} akn renders (real resolutions nest at "
                            "most 13): flatten the structure", name, *_start(tree, el, data),
                            "too-deep")
    return None


def _mark_run(text: str) -> int | None:
    """Where a run of more than MAX_COMBINING combining marks starts in ``text``, or None."""
    for m in _MARK_CANDIDATES.finditer(text):
        run, start = 0, 0
        for i in range(m.start(), m.end()):
            if unicodedata.category(text[i])[0] == "M":
                if run == 0:
                    start = i
                run += 1
                if run > MAX_COMBINING:
                    return start
            else:
                run = 0
    return None


def _position(data: bytes | None, text: str, at: int, el) -> tuple[int, int]:
    """LINE:COL of ``text[at:]`` in the file (found in the bytes it was read from when they
    hold it literally), else the line of the element that holds it."""
    probe = text[max(0, at - 1):at + MAX_COMBINING + 1]
    if data is not None:
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            source = ""
        hit = source.find(probe)
        if hit >= 0:
            hit += at - max(0, at - 1)
            line = source.count("\n", 0, hit) + 1
            return line, hit - source.rfind("\n", 0, hit)
    return (el.sourceline or 1) + text.count("\n", 0, at), 1


def _marks_error(tree, name: str, data: bytes | None) -> AknError | None:
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    for el in root.iter():
        for text in (el.text, el.tail, *el.attrib.values()) if isinstance(el.tag, str) \
                else (el.tail,):
            if text and len(text) > MAX_COMBINING:
                at = _mark_run(text)
                if at is not None:
                    line, col = _position(data, text, at, el)
                    return AknError(f"more than {MAX_COMBINING} combining marks in a row on one "
                                    f"character (U+{ord(text[at]):04X} …): no script needs "
                                    f"more (Unicode's stream-safe limit); remove them",
                                    name, line, col, "too-many-marks")
    return None


def _inclusions_error(tree, name: str, data: bytes | None) -> AknError | None:
    """A component that documentRefs include more than MAX_INCLUSIONS times."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    seen: dict[str, int] = {}
    for ref in root.iter(N + "documentRef"):
        target = (ref.get("href") or "").lstrip("#")
        seen[target] = seen.get(target, 0) + 1
        if target and seen[target] > MAX_INCLUSIONS:
            times = "once" if MAX_INCLUSIONS == 1 else f"{MAX_INCLUSIONS} times"
            return AknError(f"component '{target}' is included again by this documentRef "
                            f"(a component may be included {times} at most, and 2,000 "
                            "inclusions of one made 77 MB of HTML): refer to it once", name, *_start(tree, ref, data), "repeated-component")
    return None


def span_warnings(tree, name: str, data: bytes | None = None) -> list[str]:
    """A warning for each table cell whose colspan or rowspan the writers will clamp."""
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    out = []
    for attr in ("colspan", "rowspan"):
        for cell in root.xpath(f"//*[@{attr}]"):
            value = cell.get(attr) or ""
            if _too_wide(value):
                line, col = _start(tree, cell, data)
                out.append(f"{name}:{line}:{col}: warning: {attr}=\"{value[:20]}\" "
                           f"is more than the {MAX_SPAN} a cell may span; rendered as {MAX_SPAN}")
    return out


def _too_wide(value: str) -> bool:
    digits = value.lstrip("0")
    return value.isascii() and value.isdigit() and (len(digits) > 4 or int(digits or "0") > MAX_SPAN)


def span(value: str) -> str:
    """A colspan/rowspan as the writers render it: at most MAX_SPAN."""
    return str(MAX_SPAN) if _too_wide(value) else value


def check_tree(tree, name: str, data: bytes | None = None) -> list[str]:
    """Raise AknError for a document beyond a limit; return warnings for what is clamped."""
    for problem in (_depth_error(tree, name, data), _inclusions_error(tree, name, data),
                    _marks_error(tree, name, data)):
        if problem is not None:
            raise problem
    return span_warnings(tree, name, data)
