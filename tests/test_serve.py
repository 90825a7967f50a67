"""The warm server make uses (akn/serve.py, AKN_SERVER=SOCKET): a served command gives what
the same command gives by itself — output bytes, messages, exit status — with files,
standard input and output, the working folder and the environment of the caller; no server
means the command runs by itself (and starts one); a server whose code changed on disk
stops instead of serving."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED_TXT

pytestmark = pytest.mark.skipif(not hasattr(__import__("socket"), "send_fds"),
                                reason="no Unix sockets with descriptor passing here")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("AKN_SERVER", "SOURCE_DATE_EPOCH")}
    env.update(extra)
    return env


def akn(*args, env, cwd=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "akn", *map(str, args)], capture_output=True,
                          env=env, cwd=cwd, input=stdin)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("srv")
    sock = home / "akn.sock"
    log = open(home / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "akn.serve", str(sock)], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log, env=_env(AKN_SERVER_IDLE="120"))
    deadline = time.monotonic() + 60
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sock.exists(), (home / "server.log").read_text()
    yield {"sock": sock, "proc": proc, "log": home / "server.log"}
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)
    log.close()


def _served(server) -> list[str]:
    return [ln for ln in server["log"].read_text().splitlines() if ln.startswith("akn serve:")]


def test_a_served_command_gives_what_it_gives_alone(server, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = len(_served(server))
    # relative paths, from the caller's folder
    alone = akn("parse", SEED_TXT, "-o", "a/x.xml", "--report", "a/r.json", env=_env(), cwd=tmp_path)
    served = akn("parse", SEED_TXT, "-o", "b/x.xml", "--report", "b/r.json",
                 env=_env(AKN_SERVER=str(server["sock"])), cwd=tmp_path)
    assert (served.returncode, served.stdout) == (alone.returncode, alone.stdout) == (0, b"")
    assert served.stderr == alone.stderr and b"warning" in alone.stderr
    for name in ("x.xml", "r.json"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()
    assert len(_served(server)) == before + 1 and _served(server)[-1].endswith("akn parse " + str(SEED_TXT)
                                                                             + " -o b/x.xml --report b/r.json")


def test_pdf_and_html_through_standard_streams_and_the_environment(server, tmp_path):
    xml = SEED_TXT.read_bytes()
    alone = akn("parse", "-", "-o", "-", env=_env(), stdin=xml)
    served = akn("parse", "-", "-o", "-", env=_env(AKN_SERVER=str(server["sock"])), stdin=xml)
    assert served.returncode == alone.returncode == 0
    assert served.stdout == alone.stdout and served.stdout.startswith(b"<?xml")
    doc = tmp_path / "seed.xml"
    doc.write_bytes(alone.stdout)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}   # the PDF's dates come from it
    for cmd in (["pdf", doc, "-o", "-"], ["html", doc, "-o", "-"]):
        a = akn(*cmd, env=_env(**env))
        b = akn(*cmd, env=_env(AKN_SERVER=str(server["sock"]), **env))
        assert (b.returncode, b.stderr) == (a.returncode, a.stderr), b.stderr
        assert b.stdout == a.stdout and len(a.stdout) > 1000
    assert _served(server)[-1].endswith(f"akn html {doc} -o -")


def test_failures_and_usage_errors_keep_their_status_and_words(server, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n", encoding="utf-8")
    for args in (["parse", bad, "-o", tmp_path / "out.xml"], ["parse"], ["pdf", tmp_path / "none.xml"],
                 ["validate", "--help"]):
        a = akn(*args, env=_env())
        b = akn(*args, env=_env(AKN_SERVER=str(server["sock"])))
        assert (b.returncode, b.stdout, b.stderr) == (a.returncode, a.stdout, a.stderr), args
    assert not (tmp_path / "out.xml").exists()


def test_without_a_server_the_command_runs_alone_and_starts_one(tmp_path):
    sock = tmp_path / "s.sock"
    env = _env(AKN_SERVER=str(sock), AKN_SERVER_IDLE="2")
    first = akn("parse", SEED_TXT, "-o", tmp_path / "x.xml", env=env)
    assert first.returncode == 0 and (tmp_path / "x.xml").is_file()
    deadline = time.monotonic() + 60
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sock.exists()
    second = akn("parse", SEED_TXT, "-o", tmp_path / "y.xml", env=env)
    assert second.returncode == 0 and second.stderr == first.stderr
    assert (tmp_path / "y.xml").read_bytes() == (tmp_path / "x.xml").read_bytes()
    deadline = time.monotonic() + 60   # idle for 2 s: it stops by itself, and tidies up
    while sock.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sock.exists()


def test_a_server_of_other_code_stops_instead_of_serving(server, monkeypatch):
    """Last: it stops the module's server."""
    from akn import serve
    monkeypatch.setattr(serve, "signature", lambda: "akn as it is on disk now")
    assert serve.forward(["parse", str(SEED_TXT), "-o", os.devnull], str(server["sock"])) is None
    assert server["proc"].wait(timeout=30) == 0
    assert not Path(server["sock"]).exists()
