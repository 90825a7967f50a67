"""Cold start (docs/scaling.md): what makes a whole `akn` process start faster keeps its
answers — language detection loads only the languages of the text's script, the schema
compiled in a forked helper gives the schema's verdict (and its failure is still the
caller's), WeasyPrint
loads the same system libraries when they are looked up in the linker's cache alone."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from akn import lang
from tests.conftest import SEED_TXT


def _run(code: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_a_languages_script_is_read_without_loading_it():
    for code in lang.available():
        assert lang._script(code) == lang.get(code).script, code


def test_detection_loads_only_the_languages_of_the_script():
    out = _run("""
        from akn import lang
        lang.detect("قرار اتخذته الجمعية العامة " * 50)
        print(lang.get.cache_info().currsize)
    """)
    assert out.stdout.split() == ["1"]


def test_the_helpers_verdict_is_the_schemas():
    """The schema compiled in a forked helper while the command starts: a valid document is
    valid without compiling it here; an invalid one is found invalid here too, with
    libxml2's error log for the message; the helper is waited for either way."""
    out = _run("""
        import os
        from akn import schema, xmlsafe
        from akn.read import parse_text
        schema.prefetch()
        pid = schema._helper[0]
        doc = parse_text(open(%r, "rb").read(), "seed.txt")
        print(schema.is_valid(doc.tree), schema.lxml_schema.cache_info().currsize)
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped")
        schema.prefetch()
        bad = xmlsafe.parse_bytes(
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><x/></akomaNtoso>', "b.xml")
        print(schema.is_valid(bad), schema.lxml_schema.cache_info().currsize,
              len(schema.lxml_schema().error_log) > 0)
    """ % str(SEED_TXT))
    assert out.stdout.split() == ["True", "0", "reaped", "False", "1", "True"]


def test_a_failed_compile_in_the_helper_is_raised_to_the_caller():
    out = _run("""
        from akn import schema
        from akn.diagnostics import AknError
        from lxml import etree
        def missing():
            raise AknError("the official schema is missing")
        schema.schema_path = missing
        schema.prefetch()
        try:
            schema.is_valid(etree.ElementTree(etree.fromstring(b"<a/>")))
        except AknError as e:
            print("raised:", e)
    """)
    assert "raised: -:0:0: error: the official schema is missing" in out.stdout


def test_weasyprint_loads_the_same_libraries_from_the_linkers_cache():
    out = _run("""
        import ctypes.util
        before = ctypes.util.find_library
        from akn.render import pdf
        pdf._weasy()
        from weasyprint.text import ffi
        assert ctypes.util.find_library is before   # put back once WeasyPrint is loaded
        names = ("gobject", "pango", "harfbuzz", "fontconfig", "pangoft2")
        print(all(getattr(ffi, n) is not None for n in names),
              (ffi.harfbuzz_subset is not None) == bool(before("harfbuzz-subset")))
    """)
    assert out.stdout.split() == ["True", "True"]
