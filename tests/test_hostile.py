"""Hostile input at the command line, as an attacker would hand it over: `akn validate`,
`akn html` and `akn pdf` on XML carrying external entities, external DTDs and parameter
entities, XInclude, schema-location and stylesheet hints, billion laughs, deep nesting,
non-AKN and schema-invalid AKN; `akn build` and `akn export` with names that try to leave
the output folder; `akn pdf` killed half-way.

What must hold: a clear FILE:LINE:COL message, exit 1 (never 3, never a traceback), no
output file on refusal, no byte of a local file read, no connection attempted (a real TCP
listener on 127.0.0.1 counts connections — libxml2 would fetch in C, below Python — and an
audit hook sees what Python itself opens), and a killed run leaves the old output intact.
"""
from __future__ import annotations

import copy as copy_module
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEED_TXT, run_akn

DIAG = re.compile(r"^.+:\d+:\d+: (warning|error): .+$")
XI = "http://www.w3.org/2001/XInclude"


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(1)
            try:
                self.hits.append(conn.recv(300) or b"(connected)")
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nLEAKED-BY-NETWORK")
            except OSError:
                self.hits.append(b"(connected)")
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    srv = Listener()
    yield srv
    srv.close()


@pytest.fixture
def secret(tmp_path) -> tuple[Path, str]:
    token = f"TOPSECRET-{os.getpid()}-{time.time_ns()}"
    path = tmp_path / "secret.txt"
    path.write_text(token + "\n")
    return path, token


def hostile(seed: bytes, secret: Path, url: str) -> dict[str, bytes]:
    """name -> document. The seed's own XML, with the attack put in."""
    decl, rest = seed.split(b"?>", 1)
    decl += b"?>"
    pad = b"<!--" + b"x" * 70000 + b"-->"  # beyond the 64 KB the quick head check reads
    first_p = lambda extra: rest.replace(b"<p>", b"<p>" + extra, 1)  # noqa: E731
    xxe_file = f'<!DOCTYPE akomaNtoso [<!ENTITY x SYSTEM "file://{secret}">]>'.encode()
    xxe_net = f'<!DOCTYPE akomaNtoso [<!ENTITY x SYSTEM "{url}/entity">]>'.encode()
    laughs = (b'<!DOCTYPE akomaNtoso [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">'.encode()
                         for p, n in zip("abcdefgh", "bcdefghi")) + b"]>")
    return {
        "external-entity-file": decl + xxe_file + first_p(b"&x;"),
        "external-entity-net": decl + xxe_net + first_p(b"&x;"),
        "external-entity-after-64k": decl + pad + xxe_file + first_p(b"&x;"),
        "external-dtd": decl + f'<!DOCTYPE akomaNtoso SYSTEM "{url}/x.dtd">'.encode() + rest,
        "external-dtd-after-64k": decl + pad + f'<!DOCTYPE akomaNtoso SYSTEM "{url}/x.dtd">'.encode() + rest,
        "public-dtd-file": decl + f'<!DOCTYPE akomaNtoso PUBLIC "-//X//EN" "file://{secret}">'.encode() + rest,
        "parameter-entity": decl + pad + f'<!DOCTYPE akomaNtoso [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>'.encode() + rest,
        "billion-laughs": decl + laughs + first_p(b"&i;"),
        "billion-laughs-after-64k": decl + pad + laughs + first_p(b"&i;"),
        "deep-nesting": rest.replace(b"<p>", b"<p>" + b"<i>" * 5000, 1)
                            .replace(b"</p>", b"</i>" * 5000 + b"</p>", 1),
        "not-xml": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "truncated": seed[: len(seed) // 2],
        "empty": b"",
        "xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>',
        "akn-namespace-wrong-root": b'<p xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">x</p>',
        "no-namespace-akn": b"<akomaNtoso><act/></akomaNtoso>",
    }


def rendered_hostile(seed: bytes, secret: Path, url: str) -> bytes:
    """Well-formed AKN (no DOCTYPE) with every other way to make a reader fetch something:
    a stylesheet PI, xsi:schemaLocation, XInclude of a local file and of a URL."""
    decl, rest = seed.split(b"?>", 1)
    rest = rest.replace(b"<akomaNtoso ", (
        '<akomaNtoso xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://docs.oasis-open.org/legaldocml/ns/akn/3.0 {url}/s.xsd" ').encode(), 1)
    rest = rest.replace(b"<p>", (f'<p><xi:include xmlns:xi="{XI}" href="file://{secret}" parse="text"/>'
                                 f'<xi:include xmlns:xi="{XI}" href="{url}/inc.xml"/>').encode(), 1)
    return decl + f'?><?xml-stylesheet type="text/xsl" href="{url}/x.xsl"?>'.encode() + rest


REFUSED = {  # what the message must say (a regular expression)
    "external-entity-file": "DOCTYPE", "external-entity-net": "DOCTYPE",
    "external-entity-after-64k": "DOCTYPE", "external-dtd": "DOCTYPE",
    "external-dtd-after-64k": "DOCTYPE", "public-dtd-file": "DOCTYPE",
    "parameter-entity": "DOCTYPE", "billion-laughs": "DOCTYPE",
    # past the quick head check, libxml2 itself stops the expansion while parsing
    "billion-laughs-after-64k": "DOCTYPE|entity amplification", "deep-nesting": "not well-formed",
    "not-xml": "not XML", "truncated": "not well-formed", "empty": "not well-formed",
    "xhtml": "not Akoma Ntoso", "akn-namespace-wrong-root": "not Akoma Ntoso",
    "no-namespace-akn": "not Akoma Ntoso",
}


def check_refusal(proc, doc: Path, what: str, token: str, out: Path | None = None):
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines and all(DIAG.match(ln) for ln in lines), proc.stderr
    assert lines[-1].startswith(f"{doc}:") and ": error: " in lines[-1] \
        and re.search(what, lines[-1]), proc.stderr
    assert token not in proc.stdout + proc.stderr and "LEAKED" not in proc.stdout + proc.stderr
    if out is not None:
        assert not out.exists()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_xml_is_refused_by_validate_and_html(name, seed_xml, secret, listener, tmp_path):
    path, token = secret
    doc = tmp_path / f"{name}.xml"
    doc.write_bytes(hostile(seed_xml.read_bytes(), path, listener.url)[name])
    for engine in ("lxml", "xmlschema"):
        check_refusal(run_akn("validate", "--engine", engine, doc, check=False), doc, REFUSED[name], token)
    out = tmp_path / "out.html"
    check_refusal(run_akn("html", doc, "-o", out, check=False), doc, REFUSED[name], token, out)
    assert listener.hits == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([doc.name, path.name])


@pytest.mark.parametrize("name", ["external-entity-after-64k", "external-dtd", "billion-laughs",
                                  "deep-nesting", "xhtml"])
def test_hostile_xml_is_refused_by_pdf(name, seed_xml, secret, listener, tmp_path):
    path, token = secret
    doc = tmp_path / f"{name}.xml"
    doc.write_bytes(hostile(seed_xml.read_bytes(), path, listener.url)[name])
    out = tmp_path / "out.pdf"
    check_refusal(run_akn("pdf", doc, "-o", out, check=False), doc, REFUSED[name], token, out)
    assert listener.hits == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([doc.name, path.name])


def test_fetch_hints_are_never_followed(seed_xml, secret, listener, tmp_path):
    """XInclude, xsi:schemaLocation and a stylesheet PI in well-formed AKN: validate says the
    XInclude element is not AKN; html and pdf render with a warning; nothing is fetched or
    read, and the XInclude element never pulls the file in."""
    path, token = secret
    doc = tmp_path / "hints.xml"
    doc.write_bytes(rendered_hostile(seed_xml.read_bytes(), path, listener.url))
    for engine in ("lxml", "xmlschema"):
        proc = run_akn("validate", "--engine", engine, doc, check=False)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert re.search(r"hints\.xml:\d+:\d+: error: .*xi:include", proc.stderr), proc.stderr
    html_out, pdf_out = tmp_path / "hints.html", tmp_path / "hints.pdf"
    for cmd, out in (("html", html_out), ("pdf", pdf_out)):
        proc = run_akn(cmd, doc, "-o", out, check=False, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert all(DIAG.match(ln) for ln in proc.stderr.strip().splitlines()), proc.stderr
        assert "warning: not valid under the official AKN 3.0 schema" in proc.stderr
    page = html_out.read_text(encoding="utf-8")
    assert token not in page and "LEAKED" not in page and listener.url not in page
    text = subprocess.run(["pdftotext", str(pdf_out), "-"], capture_output=True, text=True).stdout \
        if _have("pdftotext") else ""
    assert token not in text and "LEAKED" not in text
    assert token.encode() not in pdf_out.read_bytes()
    assert listener.hits == []


def _have(tool: str) -> bool:
    from shutil import which
    return which(tool) is not None


def test_no_python_level_file_or_network_access_while_reading(seed_xml, secret, tmp_path,
                                                             monkeypatch, capsys):
    """In-process: an audit hook records every file Python opens and every socket it
    connects while `akn validate` and `akn html` read hostile documents (the subprocess
    tests above catch libxml2's own C-level fetching with a real listener)."""
    from akn import cli
    path, token = secret
    docs = hostile(seed_xml.read_bytes(), path, "http://127.0.0.1:9")
    docs["hints"] = rendered_hostile(seed_xml.read_bytes(), path, "http://127.0.0.1:9")
    events: list[tuple] = []
    recording = [False]

    def hook(event, args):
        if recording[0] and (event == "open" or event.startswith(("socket.", "urllib."))):
            events.append((event, args[0] if args else None))

    sys.addaudithook(hook)  # hooks cannot be removed; this one records only when asked
    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail(f"socket.connect{a[1:]}"))
    try:
        for name, data in docs.items():
            doc = tmp_path / f"{name}.xml"
            doc.write_bytes(data)
            recording[0] = True
            try:
                cli.main(["validate", "--engine", "xmlschema", str(doc)])
                cli.main(["html", str(doc), "-o", str(tmp_path / "o.html")])
            finally:
                recording[0] = False
    finally:
        recording[0] = False
    capsys.readouterr()
    opened = {os.path.realpath(a) for e, a in events if e == "open" and isinstance(a, (str, os.PathLike))}
    assert os.path.realpath(path) not in opened and opened  # (the hook did see files opened)
    assert not [e for e in events if e[0].startswith("socket.")], events
    # xmlschema opens its own meta-schemas as file:// URLs; nothing else goes through urllib
    urls = [str(a) for e, a in events if e.startswith("urllib.")]
    assert all(u.startswith("file://") and "/site-packages/" in u for u in urls), urls


# ------------------------------------------------------------------ what the HTML shows

def test_cli_html_escapes_text_and_never_links_javascript(seed_xml, tmp_path):
    """`akn html` end to end: markup in the text is shown as text; a `javascript:` (or
    data:, vbscript:, file:) href in a <ref> is never a live link."""
    xml = seed_xml.read_text(encoding="utf-8")
    evil = ('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; '
            '<ref href="javascript:alert(3)">J</ref> <ref href=" JaVaScRiPt:alert(4)">K</ref> '
            '<ref href="data:text/html,&lt;script&gt;alert(5)&lt;/script&gt;">D</ref> '
            '<ref href="vbscript:msgbox(6)">V</ref> <ref href="file:///etc/passwd">F</ref> ')
    at = xml.index("<p>", xml.index("<container"))  # the first preambular paragraph
    xml = xml[:at] + "<p>" + evil + xml[at + 3:]
    doc = tmp_path / "evil.xml"
    doc.write_text(xml, encoding="utf-8")
    out = tmp_path / "evil.html"
    proc = run_akn("html", doc, "-o", out, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    page = out.read_text(encoding="utf-8")
    body = page.split("</head>", 1)[1]
    assert "<script>alert" not in body and "<img" not in body
    for bad in ("javascript:", "data:text/html", "vbscript:", "file:///etc/passwd"):
        assert bad not in page.lower().replace(" ", ""), bad
    from lxml import html as lhtml
    tree = lhtml.fromstring(page)
    shown = tree.xpath("string(//main)")
    assert "<script>alert(1)</script><img src=x onerror=alert(2)>" in shown  # as text
    assert not tree.xpath("//img") and len(tree.xpath("//script")) == 1  # only the JSON-LD
    assert tree.xpath("//script/@type") == ["application/ld+json"]
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")
    for href in tree.xpath("//a/@href"):
        assert href.startswith(("#", "https://", "http://", "/akn/")) or not re.match(r"^\s*\w+:", href), href


# ------------------------------------------------------------------ output names

def test_build_keeps_every_output_inside_its_folder(tmp_path):
    """Inputs from sibling folders, a name with spaces and dots, a symlinked output
    subfolder pointing elsewhere: nothing is written outside DIR."""
    src = tmp_path / "a" / "b"
    src.mkdir(parents=True)
    other = tmp_path / "c"
    other.mkdir()
    (src / "..x.txt").write_bytes(SEED_TXT.read_bytes())
    (other / "x y.txt").write_bytes(SEED_TXT.read_bytes())
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    out.mkdir()
    (out / "c").symlink_to(outside, target_is_directory=True)  # a trap: out/c -> outside
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    proc = run_akn("build", src / "..x.txt", other / "x y.txt", "-o", out, "-j", "1", "--no-index",
                   check=False, timeout=900)
    assert "Traceback" not in proc.stderr
    assert list(outside.iterdir()) == []                        # the symlink was not followed
    assert proc.returncode == 1 and "would leave" in proc.stderr + proc.stdout
    new = sorted(set(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) - set(before))
    assert new and all(n.startswith("out/") for n in new), new
    assert (out / "a" / "b" / "..x.pdf").is_file()


def test_export_cli_keeps_the_bag_inside_its_folder(seed_xml, tmp_path):
    xml = seed_xml.read_bytes().replace(b'value="A/RES/67/190" name="symbol"',
                                        b'value="../../../../tmp/evil" name="symbol"')
    doc = tmp_path / "in" / "doc.xml"
    doc.parent.mkdir()
    doc.write_bytes(xml)
    out = tmp_path / "deep" / "out"
    pdf = tmp_path / "in" / "doc.pdf"
    from test_export import fake_pdf  # a stand-in PDF carrying this XML (no slow render)
    pdf.write_bytes(fake_pdf(xml))
    proc = run_akn("export", doc, "-o", out, "--pdf", pdf, check=False, timeout=600)
    assert "Traceback" not in proc.stderr
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_dir())
    assert all(m in ("in", "deep", "deep/out") or m.startswith("deep/out/") for m in made), made
    assert not Path("/tmp/evil").exists()
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.splitlines()[0]) == out.resolve() / "tmp-evil.ar"   # then its anchor


# ------------------------------------------------------------------ killed half-way

def lengthened(xml: bytes, times: int) -> bytes:
    """The document with its mainBody's paragraphs repeated ``times`` times, each copy's
    eIds with a suffix (so that they stay unique); schema-valid like the original."""
    from lxml import etree
    root = etree.fromstring(xml)
    body = root.find(".//{*}mainBody")
    originals = list(body)
    for n in range(1, times):
        for child in originals:
            copy = copy_module.deepcopy(child)
            for el in copy.iter():
                if el.get("eId"):
                    el.set("eId", f"{el.get('eId')}_copy{n}")
            body.append(copy)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_lengthened_document_is_schema_valid_and_longer(seed_xml):
    from lxml import etree
    from akn import schema
    xml = seed_xml.read_bytes()
    longer = lengthened(xml, 3)
    count = lambda x: len(etree.fromstring(x).find(".//{*}mainBody"))  # noqa: E731
    assert count(longer) == 3 * count(xml) > 0
    eids = etree.fromstring(longer).xpath("//@eId")
    assert len(eids) == len(set(eids))
    assert schema.is_valid(etree.fromstring(longer))


def test_killed_pdf_leaves_the_previous_output_in_place(seed_xml, tmp_path):
    """SIGKILL `akn pdf` while it renders: the old PDF is intact, and nothing else is left
    in the folder (no partial file, no temporary named like the target)."""
    out = tmp_path / "doc.pdf"
    old = b"%PDF-1.7 the previous good output\n"
    out.write_bytes(old)
    doc = tmp_path / "doc.xml"
    # the seed's body forty times over: a render of 10 s or more, so that the kill
    # lands inside it however fast the host is (the seed alone renders in 1.4 s cold on
    # a quiet day, and a kill at 1.5 s once came too late)
    doc.write_bytes(lengthened(seed_xml.read_bytes(), 40))
    proc = subprocess.Popen([sys.executable, "-m", "akn", "pdf", str(doc), "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)  # past start-up and schema check, well inside the layout, before any write
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL, "akn pdf finished before it could be killed"
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.pdf", "doc.xml"]


def test_killed_parse_and_html_leave_previous_outputs(seed_xml, tmp_path):
    """Interrupted (SIGINT, exit 130) or killed (SIGKILL) at random moments, `akn parse`
    and `akn html` leave either the old file or a complete new one — never a mixture."""
    src = tmp_path / "in.txt"
    src.write_bytes(SEED_TXT.read_bytes())
    doc = tmp_path / "in.xml"
    doc.write_bytes(seed_xml.read_bytes())
    good = {}
    for cmd, inp, out in (("parse", src, tmp_path / "p.xml"), ("html", doc, tmp_path / "h.html")):
        run_akn(cmd, inp, "-o", out)
        good[out] = out.read_bytes()
    for i, (cmd, inp, out) in enumerate(2 * [("parse", src, tmp_path / "p.xml"),
                                             ("html", doc, tmp_path / "h.html")]):
        out.write_bytes(b"old")
        proc = subprocess.Popen([sys.executable, "-m", "akn", cmd, str(inp), "-o", str(out)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3 + 0.25 * i)
        proc.send_signal(signal.SIGINT if i % 2 else signal.SIGKILL)
        proc.wait(60)
        assert out.read_bytes() in (b"old", good[out]), (cmd, proc.returncode)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert not [n for n in leftovers if not n.startswith(".")], leftovers
