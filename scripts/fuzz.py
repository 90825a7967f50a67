#!/usr/bin/env python3
"""Mutation fuzzer for the text reader (issue #6).

Takes real resolutions — the seed sources/A-RES-67-190.ar.txt and, when ../shared is there,
the text of every session-78 file in Arabic and English (made in-process with
../shared/tools/unxml2text.py, as tests/test_corpus_parse.py makes it) — and damages them:
lines and blocks deleted, duplicated, swapped; random Unicode inserted (controls, bidi
marks, combining marks, digits, the reader's own syntax: ^(n), (n), "1 -", "(a)", **);
truncation (also in the middle of a UTF-8 sequence); byte flips; a chunk repeated; the whole
text re-encoded (UTF-16, Windows-1256, with a BOM).

The oracle, for every case: ``akn.read.parse_text`` either returns a document whose XML is
valid under the official AKN 3.0 schema (``akn.schema.is_valid``) or raises
``akn.diagnostics.AknError``. Anything else is a failure:

  crash    any other exception
  invalid  a document that the schema refuses (`akn parse` would refuse to write it)
  slow     a case that took longer than --slow seconds (a sign of super-linear work)

Every case is reproducible on its own (its random generator is seeded with "SEED:CASE").
The first failing inputs of each kind are saved under --out (default build/fuzz/) as
NAME.txt with NAME.info.txt beside it (the mutations applied and the traceback).

usage: scripts/fuzz.py [-n 10000] [--seed 1] [-j 2] [--no-corpus] [--out build/fuzz]
       scripts/fuzz.py --long 10     (each long-input shape at 10 MB: CPU time, peak memory)
exit status: 0 when every case was valid or refused, 1 otherwise.
"""
from __future__ import annotations

import argparse
import codecs
import importlib.util
import multiprocessing
import os
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED_TXT = ROOT / "sources" / "A-RES-67-190.ar.txt"
SHARED = Path(os.environ.get("AKN_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "unxml" / "78"
PAGE_MARK = "الرجاء إعادة الاستعمال"

# Characters worth inserting: the reader's syntax, digits of both kinds, invisible and
# dangerous code points, letters of both scripts, and a few from far planes.
SPECIAL = (
    list("()[]^*/-–.:;،؛,\n\n\n \t\r") + list("0123456789٠١٢٣٤٥٦٧٨٩۴²")
    + ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\u00a0", "\u2028",
       "\u2029", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b",
       "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff",
       "\ufffd", "\ufffe", "\uffff", "\U0001F600", "\U0010FFFD", "\u0651", "\u064b",
       "\u0640", "\u0301", "ـ", "ﷲ", "ﻻ", "&", "<", ">", "\"", "'", "]]>", "<!--", "&amp;"]
    + list("abcxyzABCXYZابتثجحخدذرزسشصضطظعغفقكلمنهوي")
)
TOKENS = ["^(١)", "^(٢)", "^(١٤)", "^(1)", "^(99)", "^()", "^(x)", "^(١٢٣٤٥٦)", "(١) ", "(٢) ",
          "(999) ", "(1) ", "١ - ", "٢ - ", "٩٩ - ", "1. ", "2. ", "(أ) ", "(ب) ", "(i) ", "(ii) ",
          "(h) ", "(a) ", "’١‘ ", "**", "** ", "**تقرر** ", "**Decides** ", "A/RES/67/190",
          "١٩٠/٦٧", "67/190", "٣/٢٠", "A/67/458", "E/2012/1", "٢٠ كانون الأول/ديسمبر ٢٠١٢",
          "31 February 2012", "٣١ شباط/فبراير ٢٠١٢", "20 December 2012", PAGE_MARK,
          "الجلسة العامة ٦٠", "60th plenary meeting", "إن الجمعية العامة،",
          "The General Assembly,", "١٩٠/٦٧ - عنوان", "67/190. Title", "وإذ تشير", "Recalling",
          "قرار", "resolution", "javascript:alert(1)", "<script>x</script>"]


# -- seeds ------------------------------------------------------------------------------------
def load_seeds(corpus: bool = True, log=print) -> list[tuple[str, str]]:
    """(name, text) of the seed and, if ../shared is there, the session-78 texts."""
    seeds = [(SEED_TXT.name, SEED_TXT.read_text(encoding="utf-8"))]
    if not corpus:
        return seeds
    tool = SHARED / "tools" / "unxml2text.py"
    if not (CORPUS.is_dir() and tool.is_file()):
        log(f"fuzz: session-78 seeds skipped: {CORPUS} or {tool} is absent "
            "(the UN corpus lives in ../shared beside the project); fuzzing the seed only")
        return seeds
    sys.path.insert(0, str(tool.parent))
    spec = importlib.util.spec_from_file_location("unxml2text", tool)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for lang in ("ar", "en"):
        mark = PAGE_MARK if lang == "ar" else ""
        for xml in sorted((CORPUS / lang).glob("*.xml")):
            try:
                _, blocks = mod.gold_and_blocks(str(xml), "operative")
            except BaseException:  # e.g. a documentCollection, which the tool cannot flatten
                continue
            seeds.append((f"{lang}/{xml.stem}.txt", mod.lay_out(blocks, 3000, mark)))
    return seeds


# -- mutations --------------------------------------------------------------------------------
def _lines_op(rng, text, what):
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if what == "delete":
        del lines[i]
    elif what == "duplicate":
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _blocks_op(rng, text, what):
    blocks = text.split("\n\n")
    if len(blocks) < 2:
        return text
    i, j = rng.randrange(len(blocks)), rng.randrange(len(blocks))
    if what == "delete":
        del blocks[i]
    elif what == "duplicate":
        blocks.insert(j, blocks[i])
    else:
        blocks[i], blocks[j] = blocks[j], blocks[i]
    return "\n\n".join(blocks)


def _insert(rng, text, piece):
    k = rng.randrange(len(text) + 1)
    return text[:k] + piece + text[k:]


def _random_char(rng) -> str:
    r = rng.random()
    if r < 0.6:
        return rng.choice(SPECIAL)
    if r < 0.9:  # anywhere in the BMP except surrogates
        cp = rng.randrange(0x20, 0xFFFE)
        return chr(cp) if not 0xD800 <= cp < 0xE000 else "\ufffd"
    return chr(rng.randrange(0x10000, 0x110000))


TEXT_MUTATIONS = {
    "delete-line": lambda rng, t: _lines_op(rng, t, "delete"),
    "duplicate-line": lambda rng, t: _lines_op(rng, t, "duplicate"),
    "swap-lines": lambda rng, t: _lines_op(rng, t, "swap"),
    "delete-block": lambda rng, t: _blocks_op(rng, t, "delete"),
    "duplicate-block": lambda rng, t: _blocks_op(rng, t, "duplicate"),
    "swap-blocks": lambda rng, t: _blocks_op(rng, t, "swap"),
    "insert-unicode": lambda rng, t: _insert(rng, t, "".join(_random_char(rng)
                                                             for _ in range(rng.randint(1, 8)))),
    "insert-token": lambda rng, t: _insert(rng, t, rng.choice(TOKENS)),
    "insert-token-line": lambda rng, t: _insert_line(rng, t),
    "repeat-chunk": lambda rng, t: _repeat(rng, t),
    "delete-span": lambda rng, t: _delete_span(rng, t),
    "truncate-text": lambda rng, t: t[:rng.randrange(len(t) + 1)],
}


def _insert_line(rng, text):
    lines = text.split("\n")
    piece = rng.choice(TOKENS) + rng.choice(["", " نص", " text", "؛", ";", ":", "،"])
    lines.insert(rng.randrange(len(lines) + 1), piece)
    return "\n".join(lines)


def _repeat(rng, text):
    if not text:
        return text
    k = rng.randrange(len(text))
    chunk = text[k:k + rng.randint(1, 12)]
    return text[:k] + chunk * rng.choice([2, 10, 100, 5000]) + text[k:]


def _delete_span(rng, text):
    if not text:
        return text
    k = rng.randrange(len(text))
    return text[:k] + text[k + rng.randint(1, 200):]


def _flip(rng, data: bytes) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def _encode(rng, text: str) -> tuple[str, bytes]:
    r = rng.random()
    if r < 0.04:
        return "utf-16", text.encode("utf-16")
    if r < 0.06:
        return "utf-16-le-nobom", text.encode("utf-16-le")
    if r < 0.08:
        return "utf-8-bom", codecs.BOM_UTF8 + text.encode("utf-8")
    if r < 0.10:
        return "cp1256", text.encode("cp1256", errors="replace")
    if r < 0.12:
        return "crlf", text.replace("\n", "\r\n").encode("utf-8")
    return "utf-8", text.encode("utf-8", errors="surrogatepass")


BYTE_MUTATIONS = {
    "flip-bits": _flip,
    "truncate-bytes": lambda rng, d: d[:rng.randrange(len(d) + 1)],
    "insert-bytes": lambda rng, d: _insert_bytes(rng, d),
}


def _insert_bytes(rng, data: bytes) -> bytes:
    k = rng.randrange(len(data) + 1)
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
    return data[:k] + junk + data[k:]


def make_case(seeds, seed: int, case: int) -> tuple[str, list[str], bytes]:
    """Case number ``case`` of run ``seed``: (seed name, mutations applied, input bytes)."""
    rng = random.Random(f"{seed}:{case}")
    name, text = seeds[rng.randrange(len(seeds))] if rng.random() > 0.25 else seeds[0]
    applied = []
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6])):
        what = rng.choice(list(TEXT_MUTATIONS))
        text = TEXT_MUTATIONS[what](rng, text)
        applied.append(what)
    enc, data = _encode(rng, text)
    if enc != "utf-8":
        applied.append(f"encode-{enc}")
    if rng.random() < 0.2:
        what = rng.choice(list(BYTE_MUTATIONS))
        data = BYTE_MUTATIONS[what](rng, data)
        applied.append(what)
    return name, applied, data


# -- long inputs ------------------------------------------------------------------------------
_AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_PARA = ("تؤكد ضرورة مواصلة العمل على تعزيز التعاون الدولي في مكافحة الاتجار بالأشخاص وفقا "
         "للقرار ٦٤/٢٩٣ المؤرخ ٣٠ تموز/يوليه ٢٠١٠ والوثيقة A/67/458؛")
LONG_SHAPES = ("operative", "preamble", "unnumbered", "one-block", "one-line", "page-cuts",
               "calls", "endnotes")


def long_text(shape: str, size: int) -> str:
    """The seed's head and tail around ``size`` bytes of one shape of body — each shape
    stresses one part of the reader (many paragraphs, one huge paragraph, a paragraph cut
    by thousands of page marks, thousands of calls, 999 notes called from everywhere)."""
    seed = SEED_TXT.read_text(encoding="utf-8")
    head = seed.split("١ - تؤكد", 1)[0]
    tail = "\n\nالجلسة العامة ٦٠\n\n٢٠ كانون الأول/ديسمبر ٢٠١٢\n"
    ar = lambda n: str(n).translate(_AR)  # noqa: E731
    pieces, total, n = [], len(head.encode()), 0

    def fill(make):
        nonlocal total, n
        while total < size:
            n += 1
            piece = make(n)
            pieces.append(piece)
            total += len(piece.encode())
        return "".join(pieces)

    if shape == "operative":
        return head + fill(lambda n: f"{ar(n)} - {_PARA}\n\n") + tail
    if shape == "preamble":
        head = head.split("إن الجمعية العامة،")[0] + "إن الجمعية العامة،\n\n"
        return head + fill(lambda n: f"وإذ تشير إلى {_PARA[:-1]}،\n\n") + f"١ - {_PARA}" + tail
    if shape == "unnumbered":
        return head + f"١ - {_PARA}\n\n" + fill(lambda n: f"عنوان فرعي {ar(n)}\n\n") + tail
    if shape == "one-block":
        return head + "١ - " + fill(lambda n: _PARA + "\n") + tail
    if shape == "one-line":
        return head + "١ - " + fill(lambda n: _PARA + " ") + tail
    if shape == "page-cuts":
        return head + "١ - تؤكد ضرورة و\n\n" + fill(
            lambda n: f"{PAGE_MARK}\n\nويستمر النص {_PARA[:-1]} و\n\n") + tail
    if shape == "calls":
        return head + "١ - " + fill(lambda n: _PARA[:-1] + "^(١) ") + "\n\n(١) حاشية." + tail
    if shape == "endnotes":
        body = fill(lambda n: f"{ar(n)} - {_PARA}^({ar(n % 999 + 1)})\n\n")
        return head + body + "".join(f"({ar(k)}) حاشية {k}.\n\n" for k in range(1, 1000)) + tail
    raise ValueError(shape)


def _measure_long(args):
    import resource
    shape, size = args
    data = long_text(shape, size).encode("utf-8")
    t = time.process_time()
    outcome, detail = judge(data, f"{shape}.txt")
    cpu = time.process_time() - t
    return shape, len(data), outcome, detail, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_long(size_mb: float) -> int:
    """Each shape at size_mb, in a fresh process: CPU time and peak memory."""
    bad = 0
    ctx = multiprocessing.get_context("fork")
    for shape in LONG_SHAPES:
        with ctx.Pool(1, maxtasksperchild=1) as pool:
            shape, size, outcome, detail, cpu, rss = pool.apply(_measure_long, ((shape, int(size_mb * 1e6)),))
        print(f"long: {shape:11} {size / 1e6:6.2f} MB  {cpu:6.1f} s CPU  {rss / 1024:6.0f} MB peak  "
              f"{outcome}{': ' + detail.strip().splitlines()[-1][:120] if outcome != 'valid' else ''}",
              flush=True)
        bad += outcome not in ("valid", "refused")
    return 1 if bad else 0


# -- the oracle -------------------------------------------------------------------------------
def judge(data: bytes, name: str = "fuzz.txt") -> tuple[str, str]:
    """('valid'|'refused'|'invalid'|'crash', detail)."""
    from akn import schema
    from akn.diagnostics import AknError
    from akn.read import parse_text
    try:
        doc = parse_text(data, name)
    except AknError as e:
        return "refused", e.diagnostic.code
    except Exception:
        return "crash", traceback.format_exc()
    try:
        doc.to_bytes()
        if schema.is_valid(doc.tree):
            return "valid", ""
        return "invalid", "; ".join(f"line {ln}: {m}" for ln, m in schema.errors(doc.tree, limit=3))
    except Exception:
        return "crash", traceback.format_exc()


_SEEDS: list = []


def _init(seeds):
    global _SEEDS
    _SEEDS = seeds
    from akn import schema
    schema.lxml_schema()  # compile once per worker, outside the timed cases


def run_case(args):
    seed, case = args
    name, applied, data = make_case(_SEEDS, seed, case)
    t = time.process_time()
    outcome, detail = judge(data)
    return case, name, applied, len(data), outcome, detail, time.process_time() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--cases", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--no-corpus", action="store_true", help="fuzz the bundled seed only")
    ap.add_argument("--out", default=str(ROOT / "build" / "fuzz"))
    ap.add_argument("--keep", type=int, default=10, help="failing inputs kept per kind")
    ap.add_argument("--slow", type=float, default=10.0, help="CPU seconds that make a case 'slow'")
    ap.add_argument("--long", type=float, metavar="MB",
                    help="instead: parse each long-input shape at this size, print time and memory")
    a = ap.parse_args(argv)
    if a.long:
        return measure_long(a.long)
    seeds = load_seeds(corpus=not a.no_corpus)
    print(f"fuzz: {a.cases} cases, seed {a.seed}, {len(seeds)} seed texts, {a.jobs} job(s)")
    out = Path(a.out)
    counts, codes, by_mutation, kinds = Counter(), Counter(), Counter(), Counter()
    kept = Counter()
    slowest = (0.0, None)
    t0 = time.time()
    jobs = [(a.seed, i) for i in range(a.cases)]
    if a.jobs > 1:
        pool = multiprocessing.get_context("fork").Pool(a.jobs, _init, (seeds,))
        results = pool.imap_unordered(run_case, jobs, chunksize=16)
    else:
        pool = None
        _init(seeds)
        results = map(run_case, jobs)
    try:
        for case, name, applied, size, outcome, detail, cpu in results:
            if cpu > a.slow and outcome in ("valid", "refused"):
                outcome, detail = "slow", f"{cpu:.1f} s CPU"
            counts[outcome] += 1
            for m in applied:
                by_mutation[(m, outcome)] += 1
            if outcome == "refused":
                codes[detail] += 1
            elif outcome != "valid":  # what went wrong: the exception's last line, shortened
                last = detail.strip().splitlines()[-1] if detail.strip() else ""
                kinds[f"{outcome}: {last[:70]}"] += 1
            if cpu > slowest[0]:
                slowest = (cpu, case)
            if outcome in ("crash", "invalid", "slow") and kept[outcome] < a.keep:
                kept[outcome] += 1
                out.mkdir(parents=True, exist_ok=True)
                stem = out / f"{outcome}-seed{a.seed}-case{case}"
                _, _, data = make_case(seeds, a.seed, case)
                stem.with_suffix(".txt").write_bytes(data)
                stem.with_suffix(".info.txt").write_text(
                    f"case {case} of seed {a.seed}: from {name}, mutations {applied}, "
                    f"{size} bytes, {cpu:.2f} s CPU\n{outcome}: {detail}\n", encoding="utf-8")
                first = (detail.strip().splitlines()[-1] if detail.strip() else "")[:200]
                print(f"fuzz: {outcome}: case {case} ({name}; {', '.join(applied)}): {first} "
                      f"-> {stem}.txt", flush=True)
    finally:
        if pool:
            pool.close()
            pool.join()
    took = time.time() - t0
    total = sum(counts.values())
    print(f"fuzz: {total} cases in {took:.0f} s: " + ", ".join(
        f"{k} {counts[k]}" for k in ("valid", "refused", "crash", "invalid", "slow")))
    print("fuzz: refusals by code: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))
    for kind, k in kinds.most_common():
        print(f"fuzz: {k} × {kind}")
    print(f"fuzz: slowest case {slowest[1]} at {slowest[0]:.2f} s CPU")
    muts = sorted({m for m, _ in by_mutation})
    print("fuzz: by mutation (valid/refused/failed): " + "; ".join(
        f"{m} {by_mutation[(m, 'valid')]}/{by_mutation[(m, 'refused')]}/"
        f"{sum(by_mutation[(m, o)] for o in ('crash', 'invalid', 'slow'))}" for m in muts))
    return 1 if counts["crash"] or counts["invalid"] or counts["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())
