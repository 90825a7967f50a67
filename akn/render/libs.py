"""A quicker load of WeasyPrint's system libraries (cold start of ``akn pdf``).

WeasyPrint finds Pango, HarfBuzz, fontconfig and GObject by trying, for each, a list of
names made for every platform ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0',
'libgobject-2.0.so.0', '….dylib', '….dll'); cffi hands each name that is not a file to
``ctypes.util.find_library``, which on Linux asks the dynamic linker's cache and then, for a
name it does not know, runs the C compiler and the linker to look for it: about 20 misses,
10-15 ms of processes each, some 0.2 s of every cold ``akn pdf``. While WeasyPrint loads,
:func:`quick_lookup` answers from the linker's cache alone. The libraries loaded are the
same: the misses fall through to the plain sonames ('libpango-1.0.so.0') further down each
list, which the dynamic loader opens itself (``LD_LIBRARY_PATH`` included).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def quick_lookup():
    import ctypes.util
    cache_only = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or cache_only is None:
        yield
        return
    original = ctypes.util.find_library
    found: dict[str, str | None] = {}

    def find_library(name):
        if name.endswith((".dll", ".dylib")):   # another platform's file name
            return None
        if name not in found:
            try:
                found[name] = cache_only(name)
            except OSError:
                found[name] = original(name)
        return found[name]

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
