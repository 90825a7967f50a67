"""A warm ``akn`` for make: one process keeps the imports, the compiled schema and
WeasyPrint's fonts, and forks a copy of itself for each command.

A whole ``akn pdf`` spends more time starting (Python's imports, WeasyPrint's libraries and
fonts, the official schema's compile) than rendering; ``make`` starts one such process per
file. With ``AKN_SERVER=PATH`` in the environment (the Makefile sets it), ``akn parse``,
``html``, ``pdf`` and ``validate`` hand their arguments, working folder, environment, umask
and standard streams to the server listening on the Unix socket PATH; the server forks, the
child runs the command exactly as ``akn`` would (same code: the command line's own
``main``), writes straight to the caller's stdout and stderr, and the caller exits with the
child's status. Ctrl-C and SIGTERM are passed on to the child.

* No server yet (or a dead one): the command runs by itself as usual and starts a server
  in the background for the next ones. The server stops after ``AKN_SERVER_IDLE`` seconds
  (60 by default) without a command.
* akn's code changed since the server started (a file's size or time): the server stops
  and the command runs by itself, so a served command never runs stale code.
* The socket is the caller's alone (mode 0600, checked to be owned by the caller).

Output bytes are those of a process of its own: ``akn build`` already renders many
documents per process and gives ``akn pdf``'s bytes (tests/test_build.py), and
tests/test_serve.py compares served and unserved commands byte for byte.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import struct
import sys

SERVED = {"parse", "html", "pdf", "validate"}
IDLE = 60.0


def signature() -> str:
    """What the server's code was loaded from: every file of the package and its templates,
    by size and modification time (stat only: cheap enough for every command)."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = []
    for top in (here, os.path.join(here, "templates")):
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".toml", ".txt", ".css", ".j2", ".xsd")):
                    st = os.stat(os.path.join(folder, name))
                    parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    import zlib
    return f"{sys.executable}|{len(parts)}|{zlib.crc32(chr(0).join(parts).encode('utf-8', 'surrogateescape')):08x}"


# --------------------------------------------------------------------------- the caller

def forward(argv: list[str], path: str) -> int | None:
    """Run the command on the server at ``path``: its exit status, or None when there is
    no usable server (then the caller runs the command itself; a server is started for
    the next commands)."""
    if not hasattr(socket, "send_fds") or len(os.fsencode(path)) > 100:
        return None   # no Unix sockets here, or a path too long for one
    try:
        st = os.stat(path)
    except OSError:
        _start_server(path)
        return None
    if not stat.S_ISSOCK(st.st_mode) or st.st_uid != os.getuid():
        return None
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
    except OSError:   # a socket left by a server that has stopped
        _start_server(path)
        return None
    with sock:
        mask = os.umask(0)
        os.umask(mask)
        request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                              "umask": mask, "sig": signature()}).encode("utf-8", "surrogateescape")
        try:
            socket.send_fds(sock, [struct.pack("!I", len(request)) + request], [0, 1, 2])
            reply = _read(sock, 5)
        except OSError:
            return None
        if reply is None or reply[:1] != b"P":   # "stale": the server is stopping
            return None
        child = struct.unpack("!i", reply[1:])[0]

        def relay(signum, _frame):
            try:
                os.kill(child, signum)
            except OSError:
                pass
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, relay)
        status = _read(sock, 5)
    if status is None or status[:1] != b"S":
        print("akn: internal error: the warm server's process for this command died "
              f"(unset AKN_SERVER to run without it; socket {path})", file=sys.stderr)
        return 3
    return struct.unpack("!i", status[1:])[0]


def _read(sock, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        try:
            chunk = sock.recv(n - len(data))
        except InterruptedError:
            continue
        if not chunk:
            return None
        data += chunk
    return data


def _start_server(path: str) -> None:
    import subprocess
    try:
        subprocess.Popen([sys.executable, "-m", "akn.serve", path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)
    except OSError:
        pass


# --------------------------------------------------------------------------- the server

# a resolution of a few lines, read and rendered once by the server so that every one-off
# of the reader and the writers (imports, templates, fonts, C types) is paid before forking
WARM_UP = """General Assembly

Resolution adopted by the General Assembly on 1 January 2000

1/1. A warm-up

The General Assembly,

Recalling its resolutions,

1. Decides to begin;

2. Requests the Secretary-General to report.

1st plenary meeting
1 January 2000
"""


def warm() -> None:
    """Everything a command loads, once: the reader (every language), the writers, the
    schema, WeasyPrint's libraries and fonts, the page templates, pikepdf."""
    from akn import schema
    schema.lxml_schema()   # in this process, for every copy of it
    import akn
    import akn.cli  # noqa: F401
    from akn import lang
    for code in lang.available():
        lang.get(code)
    doc = akn.parse_text(WARM_UP, name="warm-up.txt")
    akn.to_html(doc)
    akn.to_pdf(doc)


class _Stop(Exception):
    """SIGTERM or SIGHUP: the server ends (the copies at work finish first)."""


def _stop(_signum, _frame):
    raise _Stop


def _take_lock(path: str):
    """The server's lock file, held; None when another server holds it."""
    import fcntl
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    lock = open(path + ".lock", "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n")   # who holds it, for whoever must stop it
    lock.flush()
    return lock


def _listen(path: str) -> socket.socket:
    """A Unix socket at ``path``, for its owner only."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old)
    listener.listen(64)   # commands that come while it warms up wait for it
    return listener


def _read_request(conn) -> tuple[dict, list[int]] | None:
    """A command's request (its argv, cwd, environment) and its three standard streams."""
    try:
        msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
        if len(msg) < 4 or len(fds) != 3:
            raise OSError("bad request")
        size = struct.unpack("!I", msg[:4])[0]
        body = msg[4:]
        while len(body) < size:
            more = conn.recv(size - len(body))
            if not more:
                raise OSError("short request")
            body += more
        return json.loads(body.decode("utf-8", "surrogateescape")), fds
    except (OSError, ValueError):
        conn.close()
        return None


def _fork_command(listener, conn, fds: list[int], request: dict) -> int:
    """A copy of this warm process runs the command; the server goes on at once."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGHUP})
    pid = os.fork()
    if pid == 0:   # the child: becomes the command
        listener.close()
        _child(conn, fds, request)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGHUP})
    print(f"akn serve: {pid}: akn {' '.join(request['argv'])}", file=sys.stderr, flush=True)
    return pid


def _close(conn, fds: list[int]) -> None:
    conn.close()
    for fd in fds:
        os.close(fd)


def serve(path: str, idle: float = IDLE) -> int:
    """Serve commands on the socket ``path`` until idle for ``idle`` seconds, stopped, or
    akn changes on disk; 0 at once when another server already serves there."""
    lock = _take_lock(path)
    if lock is None:
        return 0   # another server has this socket
    mine = signature()
    listener = _listen(path)
    ours = os.stat(path).st_ino
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    warm()
    import gc
    gc.collect()
    gc.freeze()   # what warm() made stays out of the copies' collections: fewer pages copied
    children: set[int] = set()
    try:
        return _loop(listener, mine, children, idle)
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        listener.close()
        _wait_for(children)
        try:
            if os.stat(path).st_ino == ours:   # not a newer server's socket
                os.unlink(path)
        except OSError:
            pass


def _loop(listener, mine: str, children: set[int], idle: float) -> int:
    import select
    while True:
        ready, _, _ = select.select([listener], [], [], idle)
        _reap(children)
        if not ready:
            if not children:
                return 0
            continue
        conn, _ = listener.accept()
        got = _read_request(conn)
        if got is None:
            continue
        request, fds = got
        if request.get("sig") != mine:   # akn changed on disk: this server is stale
            conn.sendall(b"X\0\0\0\0")
            _close(conn, fds)
            return 0
        children.add(_fork_command(listener, conn, fds, request))
        _close(conn, fds)


def _wait_for(children: set[int]) -> None:
    for pid in children:   # the copies still at work use the fonts this process keeps
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _child(conn, fds, request) -> None:
    status = 3
    try:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.default_int_handler if s == signal.SIGINT else signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGHUP})
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        env = dict(request["env"])
        env.pop("AKN_SERVER", None)   # this process runs the command itself
        os.environ.clear()
        os.environ.update(env)
        os.umask(int(request["umask"]))
        import tempfile
        tempfile.tempdir = None   # found again from the caller's TMPDIR
        conn.sendall(b"P" + struct.pack("!i", os.getpid()))
        argv = list(request["argv"])
        sys.argv = ["akn"] + argv
        from akn import cli
        try:
            status = cli.main(argv)
        except SystemExit as e:   # argparse's --help and usage errors
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
    finally:
        try:
            conn.sendall(b"S" + struct.pack("!i", int(status or 0)))
        except OSError:
            pass
        os._exit(int(status or 0) & 0xFF)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m akn.serve SOCKET (akn uses it when AKN_SERVER=SOCKET)",
              file=sys.stderr)
        return 2
    return serve(args[0], float(os.environ.get("AKN_SERVER_IDLE", IDLE)))


if __name__ == "__main__":
    sys.exit(main())
