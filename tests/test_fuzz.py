"""Fuzzing as tests: whatever text comes in, the reader either builds XML that is valid under
the official AKN 3.0 schema or refuses with an AknError (FILE:LINE:COL) — never another
exception, never invalid XML.

* a short budget of scripts/fuzz.py (the mutation fuzzer; `make fuzz` runs 10,000 cases)
  over the seed and, when ../shared is there, the session-78 texts;
* Hypothesis properties: any bytes, any text, resolution-shaped documents assembled from
  the reader's own syntax and arbitrary text, and the seed with lines edited;
* one regression test for each crash the fuzzer found.
"""
from __future__ import annotations

import importlib.util
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from akn import schema
from akn.diagnostics import AknError
from akn.read import parse_text
from conftest import ROOT, SEED_TXT

SEED = SEED_TXT.read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("AKN_HYPOTHESIS_EXAMPLES", "200"))
CASES = int(os.environ.get("AKN_FUZZ_CASES", "300"))


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fuzz = _fuzz_module()


def oracle(data: bytes) -> str:
    """'valid' or 'refused'; anything else fails the test with what went wrong."""
    try:
        doc = parse_text(data, "fuzz.txt")
    except AknError as e:
        assert str(e).startswith("fuzz.txt:") and ": error: " in str(e), str(e)
        return "refused"
    assert schema.is_valid(doc.tree), schema.errors(doc.tree, limit=3)
    return "valid"


# ------------------------------------------------------------------ the mutation fuzzer

@pytest.fixture(scope="module")
def seeds():
    messages = []
    out = fuzz.load_seeds(corpus=True, log=messages.append)
    if len(out) == 1:
        print("\n" + "\n".join(messages))  # ../shared absent: the seed alone, said plainly
    return out


def test_mutation_fuzzer_short_budget(seeds, tmp_path):
    """CASES mutated resolutions (seed 20261128): no crash, no invalid XML, none slow."""
    fuzz._init(seeds)
    outcomes, failures = {}, []
    t0 = time.time()
    for case in range(CASES):
        _, name, applied, size, outcome, detail, cpu = fuzz.run_case((20261128, case))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome not in ("valid", "refused") or cpu > 10:
            _, _, data = fuzz.make_case(seeds, 20261128, case)
            path = tmp_path / f"case{case}.txt"
            path.write_bytes(data)
            failures.append(f"case {case} ({name}; {applied}): {outcome} {cpu:.1f}s -> {path}\n"
                            f"{detail[-600:]}")
    print(f"\nfuzz: {CASES} cases in {time.time() - t0:.0f} s: {outcomes}")
    assert not failures, "\n".join(failures[:5])
    assert outcomes.get("valid", 0) > CASES // 3  # the mutations leave most texts readable


def test_fuzzer_cases_are_reproducible(seeds):
    assert fuzz.make_case(seeds, 7, 123) == fuzz.make_case(seeds, 7, 123)
    assert fuzz.make_case(seeds, 7, 123) != fuzz.make_case(seeds, 7, 124)


# ------------------------------------------------------------------ Hypothesis properties

SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes(data):
    oracle(data)


@SETTINGS
@given(st.text(max_size=3000))
def test_any_text(text):
    oracle(text.encode("utf-8", errors="surrogatepass"))


# Resolution-shaped documents: every part the reader looks for, in any order or missing,
# with arbitrary text and the reader's inline syntax in between.
_WORDS = st.sampled_from(["تحسين", "الجمعية", "العامة", "قرارها", "القرار", "و", "إذ", "تشير",
                          "resolution", "Recalling", "Decides", "the", "of", "and", "Council"])
_INLINE = st.sampled_from(fuzz.TOKENS) | _WORDS | st.text(max_size=12) | st.sampled_from(
    ["٢٠ كانون الأول/ديسمبر ٢٠١٢", "1 January 2020", "٦٤/٢٩٣", "A/RES/64/293", "E/2012/1",
     "^(١)", "^(٢)", "^(1)", "**", "،", "؛", ".", ":", ";", ",", " "])
_PARA = st.lists(_INLINE, min_size=1, max_size=14).map(" ".join)
_NUM = st.integers(0, 30) | st.integers(0, 10 ** 7)
_AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@st.composite
def resolution(draw):
    arabic = draw(st.booleans())
    loc = (lambda n: str(n).translate(_AR)) if arabic else str
    blocks = []
    if arabic:
        head = ["الجمعية العامة الدورة السابعة والستون", "البند ١٠٣ من جدول الأعمال",
                "قرار اتخذته الجمعية العامة في ٢٠ كانون الأول/ديسمبر ٢٠١٢",
                "[بناء على تقرير اللجنة الثالثة (A/67/458)]"]
    else:
        head = ["General Assembly Seventy-eighth session", "Agenda item 146",
                "Resolution adopted by the General Assembly on 28 June 2024",
                "[on the report of the Fifth Committee (A/78/920)]"]
    blocks += draw(st.lists(st.sampled_from(head) | _PARA, max_size=5))
    a, b = draw(_NUM), draw(_NUM)
    if draw(st.integers(0, 9)):
        title = draw(_PARA)
        blocks.append(f"{loc(b)}/{loc(a)} - {title}" if arabic else f"{a}/{b}. {title}")
    if draw(st.booleans()):
        blocks.append("إن الجمعية العامة،" if arabic else "The General Assembly,")
    blocks += [p + draw(st.sampled_from(["،", ",", ":", ";", ""]))
               for p in draw(st.lists(_PARA, max_size=5))]
    n = 0
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["para", "para", "item", "notes", "mark", "text"]))
        if kind == "para":
            n = draw(st.sampled_from([n + 1, n + 1, n, n + 2, 1, draw(_NUM)]))
            sep = " - " if arabic else ". "
            blocks.append(f"{loc(n)}{sep}{draw(_PARA)}" + draw(st.sampled_from(["؛", ";", ".", ":", ""])))
        elif kind == "item":
            label = draw(st.sampled_from(["(أ)", "(ب)", "(a)", "(b)", "(h)", "(i)", "(ii)", "’١‘"]))
            blocks.append(f"{label} {draw(_PARA)}")
        elif kind == "notes":
            for k in draw(st.lists(st.integers(1, 20), max_size=4)):
                blocks.append(f"({loc(k)}) {draw(_PARA)}")
        elif kind == "mark":
            blocks.append("الرجاء إعادة الاستعمال")
        else:
            blocks.append(draw(_PARA))
    if draw(st.booleans()):
        blocks.append(f"الجلسة العامة {loc(draw(_NUM))}" if arabic
                      else f"{draw(_NUM)}th plenary meeting")
        blocks += draw(st.lists(st.sampled_from(["٢٠ كانون الأول/ديسمبر ٢٠١٢", "20 December 2012"])
                                | _PARA, max_size=2))
    sep = draw(st.sampled_from(["\n\n", "\n\n", "\n", "\r\n\r\n"]))
    return sep.join(blocks) + "\n"


@SETTINGS
@given(resolution())
def test_resolution_shaped_documents(text):
    oracle(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "insert"]),
                          st.integers(0, 10 ** 6), st.text(max_size=20)), min_size=1, max_size=6))
def test_seed_with_lines_edited(edits):
    """The seed with lines deleted, repeated or inserted: Hypothesis shrinks a failure to the
    fewest edits that cause it."""
    lines = SEED.split("\n")
    for what, at, text in edits:
        i = at % len(lines)
        if what == "delete" and len(lines) > 1:
            del lines[i]
        elif what == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines.insert(i, text)
    oracle("\n".join(lines).encode("utf-8", errors="surrogatepass"))


# ------------------------------------------------------------------ long inputs

@pytest.mark.parametrize("shape", fuzz.LONG_SHAPES)
def test_long_inputs_take_linear_time(shape):
    """Four times the text takes about four times as long, not sixteen (each shape once
    had quadratic work: 0.4 MB of unnumbered blocks took 26 s). `scripts/fuzz.py --long 10`
    measures 10 MB (docs/robustness.md)."""
    def cpu(size):
        data = fuzz.long_text(shape, size).encode()
        t = time.process_time()
        parse_text(data, f"{shape}.txt").to_bytes()
        return time.process_time() - t
    small = min(cpu(150_000), cpu(150_000))
    big = cpu(600_000)
    assert big < 8 * small + 0.3, f"{shape}: 150 KB {small:.2f} s, 600 KB {big:.2f} s"


def test_more_than_16_mb_is_refused_at_once():
    data = fuzz.long_text("operative", 17_000_000).encode()
    t = time.process_time()
    with pytest.raises(AknError) as e:
        parse_text(data, "big.txt")
    assert time.process_time() - t < 1
    assert e.value.diagnostic.code == "too-large" and "16.2 MB, more than the 16 MB" in str(e.value)


# ------------------------------------------------------------------ what the fuzzer found

@pytest.mark.parametrize("ch", ["\ufffe", "\uffff"])
def test_noncharacters_are_removed_with_a_warning(ch):
    """U+FFFE/U+FFFF may not appear in XML: building the tree crashed (ValueError)."""
    lines = SEED.split("\n")
    lines[13] = lines[13][:5] + ch + lines[13][5:]
    doc = parse_text("\n".join(lines).encode(), "x.txt")
    got = [d for d in doc.diagnostics.items if d.line == 14 and "noncharacter" in d.message]
    assert got and got[0].col == 6 and f"U+{ord(ch):04X} removed" in got[0].message
    assert schema.is_valid(doc.tree)


@pytest.mark.parametrize("old,new", [
    ("١٩٠/٦٧ - تحسين", "١" * 5000 + "/٦٧ - تحسين"),      # the title's number
    ("١٩٠/٦٧ - تحسين", "١٩٠/" + "٦" * 5000 + " - تحسين"),
    ("٢ - تحث", "٢" * 5000 + " - تحث"),                   # an operative number
])
def test_numbers_of_thousands_of_digits(old, new):
    """Python refuses int() of more than 4300 digits: the reader crashed (ValueError)."""
    assert old in SEED
    assert oracle(SEED.replace(old, new, 1).encode()) == "valid"


def test_english_title_number_of_thousands_of_digits():
    text = ("General Assembly Seventy-eighth session\n\nResolution adopted by the General "
            "Assembly on 28 June 2024\n\n" + "7" * 5000 + "/296. Closed missions\n\n"
            "The General Assembly,\n\nRecalling its resolution 76/280,\n\n1. Decides to act;\n\n"
            + "2" * 5000 + ". Endorses the report.\n\n100th plenary meeting\n28 June 2024\n")
    assert oracle(text.encode()) == "valid"


def test_call_with_a_superscript_digit():
    """'²' is a digit to str.isdigit() but not to int(): the call binding crashed."""
    text = SEED.replace("الوطنية^(١)", "الوطنية^(²)", 1)
    assert text != SEED
    doc = parse_text(text.encode(), "x.txt")
    assert schema.is_valid(doc.tree)
    assert any("^(²)" in d.message for d in doc.diagnostics.items)


def test_title_first_without_masthead_gives_no_empty_cover_page():
    """Masthead lines moved after the title left an empty coverPage, which the schema
    refuses (so `akn parse` refused to write anything)."""
    head, rest = SEED.split("١٩٠/٦٧ - ", 1)
    title, rest = rest.split("\n", 1)
    doc = parse_text(("١٩٠/٦٧ - " + title + "\n\n" + head + rest).encode(), "x.txt")
    assert schema.is_valid(doc.tree)
    assert not doc.tree.getroot().xpath("//*[local-name()='coverPage']")


# ------------------------------------------------------------------ XML into the writers

def test_structure_aware_xml_mutations_never_crash_or_hang(tmp_path):
    """A few dozen of scripts/fuzz_xml.py's cases (valid AKN made deep, wide, huge, odd)
    through `akn html`, every sixth through `akn pdf`, each in a process with a time and a
    memory limit: ok or a FILE:LINE:COL refusal, never exit 3, a timeout or out-of-memory."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("fuzz_xml", ROOT / "scripts" / "fuzz_xml.py")
    fuzz_xml = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz_xml)
    counts = fuzz_xml.fuzz(30, 20261207, 2, 6, timeout=300, memory_mb=3072, out=tmp_path,
                           log=lambda *_: None)
    bad = {k: v for k, v in counts.items() if k[1] in ("crash", "timeout", "oom", "unclear")}
    assert not bad, (bad, sorted(p.name for p in tmp_path.iterdir()))
    assert sum(counts.values()) == 30
