"""Load one Akoma Ntoso document for the writers: the one road from a file (or its bytes) to
a tree that ``html``, ``pdf``, ``build``, ``export`` and the Python API render.

read (bounded, :mod:`akn.xmlsafe`) → safe parse → is it Akoma Ntoso (root, namespace, a
document inside) → the limits (:mod:`akn.limits`) → the official schema. One problem gets
one message, whichever command meets it: a schema-invalid file says
``FILE:LINE:COL: warning: not valid under the official AKN 3.0 schema (WHY); rendering it
anyway`` in ``html``, ``pdf`` and ``build``, and the same words as an error where the file
is refused (``--strict``; ``export``, which archives only valid XML).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from akn import AKN_NS
from akn.diagnostics import AknError, shown

# The document types the schema allows under <akomaNtoso> (the writers render any of them)
DOC_TYPES = ("amendmentList", "officialGazette", "documentCollection", "act", "bill",
             "debateReport", "debate", "statement", "amendment", "judgment", "portion", "doc")

# What a schema-invalid document means for the command that reads it
RENDER, STRICT, ARCHIVE = "render", "strict", "archive"
_CONSEQUENCE = {RENDER: "rendering it anyway", STRICT: "not rendered (--strict)",
                ARCHIVE: "only schema-valid XML is archived"}


@dataclass
class Loaded:
    """A document ready for the writers: its tree, the bytes it was read from, the name the
    diagnostics give it, and the warnings met on the way (``FILE:LINE:COL: warning: …``)."""
    tree: object
    data: bytes
    name: str
    valid: bool = True
    warnings: list[str] = field(default_factory=list)


def check_name(name: str) -> None:
    """Refuse a file name that is not UTF-8: it could not be written into the page, the
    PDF's metadata or a catalogue (it was an internal error, exit 3)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise AknError("this file name is not valid UTF-8, and akn writes names into its "
                       "outputs: rename the file (e.g. convmv -f latin1 -t utf8)",
                       shown(name), 0, 0, "bad-name") from None


def _document(tree, name: str) -> None:
    root = tree.getroot()
    if not any(isinstance(k.tag, str) and k.tag in _DOC_TAGS for k in root):
        raise AknError("<akomaNtoso> holds no document (one of "
                       f"{', '.join(DOC_TYPES)}): there is nothing to render",
                       name, root.sourceline or 1, 1, "no-document")


_DOC_TAGS = {f"{{{AKN_NS}}}{t}" for t in DOC_TYPES}


def schema_problem(tree, data: bytes | None, name: str, mode: str = RENDER):
    """The one diagnostic for a schema-invalid document (None when it is valid): a warning
    line when rendering, an AknError (same words) where only a valid document will do."""
    from akn import schema
    if schema.is_valid(tree):
        return None
    problems, _ = schema.diagnose(tree, data, limit=1)
    p = problems[0] if problems else schema.Problem(1, 1, "schema-invalid")
    message = f"not valid under the official AKN 3.0 schema ({p.message}); {_CONSEQUENCE[mode]}"
    if mode == RENDER:
        return f"{name}:{p.line}:{p.col}: warning: {message}"
    return AknError(message, name, p.line, p.col, "schema")


def load_akn(path: str | os.PathLike | None = None, *, data: bytes | None = None,
             name: str | None = None, mode: str = RENDER) -> Loaded:
    """Read (unless ``data`` is given), parse safely, check and validate one AKN document.

    ``mode``: RENDER (a schema-invalid document gets a warning), STRICT or ARCHIVE (it is
    refused). Raises :class:`AknError` for anything the writers cannot take."""
    from akn import limits, xmlsafe
    name = name if name is not None else os.fspath(path)
    check_name(name)
    if data is None:
        data = xmlsafe.read_file(path)
    tree = xmlsafe.parse_bytes(data, name)
    _document(tree, name)
    loaded = Loaded(tree, data, name)
    loaded.warnings.extend(limits.check_tree(tree, name, data))
    problem = schema_problem(tree, data, name, mode)
    if isinstance(problem, AknError):
        raise problem
    if problem is not None:
        loaded.valid = False
        loaded.warnings.insert(0, problem)
    return loaded
