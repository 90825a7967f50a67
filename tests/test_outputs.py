"""What an output may replace (akn.atomic's one rule), on every command that writes a file:
a regular file is replaced atomically (keeping its permission bits), a symbolic link is
written through, a character device or FIFO is written into and never replaced, a folder or
socket is refused; an output that is an input, or another output, is refused before
anything is written; a command that cannot write all its outputs writes none of them."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from akn import atomic
from akn.diagnostics import AknError
from conftest import ROOT, SMALL_EN, run_akn

TEXT = SMALL_EN

AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """A small resolution's text and its XML."""
    d = tmp_path_factory.mktemp("small")
    txt, xml = d / "small.txt", d / "small.xml"
    txt.write_text(TEXT, encoding="utf-8")
    run_akn("parse", txt, "-o", xml)
    return txt, xml


def _null_device(path: Path) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def _command(command: str, small, out) -> list:
    txt, xml = small
    return [command, txt if command == "parse" else xml, "-o", out]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------- devices and FIFOs

@AS_ROOT
@pytest.mark.parametrize("command", ["parse", "html", "pdf", "index"])
def test_a_character_device_is_written_into_not_replaced(command, small, tmp_path):
    """`akn html doc.xml -o /tmp/n` (n a null device) left a regular file: as root, -o
    /dev/null replaced the system's device."""
    dev = _null_device(tmp_path / "n")
    proc = run_akn(*_command(command, small, dev), check=False)
    assert proc.returncode == 0, proc.stderr
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["parse", "html", "index"])
def test_a_fifo_is_written_into_not_replaced(command, small, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = run_akn(*_command(command, small, fifo), check=False, timeout=120)
    reader.join(10)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"<?xml" if command == "parse" else b"<!DOCTYPE html>")


def test_dev_stdout_is_written_into(small, tmp_path):
    """-o /dev/stdout writes to standard output (here a pipe), as -o - does. Tried through a
    link of our own to /proc/self/fd/1 (what /dev/stdout is): the code before this test
    replaced the link with a regular file, and must not be let loose on /dev/stdout."""
    _, xml = small
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    proc = run_akn("html", xml, "-o", stdout, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("<!DOCTYPE html>")
    assert stdout.is_symlink() and _leftovers(tmp_path) == []


def test_dev_stdout_redirected_to_a_file_is_appended_to(small, tmp_path):
    """Standard output redirected with >> to a log: the page is added, the log kept."""
    _, xml = small
    log = tmp_path / "log"
    log.write_bytes(b"earlier\n")
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    with open(log, "ab") as f:
        proc = subprocess.run([sys.executable, "-m", "akn", "html", str(xml), "-o", str(stdout)],
                              stdout=f, cwd=ROOT)
    assert proc.returncode == 0
    data = log.read_bytes()
    assert data.startswith(b"earlier\n<!DOCTYPE html>") and stdout.is_symlink()


@pytest.mark.parametrize("command", ["parse", "html", "index"])
def test_a_socket_or_folder_is_refused(command, small, tmp_path):
    sock = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(sock))
    try:
        proc = run_akn(*_command(command, small, sock), check=False)
    finally:
        s.close()
    assert proc.returncode == 1
    assert f"{sock}:0:0: error: is a socket" in proc.stderr, proc.stderr
    assert stat.S_ISSOCK(os.lstat(sock).st_mode)


# ---------------------------------------------------------------- links and permissions

@pytest.mark.parametrize("command", ["parse", "html", "pdf", "index"])
def test_a_symlink_is_written_through(command, small, tmp_path):
    real = tmp_path / "real.out"
    real.write_bytes(b"old")
    link = tmp_path / "link.out"
    link.symlink_to("real.out")
    proc = run_akn(*_command(command, small, link), check=False)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "real.out"
    assert real.read_bytes() != b"old" and len(real.read_bytes()) > 1000
    assert _leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(small, tmp_path):
    link = tmp_path / "link.html"
    link.symlink_to("sub/real.html")
    (tmp_path / "sub").mkdir()
    run_akn("html", small[1], "-o", link)
    assert link.is_symlink() and (tmp_path / "sub" / "real.html").stat().st_size > 1000


def test_a_replaced_file_keeps_its_permissions(small, tmp_path):
    out = tmp_path / "private.html"
    out.write_bytes(b"old")
    out.chmod(0o600)
    run_akn("html", small[1], "-o", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() != b"old"


def test_a_new_file_gets_0644_less_the_umask(small, tmp_path):
    out = tmp_path / "new.html"
    run_akn("html", small[1], "-o", out, preexec_fn=lambda: os.umask(0o027))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    out2 = tmp_path / "new2.html"
    run_akn("html", small[1], "-o", out2, preexec_fn=lambda: os.umask(0o022))
    assert stat.S_IMODE(out2.stat().st_mode) == 0o644


def test_a_250_byte_output_name_works(small, tmp_path):
    """The temporary '.NAME.XXXXXXXX.tmp' passed 255 bytes for a legal 250-byte name."""
    name = "x" * 245 + ".html"
    proc = run_akn("html", small[1], "-o", tmp_path / name, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / name).stat().st_size > 1000 and _leftovers(tmp_path) == []


def test_temporary_names_fit_and_differ():
    for name in ("a" * 255, "é" * 127, "ع" * 120 + "x"):
        names = {atomic.temporary_name(name) for _ in range(50)}
        assert len(names) == 50
        for t in names:
            assert len(os.fsencode(t)) <= 255
            t.encode("utf-8")   # cut at a character's edge


# ---------------------------------------------------------------- collisions

@pytest.mark.parametrize("command", ["html", "pdf", "index"])
@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_an_output_that_is_the_input_is_refused(command, how, small, tmp_path):
    """`akn html in.xml -o in.xml` overwrote its input."""
    src = tmp_path / "in.xml"
    src.write_bytes(small[1].read_bytes())
    out = {"same path": src, "symlink": tmp_path / "l.xml", "hard link": tmp_path / "h.xml"}[how]
    if how == "symlink":
        out.symlink_to("in.xml")
    elif how == "hard link":
        os.link(src, out)
    proc = run_akn(command, src, "-o", out, check=False)
    assert proc.returncode == 1
    assert f"{out}:0:0: error: is the input" in proc.stderr, proc.stderr
    assert src.read_bytes() == small[1].read_bytes() and _leftovers(tmp_path) == []


def test_parse_of_a_text_named_xml_does_not_overwrite_it(tmp_path):
    """`akn parse notes.xml` (a text file) overwrote its source with the default output."""
    src = tmp_path / "notes.xml"
    src.write_text(TEXT, encoding="utf-8")
    proc = run_akn("parse", src, check=False)
    assert proc.returncode == 1 and f"{src}:0:0: error: is the input" in proc.stderr
    assert src.read_text(encoding="utf-8") == TEXT


def test_report_and_output_the_same_file_is_refused(small, tmp_path):
    out = tmp_path / "r.xml"
    proc = run_akn("parse", small[0], "-o", out, "--report", out, check=False)
    assert proc.returncode == 1 and "is also the output" in proc.stderr, proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("report", ["a folder", "unwritable"])
def test_parse_writes_nothing_when_the_report_cannot_be_written(report, small, tmp_path):
    """`parse S -o r.xml --report DIR/` exited 1 yet wrote r.xml."""
    folder = tmp_path / "D"
    folder.mkdir()
    where = {"a folder": f"{folder}/", "unwritable": "/proc/akn-test/r.json"}[report]
    out = tmp_path / "r.xml"
    proc = run_akn("parse", small[0], "-o", out, "--report", where, check=False)
    assert proc.returncode == 1 and proc.stderr.startswith(where.split("/r.json")[0]), proc.stderr
    assert ":0:0: error: " in proc.stderr
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_failed_second_output_leaves_the_first_one_as_it_was(tmp_path):
    first = tmp_path / "a.txt"
    first.write_bytes(b"previous")
    with pytest.raises(AknError):
        atomic.write_all([(first, b"new"), (Path("/proc/akn-test/b"), b"x")])
    assert first.read_bytes() == b"previous" and _leftovers(tmp_path) == []
