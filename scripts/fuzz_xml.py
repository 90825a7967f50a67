#!/usr/bin/env python3
"""Structure-aware XML fuzzer for the writers (issue 16): valid Akoma Ntoso made deep, wide,
huge and odd, fed to `akn html` and `akn pdf` as a user would run them, each in its own
process with a time limit (--timeout) and a memory limit (RLIMIT_AS, --memory).

Mutations (1–3 per case, on the seed's XML): nesting (inline <i>, list/point, tables),
siblings repeated, huge text, huge attributes, odd namespaces and foreign elements,
xsi:type, a DOCTYPE with entities, duplicated eIds, colspan/rowspan, runs of combining
marks, documentCollections whose documentRefs repeat or loop, an empty <akomaNtoso>, an
element renamed or removed.

Outcomes: ok (exit 0), refused (exit 1 with a FILE:LINE:COL message), unclear (exit 1
without one), crash (exit 3, a traceback, any other status), timeout, oom (MemoryError or
killed under the memory limit). Every case is reproducible from "SEED:CASE"; failures are
kept under --out with the command that failed.

usage: scripts/fuzz_xml.py [-n 300] [--seed 1] [-j 2] [--pdf-every 5] [--out build/fuzz-xml]
exit status: 0 when no case crashed, timed out or ran out of memory, 1 otherwise.
"""
from __future__ import annotations

import argparse
import copy
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_TXT = ROOT / "sources" / "A-RES-67-190.ar.txt"
AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
N = f"{{{AKN}}}"
DIAG = re.compile(r"^.+:\d+:\d+: error: .+$", re.M)
BAD = ("crash", "timeout", "oom")


def seed_xml() -> bytes:
    sys.path.insert(0, str(ROOT))
    from akn.read import parse_text
    return parse_text(SEED_TXT.read_bytes(), SEED_TXT.name).to_bytes()


# -- mutations: each takes (root, rng) and changes the tree in place ----------------------------

def _ps(root):
    return [p for p in root.iter(N + "p")] or [root]


def deep_inline(root, rng):
    p = rng.choice(_ps(root))
    p.clear()
    inner = p
    for _ in range(rng.choice([10, 60, 63, 100, 240])):
        child = inner.makeelement(N + rng.choice(["i", "b", "span", "u"]), {})
        inner.append(child)
        inner = child
    inner.text = "x"


def deep_lists(root, rng):
    from lxml import etree
    paras = list(root.iter(N + "paragraph")) or [root]
    para = rng.choice(paras)
    n = rng.choice([5, 25, 30, 40, 65, 100])
    s = "<content><p>x</p></content>"
    for d in range(n, 0, -1):
        s = f'<list eId="fl{d}"><intro><p>i</p></intro><point eId="fp{d}"><num>(a)</num>{s}</point></list>'
    for k in list(para):
        if etree.QName(k).localname != "num":
            para.remove(k)
    para.append(etree.fromstring(f'<x xmlns="{AKN}">{s}</x>')[0])


def deep_tables(root, rng):
    from lxml import etree
    s = "<p>x</p>"
    for d in range(rng.choice([2, 8, 19, 30])):
        s = f'<table eId="ft{d}"><tr><td>{s}</td></tr></table>'
    _insert_block(root, rng, etree.fromstring(f'<x xmlns="{AKN}">{s}</x>')[0])


def _insert_block(root, rng, el):
    body = root.find(f".//{N}mainBody")
    paras = list(body.iter(N + "content")) if body is not None else []
    (rng.choice(paras) if paras else root).append(el)


def wide(root, rng):
    body = root.find(f".//{N}mainBody")
    if body is None or not len(body):
        return
    child = rng.choice(list(body))
    for n in range(rng.choice([100, 1000, 3000])):
        c = copy.deepcopy(child)
        for el in c.iter():
            if el.get("eId"):
                el.set("eId", f"{el.get('eId')}_w{n}")
        body.append(c)


def huge_text(root, rng):
    p = rng.choice(_ps(root))
    p.text = (p.text or "") + rng.choice(["lorem ipsum ", "نص ", "x"]) * rng.choice([10 ** 4, 3 * 10 ** 5])


def huge_attr(root, rng):
    el = rng.choice(list(root.iter()))
    el.set(rng.choice(["class", "eId", "refersTo", "title"]), "a" * rng.choice([10 ** 4, 10 ** 6]))


def odd_namespace(root, rng):
    el = rng.choice(_ps(root))
    ns = rng.choice(["urn:x", "http://www.w3.org/1999/xhtml", "", "http://www.w3.org/2000/svg"])
    child = el.makeelement(f"{{{ns}}}odd" if ns else "odd", {f"{{{ns or 'urn:y'}}}a": "1"})
    child.text = "odd"
    el.append(child)


def xsi_type(root, rng):
    el = rng.choice(list(root.iter(N + "*")) or [root])
    el.set("{http://www.w3.org/2001/XMLSchema-instance}type", rng.choice(["x:T", "T", "xs:string", ":"]))


def dup_eid(root, rng):
    ids = [el for el in root.iter() if el.get("eId")]
    if len(ids) > 2:
        a, b = rng.sample(ids, 2)
        b.set("eId", a.get("eId"))


def span(root, rng):
    from lxml import etree
    n = rng.choice([2, 1000, 1001, 65535, 10 ** 6, 10 ** 9])
    attr = rng.choice(["colspan", "rowspan"])
    t = etree.fromstring(f'<table xmlns="{AKN}" eId="fs"><tr><td {attr}="{n}"><p>a</p></td></tr>'
                         f'<tr><td><p>b</p></td></tr></table>')
    _insert_block(root, rng, t)


def marks(root, rng):
    p = rng.choice(_ps(root))
    p.text = (p.text or "") + "x" + rng.choice(["\u0301", "\u0651", "\u20dd"]) * rng.choice([5, 30, 31, 1000, 200000])


def rename(root, rng):
    els = list(root.iter(N + "*"))[1:]
    if not els:
        return
    el = rng.choice(els)
    el.tag = N + rng.choice(["bogus", "p", "i", "statement", "documentRef", "component", "table"])


def remove(root, rng):
    els = list(root.iter(N + "*"))[1:]
    if els:
        el = rng.choice(els)
        el.getparent().remove(el)


def empty(root, rng):
    for k in list(root):
        root.remove(k)


MUTATIONS = [deep_inline, deep_lists, deep_tables, wide, huge_text, huge_attr, odd_namespace,
             xsi_type, dup_eid, span, marks, rename, remove, empty]


def collection(data: bytes, rng) -> bytes:
    """The document as a documentCollection whose documentRefs repeat, loop or dangle."""
    start = data.index(b"<statement")
    stmt = data[start:data.rindex(b"</akomaNtoso>")]
    meta = stmt[stmt.index(b"<meta>"):stmt.index(b"</meta>") + 7] if b"<meta>" in stmt else b""
    refs = rng.choice([1, 2, 50, 2000])
    target = rng.choice([b"comp_0", b"#comp_0", b"comp_x", b"c0"])   # c0: a body component itself
    body = b"".join(b'<component eId="c%d"><documentRef eId="r%d" href="%s" showAs="R"/></component>'
                    % (i, i, target) for i in range(refs))
    return (b'<akomaNtoso xmlns="' + AKN.encode() + b'"><documentCollection name="publication">'
            + meta + b"<collectionBody>" + body + b"</collectionBody></documentCollection>"
            + b'<components><component eId="comp_0">' + stmt + b"</component></components></akomaNtoso>")


def entities(data: bytes, rng) -> bytes:
    decl = rng.choice([b'<!DOCTYPE akomaNtoso [<!ENTITY e "x">]>', b'<!DOCTYPE akomaNtoso SYSTEM "file:///etc/passwd">',
                       b'<!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'])
    body = data.split(b"?>", 1)[-1]
    return b"<!--" + b"c" * rng.choice([0, 70000]) + b"-->" + decl + body.replace(b"</p>", b"&e;</p>", 1)


def mutate(seed: bytes, case: str) -> tuple[bytes, list[str]]:
    from lxml import etree
    rng = random.Random(case)
    root = etree.fromstring(seed)
    done = []
    for m in rng.sample(MUTATIONS, rng.randint(1, 3)):
        m(root, rng)
        done.append(m.__name__)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if rng.random() < 0.1:
        data, done = collection(data, rng) if b"<statement" in data else data, done + ["collection"]
    if rng.random() < 0.05:
        data, done = entities(data, rng), done + ["entities"]
    return data, done


# -- running -----------------------------------------------------------------------------------

def _limit(memory_mb: int):
    def apply():
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


# Seconds a case may take per MB of XML, on top of --timeout: the writers' work grows with the
# document (the largest UN file of session 78, A/RES/78/69 at 468 KB, ~70 pages, takes ~12 s
# to typeset here), so a mutation that makes the seed a 2 MB document of 3,000 paragraphs is
# given the time such a document needs; what the fuzzer looks for is work out of proportion
# to the input (a quadratic join, an expansion, a span), which no allowance hides.
PER_MB = {"html": 15.0, "pdf": 90.0}


def budget(data: bytes, command: str, timeout: float) -> float:
    """The time limit for one case: --timeout plus the allowance for its size."""
    return timeout + PER_MB[command] * len(data) / 1e6


def run_case(data: bytes, command: str, timeout: float, memory_mb: int) -> tuple[str, str]:
    """(outcome, stderr) of `akn COMMAND` on these bytes, within budget(...) seconds."""
    timeout = budget(data, command, timeout)
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "case.xml"
        doc.write_bytes(data)
        env = dict(os.environ, SOURCE_DATE_EPOCH="1356048000")
        env.pop("AKN_SERVER", None)
        try:
            proc = subprocess.run([sys.executable, "-m", "akn", command, str(doc), "-o",
                                   str(Path(tmp) / f"out.{command}"), "-q"], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=timeout,
                                  preexec_fn=_limit(memory_mb))
        except subprocess.TimeoutExpired:
            return "timeout", ""
    err = proc.stderr
    if "MemoryError" in err or proc.returncode in (-9, 137):
        return "oom", err
    if proc.returncode == 0:
        return "ok", err
    if proc.returncode == 1 and "Traceback" not in err:
        return ("refused" if DIAG.search(err) else "unclear"), err
    return "crash", err


def fuzz(n: int, seed: int, jobs: int, pdf_every: int, timeout: float, memory_mb: int,
         out: Path | None, log=print) -> Counter:
    base = seed_xml()
    counts: Counter = Counter()

    def one(i: int):
        case = f"{seed}:{i}"
        data, done = mutate(base, case)
        command = "pdf" if pdf_every and i % pdf_every == 0 else "html"
        outcome, err = run_case(data, command, timeout, memory_mb)
        return case, command, done, data, outcome, err

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for case, command, done, data, outcome, err in pool.map(one, range(n)):
            counts[(command, outcome)] += 1
            if outcome in BAD + ("unclear",):
                log(f"fuzz-xml: {case} {command} {outcome}: {'+'.join(done)}: "
                    f"{err.strip().splitlines()[-1:] if err else ''}")
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    stem = case.replace(":", "-")
                    (out / f"{stem}.xml").write_bytes(data)
                    (out / f"{stem}.info.txt").write_text(
                        f"akn {command} {stem}.xml\nmutations: {done}\noutcome: {outcome}\n\n{err}")
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--pdf-every", type=int, default=5, help="every Nth case through pdf (0: none)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds per case, plus PER_MB seconds per MB of XML")
    ap.add_argument("--memory", type=int, default=3072, help="MB of address space per case")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz-xml")
    args = ap.parse_args(argv)
    counts = fuzz(args.n, args.seed, args.jobs, args.pdf_every, args.timeout, args.memory, args.out)
    for command in ("html", "pdf"):
        row = {k[1]: v for k, v in counts.items() if k[0] == command}
        print(f"fuzz-xml {command}: " + ", ".join(f"{k} {row.get(k, 0)}" for k in
              ("ok", "refused", "unclear", "crash", "timeout", "oom")))
    return 1 if any(k[1] in BAD for k in counts) else 0


if __name__ == "__main__":
    sys.exit(main())
