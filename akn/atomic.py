"""Write outputs: one rule, for every output of every command, for what may be replaced.

* A **regular file** (or nothing yet) is written to a temporary beside it, then renamed over
  it: a failing or killed run never leaves a half-written file, and the previous good output
  stays until the new one is complete. A replaced file keeps its permission bits (and, for
  root, its owner); a new one gets 0644 less the umask.
* A **symbolic link** is written through: the temporary is made beside the file it points to
  and renamed over that file; the link stays.
* A **character device or FIFO** (``-o /dev/null``, ``-o /dev/stdout``, a named pipe) is never
  replaced: the output is written into it, as ``-o -`` writes to standard output. So is a
  regular file reached through ``/dev`` or ``/proc`` (``/dev/stdout`` redirected to a file:
  appended to, as the shell's redirection decides).
* A **folder, socket or block device** is refused: ``FILE:0:0: error``, exit 1.
* An output that is the **same file as an input** of the command, or as another of its
  outputs (through links, hard links too), is refused before anything is written.

:func:`write_all` writes a command's outputs together: every temporary is written before
any stream is, and the renames come last, so a command whose second output cannot be
written leaves its first one untouched.
"""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from akn.diagnostics import AknError

NAME_MAX = 255      # bytes in one file name (Linux, macOS, and the usual file systems)
STDOUT = "-"

# what each refused kind is called in the message
_REFUSED = ((stat.S_ISSOCK, "a socket"), (stat.S_ISBLK, "a block device"))


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


# ---------------------------------------------------------------- what a target is

@dataclass(frozen=True)
class Target:
    """An output as the rule sees it. ``kind``: "stdout", "stream" (written into),
    "file" (an existing regular file, replaced) or "new"; ``path``: where the write goes
    (a link's resolved target for "file" and "new"); ``st``: the existing file's stat."""
    given: str
    kind: str
    path: str
    st: os.stat_result | None = None


def _through_proc(path: str) -> bool:
    """Whether the path, or a link on the way, names a file through /dev or /proc
    (/dev/stdout, /proc/self/fd/1): those name an open file, not a place for a new one."""
    here = os.path.abspath(path)
    for _ in range(40):   # the kernel's own limit on links followed
        folder = os.path.realpath(os.path.dirname(here))
        if here.startswith(("/dev/", "/proc/")) or folder.startswith(("/dev/", "/proc/")) \
                or folder in ("/dev", "/proc"):
            return True
        try:
            link = os.readlink(here)
        except OSError:
            return False
        here = os.path.normpath(os.path.join(folder, link))
    return False


def resolve(target: str | os.PathLike) -> Target:
    """What kind of output this is, or an AknError (exit 1) for one that may not be written."""
    given = os.fspath(target)
    if given == STDOUT:
        return Target(given, "stdout", given)
    try:
        st = os.stat(given)   # follows links, /proc's too
    except FileNotFoundError:
        st = None
    except OSError as e:       # a loop of links, a path under a file, no permission
        if e.errno == errno.ENOTDIR:
            raise AknError("cannot write: a part of this path is a file, not a folder",
                           given, 0, 0, "io") from e
        raise _cannot_write(given, e) from e
    if st is None:
        return Target(given, "new", os.path.realpath(given))
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise AknError("is a folder: give the output a file name (-o FOLDER/NAME)", given, 0, 0,
                       "io")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(given, "stream", given, st)
    if stat.S_ISREG(mode):
        real = os.path.realpath(given)
        if _through_proc(given) or not _same_stat(real, st):
            return Target(given, "stream", given, st)
        return Target(given, "file", real, st)
    what = next((name for test, name in _REFUSED if test(mode)), "not a regular file")
    raise AknError(f"is {what}: akn writes only regular files (replaced), character devices "
                   "and FIFOs (written into); give another output name", given, 0, 0, "io")


def _same_stat(path: str, st: os.stat_result) -> bool:
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of an existing input, through links; None for '-' or a missing file."""
    if path == STDOUT:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check(outputs, inputs=()) -> list[Target]:
    """Resolve every output and refuse, before anything is written, one that is an input of
    the command or that another output names too (each would overwrite the other)."""
    targets = [resolve(o) for o in outputs]
    ins = {}
    for p in inputs:
        ident = _identity(os.fspath(p))
        if ident is not None:
            ins.setdefault(ident, os.fspath(p))
    seen: dict[object, str] = {}
    for t in targets:
        if t.kind not in ("file", "new"):
            continue   # written into, never replaced: no input is lost
        key = (t.st.st_dev, t.st.st_ino) if t.st is not None else t.path
        if key in ins:
            raise AknError(f"is the input {ins[key]!r} of this command: writing it would "
                           "destroy the input; give another output name (-o)", t.given, 0, 0,
                           "same-file")
        if key in seen:
            raise AknError(f"is also the output {seen[key]!r}: one would overwrite the other; "
                           "give them different names", t.given, 0, 0, "same-file")
        seen[key] = t.given
    return targets


# ---------------------------------------------------------------- temporaries

# the names of temporary_name's files (and of the mkstemp ones earlier versions made): how
# a killed run's leftovers are known (akn build sweeps them)
TEMPORARY = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


def temporary_name(name: str) -> str:
    """A fresh hidden name for a temporary beside ``name``: '.NAME.XXXXXXXX.tmp', the name
    shortened (at a character's edge) so that the whole fits in NAME_MAX bytes."""
    token = secrets.token_hex(4)
    room = NAME_MAX - len(f"..{token}.tmp")
    raw = os.fsencode(name)
    if len(raw) > room:
        raw = raw[:room]
        while raw and (raw[-1] & 0xC0) == 0x80:   # a UTF-8 continuation byte: cut before
            raw = raw[:-1]
        if raw and raw[-1] >= 0xC0:               # the lead byte of the cut character
            raw = raw[:-1]
    return f".{os.fsdecode(raw)}.{token}.tmp"


def _open_temporary(t: Target) -> tuple[int, str]:
    """Create the temporary beside the file to be replaced (or created): 0644 less the umask
    for a new file, the old file's bits (and owner, for root) for a replaced one."""
    folder, name = os.path.split(t.path)
    ensure_folder(folder or ".")
    for _ in range(100):
        tmp = os.path.join(folder, temporary_name(name))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            continue
        except OSError as e:
            raise _cannot_write(t.given, e) from e
        try:
            _keep_owner_and_mode(fd, t.st)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        return fd, tmp
    raise _cannot_write(t.given, OSError(errno.EEXIST, "no free temporary name"))


def _keep_owner_and_mode(fd: int, st: os.stat_result | None) -> None:
    if st is None:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and \
            (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except OSError:
            pass   # a file system without owners: the bits still are kept
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _write_fd(fd: int, data: bytes, target: str) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:   # a full disk, a quota
        raise _cannot_write(target, e) from e


def _write_stream(t: Target, data: bytes) -> None:
    """Into a device, a FIFO or standard output: never created, truncated or replaced."""
    sys.stdout.flush()
    if t.kind == "stdout":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        fd = os.open(t.path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    except OSError as e:
        raise _cannot_write(t.given, e) from e
    try:
        _write_fd(fd, data, t.given)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- writing

def write_all(items, inputs=()) -> None:
    """Write each (target, bytes) by the rule above, all or nothing as far as the file
    system allows: temporaries first, then the streams, then the renames."""
    items = list(items)
    targets = check([t for t, _ in items], inputs)
    temps: list[tuple[str, Target]] = []
    try:
        for t, (_, data) in zip(targets, items):
            if t.kind in ("file", "new"):
                fd, tmp = _open_temporary(t)
                temps.append((tmp, t))
                try:
                    _write_fd(fd, data, t.given)
                finally:
                    os.close(fd)
        for t, (_, data) in zip(targets, items):
            if t.kind in ("stdout", "stream"):
                _write_stream(t, data)
        while temps:
            tmp, t = temps[0]
            try:
                os.replace(tmp, t.path)
            except OSError as e:
                raise _cannot_write(t.given, e) from e
            temps.pop(0)
    finally:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def write_bytes(target: str | os.PathLike, data: bytes, inputs=()) -> None:
    write_all([(target, data)], inputs)


def write_text(target: str | os.PathLike, text: str, inputs=()) -> None:
    write_bytes(target, text.encode("utf-8"), inputs)


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path to write the output to; on success it becomes the target by
    the rule above (renamed over a regular file, copied into a device or FIFO)."""
    t = resolve(target)
    if t.kind in ("file", "new"):
        fd, tmp = _open_temporary(t)
    else:   # a device or FIFO: the output is gathered apart, then written into it
        import tempfile
        fd, tmp = tempfile.mkstemp(prefix=".akn-stream.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        if t.kind in ("file", "new"):
            try:
                os.replace(tmp, t.path)
            except OSError as e:
                raise _cannot_write(t.given, e) from e
        else:
            _write_stream(t, Path(tmp).read_bytes())
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
