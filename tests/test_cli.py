"""The command line's habits, as a pipeline or a script uses them: '-' for standard input and
output, --quiet, --fail-on-warnings, --version; links only to files that exist; validate's
positions, expected elements and --max-errors; advice for the wrong kind of file; build's
notes, counts, progress and ETA."""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lhtml

import akn
from conftest import CORPUS, ROOT, SEED_TXT, SMALL_EN, run_akn

AKN = [sys.executable, "-m", "akn"]
INVALID_EN = CORPUS / "en" / "A_RES_78_253-2326236E.xml"   # one of the UN's three invalid files
SMALL = SMALL_EN


def akn_cmd(*args, input: bytes | None = None, cwd=None, **kw) -> subprocess.CompletedProcess:
    """`akn ARGS` with bytes on standard input; stdout kept as bytes."""
    return subprocess.run([*AKN, *map(str, args)], input=input, capture_output=True,
                          cwd=cwd or ROOT, **kw)


@pytest.fixture(scope="module")
def seed_bytes(tmp_path_factory) -> bytes:
    proc = akn_cmd("parse", SEED_TXT, "-o", "-")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# ------------------------------------------------------------------ streams

def test_the_pipeline_of_the_issue(tmp_path):
    """cat seed.txt | akn parse - -o - | akn html - -o - > x.html"""
    page = tmp_path / "x.html"
    cmd = (f"cat {SEED_TXT} | {sys.executable} -m akn parse - -o - | "
           f"{sys.executable} -m akn html - -o - > {page}")
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # the parser's warnings name standard input
    assert re.search(r"^<stdin>:10:1: warning: resolution's own number", proc.stderr, re.M)
    text = page.read_text(encoding="utf-8")
    doc = lhtml.fromstring(text)
    assert text.startswith("<!DOCTYPE html>") and doc.get("lang") == "ar"
    assert doc.xpath("string(//div[@class='symbol']/dd)") == "A/RES/67/190"
    # a page on standard output has no files beside it: no links to them, no "made from"
    assert not doc.xpath("//link[@rel='alternate']") and not doc.xpath("//nav[@class='formats']")
    assert list(tmp_path.iterdir()) == [page]


def test_stdin_and_stdout_give_the_files_bytes(tmp_path, seed_bytes):
    """`-` in and out gives what the file commands give (the PDF carries the XML under the
    output's name, as a file input's PDF carries it under the input's)."""
    xml = tmp_path / "A-RES-67-190.ar.xml"
    run_akn("parse", SEED_TXT, "-o", xml)
    assert xml.read_bytes() == seed_bytes
    default = akn_cmd("parse", "-", input=SEED_TXT.read_bytes())   # no -o: standard output
    # the same XML; only the source it records is standard input instead of the file
    named = f'name="{SEED_TXT.name}"'.encode()
    assert default.returncode == 0 and seed_bytes.count(named) == 1
    assert default.stdout == seed_bytes.replace(named, b'name="&lt;stdin&gt;"')
    run_akn("pdf", xml, "-o", tmp_path / "file.pdf")
    piped = akn_cmd("pdf", "-", "-o", tmp_path / "A-RES-67-190.ar.pdf", input=seed_bytes)
    assert piped.returncode == 0, piped.stderr
    assert (tmp_path / "A-RES-67-190.ar.pdf").read_bytes() == (tmp_path / "file.pdf").read_bytes()
    out = akn_cmd("pdf", "-", input=seed_bytes)   # to a pipe: allowed
    assert out.returncode == 0 and out.stdout.startswith(b"%PDF-1.7")
    from akn import bag
    assert bag.embedded_xml(out.stdout) == [seed_bytes]


def test_a_pdf_is_never_written_to_a_terminal(seed_xml, tmp_path):
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([*AKN, "pdf", str(seed_xml), "-o", "-"], stdout=follower,
                              stderr=subprocess.PIPE, cwd=tmp_path)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert b"will not write a PDF to a terminal" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_and_xml_cannot_both_go_to_stdout():
    proc = akn_cmd("parse", SEED_TXT, "-o", "-", "--report", "-")
    assert proc.returncode == 2 and b"both write to standard output" in proc.stderr
    report = akn_cmd("parse", SEED_TXT, "-o", os.devnull, "--report", "-", "-q")
    assert report.returncode == 0 and report.stderr == b""
    data = json.loads(report.stdout)
    assert data["source"] == str(SEED_TXT) and data["operative_paragraphs"] == 15


def test_validate_reads_stdin_once(seed_bytes):
    proc = akn_cmd("validate", "-", input=seed_bytes)
    assert proc.returncode == 0 and proc.stdout.startswith(b"<stdin>: valid (Akoma Ntoso 3.0")
    twice = akn_cmd("validate", "-", "-", input=seed_bytes)
    assert twice.returncode == 2 and b"only once" in twice.stderr


# ------------------------------------------------------------------ quiet, warnings, version

def test_quiet_prints_only_errors(tmp_path):
    proc = run_akn("parse", SEED_TXT, "-o", tmp_path / "s.xml", "--quiet")
    assert proc.stderr == "" and (tmp_path / "s.xml").is_file()
    bad = run_akn("parse", tmp_path / "missing.txt", "-q", check=False)
    assert bad.returncode == 1 and "cannot read" in bad.stderr


def seed_warnings(seed_doc) -> int:
    """How many warnings the reader gives the seed (22 on 4 Dec 2026)."""
    n = len(seed_doc.diagnostics.warnings)
    assert n > 0
    return n


@pytest.mark.parametrize("quiet", [False, True])
def test_fail_on_warnings_writes_nothing(tmp_path, quiet, seed_doc):
    n = seed_warnings(seed_doc)
    out = tmp_path / "s.xml"
    proc = run_akn("parse", SEED_TXT, "-o", out, "--fail-on-warnings", *(["-q"] if quiet else []),
                   check=False)
    assert proc.returncode == 1 and not out.exists() and list(tmp_path.iterdir()) == []
    lines = proc.stderr.strip().splitlines()
    assert lines[-1] == f"{SEED_TXT}:0:0: error: {n} warnings and --fail-on-warnings: no output written"
    assert len(lines) == (1 if quiet else n + 1)
    clean = tmp_path / "small.txt"
    clean.write_text(SMALL, encoding="utf-8")
    assert run_akn("parse", clean, "--fail-on-warnings").returncode == 0
    assert (tmp_path / "small.xml").is_file()


def test_fail_on_warnings_in_html_for_an_invalid_document(shared, tmp_path):
    out = tmp_path / "x.html"
    proc = run_akn("html", INVALID_EN, "-o", out, "--fail-on-warnings", check=False)
    assert proc.returncode == 1 and not out.exists()
    assert "warning: not valid under the official AKN 3.0 schema" in proc.stderr
    assert "1 warning and --fail-on-warnings: no output written" in proc.stderr


def test_version_names_what_decides_the_output():
    proc = run_akn("--version")
    lines = proc.stdout.splitlines()
    assert lines[0] == f"akn {akn.__version__}"
    from importlib.metadata import version
    for name, dist in (("lxml", "lxml"), ("xmlschema", "xmlschema"), ("WeasyPrint", "weasyprint"),
                       ("pikepdf", "pikepdf")):
        assert any(line.startswith(f"{name} {version(dist)}") for line in lines), (name, lines)
    assert any(line.startswith("Python 3.") for line in lines)
    assert ("sha256 6f61fe84cbb6f8cb0e8418cd67b74a63da9990e6573b5a3491f623184f45c4fd (checked)"
            in lines[-1])


# ------------------------------------------------------------------ links that resolve

def test_html_links_only_what_exists_beside_it(seed_xml, tmp_path):
    def formats(page: Path) -> list[str]:
        doc = lhtml.fromstring(page.read_bytes())
        hrefs = doc.xpath("//nav[@class='formats']//a/@href")
        assert hrefs == doc.xpath("//link[@rel='alternate']/@href")
        ld = json.loads(doc.xpath("string(//script[@type='application/ld+json'])"))
        assert [e["contentUrl"] for e in ld.get("encoding", [])] == hrefs
        return hrefs

    here = tmp_path / "doc.xml"
    here.write_bytes(seed_xml.read_bytes())
    run_akn("html", here, "-o", tmp_path / "elsewhere" / "doc.html")
    assert formats(tmp_path / "elsewhere" / "doc.html") == []          # nothing beside it
    run_akn("html", here)                                              # doc.html beside doc.xml
    assert formats(tmp_path / "doc.html") == ["doc.xml"]               # no doc.pdf yet
    run_akn("pdf", here)
    run_akn("html", here)
    assert formats(tmp_path / "doc.html") == ["doc.xml", "doc.pdf"]
    run_akn("html", here, "-o", tmp_path / "page.html", "--xml-href", "",
            "--pdf-href", "https://example.org/a%20b.pdf")
    assert formats(tmp_path / "page.html") == ["https://example.org/a%20b.pdf"]
    bad = run_akn("html", here, "--pdf-href", "javascript:alert(1)", check=False)
    assert bad.returncode == 2 and "not a link a page may carry" in bad.stderr


def test_index_links_only_pages_that_were_built(seed_xml, tmp_path):
    (tmp_path / "a.xml").write_bytes(seed_xml.read_bytes())
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "b.xml").write_bytes(seed_xml.read_bytes())
    run_akn("html", tmp_path / "b" / "b.xml")
    run_akn("index", tmp_path / "a.xml", tmp_path / "b" / "b.xml", "-o", tmp_path / "index.html")
    doc = lhtml.fromstring((tmp_path / "index.html").read_bytes())
    hrefs = doc.xpath("//td[@class='links']/a/@href")
    assert sorted(hrefs) == ["a.xml", "b/b.html", "b/b.xml"]
    assert all((tmp_path / h).is_file() for h in hrefs)


# ------------------------------------------------------------------ validate

def test_validate_max_errors_means_n(shared):
    def run(n):
        proc = run_akn("validate", INVALID_EN, "--max-errors", n, check=False)
        assert proc.returncode == 1
        return proc.stderr.strip().splitlines()

    zero = run(0)
    assert zero == [f"{INVALID_EN}: invalid: 26 errors against the official Akoma Ntoso 3.0 "
                    "schema; none shown (--max-errors 0)"]
    two = run(2)
    assert len(two) == 3 and two[-1].endswith("only the first 2 shown (--max-errors 2)")
    assert len(run(100)) == 27 and run(100)[-1].endswith("26 errors against the official Akoma Ntoso 3.0 schema")


def test_validate_points_at_the_element_and_says_what_was_expected(shared):
    """The UN's own invalid file: a <p> straight inside a <section>. The error is at the
    <p>'s start tag (checked by eye: line 195, column 9), not at the section's line with
    column 1, and keeps libxml2's list of the elements allowed there."""
    proc = run_akn("validate", INVALID_EN, "--max-errors", 1, check=False)
    first = proc.stderr.splitlines()[0]
    assert first == (f"{INVALID_EN}:195:9: error: Element 'p': This element is not expected. "
                     "Expected is one of ( intro, content, hcontainer, componentRef, clause, section, "
                     "part, paragraph, chapter, title ). (at /akomaNtoso/statement/mainBody/section[1]/p)")
    line = INVALID_EN.read_text(encoding="utf-8").splitlines()[194]
    assert line[8:].startswith("<p ")


def test_validate_profile_says_it_passed(seed_xml):
    proc = run_akn("validate", "--profile", seed_xml)
    assert proc.stdout.strip().endswith("; UN-resolution profile (xsd/un-resolution.xsd): passed)")
    plain = run_akn("validate", seed_xml)
    assert "profile" not in plain.stdout


@pytest.mark.parametrize("command", ["validate", "html", "pdf"])
@pytest.mark.parametrize("kind,advice", [
    ("page.html", "this is an HTML page, not Akoma Ntoso XML"),
    ("seed.txt", "run 'akn parse seed.txt' first"),
    ("doc.pdf", "this is a PDF, not Akoma Ntoso XML"),
])
def test_the_wrong_kind_of_file_gets_the_right_advice(command, kind, advice, tmp_path, seed_xml):
    files = {"page.html": b"<!DOCTYPE html>\n<html lang=en><title>x</title></html>",
             "seed.txt": SEED_TXT.read_bytes(), "doc.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"}
    (tmp_path / kind).write_bytes(files[kind])
    proc = run_akn(command, kind, *([] if command == "validate" else ["-o", "out"]),
                   check=False, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{kind}:1:1: error: ") and advice in proc.stderr, proc.stderr
    assert "DOCTYPE" not in proc.stderr and not (tmp_path / "out").exists()


def test_parse_refuses_xml_with_advice(seed_xml):
    proc = run_akn("parse", seed_xml, "-o", os.devnull, check=False)
    assert proc.returncode == 1
    assert "this is already XML (or HTML), not the plain text of a resolution" in proc.stderr


# ------------------------------------------------------------------ build

def test_build_skips_what_is_not_an_input_and_counts_in_words(tmp_path, seed_doc):
    src = tmp_path / "in"
    src.mkdir()
    (src / "seed.txt").write_bytes(SEED_TXT.read_bytes())
    (src / "readme.md").write_text("# notes\n", encoding="utf-8")
    proc = run_akn("build", src / "seed.txt", src / "readme.md", "-o", tmp_path / "out", "-j", 1)
    assert proc.returncode == 0
    lines = proc.stderr.splitlines()
    assert lines[0] == f"akn build: note: {src / 'readme.md'}: not a .txt source or an .xml AKN file; skipped"
    # progress starts before the first file ends, and says time spent (and left, when any)
    assert lines[1] == "akn build: 1 file to build with 1 worker"
    assert re.fullmatch(r"akn build: \[1/1\] ok .*seed\.txt \(\d+\.\d\d s, CPU \d+\.\d\d s; "
                        r"\d+:\d\d spent\)", lines[2]), lines[2]
    assert lines[3] == (f"akn build: {seed_warnings(seed_doc)} warnings for 1 file, written to "
                        f"{tmp_path / 'out' / 'build-warnings.txt'}")
    assert re.fullmatch(rf"akn build: 1 built, 0 up to date, 0 failed, 1 skipped, into "
                        rf"{re.escape(str(tmp_path / 'out'))} \(\d+:\d\d\)", lines[4]), lines[4]
    assert len(lines) == 5


def test_build_eta_and_failures_named_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(SEED_TXT.read_bytes())
    (src / "b.txt").write_bytes(SEED_TXT.read_bytes())
    (src / "bad.txt").write_text("hello\n", encoding="utf-8")
    proc = run_akn("build", src, "-o", tmp_path / "out", "-j", 1, check=False)
    assert proc.returncode == 1
    ticks = [ln for ln in proc.stderr.splitlines() if ln.startswith("akn build: [")]
    assert len(ticks) == 3
    assert all(re.search(r"; \d+:\d\d spent, ETA \d+:\d\d\)$", t) for t in ticks[:2]), ticks
    assert ticks[2].endswith(" spent)")
    failures = proc.stderr.split("akn build: failures:\n")[1].splitlines()
    assert len(failures) == 1 and failures[0].startswith(f"  {src / 'bad.txt'}:1:1: error: ")
    assert failures[0].count("bad.txt") == 1


def test_build_quiet_and_fail_on_warnings(tmp_path, seed_doc):
    proc = run_akn("build", SEED_TXT, "-o", tmp_path / "out", "-j", 1, "-q", "--fail-on-warnings",
                   check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"akn build: {seed_warnings(seed_doc)} warnings and --fail-on-warnings: exit 1 (the outputs are written; the "
        f"warnings are in {tmp_path / 'out' / 'build-warnings.txt'})"]
    assert (tmp_path / "out" / f"{SEED_TXT.stem}.pdf").is_file()
