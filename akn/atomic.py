"""Write outputs atomically: a temporary file beside the target, then a rename.

A failing or killed run therefore never leaves a half-written file, and the previous good
output stays in place until the new one is complete.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from akn.diagnostics import AknError


def _cannot_write(target: str | os.PathLike, e: OSError) -> AknError:
    return AknError(f"cannot write: {e.strerror or e}; check that the folder can be created "
                    "and written to, and that the disk has room", os.fspath(target), 0, 0, "io")


def ensure_folder(folder: str | os.PathLike) -> Path:
    """The folder, made with its parents if need be; an AknError naming it if it cannot be."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise AknError("is a file, not a folder: give a folder here", os.fspath(folder), 0, 0,
                       "io")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _cannot_write(folder, e) from e
    return folder


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path in the target's folder; rename it over the target on success.
    A target that cannot be written (a folder, a read-only place) is an AknError naming it."""
    target = Path(target)
    if target.is_dir():
        raise AknError("is a folder: give the output a file name (-o FOLDER/NAME)",
                       os.fspath(target), 0, 0, "io")
    ensure_folder(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _cannot_write(target, e) from e
    os.close(fd)
    try:
        yield Path(tmp)
        try:
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except OSError as e:
            raise _cannot_write(target, e) from e
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as e:   # a full disk, a quota
            raise _cannot_write(target, e) from e


def write_text(target: str | os.PathLike, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
