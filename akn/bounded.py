"""Reading a file or a stream in bounded chunks: a 2 GB file, /dev/zero or an endless pipe
is an error naming the file at once, with a few MB of memory, never a read of the whole."""
from __future__ import annotations

import os
import stat

from akn.diagnostics import AknError

CHUNK = 1024 * 1024
MAX_BYTES = 16 * 1024 * 1024   # a resolution's text (the XML readers pass their own)


def _too_large(name: str, limit: int) -> AknError:
    return AknError(f"file is larger than the {limit // (1024 * 1024)} MB a resolution can be "
                    "(the reading stopped there); check it is the right file", name, 0, 0,
                    "too-large")


def read_bounded(path: str, limit: int = MAX_BYTES, stream=None) -> bytes:
    """The bytes of a file (or of ``stream``, such as standard input), read in chunks and
    never more than ``limit`` + 1 of them: a 2 GB file, /dev/zero or an endless pipe is an
    error (FILE:0:0) at once, with a few MB of memory. A regular file is judged by its size
    first, without reading it."""
    if stream is not None:
        return _read_chunks(stream, path, limit)
    try:
        with open(path, "rb", buffering=0) as f:
            st = os.fstat(f.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(21, "Is a directory")
            if stat.S_ISREG(st.st_mode) and st.st_size > limit:
                raise _too_large(path, limit)
            return _read_chunks(f, path, limit)
    except OSError as e:
        raise AknError(f"cannot read: {e.strerror or e}", path, 0, 0, "io") from None


def _read_chunks(f, name: str, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = f.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
