"""Reader input that once cost gigabytes, was misread in silence, or ended in "internal
error": huge files and endless streams, invisible characters, UTF-16 without a byte-order
mark, impossible years, a bad SOURCE_DATE_EPOCH, libxml2 messages on two lines."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from akn.read import parse_text
from conftest import ROOT, SEED_TXT, SMALL_EN, run_akn

SEED = SEED_TXT.read_text(encoding="utf-8")
TEXT = SMALL_EN
DIAG = re.compile(r"^.+:\d+:\d+: (warning|error): \S.*$")

# Runs akn with its address space capped at 1 GB (so that the old behaviour, reading the
# whole input, fails at once instead of taking the machine's memory) and prints the
# largest resident size of akn and its helpers, in KB.
MEASURE = """
import resource, subprocess, sys
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
p = subprocess.run([sys.executable, "-m", "akn", *sys.argv[1:]], preexec_fn=cap,
                   stdin=subprocess.DEVNULL if sys.argv[2] != "-" else open("/dev/zero", "rb"),
                   capture_output=True, text=True, timeout=120)
sys.stderr.write(p.stderr)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _measured(*args) -> tuple[int, int, str]:
    proc = subprocess.run([sys.executable, "-c", MEASURE, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    status, kb = proc.stdout.split()
    return int(status), int(kb), proc.stderr


# ---------------------------------------------------------------- bounded reading

@pytest.mark.parametrize("what", ["sparse 2 GB file", "/dev/zero", "stdin from /dev/zero"])
def test_huge_input_is_refused_after_16_mb_with_little_memory(what, tmp_path):
    """`parse` read the whole file before its 16 MB check: a 2 GB file took 2.1 GB of
    memory, /dev/zero ran until MemoryError (exit 3)."""
    if what == "sparse 2 GB file":
        src = tmp_path / "big.txt"
        with open(src, "wb") as f:
            f.truncate(2 << 30)
    else:
        src = "/dev/zero" if what == "/dev/zero" else "-"
    status, kb, stderr = _measured("parse", src, "-o", tmp_path / "o.xml")
    name = "<stdin>" if src == "-" else str(src)
    assert status == 1, stderr
    assert f"{name}:0:0: error: file is larger than the 16 MB" in stderr, stderr
    assert kb < 200_000, f"{kb} KB resident"
    assert not (tmp_path / "o.xml").exists()


# ---------------------------------------------------------------- invisible characters

def _warnings(doc, code):
    return [d for d in doc.diagnostics.items if d.code == code]


def _operative(doc) -> int:
    return len(doc.tree.getroot().findall(".//{*}mainBody/{*}paragraph"))


def test_soft_hyphen_in_a_paragraph_number_is_removed_with_a_warning():
    """A soft hyphen in "1\u00ad. Welcomes" made operative 1 a preamble paragraph."""
    plain = parse_text(TEXT.encode(), "x.txt")
    doc = parse_text(TEXT.replace("1. Welcomes", "1\u00ad. Welcomes").encode(), "x.txt")
    assert _operative(doc) == _operative(plain) == 2
    (w,) = _warnings(doc, "invisible")
    assert (w.line, w.col) == (13, 2) and "U+00AD SOFT HYPHEN" in w.message
    assert doc.to_bytes() == plain.to_bytes()


def test_soft_hyphen_inside_a_word_is_the_texts_own_and_kept():
    """A hyphenation point between two letters is part of the word as the UN prints it
    (their Russian 78/159 has "финансиро\u00adванию"): kept, without a warning."""
    doc = parse_text(TEXT.replace("Secretary-General", "Secre\u00adtary-General").encode(), "x.txt")
    assert "Secre\u00adtary-General" in doc.to_bytes().decode("utf-8")
    assert not _warnings(doc, "invisible")
    assert _operative(doc) == 2


@pytest.mark.parametrize("ch,name", [("\u200b", "ZERO WIDTH SPACE"), ("\u200d", "ZERO WIDTH JOINER"),
                                     ("\u200c", "ZERO WIDTH NON-JOINER"), ("\u061c", "ARABIC LETTER MARK"),
                                     ("\u2060", "WORD JOINER"), ("\ufeff", "ZERO WIDTH NO-BREAK SPACE")])
def test_invisible_character_in_the_title_number_is_named_not_a_missing_title(ch, name, tmp_path):
    """U+200B/U+200D/U+061C in the title's number gave "no title line found" at 1:1."""
    src = tmp_path / "t.txt"
    src.write_text(TEXT.replace("78/999.", f"78/9{ch}99.").replace("its work.", f"its{ch} work."),
                   encoding="utf-8")
    proc = run_akn("parse", src, "-o", tmp_path / "t.xml", check=False)
    assert proc.returncode == 0, proc.stderr
    found = [ln for ln in proc.stderr.splitlines() if "invisible" in ln]
    assert len(found) == 1, proc.stderr   # one warning for the two
    assert found[0].startswith(f"{src}:7:5: warning: 2 invisible characters removed, the first "
                               f"U+{ord(ch):04X} {name}"), found[0]
    assert 'value="A/RES/78/999"' in (tmp_path / "t.xml").read_text(encoding="utf-8")


def test_invisible_characters_in_the_seed_leave_its_xml_unchanged():
    lines = SEED.split("\n")
    lines[9] = lines[9].replace("٦٧", "٦\u200d٧", 1)     # the title's number
    lines[13] = "\u2060" + lines[13]
    doc = parse_text("\n".join(lines).encode(), "x.txt")
    assert doc.to_bytes() == parse_text(SEED.encode(), "x.txt").to_bytes()
    (w,) = _warnings(doc, "invisible")
    assert w.line == 10 and "U+200D ZERO WIDTH JOINER" in w.message


def test_a_joiner_between_arabic_letters_is_kept():
    """ZWNJ/ZWJ between two Arabic-script letters shape them (Persian, Urdu): the text's own."""
    word = "مى\u200cخواهم"
    text = SEED.replace("إن الجمعية العامة،", f"إن الجمعية العامة، {word}", 1)
    doc = parse_text(text.encode(), "x.txt")
    assert word in doc.to_bytes().decode("utf-8")
    assert _warnings(doc, "invisible") == []


# ---------------------------------------------------------------- encodings

@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_arabic_utf16_without_bom_is_read_as_utf16(enc):
    """Arabic UTF-16LE without a BOM was called "binary" (its bytes 27 06 are not every
    other byte NUL, the test that found English UTF-16)."""
    doc = parse_text(SEED.encode(enc), "x.txt")
    assert doc.to_bytes() == parse_text(SEED.encode(), "x.txt").to_bytes()
    (w,) = _warnings(doc, "encoding")
    assert enc.upper() in w.message and (w.line, w.col) == (1, 1)


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_english_utf16_without_bom_is_still_read(enc):
    doc = parse_text(TEXT.encode(enc), "x.txt")
    assert doc.to_bytes() == parse_text(TEXT.encode(), "x.txt").to_bytes()


def test_a_binary_file_is_still_binary():
    from akn.diagnostics import AknError
    with pytest.raises(AknError, match="binary file"):
        parse_text(bytes(range(256)) * 40, "x.bin")


# ---------------------------------------------------------------- dates

def test_a_five_digit_year_is_not_cut_to_four():
    """"21 November 99999" became 9999-11-21."""
    doc = parse_text(TEXT.replace("1 December 2022", "21 November 99999").encode(), "x.txt")
    xml = doc.to_bytes().decode("utf-8")
    assert "9999-11-21" not in xml and "21 November 99999" in xml
    (w,) = [d for d in _warnings(doc, "bad-date") if "99999" in d.message]
    assert (w.line, w.col) == (11, 34) and "year 99999" in w.message


def test_a_day_is_not_the_tail_of_a_longer_number():
    doc = parse_text(TEXT.replace("1 December 2022", "121 December 2022").encode(), "x.txt")
    assert "2022-12-21" not in doc.to_bytes().decode("utf-8")


def test_an_adoption_date_before_1945_is_not_the_documents_date():
    text = TEXT.replace("on 19 December 2023", "on 19 December 1923")
    doc = parse_text(text.encode(), "x.txt")
    assert "1923-12-19/" not in doc.to_bytes().decode("utf-8")   # not in the FRBR IRIs
    (w,) = [d for d in _warnings(doc, "bad-date") if "1945" in d.message]
    assert (w.line, w.col) == (5, 1)


@pytest.mark.parametrize("value", ["99999999999999999999", "-5", "soon", "1e9", "253402300800"])
@pytest.mark.parametrize("command", ["parse", "pdf"])
def test_a_bad_source_date_epoch_is_a_clear_error(value, command, tmp_path):
    """SOURCE_DATE_EPOCH=99999999999999999999 was an internal error (exit 3)."""
    src = tmp_path / "s.txt"
    src.write_text(TEXT, encoding="utf-8")
    if command == "pdf":
        run_akn("parse", src, "-o", tmp_path / "s.xml")
        src = tmp_path / "s.xml"
    out = tmp_path / "out"
    env = dict(os.environ, SOURCE_DATE_EPOCH=value)
    proc = run_akn(command, src, "-o", out, check=False, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "SOURCE_DATE_EPOCH:0:0: error: SOURCE_DATE_EPOCH=" in proc.stderr, proc.stderr
    assert not out.exists()


def test_the_last_source_date_epoch_is_written(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text(TEXT, encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH="253402300799")
    proc = run_akn("parse", src, "-o", "-", env=env)
    assert '<FRBRdate date="9999-12-31" name="markup"/>' in proc.stdout


# ---------------------------------------------------------------- one line per message

@pytest.mark.parametrize("body,what", [(b"<![CDATA[x", "CData section not finished x"),
                                       (b"\x00", "Char 0x0 out of allowed range, line 1")])
@pytest.mark.parametrize("command", ["validate", "html"])
def test_libxml2_messages_on_two_lines_are_folded_into_one(body, what, command, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
                    + body + b"</akomaNtoso>")
    args = [command, bad] if command == "validate" else [command, bad, "-o", tmp_path / "o.html"]
    proc = run_akn(*args, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines and all(DIAG.match(ln) for ln in lines), proc.stderr
    assert what in proc.stderr


def test_report_diagnostics_are_one_line_each(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text(TEXT.replace("1. Welcomes", "1\u00ad. Welcomes"), encoding="utf-8")
    proc = run_akn("parse", src, "-o", tmp_path / "s.xml", "--report", "-")
    report = json.loads(proc.stdout)
    assert all("\n" not in d["message"] for d in report["diagnostics"])
    assert any(d["code"] == "invisible" for d in report["diagnostics"])
