"""Bad text input: a clear FILE:LINE:COL message and the right exit code, never a traceback,
never a half-written output file, never silently wrong output."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from akn import xmlsafe
from akn.diagnostics import AknError
from akn.read import parse_text
from conftest import SEED_TXT, run_akn

SEED = SEED_TXT.read_text(encoding="utf-8")
DIAG = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>warning|error): (?P<msg>.+)$")


def parse_cli(tmp_path, data: bytes, name="in.txt"):
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out.xml"
    proc = run_akn("parse", src, "-o", out, check=False)
    assert "Traceback" not in proc.stderr
    for line in proc.stderr.strip().splitlines():
        assert DIAG.match(line), line
    return proc, out


def test_empty_file_is_an_error_and_writes_nothing(tmp_path):
    proc, out = parse_cli(tmp_path, b"  \n\n")
    assert proc.returncode == 1
    assert re.search(r"in\.txt:1:1: error: file is empty", proc.stderr)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.txt"]  # no temporary left behind


def test_failed_parse_keeps_the_previous_good_output(tmp_path):
    out = tmp_path / "out.xml"
    out.write_bytes(b"previous good output")
    (tmp_path / "in.txt").write_bytes(b"")
    proc = run_akn("parse", tmp_path / "in.txt", "-o", out, check=False)
    assert proc.returncode == 1 and out.read_bytes() == b"previous good output"


def test_binary_file_is_refused(tmp_path):
    proc, out = parse_cli(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert proc.returncode == 1 and "binary file" in proc.stderr and not out.exists()


def test_missing_file_is_reported(tmp_path):
    proc = run_akn("parse", tmp_path / "nope.txt", "-o", tmp_path / "o.xml", check=False)
    assert proc.returncode == 1 and "nope.txt:0:0: error: cannot read" in proc.stderr


@pytest.mark.parametrize("command", ["parse", "validate", "html", "pdf", "index", "export"])
@pytest.mark.parametrize("what", ["missing", "folder"])
def test_every_command_reports_an_unreadable_input_and_writes_nothing(command, what, tmp_path):
    """`akn pdf` once answered a missing file with "internal error: FileNotFoundError"
    (exit 3): every command that reads one file says FILE:0:0: error: cannot read, exit 1."""
    src = tmp_path / ("nope.xml" if what == "missing" else "a-folder")
    if what == "folder":
        src.mkdir()
    out = tmp_path / "out" / "o"
    args = [command, src] if command == "validate" else [command, src, "-o", out]
    proc = run_akn(*args, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert f"{src}:0:0: error: cannot read: " in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["parse", "html", "pdf", "index", "export", "build"])
@pytest.mark.parametrize("where", ["a folder", "under a file", "unwritable"])
def test_every_command_reports_an_output_it_cannot_write(command, where, tmp_path):
    """An output that is a folder, sits under a file, or cannot be created (here: in
    /proc) is a FILE:0:0 error naming it, exit 1, with nothing left behind — it was an
    "internal error" (exit 3) in parse, html, pdf, build and export."""
    from conftest import ROOT
    src = ROOT / "sources" / "A-RES-67-190.ar.txt" if command in ("parse", "build") \
        else ROOT / "build" / "A-RES-67-190.ar.xml"
    if not src.exists():
        pytest.skip(f"{src} is made by `make`")
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"x")
    folder_out = command in ("export", "build")   # these write into a folder
    out = {"a folder": tmp_path if not folder_out else blocker,
           "under a file": blocker / "o",
           "unwritable": Path("/proc/akn-test/o")}[where]
    if where == "unwritable" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc on this system")
    before = sorted(tmp_path.iterdir())
    proc = run_akn(command, src, "-o", out, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert re.search(r"^\S+:0:0: error: (cannot write|is a f)", proc.stderr, re.M), proc.stderr
    assert sorted(tmp_path.iterdir()) == before and blocker.read_bytes() == b"x"


def test_no_title_is_an_error(tmp_path):
    proc, out = parse_cli(tmp_path, "إن الجمعية العامة،\n\nوإذ تشير إلى شيء،\n\n١ - تقرر شيئا؛\n".encode())
    assert proc.returncode == 1 and "no title line" in proc.stderr and not out.exists()


def test_no_operative_part_is_an_error(tmp_path):
    text = SEED.split("١ - تؤكد")[0]
    proc, out = parse_cli(tmp_path, text.encode())
    assert proc.returncode == 1 and "no operative paragraph" in proc.stderr and not out.exists()


def test_text_with_no_preamble_warns_and_still_builds(tmp_path):
    head, rest = SEED.split("إن الجمعية العامة،", 1)
    body = rest[rest.index("١ - تؤكد"):]
    proc, out = parse_cli(tmp_path, (head + "إن الجمعية العامة،\n\n" + body).encode())
    assert proc.returncode == 0, proc.stderr
    assert re.search(r":\d+:1: warning: no preambular paragraph", proc.stderr)
    assert run_akn("validate", out).returncode == 0


def test_call_with_no_body_warns_and_keeps_the_call(tmp_path):
    text = SEED.replace("المعاقبة عليه والتصديق عليه والانضمام إليه، بحيث أصبح عدد الأطراف فيه ١٥٣ دولة،",
                        "المعاقبة عليه والتصديق عليه والانضمام إليه، بحيث أصبح عدد الأطراف فيه ١٥٣ دولة^(٢٠)،")
    proc, out = parse_cli(tmp_path, text.encode())
    assert proc.returncode == 0
    m = [ln for ln in proc.stderr.splitlines() if "call ^(٢٠) has no footnote body" in ln]
    assert len(m) == 1 and DIAG.match(m[0]).group("line") == "94"
    assert "<sup>(٢٠)</sup>" in out.read_text(encoding="utf-8")


def test_body_never_called_is_kept_with_a_warning():
    text = SEED.rstrip() + "\n\n(٢٠) نص حاشية لا يشير إليها شيء.\n"
    doc = parse_text(text.encode(), "x.txt")
    assert [d.code for d in doc.diagnostics.items].count("note-without-call") == 1
    assert "نص حاشية لا يشير إليها شيء." in "".join(doc.tree.getroot().itertext())


def test_crlf_bom_and_utf16_are_read_with_the_same_result(tmp_path):
    base = parse_text(SEED.encode(), "x.txt").to_bytes()
    assert parse_text(b"\xef\xbb\xbf" + SEED.replace("\n", "\r\n").encode(), "x.txt").to_bytes() == base
    doc16 = parse_text(SEED.encode("utf-16"), "x.txt")
    assert doc16.to_bytes() == base
    assert any(d.code == "encoding" and d.severity == "warning" for d in doc16.diagnostics.items)


def test_windows_1256_is_converted_with_a_warning():
    text = SEED.replace("٠١٢٣٤٥٦٧٨٩", "")
    ascii_digits = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")).replace("ّ", "")
    doc = parse_text(ascii_digits.encode("cp1256", errors="strict"), "x.txt")
    warn = [d for d in doc.diagnostics.items if d.code == "encoding"]
    # the first byte that is not UTF-8 is on line 3 (the masthead), column 1
    assert warn and "Windows-1256" in warn[0].message and (warn[0].line, warn[0].col) == (3, 1)
    assert doc.to_bytes() == parse_text(ascii_digits.encode(), "x.txt").to_bytes()


def test_bidi_controls_and_nul_are_flagged_by_position():
    lines = SEED.split("\n")
    lines[9] = "\u202e" + lines[9]
    lines[13] = lines[13][:5] + "\x00" + lines[13][5:]
    doc = parse_text("\n".join(lines).encode(), "x.txt")
    got = {(d.line, d.col, d.code) for d in doc.diagnostics.items}
    assert (10, 1, "bidi-control") in got and (14, 6, "control") in got
    assert "\u202e" not in doc.to_bytes().decode() and "\x00" not in doc.to_bytes().decode()


def test_duplicated_and_skipped_paragraph_numbers_warn():
    text = SEED.replace("٨ - تقر بأهمية", "٧ - تقر بأهمية").replace("١٤ - **تطلب**", "١٦ - **تطلب**")
    doc = parse_text(text.encode(), "x.txt")
    msgs = [(d.line, d.message) for d in doc.diagnostics.items if d.code == "numbering"]
    assert any("repeated" in m for _, m in msgs) and any("skipped" in m for _, m in msgs)


@pytest.mark.parametrize("xml,what", [
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "DOCTYPE"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>', "DOCTYPE"),
    (b'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></a>', "not Akoma Ntoso"),
    (b"<akomaNtoso><unclosed></akomaNtoso>", "not well-formed"),
    (b"<" + b"x>" * 0 + b"<d>" * 5000 + b"</d>" * 5000, "not well-formed"),
])
def test_hostile_xml_is_refused(xml, what):
    with pytest.raises(AknError) as e:
        xmlsafe.parse_bytes(xml, "h.xml")
    assert what in str(e.value) and str(e.value).startswith("h.xml:")


def _bogus(tmp_path, seed_xml) -> tuple[Path, str]:
    """The seed with an element the schema refuses, and where its start tag is (LINE:COL)."""
    bad = tmp_path / "bad.xml"
    text = seed_xml.read_text(encoding="utf-8").replace('<statement name="resolution">',
                                                        '<statement name="resolution"><bogus/>')
    bad.write_text(text, encoding="utf-8")
    at = text.index("<bogus/>")
    return bad, f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"


def test_validate_reports_schema_errors_with_positions(tmp_path, seed_xml):
    """The offending element's own line and column (not its parent's line and column 1),
    and libxml2's list of what was expected there."""
    bad, where = _bogus(tmp_path, seed_xml)
    assert where == "3:31"   # the seed's <statement ...> is line 3 (checked by eye)
    proc = run_akn("validate", bad, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"bad.xml:{where}: error: Element 'bogus': This element is not expected. " \
           "Expected is ( meta ). (at /akomaNtoso/statement/bogus)" in proc.stderr, proc.stderr
    assert "bad.xml: invalid: 1 error against the official Akoma Ntoso 3.0 schema\n" in proc.stderr
    slow = run_akn("validate", "--engine", "xmlschema", bad, check=False)
    assert slow.returncode == 1 and f"bad.xml:{where}: error: " in slow.stderr, slow.stderr


def test_schema_invalid_akn_is_refused_in_strict_mode_and_flagged_otherwise(tmp_path, seed_xml):
    bad, where = _bogus(tmp_path, seed_xml)
    out = tmp_path / "bad.html"
    strict = run_akn("html", bad, "-o", out, "--strict", check=False)
    assert strict.returncode == 1 and "not valid under the official AKN 3.0 schema" in strict.stderr \
        and "not rendered (--strict)" in strict.stderr and not out.exists()   # one message (akn.load)
    assert f"bad.xml:{where}: error: " in strict.stderr
    lenient = run_akn("html", bad, "-o", out, check=False)
    assert lenient.returncode == 0 and out.exists()
    assert f"bad.xml:{where}: warning: not valid under the official AKN 3.0 schema" in lenient.stderr
